//! `partners`: who takes (or supplies) a flow in one period — quantity and share per
//! partner, largest first, the Herfindahl-Hirschman index and the top-1/top-3 shares.
//!
//! Shares are of the period's total: the reporter's World row when it has one and the
//! listed partners do not add up to more (so partners the source does not list show up as
//! `coverage_pct` below 100), else the sum over listed partners (with a note giving both
//! figures when a World row was passed over). The HHI (0–10,000) is the sum of squared
//! percentage shares over the listed partners; below 99.5 % coverage it is a lower bound,
//! said in the same words as `shares` ([`Concentration::lower_bound_note`]). A partner
//! without the measure (a value-only row when ranking tonnes) has no share and is listed
//! last, named in a note.
//!
//! Partner codes are classified once, by `chokepoint_model::PartnerKind`: the World row is
//! the total; a bloc (EUU) overlaps its member states, so it is neither ranked nor counted
//! in HHI, top-N or coverage, but it is reported beside them in `aggregates` with its share
//! of the world total (dropping it would hide, say, 38 % of July 2025's magnet exports).
//! Residual groups (ROW, OTH) do not overlap the countries listed, but they are not one
//! country either (the rest could be one supplier or many): they count in the total, are
//! reported beside the ranking with their share, and stay out of the HHI, top-N and
//! coverage, which are then lower bounds, as for partners the source does not list.

use chokepoint_model::{PartnerKind, Period, group_name};
use serde::Serialize;

use super::concentration::{Concentration, SupplierShare, concentration};
use super::series::{FlowQuery, Observation, observations_of};
use super::thousands;
use crate::schema::PeriodType;
use crate::{StoreError, Warehouse};

/// What `coverage_pct` covers (kept as data so CLI, API and dashboard say the same).
pub const COVERAGE_BASIS: &str = "countries listed, aggregates such as EUU excluded";

/// Why an aggregate is kept out of the ranking.
pub const AGGREGATE_NOTE: &str = "not counted in HHI/top-N because it overlaps its members";

/// Why a residual group is kept out of the ranking.
pub const RESIDUAL_NOTE: &str = "not counted in HHI/top-N because it is not one country (it \
                                 could be one supplier or many): they are lower bounds";

/// Most periods named in the note on a period without a partner breakdown.
const PERIODS_NAMED: usize = 12;

/// Whether shares are of tonnes or of dollars: the measure the source rules prefer too.
pub use super::series::Measure;

impl Measure {
    /// An amount in this measure, for people: "2,140 t" or "USD 1,200".
    pub fn amount(self, v: f64) -> String {
        match self {
            Measure::Quantity => format!("{} t", thousands(v)),
            Measure::Value => format!("USD {}", thousands(v)),
        }
    }

    /// What this measure is, for notes: "tonnes" or "value".
    fn noun(self) -> &'static str {
        match self {
            Measure::Quantity => "tonnes",
            Measure::Value => "value",
        }
    }
}

/// What to rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnersQuery {
    /// Reporter, flow, product, source (`partner` is ignored).
    pub flow: FlowQuery,
    /// The period (`YYYY-MM`, `YYYY-MM..YYYY-MM` or `YYYY`).
    pub period: Period,
    /// Tonnes or dollars.
    pub measure: Measure,
}

/// One partner's line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartnerRow {
    /// Partner code.
    pub partner_iso3: String,
    /// Tonnes.
    pub quantity_t: Option<f64>,
    /// US dollars.
    pub value_usd: Option<f64>,
    /// Share of the period's total, percent.
    pub share_pct: Option<f64>,
    /// The source used.
    pub source: String,
    /// The dataset computed this figure from a published growth rate rather than taking it
    /// from a source.
    pub is_derived: bool,
    /// Where the figure was published (the bundled rows' report and URL), if a row says.
    pub citation: Option<String>,
}

