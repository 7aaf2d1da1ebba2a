//! `trends`: one row per period with level, month-on-month, year-on-year and year to date.
//!
//! Definitions (all on tonnes):
//! - **series**: single months and combined months (China's Jan–Feb) for `Frequency::Monthly`;
//!   calendar years for `Frequency::Annual` (a year without an annual row is the sum of
//!   its monthly steps when they cover all twelve months). YTD rows never enter the series.
//! - **world total** (no `--partner`): the reporter's World rows where present for that
//!   period, else the sum over partners (regional aggregates such as EUU excluded) — never both.
//! - **mom_pct**: against the immediately preceding single month. A combined period and the
//!   month right after one (March after Jan–Feb) have no MoM: comparing with a two-month
//!   total, or with half of it, would invent a split the source never published.
//! - **yoy_pct**: against the same months one year earlier, summing that year's steps when
//!   they cover exactly those months (Jan–Feb 2025 vs Jan + Feb 2024 works both ways).
//! - **ytd_t**: the sum of every step of the year from January through this period,
//!   combined periods included, when those steps cover every month; otherwise the source's
//!   own reported YTD figure for the same months, if it published one; else empty.
//! - **ytd_yoy_pct**: YTD against YTD through the same month one year earlier.

use std::collections::BTreeMap;

use chokepoint_model::{Frequency, Period, YearMonth};
use serde::Serialize;

use super::series::{AGGREGATE_PARTNERS, FlowQuery, Observation, observations};
use crate::schema::PeriodType;
use crate::{StoreError, Warehouse};

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
}

/// One step of the series.
#[derive(Clone, Debug)]
struct Step {
    period: Period,
    quantity_t: Option<f64>,
    value_usd: Option<f64>,
    source: String,
}

fn pct(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    match (now, before) {
        (Some(n), Some(b)) if b > 0.0 => Some((n / b - 1.0) * 100.0),
        _ => None,
    }
}

/// Merges a period's observations into one total: the World row if there is one, else the
/// sum over country partners.
fn total_of(obs: &[&Observation]) -> Option<(Option<f64>, Option<f64>, String)> {
    if let Some(w) = obs.iter().find(|o| o.partner_iso3 == "WLD") {
        return Some((w.quantity_t, w.value_usd, w.source.clone()));
    }
    let parts: Vec<&&Observation> = obs
        .iter()
        .filter(|o| !AGGREGATE_PARTNERS.contains(&o.partner_iso3.as_str()))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let sum = |f: fn(&Observation) -> Option<f64>| {
        let v: Vec<f64> = parts.iter().filter_map(|o| f(o)).collect();
        (!v.is_empty()).then(|| v.iter().sum())
    };
    let mut sources: Vec<String> = parts.iter().map(|o| o.source.clone()).collect();
    sources.sort();
    sources.dedup();
    Some((
        sum(|o| o.quantity_t),
        sum(|o| o.value_usd),
        sources.join("+"),
    ))
}

/// Groups observations by period (keyed by first month, then length) into totals.
fn totals(obs: &[Observation], keep: impl Fn(PeriodType) -> bool) -> BTreeMap<(i64, i64), Step> {
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
        .filter_map(|(k, v)| {
            total_of(&v).map(|(q, val, source)| {
                (
                    k,
                    Step {
                        period: v[0].period,
                        quantity_t: q,
                        value_usd: val,
                        source,
                    },
                )
            })
        })
        .collect()
}

/// Sum of the steps that exactly tile months `[first, last]`, if they do.
fn covered_sum(steps: &BTreeMap<(i64, i64), Step>, first: i64, last: i64) -> Option<f64> {
    let mut month = first;
    let mut total = 0.0;
    while month <= last {
        let ((_, len), step) = steps.range((month, 0)..(month, i64::MAX)).next()?;
        if month + len - 1 > last {
            return None;
        }
        total += step.quantity_t?;
        month += len;
    }
    Some(total)
}

/// Computes the trend rows.
pub async fn trends(wh: &Warehouse, q: &TrendQuery) -> Result<Vec<TrendRow>, StoreError> {
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from.index() > to.index()
    {
        return Err(StoreError::Invalid(format!(
            "--from {from} is after --to {to}; give the earlier month first"
        )));
    }
    let (_, obs) = observations(wh, &q.flow).await?;
    Ok(compute(&obs, q))
}

