//! The figures a trend is built from: one total per period (the asked-for partner, the
//! World row, or a sum over partners that do not overlap), kept apart as the monthly series
//! and the cumulative figures (YTD rows, years), and the totals of arbitrary spans of months
//! tiled from them. See `trends` for the order in which spans are tiled.

use std::collections::BTreeMap;

use chokepoint_model::{Period, YearMonth};

use super::cover::{Piece, best_cover};
use super::series::{Observation, overlaps_countries};
use crate::schema::PeriodType;

/// One figure of the series, or a cumulative one, after merging partners.
#[derive(Clone, Debug)]
pub(super) struct Step {
    pub(super) period: Period,
    pub(super) quantity_t: Option<f64>,
    pub(super) value_usd: Option<f64>,
    pub(super) source: String,
    pub(super) is_derived: bool,
    pub(super) reported_yoy_pct: Option<f64>,
    /// Partners of a sum over partners that gave a value but no tonnes: the sum's tonnes
    /// leave them out (empty unless the figure is such a sum).
    pub(super) without_tonnes: Vec<String>,
    /// Partners whose tonnes leave out HS lines that gave a value but no tonnes (BACI's
    /// `NA` quantities): the figure is a lower bound.
    pub(super) partial_tonnes: Vec<String>,
    /// Where the figure (or each figure summed) was published.
    pub(super) citation: Option<String>,
}

/// Figures keyed by (first month index, month count).
pub(super) type Steps = BTreeMap<(i64, i64), Step>;

/// Merges a period's observations into one figure: the asked-for partner's row (EUU is a
/// partner like any other here), else the World row, else the sum over partners that do
/// not overlap countries.
pub(super) fn total_of(obs: &[&Observation], partner: Option<&str>) -> Option<Step> {
    let one = |o: &Observation| Step {
        period: o.period,
        quantity_t: o.quantity_t,
        value_usd: o.value_usd,
        source: o.source.clone(),
        is_derived: o.is_derived,
        reported_yoy_pct: o.reported_yoy_pct,
        without_tonnes: Vec::new(),
        partial_tonnes: if o.quantity_is_partial {
            vec![o.partner_iso3.clone()]
        } else {
            Vec::new()
        },
        citation: o.citation.clone(),
    };
    if let Some(p) = partner {
        return obs.iter().find(|o| o.partner_iso3 == p).map(|o| one(o));
    }
    if let Some(w) = obs.iter().find(|o| o.partner_iso3 == "WLD") {
        return Some(one(w));
    }
    let parts: Vec<&&Observation> = obs
        .iter()
        .filter(|o| !overlaps_countries(&o.partner_iso3))
        .collect();
    let first = parts.first()?;
    // The sum of the partners that have the measure. A partner without it (BACI leaves
    // `q` empty for some flows) is left out, so the sum is a lower bound; the partners
    // with a value but no tonnes are kept so that `trends` says so (a month where one of
    // two partners reported only a value read as a 50 % fall, with nothing said).
    let sum = |f: fn(&Observation) -> Option<f64>| {
        let v: Vec<f64> = parts.iter().filter_map(|o| f(o)).collect();
        (!v.is_empty()).then(|| v.iter().fold(0.0, |a, b| a + b))
    };
    let without_tonnes: Vec<String> = parts
        .iter()
        .filter(|o| o.quantity_t.is_none() && o.value_usd.is_some())
        .map(|o| o.partner_iso3.clone())
        .collect();
    let mut sources: Vec<String> = parts.iter().map(|o| o.source.clone()).collect();
    sources.sort();
    sources.dedup();
    Some(Step {
        period: first.period,
        quantity_t: sum(|o| o.quantity_t),
        value_usd: sum(|o| o.value_usd),
        source: sources.join("+"),
        is_derived: parts.iter().any(|o| o.is_derived),
        // A sum of partners' rows has no published growth rate of its own.
        reported_yoy_pct: match parts.as_slice() {
            [only] => only.reported_yoy_pct,
            _ => None,
        },
        without_tonnes,
        partial_tonnes: parts
            .iter()
            .filter(|o| o.quantity_is_partial)
            .map(|o| o.partner_iso3.clone())
            .collect(),
        citation: super::series::join_citations(parts.iter().map(|o| o.citation.as_deref())),
    })
}

/// Groups observations by period (keyed by first month, then length) into figures.
pub(super) fn totals(
    obs: &[Observation],
    partner: Option<&str>,
    keep: impl Fn(PeriodType) -> bool,
) -> Steps {
    let mut by_period: BTreeMap<(i64, i64), Vec<&Observation>> = BTreeMap::new();
    for o in obs.iter().filter(|o| keep(o.period_type)) {
        let (a, _) = o.period.months();
        by_period
            .entry((a.index(), o.period.month_count()))
            .or_default()
            .push(o);
    }
    by_period
        .into_iter()
        .filter_map(|(k, v)| total_of(&v, partner).map(|s| (k, s)))
        .collect()
}

