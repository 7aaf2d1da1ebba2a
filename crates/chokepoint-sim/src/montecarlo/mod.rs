//! Monte Carlo over a policy scenario: N draws in parallel, one ChaCha stream per run index.
//!
//! Run `i` draws its parameters from `ChaCha8Rng::seed_from_u64(seed)` on stream `i`, so a
//! run's numbers depend only on the seed and its index, never on the thread count or the
//! order in which threads pick runs up. Results are collected in run order and summarised
//! as p5/p50/p95 and exceedance probabilities.

pub mod mrio;
mod summary;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use summary::{
    EdgeMonth, FIELD_DESCRIPTIONS, FlowUnit, IndustryOutcome, Layout, McSummary, SeriesBand,
    field_descriptions, field_descriptions_in, quantile, series_bands,
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

/// Runs `runs` draws in parallel on the current rayon pool. `progress` is called once per
/// finished run (from any thread).
pub fn run_many(
    scenario: &PolicyScenario,
    input: &NetworkInput,
    runs: usize,
    seed: u64,
    record_series: bool,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RunOutput>, SimError> {
    (0..runs)
        .into_par_iter()
        .map(|i| {
            let draw = Draw::sample(scenario, &mut run_rng(seed, i));
            let out = run_draw(scenario, input, draw, record_series);
            progress();
            out
        })
        .collect()
}

#[cfg(test)]
mod tests;
