//! A flow's observations, one per (period, partner), with the source rules applied: one
//! reporter's flow for `trends`, `partners` and `anomalies`, every reporter's flows at once
//! for the facts behind `shares`, `exposure` and `criticality` (the same rules, applied
//! within each reporter's flow).
//!
//! Rules, in order (why: sources never add up, and a file's repeats never double count):
//! 1. **Repeats**: rows with the same source, period, partner and HS code (or aggregate
//!    product) count once; the latest ingest wins.
//! 2. **Nesting**: within one source, period and partner, an aggregate row (no HS code)
//!    replaces that source's HS lines, and an HS line whose parent code is also present is
//!    dropped (the parent already includes it).
//! 3. **Precedence**: the remaining lines of a source are summed; where several sources
//!    report the same period and partner, one is taken: a source with the measure the
//!    caller computes on ([`Measure`]: tonnes for `trends`, `anomalies` and `partners`,
//!    dollars for `partners --measure value`) before one without it, so that a value-only
//!    row does not blank another source's tonnes; then data the user ingested (rank 0)
//!    before bundled figures (rank 1), then the most recent ingest. Never their sum.
//!    `FlowQuery::source` restricts to one source instead.

use std::collections::BTreeMap;

use chokepoint_model::{Flow, Iso3, PartnerKind, Period};
use serde::{Deserialize, Serialize};

use crate::json::batches_to_json_rows;
use crate::products::ProductSelector;
use crate::schema::PeriodType;
use crate::{StoreError, Warehouse};

/// True for partner codes that overlap countries (World, and blocs such as EUU): they are
/// never added to a sum, ranking or concentration index over partners. The classification
/// is `chokepoint_model::PartnerKind`, the one place that decides it.
pub fn overlaps_countries(partner_iso3: &str) -> bool {
    PartnerKind::of(partner_iso3).overlaps_countries()
}

/// Which flow to look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowQuery {
    /// Reporting country.
    pub reporter: Iso3,
    /// Direction.
    pub flow: Flow,
    /// `--product` text: an HS code, a group or an aggregate name.
    pub product: String,
    /// One partner only (default: all, i.e. the world total where it applies).
    pub partner: Option<Iso3>,
    /// One source only (default: precedence rule).
    pub source: Option<String>,
}

impl FlowQuery {
    /// What the monitor says when it found no rows for this flow (`scope` adds the period
    /// or partner, e.g. ", period 2025-09"): what it looked for and how to list what the
    /// warehouse holds, since an empty result alone does not tell a typo from a gap. The
    /// CLI prints it to stderr and the API sends it as a `Chokepoint-Note` header.
    pub(crate) fn nothing_found_note(&self, scope: &str) -> String {
        let mut note = format!(
            "no trade rows for reporter {}, flow {}, product {}{scope}; list what is stored \
             with `chokepoint sql \"SELECT DISTINCT reporter_iso3, flow, product, period_type \
             FROM trade\"`",
            self.reporter, self.flow, self.product
        );
        if let Some(hint) = crate::products::stored_by_name_hint(&self.product) {
            note.push_str("; ");
            note.push_str(&hint);
        }
        // A typo of a code reads as an empty result (procurement review: CNH, EUR).
        for (what, code) in [
            ("reporter", Some(self.reporter.as_str())),
            ("partner", self.partner.as_ref().map(|p| p.as_str())),
        ] {
            if let Some(code) = code.filter(|c| chokepoint_model::is_unlisted_code(c)) {
                note.push_str(&format!(
                    "; {what} {code} is not an ISO 3166-1 country code (China is CHN; the EU \
                     as a partner is EUU)"
                ));
            }
        }
        note
    }
}

/// Which figure a caller computes on: the source rules prefer, for each period and
/// partner, a source that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Tonnes (`quantity_t`).
    #[default]
    Quantity,
    /// US dollars (`value_usd`).
    Value,
}