fn compute(obs: &[Observation], q: &TrendQuery) -> Vec<TrendRow> {
    let monthly = totals(obs, PeriodType::is_series_step);
    let ytd_reported = totals(obs, |t| t == PeriodType::Ytd);
    let ytd = |end: YearMonth| -> Option<f64> {
        let jan = YearMonth {
            year: end.year,
            month: 1,
        };
        covered_sum(&monthly, jan.index(), end.index()).or_else(|| {
            ytd_reported
                .get(&(jan.index(), i64::from(end.month)))
                .and_then(|s| s.quantity_t)
        })
    };
    let steps: Vec<Step> = match q.frequency {
        Frequency::Monthly => monthly.values().cloned().collect(),
        Frequency::Annual => annual_steps(obs, &monthly),
    };
    let in_range = |p: &Period| {
        let (a, b) = p.months();
        q.from.is_none_or(|f| b.index() >= f.index()) && q.to.is_none_or(|t| a.index() <= t.index())
    };
    let mut rows = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if !in_range(&s.period) {
            continue;
        }
        let (a, b) = s.period.months();
        let (mom, yoy, ytd_t, ytd_yoy) = match q.frequency {
            Frequency::Monthly => {
                let mom = match (s.period, i.checked_sub(1).map(|j| &steps[j])) {
                    (Period::Month(m), Some(prev))
                        if prev.period == Period::Month(m.plus_months(-1)) =>
                    {
                        pct(s.quantity_t, prev.quantity_t)
                    }
                    _ => None,
                };
                let base = covered_sum(&monthly, a.index() - 12, b.index() - 12);
                let this_ytd = ytd(b);
                let last_ytd = ytd(b.plus_months(-12));
                (
                    mom,
                    pct(s.quantity_t, base),
                    this_ytd,
                    pct(this_ytd, last_ytd),
                )
            }
            Frequency::Annual => {
                let prev = steps
                    .iter()
                    .find(|p| p.period == Period::Year(s.period.year() - 1));
                (
                    None,
                    pct(s.quantity_t, prev.and_then(|p| p.quantity_t)),
                    None,
                    None,
                )
            }
        };
        rows.push(TrendRow {
            period: s.period.to_string(),
            quantity_t: s.quantity_t,
            value_usd: s.value_usd,
            mom_pct: mom,
            yoy_pct: yoy,
            ytd_t,
            ytd_yoy_pct: ytd_yoy,
            source: s.source.clone(),
        });
    }
    rows
}

/// Annual steps: reported years, else years whose monthly steps cover all twelve months.
fn annual_steps(obs: &[Observation], monthly: &BTreeMap<(i64, i64), Step>) -> Vec<Step> {
    let mut years: BTreeMap<i32, Step> = totals(obs, |t| t == PeriodType::Year)
        .into_values()
        .map(|s| (s.period.year(), s))
        .collect();
    let mut candidates: Vec<i32> = monthly.values().map(|s| s.period.year()).collect();
    candidates.dedup();
    for y in candidates {
        if years.contains_key(&y) {
            continue;
        }
        let jan = YearMonth { year: y, month: 1 }.index();
        if let Some(q) = covered_sum(monthly, jan, jan + 11) {
            let mut sources: Vec<String> = monthly
                .range((jan, 0)..(jan + 12, 0))
                .map(|(_, s)| s.source.clone())
                .collect();
            sources.sort();
            sources.dedup();
            years.insert(
                y,
                Step {
                    period: Period::Year(y),
                    quantity_t: Some(q),
                    value_usd: None,
                    source: sources.join("+"),
                },
            );
        }
    }
    years.into_values().collect()
}

#[cfg(test)]
mod tests {
    use chokepoint_model::{Flow, Iso3};

    use super::*;

    fn obs(period: &str, q: f64) -> Observation {
        let p: Period = period.parse().unwrap();
        Observation {
            period_type: PeriodType::of(&p),
            period: p,
            partner_iso3: "WLD".into(),
            quantity_t: Some(q),
            value_usd: None,
            source: "bundled".into(),
        }
    }

    fn query() -> TrendQuery {
        TrendQuery {
            flow: FlowQuery {
                reporter: Iso3::CHINA,
                flow: Flow::Export,
                product: "rare-earths".into(),
                partner: None,
                source: None,
            },
            from: None,
            to: None,
            frequency: Frequency::Monthly,
        }
    }

    #[test]
    fn combined_jan_feb_counts_in_ytd_and_blocks_mom() {
        let data = vec![
            obs("2024-01..2024-02", 100.0),
            obs("2024-03", 50.0),
            obs("2025-01", 60.0),
            obs("2025-02", 60.0),
            obs("2025-03", 55.0),
        ];
        let rows = compute(&data, &query());
        let mar24 = rows.iter().find(|r| r.period == "2024-03").unwrap();
        assert_eq!(mar24.mom_pct, None, "no MoM after a combined period");
        assert_eq!(mar24.ytd_t, Some(150.0));
        let feb25 = rows.iter().find(|r| r.period == "2025-02").unwrap();
        assert_eq!(feb25.mom_pct, Some(0.0));
        assert_eq!(
            feb25.yoy_pct, None,
            "Feb alone has no year-earlier single month"
        );
        let mar25 = rows.iter().find(|r| r.period == "2025-03").unwrap();
        assert!((mar25.yoy_pct.unwrap() - 10.0).abs() < 1e-9);
        assert!((mar25.ytd_yoy_pct.unwrap() - 16.666_666_666).abs() < 1e-6);
    }

    #[test]
    fn ytd_falls_back_to_reported_cumulative_rows_only_when_months_are_missing() {
        let mut data = vec![obs("2025-05", 10.0)];
        let mut ytd = obs("2025-01..2025-05", 40.0);
        ytd.period_type = PeriodType::Ytd;
        data.push(ytd);
        let rows = compute(&data, &query());
        assert_eq!(rows.len(), 1, "YTD rows are not periods of the series");
        assert_eq!(rows[0].ytd_t, Some(40.0));
    }
}
