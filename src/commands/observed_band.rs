//! Customs observations against the simulated 5–95 % band of delivered exports: which
//! months lie outside it. `calibrate` and `report` both use it, so the CLI, its JSON and the
//! HTML report name the same months, computed from the run rather than written down.

use chokepoint_sim::date::Date;
use chokepoint_sim::montecarlo::McSummary;
use serde::Serialize;

/// Where an observation lies relative to the simulated band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Above the 95th percentile.
    Above,
    /// Below the 5th percentile.
    Below,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Above => "above",
            Side::Below => "below",
        }
    }
}

/// One observed month against the simulated delivered exports of the same edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandMonth {
    /// Month `YYYY-MM`.
    pub month: String,
    /// Customs tonnes.
    pub observed_t: f64,
    /// The customs figure is derived, not reported.
    pub is_derived: bool,
    /// Simulated delivered tonnes, 5th percentile over the runs.
    pub delivered_t_p5: f64,
    /// Median.
    pub delivered_t: f64,
    /// 95th percentile.
    pub delivered_t_p95: f64,
    /// Outside the band (`above` / `below`); null inside it.
    pub outside: Option<Side>,
}

/// One customs observation: month `YYYY-MM`, tonnes, derived or not.
pub type Observation<'a> = (&'a str, f64, bool);

/// Compares the observations of one (exporter, importer, stage) edge with the summary's
/// delivered band. Months the run simulates only in part (a horizon that starts or ends
/// inside them) are left out: a part month's tonnes are not comparable with a whole one's.
pub fn compare<'a>(
    summary: &McSummary,
    (exporter, importer, stage): (&str, &str, &str),
    observed: impl IntoIterator<Item = Observation<'a>>,
) -> Vec<BandMonth> {
    let whole = |month: &str| whole_month(summary, month);
    observed
        .into_iter()
        .filter(|(m, _, _)| whole(m))
        .filter_map(|(month, tonnes, is_derived)| {
            let e = summary.edges.iter().find(|e| {
                e.exporter == exporter
                    && e.importer == importer
                    && e.stage == stage
                    && e.month == month
            })?;
            let outside = if tonnes > e.delivered_t_p95 {
                Some(Side::Above)
            } else if tonnes < e.delivered_t_p5 {
                Some(Side::Below)
            } else {
                None
            };
            Some(BandMonth {
                month: month.to_string(),
                observed_t: tonnes,
                is_derived,
                delivered_t_p5: e.delivered_t_p5,
                delivered_t: e.delivered_t,
                delivered_t_p95: e.delivered_t_p95,
                outside,
            })
        })
        .collect()
}

/// Whether every day of `month` (`YYYY-MM`) lies inside the simulated horizon.
fn whole_month(summary: &McSummary, month: &str) -> bool {
    let (Ok(start), Ok(ym)) = (
        summary.start.parse::<Date>(),
        month.parse::<chokepoint_model::YearMonth>(),
    ) else {
        return false;
    };
    month_is_whole(start, summary.days, ym)
}

/// Whether every day of `ym` lies inside `days` simulated days from `start`: a simulated
/// month is compared with a customs month only then (`calibrate` leaves a start month
/// simulated in part out of its fit by the same rule).
fn month_is_whole(start: Date, days: usize, ym: chokepoint_model::YearMonth) -> bool {
    let next = ym.plus_months(1);
    let (Some(first), Some(after)) = (
        Date::from_ymd(ym.year, u32::from(ym.month), 1),
        Date::from_ymd(next.year, u32::from(next.month), 1),
    ) else {
        return false;
    };
    first.days_since(start) >= 0 && after.days_since(start) <= days as i64
}

/// One sentence on the comparison: the months outside the band, or that there are none.
pub fn describe(bands: &[BandMonth], runs: usize) -> String {
    if bands.is_empty() {
        return "no whole simulated month has a customs observation to compare".into();
    }
    let outside: Vec<String> = bands
        .iter()
        .filter_map(|b| {
            let side = b.outside?;
            Some(format!(
                "{} {} ({:.0} t{} vs {:.0}–{:.0} t)",
                b.month,
                side.as_str(),
                b.observed_t,
                if b.is_derived { ", derived" } else { "" },
                b.delivered_t_p5,
                b.delivered_t_p95
            ))
        })
        .collect();
    // A scenario that draws nothing gives the same run every time: say so, or a band of
    // zero width would read as a precise forecast.
    let spread = if bands
        .iter()
        .all(|b| b.delivered_t_p95 - b.delivered_t_p5 <= 1e-9)
    {
        " (the scenario draws no uncertain parameter: the band is one run)"
    } else {
        ""
    };
    if outside.is_empty() {
        format!(
            "all {} customs months compared lie inside the simulated 5–95 % band of \
             delivered exports ({runs} runs){spread}",
            bands.len()
        )
    } else {
        format!(
            "customs months outside the simulated 5–95 % band of delivered exports ({runs} \
             runs{spread}), {} of {} compared: {}",
            outside.len(),
            bands.len(),
            outside.join("; ")
        )
    }
}