/// A total over a span of months and whether a derived figure went into it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct SpanTotal {
    pub(super) quantity_t: f64,
    pub(super) derived: bool,
    /// The source of the reported cumulative figure (a YTD or a year) the total is built
    /// on, if any: such a figure holds its own source's months, not the months shown.
    pub(super) reported_by: Option<String>,
    /// Every source of the figures summed, each once, in order.
    pub(super) sources: Vec<String>,
}

/// The sources named by a figure's `source`: a sum over partners names each
/// (`comtrade+tidy`).
pub(super) fn sources_of(label: &str) -> impl Iterator<Item = &str> {
    label.split('+').filter(|s| !s.is_empty())
}

/// The sources of a base (`base`, each a `source` label), joined with `+`, when they are
/// not exactly those of the figure compared with it (`figure`): a change between two
/// sources, which may differ in coverage and definitions.
pub(super) fn other_source<'a>(
    figure: &str,
    base: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut mine: Vec<&str> = sources_of(figure).collect();
    let mut theirs: Vec<&str> = base.into_iter().flat_map(sources_of).collect();
    mine.sort_unstable();
    mine.dedup();
    theirs.sort_unstable();
    theirs.dedup();
    (mine != theirs).then(|| theirs.join("+"))
}

/// The monthly series and the cumulative figures (YTD, years) of one flow.
pub(super) struct Figures {
    pub(super) monthly: Steps,
    pub(super) cumulative: Steps,
}

impl Figures {
    pub(super) fn new(obs: &[Observation], partner: Option<&str>) -> Figures {
        let mut cumulative = totals(obs, partner, |t| t == PeriodType::Ytd);
        // A year row wins over a January–December YTD row of the same span.
        cumulative.extend(totals(obs, partner, |t| t == PeriodType::Year));
        Figures {
            monthly: totals(obs, partner, PeriodType::is_series_step),
            cumulative,
        }
    }

    /// The total of months `[first, last]` from the figures that exactly cover them, chosen
    /// by the one rule for such totals (`cover`), the cumulative figures as fallbacks: a year
    /// to date is the sum of the year's periods where they cover it (issue 2's contract:
    /// May 2025 = 24,826.7 t, not the reported 24,827), else the reported figures. Among the
    /// series' own figures the single months come first: a combined period whose months
    /// are all there singly is a fallback too.
    pub(super) fn span(&self, first: i64, last: i64) -> Option<SpanTotal> {
        if first > last {
            return None;
        }
        let within = (first, 0)..=(last, i64::MAX);
        let (mut pieces, mut quantities, mut sources) = (Vec::new(), Vec::new(), Vec::new());
        // A combined period of the series whose months are all there singly (a user's
        // Jan–Mar beside Jan, Feb and Mar) only fills what they leave: the total then adds
        // the months the table shows. China's Jan–Feb, with no single months, is a figure
        // like any other.
        let singly = |(start, len): (i64, i64)| {
            len > 1 && (start..start + len).all(|m| self.monthly.contains_key(&(m, 1)))
        };
        let monthly = self
            .monthly
            .range(within.clone())
            .map(|f| (f, singly(*f.0)));
        let cumulative = self.cumulative.range(within).map(|f| (f, true));
        for ((&(start, len), step), fallback) in monthly.chain(cumulative) {
            if let Some(q) = step.quantity_t {
                pieces.push(Piece {
                    start,
                    len,
                    derived: step.is_derived,
                    fallback,
                });
                quantities.push(q);
                sources.push(&step.source);
            }
        }
        let chosen = best_cover(&pieces, first, last, true)?;
        let mut summed: Vec<String> = chosen
            .iter()
            .flat_map(|&i| sources_of(sources[i]).map(str::to_string))
            .collect();
        summed.sort();
        summed.dedup();
        Some(SpanTotal {
            sources: summed,
            quantity_t: chosen.iter().map(|&i| quantities[i]).sum(),
            derived: chosen.iter().any(|&i| pieces[i].derived),
            reported_by: chosen
                .iter()
                .find(|&&i| pieces[i].fallback)
                .map(|&i| sources[i].clone()),
        })
    }

    /// What a source published as the change of the year to date through `end`, with that
    /// source: a figure spanning exactly January–`end` (a YTD row, the year, Jan–Feb, or
    /// January).
    pub(super) fn reported_ytd_yoy(&self, end: YearMonth) -> Option<(f64, &str)> {
        let key = (jan(end.year).index(), i64::from(end.month));
        fn of(s: &Step) -> Option<(f64, &str)> {
            s.reported_yoy_pct.map(|v| (v, s.source.as_str()))
        }
        self.cumulative
            .get(&key)
            .and_then(of)
            .or_else(|| self.monthly.get(&key).and_then(of))
    }
}

pub(super) fn jan(year: i32) -> YearMonth {
    YearMonth { year, month: 1 }
}
