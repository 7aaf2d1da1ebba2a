//! What the policy engine reads from the warehouse: the chain's facts, China's customs
//! magnet series and the network description. A running server keeps them and reads them
//! again when the warehouse changes (an ingest or a retraction after it started), so that
//! its simulations and its trends answer from the same data (web review: `/api/trends`
//! showed an ingested 2024 total while `/api/simulate` kept the bundled one until a
//! restart).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use chokepoint_server::runs::ObservedMonth;
use chokepoint_sim::SimError;
use chokepoint_sim::network::chain::ChainFacts;

use super::chain_facts;

/// The data read at one state of the warehouse.
pub struct ChainData {
    /// The warehouse's [`chokepoint_store::contents_stamp`] before it was read.
    stamp: u64,
    /// Facts the bundled chain is built from.
    pub facts: ChainFacts,
    /// China's monthly magnet exports to the world (customs).
    pub observed: Vec<ObservedMonth>,
    /// `network describe --format json`.
    pub network: serde_json::Value,
}

impl ChainData {
    fn read(data_dir: &Path) -> anyhow::Result<ChainData> {
        let stamp = chokepoint_store::contents_stamp(data_dir);
        let facts =
            chain_facts::facts_from_warehouse(Some(data_dir)).context("reading the chain facts")?;
        let observed = chain_facts::observed_from_warehouse(Some(data_dir))
            .context("reading China's customs magnet exports")?
            .into_iter()
            .map(|o| ObservedMonth {
                exporter: "CHN".into(),
                importer: "WLD".into(),
                stage: "magnets".into(),
                month: o.month.to_string(),
                tonnes: o.tonnes,
                is_derived: o.is_derived,
            })
            .collect();
        let network =
            super::network::describe_json(Some(data_dir)).context("describing the network")?;
        Ok(ChainData {
            stamp,
            facts,
            observed,
            network,
        })
    }
}

/// The data of the warehouse in one data directory, read again when it changes.
pub struct LiveChainData {
    data_dir: PathBuf,
    current: Mutex<Arc<ChainData>>,
}

impl LiveChainData {
    /// Reads the data once.
    pub fn new(data_dir: Option<&Path>) -> anyhow::Result<LiveChainData> {
        let data_dir = super::warehouse::data_dir(data_dir);
        let current = Mutex::new(Arc::new(ChainData::read(&data_dir)?));
        Ok(LiveChainData { data_dir, current })
    }

    /// The data as the warehouse holds it now: read again if it changed since last read.
    /// The reading runs on a thread of its own, since it starts its own async runtime and
    /// the server calls this from one of its blocking tasks.
    pub fn get(&self) -> Result<Arc<ChainData>, SimError> {
        let stamp = chokepoint_store::contents_stamp(&self.data_dir);
        // One reader at a time; a poisoned lock only means a reader panicked, and the data
        // it guards were never half-replaced (an `Arc` is swapped whole).
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.stamp != stamp {
            let dir = self.data_dir.clone();
            let fresh = std::thread::scope(|s| s.spawn(move || ChainData::read(&dir)).join())
                .map_err(|_| SimError::Facts("reading the warehouse again failed".into()))?
                .map_err(|e| SimError::Facts(format!("{e:#}")))?;
            *current = Arc::new(fresh);
        }
        Ok(Arc::clone(&current))
    }
}
