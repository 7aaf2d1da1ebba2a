//! Taking an ingest back out of the warehouse: its part and its record go, under the ingest
//! lock, and every query after that reads the warehouse without them.
//!
//! Why: "the later ingest wins" is per key, so a corrected file fixes figures but not keys.
//! A row stored under a mistyped partner (`USB` for `USA`) stayed beside the corrected one
//! and was counted in every sum over partners; the only way out was a fresh data directory.

use std::path::PathBuf;

use serde::Serialize;

use super::Warehouse;
use super::ingest::{FileReport, IngestRecord};
use super::order::lock_for_ingest;
use crate::StoreError;

/// What a retraction removed.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RetractReport {
    /// The ingest id.
    pub ingest_id: String,
    /// The files that ingest stored (from its record; empty for parts written before
    /// records were kept).
    pub files: Vec<FileReport>,
}

/// The folder of the warehouse that notes the ingests taken out, one `<id>.json` each.
const RETRACTED: &str = "retracted";

/// What is kept of a retracted ingest: its id and when it went.
#[derive(serde::Deserialize, Serialize)]
struct Retracted {
    id: String,
    /// UTC time of the retraction.
    retracted: String,
}

impl Warehouse {
    /// Removes the part of ingest `id` (as `chokepoint sources` lists it) and its record.
    /// Bundled tables cannot be retracted: they are rebuilt from the binary on open.
    pub fn retract(
        &self,
        id: &str,
        on_wait: &mut dyn FnMut(),
    ) -> Result<RetractReport, StoreError> {
        let id = id.trim();
        // An id names a file: no separators, nothing that leaves the folder.
        let plain = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !plain || id.contains("..") {
            return Err(StoreError::Invalid(format!(
                "`{id}` is not an ingest id; `chokepoint sources` lists them \
                 (e.g. 20251130T183000Z-s00000003)"
            )));
        }
        if let Some((base, _)) = id.split_once(".f") {
            return Err(StoreError::Invalid(format!(
                "`{id}` is one file of ingest {base}, whose files were stored together; \
                 retract {base} (all its files), then ingest again the ones to keep"
            )));
        }
        // `sources` lists the bundled rows under this id too; they come with the binary.
        if id == super::BUNDLED_SOURCE {
            return Err(StoreError::Invalid(
                "the bundled data cannot be retracted: it ships with chokepoint and is loaded \
                 into every data directory; retract one of your own ingests (the other ids \
                 `chokepoint sources` lists), or read only those with `--source`"
                    .into(),
            ));
        }
        let _lock = lock_for_ingest(self.data_dir(), on_wait)?;
        let trade = self.warehouse_dir().join("trade");
        let part = trade.join(format!("ingest-{id}.parquet"));
        let tombstone = self
            .warehouse_dir()
            .join(RETRACTED)
            .join(format!("{id}.json"));
        if !part.is_file() {
            // Retracted before (or a moment ago by a concurrent `retract`): say so, not
            // "no ingest", which read as a mistyped id (adversarial review).
            let earlier = std::fs::read_to_string(&tombstone)
                .ok()
                .and_then(|t| serde_json::from_str::<Retracted>(&t).ok());
            return Err(StoreError::Invalid(match earlier {
                Some(r) => format!(
                    "ingest {id} was already retracted at {}: nothing of it is left to take \
                     out; `chokepoint sources` lists the stored ingests",
                    r.retracted
                ),
                None => format!(
                    "no ingest {id} in {}; `chokepoint sources` lists the stored ingests",
                    trade.display()
                ),
            }));
        }
        let record_path = part.with_extension("json");
        let files = std::fs::read_to_string(&record_path)
            .ok()
            .and_then(|t| serde_json::from_str::<IngestRecord>(&t).ok())
            .map(|r| r.files)
            .unwrap_or_default();
        // Renamed out of the table first (one atomic step: queries see the part or not),
        // then deleted; the record follows.
        let gone: PathBuf = super::layout::temp_path(
            &self.data_dir().join("tmp"),
            &format!("retracted-{id}.parquet"),
        );
        std::fs::rename(&part, &gone).map_err(|e| StoreError::io(&part, e))?;
        let _ = std::fs::remove_file(&gone);
        let _ = std::fs::remove_file(&record_path);
        // A note that it was retracted, for a later `retract` of the same id. Best effort:
        // the retraction itself is done, and a missing note only makes that later message
        // plainer.
        let note = Retracted {
            id: id.to_string(),
            retracted: super::order::utc_now_text(),
        };
        if let (Some(dir), Ok(text)) = (tombstone.parent(), serde_json::to_string(&note)) {
            let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&tombstone, text));
        }
        Ok(RetractReport {
            ingest_id: id.to_string(),
            files,
        })
    }
}
