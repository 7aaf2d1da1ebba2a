//! `chokepoint exposure … --after SCENARIO.toml`: supplier shares, HHI, the CRMA check and
//! import reliance recomputed from the simulated flows of a Monte Carlo run of an export
//! control, as p5, p50 and p95 over runs, next to the same figures without the control.
//!
//! Per run, for the product's stage and the importer's region: "before" is the chain's
//! baseline (no-control) flows over the simulated window, so before → after is the effect of
//! the control; "after" is the delivered tonnes summed over the window. What buyers
//! requested under the control (baseline plus restocking orders) is reported on its own
//! `imports_requested` row, never as "before". Domestic output is the region's baseline
//! production of the stage over the window (the flow model records cross-region trade only,
//! so domestic output is held at baseline and the output says so).

use std::io::IsTerminal;
use std::path::Path;

use chokepoint_model::Stage;
use chokepoint_server::after::{AfterError, AfterReport, Band, ExposureTarget};
use chokepoint_sim::SimError;
use chokepoint_sim::montecarlo::{self, NetworkInput, quantile};
use chokepoint_sim::network::chain::{N_STAGES, STAGES, output_assumption};
use chokepoint_sim::network::flow::pair_index;
use chokepoint_sim::policies::Draw;
use chokepoint_sim::policies::scenario::PolicyScenario;
use chokepoint_store::indicators::concentration::hhi;
use chokepoint_store::indicators::exposure::{
    CRMA_MAX_SINGLE_COUNTRY_SHARE, CrmaVerdict, Importer, ShareBound,
};

use super::simulate_controls;
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// Runs used for `--after` unless `--runs` says otherwise (the default of `simulate`).
pub const RUNS: usize = 100;
/// Seed used for `--after` unless `--seed` says otherwise (the default of `simulate`).
pub const SEED: u64 = 42;

struct RunFigures {
    shares: Vec<f64>,
    hhi: f64,
    /// The largest third-country supplier's share of apparent consumption.
    top_third_share: f64,
    imports_t: f64,
    reliance: f64,
    /// Apparent consumption: output + imports - exports, t.
    consumption_t: f64,
}

/// Below this share of its baseline, apparent consumption after the shock is a shortage:
/// lower shares and reliance then mean less supply, not a more diverse one.
const SHORTAGE_BELOW: f64 = 0.95;

/// How far `after` (p50) consumption fell below `before`, as a share, when it fell below
/// [`SHORTAGE_BELOW`] of it.
fn shortage(bands: &[Band]) -> Option<f64> {
    let c = bands.iter().find(|b| b.measure == "apparent_consumption")?;
    (c.before > 0.0 && c.after_p50 < SHORTAGE_BELOW * c.before)
        .then(|| 1.0 - c.after_p50 / c.before)
}

/// The region of an importer in the scenario's network (the EU is one region).
fn region_index(regions: &[String], importer: &Importer) -> Result<usize, AfterError> {
    let code = match importer {
        Importer::Eu => "EU",
        Importer::Country(c) => c.as_str(),
    };
    regions
        .iter()
        .position(|r| r == code)
        .ok_or_else(|| AfterError::Argument {
            parameter: "importer",
            message: format!(
                "{code} is not a region of the chain ({}); use one of them",
                regions.join(", ")
            ),
        })
}

/// Imports of `stage` into region `r` per exporter, from `trade(exporter)` (tonnes over the
/// window; the importer's own slot is zero).
fn imports_from(n: usize, r: usize, trade: impl Fn(usize) -> f64) -> Vec<f64> {
    (0..n)
        .map(|e| if e == r { 0.0 } else { trade(e) })
        .collect()
}

