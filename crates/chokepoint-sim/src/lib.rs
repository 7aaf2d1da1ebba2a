//! The simulation engine: MRIO and rare-earth networks, scenarios, the ARIO core,
//! export-control policies and Monte Carlo. Never depends on DataFusion or Arrow.
//!
//! The ARIO core reproduces BoARIO 0.7.2 (`ARIO_SPEC.md`) bit for bit in its
//! compatible defaults: [`Model`] holds the state and one step's equations,
//! [`Simulation`] owns the time loop and the [`events`], [`Recorder`]s receive the
//! state, and policy layers steer each step through [`Controls`].
//!
//! The export-control side of the rare-earth chain: [`network::chain`] builds the bundled
//! chain from plain [`ChainFacts`](network::chain::ChainFacts) (the binary reads them from
//! the warehouse), [`policies`] checks policy scenarios and compiles them to steps,
//! [`network::flow`] runs the chain day by day, and [`montecarlo`] repeats runs in parallel
//! and summarises them.
//!
//! ```
//! use chokepoint_sim::{Model, ModelParams, Records, Simulation};
//! // Two regions, one sector, one final-demand category; annual flows.
//! let model = Model::from_arrays(
//!     vec!["a".into(), "b".into()], vec!["goods".into()], vec!["households".into()],
//!     vec![10.0, 5.0, 5.0, 10.0],          // Z
//!     vec![85.0, 0.0, 0.0, 85.0],          // Y
//!     vec![100.0, 100.0],                  // x
//!     ModelParams::default(),
//! ).unwrap();
//! let mut sim = Simulation::new(model, Vec::new(), 30).unwrap();
//! let mut records = Records::default();
//! sim.run(&mut records);
//! // Without events the economy stays at its initial production.
//! let x0 = 100.0 / 365.0;
//! assert!((records.production_realised.row(29)[0] - x0).abs() < 1e-12);
//! ```

pub mod date;
mod error;
pub mod events;
pub mod model;
pub mod montecarlo;
pub mod network;
pub mod policies;
pub mod scenario;
pub mod simulation;

pub use error::{SimError, StepError, read_text};
pub use model::{
    Controls, Gate, InventoryDays, Model, ModelKind, ModelParams, Numerics, OrderType, Storage,
};
pub use network::Mrio;
pub use scenario::Scenario;
pub use simulation::{RECORD_NAMES, Recorder, Records, RunOutcome, Series, Simulation, StepView};
