//! `trends`: one row per period with level, month-on-month, year-on-year and year to date.
//!
//! Definitions (all on tonnes):
//! - **series**: single months and combined months (China's Jan–Feb) for `Frequency::Monthly`;
//!   calendar years for `Frequency::Annual` (a year without an annual row is the total of
//!   January–December by the span rule below, if it can be had). YTD rows never enter the
//!   series. A year with figures but no total is listed in `TrendReport::incomplete_years`.
//! - **world total** (no `--partner`): the reporter's World rows where present for that
//!   period, else the sum over partners (regional aggregates such as EUU excluded) — never both.
//! - **span rule** (every total of several months: YTDs and year-earlier bases; `cover`
//!   holds the rule, shared with `exposure`): whatever exactly spans those months, from any
//!   period type — the series' own figures (single months, and a combined period such as
//!   China's Jan–Feb where its months are not there singly); else with reported cumulative
//!   figures (YTD, or the year for January–December) filling what the series leaves, and
//!   combined periods whose months are there singly likewise (a Jan–Jul YTD + August where
//!   the months of January–July are not all there); among equals the fewest pieces. A
//!   total free of derived figures beats one containing them, whatever its kind. Figures
//!   are only added, never subtracted: a month is not a difference of YTDs.
//! - **mom_pct**: against the single month before, wherever it sorts among the rows. A
//!   combined period, and a month with no single month before it (March after China's
//!   Jan–Feb), have no MoM: comparing with a two-month total, or with half of it, would
//!   invent a split the source never published.
//! - **yoy_pct**: against the same months one year earlier by the span rule (Jan–Feb 2025
//!   vs Jan + Feb 2024 works both ways).
//! - **ytd_t**: January through this period by the span rule; else empty (annual rows, whose
//!   level is the year's total, and periods that cross a year end leave it empty). Where it is a
//!   reported cumulative figure and a month inside it is shown from another source (a
//!   user's file replaced the bundled month), `TrendReport::notes` says that the two may
//!   disagree: the reported figure holds its own source's months.
//! - **ytd_yoy_pct**: YTD against the same months one year earlier, both by the span rule.
//! - **reported_yoy_pct / reported_ytd_yoy_pct**: what the source itself published for
//!   this period / for the year to date through it, beside the computed figures.
//! - **derived flags**: `is_derived` marks a level the dataset computed from a published
//!   growth rate; `mom_base_is_derived` / `yoy_base_is_derived` / `ytd_yoy_base_is_derived` mark a change computed
//!   against such a figure (circular when the base came from that very change);
//!   `ytd_includes_derived` a YTD that contains one.
//!
//! Partner codes follow `chokepoint_model::PartnerKind`: with `--partner` (EUU included)
//! the series is that partner's own rows; without it, the world total.

use std::collections::BTreeMap;

use chokepoint_model::{Frequency, Period, YearMonth, json_round};
use serde::Serialize;

use super::series::{FlowQuery, Observation, observations};
use super::spans::{Figures, Step, jan, sources_of};
use crate::{StoreError, Warehouse};
use sources::{CrossSource, other_source};

mod gaps;
mod incomplete;
mod notes;
mod sources;
use incomplete::incomplete_years;
#[cfg(test)]
use incomplete::runs;
pub use incomplete::{IncompleteYear, incomplete_year_note};
use notes::{MixedYtds, disagreeing_ytds, unshown_ytds, without_tonnes_notes};

/// What to compute trends for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrendQuery {
    /// Reporter, flow, product, partner, source.
    pub flow: FlowQuery,
    /// First month to show (inclusive; periods overlapping it are shown).
    pub from: Option<YearMonth>,
    /// Last month to show (inclusive).
    pub to: Option<YearMonth>,
    /// Monthly or annual steps.
    pub frequency: Frequency,
}

