//! `chokepoint exposure … --after SCENARIO.toml`: supplier shares, HHI, the CRMA check and
//! import reliance recomputed from the simulated flows of a Monte Carlo run of an export
//! control, as p50 and p95 over runs, next to the pre-shock (requested) values.
//!
//! Per run, for the product's stage and the importer's region: imports from each exporter
//! are the delivered tonnes summed over the horizon (requested tonnes for "before");
//! domestic output is the region's baseline production of the stage over the horizon (the
//! flow model records cross-region trade only, so domestic output is held at baseline and
//! the output says so).

use std::path::Path;

use chokepoint_model::Stage;
use chokepoint_sim::montecarlo::quantile;
use chokepoint_sim::network::chain::{REGIONS, STAGES};
use chokepoint_sim::network::flow::RunRecord;
use chokepoint_sim::network::flow::pair_index;
use chokepoint_store::indicators::concentration::hhi;
use chokepoint_store::indicators::exposure::{CRMA_MAX_SINGLE_COUNTRY_SHARE, Importer};
use serde::Serialize;

use super::shares::short;
use super::simulate_controls;
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// Runs used for `--after` (the same default as `chokepoint simulate`).
pub const RUNS: usize = 100;
/// Seed used for `--after` (the same default as `chokepoint simulate`).
pub const SEED: u64 = 42;

/// One figure before the control and after it (p50, p95 over runs).
#[derive(Clone, Debug, Serialize)]
pub struct Band {
    /// What it is.
    pub measure: String,
    /// Supplier region, when the figure is per supplier.
    pub region: Option<String>,
    /// Before the control (p50 of requested flows).
    pub before: f64,
    /// After, median over runs.
    pub after_p50: f64,
    /// After, 95th percentile over runs.
    pub after_p95: f64,
    /// Unit.
    pub unit: &'static str,
}

/// The post-shock exposure.
#[derive(Serialize)]
pub struct AfterReport {
    /// Scenario file.
    pub scenario: String,
    /// Importer region of the chain.
    pub importer_region: String,
    /// Stage of the product.
    pub stage: Stage,
    /// Runs and seed.
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// Days simulated from `start`.
    pub days: usize,
    /// First day.
    pub start: String,
    /// The figures.
    pub figures: Vec<Band>,
    /// Caveats.
    pub notes: Vec<String>,
}

struct RunFigures {
    shares: Vec<f64>,
    hhi: f64,
    top_third_share: f64,
    imports_t: f64,
    reliance: f64,
}

/// The chain region of an importer (the EU is one region).
fn region_index(importer: &Importer) -> anyhow::Result<usize> {
    let code = match importer {
        Importer::Eu => "EU",
        Importer::Country(c) => c.as_str(),
    };
    REGIONS.iter().position(|r| *r == code).ok_or_else(|| {
        UserError(format!(
            "--after: {code} is not a region of the bundled chain ({}); use one of them",
            REGIONS.join(", ")
        ))
        .into()
    })
}

fn figures(
    record: &RunRecord,
    net_domestic: f64,
    exports: f64,
    n: usize,
    stage: usize,
    r: usize,
    col: usize,
) -> RunFigures {
    let months = record.months;
    let mut from = vec![0.0; n];
    for (e, slot) in from.iter_mut().enumerate() {
        if e == r {
            continue;
        }
        let pair = pair_index(n, stage, e, r);
        *slot = (0..months).map(|m| record.trade(m, pair)[col]).sum();
    }
    let imports: f64 = from.iter().sum();
    // No imports: shares are undefined (NaN drops out of the percentiles), not zero.
    let shares: Vec<f64> = from
        .iter()
        .map(|q| if imports > 0.0 { q / imports } else { f64::NAN })
        .collect();
    let top_third_share = if imports > 0.0 {
        shares.iter().copied().fold(0.0, f64::max)
    } else {
        f64::NAN
    };
    let consumption = net_domestic + imports - exports;
    RunFigures {
        hhi: if imports > 0.0 {
            hhi(&shares)
        } else {
            f64::NAN
        },
        top_third_share,
        imports_t: imports,
        reliance: if consumption > 0.0 {
            (imports - exports) / consumption
        } else {
            f64::NAN
        },
        shares,
    }
}

