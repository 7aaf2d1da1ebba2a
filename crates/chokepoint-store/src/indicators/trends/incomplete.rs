//! Years with figures but no annual total (`TrendReport::incomplete_years`), and how
//! they are told: which months have figures, the longest reported year-to-date total, and
//! which months nothing covers.

use std::collections::BTreeMap;
use std::fmt;

use chokepoint_model::{Period, YearMonth};
use serde::Serialize;

use super::TrendQuery;
use crate::indicators::spans::{Figures, Step, jan};

/// What to print or send beside the rows for a year without an annual total. `hint` says
/// how to ask for the months instead (`--freq M` on the command line, `freq=M` over HTTP).
pub fn incomplete_year_note(year: &IncompleteYear, hint: &str) -> String {
    format!(
        "{year}; annual rows need a reported year or figures for all twelve months (use {hint} for the months)"
    )
}

/// A year with some figures but neither an annual row nor months that add up to one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncompleteYear {
    /// The year.
    pub year: i32,
    /// Periods with a monthly (or combined-month) figure.
    pub monthly_periods: Vec<String>,
    /// The last month of the longest reported year-to-date figure, and its tonnes.
    pub ytd_through: Option<String>,
    /// That figure, tonnes.
    pub ytd_t: Option<f64>,
    /// Months no figure covers.
    pub missing_months: Vec<String>,
}

impl fmt::Display for IncompleteYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is incomplete: no annual figure", self.year)?;
        if !self.monthly_periods.is_empty() {
            write!(f, "; monthly figures for {}", runs(&self.monthly_periods))?;
        }
        if let (Some(through), Some(t)) = (&self.ytd_through, self.ytd_t) {
            write!(
                f,
                "; a reported year-to-date total through {through} ({} t)",
                crate::indicators::thousands(t)
            )?;
        }
        if self.missing_months.is_empty() {
            // Every month is covered, but not by figures that add up to the year: some
            // cross a year end and cannot be split.
            write!(
                f,
                "; every month is covered, but partly by figures that cross a year end, which \
                 cannot be split between the years"
            )
        } else {
            write!(f, "; nothing for {}", runs(&self.missing_months))
        }
    }
}

/// Consecutive single months written as ranges: 2025-01, 2025-04 to 2025-11. Not with `..`,
/// which names one combined period (2025-01..2025-02) and is listed as such.
pub(super) fn runs(periods: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(YearMonth, YearMonth)> = None;
    let flush = |run: Option<(YearMonth, YearMonth)>, out: &mut Vec<String>| {
        if let Some((a, b)) = run {
            out.push(if a == b {
                a.to_string()
            } else {
                format!("{a} to {b}")
            });
        }
    };
    for p in periods {
        match p.parse::<Period>() {
            Ok(Period::Month(m)) => match run {
                Some((a, b)) if b.plus_months(1) == m => run = Some((a, m)),
                _ => {
                    flush(run, &mut out);
                    run = Some((m, m));
                }
            },
            _ => {
                flush(run.take(), &mut out);
                out.push(p.clone());
            }
        }
    }
    flush(run, &mut out);
    out.join(", ")
}

/// Years in range that have figures but no annual step, with what they do have.
pub(super) fn incomplete_years(
    figures: &Figures,
    steps: &[Step],
    q: &TrendQuery,
) -> Vec<IncompleteYear> {
    let complete: Vec<i32> = steps.iter().map(|s| s.period.year()).collect();
    let mut out: BTreeMap<i32, IncompleteYear> = BTreeMap::new();
    let all = figures.monthly.values().chain(figures.cumulative.values());
    for s in all {
        let (a, b) = s.period.months();
        // A period across a year end (2024-12..2025-01) is named in the notes of every
        // year it covers (2024-12..2026-03 in 2025's too).
        let years: Vec<i32> = (a.year..=b.year).collect();
        for y in years {
            let in_range = q.from.is_none_or(|f| f.year <= y) && q.to.is_none_or(|t| t.year >= y);
            if complete.contains(&y) || !in_range {
                continue;
            }
            let entry = out.entry(y).or_insert_with(|| IncompleteYear {
                year: y,
                monthly_periods: Vec::new(),
                ytd_through: None,
                ytd_t: None,
                missing_months: Vec::new(),
            });
            if figures
                .monthly
                .contains_key(&(a.index(), s.period.month_count()))
            {
                entry.monthly_periods.push(s.period.to_string());
            } else if a.month == 1 && a.year == b.year {
                // Cumulative rows come in key order, so the last one seen is the longest.
                entry.ytd_through = Some(b.to_string());
                entry.ytd_t = s.quantity_t;
            }
        }
    }
    for entry in out.values_mut() {
        let first = jan(entry.year);
        let covered = |m: YearMonth| {
            figures
                .monthly
                .iter()
                .chain(figures.cumulative.iter())
                .any(|((start, len), _)| *start <= m.index() && m.index() < start + len)
        };
        entry.missing_months = (0..12)
            .map(|k| first.plus_months(k))
            .filter(|m| !covered(*m))
            .map(|m| m.to_string())
            .collect();
    }
    out.into_values().collect()
}