/// One observation after the source rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observation {
    /// The period.
    pub period: Period,
    /// How the period is built.
    #[serde(skip)]
    pub period_type: PeriodType,
    /// Partner code.
    pub partner_iso3: String,
    /// Tonnes (`None` when the source gives no weight).
    pub quantity_t: Option<f64>,
    /// The tonnes sum HS lines of which some gave a value but no tonnes (BACI's `NA`
    /// quantities): a lower bound.
    #[serde(skip)]
    pub quantity_is_partial: bool,
    /// US dollars.
    pub value_usd: Option<f64>,
    /// The source used.
    pub source: String,
    /// The dataset computed the figure (e.g. from a published growth rate) rather than
    /// taking it from a publication; true when any summed line was derived.
    pub is_derived: bool,
    /// Year-on-year change the source itself published, percent (only when the figure is a
    /// single line: growth rates of summed lines cannot be combined).
    pub reported_yoy_pct: Option<f64>,
    /// Where the figure was published (the bundled rows' report and URL), the summed lines'
    /// distinct citations joined by "; "; `None` when no line cites one (customs files).
    pub citation: Option<String>,
}

/// Distinct citations of some figures, in their order, joined by "; " (`None` when none
/// has one): a sum of lines or partners cites every report it was taken from.
pub(super) fn join_citations<'a>(
    citations: impl Iterator<Item = Option<&'a str>>,
) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for c in citations.flatten() {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    (!seen.is_empty()).then(|| seen.join("; "))
}

#[derive(Clone, Debug)]
struct Line {
    reporter: String,
    flow: String,
    period: Period,
    period_type: PeriodType,
    partner: String,
    hs_code: Option<String>,
    product: Option<String>,
    quantity_t: Option<f64>,
    value_usd: Option<f64>,
    source: String,
    rank: i64,
    ingest_id: String,
    is_derived: bool,
    reported_yoy_pct: Option<f64>,
    citation: Option<String>,
}

fn parse_period_type(s: &str) -> PeriodType {
    PeriodType::parse(s).unwrap_or(PeriodType::Month)
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Checks `--source` against the sources present.
pub async fn check_source(wh: &Warehouse, source: Option<&str>) -> Result<(), StoreError> {
    if let Some(s) = source {
        let known = wh.trade_sources().await?;
        if s.trim().is_empty() {
            return Err(StoreError::Invalid(format!(
                "the source is empty; give one the warehouse holds ({}) or leave it out",
                known.join(", ")
            )));
        }
        if !known.iter().any(|k| k == s) {
            return Err(StoreError::UnknownSource {
                found: s.to_string(),
                known: known.join(", "),
            });
        }
    }
    Ok(())
}

/// Fetches the flow and applies the source rules for figures in tonnes; the selector is
/// returned for labels.
pub async fn observations(
    wh: &Warehouse,
    q: &FlowQuery,
) -> Result<(ProductSelector, Vec<Observation>), StoreError> {
    observations_of(wh, q, Measure::Quantity).await
}

/// As [`observations`], for figures in `measure`.
pub async fn observations_of(
    wh: &Warehouse,
    q: &FlowQuery,
    measure: Measure,
) -> Result<(ProductSelector, Vec<Observation>), StoreError> {
    observations_among(wh, q, false, measure).await
}

/// As [`observations`], choosing among the rows that have tonnes: for a caller that needs
/// quantities (the chain's facts), a value-only row must not hide another source's tonnes
/// for the same period and partner.
pub async fn quantity_observations(
    wh: &Warehouse,
    q: &FlowQuery,
) -> Result<(ProductSelector, Vec<Observation>), StoreError> {
    observations_among(wh, q, true, Measure::Quantity).await
}

async fn observations_among(
    wh: &Warehouse,
    q: &FlowQuery,
    with_quantity_only: bool,
    measure: Measure,
) -> Result<(ProductSelector, Vec<Observation>), StoreError> {
    let selector = wh.resolve_product(&q.product).await?;
    check_source(wh, q.source.as_deref()).await?;
    let mut filter = format!(
        "reporter_iso3 = {} AND flow = {} AND {}",
        sql_text(q.reporter.as_str()),
        sql_text(q.flow.as_str()),
        selector.sql_predicate()
    );
    if let Some(p) = &q.partner {
        filter.push_str(&format!(" AND partner_iso3 = {}", sql_text(p.as_str())));
    }
    if let Some(s) = &q.source {
        filter.push_str(&format!(" AND source = {}", sql_text(s)));
    }
    if with_quantity_only {
        filter.push_str(" AND quantity_t IS NOT NULL");
    }
    let lines = fetch_lines(wh, &filter).await?;
    if lines.is_empty() {
        let partner = q.partner.as_ref().map(|p| ("partner", p.as_str()));
        check_codes_known(wh, [Some(("reporter", q.reporter.as_str())), partner]).await?;
    }
    Ok((selector, apply_source_rules(lines, measure)))
}

/// Refuses a code ISO 3166-1 does not list that no stored trade row names either: a typo
/// (`CNH`, `EUR`), which gave an empty table and exit 0 while a misspelt product was
/// refused (policy review). A source's own area code (`S19`) is fine once ingested.
pub(crate) async fn check_codes_known<'a>(
    wh: &Warehouse,
    codes: impl IntoIterator<Item = Option<(&'static str, &'a str)>>,
) -> Result<(), StoreError> {
    for (argument, code) in codes.into_iter().flatten() {
        if !chokepoint_model::is_unlisted_code(code) {
            continue;
        }
        if let Some(e) =
            crate::ArgumentError::unknown_code(argument, code, wh.stored_codes().await?)
        {
            return Err(e.into());
        }
    }
    Ok(())
}

