//! Opening the warehouse for the exposure commands and reading the facts they need
//! (`chokepoint_store::indicators::report::Facts`), with the runtime that drives the store's
//! async calls.

use std::future::Future;
use std::path::Path;

use chokepoint_store::indicators::report::Facts;

/// The facts behind `shares`, `exposure` and `criticality`, and a runtime to compute on.
pub struct Loaded {
    /// The warehouse facts.
    pub facts: Facts,
    runtime: tokio::runtime::Runtime,
}

impl Loaded {
    /// Runs one of the store's report computations to completion.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

/// Opens the warehouse (loading the bundled data on first use) and reads the tables.
pub fn load(data_dir: Option<&Path>) -> anyhow::Result<Loaded> {
    let super::warehouse::Opened { runtime, warehouse } = super::warehouse::open(data_dir)?;
    let facts = runtime.block_on(Facts::load(&warehouse))?;
    Ok(Loaded { facts, runtime })
}
