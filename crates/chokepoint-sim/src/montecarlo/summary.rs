//! Percentiles and exceedance probabilities over Monte Carlo runs.

use serde::Serialize;

use super::RunOutput;
use crate::date::Date;
use crate::network::chain::{Industry, N_INDUSTRIES, STAGES};
use crate::network::flow::{n_pairs, pair_index};

/// Loss thresholds (percent of baseline) for which exceedance probabilities are reported.
pub const LOSS_THRESHOLDS_PCT: [f64; 4] = [5.0, 10.0, 25.0, 50.0];

/// Outcome of one region × industry over all runs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndustryOutcome {
    /// Region code.
    pub region: String,
    /// Industry name.
    pub industry: String,
    /// Baseline magnet use, t/day.
    pub baseline_t_per_day: f64,
    /// Production loss over the horizon, t of magnet use (p50 over runs).
    pub loss_t: f64,
    /// Loss as % of baseline over the horizon (p50).
    pub loss_pct: f64,
    /// Loss, 5th percentile.
    pub loss_t_p5: f64,
    /// Loss, 95th percentile.
    pub loss_t_p95: f64,
    /// Final demand not met, t (p50).
    pub unmet_t: f64,
    /// Median first day (from the start) below 90 % of baseline; null when it does not
    /// happen in at least half the runs.
    pub halt_day_90: Option<u32>,
    /// Median first day below 50 % of baseline (the halt); null likewise.
    pub halt_day_50: Option<u32>,
    /// Median first day back at ≥ 95 % after falling below 90 %; null when never.
    pub recovery_day_95: Option<u32>,
    /// Date of `halt_day_90`.
    pub halt_date_90: Option<String>,
    /// Date of `halt_day_50`.
    pub halt_date_50: Option<String>,
    /// Date of `recovery_day_95`.
    pub recovery_date_95: Option<String>,
    /// Share of runs in which output fell below 50 % of baseline.
    pub halt_probability: f64,
    /// Share of runs in which output fell below 90 % of baseline.
    pub below_90_probability: f64,
    /// Share of runs whose loss exceeds 5, 10, 25, 50 % of baseline.
    pub loss_pct_exceedance: Vec<(f64, f64)>,
}

/// Licensed vs requested tonnes in one month on one edge (or an exporter's world total,
/// importer `WLD`), p50 over runs with p5/p95 of the licensed volume.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EdgeMonth {
    /// Stage of the product.
    pub stage: String,
    /// Exporter region.
    pub exporter: String,
    /// Importer region, or `WLD` for all importers.
    pub importer: String,
    /// Month `YYYY-MM`.
    pub month: String,
    /// Requested tonnes (p50).
    pub requested_t: f64,
    /// Licensed tonnes (p50).
    pub licensed_t: f64,
    /// Delivered tonnes (p50): the simulated customs figure.
    pub delivered_t: f64,
    /// Licensed, 5th percentile.
    pub licensed_t_p5: f64,
    /// Licensed, 95th percentile.
    pub licensed_t_p95: f64,
}

/// The daily output band of one region × industry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SeriesBand {
    /// Region.
    pub region: String,
    /// Industry.
    pub industry: String,
    /// Day index.
    pub day: u32,
    /// Date.
    pub date: String,
    /// Output relative to baseline, p5 / p50 / p95.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The answer of a Monte Carlo run of a policy scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct McSummary {
    /// Scenario file name.
    pub scenario: String,
    /// Number of runs.
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// First simulated day.
    pub start: String,
    /// Days simulated.
    pub days: usize,
    /// Per region × industry.
    pub industries: Vec<IndustryOutcome>,
    /// Per gated edge and per exporter world total, per month.
    pub edges: Vec<EdgeMonth>,
}

