//! Builds the server's state from the library crates, and adapts the policy engine
//! (`chokepoint-sim`'s Monte Carlo over the bundled rare-earth chain) to the server's
//! [`Simulator`] boundary. `chokepoint report` uses the same adapter.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chokepoint_server::after::{AfterError, AfterReport, ExposureTarget, PreparedExposure};
use chokepoint_server::runs::{
    FanSeries, ObservedMonth, Overrides, PreparedRun, Progress, RunReport, ScenarioDocument,
    ScenarioFormat, ScenarioSummary, SimulationSize, Simulator,
};
use chokepoint_server::{AppState, Limits};
use chokepoint_sim::SimError;
use chokepoint_sim::montecarlo::{self, Layout, McSummary, NetworkInput, series_bands};
use chokepoint_sim::network::chain::{REGIONS, chain_nodes};
use chokepoint_sim::network::flow::RunRecord;
use chokepoint_sim::policies::scenario::{
    NetworkSource, PolicyScenario, ScenarioFile, is_policy_scenario,
};

use super::chain_data::{ChainData, LiveChainData};
use super::exposure_after::AfterRun;
pub use super::scenario_text::sources;
use super::scenario_text::{LIBRARY, in_body, scenario_name, scenario_toml, title};

/// The policy engine on the bundled chain.
pub struct ChainSimulator {
    data: LiveChainData,
}

impl ChainSimulator {
    /// Reads the bundled facts and customs series, and again whenever the warehouse
    /// changes ([`LiveChainData`]).
    pub fn new(data_dir: Option<&Path>) -> anyhow::Result<ChainSimulator> {
        Ok(ChainSimulator {
            data: LiveChainData::new(data_dir)?,
        })
    }

    /// Where the bundled chain's baseline comes from (which source gave China's magnet
    /// exports), as the warehouse holds it now.
    pub fn baseline_notes(&self) -> Result<Vec<String>, SimError> {
        Ok(self.data.get()?.facts.provenance.clone())
    }

    /// Checks scenario text; `name` labels messages.
    pub fn prepare_named(
        &self,
        name: &str,
        text: &str,
        overrides: &Overrides,
    ) -> Result<ChainRun, SimError> {
        let file = ScenarioFile::parse(Path::new(name), text)?;
        // A scenario from the network could otherwise name any file on this machine, and
        // an answer that differed for paths that exist would tell a client which do: refused
        // as written, before any path is looked at.
        if let Some(network) = file.network_other_than_bundled() {
            return Err(SimError::Invalid(format!(
                "{name}: chain.network = {network:?}: the server runs scenarios on the bundled \
                 network only; remove `network` or run it with `chokepoint simulate`"
            )));
        }
        let regions: Vec<String> = REGIONS.iter().map(|r| r.to_string()).collect();
        let data = self.data.get()?;
        let input = NetworkInput::Bundled(data.facts.clone());
        self.prepare_on(name, text, file, input, regions, overrides, &data)
    }

    /// Checks a scenario file of this machine (`chokepoint report`): as
    /// [`ChainSimulator::prepare_named`], and a network file it names (`network export`) is
    /// read, relative to the scenario. An MRIO folder is refused: the report covers the
    /// rare-earth chain.
    pub fn prepare_local(
        &self,
        path: &Path,
        text: &str,
        overrides: &Overrides,
    ) -> Result<ChainRun, SimError> {
        let name = path.display().to_string();
        let file = ScenarioFile::parse(path, text)?;
        match file.network_source()? {
            NetworkSource::Bundled => {
                let regions: Vec<String> = REGIONS.iter().map(|r| r.to_string()).collect();
                let data = self.data.get()?;
                let input = NetworkInput::Bundled(data.facts.clone());
                self.prepare_on(&name, text, file, input, regions, overrides, &data)
            }
            NetworkSource::File(p) if p.is_dir() => Err(SimError::Invalid(format!(
                "{name}: chain.network = {:?} is an MRIO folder: `report` covers the \
                 rare-earth chain; run the scenario with `chokepoint simulate`",
                p.display().to_string()
            ))),
            NetworkSource::File(p) => {
                let net = chokepoint_sim::network::file::load(&p)?;
                let regions = net.regions.clone();
                self.prepare_on(
                    &name,
                    text,
                    file,
                    NetworkInput::Fixed(net),
                    regions,
                    overrides,
                    &*self.data.get()?,
                )
            }
        }
    }

