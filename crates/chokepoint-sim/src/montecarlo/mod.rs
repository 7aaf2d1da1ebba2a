//! Monte Carlo over a policy scenario: N draws in parallel, one ChaCha stream per run index.
//!
//! Run `i` draws its parameters from `ChaCha8Rng::seed_from_u64(seed)` on stream `i`, so a
//! run's numbers depend only on the seed and its index, never on the thread count or the
//! order in which threads pick runs up. Results are collected in run order and summarised
//! as p5/p50/p95 and exceedance probabilities.

mod descriptions;
pub mod mrio;
mod new_supply;
mod summary;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use descriptions::{FIELD_DESCRIPTIONS, field_descriptions, field_descriptions_in};
pub use new_supply::{NewSupplyOutcome, new_supply_outcomes};
pub use summary::{
    EdgeMonth, FlowUnit, IndustryOutcome, Layout, McSummary, SeriesBand, quantile, series_bands,
};

use crate::SimError;
use crate::network::chain::{ChainFacts, ChainNetwork};
use crate::network::flow::{RunRecord, Topology, run};
use crate::policies::scenario::PolicyScenario;
use crate::policies::{Draw, Plan};

/// The network a scenario runs on.
#[derive(Debug, Clone)]
pub enum NetworkInput {
    /// A fixed network (loaded from a file): assumptions that shape the network are ignored.
    Fixed(ChainNetwork),
    /// The bundled chain, rebuilt per run from facts and that run's assumptions.
    Bundled(ChainFacts),
}

impl NetworkInput {
    /// The network under one draw's assumptions.
    pub fn network(&self, draw: &Draw) -> Result<ChainNetwork, SimError> {
        match self {
            NetworkInput::Fixed(n) => Ok(n.clone()),
            NetworkInput::Bundled(f) => ChainNetwork::build(f, &draw.assumptions),
        }
    }
}

/// One finished run: its draw, its layout and its record.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The parameters drawn.
    pub draw: Draw,
    /// The network layout used.
    pub topology: Topology,
    /// What was recorded.
    pub record: RunRecord,
}

/// Runs one draw.
pub fn run_draw(
    scenario: &PolicyScenario,
    input: &NetworkInput,
    draw: Draw,
    record_series: bool,
) -> Result<RunOutput, SimError> {
    let net = input.network(&draw)?;
    let plan = Plan::compile(scenario, &draw);
    let topology = Topology::new(&net, &plan, &draw.assumptions);
    let record = run(&topology, &plan, &draw.assumptions, record_series)?;
    Ok(RunOutput {
        draw,
        topology,
        record,
    })
}

/// The random stream of run `index` for a seed.
pub fn run_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    rng
}

/// What a Monte Carlo reports to and asks of its caller, from any thread: told when a run
/// finishes, asked before each starts whether to go on. A closure `Fn()` is a monitor that
/// never stops (the CLI's progress bar); the server stops the runs of a request that timed
/// out or went away, which otherwise went on to the end holding a simulation slot.
pub trait RunMonitor: Sync {
    /// A run finished.
    fn run_done(&self);
    /// Whether the remaining runs should not start.
    fn stop_requested(&self) -> bool {
        false
    }
}

impl<F: Fn() + Sync> RunMonitor for F {
    fn run_done(&self) {
        self()
    }
}

/// Runs `run(i)` for every draw index in parallel, unless `monitor` asks to stop: then no
/// further run starts and the result is [`SimError::Cancelled`] (the runs in flight finish).
fn monitored<T: Send>(
    runs: usize,
    monitor: &dyn RunMonitor,
    run: impl Fn(usize) -> Result<T, SimError> + Sync,
) -> Result<Vec<T>, SimError> {
    (0..runs)
        .into_par_iter()
        .map(|i| {
            if monitor.stop_requested() {
                return Err(SimError::Cancelled);
            }
            let out = run(i);
            monitor.run_done();
            out
        })
        .collect()
}

/// Runs `runs` draws in parallel on the current rayon pool; `monitor` hears of each
/// finished run and may stop the rest. New plants' effects are not measured (see
/// [`run_many_measuring_new_supply`]).
pub fn run_many(
    scenario: &PolicyScenario,
    input: &NetworkInput,
    runs: usize,
    seed: u64,
    record_series: bool,
    monitor: &dyn RunMonitor,
) -> Result<Vec<RunOutput>, SimError> {
    run_many_with(scenario, input, runs, seed, record_series, false, monitor)
}

/// As [`run_many`], and measures what each new plant changed: each draw is run again
/// without each plant in turn (the others kept) and, when two plants or more changed
/// nothing alone, without all of those, so that a plant's effect is measured, not guessed
/// from its region's output (a plant's orders can pull scarce inputs to its region while
/// the region's output stays below baseline), not credited with another plant's, and not
/// called unused when another plant only stands in for it. [`simulations_per_run`] runs per draw, for the callers that
/// show the outcome (`simulate`, `report`, the server's simulations).
pub fn run_many_measuring_new_supply(
    scenario: &PolicyScenario,
    input: &NetworkInput,
    runs: usize,
    seed: u64,
    record_series: bool,
    monitor: &dyn RunMonitor,
) -> Result<Vec<RunOutput>, SimError> {
    run_many_with(scenario, input, runs, seed, record_series, true, monitor)
}