/// Linear-interpolated quantile of sorted values (`q` in [0, 1]); NaN when empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Median of optional days, where `None` (never) ranks above every day.
fn median_day(mut v: Vec<Option<u32>>) -> Option<u32> {
    v.sort_by_key(|d| d.unwrap_or(u32::MAX));
    v.get((v.len().saturating_sub(1)) / 2).copied().flatten()
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

impl McSummary {
    /// Summarises runs (in run order) of a scenario.
    pub fn new(
        scenario: &str,
        seed: u64,
        start: Date,
        days: usize,
        regions: &[String],
        runs: &[RunOutput],
    ) -> McSummary {
        let n = regions.len();
        let mut industries = Vec::new();
        let date = |d: Option<u32>| d.map(|d| start.plus_days(i64::from(d)).to_string());
        if let Some(first) = runs.first() {
            for j in 0..n * N_INDUSTRIES {
                let base = first.topology.industry_baseline(j);
                if base <= 0.0 {
                    continue;
                }
                let total_base = base * days as f64;
                let losses = sorted(runs.iter().map(|r| r.record.loss_t[j]).collect());
                let unmet = sorted(runs.iter().map(|r| r.record.unmet_t[j]).collect());
                let share = |f: &dyn Fn(&RunOutput) -> bool| {
                    runs.iter().filter(|r| f(r)).count() as f64 / runs.len() as f64
                };
                let h90 = median_day(runs.iter().map(|r| r.record.halt_day_90[j]).collect());
                let h50 = median_day(runs.iter().map(|r| r.record.halt_day_50[j]).collect());
                let rec = median_day(runs.iter().map(|r| r.record.recovery_day_95[j]).collect());
                industries.push(IndustryOutcome {
                    region: regions[j / N_INDUSTRIES].clone(),
                    industry: Industry::ALL[j % N_INDUSTRIES].as_str().to_string(),
                    baseline_t_per_day: base,
                    loss_t: quantile(&losses, 0.5),
                    loss_pct: 100.0 * quantile(&losses, 0.5) / total_base,
                    loss_t_p5: quantile(&losses, 0.05),
                    loss_t_p95: quantile(&losses, 0.95),
                    unmet_t: quantile(&unmet, 0.5),
                    halt_day_90: h90,
                    halt_day_50: h50,
                    recovery_day_95: rec,
                    halt_date_90: date(h90),
                    halt_date_50: date(h50),
                    recovery_date_95: date(rec),
                    halt_probability: share(&|r| r.record.halt_day_50[j].is_some()),
                    below_90_probability: share(&|r| r.record.halt_day_90[j].is_some()),
                    loss_pct_exceedance: LOSS_THRESHOLDS_PCT
                        .iter()
                        .map(|th| {
                            (
                                *th,
                                share(&|r| 100.0 * r.record.loss_t[j] / total_base > *th),
                            )
                        })
                        .collect(),
                });
            }
        }
        McSummary {
            scenario: scenario.to_string(),
            runs: runs.len(),
            seed,
            start: start.to_string(),
            days,
            industries,
            edges: edge_months(start, regions, runs),
        }
    }
}

/// Monthly licensed vs requested on gated edges, plus world totals of gated exporters.
fn edge_months(start: Date, regions: &[String], runs: &[RunOutput]) -> Vec<EdgeMonth> {
    let n = regions.len();
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let months = first.record.months;
    let gated = first.topology.gated_pairs();
    // Exporter × stage totals are reported for every (stage, exporter) that has a gated pair.
    let mut totals: Vec<(usize, usize)> =
        gated.iter().map(|&p| (p / (n * n), (p / n) % n)).collect();
    totals.dedup();
    let mut out = Vec::new();
    let ym0 = start.year_month();
    let cell = |r: &RunOutput, m: usize, pair: usize, c: usize| {
        r.record.trade_monthly[m * n_pairs(n) + pair][c]
    };
    for m in 0..months {
        let month = ym0.plus_months(m as i64).to_string();
        let mut push = |stage: usize,
                        exporter: usize,
                        importer: &str,
                        pick: &dyn Fn(&RunOutput, usize) -> f64| {
            let col = |c: usize| sorted(runs.iter().map(|r| pick(r, c)).collect());
            let (req, lic, del) = (col(0), col(1), col(2));
            out.push(EdgeMonth {
                stage: STAGES[stage].to_string(),
                exporter: regions[exporter].clone(),
                importer: importer.to_string(),
                month: month.clone(),
                requested_t: quantile(&req, 0.5),
                licensed_t: quantile(&lic, 0.5),
                delivered_t: quantile(&del, 0.5),
                licensed_t_p5: quantile(&lic, 0.05),
                licensed_t_p95: quantile(&lic, 0.95),
            });
        };
        for &(stage, exporter) in &totals {
            push(stage, exporter, "WLD", &|r, c| {
                (0..n)
                    .filter(|&i| i != exporter)
                    .map(|i| cell(r, m, pair_index(n, stage, exporter, i), c))
                    .sum()
            });
        }
        for &pair in &gated {
            let (stage, exporter, importer) = (pair / (n * n), (pair / n) % n, pair % n);
            push(stage, exporter, &regions[importer], &|r, c| {
                cell(r, m, pair, c)
            });
        }
    }
    out
}

/// Daily p5/p50/p95 of output relative to baseline per region × industry (runs recorded
/// with series on).
pub fn series_bands(start: Date, regions: &[String], runs: &[RunOutput]) -> Vec<SeriesBand> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let n_ind = regions.len() * N_INDUSTRIES;
    let days = first.record.output_index.len() / n_ind.max(1);
    let mut out = Vec::new();
    let mut buf = Vec::with_capacity(runs.len());
    for j in 0..n_ind {
        if first.topology.industry_baseline(j) <= 0.0 {
            continue;
        }
        for d in 0..days {
            buf.clear();
            buf.extend(
                runs.iter()
                    .map(|r| f64::from(r.record.output_index[d * n_ind + j])),
            );
            buf.sort_by(f64::total_cmp);
            out.push(SeriesBand {
                region: regions[j / N_INDUSTRIES].clone(),
                industry: Industry::ALL[j % N_INDUSTRIES].as_str().to_string(),
                day: d as u32,
                date: start.plus_days(d as i64).to_string(),
                p5: quantile(&buf, 0.05),
                p50: quantile(&buf, 0.5),
                p95: quantile(&buf, 0.95),
            });
        }
    }
    out
}