/// The ranking and its concentration figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartnersReport {
    /// The period.
    pub period: String,
    /// Tonnes or dollars.
    pub measure: Measure,
    /// The total shares are taken of.
    pub total: Option<f64>,
    /// `world row` or `sum of partners`.
    pub total_basis: String,
    /// Listed partners' part of the total, percent.
    pub coverage_pct: Option<f64>,
    /// Herfindahl-Hirschman index, 0–10,000.
    pub hhi: Option<f64>,
    /// Largest partner's share, percent.
    pub top1_share_pct: Option<f64>,
    /// Three largest partners' share, percent.
    pub top3_share_pct: Option<f64>,
    /// Partners, largest first.
    pub partners: Vec<PartnerRow>,
    /// Partners with a positive amount (top-3 is only given from three on).
    pub partners_listed: usize,
    /// What `coverage_pct` covers.
    pub coverage_basis: String,
    /// The listed partners cover less than the total: `hhi` (and `top3_share_pct`) are
    /// lower bounds.
    pub hhi_is_lower_bound: bool,
    /// The HHI if the unattributed remainder were one partner (only with partial coverage).
    pub hhi_upper_bound: Option<f64>,
    /// The unattributed remainder exceeds the top partner's share, so an unlisted partner
    /// may be larger: `top1_share_pct` is a lower bound.
    pub top1_is_lower_bound: bool,
    /// Aggregates (blocs such as EUU) the source reports for the period: shown, never ranked.
    pub aggregates: Vec<AggregateRow>,
    /// Plain-language notes: partial coverage, a total without a breakdown, inconsistencies.
    pub notes: Vec<String>,
    /// Whether any period of this flow has partner rows (the notes name them when this one
    /// has none). Not serialised: the notes say it to every reader.
    #[serde(skip)]
    pub flow_has_partner_rows: bool,
}

impl PartnersQuery {
    /// What the monitor says when [`PartnersReport::found_nothing`]: the flow and period it
    /// looked for and how to list what is stored (CLI stderr, API `Chokepoint-Note`).
    pub fn nothing_found_note(&self) -> String {
        self.flow
            .nothing_found_note(&format!(", period {}", self.period))
    }
}

impl PartnersReport {
    /// Whether the flow has no rows to show at all. A World total without partners is not
    /// that, nor is a period without rows of a flow that has them in other periods: the
    /// report's notes say what there is.
    pub fn found_nothing(&self) -> bool {
        self.partners.is_empty()
            && self.aggregates.is_empty()
            && self.total.is_none()
            && !self.flow_has_partner_rows
    }
}

/// A group partner reported beside the ranked countries: a bloc (EUU) overlapping the
/// countries it contains, or a residual group (OTH, ROW) of countries not named.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AggregateRow {
    /// Group code.
    pub partner_iso3: String,
    /// Its name ("European Union").
    pub name: String,
    /// How it is classified (`bloc` or `residual`).
    pub kind: PartnerKind,
    /// What it is, for people: "aggregate of members" or "countries not named".
    pub role: String,
    /// Tonnes.
    pub quantity_t: Option<f64>,
    /// US dollars.
    pub value_usd: Option<f64>,
    /// Share of the same total as the partners' shares, percent (`None` for a bloc without
    /// a World row: a sum over countries is no base for a group that overlaps them).
    pub share_pct: Option<f64>,
    /// What `share_pct` is of: "the world total", or "the partners' sum" where the World
    /// row falls short of the partners listed.
    pub share_of: String,
    /// The source used.
    pub source: String,
    /// Why it is not ranked.
    pub note: String,
}

impl AggregateRow {
    /// One line for people: "EUU (European Union, aggregate of members) 2,140 t = 38.4 %
    /// of the world total; not counted in HHI/top-N because it overlaps its members".
    pub fn describe(&self, measure: Measure) -> String {
        let figure = match measure {
            Measure::Quantity => self.quantity_t,
            Measure::Value => self.value_usd,
        };
        let amount = figure.map_or_else(|| "no figure".into(), |v| measure.amount(v));
        let share = self
            .share_pct
            .map_or_else(String::new, |s| format!(" = {s:.1} % of {}", self.share_of));
        format!(
            "{} ({}, {}) {amount}{share}; {}",
            self.partner_iso3, self.name, self.role, self.note
        )
    }
}

/// The note when the World row (the total shares are of) and some partner rows come from
/// different sources: each source picks its rows by its own rules (precedence is per
/// partner), so a share may divide one source's figure by another's total, and the
/// coverage compares two sources that may differ in coverage and definitions.
fn other_source_note(in_period: &[&Observation]) -> Option<String> {
    let world = in_period
        .iter()
        .find(|o| PartnerKind::of(&o.partner_iso3) == PartnerKind::World)?;
    let mut others: Vec<(&str, Vec<&str>)> = Vec::new();
    let counted = |o: &&&Observation| {
        matches!(
            PartnerKind::of(&o.partner_iso3),
            PartnerKind::Country | PartnerKind::Residual
        ) && o.source != world.source
    };
    for o in in_period.iter().filter(counted) {
        match others.iter_mut().find(|(s, _)| *s == o.source) {
            Some((_, partners)) => partners.push(&o.partner_iso3),
            None => others.push((&o.source, vec![&o.partner_iso3])),
        }
    }
    if others.is_empty() {
        return None;
    }
    let named: Vec<String> = others
        .iter()
        .map(|(source, partners)| {
            const SHOWN: usize = 5;
            let more = partners.len().saturating_sub(SHOWN);
            let list = partners[..partners.len().min(SHOWN)].join(", ");
            if more > 0 {
                format!("{list} and {more} more from {source}")
            } else {
                format!("{list} from {source}")
            }
        })
        .collect();
    Some(format!(
        "the world row is from {}, but {}: their shares and the coverage compare two \
         sources, which may differ in coverage and definitions; `--source` keeps to one",
        world.source,
        named.join("; ")
    ))
}