/// Simulations per Monte Carlo draw when new plants are measured, at most: the draw, one
/// without each plant, and one without those that changed nothing alone. What a size limit
/// on [`run_many_measuring_new_supply`] must count.
pub fn simulations_per_run(scenario: &PolicyScenario) -> usize {
    match scenario.new_supply.len() {
        0 => 1,
        1 => 2,
        k => k + 2,
    }
}

fn run_many_with(
    scenario: &PolicyScenario,
    input: &NetworkInput,
    runs: usize,
    seed: u64,
    record_series: bool,
    pair_new_supply: bool,
    monitor: &dyn RunMonitor,
) -> Result<Vec<RunOutput>, SimError> {
    let regions = match input {
        NetworkInput::Fixed(net) => net.regions.len(),
        NetworkInput::Bundled(_) => crate::network::chain::REGIONS.len(),
    };
    let industries = regions * crate::network::chain::N_INDUSTRIES;
    let nodes = crate::network::chain::chain_nodes(regions);
    check_kept_memory(runs, scenario.days, nodes, industries, record_series)?;
    monitored(runs, monitor, |i| {
        let draw = Draw::sample(scenario, &mut run_rng(seed, i));
        let plants = if pair_new_supply {
            draw.new_supply.len()
        } else {
            0
        };
        let singles: Vec<Draw> = (0..plants).map(|k| without_plants(&draw, &[k])).collect();
        let base = (plants >= 2).then(|| draw.clone());
        let mut out = run_draw(scenario, input, draw, record_series)?;
        let paired = |draw: Draw| -> Result<RunRecord, SimError> {
            // A timed-out request's runs stop here too, not after all its pairs.
            if monitor.stop_requested() {
                return Err(SimError::Cancelled);
            }
            Ok(run_draw(scenario, input, draw, false)?.record)
        };
        for (k, draw) in singles.into_iter().enumerate() {
            let pair = paired(draw)?;
            if let Some(ns) = out.record.new_supply.get_mut(k) {
                ns.output_without_t = pair.stage_output_t.get(ns.node).copied();
                ns.loss_without_t = Some(pair.loss_t.iter().sum());
            }
        }
        // Plants that changed nothing alone may stand in for each other: run once more
        // without all of them, and measure each of them against that too.
        let loss: f64 = out.record.loss_t.iter().sum();
        let output = |node: usize| out.record.stage_output_t.get(node).copied();
        let idle: Vec<usize> = out
            .record
            .new_supply
            .iter()
            .enumerate()
            .filter(|(_, ns)| {
                let eps = 1e-6 * ns.capacity_t.max(1.0);
                let same = |a: Option<f64>, b: Option<f64>| {
                    a.zip(b).is_some_and(|(a, b)| (a - b).abs() <= eps)
                };
                same(output(ns.node), ns.output_without_t) && same(Some(loss), ns.loss_without_t)
            })
            .map(|(k, _)| k)
            .collect();
        let together = match base {
            Some(draw) if idle.len() >= 2 => Some(paired(without_plants(&draw, &idle))?),
            _ => None,
        };
        for (k, ns) in out.record.new_supply.iter_mut().enumerate() {
            match &together {
                Some(pair) if idle.contains(&k) => {
                    ns.output_without_idle_t = pair.stage_output_t.get(ns.node).copied();
                    ns.loss_without_idle_t = Some(pair.loss_t.iter().sum());
                }
                _ => {
                    ns.output_without_idle_t = ns.output_without_t;
                    ns.loss_without_idle_t = ns.loss_without_t;
                }
            }
        }
        Ok(out)
    })
}

/// `draw` with the capacity of the new plants `ks` at zero.
fn without_plants(draw: &Draw, ks: &[usize]) -> Draw {
    let mut d = draw.clone();
    for &k in ks {
        if let Some(ns) = d.new_supply.get_mut(k) {
            ns.0 = 0.0;
        }
    }
    d
}

/// Memory a Monte Carlo keeps, in bytes: every run's records stay for the percentiles.
/// Measured on the bundled chain (100 nodes): about 49 KB a run over 365 days and 137 KB
/// over 3,650 (RSS of 100 against 400 runs), so some 32 KB plus 0.3 bytes per node and
/// day; a kept daily series adds 4 bytes per industry and day.
fn kept_bytes(runs: usize, days: usize, nodes: usize, industries: usize, series: bool) -> f64 {
    let per_day = 0.3 * nodes as f64 + if series { 4.0 * industries as f64 } else { 0.0 };
    runs as f64 * (32_768.0 + per_day * days as f64)
}

/// This machine's memory, from `/proc/meminfo` (`None` where it cannot be read).
fn machine_memory_bytes() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024.0)
}

/// Refuses a Monte Carlo whose kept records would need more than half this machine's
/// memory, before any run: `--runs 100000` over 36,500 days asked for about 110 GB and ran
/// for hours until the kernel killed it. Every caller runs through here (`simulate`,
/// `report`, `exposure --after`, `calibrate`'s band, the server, whose own size limit is
/// lower).
pub fn check_kept_memory(
    runs: usize,
    days: usize,
    nodes: usize,
    industries: usize,
    series: bool,
) -> Result<(), SimError> {
    let need = kept_bytes(runs, days, nodes, industries, series);
    match machine_memory_bytes() {
        Some(total) if need > total / 2.0 => Err(SimError::Invalid(format!(
            "{runs} runs of {days} days keep about {:.1} GB of records, more than half this \
             machine's {:.1} GB: lower --runs or chain.days",
            need / 1e9,
            total / 1e9
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