/// One period of a trend; field names are the CSV columns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendRow {
    /// `YYYY-MM`, `YYYY-MM..YYYY-MM` (combined months) or `YYYY`.
    pub period: String,
    /// Tonnes.
    pub quantity_t: Option<f64>,
    /// US dollars.
    pub value_usd: Option<f64>,
    /// Month-on-month change, percent.
    pub mom_pct: Option<f64>,
    /// Year-on-year change, percent.
    pub yoy_pct: Option<f64>,
    /// Year to date through this period, tonnes.
    pub ytd_t: Option<f64>,
    /// YTD against YTD a year earlier, percent.
    pub ytd_yoy_pct: Option<f64>,
    /// The source(s) of this period's figure.
    pub source: String,
    /// Year-on-year change as the source published it for this period, percent.
    pub reported_yoy_pct: Option<f64>,
    /// Year-to-date change as the source published it through this period, percent.
    pub reported_ytd_yoy_pct: Option<f64>,
    /// This period's level was computed by the dataset (from a published growth rate).
    pub is_derived: bool,
    /// `mom_pct` compares with a derived figure for the month before.
    pub mom_base_is_derived: bool,
    /// `yoy_pct` compares with a derived year-earlier figure.
    pub yoy_base_is_derived: bool,
    /// `ytd_t` contains a derived figure.
    pub ytd_includes_derived: bool,
    /// `ytd_yoy_pct` compares with a year-earlier YTD that contains a derived figure.
    pub ytd_yoy_base_is_derived: bool,
    /// Where the level was published (the bundled rows' report and URL; for a sum, each
    /// report it was taken from), so that a figure traces to its source without `sql`.
    pub citation: Option<String>,
    /// The level is a sum over partners that leaves out a partner's unknown tonnes (a
    /// value-only row): a lower bound, which a note names.
    pub quantity_is_lower_bound: bool,
    /// The source of the month `mom_pct` compares with, when it is not this row's.
    pub mom_base_source: Option<String>,
    /// The sources of the year-earlier figure `yoy_pct` compares with, when not this row's.
    pub yoy_base_source: Option<String>,
    /// The sources of the year-earlier YTD `ytd_yoy_pct` compares with, when they are not
    /// those of `ytd_t`.
    pub ytd_yoy_base_source: Option<String>,
    /// The sources `ytd_t` adds up, when there are several.
    pub ytd_sources: Option<String>,
}

impl TrendRow {
    /// What the row's changes and YTD take from sources other than its own, as one text
    /// ("yoy: bundled; ytd: bundled+comtrade"), `None` when nothing does.
    pub fn other_sources(&self) -> Option<String> {
        let parts: Vec<String> = [
            ("mom", &self.mom_base_source),
            ("yoy", &self.yoy_base_source),
            ("ytd yoy", &self.ytd_yoy_base_source),
            ("ytd", &self.ytd_sources),
        ]
        .into_iter()
        .filter_map(|(what, s)| s.as_ref().map(|s| format!("{what}: {s}")))
        .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The derived flags as short tags ("level", "mom base", "yoy base", "ytd", "ytd base").
    pub fn derived_tags(&self) -> Vec<&'static str> {
        [
            (self.is_derived, "level"),
            (self.mom_base_is_derived, "mom base"),
            (self.yoy_base_is_derived, "yoy base"),
            (self.ytd_includes_derived, "ytd"),
            (self.ytd_yoy_base_is_derived, "ytd base"),
        ]
        .into_iter()
        .filter_map(|(on, tag)| on.then_some(tag))
        .collect()
    }
}

/// One trend row as JSON, the same for `chokepoint trends --format json` and `GET /api/trends`
/// (the README promises that API bodies mirror the CLI's JSON): every field of [`TrendRow`]
/// plus `derived`, the CLI's tag text ("mom base; yoy base") for readers who want words
/// rather than five booleans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendJsonRow {
    /// The row, its reals rounded as [`TrendRow::rounded_for_json`] says.
    #[serde(flatten)]
    pub row: TrendRow,
    /// [`TrendRow::derived_tags`] joined with "; ", `null` when none apply.
    pub derived: Option<String>,
}

impl TrendJsonRow {
    /// The JSON form of `row`.
    pub fn new(row: &TrendRow) -> TrendJsonRow {
        let tags = row.derived_tags();
        TrendJsonRow {
            row: row.rounded_for_json(),
            derived: (!tags.is_empty()).then(|| tags.join("; ")),
        }
    }
}

/// `v` as JSON writes a figure shown with `shown` decimals ([`json_round`]).
fn round_to(v: Option<f64>, shown: usize) -> Option<f64> {
    v.map(|v| json_round(v, shown))
}

