//! Percentiles and exceedance probabilities over Monte Carlo runs.

use std::collections::BTreeMap;

use serde::Serialize;

use super::descriptions::field_descriptions_in;
use crate::date::Date;
use crate::network::chain::{Industry, N_INDUSTRIES, STAGES};
use crate::network::flow::{RunRecord, Topology, pair_index};

/// What the records of a run refer to: node labels and baselines, product names and the
/// gated (product, exporter, importer) pairs.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Region codes.
    pub regions: Vec<String>,
    /// Per recorded node (index into the records' per-node vectors): region index, name
    /// (industry or sector) and baseline output per day. Nodes with a zero baseline are
    /// left out of the summary.
    pub nodes: Vec<(usize, String, f64)>,
    /// Product (stage or sector) names, indexed like the pairs.
    pub products: Vec<String>,
    /// Gated pairs, sorted ([`pair_index`]).
    pub gated_pairs: Vec<usize>,
    /// Baseline flow per pair ([`pair_index`]), per day, in `unit`; empty when unknown.
    pub baseline_pair_t_per_day: Vec<f64>,
    /// What the flows and losses are counted in.
    pub unit: FlowUnit,
}

/// What a network's flows, outputs and losses are counted in: the `_t` fields of a
/// summary are tonnes on the rare-earth chain and the table's own (money) units on an MRIO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowUnit {
    /// Tonnes (the bundled rare-earth chain).
    Tonnes,
    /// The MRIO table's units per simulated day, as its ARIO records are.
    TableUnits,
}

