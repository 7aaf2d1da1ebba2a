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
        // One opening of the warehouse for all three (each opened its own, and the network
        // description read the facts a second time).
        let opened = super::warehouse::open(Some(data_dir))?;
        let read = chain_facts::Facts::new(&opened);
        let facts = chain_facts::bundled_facts(&read).context("reading the chain facts")?;
        let observed = chain_facts::observed_magnet_exports(&read)
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
            super::network::describe_json_from(&facts).context("describing the network")?;
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
    /// The stamp at which reading again failed, with the error's words and whether the user
    /// can fix it: the same files are not read again on every request (code review: each one
    /// re-read a damaged warehouse, under the lock, to answer with a bare 500).
    failed: Mutex<Option<(u64, String, bool)>>,
}

impl LiveChainData {
    /// Reads the data once.
    pub fn new(data_dir: Option<&Path>) -> anyhow::Result<LiveChainData> {
        let data_dir = super::warehouse::data_dir(data_dir);
        let current = Mutex::new(Arc::new(ChainData::read(&data_dir)?));
        Ok(LiveChainData {
            data_dir,
            current,
            failed: Mutex::new(None),
        })
    }

    /// The data as the warehouse holds it now: read again if it changed since last read.
    /// The reading runs on a thread of its own, since it starts its own async runtime and
    /// the server calls this from one of its blocking tasks, and without the lock held, so
    /// other requests are served meanwhile (two may read at once after a change; the later
    /// result is kept). A warehouse that cannot be read is the error of every simulation
    /// until its files change again, in the store's words (a damaged part names its file).
    pub fn get(&self) -> Result<Arc<ChainData>, SimError> {
        let stamp = chokepoint_store::contents_stamp(&self.data_dir);
        // A poisoned lock only means a reader panicked; what it guards is swapped whole.
        let current = Arc::clone(&self.current.lock().unwrap_or_else(|e| e.into_inner()));
        if current.stamp == stamp {
            return Ok(current);
        }
        let failure = |message: &str, user: bool| {
            let message =
                format!("the warehouse changed and its chain facts cannot be read: {message}");
            if user {
                SimError::Invalid(message)
            } else {
                SimError::Facts(message)
            }
        };
        if let Some((at, message, user)) = self
            .failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            && at == stamp
        {
            return Err(failure(&message, user));
        }
        let dir = self.data_dir.clone();
        let read = std::thread::scope(|s| s.spawn(move || ChainData::read(&dir)).join());
        match read {
            Ok(Ok(fresh)) => {
                let fresh = Arc::new(fresh);
                *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Arc::clone(&fresh);
                *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(fresh)
            }
            Ok(Err(e)) => {
                let (message, user) = (format!("{e:#}"), crate::exit::is_user_error(&e));
                *self.failed.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((stamp, message.clone(), user));
                Err(failure(&message, user))
            }
            Err(_) => Err(failure("the reading thread stopped", false)),
        }
    }
}