impl TrendRow {
    /// The row with its reals rounded as the CLI writes every table in JSON
    /// ([`json_round`]): tonnes and percentages are shown with one decimal, dollars with
    /// none.
    pub fn rounded_for_json(&self) -> TrendRow {
        TrendRow {
            quantity_t: round_to(self.quantity_t, 1),
            value_usd: round_to(self.value_usd, 0),
            mom_pct: round_to(self.mom_pct, 1),
            yoy_pct: round_to(self.yoy_pct, 1),
            ytd_t: round_to(self.ytd_t, 1),
            ytd_yoy_pct: round_to(self.ytd_yoy_pct, 1),
            reported_yoy_pct: round_to(self.reported_yoy_pct, 1),
            reported_ytd_yoy_pct: round_to(self.reported_ytd_yoy_pct, 1),
            ..self.clone()
        }
    }
}

/// The rows as JSON (see [`TrendJsonRow`]).
pub fn json_rows(rows: &[TrendRow]) -> Vec<TrendJsonRow> {
    rows.iter().map(TrendJsonRow::new).collect()
}

/// The rows plus what the rows alone cannot say.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendReport {
    /// One row per period.
    pub rows: Vec<TrendRow>,
    /// Years in range (annual steps) with figures but no annual total.
    pub incomplete_years: Vec<IncompleteYear>,
    /// What else the rows alone do not say (printed to stderr, sent as headers).
    pub notes: Vec<String>,
}

impl TrendQuery {
    /// What the monitor says when [`TrendReport::found_nothing`]: the flow and partner it
    /// looked for and how to list what is stored (CLI stderr, API `Chokepoint-Note`).
    pub fn nothing_found_note(&self) -> String {
        let scope = self
            .flow
            .partner
            .map_or_else(String::new, |p| format!(", partner {p}"));
        self.flow.nothing_found_note(&scope)
    }
}

impl TrendReport {
    /// Whether the flow has nothing at all: no row, no year with figures short of an annual
    /// total, and no note (a flow with figures outside the range asked has one saying
    /// where they are; "no trade rows" was wrong for it).
    pub fn found_nothing(&self) -> bool {
        self.rows.is_empty() && self.incomplete_years.is_empty() && self.notes.is_empty()
    }
}

/// Notes for rows whose months overlap without being the same period: a user's
/// `2024-11..2025-02` beside the bundled `2025-01`, or a month beside a combined period
/// that holds it. Each is a figure of its own period, shown as published (no source's
/// figure is split or dropped: dropping a World figure left its months to a partial sum
/// over partners), so adding the rows up counts those months twice.
fn overlapping_rows(rows: &[TrendRow]) -> Vec<String> {
    let spans: Vec<(usize, i64, i64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let (a, b) = r.period.parse::<Period>().ok()?.months();
            Some((i, a.index(), b.index()))
        })
        .collect();
    let mut notes = Vec::new();
    for (k, &(i, a, b)) in spans.iter().enumerate() {
        for &(j, a2, b2) in &spans[k + 1..] {
            if a2 <= b && a <= b2 {
                let (x, y) = (&rows[i], &rows[j]);
                notes.push(format!(
                    "{} ({}) and {} ({}) cover some of the same months: each is shown as its \
                     source published it, so a sum of the rows counts those months twice{}",
                    x.period,
                    x.source,
                    y.period,
                    y.source,
                    if x.source == y.source {
                        ""
                    } else {
                        "; --source shows one source's figures"
                    }
                ));
            }
        }
    }
    notes
}

fn pct(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    match (now, before) {
        (Some(n), Some(b)) if b > 0.0 => Some((n / b - 1.0) * 100.0),
        _ => None,
    }
}

/// Computes the trend rows.
pub async fn trends(wh: &Warehouse, q: &TrendQuery) -> Result<Vec<TrendRow>, StoreError> {
    Ok(trend_report(wh, q).await?.rows)
}

/// Computes the trend rows and the notes that go with them.
pub async fn trend_report(wh: &Warehouse, q: &TrendQuery) -> Result<TrendReport, StoreError> {
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from.index() > to.index()
    {
        // Named as the caller gave them (`--from` on the command line, `from=` over HTTP).
        return Err(StoreError::Argument(crate::ArgumentError::ReversedMonths {
            from: from.to_string(),
            to: to.to_string(),
        }));
    }
    let (_, obs) = observations(wh, &q.flow).await?;
    Ok(compute(&obs, q))
}