    /// The checks and the run of a parsed scenario on `input`; `data` gives the customs
    /// series the run is compared with.
    #[allow(clippy::too_many_arguments)]
    fn prepare_on(
        &self,
        name: &str,
        text: &str,
        mut file: ScenarioFile,
        input: NetworkInput,
        regions: Vec<String>,
        overrides: &Overrides,
        data: &ChainData,
    ) -> Result<ChainRun, SimError> {
        // Overrides go into the file before its checks: an overridden horizon or share meets
        // the same checks (a maximum, a share out of range) as one in the file; instruments
        // that begin after a shortened horizon are left out, with a note.
        let mut notes = overrides
            .days
            .map(|days| file.override_days(days))
            .unwrap_or_default();
        if let Some(share) = overrides.approval_share {
            notes.extend(file.override_approval_share(share));
        }
        let scenario = file
            .check_chain(&input)
            .map_err(|e| with_overrides(e, overrides))?;
        Ok(ChainRun {
            name: name.to_string(),
            sources: sources(text),
            runs: overrides.runs.unwrap_or(100),
            seed: overrides.seed.unwrap_or(42),
            scenario,
            input,
            regions,
            observed: data.observed.clone(),
            notes,
        })
    }
}

/// A scenario error caused or shaped by an override says so: the file alone would pass.
fn with_overrides(e: SimError, o: &Overrides) -> SimError {
    let given: Vec<String> = [
        o.days.map(|d| format!("days = {d}")),
        o.approval_share.map(|a| format!("approval_share = {a}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    match e {
        SimError::Scenario {
            path,
            location,
            key,
            message,
        } if !given.is_empty() => SimError::Scenario {
            path,
            location,
            key,
            message: format!("{message} (with the request's {})", given.join(", ")),
        },
        other => other,
    }
}

/// A checked scenario of the bundled chain, ready to run.
pub struct ChainRun {
    name: String,
    sources: Vec<String>,
    runs: u64,
    seed: u64,
    scenario: PolicyScenario,
    input: NetworkInput,
    regions: Vec<String>,
    observed: Vec<ObservedMonth>,
    /// Instruments the request's `days` left out.
    notes: Vec<String>,
}

impl PreparedRun for ChainRun {
    fn name(&self) -> &str {
        &self.name
    }

    fn size(&self) -> SimulationSize {
        // Each draw also runs without each new plant (and without all), so the limit
        // counts those simulations too.
        SimulationSize {
            per_run: montecarlo::simulations_per_run(&self.scenario) as u64,
            ..chain_size(self.runs, self.scenario.days, self.regions.len())
        }
    }

    fn run(self: Box<Self>, progress: &Progress) -> Result<RunReport, SimError> {
        let total = self.runs;
        let monitor = ServerMonitor::new(progress, total);
        let runs = montecarlo::run_many_measuring_new_supply(
            &self.scenario,
            &self.input,
            total as usize,
            self.seed,
            true,
            &monitor,
        )?;
        let Some(first) = runs.first() else {
            return Err(SimError::Invalid(
                "a simulation needs at least one run".into(),
            ));
        };
        let layout = Layout::chain(&first.topology, &self.regions);
        let records: Vec<&RunRecord> = runs.iter().map(|r| &r.record).collect();
        let mut summary = McSummary::new(
            &self.name,
            self.seed,
            self.scenario.start,
            self.scenario.days,
            &layout,
            &records,
        );
        summary.assumptions =
            chokepoint_sim::policies::in_force::assumptions_in_force(&self.scenario);
        let bands = series_bands(self.scenario.start, &layout, &records);
        Ok(RunReport {
            summary,
            outputs: fan_series(bands),
            observed: self.observed,
            sources: self.sources,
            notes: self.notes,
        })
    }
}

/// Groups daily bands (ordered by series, then day) into one fan series per region x industry,
/// in percent of baseline output.
fn fan_series(bands: Vec<montecarlo::SeriesBand>) -> Vec<FanSeries> {
    let mut out: Vec<FanSeries> = Vec::new();
    for b in bands {
        let same = out
            .last()
            .is_some_and(|s| s.region == b.region && s.industry == b.industry);
        if !same {
            out.push(FanSeries {
                region: b.region.clone(),
                industry: b.industry.clone(),
                unit: "% of baseline output".into(),
                day: Vec::new(),
                p5: Vec::new(),
                p50: Vec::new(),
                p95: Vec::new(),
            });
        }
        let s = out.last_mut().expect("invariant: pushed above when empty");
        s.day.push(b.day);
        s.p5.push(b.p5 * 100.0);
        s.p50.push(b.p50 * 100.0);
        s.p95.push(b.p95 * 100.0);
    }
    out
}

impl Simulator for ChainSimulator {
    fn scenarios(&self) -> Vec<ScenarioSummary> {
        LIBRARY
            .iter()
            .map(|(name, text)| ScenarioSummary {
                name: (*name).to_string(),
                title: title(text),
            })
            .collect()
    }

    fn scenario(&self, name: &str) -> Option<ScenarioDocument> {
        LIBRARY
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(name, text)| ScenarioDocument {
                name: (*name).to_string(),
                title: title(text),
                toml: (*text).to_string(),
            })
    }

    fn prepare(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
    ) -> Result<Box<dyn PreparedRun>, SimError> {
        let text = scenario_toml(text, format)?;
        let name = scenario_name(&text, format);
        let run = self
            .prepare_named(&name, &text, overrides)
            .map_err(|e| in_body(e, format))?;
        Ok(Box::new(run))
    }

    fn network(&self) -> Result<serde_json::Value, SimError> {
        Ok(self.data.get()?.network.clone())
    }

    fn prepare_exposure(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
        target: &ExposureTarget,
    ) -> Result<Box<dyn PreparedExposure>, AfterError> {
        let text = scenario_toml(text, format)?;
        let name = scenario_name(&text, format);
        // Syntax first, so a malformed file is reported as such (with line and column)
        // rather than as a scenario of the wrong kind.
        let file = ScenarioFile::parse(Path::new(&name), &text)?;
        if !is_policy_scenario(&text) {
            return Err(AfterError::Argument {
                parameter: "scenario",
                message: format!(
                    "{name} is an MRIO/ARIO scenario (no [chain] table, no policy \
                     instrument); post-shock exposure needs a scenario of the rare-earth \
                     chain, e.g. a library one (GET /api/scenarios)"
                ),
            });
        }
        // An MRIO folder or a network file: the exposure is computed on the bundled chain only.
        if let Some(network) = file.network_other_than_bundled() {
            return Err(AfterError::Argument {
                parameter: "scenario",
                message: format!(
                    "{name}: chain.network = {network}: post-shock exposure is computed on the \
                     bundled rare-earth chain only, not on an MRIO table or a network file; \
                     remove `network`, or run `chokepoint exposure --after FILE`"
                ),
            });
        }
        let run = self
            .prepare_named(&name, &text, overrides)
            .map_err(|e| in_body(e, format))?;
        Ok(Box::new(
            AfterRun::new(
                run.name,
                run.scenario,
                run.input,
                run.regions,
                target,
                usize::try_from(run.runs).unwrap_or(usize::MAX),
                run.seed,
            )?
            .with_notes(run.notes),
        ))
    }
}

/// The size of a chain simulation: runs x days x (regions x (stages + industries)).
fn chain_size(runs: u64, days: usize, regions: usize) -> SimulationSize {
    SimulationSize::new(runs, days as u64, chain_nodes(regions) as u64)
}

impl PreparedExposure for AfterRun {
    fn size(&self) -> SimulationSize {
        SimulationSize {
            // The sensitivity to the importer's own-output assumption reruns the draws.
            per_run: self.simulations_per_run() as u64,
            ..chain_size(self.runs() as u64, self.days(), self.regions().len())
        }
    }

    fn run(self: Box<Self>, progress: &Progress) -> Result<AfterReport, SimError> {
        let total = (self.runs() * self.simulations_per_run()) as u64;
        let monitor = ServerMonitor::new(progress, total);
        self.compute(&monitor)
    }
}

/// A server simulation's Monte Carlo monitor: each finished run advances the progress that
/// `GET /api/runs/{id}` shows, and no further run starts once the request has timed out
/// or gone away (they went on to the end, holding a simulation slot: new requests got 429
/// from a simulation nobody would read).
struct ServerMonitor<'a> {
    progress: &'a Progress,
    done: AtomicU64,
    total: u64,
}

