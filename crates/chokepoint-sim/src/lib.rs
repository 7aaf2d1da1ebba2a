//! The simulation engine: MRIO and rare-earth networks, scenarios, the ARIO core,
//! export-control policies and Monte Carlo. Never depends on DataFusion or Arrow.

mod error;
pub use error::SimError;
