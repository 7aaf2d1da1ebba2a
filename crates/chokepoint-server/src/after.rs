//! Post-shock exposure: the boundary types of `POST /api/exposure/after`.
//!
//! The server does not simulate: as for runs, the binary's [`Simulator`](crate::Simulator)
//! checks the scenario and the target into a [`PreparedExposure`], and the registry runs it
//! under the same size, concurrency and time limits as `POST /api/simulate`. The report is
//! the one `chokepoint exposure --after FILE --format json` prints; the CLI fills it with the
//! same function the server's engine adapter calls, so the two cannot drift apart.

use chokepoint_model::Stage;
use chokepoint_sim::SimError;
use chokepoint_store::indicators::exposure::{CrmaVerdict, Importer};
use serde::Serialize;
use utoipa::ToSchema;

use crate::runs::{Progress, SimulationSize};

/// Whose exposure to recompute after the scenario, and how many runs.
#[derive(Clone, Debug)]
pub struct ExposureTarget {
    /// The importing region.
    pub importer: Importer,
    /// The chain stage of the product.
    pub stage: Stage,
}

/// One figure before the control and after it (p5, p50, p95 over runs).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Band {
    /// What it is: `supplier_share`, `supplier_hhi`, `crma_top_third_country_share`,
    /// `imports`, `imports_requested`, `import_reliance`, `apparent_consumption` (output +
    /// imports - exports; output after is what the region made, new plants included) or
    /// `apparent_consumption_requested` (the same with the flows buyers ordered under the
    /// scenario: what a shortage is measured against).
    pub measure: String,
    /// Supplier region, when the figure is per supplier.
    pub region: Option<String>,
    /// Without the control: the chain's baseline flows over the same window (p50 over the
    /// runs' drawn networks). What buyers requested under the control is its own row,
    /// `imports_requested`.
    pub before: f64,
    /// After, 5th percentile over runs: with `after_p95`, the band of 90 % of the runs
    /// (for imports the bad tail is here; for reliance and shares it is at p95).
    pub after_p5: f64,
    /// After, median over runs.
    pub after_p50: f64,
    /// After, 95th percentile over runs.
    pub after_p95: f64,
    /// Unit: `%`, `t` or `0-10000`.
    pub unit: String,
}

/// The post-shock exposure: `chokepoint exposure --after FILE --format json`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AfterReport {
    /// Scenario: the file as given to the CLI; over the API the library name
    /// (`april-2025-controls.toml`) or `request.toml`.
    pub scenario: String,
    /// Importer region of the chain.
    pub importer_region: String,
    /// Stage of the product.
    #[schema(value_type = String)]
    pub stage: Stage,
    /// Monte Carlo runs.
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// Days simulated from `start`.
    pub days: usize,
    /// First day.
    pub start: String,
    /// The figures.
    pub figures: Vec<Band>,
    /// The CRMA benchmark on `crma_top_third_country_share`: the verdicts the table's note
    /// states, before and at each percentile after (`None` without consumption).
    pub crma: Option<AfterCrma>,
    /// The importer's consumption figures recomputed at other values of the assumption its
    /// own output of the stage rests on (the EU's magnet output: the Japan/EU split of
    /// output outside China, which the bundled data do not give); empty when its output is
    /// data.
    pub sensitivity: Vec<Sensitivity>,
    /// Caveats.
    pub notes: Vec<String>,
}

/// The figures that rest on the importer's own output, recomputed with one assumption set
/// to another value (same runs and seed; the assumption fixed, not drawn).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Sensitivity {
    /// The assumption's key (`non_china_magnet_japan_share`).
    pub assumption: String,
    /// The value it is set to here.
    pub value: f64,
    /// Its central value in the scenario, behind `figures` of the report.
    pub central: f64,
    /// `crma_top_third_country_share`, `import_reliance`, `apparent_consumption` and
    /// `apparent_consumption_requested` at `value`.
    pub figures: Vec<Band>,
    /// The CRMA verdicts on those figures.
    pub crma: Option<AfterCrma>,
}

/// The CRMA benchmark (at most 65 % of consumption from one third country) on the
/// post-shock share, before and after.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AfterCrma {
    /// The benchmark, percent of consumption.
    pub benchmark_pct: f64,
    /// `consumption` (the chain's flows of the stage into the importer come from customs
    /// data) or `global_shares_proxy` (they are drawn from world output shares: an
    /// indicator, no verdict).
    pub base: String,
    /// True when only one supplier's flows are in the chain: the share is an upper bound.
    pub share_is_upper_bound: bool,
    /// Without the control.
    pub before: CrmaReading,
    /// After, at the 5th percentile of the share.
    pub after_p5: CrmaReading,
    /// After, at the median.
    pub after_p50: CrmaReading,
    /// After, at the 95th percentile.
    pub after_p95: CrmaReading,
    /// The verdicts in words, as the CLI's table prints them.
    pub text: String,
}

/// One CRMA verdict of the post-shock exposure.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CrmaReading {
    /// `pass`, `fail`, `inconclusive` or `indicator` (world-share proxy: no verdict);
    /// `None` without consumption.
    #[schema(value_type = Option<String>)]
    pub verdict: Option<CrmaVerdict>,
    /// For a pass after the control: how far apparent consumption at the same percentile
    /// fell below its baseline (fraction), when by more than 5 %: the pass is a shortage,
    /// not a more diverse supply.
    pub short_of_supply: Option<f64>,
}

/// Why a post-shock exposure cannot be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AfterError {
    /// A parameter does not fit the chain (an importer that is not a region of it, a
    /// product that is not one of its stages, a scenario of another network).
    #[error("{message}")]
    Argument {
        /// The parameter at fault, as the API names it (`importer`, `product`, `scenario`).
        parameter: &'static str,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The engine behind this server does not compute post-shock exposure.
    #[error("the simulation engine of this server does not compute post-shock exposure")]
    Unsupported,
    /// The engine's own error (scenario syntax and checks, or a failed run).
    #[error(transparent)]
    Sim(#[from] SimError),
}

/// A checked scenario and target, ready to run.
pub trait PreparedExposure: Send + 'static {
    /// Its size, checked against the limit before it starts.
    fn size(&self) -> SimulationSize;
    /// Runs the Monte Carlo and computes the report (blocking, CPU-bound).
    fn run(self: Box<Self>, progress: &Progress) -> Result<AfterReport, SimError>;
}