impl<'a> ServerMonitor<'a> {
    fn new(progress: &'a Progress, total: u64) -> ServerMonitor<'a> {
        progress.report(0, total);
        ServerMonitor {
            progress,
            done: AtomicU64::new(0),
            total,
        }
    }
}

impl montecarlo::RunMonitor for ServerMonitor<'_> {
    fn run_done(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.progress.report(n, self.total);
    }

    fn stop_requested(&self) -> bool {
        self.progress.is_cancelled()
    }
}

/// The state `chokepoint serve` runs with: the warehouse and the engine.
pub fn state(
    warehouse: chokepoint_store::Warehouse,
    limits: Limits,
    data_dir: Option<&Path>,
) -> anyhow::Result<AppState> {
    Ok(AppState::new(limits)
        .with_warehouse(Arc::new(warehouse))
        .with_simulator(Arc::new(ChainSimulator::new(data_dir)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_sim::policies::dist::ParamKind;

    #[test]
    fn library_scenarios_check_and_have_titles() {
        let dir = tempfile::tempdir().unwrap();
        let sim = ChainSimulator::new(Some(dir.path())).unwrap();
        for s in sim.scenarios() {
            assert_ne!(s.title, "(untitled)", "{}", s.name);
            let doc = sim.scenario(&s.name).unwrap();
            let run = sim
                .prepare(&doc.toml, ScenarioFormat::Toml, &Overrides::default())
                .unwrap();
            assert_eq!(run.name(), format!("{}.toml", s.name));
            assert!(run.size().cells() > 0);
        }
    }

    #[test]
    fn network_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let sim = ChainSimulator::new(Some(dir.path())).unwrap();
        let err = sim
            .prepare(
                "[chain]\nnetwork = \"/etc/passwd\"\n",
                ScenarioFormat::Toml,
                &Overrides::default(),
            )
            .err()
            .unwrap();
        assert!(err.is_user_error());
        assert!(err.to_string().contains("bundled network only"));
        // A path that exists and one that does not get the same answer: nothing to probe.
        let answer = |path: &str| {
            let text = format!("[chain]\nnetwork = \"{path}\"\n");
            let err = sim
                .prepare(&text, ScenarioFormat::Toml, &Overrides::default())
                .err()
                .unwrap();
            err.to_string().replace(path, "PATH")
        };
        assert_eq!(answer("/etc/hostname"), answer("/no/such/file"));
    }

    #[test]
    fn overrides_change_days_and_approval() {
        let dir = tempfile::tempdir().unwrap();
        let sim = ChainSimulator::new(Some(dir.path())).unwrap();
        let o = Overrides {
            runs: Some(3),
            seed: Some(1),
            days: Some(30),
            approval_share: Some(0.1),
        };
        let run = sim.prepare_named("t.toml", LIBRARY[0].1, &o).unwrap();
        assert_eq!(run.size().days, 30);
        assert_eq!(run.size().runs, 3);
        for c in &run.scenario.controls {
            assert_eq!(c.approval_share.kind, ParamKind::Fixed(0.1));
        }
    }

    /// An override is checked as the file's own value would be: a horizon above the maximum
    /// is refused like the CLI refuses the file. A horizon that ends before an instrument
    /// begins runs the first days without it and says so (the dashboard's "simulated days";
    /// every library scenario runs for its first 30 days).
    #[test]
    fn overrides_are_checked_like_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let sim = ChainSimulator::new(Some(dir.path())).unwrap();
        let days = |days| Overrides {
            days: Some(days),
            ..Overrides::default()
        };
        let err = sim
            .prepare_named("april.toml", LIBRARY[0].1, &days(36_501))
            .err()
            .unwrap();
        assert!(err.is_user_error());
        let msg = err.to_string();
        assert!(msg.contains("april.toml:"), "{msg}");
        assert!(msg.contains("with the request's days = 36501"), "{msg}");
        // 0 meets the same check (the API answers both with a 422).
        let err = sim
            .prepare_named("april.toml", LIBRARY[0].1, &days(0))
            .err()
            .unwrap();
        assert!(err.is_user_error());
        let msg = err.to_string();
        assert!(msg.contains("`chain.days`: 0 is outside"), "{msg}");
        assert!(msg.contains("with the request's days = 0"), "{msg}");
        let run = sim
            .prepare_named("april.toml", LIBRARY[0].1, &days(1))
            .unwrap();
        assert!(run.scenario.controls.is_empty());
        assert!(
            run.notes[0].contains("left out of this run"),
            "{:?}",
            run.notes
        );
        for (name, text) in LIBRARY {
            sim.prepare_named(name, text, &days(30))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn a_small_run_reports_fans_industries_and_edges() {
        let dir = tempfile::tempdir().unwrap();
        let sim = ChainSimulator::new(Some(dir.path())).unwrap();
        let o = Overrides {
            runs: Some(4),
            seed: Some(7),
            days: Some(60),
            approval_share: None,
        };
        let run = Box::new(sim.prepare_named("april.toml", LIBRARY[0].1, &o).unwrap());
        let progress = Progress::default();
        let report = run.run(&progress).unwrap();
        assert_eq!(report.summary.runs, 4);
        assert!(!report.summary.industries.is_empty());
        assert!(!report.summary.edges.is_empty());
        let fan = report.outputs.first().unwrap();
        assert_eq!(fan.day.len(), 60);
        assert!(fan.p5.iter().zip(&fan.p95).all(|(a, b)| a <= b));
        assert!(!report.sources.is_empty());
    }
}
