//! The simulation engine: MRIO and rare-earth networks, scenarios, the ARIO core,
//! export-control policies and Monte Carlo. Never depends on DataFusion or Arrow.
//!
//! The export-control side: [`network::chain`] builds the bundled rare-earth chain from
//! plain [`ChainFacts`](network::chain::ChainFacts) (the binary reads them from the
//! warehouse), [`policies`] checks policy scenarios and compiles them to steps,
//! [`network::flow`] runs the chain day by day, and [`montecarlo`] repeats runs in
//! parallel and summarises them.
//!
//! ```
//! use chokepoint_sim::date::Date;
//! let d: Date = "2025-04-04".parse().unwrap();
//! assert_eq!(d.plus_days(27).to_string(), "2025-05-01");
//! ```

pub mod date;
mod error;
pub mod montecarlo;
pub mod network;
pub mod policies;
pub use error::SimError;