/// Shares, HHI, the CRMA share and reliance of one run (or of the baseline) from imports
/// per exporter, domestic output and exports over the window.
fn figures(from: Vec<f64>, output: f64, exports: f64) -> RunFigures {
    let imports: f64 = from.iter().sum();
    // No imports: shares are undefined (NaN drops out of the percentiles), not zero.
    let shares: Vec<f64> = from
        .iter()
        .map(|q| if imports > 0.0 { q / imports } else { f64::NAN })
        .collect();
    // Apparent consumption of the stage in the region: the CRMA base (its benchmark is a
    // share of Union consumption, not of imports), and reliance's denominator.
    // A region that ships out all it makes and buys consumes nothing; the sum then leaves
    // a remainder of ±1e-12 t, and dividing by it gave a reliance of -4e17 %. Within
    // rounding of the flows it is zero (a real negative, exports drawn from stocks, stays).
    let consumption = match output + imports - exports {
        c if c.abs() <= 1e-9 * (output + imports + exports) => 0.0,
        c => c,
    };
    let top = from.iter().copied().fold(0.0, f64::max);
    RunFigures {
        hhi: if imports > 0.0 {
            hhi(&shares)
        } else {
            f64::NAN
        },
        top_third_share: if consumption > 0.0 {
            top / consumption
        } else {
            f64::NAN
        },
        imports_t: imports,
        reliance: if consumption > 0.0 {
            (imports - exports) / consumption
        } else {
            f64::NAN
        },
        consumption_t: consumption,
        shares,
    }
}

/// Says when the region's own output of the stage in the bundled chain is an assumption
/// ([`output_assumption`]), not data (analyst review: the EU's 75 % magnet reliance, and
/// its resilience beside the US, rest on the assumed Japan/EU split, while the static
/// `exposure` finds the reliance not computable from data).
fn own_output_note(scenario: &PolicyScenario, stage: Stage, region: &str) -> Option<String> {
    let key = output_assumption(region, stage.as_str())?;
    let japan = Draw::central(scenario).assumptions.get(key);
    let whose = if japan == key.spec().default {
        "the default; the bundled data give no split; set it under [assumptions] to see \
         another"
    } else {
        "as this scenario's [assumptions] set it (central value); the bundled data give no \
         split"
    };
    Some(format!(
        "{region}'s own magnet output in the chain is an assumption, not data: the output \
         outside China is split {:.0} % Japan, {:.0} % EU by {} = {japan:.2} ({whose}), and \
         import reliance, apparent consumption and the CRMA share of consumption rest on it",
        100.0 * japan,
        100.0 * (1.0 - japan),
        key.spec().key
    ))
}

fn band(measure: &str, region: Option<&str>, before: &[f64], after: &[f64], unit: &str) -> Band {
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
        after_p5: quantile(&a, 0.05),
        after_p50: quantile(&a, 0.5),
        after_p95: quantile(&a, 0.95),
        unit: unit.into(),
    }
}

/// A checked post-shock exposure: a chain scenario, its network and the importer's region
/// and stage, ready to run. The one computation behind `chokepoint exposure --after` and
/// `POST /api/exposure/after` (through the server's `Simulator`, see `wiring.rs`).
pub struct AfterRun {
    name: String,
    scenario: PolicyScenario,
    input: NetworkInput,
    regions: Vec<String>,
    /// The importer's region index.
    r: usize,
    /// The stage's index in the chain.
    p: usize,
    stage: Stage,
    runs: usize,
    seed: u64,
    /// Said of the run before it starts (instruments a shortened horizon left out).
    prepared_notes: Vec<String>,
}

impl AfterRun {
    /// Checks that the importer is a region of the network and the stage one of the chain.
    /// `name` is how the report names the scenario.
    pub fn new(
        name: String,
        scenario: PolicyScenario,
        input: NetworkInput,
        regions: Vec<String>,
        target: &ExposureTarget,
        runs: usize,
        seed: u64,
    ) -> Result<AfterRun, AfterError> {
        let r = region_index(&regions, &target.importer)?;
        let stage = target.stage;
        let p = STAGES
            .iter()
            .position(|s| *s == stage.as_str())
            .ok_or_else(|| AfterError::Argument {
                parameter: "product",
                message: format!(
                    "the chain trades {} only; {stage} is not one of them",
                    STAGES.join(", ")
                ),
            })?;
        Ok(AfterRun {
            name,
            scenario,
            input,
            regions,
            r,
            p,
            stage,
            runs,
            seed,
            prepared_notes: Vec::new(),
        })
    }