impl Layout {
    /// The layout of the rare-earth chain.
    pub fn chain(topology: &Topology, regions: &[String]) -> Layout {
        Layout {
            regions: regions.to_vec(),
            nodes: (0..regions.len() * N_INDUSTRIES)
                .map(|j| {
                    (
                        j / N_INDUSTRIES,
                        Industry::ALL[j % N_INDUSTRIES].as_str().to_string(),
                        topology.industry_baseline(j),
                    )
                })
                .collect(),
            products: STAGES.iter().map(|s| s.to_string()).collect(),
            gated_pairs: topology.gated_pairs(),
            baseline_pair_t_per_day: topology.baseline_trade_t_per_day(),
            unit: FlowUnit::Tonnes,
        }
    }
}

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
    /// Production loss over the horizon, t of magnet use (p50 over runs): each day's
    /// shortfall against what the node wanted to make, never offset by a day above it.
    pub loss_t: f64,
    /// `100 × loss_t / demand_t`: the ratio of the two medians over the runs, not the
    /// median of each run's loss share (which `loss_pct_exceedance` counts).
    pub loss_pct: f64,
    /// Magnet use the industry wanted over the horizon, t (p50): its baseline, or the
    /// demand a demand shock sets.
    pub demand_t: f64,
    /// Loss, 5th percentile.
    pub loss_t_p5: f64,
    /// Loss, 95th percentile.
    pub loss_t_p95: f64,
    /// Final demand not met, t (p50); on the chain `loss_t` by construction (see
    /// [`RunRecord::unmet_t`]).
    pub unmet_t: f64,
    /// Median first day (from the start) below 90 % of baseline; null when it does not
    /// happen in at least half the runs.
    pub halt_day_90: Option<u32>,
    /// Median first day below 50 % of baseline (the halt); null likewise.
    pub halt_day_50: Option<u32>,
    /// Median, over the runs that fell below 90 % (`below_90_probability` of them), of the
    /// first day from which output stays at ≥ 95 % to the end after the last fall below
    /// 90 % ([`RunRecord::recovery_day_95`]); null when fewer than half of them recover.
    pub recovery_day_95: Option<u32>,
    /// Date of `halt_day_90`.
    pub halt_date_90: Option<String>,
    /// Date of `halt_day_50`.
    pub halt_date_50: Option<String>,
    /// Date of `recovery_day_95`.
    pub recovery_date_95: Option<String>,
    /// Share of runs in which output fell below 50 % of baseline.
    pub halt_probability: f64,
    /// Days below 50 % of baseline over the horizon, median over the runs: tells a halt of
    /// a few days from one of months (both count in `halt_probability`).
    pub days_below_50: f64,
    /// Share of runs in which output fell below 90 % of baseline.
    pub below_90_probability: f64,
    /// Share of runs whose own loss exceeds 5, 10, 25, 50 % of what the industry wanted in
    /// that run (its `loss_t / demand_t`, per run).
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
    /// Orders placed with the exporter (p50): current use plus restocking of the buyers'
    /// depleted stocks, so well above licence demand at baseline once stocks run down.
    pub requested_t: f64,
    /// Licensed tonnes (p50).
    pub licensed_t: f64,
    /// Delivered tonnes (p50): the simulated customs figure.
    pub delivered_t: f64,
    /// Licensed, 5th percentile.
    pub licensed_t_p5: f64,
    /// Licensed, 95th percentile.
    pub licensed_t_p95: f64,
    /// Delivered, 5th percentile.
    pub delivered_t_p5: f64,
    /// Delivered, 95th percentile.
    pub delivered_t_p95: f64,
    /// The baseline (undisturbed) flow over the simulated days of this month, t: the
    /// reference for `requested_t`; null when the network has no tonnage baseline.
    pub baseline_t: Option<f64>,
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
    /// Per `[[new_supply]]` entry: the capacity it added and its region's output against
    /// baseline (empty without new supply).
    pub new_supply: Vec<super::NewSupplyOutcome>,
    /// What the fields of `industries` and `edges` mean, with their units
    /// ([`FIELD_DESCRIPTIONS`](super::FIELD_DESCRIPTIONS)): a reader of the JSON need not guess that `loss_t` is a
    /// median or that `halt_day_90` is not a halt.
    pub descriptions: BTreeMap<String, String>,
    /// The chain's assumptions the runs used, defaults and the scenario's own (empty on an
    /// MRIO network, which has none); filled by the caller, which has the scenario.
    pub assumptions: Vec<crate::policies::in_force::AssumptionInForce>,
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
        layout: &Layout,
        runs: &[&RunRecord],
    ) -> McSummary {
        let mut industries = Vec::new();
        let date = |d: Option<u32>| d.map(|d| start.plus_days(i64::from(d)).to_string());
        if !runs.is_empty() {
            for (j, (region, name, base)) in layout.nodes.iter().enumerate() {
                let base = *base;
                if base <= 0.0 {
                    continue;
                }
                // The loss as a share of what the industry wanted to make: under a demand
                // shock that is the shocked demand, not the baseline (×10 demand read as
                // "902 % of its output lost" for an industry at 98 % of it).
                let wanted = |r: &RunRecord| match r.demand_t.get(j) {
                    Some(d) if *d > 0.0 => *d,
                    _ => base * days as f64,
                };
                let demand = sorted(runs.iter().map(|r| wanted(r)).collect());
                let losses = sorted(runs.iter().map(|r| r.loss_t[j]).collect());
                let unmet = sorted(runs.iter().map(|r| r.unmet_t[j]).collect());
                let share = |f: &dyn Fn(&RunRecord) -> bool| {
                    runs.iter().filter(|r| f(r)).count() as f64 / runs.len() as f64
                };
                let h90 = median_day(runs.iter().map(|r| r.halt_day_90[j]).collect());
                let h50 = median_day(runs.iter().map(|r| r.halt_day_50[j]).collect());
                // Over the runs that fell below 90 % only: a run that never did has nothing
                // to recover from, and ranked as "never recovered" it made the median null
                // when most runs never dipped.
                let rec = median_day(
                    runs.iter()
                        .filter(|r| r.halt_day_90[j].is_some())
                        .map(|r| r.recovery_day_95[j])
                        .collect(),
                );
                industries.push(IndustryOutcome {
                    region: layout.regions[*region].clone(),
                    industry: name.clone(),
                    baseline_t_per_day: base,
                    loss_t: quantile(&losses, 0.5),
                    loss_pct: 100.0 * quantile(&losses, 0.5) / quantile(&demand, 0.5),
                    demand_t: quantile(&demand, 0.5),
                    loss_t_p5: quantile(&losses, 0.05),
                    loss_t_p95: quantile(&losses, 0.95),
                    unmet_t: quantile(&unmet, 0.5),
                    halt_day_90: h90,
                    halt_day_50: h50,
                    recovery_day_95: rec,
                    halt_date_90: date(h90),
                    halt_date_50: date(h50),
                    recovery_date_95: date(rec),
                    halt_probability: share(&|r| r.halt_day_50[j].is_some()),
                    days_below_50: quantile(
                        &sorted(runs.iter().map(|r| f64::from(r.days_below_50[j])).collect()),
                        0.5,
                    ),
                    below_90_probability: share(&|r| r.halt_day_90[j].is_some()),
                    loss_pct_exceedance: LOSS_THRESHOLDS_PCT
                        .iter()
                        .map(|th| (*th, share(&|r| 100.0 * r.loss_t[j] / wanted(r) > *th)))
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
            edges: edge_months(start, days, layout, runs),
            new_supply: super::new_supply_outcomes(layout, runs),
            descriptions: field_descriptions_in(layout.unit),
            assumptions: Vec::new(),
        }
    }
}

/// Monthly licensed vs requested on gated edges, plus world totals of gated exporters.
fn edge_months(start: Date, days: usize, layout: &Layout, runs: &[&RunRecord]) -> Vec<EdgeMonth> {
    let regions = &layout.regions;
    let n = regions.len();
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let months = first.months;
    let ym0 = start.year_month();
    // Simulated days per month: the first and last months may be partial.
    let mut days_in = vec![0usize; months];
    for d in 0..days {
        let m = start.plus_days(d as i64).year_month().index() - ym0.index();
        if let Some(c) = usize::try_from(m).ok().and_then(|m| days_in.get_mut(m)) {
            *c += 1;
        }
    }
    let base = |pair: usize| layout.baseline_pair_t_per_day.get(pair).copied();
    let gated = &layout.gated_pairs;
    // Exporter × stage totals are reported for every (stage, exporter) that has a gated pair.
    let mut totals: Vec<(usize, usize)> =
        gated.iter().map(|&p| (p / (n * n), (p / n) % n)).collect();
    totals.dedup();
    let mut out = Vec::new();
    let cell = |r: &RunRecord, m: usize, pair: usize, c: usize| r.trade(m, pair)[c];
    for (m, &month_days) in days_in.iter().enumerate() {
        let month = ym0.plus_months(m as i64).to_string();
        let mut push = |stage: usize,
                        exporter: usize,
                        importer: &str,
                        baseline_t_per_day: Option<f64>,
                        pick: &dyn Fn(&RunRecord, usize) -> f64| {
            let col = |c: usize| sorted(runs.iter().map(|r| pick(r, c)).collect());
            let (req, lic, del) = (col(0), col(1), col(2));
            out.push(EdgeMonth {
                stage: layout.products[stage].clone(),
                exporter: regions[exporter].clone(),
                importer: importer.to_string(),
                month: month.clone(),
                requested_t: quantile(&req, 0.5),
                licensed_t: quantile(&lic, 0.5),
                delivered_t: quantile(&del, 0.5),
                licensed_t_p5: quantile(&lic, 0.05),
                licensed_t_p95: quantile(&lic, 0.95),
                delivered_t_p5: quantile(&del, 0.05),
                delivered_t_p95: quantile(&del, 0.95),
                baseline_t: baseline_t_per_day.map(|b| b * month_days as f64),
            });
        };
        for &(stage, exporter) in &totals {
            // Over the pairs the runs record, as the orders beside it: an MRIO run records
            // only the controlled destinations, and a baseline over every importer made a
            // destination-limited control's orders read as a 66 % collapse.
            let world_base: Option<f64> = (0..n)
                .filter(|&i| i != exporter)
                .map(|i| pair_index(n, stage, exporter, i))
                .filter(|pair| first.trade_pairs.binary_search(pair).is_ok())
                .map(base)
                .sum();
            push(stage, exporter, "WLD", world_base, &|r, c| {
                (0..n)
                    .filter(|&i| i != exporter)
                    .map(|i| cell(r, m, pair_index(n, stage, exporter, i), c))
                    .sum()
            });
        }
        for &pair in gated {
            let (stage, exporter, importer) = (pair / (n * n), (pair / n) % n, pair % n);
            push(stage, exporter, &regions[importer], base(pair), &|r, c| {
                cell(r, m, pair, c)
            });
        }
    }
    out
}

/// Daily p5/p50/p95 of output relative to baseline per node (runs recorded with series on).
pub fn series_bands(start: Date, layout: &Layout, runs: &[&RunRecord]) -> Vec<SeriesBand> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let n_nodes = layout.nodes.len();
    let days = first.output_index.len() / n_nodes.max(1);
    let mut out = Vec::new();
    let mut buf = Vec::with_capacity(runs.len());
    for (j, (region, name, base)) in layout.nodes.iter().enumerate() {
        if *base <= 0.0 {
            continue;
        }
        for d in 0..days {
            buf.clear();
            buf.extend(
                runs.iter()
                    .map(|r| f64::from(r.output_index[d * n_nodes + j])),
            );
            buf.sort_by(f64::total_cmp);
            out.push(SeriesBand {
                region: layout.regions[*region].clone(),
                industry: name.clone(),
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
