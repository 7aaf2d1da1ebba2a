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

mod crma;
mod figures;
mod print;
mod sensitivity;

use std::io::IsTerminal;
use std::path::Path;

use chokepoint_model::Stage;
use chokepoint_server::after::{AfterError, AfterReport, ExposureTarget};
use chokepoint_sim::SimError;
use chokepoint_sim::montecarlo::{self, NetworkInput};
use chokepoint_sim::network::chain::{N_STAGES, STAGES, flows_from_customs};
use chokepoint_sim::network::flow::pair_index;
use chokepoint_sim::policies::scenario::PolicyScenario;
use chokepoint_store::indicators::exposure::{CRMA_MAX_SINGLE_COUNTRY_SHARE, Importer};

use crma::{crma_of, single_supplier};
use figures::{Measure, Measured, RunFigures, band, figures, imports_from, shortage};
pub use print::print;

use super::simulate_controls;
use crate::exit::UserError;

/// Runs used for `--after` unless `--runs` says otherwise (the default of `simulate`).
pub const RUNS: usize = 100;
/// Seed used for `--after` unless `--seed` says otherwise (the default of `simulate`).
pub const SEED: u64 = 42;

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
        let (r, stage) = (self.r, self.stage);
        let (runs, seed) = (self.runs, self.seed);
        let scenario = &self.scenario;
        let out = montecarlo::run_many(scenario, &self.input, runs, seed, false, tick)?;
        let Measured {
            before,
            requested,
            after,
        } = self.measure(&out)?;
        let n = self.regions.len();
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
        figures_out.push(Measure::Hhi.band(&before, &after));
        figures_out.push(Measure::CrmaShare.band(&before, &after));
        figures_out.push(Measure::Imports.band(&before, &after));
        figures_out.push(Measure::Imports.requested_band(&before, &requested));
        figures_out.push(Measure::Reliance.band(&before, &after));
        figures_out.push(Measure::Consumption.band(&before, &after));
        figures_out.push(Measure::Consumption.requested_band(&before, &requested));
        let upper = single_supplier(&figures_out);
        let crma = crma_of(&figures_out, self.world_share_proxy(), upper);
        let sensitivity = self.sensitivity(tick, upper)?;
        let mut notes = self.prepared_notes.clone();
        // Under an embargo imports collapse, and with them China's share of what is left:
        // a CRMA PASS and a lower reliance that are a shortage, not diversification.
        if let Some(fall) = shortage(&figures_out) {
            notes.push(format!(
                "apparent consumption of {stage} in {} after is {:.1} % below what buyers \
                 wanted (p50; its baseline, or what their orders under the scenario would \
                 have made where that is less): the lower supplier shares, CRMA share and \
                 reliance after measure a shortage (demand not met), not a more diverse supply",
                self.regions[r],
                100.0 * fall
            ));
        }
        // Which source the chain's baseline was built from (ingested data can replace the
        // bundled figures), so two warehouses' answers can be told apart.
        if let NetworkInput::Bundled(facts) = &self.input {
            notes.extend(facts.provenance.iter().cloned());
            if let Some(note) = self.own_output_note(&sensitivity) {
                notes.push(note);
            }
            if self.world_share_proxy() {
                notes.push(format!(
                    "the chain's {stage} flows into {} are drawn from world output shares of \
                     the stage (no customs data by origin): its supplier shares, HHI and \
                     CRMA share are a world-share indicator, not where it buys, and give no \
                     CRMA verdict",
                    self.regions[r]
                ));
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
            crma,
            sensitivity,
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

    /// Whether the chain's flows of the stage into the importer are a world-share proxy
    /// (the bundled chain draws every stage but magnets from world output shares); a
    /// network file's flows are the user's.
    fn world_share_proxy(&self) -> bool {
        matches!(self.input, NetworkInput::Bundled(_)) && !flows_from_customs(self.stage.as_str())
    }

    /// The figures of each run's baseline, requested and delivered flows.
    fn measure(&self, out: &[montecarlo::RunOutput]) -> Result<Measured, SimError> {
        let (r, p) = (self.r, self.p);
        let n = self.regions.len();
        let days = self.scenario.days as f64;
        let mut before = Vec::new();
        let mut requested = Vec::new();
        let mut after = Vec::new();
        for run in out {
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
        Ok(Measured {
            before,
            requested,
            after,
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
        indicatif::ProgressBar::new((run.runs() * run.simulations_per_run()) as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = run.compute(&|| bar.inc(1))?;
    bar.finish_and_clear();
    Ok(report)
}