/// Ranks the partners of one flow in one period.
pub async fn partners(wh: &Warehouse, q: &PartnersQuery) -> Result<PartnersReport, StoreError> {
    let mut flow = q.flow.clone();
    flow.partner = None;
    let (_, obs) = observations_of(wh, &flow, q.measure).await?;
    Ok(rank(&obs, q.period, q.measure))
}

/// The observations of `period`, one per partner. China's customs publish January–February
/// both as the combined period and as the year to date: the same months, the same figure,
/// two rows. Both were listed (each partner twice, the total doubled, the World row
/// rejected as short of the partners' sum). The period's own figure is kept over a
/// year-to-date row of the same span, and a figure taken from a publication over a derived
/// one.
fn one_per_partner(obs: &[Observation], period: Period) -> Vec<&Observation> {
    let mut picked: Vec<&Observation> = Vec::new();
    for o in obs.iter().filter(|o| o.period == period) {
        let rank = |o: &Observation| (o.period_type == PeriodType::Ytd, o.is_derived);
        match picked.iter_mut().find(|p| p.partner_iso3 == o.partner_iso3) {
            Some(p) if rank(o) < rank(p) => *p = o,
            Some(_) => {}
            None => picked.push(o),
        }
    }
    picked
}

fn rank(obs: &[Observation], period: Period, measure: Measure) -> PartnersReport {
    let pick = |q_t: Option<f64>, v: Option<f64>| match measure {
        Measure::Quantity => q_t,
        Measure::Value => v,
    };
    let in_period = one_per_partner(obs, period);
    let world = in_period
        .iter()
        .find(|o| PartnerKind::of(&o.partner_iso3) == PartnerKind::World)
        .and_then(|o| pick(o.quantity_t, o.value_usd))
        .filter(|w| *w > 0.0);
    let mut rows: Vec<PartnerRow> = in_period
        .iter()
        .filter(|o| PartnerKind::of(&o.partner_iso3) == PartnerKind::Country)
        .map(|o| PartnerRow {
            partner_iso3: o.partner_iso3.clone(),
            quantity_t: o.quantity_t,
            value_usd: o.value_usd,
            share_pct: None,
            source: o.source.clone(),
            is_derived: o.is_derived,
            citation: o.citation.clone(),
        })
        .collect();
    // A partner without the measure (a value-only row in a ranking by tonnes) has an
    // unknown amount, not zero: it is listed last, without a share.
    let known = |r: &PartnerRow| pick(r.quantity_t, r.value_usd);
    let amount = |r: &PartnerRow| known(r).unwrap_or(0.0);
    rows.sort_by(|a, b| {
        known(b)
            .is_some()
            .cmp(&known(a).is_some())
            .then(amount(b).total_cmp(&amount(a)))
            .then(a.partner_iso3.cmp(&b.partner_iso3))
    });
    // A fold from +0.0: `Sum for f64` starts at -0.0, which printed as "cover -0.0 %".
    let listed = rows.iter().map(amount).fold(0.0, |a, b| a + b);
    // Residual groups are part of the total (they do not overlap the countries) but not of
    // what the named countries cover.
    let residuals: Vec<&&Observation> = in_period
        .iter()
        .filter(|o| PartnerKind::of(&o.partner_iso3) == PartnerKind::Residual)
        .collect();
    let residual = residuals
        .iter()
        .filter_map(|o| pick(o.quantity_t, o.value_usd))
        .fold(0.0, |a, b| a + b);
    let with_residual = listed + residual;
    let mut notes = Vec::new();
    // A World row without the measure (a value-only row when ranking tonnes): the total is
    // not known, so the partners' sum is no measured coverage (it read "cover 100 %").
    let world_unmeasured = world.is_none()
        && in_period
            .iter()
            .any(|o| PartnerKind::of(&o.partner_iso3) == PartnerKind::World);
    if world_unmeasured && with_residual > 0.0 {
        notes.push(format!(
            "the world row gives no {} for this period: shares are of the partners listed, \
             which may not be all of it (coverage not measurable), and so are the HHI and \
             the top shares, which the rest could change either way",
            measure.noun()
        ));
    }
    let (total, basis) = match world {
        // Listed partners above the World row (rounding, or sources that disagree): the
        // row cannot be their total, so shares are of their sum, which keeps every share
        // and the HHI meaningful (one partner above the row had no HHI), and the note says
        // by how much the row falls short.
        Some(w) if with_residual > w => {
            let within = with_residual <= w * (1.0 + super::concentration::SHARE_SUM_TOLERANCE);
            notes.push(format!(
                "the partners listed add up to {:.1} % of the world row ({} against {}){}; \
                 shares are of their sum",
                with_residual / w * 100.0,
                measure.amount(with_residual),
                measure.amount(w),
                if within {
                    ", likely rounding in the source"
                } else {
                    ""
                }
            ));
            (Some(with_residual), "sum of partners")
        }
        Some(w) => (Some(w), "world row"),
        None if with_residual > 0.0 => (Some(with_residual), "sum of partners"),
        None => (None, "none"),
    };
    for r in &mut rows {
        r.share_pct = total.zip(known(r)).map(|(t, a)| a / t * 100.0);
    }
    if basis == "world row" {
        notes.extend(other_source_note(&in_period));
    }
    // A partner whose tonnes leave out HS lines with a value only (BACI's NA quantities):
    // its share, and the HHI and top shares, are understated by an unknown amount.
    let partial: Vec<&str> = in_period
        .iter()
        .filter(|o| measure == Measure::Quantity && o.quantity_is_partial)
        .map(|o| o.partner_iso3.as_str())
        .collect();
    if !partial.is_empty() {
        notes.push(format!(
            "the tonnes of {} leave out HS lines reported with a value but no tonnes \
             (BACI's NA quantities): their figures are lower bounds, and so are their shares \
             of a World row; where the total is the partners' sum, it is a lower bound too, \
             and every share, the HHI and the top shares may be off either way",
            partial.join(", ")
        ));
    }
    let unknown: Vec<&str> = rows
        .iter()
        .filter(|r| known(r).is_none())
        .map(|r| r.partner_iso3.as_str())
        .collect();
    if !unknown.is_empty() {
        notes.push(format!(
            "{} {} no {} for this period: listed without a share, left out of HHI and top \
             shares",
            unknown.join(", "),
            if unknown.len() == 1 { "has" } else { "have" },
            measure.noun()
        ));
    }
    let shares: Vec<SupplierShare> = rows
        .iter()
        .filter_map(|r| {
            r.share_pct
                .map(|s| SupplierShare::new(r.partner_iso3.clone(), s / 100.0))
        })
        .collect();
    let conc: Option<Concentration> = if shares.is_empty() {
        None
    } else {
        match concentration(&shares) {
            Ok(c) => Some(c),
            Err(e) => {
                notes.push(format!("no concentration figures: {e}"));
                None
            }
        }
    };
    if let Some(c) = &conc {
        let whole = if basis == "world row" {
            "the world total"
        } else {
            "their sum"
        };
        notes.extend(c.lower_bound_note("the partners listed cover", whole));
    }
    let aggregates: Vec<AggregateRow> = in_period
        .iter()
        .filter(|o| PartnerKind::of(&o.partner_iso3).is_group())
        .map(|o| {
            let kind = PartnerKind::of(&o.partner_iso3);
            let bloc = kind == PartnerKind::Bloc;
            AggregateRow {
                partner_iso3: o.partner_iso3.clone(),
                name: group_name(&o.partner_iso3)
                    .unwrap_or("regional aggregate")
                    .to_string(),
                kind,
                role: if bloc {
                    "aggregate of members"
                } else {
                    "countries not named"
                }
                .into(),
                quantity_t: o.quantity_t,
                value_usd: o.value_usd,
                // Of the same total as the partners' shares: the World row, or the
                // partners' sum where that row falls short of them (it was of the rejected
                // row); for a bloc none without a World row, since a sum over countries is
                // no base for a group that overlaps them (a residual group is in the sum).
                share_pct: (if bloc { world.and(total) } else { total })
                    .zip(pick(o.quantity_t, o.value_usd))
                    .map(|(t, a)| a / t * 100.0),
                share_of: match (basis, world) {
                    ("world row", _) => "the world total".into(),
                    (_, Some(_)) => "the partners' sum (the world row falls short of them)".into(),
                    _ => "the partners' sum".into(),
                },
                source: o.source.clone(),
                note: if bloc { AGGREGATE_NOTE } else { RESIDUAL_NOTE }.to_string(),
            }
        })
        .collect();
    if rows.is_empty() && residuals.is_empty() {
        notes.extend(match world {
            Some(w) => Some(no_breakdown_note(obs, period, w, measure)),
            None if aggregates.is_empty() => Some(no_rows_note(obs, period)),
            None => None,
        });
    }
    let listed_count = conc.as_ref().map_or(0, |c| c.suppliers);
    PartnersReport {
        period: period.to_string(),
        measure,
        total,
        total_basis: basis.to_string(),
        // A sum of the partners with the measure is all of itself: with a partner's amount
        // unknown, the coverage cannot be measured (it read 100 %).
        coverage_pct: if basis == "sum of partners" && (!unknown.is_empty() || world_unmeasured) {
            None
        } else {
            total.map(|t| listed / t * 100.0)
        },
        hhi: conc.as_ref().map(|c| c.hhi),
        top1_share_pct: conc.as_ref().map(|c| 100.0 * c.cr1),
        // "Top-3" of fewer than three partners would just repeat the coverage.
        top3_share_pct: conc
            .as_ref()
            .filter(|c| c.suppliers >= 3)
            .map(|c| 100.0 * c.cr3),
        partners: rows,
        partners_listed: listed_count,
        coverage_basis: COVERAGE_BASIS.to_string(),
        hhi_is_lower_bound: conc.as_ref().is_some_and(Concentration::is_partial),
        hhi_upper_bound: conc
            .as_ref()
            .filter(|c| c.is_partial())
            .map(Concentration::hhi_upper_bound),
        top1_is_lower_bound: conc.as_ref().is_some_and(Concentration::cr1_is_lower_bound),
        aggregates,
        notes,
        flow_has_partner_rows: obs
            .iter()
            .any(|o| PartnerKind::of(&o.partner_iso3) != PartnerKind::World),
    }
}

