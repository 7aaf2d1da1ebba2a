//! `anomalies`: months whose level departs from their own baselines.
//!
//! Two baselines per single month (tonnes; combined periods such as Jan–Feb are skipped
//! as they are not comparable with one month):
//! - **seasonal**: the mean of the same month in up to three earlier years;
//! - **trailing**: the median of up to six earlier single months within the previous
//!   twelve (at least three needed), robust to one earlier outlier.
//!
//! A month is flagged when it departs from *every* baseline it has by more than the
//! threshold (default 30 %) in the same direction; `departure_pct` is the smaller of the
//! departures, so the reported size is conservative. The April–June 2025 collapse of
//! China's magnet exports is flagged on the bundled data.

use chokepoint_model::Period;
use serde::Serialize;

use super::series::{FlowQuery, observations};
use super::spans::other_source;
use super::trends::{TrendQuery, trends};
use crate::{StoreError, Warehouse};

/// Default threshold, percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 30.0;

/// What to scan.
#[derive(Clone, Debug, PartialEq)]
pub struct AnomalyQuery {
    /// Reporter, flow, product, partner, source.
    pub flow: FlowQuery,
    /// Departure (percent) beyond which a month is flagged.
    pub threshold_pct: f64,
    /// Return every month with its baselines, not only flagged ones.
    pub all: bool,
}

/// One month checked against its baselines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnomalyRow {
    /// `YYYY-MM`.
    pub period: String,
    /// Tonnes.
    pub quantity_t: f64,
    /// Mean of the same month in earlier years, tonnes.
    #[serde(serialize_with = "shown_to_one_decimal")]
    pub seasonal_baseline_t: Option<f64>,
    /// Departure from the seasonal baseline, percent.
    #[serde(serialize_with = "shown_to_one_decimal")]
    pub seasonal_departure_pct: Option<f64>,
    /// Median of recent earlier months, tonnes.
    #[serde(serialize_with = "shown_to_one_decimal")]
    pub trailing_baseline_t: Option<f64>,
    /// Departure from the trailing baseline, percent.
    #[serde(serialize_with = "shown_to_one_decimal")]
    pub trailing_departure_pct: Option<f64>,
    /// The smaller departure in size, percent (the flagged size).
    #[serde(serialize_with = "shown_to_one_decimal")]
    pub departure_pct: Option<f64>,
    /// `drop`, `surge` or empty when not flagged.
    pub flag: String,
    /// Source of the month's figure.
    pub source: String,
    /// The month's figure is derived (computed from another month and a published change),
    /// not reported.
    pub is_derived: bool,
    /// A month in the seasonal or trailing baseline is derived.
    pub baseline_includes_derived: bool,
    /// The month's tonnes leave out a partner that gave a value but no tonnes: a lower
    /// bound, never flagged and never a baseline.
    pub quantity_is_lower_bound: bool,
    /// The sources of the baseline months, when they are not the month's own: the
    /// departure may then be the sources' difference in coverage (one HS line of a group
    /// against the group's total read as a -76 % "drop").
    pub baseline_sources: Option<String>,
}

/// A figure the tables show with one decimal, in JSON as [`json_round`] writes those (the
/// CLI's and the API's JSON alike): a mean of 0.1 and 0.2 against 0.3 is a departure of
/// -2.2e-14 %, which is 0.
fn shown_to_one_decimal<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&chokepoint_model::json_round(*v, 1)),
        None => s.serialize_none(),
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

impl AnomalyQuery {
    /// Whether the flow has no rows at all (an empty answer is then not "nothing
    /// flagged"), and what the monitor says then (CLI stderr, API `Chokepoint-Note`).
    pub async fn nothing_found(&self, wh: &Warehouse) -> Result<Option<String>, StoreError> {
        let (_, obs) = observations(wh, &self.flow).await?;
        if obs.is_empty() {
            return Ok(Some(self.flow.nothing_found_note("")));
        }
        // Figures, but no month among them (BACI's years): an empty scan said nothing.
        if !obs.iter().any(|o| o.period_type.is_series_step()) {
            return Ok(Some(
                "this flow has no monthly figures (annual or year-to-date ones only), and \
                 anomalies are months departing from their baselines; `trends --freq A` \
                 shows the years"
                    .to_string(),
            ));
        }
        Ok(None)
    }
}