fn compute(obs: &[Observation], q: &TrendQuery) -> TrendReport {
    let partner = q.flow.partner.as_ref().map(|p| p.as_str());
    let figures = Figures::new(obs, partner);
    let ytd = |end: YearMonth| figures.span(jan(end.year).index(), end.index());
    let steps: Vec<Step> = match q.frequency {
        Frequency::Monthly => figures.monthly.values().cloned().collect(),
        Frequency::Annual => annual_steps(&figures),
    };
    let in_range = |p: &Period| {
        let (a, b) = p.months();
        q.from.is_none_or(|f| b.index() >= f.index()) && q.to.is_none_or(|t| a.index() <= t.index())
    };
    let mut rows = Vec::new();
    let mut mixed = MixedYtds::default();
    let mut cross = CrossSource::default();
    for s in &steps {
        if !in_range(&s.period) {
            continue;
        }
        let (a, b) = s.period.months();
        let mut row = TrendRow {
            period: s.period.to_string(),
            quantity_t: s.quantity_t,
            value_usd: s.value_usd,
            mom_pct: None,
            yoy_pct: None,
            ytd_t: None,
            ytd_yoy_pct: None,
            source: s.source.clone(),
            citation: s.citation.clone(),
            quantity_is_lower_bound: !s.without_tonnes.is_empty() || !s.partial_tonnes.is_empty(),
            reported_yoy_pct: s.reported_yoy_pct,
            reported_ytd_yoy_pct: None,
            is_derived: s.is_derived,
            mom_base_is_derived: false,
            yoy_base_is_derived: false,
            ytd_includes_derived: false,
            ytd_yoy_base_is_derived: false,
            mom_base_source: None,
            yoy_base_source: None,
            ytd_yoy_base_source: None,
            ytd_sources: None,
        };
        match q.frequency {
            Frequency::Monthly => {
                // The single month before, wherever it sorts: a combined period that
                // overlaps the months (a user's Jan–Mar beside Jan, Feb, Mar) sits between
                // them in the series, and the month after one has no single month before.
                let previous = match s.period {
                    Period::Month(m) => figures.monthly.get(&(m.plus_months(-1).index(), 1)),
                    _ => None,
                };
                row.mom_pct = previous.and_then(|prev| {
                    row.mom_base_is_derived = prev.is_derived;
                    row.mom_base_source = other_source(&s.source, sources_of(&prev.source));
                    pct(s.quantity_t, prev.quantity_t)
                });
                row.mom_base_is_derived &= row.mom_pct.is_some();
                if row.mom_pct.is_none() {
                    row.mom_base_source = None;
                }
                let base = figures.span(a.index() - 12, b.index() - 12);
                row.yoy_pct = pct(s.quantity_t, base.as_ref().map(|t| t.quantity_t));
                row.yoy_base_source = base
                    .as_ref()
                    .filter(|_| row.yoy_pct.is_some())
                    .and_then(|t| other_source(&s.source, t.sources.iter().map(String::as_str)));
                row.yoy_base_is_derived = row.yoy_pct.is_some() && base.is_some_and(|t| t.derived);
                // A period across a year end (2024-11..2025-01) has no year to date: the
                // YTD of its last month alone (January 2025) is not its YTD.
                let within_a_year = a.year == b.year;
                let this_ytd = ytd(b).filter(|_| within_a_year);
                let last_ytd = ytd(b.plus_months(-12)).filter(|_| within_a_year);
                if let Some(by) = this_ytd.as_ref().and_then(|t| t.reported_by.as_deref()) {
                    mixed.check(&figures, s.period, jan(b.year), b, by);
                }
                row.ytd_t = this_ytd.as_ref().map(|t| t.quantity_t);
                row.ytd_includes_derived = this_ytd.as_ref().is_some_and(|t| t.derived);
                row.ytd_yoy_pct = pct(row.ytd_t, last_ytd.as_ref().map(|t| t.quantity_t));
                if let (Some(now), Some(then)) = (&this_ytd, &last_ytd) {
                    if now.sources.len() > 1 {
                        row.ytd_sources = Some(now.sources.join("+"));
                    }
                    if row.ytd_yoy_pct.is_some() && now.sources != then.sources {
                        row.ytd_yoy_base_source = Some(then.sources.join("+"));
                    }
                } else if let Some(now) = this_ytd.as_ref().filter(|t| t.sources.len() > 1) {
                    row.ytd_sources = Some(now.sources.join("+"));
                }
                row.ytd_yoy_base_is_derived =
                    row.ytd_yoy_pct.is_some() && last_ytd.as_ref().is_some_and(|t| t.derived);
                // A published YTD change belongs to the source that published it: another
                // source's beside this row read as this source's (the formats review).
                row.reported_ytd_yoy_pct = figures
                    .reported_ytd_yoy(b)
                    .filter(|(_, by)| within_a_year && other_source(&s.source, [*by]).is_none())
                    .map(|(v, _)| v);
            }
            Frequency::Annual => {
                let prev = steps
                    .iter()
                    .find(|p| p.period == Period::Year(s.period.year() - 1));
                row.yoy_pct = pct(s.quantity_t, prev.and_then(|p| p.quantity_t));
                row.yoy_base_source = prev
                    .filter(|_| row.yoy_pct.is_some())
                    .and_then(|p| other_source(&s.source, sources_of(&p.source)));
                row.yoy_base_is_derived =
                    row.yoy_pct.is_some() && prev.is_some_and(|p| p.is_derived);
            }
        }
        cross.record(&row);
        rows.push(row);
    }
    let incomplete_years = match q.frequency {
        Frequency::Monthly => Vec::new(),
        Frequency::Annual => incomplete_years(&figures, &steps, q),
    };
    let mut notes = mixed.notes();
    notes.extend(cross.notes());
    notes.extend(without_tonnes_notes(
        steps.iter().filter(|s| in_range(&s.period)),
    ));
    if q.frequency == Frequency::Monthly {
        notes.extend(unshown_ytds(&figures, &rows, q));
        notes.extend(disagreeing_ytds(&figures, q));
        notes.extend(overlapping_rows(&rows));
        notes.extend(gaps::skipped_months(&figures, &steps, q));
    }
    // Annual figures only (BACI): monthly steps have nothing to show, and "no trade rows"
    // sent the reader to look for a typo (formats review).
    if q.frequency == Frequency::Monthly && figures.monthly.is_empty() {
        let years: Vec<String> = figures
            .cumulative
            .values()
            .filter(|s| matches!(s.period, Period::Year(_)))
            .map(|s| s.period.to_string())
            .collect();
        if !years.is_empty() {
            notes.push(format!(
                "this flow has annual figures only ({}): monthly steps need months; use \
                 `--freq A`",
                years.join(", ")
            ));
        }
    }
    // Figures, but none in the range asked (and no year short of a total, which its own
    // note describes): say where they are.
    if rows.is_empty()
        && incomplete_years.is_empty()
        && let (Some(first), Some(last)) = (steps.first(), steps.last())
    {
        notes.push(format!(
            "no figures in the range asked; this flow has figures from {} to {}",
            first.period, last.period
        ));
    }
    TrendReport {
        rows,
        incomplete_years,
        notes,
    }
}