/// A World total with no partner rows: say so, and where breakdowns do exist, instead of
/// "no trade rows" beside a total.
fn no_breakdown_note(obs: &[Observation], period: Period, world: f64, measure: Measure) -> String {
    let unit = measure.amount(world);
    format!(
        "the world total for {period} is {unit}, but there is no partner breakdown for that \
         period{}",
        where_partner_rows_are(obs)
    )
}

/// No rows at all for the period: where partner rows are, so that the next query can ask
/// for one of them.
fn no_rows_note(obs: &[Observation], period: Period) -> String {
    format!(
        "no partner rows for {period}{}",
        where_partner_rows_are(obs)
    )
}

/// "; partner rows exist for months … and for periods …" (the last [`PERIODS_NAMED`] of
/// each kind), or " (nor for any other period of this flow)". Months and multi-month
/// periods (year-to-date, half years, years) are named apart: in one list a span such as
/// 2025-01..2025-06 read as one more month among them.
fn where_partner_rows_are(obs: &[Observation]) -> String {
    let mut with_partners: Vec<Period> = obs
        .iter()
        .filter(|o| PartnerKind::of(&o.partner_iso3) != PartnerKind::World)
        .map(|o| o.period)
        .collect();
    with_partners.sort_by_key(|p| {
        let (a, b) = p.months();
        (a.index(), b.index())
    });
    with_partners.dedup();
    if with_partners.is_empty() {
        return " (nor for any other period of this flow)".to_string();
    }
    let (months, spans): (Vec<Period>, Vec<Period>) = with_partners.into_iter().partition(|p| {
        let (a, b) = p.months();
        a == b
    });
    let name = |periods: &[Period]| {
        let skip = periods.len().saturating_sub(PERIODS_NAMED);
        let named: Vec<String> = periods[skip..].iter().map(Period::to_string).collect();
        format!("{}{}", if skip > 0 { "…, " } else { "" }, named.join(", "))
    };
    let mut parts = Vec::new();
    if !months.is_empty() {
        parts.push(format!("months {}", name(&months)));
    }
    if !spans.is_empty() {
        parts.push(format!(
            "years and other multi-month periods {}",
            name(&spans)
        ));
    }
    format!("; partner rows exist for {}", parts.join(" and for "))
}

#[cfg(test)]
mod tests;