/// What the rows cannot say themselves: flagged months whose baselines come from another
/// source (CLI stderr, API `Chokepoint-Note`).
pub fn notes(rows: &[AnomalyRow]) -> Vec<String> {
    let mut by_sources: std::collections::BTreeMap<(&str, &str), Vec<&str>> = Default::default();
    for r in rows.iter().filter(|r| !r.flag.is_empty()) {
        if let Some(base) = &r.baseline_sources {
            by_sources
                .entry((r.source.as_str(), base.as_str()))
                .or_default()
                .push(r.period.as_str());
        }
    }
    by_sources
        .into_iter()
        .map(|((source, base), periods)| {
            format!(
                "{} ({source}) flagged against baselines from {base}: the two sources may \
                 differ in coverage (a file can hold a few HS lines of a group whose other \
                 figures are its whole total), so the departure may be the sources' \
                 difference; `--source` keeps to one source",
                periods.join(", ")
            )
        })
        .collect()
}

/// Scans the monthly series.
pub async fn anomalies(wh: &Warehouse, q: &AnomalyQuery) -> Result<Vec<AnomalyRow>, StoreError> {
    // At or below zero every month is flagged; NaN flags none.
    if !(q.threshold_pct.is_finite() && q.threshold_pct > 0.0) {
        return Err(crate::ArgumentError::Threshold {
            found: q.threshold_pct.to_string(),
        }
        .into());
    }
    // Resolve first so that a bad product or source fails with its own message.
    observations(wh, &q.flow).await?;
    let series = trends(
        wh,
        &TrendQuery {
            flow: q.flow.clone(),
            from: None,
            to: None,
            frequency: chokepoint_model::Frequency::Monthly,
        },
    )
    .await?;
    let months: Vec<Month> = series
        .iter()
        .filter_map(|r| match (r.period.parse::<Period>(), r.quantity_t) {
            (Ok(Period::Month(m)), Some(t)) => Some(Month {
                index: m.index(),
                t,
                source: r.source.clone(),
                derived: r.is_derived,
                lower_bound: r.quantity_is_lower_bound,
            }),
            _ => None,
        })
        .collect();
    Ok(scan(&months, q.threshold_pct, q.all))
}

/// One month of the series: index, tonnes, source, whether the figure is derived, and
/// whether it is a lower bound (a partner's tonnes unknown).
struct Month {
    index: i64,
    t: f64,
    source: String,
    derived: bool,
    lower_bound: bool,
}

