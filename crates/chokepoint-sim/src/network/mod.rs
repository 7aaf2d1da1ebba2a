//! Networks the engine runs on: multi-regional input-output (MRIO) tables read
//! from disk ([`Mrio`]) or built in memory (the rare-earth chain).

mod mrio;
pub mod synthetic;

pub use mrio::Mrio;