/// What the model leaves out that bears on a comparison with customs, next to it (the
/// report's Limitations section, `calibrate`'s note, docs/controls.md).
pub const LIMITATIONS: &[&str] = &[
    "Buyers are rationed in proportion to their orders, and orders include restocking; the \
     data give no priority between buyers. Long-run shortages therefore fall on the \
     industries that hold the smallest stocks (the inventory_days_* assumptions), not on \
     those a licensing authority might favour or refuse.",
    "A scenario's licence regime holds for its whole horizon unless the scenario eases it \
     (a truce or suspension). Customs months above the simulated band are where the \
     observed exports recovered faster than the scenario allows.",
    "The simulated band is the spread over the scenario's own uncertain parameters only; \
     with few runs, its 5th and 95th percentiles move between seeds.",
    "The chain's baseline is China's 2024 flows with no growth of demand: however far the \
     licences ease, simulated exports return to about the 2024 level, while customs showed \
     2025's later months 15-17 % above 2024.",
    "The chain has no element-level flows: a control on seven elements and one on twelve gate \
     the same separation, metal and magnet tonnes (mostly Nd/Pr bound for magnets), so a \
     control on heavy rare earths alone is overstated, and controls reaching products made \
     outside China (MOFCOM No. 61) cannot be represented.",
];

#[cfg(test)]
mod tests {
    use chokepoint_sim::montecarlo::{EdgeMonth, field_descriptions};

    use super::*;

    fn summary(start: &str, days: usize, months: &[(&str, f64, f64, f64)]) -> McSummary {
        McSummary {
            scenario: "t".into(),
            runs: 10,
            seed: 1,
            start: start.into(),
            days,
            industries: Vec::new(),
            edges: months
                .iter()
                .map(|&(month, p5, p50, p95)| EdgeMonth {
                    stage: "magnets".into(),
                    exporter: "CHN".into(),
                    importer: "WLD".into(),
                    month: month.into(),
                    requested_t: p50,
                    licensed_t: p50,
                    delivered_t: p50,
                    licensed_t_p5: p5,
                    licensed_t_p95: p95,
                    delivered_t_p5: p5,
                    delivered_t_p95: p95,
                    baseline_t: None,
                })
                .collect(),
            new_supply: Vec::new(),
            descriptions: field_descriptions(),
            assumptions: Vec::new(),
        }
    }

    const EDGE: (&str, &str, &str) = ("CHN", "WLD", "magnets");

    #[test]
    fn months_outside_the_band_are_named_with_their_side() {
        let s = summary(
            "2025-04-01",
            91,
            &[
                ("2025-04", 100.0, 200.0, 300.0),
                ("2025-05", 100.0, 200.0, 300.0),
                ("2025-06", 100.0, 200.0, 300.0),
            ],
        );
        let b = compare(
            &s,
            EDGE,
            [
                ("2025-04", 50.0, true),
                ("2025-05", 250.0, false),
                ("2025-06", 400.0, false),
                // Not simulated: left out.
                ("2025-07", 400.0, false),
            ],
        );
        let sides: Vec<_> = b.iter().map(|b| (b.month.as_str(), b.outside)).collect();
        assert_eq!(
            sides,
            [
                ("2025-04", Some(Side::Below)),
                ("2025-05", None),
                ("2025-06", Some(Side::Above))
            ]
        );
        let text = describe(&b, 10);
        assert!(text.contains("2 of 3 compared"), "{text}");
        assert!(
            text.contains("2025-04 below (50 t, derived vs 100–300 t)"),
            "{text}"
        );
        assert!(text.contains("2025-06 above"), "{text}");
        assert!(!text.contains("one run"), "{text}");
    }

    /// A month the horizon covers only in part is not compared: its simulated tonnes are
    /// for some of its days only.
    #[test]
    fn part_months_are_not_compared() {
        let s = summary(
            "2025-04-04",
            40,
            &[("2025-04", 1.0, 2.0, 3.0), ("2025-05", 1.0, 2.0, 3.0)],
        );
        assert!(compare(&s, EDGE, [("2025-04", 9.0, false), ("2025-05", 9.0, false)]).is_empty());
        assert!(describe(&[], 10).starts_with("no whole simulated month"));
    }

    #[test]
    fn a_band_of_one_run_says_so() {
        let s = summary("2025-04-01", 30, &[("2025-04", 2.0, 2.0, 2.0)]);
        let b = compare(&s, EDGE, [("2025-04", 2.0, false)]);
        assert!(describe(&b, 10).contains("the band is one run"));
    }
}