fn band(
    measure: &str,
    region: Option<&str>,
    before: &[f64],
    after: &[f64],
    unit: &'static str,
) -> Band {
    let sorted = |v: &[f64]| {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (b, a) = (sorted(before), sorted(after));
    Band {
        measure: measure.into(),
        region: region.map(str::to_string),
        before: quantile(&b, 0.5),
        after_p50: quantile(&a, 0.5),
        after_p95: quantile(&a, 0.95),
        unit,
    }
}

/// Runs the scenario and computes the post-shock exposure.
pub fn compute(
    scenario: &Path,
    importer: &Importer,
    stage: Stage,
    data_dir: Option<&Path>,
) -> anyhow::Result<AfterReport> {
    let r = region_index(importer)?;
    let p = STAGES
        .iter()
        .position(|s| *s == stage.as_str())
        .ok_or_else(|| {
            UserError(format!(
                "--after: the chain trades {} only; {stage} is not one of them",
                STAGES.join(", ")
            ))
        })?;
    let loaded = simulate_controls::load(scenario, data_dir)?;
    let simulate_controls::Net::Chain(input) = &loaded.net else {
        return Err(UserError(format!(
            "--after {}: post-shock exposure needs a scenario of the rare-earth chain, not an MRIO table",
            scenario.display()
        ))
        .into());
    };
    let runs = simulate_controls::run_monte_carlo(&loaded, RUNS, SEED, false, None)?;
    let n = loaded.regions.len();
    let days = loaded.scenario.days as f64;
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (draw, record) in &runs.runs {
        let net = input.network(draw)?;
        let production = net.production(r, p) * days;
        // The importer's own exports of the stage, requested (before) or delivered (after).
        let exports = |col: usize| -> f64 {
            (0..n)
                .filter(|&i| i != r)
                .map(|i| {
                    let pair = pair_index(n, p, r, i);
                    (0..record.months)
                        .map(|m| record.trade(m, pair)[col])
                        .sum::<f64>()
                })
                .sum()
        };
        before.push(figures(record, production, exports(0), n, p, r, 0));
        after.push(figures(record, production, exports(2), n, p, r, 2));
    }
    let pick =
        |v: &[RunFigures], f: &dyn Fn(&RunFigures) -> f64| v.iter().map(f).collect::<Vec<f64>>();
    let mut figures_out = Vec::new();
    for (e, region) in loaded.regions.iter().enumerate() {
        if e == r {
            continue;
        }
        let b = pick(&before, &|x| 100.0 * x.shares[e]);
        let a = pick(&after, &|x| 100.0 * x.shares[e]);
        if b.iter().chain(&a).any(|v| *v > 0.0) {
            figures_out.push(band("supplier_share", Some(region), &b, &a, "%"));
        }
    }
    figures_out.push(band(
        "supplier_hhi",
        None,
        &pick(&before, &|x| x.hhi),
        &pick(&after, &|x| x.hhi),
        "0-10000",
    ));
    figures_out.push(band(
        "crma_top_third_country_share",
        None,
        &pick(&before, &|x| 100.0 * x.top_third_share),
        &pick(&after, &|x| 100.0 * x.top_third_share),
        "%",
    ));
    figures_out.push(band(
        "imports",
        None,
        &pick(&before, &|x| x.imports_t),
        &pick(&after, &|x| x.imports_t),
        "t",
    ));
    figures_out.push(band(
        "import_reliance",
        None,
        &pick(&before, &|x| 100.0 * x.reliance),
        &pick(&after, &|x| 100.0 * x.reliance),
        "%",
    ));
    let mut notes = Vec::new();
    if before.iter().all(|x| x.imports_t <= 0.0) {
        notes.push(format!(
            "not computable: needs imports of {stage} into {} in the chain (it has none), so \
             supplier shares, HHI and the CRMA check are empty",
            REGIONS[r]
        ));
    }
    Ok(AfterReport {
        scenario: scenario.display().to_string(),
        importer_region: REGIONS[r].to_string(),
        stage,
        runs: runs.runs.len(),
        seed: SEED,
        days: loaded.scenario.days,
        start: loaded.scenario.start.to_string(),
        figures: figures_out,
        notes: [
            format!(
                "before = requested flows (what buyers ordered), after = delivered flows, summed \
                 over the {} simulated days; p50/p95 over {RUNS} runs, seed {SEED}",
                loaded.scenario.days
            ),
            "domestic output held at its baseline (the flow model records cross-region trade \
             only); reliance = (imports - exports) / (output + imports - exports)"
                .into(),
            format!(
                "CRMA benchmark {:.0} %: the largest single supplier region's share of imports",
                100.0 * CRMA_MAX_SINGLE_COUNTRY_SHARE
            ),
        ]
        .into_iter()
        .chain(notes)
        .collect(),
    })
}

/// Prints the post-shock report.
pub fn print(r: &AfterReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(r)?;
        return Ok(());
    }
    let mut t = Table::new([
        "measure",
        "region",
        "before",
        "after_p50",
        "after_p95",
        "unit",
        "note",
    ]);
    for b in &r.figures {
        let decimals = if b.unit == "%" { 2 } else { 0 };
        let note = if b.measure == "crma_top_third_country_share" && b.after_p50.is_finite() {
            let benchmark = 100.0 * CRMA_MAX_SINGLE_COUNTRY_SHARE;
            let verdict = |v: f64| if v > benchmark { "FAIL" } else { "PASS" };
            Cell::from(format!(
                "before {}, after p50 {} ({:+.1} pp vs the 65 % benchmark), p95 {}",
                verdict(b.before),
                verdict(b.after_p50),
                b.after_p50 - benchmark,
                verdict(b.after_p95)
            ))
        } else {
            Cell::Null
        };
        t.push(vec![
            b.measure.clone().into(),
            b.region.clone().unwrap_or_default().into(),
            Cell::float(b.before, decimals),
            Cell::float(b.after_p50, decimals),
            Cell::float(b.after_p95, decimals),
            b.unit.into(),
            note,
        ]);
    }
    for n in &r.notes {
        t.push(vec![
            "note".into(),
            "".into(),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            "".into(),
            short(n, format).into(),
        ]);
    }
    t.print(format)?;
    Ok(())
}