    /// Adds notes from preparing the run (e.g. the API's `days` leaving an instrument out),
    /// reported with the result.
    pub fn with_notes(mut self, notes: Vec<String>) -> AfterRun {
        self.prepared_notes = notes;
        self
    }

    /// Monte Carlo runs.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Simulated days.
    pub fn days(&self) -> usize {
        self.scenario.days
    }

    /// Region codes of the network.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// Runs the Monte Carlo (`tick` hears of each run and may stop the rest) and computes
    /// the post-shock exposure.
    pub fn compute(&self, tick: &dyn montecarlo::RunMonitor) -> Result<AfterReport, SimError> {
        let (r, p, stage) = (self.r, self.p, self.stage);
        let (runs, seed) = (self.runs, self.seed);
        let scenario = &self.scenario;
        let out = montecarlo::run_many(scenario, &self.input, runs, seed, false, tick)?;
        let n = self.regions.len();
        let days = scenario.days as f64;
        let mut before = Vec::new();
        let mut requested = Vec::new();
        let mut after = Vec::new();
        for run in &out {
            let (draw, record) = (&run.draw, &run.record);
            let net = self.input.network(draw)?;
            let output = net.production(r, p) * days;
            // What the region made under the scenario, new plants included: a plant's
            // exports were subtracted from consumption while its output was not added, so a
            // bigger EU plant raised China's CRMA share (70.4 % → 73.6 %).
            let made = record
                .stage_output_t
                .get(r * N_STAGES + p)
                .copied()
                .unwrap_or(output);
            let recorded = |e: usize, i: usize, col: usize| -> f64 {
                let pair = pair_index(n, p, e, i);
                (0..record.months)
                    .map(|m| record.trade(m, pair)[col])
                    .sum::<f64>()
            };
            let baseline = |e: usize, i: usize| net.flows[p][e * n + i] * days;
            // The importer's own exports of the stage: baseline, requested or delivered.
            let exports =
                |flow: &dyn Fn(usize) -> f64| -> f64 { (0..n).filter(|&i| i != r).map(flow).sum() };
            before.push(figures(
                imports_from(n, r, |e| baseline(e, r)),
                output,
                exports(&|i| baseline(r, i)),
            ));
            requested.push(figures(
                imports_from(n, r, |e| recorded(e, r, 0)),
                made,
                exports(&|i| recorded(r, i, 0)),
            ));
            after.push(figures(
                imports_from(n, r, |e| recorded(e, r, 2)),
                made,
                exports(&|i| recorded(r, i, 2)),
            ));
        }
        let pick = |v: &[RunFigures], f: &dyn Fn(&RunFigures) -> f64| {
            v.iter().map(f).collect::<Vec<f64>>()
        };
        let mut figures_out = Vec::new();
        for (e, region) in self.regions.iter().enumerate() {
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
        // What buyers ordered under the control (baseline plus restocking): "before" is the
        // baseline (without the control, orders are the baseline), after = requested.
        figures_out.push(band(
            "imports_requested",
            None,
            &pick(&before, &|x| x.imports_t),
            &pick(&requested, &|x| x.imports_t),
            "t",
        ));
        figures_out.push(band(
            "import_reliance",
            None,
            &pick(&before, &|x| 100.0 * x.reliance),
            &pick(&after, &|x| 100.0 * x.reliance),
            "%",
        ));
        figures_out.push(band(
            "apparent_consumption",
            None,
            &pick(&before, &|x| x.consumption_t),
            &pick(&after, &|x| x.consumption_t),
            "t",
        ));
        let mut notes = self.prepared_notes.clone();
        // Under an embargo imports collapse, and with them China's share of what is left:
        // a CRMA PASS and a lower reliance that are a shortage, not diversification.
        if let Some(fall) = shortage(&figures_out) {
            notes.push(format!(
                "apparent consumption of {stage} in {} after is {:.1} % below its baseline (p50): \
                 the lower supplier shares, CRMA share and reliance after measure a shortage \
                 (demand not met), not a more diverse supply",
                self.regions[r],
                100.0 * fall
            ));
        }
        // Which source the chain's baseline was built from (ingested data can replace the
        // bundled figures), so two warehouses' answers can be told apart.
        if let NetworkInput::Bundled(facts) = &self.input {
            notes.extend(facts.provenance.iter().cloned());
            if let Some(note) = own_output_note(scenario, stage, &self.regions[r]) {
                notes.push(note);
            }
        }
        if before.iter().all(|x| x.imports_t <= 0.0) {
            notes.push(format!(
                "not computable: needs imports of {stage} into {} in the chain (it has none), so \
                 supplier shares, HHI and the CRMA check are empty",
                self.regions[r]
            ));
        }
        // The chain's cross-border flows of a stage come from the exporters that report them
        // (for magnets, China's customs only): a single supplier region is then the data's
        // coverage, not a measured single-source dependence.
        let suppliers: Vec<&str> = (0..n)
            .filter(|&e| e != r && before.iter().any(|x| x.shares[e] > 0.0))
            .map(|e| self.regions[e].as_str())
            .collect();
        if let [only] = suppliers.as_slice() {
            notes.push(format!(
                "only {only}'s flows of {stage} into {} are in the chain: its 100 % share of \
                 imports and HHI 10000 reflect which flows are known, not a measured single \
                 source (HHI not measurable; 10000 is an upper bound)",
                self.regions[r]
            ));
        }
        Ok(AfterReport {
            scenario: self.name.clone(),
            importer_region: self.regions[r].clone(),
            stage,
            runs: out.len(),
            seed,
            days: scenario.days,
            start: scenario.start.to_string(),
            figures: figures_out,
            notes: [
                format!(
                    "before = the chain's baseline flows without the control, after = delivered \
                     flows under it, both summed over the {} simulated days from {}; \
                     imports_requested after = what buyers ordered under the control (incl. \
                     restocking); p5/p50/p95 over {runs} runs, seed {seed}",
                    scenario.days, scenario.start
                ),
                "output: the region's baseline output before, what it made under the scenario \
                 after (new plants included); reliance = (imports - exports) / (output + \
                 imports - exports), apparent consumption = output + imports - exports"
                    .into(),
                format!(
                    "CRMA benchmark {:.0} %: the largest single supplier region's share of {}'s \
                     apparent consumption of {stage} (output + imports - exports), as the CRMA \
                     defines it; not its share of imports",
                    100.0 * CRMA_MAX_SINGLE_COUNTRY_SHARE,
                    self.regions[r]
                ),
            ]
            .into_iter()
            .chain(notes)
            .collect(),
        })
    }
}

/// Reads the scenario file and checks it for `--after`: a chain scenario, the importer one of
/// its regions.
pub fn prepare(
    scenario: &Path,
    target: &ExposureTarget,
    runs: usize,
    seed: u64,
    data_dir: Option<&Path>,
) -> anyhow::Result<AfterRun> {
    let loaded = simulate_controls::load(scenario, data_dir)?;
    let simulate_controls::Net::Chain(input) = loaded.net else {
        return Err(UserError(format!(
            "--after {}: post-shock exposure needs a scenario of the rare-earth chain, not an MRIO table",
            scenario.display()
        ))
        .into());
    };
    AfterRun::new(
        scenario.display().to_string(),
        loaded.scenario,
        input,
        loaded.regions,
        target,
        runs,
        seed,
    )
    .map_err(|e| match e {
        AfterError::Argument { message, .. } => UserError(format!("--after: {message}")).into(),
        // The engine's own error keeps its type: src/exit.rs maps it to its exit code.
        AfterError::Sim(e) => e.into(),
        other => anyhow::Error::from(other),
    })
}

/// Runs a checked post-shock exposure with a progress bar when stderr is a terminal.
pub fn compute(run: &AfterRun) -> anyhow::Result<AfterReport> {
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(run.runs() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = run.compute(&|| bar.inc(1))?;
    bar.finish_and_clear();
    Ok(report)
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
        "after_p5",
        "after_p50",
        "after_p95",
        "unit",
        "note",
    ]);
    // One supplier in the chain: the region's other origins are not in it, so its share of
    // consumption is an upper bound, and above the benchmark proves nothing (the static
    // `exposure` says INCONCLUSIVE on the same grounds).
    let bound = ShareBound::of(
        r.figures
            .iter()
            .any(|b| b.measure == "supplier_hhi" && b.before >= 9_999.5),
        false,
    );
    for b in &r.figures {
        let decimals = if b.unit == "%" { 2 } else { 0 };
        let note = if b.measure == "crma_top_third_country_share" && b.after_p50.is_finite() {
            let benchmark = 100.0 * CRMA_MAX_SINGLE_COUNTRY_SHARE;
            let verdict = |v: f64| match bound.verdict(v, benchmark) {
                // No consumption, no share of it (the value cell is empty too).
                _ if !v.is_finite() => "not computable (no consumption)".to_string(),
                CrmaVerdict::Inconclusive => "INCONCLUSIVE (upper bound)".to_string(),
                decided => decided.word().to_string(),
            };
            // A PASS after a shortage is the shortage speaking, and says so.
            let after = |v: f64| match (bound.verdict(v, benchmark), shortage(&r.figures)) {
                (CrmaVerdict::Pass, Some(fall)) => format!(
                    "PASS while short of supply (consumption -{:.1} %)",
                    100.0 * fall
                ),
                _ => verdict(v),
            };
            Cell::from(format!(
                "before {}, after p50 {} ({:+.1} pp vs the 65 % benchmark), p5 {}, p95 {}",
                verdict(b.before),
                after(b.after_p50),
                b.after_p50 - benchmark,
                // The shortage is measured at the median, and qualifies a PASS in the tails
                // as well: a lower share there is the same shortage.
                after(b.after_p5),
                after(b.after_p95)
            ))
        } else if b.measure == "supplier_hhi" && b.before >= 9_999.5 {
            // One known supplier: 10000 is what coverage allows, not a measurement.
            Cell::from("only one supplier's flows are known: not measurable, upper bound")
        } else {
            Cell::Null
        };
        t.push(vec![
            b.measure.clone().into(),
            b.region.clone().unwrap_or_default().into(),
            Cell::float(b.before, decimals),
            Cell::float(b.after_p5, decimals),
            Cell::float(b.after_p50, decimals),
            Cell::float(b.after_p95, decimals),
            b.unit.as_str().into(),
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
            Cell::Null,
            "".into(),
            Cell::Long(n.to_string()),
        ]);
    }
    t.print(format)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::figures;

    /// A region that exports all it makes consumes nothing: the rounding remainder of
    /// output − exports is zero, with no reliance and no CRMA share (it gave -4e17 %).
    #[test]
    fn consumption_zero_to_rounding_is_zero_and_measures_nothing() {
        let output = 0.1 + 0.2;
        let f = figures(vec![0.0, 0.0], output, 0.3);
        assert_eq!(f.consumption_t, 0.0);
        assert!(f.reliance.is_nan() && f.top_third_share.is_nan());
        // Exports drawn from stocks beyond output and imports are a real negative.
        let f = figures(vec![10.0, 0.0], 100.0, 150.0);
        assert_eq!(f.consumption_t, -40.0);
        assert!(f.reliance.is_nan());
        let f = figures(vec![30.0, 10.0], 60.0, 20.0);
        assert_eq!(f.consumption_t, 80.0);
        assert!((f.reliance - 0.25).abs() < 1e-15);
    }
}