/// One reporter's observations of one flow, as [`flow_observations_with_quantity`] gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowObservation {
    /// Reporting country.
    pub reporter_iso3: String,
    /// `import` or `export`.
    pub flow: String,
    /// The observation, after the source rules.
    pub observation: Observation,
}

/// Every reporter's and flow's observations of the rows matching `predicate` (a product
/// selector's SQL), choosing among the rows that have tonnes, as
/// [`quantity_observations`] does for one flow: the facts behind the share, exposure and
/// criticality figures follow the same source rules as `trends`.
pub async fn flow_observations_with_quantity(
    wh: &Warehouse,
    predicate: &str,
) -> Result<Vec<FlowObservation>, StoreError> {
    flow_observations(wh, &format!("quantity_t IS NOT NULL AND {predicate}")).await
}

/// Every reporter's and flow's observations of the rows matching `predicate` that give a
/// value but no tonnes, after the same source rules: what the tonnage figures leave out
/// (the caller drops those a row with tonnes answers for the same period and partner).
pub async fn flow_observations_value_only(
    wh: &Warehouse,
    predicate: &str,
) -> Result<Vec<FlowObservation>, StoreError> {
    let filter = format!("quantity_t IS NULL AND value_usd IS NOT NULL AND {predicate}");
    flow_observations(wh, &filter).await
}

/// Every reporter's and flow's observations of the rows matching `filter` (SQL).
async fn flow_observations(
    wh: &Warehouse,
    filter: &str,
) -> Result<Vec<FlowObservation>, StoreError> {
    Ok(
        apply_source_rules_by_flow(fetch_lines(wh, filter).await?, Measure::Quantity)
            .into_iter()
            .map(|((reporter_iso3, flow), observation)| FlowObservation {
                reporter_iso3,
                flow,
                observation,
            })
            .collect(),
    )
}

/// The trade lines matching `filter` (SQL), periods that do not parse left out.
async fn fetch_lines(wh: &Warehouse, filter: &str) -> Result<Vec<Line>, StoreError> {
    // Rows of a file read again by a later ingest are replaced whole (see
    // `superseded_row_ids`).
    let superseded = wh.superseded_row_ids()?;
    let not_superseded = if superseded.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = superseded
            .iter()
            .map(|id| format!("'{}'", id.replace('\'', "''")))
            .collect();
        format!(" AND ingest_id NOT IN ({})", ids.join(", "))
    };
    let sql = format!(
        "SELECT reporter_iso3, flow, period, period_type, partner_iso3, hs_code, product, \
         quantity_t, value_usd, source, source_rank, ingest_id, is_derived, reported_yoy_pct, \
         citation FROM trade WHERE ({filter}){not_superseded}"
    );
    let rows = batches_to_json_rows(&wh.sql(&sql).await?);
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let text = |k: &str| r.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let Some(period) = text("period").and_then(|p| p.parse::<Period>().ok()) else {
            continue;
        };
        lines.push(Line {
            reporter: text("reporter_iso3").unwrap_or_default(),
            flow: text("flow").unwrap_or_default(),
            period,
            period_type: parse_period_type(&text("period_type").unwrap_or_default()),
            partner: text("partner_iso3").unwrap_or_default(),
            hs_code: text("hs_code"),
            product: text("product"),
            quantity_t: r.get("quantity_t").and_then(|v| v.as_f64()),
            value_usd: r.get("value_usd").and_then(|v| v.as_f64()),
            source: text("source").unwrap_or_default(),
            rank: r.get("source_rank").and_then(|v| v.as_i64()).unwrap_or(1),
            ingest_id: text("ingest_id").unwrap_or_default(),
            is_derived: r
                .get("is_derived")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            reported_yoy_pct: r.get("reported_yoy_pct").and_then(|v| v.as_f64()),
            citation: text("citation").filter(|c| !c.trim().is_empty()),
        });
    }
    Ok(lines)
}