/// Annual steps: reported years, else years whose months (or any reported figures) tile
/// January–December.
fn annual_steps(figures: &Figures) -> Vec<Step> {
    let mut years: BTreeMap<i32, Step> = figures
        .cumulative
        .values()
        .filter(|s| matches!(s.period, Period::Year(_)))
        .map(|s| (s.period.year(), s.clone()))
        .collect();
    let mut candidates: Vec<i32> = figures
        .monthly
        .values()
        .chain(figures.cumulative.values())
        .map(|s| s.period.year())
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    for y in candidates {
        if years.contains_key(&y) {
            continue;
        }
        let first = jan(y).index();
        if let Some(t) = figures.span(first, first + 11) {
            let in_year = || {
                figures
                    .monthly
                    .range((first, 0)..(first + 12, 0))
                    .chain(figures.cumulative.range((first, 0)..(first + 12, 0)))
                    .map(|(_, s)| s)
            };
            let mut sources: Vec<String> = in_year().map(|s| s.source.clone()).collect();
            sources.sort();
            sources.dedup();
            // A month summed without a partner's tonnes makes the year a lower bound too.
            let mut without_tonnes: Vec<String> =
                in_year().flat_map(|s| s.without_tonnes.clone()).collect();
            without_tonnes.sort();
            without_tonnes.dedup();
            let mut partial_tonnes: Vec<String> =
                in_year().flat_map(|s| s.partial_tonnes.clone()).collect();
            partial_tonnes.sort();
            partial_tonnes.dedup();
            years.insert(
                y,
                Step {
                    period: Period::Year(y),
                    quantity_t: Some(t.quantity_t),
                    value_usd: None,
                    source: sources.join("+"),
                    is_derived: t.derived,
                    reported_yoy_pct: None,
                    without_tonnes,
                    partial_tonnes,
                    citation: None,
                },
            );
        }
    }
    years.into_values().collect()
}

#[cfg(test)]
mod tests;
