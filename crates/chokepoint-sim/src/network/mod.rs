//! Networks the engine runs on: multi-regional input-output (MRIO) tables read
//! from disk ([`Mrio`]) or built in memory, and the bundled rare-earth chain in physical
//! units: `chain` builds it, `assumptions` holds its named parameters, `flow` runs it day by
//! day under policies, `file` is its editable file form.

pub mod assumptions;
pub mod chain;
pub mod file;
pub mod flow;
mod mrio;
mod record;
pub mod synthetic;
mod topology;

pub use mrio::{Mrio, OutputGap};