/// The rules for lines of one reporter's flow.
fn apply_source_rules(lines: Vec<Line>, measure: Measure) -> Vec<Observation> {
    apply_source_rules_by_flow(lines, measure)
        .into_iter()
        .map(|(_, observation)| observation)
        .collect()
}

/// A reporter and a flow.
type FlowKey = (String, String);

/// The rules applied within each reporter's flow (lines of different flows never meet).
fn apply_source_rules_by_flow(lines: Vec<Line>, measure: Measure) -> Vec<(FlowKey, Observation)> {
    // 1. Repeats: keep the latest ingest per exact key.
    type LineKey = (FlowKey, String, String, &'static str, String, String);
    let mut unique: BTreeMap<LineKey, Line> = BTreeMap::new();
    for l in lines {
        let key = (
            (l.reporter.clone(), l.flow.clone()),
            l.source.clone(),
            l.period.to_string(),
            l.period_type.as_str(),
            l.partner.clone(),
            l.hs_code
                .clone()
                .unwrap_or_else(|| format!("#{}", l.product.clone().unwrap_or_default())),
        );
        match unique.get(&key) {
            Some(old) if old.ingest_id >= l.ingest_id => {}
            _ => {
                unique.insert(key, l);
            }
        }
    }
    // 2. Nesting, then sum per source.
    type CellKey = (FlowKey, String, &'static str, String);
    let mut per_source: BTreeMap<CellKey, BTreeMap<String, Vec<Line>>> = BTreeMap::new();
    for l in unique.into_values() {
        per_source
            .entry((
                (l.reporter.clone(), l.flow.clone()),
                l.period.to_string(),
                l.period_type.as_str(),
                l.partner.clone(),
            ))
            .or_default()
            .entry(l.source.clone())
            .or_default()
            .push(l);
    }
    let mut out = Vec::new();
    for ((flow_key, ..), sources) in per_source {
        let mut best: Option<(bool, i64, String, Observation)> = None;
        for (source, mut group) in sources {
            if group.iter().any(|l| l.hs_code.is_none()) {
                group.retain(|l| l.hs_code.is_none());
            } else {
                let codes: Vec<String> = group.iter().filter_map(|l| l.hs_code.clone()).collect();
                group.retain(|l| {
                    let h = l.hs_code.as_deref().unwrap_or("");
                    !codes
                        .iter()
                        .any(|c| c.len() < h.len() && h.starts_with(c.as_str()))
                });
            }
            let sum = |f: fn(&Line) -> Option<f64>| {
                let vals: Vec<f64> = group.iter().filter_map(f).collect();
                (!vals.is_empty()).then(|| vals.iter().sum())
            };
            let Some(first) = group.first() else { continue };
            let rank = group.iter().map(|l| l.rank).min().unwrap_or(1);
            let latest = group
                .iter()
                .map(|l| l.ingest_id.clone())
                .max()
                .unwrap_or_default();
            let obs = Observation {
                period: first.period,
                period_type: first.period_type,
                partner_iso3: first.partner.clone(),
                quantity_t: sum(|l| l.quantity_t),
                quantity_is_partial: group.iter().any(|l| l.quantity_t.is_some())
                    && group
                        .iter()
                        .any(|l| l.quantity_t.is_none() && l.value_usd.is_some()),
                value_usd: sum(|l| l.value_usd),
                source,
                is_derived: group.iter().any(|l| l.is_derived),
                reported_yoy_pct: match group.as_slice() {
                    [one] => one.reported_yoy_pct,
                    _ => None,
                },
                citation: join_citations(group.iter().map(|l| l.citation.as_deref())),
            };
            // 3. Precedence: the measure, then lower rank, then the most recent ingest.
            let has = match measure {
                Measure::Quantity => obs.quantity_t.is_some(),
                Measure::Value => obs.value_usd.is_some(),
            };
            let better = match &best {
                None => true,
                Some((h, r, id, _)) => {
                    (has, std::cmp::Reverse(rank), &latest) > (*h, std::cmp::Reverse(*r), id)
                }
            };
            if better {
                best = Some((has, rank, latest, obs));
            }
        }
        if let Some((.., obs)) = best {
            out.push((flow_key, obs));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(
        source: &str,
        rank: i64,
        partner: &str,
        hs: Option<&str>,
        q: f64,
        ingest: &str,
    ) -> Line {
        Line {
            reporter: "CHN".into(),
            flow: "export".into(),
            period: "2025-05".parse().unwrap(),
            period_type: PeriodType::Month,
            partner: partner.into(),
            hs_code: hs.map(str::to_string),
            product: Some("magnets".into()),
            quantity_t: Some(q),
            value_usd: None,
            source: source.into(),
            rank,
            ingest_id: ingest.into(),
            is_derived: false,
            reported_yoy_pct: None,
            citation: None,
        }
    }

    #[test]
    fn user_data_wins_over_bundled_and_sources_never_add() {
        let obs = apply_source_rules(
            vec![
                line("bundled", 1, "WLD", None, 1238.0, "bundled"),
                line("comtrade", 0, "WLD", Some("850511"), 1300.0, "a"),
            ],
            Measure::Quantity,
        );
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].quantity_t, Some(1300.0));
        assert_eq!(obs[0].source, "comtrade");
    }

    #[test]
    fn repeats_count_once_and_nested_codes_are_not_double_counted() {
        let obs = apply_source_rules(
            vec![
                line("comtrade", 0, "USA", Some("850511"), 10.0, "a"),
                line("comtrade", 0, "USA", Some("850511"), 10.0, "a"),
                line("comtrade", 0, "USA", Some("85051110"), 7.0, "a"),
                line("comtrade", 0, "USA", Some("284690"), 5.0, "a"),
            ],
            Measure::Quantity,
        );
        assert_eq!(obs[0].quantity_t, Some(15.0));
    }

    /// Formats review: BACI's `NA` quantities counted as zero inside a group total (11.6 %
    /// of China's 2024 rare-earth export value), and nothing was marked a lower bound.
    #[test]
    fn lines_without_tonnes_beside_lines_with_them_make_a_partial_figure() {
        let mut na = line("baci", 0, "DEU", Some("284690"), 0.0, "a");
        na.quantity_t = None;
        na.value_usd = Some(9e6);
        let obs = apply_source_rules(
            vec![
                line("baci", 0, "DEU", Some("284610"), 40.0, "a"),
                na.clone(),
            ],
            Measure::Quantity,
        );
        assert_eq!(obs[0].quantity_t, Some(40.0));
        assert!(obs[0].quantity_is_partial);
        // Every line without tonnes: no figure, not a partial one.
        let obs = apply_source_rules(vec![na], Measure::Quantity);
        assert_eq!(obs[0].quantity_t, None);
        assert!(!obs[0].quantity_is_partial);
    }

    /// Formats review: an ingested World row with a value but no tonnes blanked the
    /// bundled 1,238 t. A source with the measure asked for comes first; by value, the
    /// value-only row wins as user data.
    #[test]
    fn a_source_without_the_measure_does_not_hide_one_with_it() {
        let mut value_only = line("comtrade", 0, "WLD", Some("850511"), 0.0, "a");
        value_only.quantity_t = None;
        value_only.value_usd = Some(150e6);
        let lines = vec![
            line("bundled", 1, "WLD", None, 1238.0, "bundled"),
            value_only,
        ];
        let by_t = apply_source_rules(lines.clone(), Measure::Quantity);
        assert_eq!(
            (by_t[0].source.as_str(), by_t[0].quantity_t),
            ("bundled", Some(1238.0))
        );
        let by_usd = apply_source_rules(lines, Measure::Value);
        assert_eq!(by_usd[0].source, "comtrade");
    }
}