fn scan(months: &[Month], threshold: f64, all: bool) -> Vec<AnomalyRow> {
    let mut out = Vec::new();
    for (idx, month) in months.iter().enumerate() {
        let (m, t) = (month.index, month.t);
        // A lower bound (a partner's tonnes unknown) is neither a baseline nor flagged: its
        // shortfall is a gap in the data, and read as a drop it was a false anomaly.
        let earlier = || months[..idx].iter().filter(|e| !e.lower_bound);
        let same_month: Vec<&Month> = (1..=3)
            .filter_map(|y| earlier().find(|e| e.index == m - 12 * y))
            .collect();
        let seasonal = (!same_month.is_empty())
            .then(|| same_month.iter().map(|e| e.t).sum::<f64>() / same_month.len() as f64);
        let recent: Vec<&Month> = earlier()
            .rev()
            .filter(|e| m - e.index <= 12)
            .take(6)
            .collect();
        let trailing = if recent.len() >= 3 {
            median(recent.iter().map(|e| e.t).collect())
        } else {
            None
        };
        // A derived base (a month computed from a published growth rate) makes the
        // departure restate that rate: May 2025's -74 % against a derived May 2024.
        let base_derived = (seasonal.is_some() && same_month.iter().any(|e| e.derived))
            || (trailing.is_some() && recent.iter().any(|e| e.derived));
        let in_baselines = seasonal
            .map(|_| same_month.iter())
            .into_iter()
            .flatten()
            .chain(trailing.map(|_| recent.iter()).into_iter().flatten());
        let baseline_sources = other_source(&month.source, in_baselines.map(|e| e.source.as_str()));
        let dep = |b: Option<f64>| b.filter(|b| *b > 0.0).map(|b| (t / b - 1.0) * 100.0);
        let (sd, td) = (dep(seasonal), dep(trailing));
        let deps: Vec<f64> = [sd, td].into_iter().flatten().collect();
        let smallest = deps
            .iter()
            .copied()
            .min_by(|a, b| a.abs().total_cmp(&b.abs()));
        let flagged = !month.lower_bound
            && !deps.is_empty()
            && (deps.iter().all(|d| *d < -threshold) || deps.iter().all(|d| *d > threshold));
        let flag = match smallest {
            Some(d) if flagged && d < 0.0 => "drop",
            Some(_) if flagged => "surge",
            _ => "",
        };
        if flagged || all {
            let y = m.div_euclid(12);
            let mo = m.rem_euclid(12) + 1;
            out.push(AnomalyRow {
                period: format!("{y:04}-{mo:02}"),
                quantity_t: t,
                seasonal_baseline_t: seasonal,
                seasonal_departure_pct: sd,
                trailing_baseline_t: trailing,
                trailing_departure_pct: td,
                departure_pct: smallest,
                flag: flag.to_string(),
                source: month.source.clone(),
                is_derived: month.derived,
                baseline_includes_derived: base_derived,
                quantity_is_lower_bound: month.lower_bound,
                baseline_sources,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(index: i64, t: f64, derived: bool) -> Month {
        Month {
            index,
            t,
            source: "s".into(),
            derived,
            lower_bound: false,
        }
    }

    #[test]
    fn a_collapse_against_both_baselines_is_flagged_and_noise_is_not() {
        let base = 2024 * 12;
        let mut months: Vec<Month> = (0..12)
            .map(|i| month(base + i, 5000.0 + (i as f64) * 10.0, false))
            .collect();
        months.push(month(base + 12, 5050.0, false));
        months.push(month(base + 16, 1238.0, false));
        let rows = scan(&months, 30.0, false);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].period, "2025-05");
        assert_eq!(rows[0].flag, "drop");
        assert!(rows[0].departure_pct.unwrap() < -70.0);
        assert!(!rows[0].is_derived && !rows[0].baseline_includes_derived);
    }

    /// Analyst review: May 2025's -74 % against a derived May 2024 restates the published
    /// rate the base was derived from; the row says its baseline includes a derived month.
    #[test]
    fn derived_levels_and_bases_are_marked() {
        let base = 2024 * 12;
        let mut months: Vec<Month> = (0..12).map(|i| month(base + i, 5000.0, i == 4)).collect();
        months.push(month(base + 16, 1238.0, false));
        months.push(month(base + 17, 5000.0, true));
        let rows = scan(&months, 30.0, true);
        let may = rows.iter().find(|r| r.period == "2025-05").unwrap();
        assert!(may.baseline_includes_derived && !may.is_derived);
        let june = rows.iter().find(|r| r.period == "2025-06").unwrap();
        assert!(june.is_derived);
    }

    /// Review case: a departure of -2.2e-14 % (0.1 + 0.2 against 0.3) printed as "-0.0"
    /// in tables and as -2.2e-14 in JSON.
    #[test]
    fn rounding_noise_is_a_plain_zero_in_json() {
        let months = [month(0, 0.1 + 0.2, false), month(12, 0.3, false)];
        let rows = scan(&months, 30.0, true);
        let v = serde_json::to_value(&rows[1]).unwrap();
        assert_eq!(v["seasonal_departure_pct"], serde_json::json!(0.0));
        assert_eq!(v["seasonal_baseline_t"], serde_json::json!(0.3));
        assert!(!v.to_string().contains("e-"), "{v}");
    }

    /// Code review: a month whose sum over partners left out a value-only partner's tonnes
    /// read as a 33 % drop and was flagged. It is not flagged and is no baseline.
    #[test]
    fn a_lower_bound_month_is_neither_flagged_nor_a_baseline() {
        let base = 2023 * 12;
        let mut months: Vec<Month> = (0..24).map(|i| month(base + i, 150.0, false)).collect();
        months[16].t = 100.0;
        months[16].lower_bound = true;
        let rows = scan(&months, 30.0, true);
        let may = rows.iter().find(|r| r.period == "2024-05").unwrap();
        assert_eq!(may.flag, "");
        assert!(may.quantity_is_lower_bound);
        // June's trailing median is of the other months, all 150 t.
        let june = rows.iter().find(|r| r.period == "2024-06").unwrap();
        assert_eq!(june.trailing_baseline_t, Some(150.0));
    }
}
