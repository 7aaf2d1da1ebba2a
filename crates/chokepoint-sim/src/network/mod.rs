//! Networks the engines run on: multi-regional input-output (MRIO) tables read from
//! disk ([`Mrio`], `synthetic` for benchmarks) for the ARIO core; `chain` is the bundled
//! rare-earth chain (physical units), `assumptions` its named parameters, `flow` its daily
//! model under policies, `file` its editable file form.

pub mod assumptions;
pub mod chain;
pub mod file;
pub mod flow;
mod mrio;
pub mod synthetic;

pub use mrio::Mrio;
