//! What the committed ingests recorded: their records (in each part's footer and beside
//! it), the rows a later ingest superseded, and the files a part was made from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::files;
use super::ingest::{FOOTER_KEY, IngestRecord};
use crate::StoreError;

/// The ingest records of every committed part of `trade`.
pub fn committed_ingests(warehouse_dir: &Path) -> Result<Vec<IngestRecord>, StoreError> {
    let dir = warehouse_dir.join("trade");
    let mut out = Vec::new();
    for p in files::parquet_files(&dir)? {
        if let Some(v) = files::footer_value(&p, FOOTER_KEY)?
            && let Ok(rec) = serde_json::from_str::<IngestRecord>(&v)
        {
            out.push(rec);
        }
    }
    Ok(out)
}

/// The row ids (`ingest_id` values) of files that a later ingest read again: the same data
/// file with another BACI country-codes file (F4). The later rows replace them whole, also
/// where the corrected codes moved a row to another partner, which "the latest ingest
/// wins" per key could not do (the wrong partner's rows stayed beside the right ones).
/// They stay stored; the indicators leave them out.
pub fn superseded_row_ids(warehouse_dir: &Path) -> Result<BTreeSet<String>, StoreError> {
    let mut records = committed_ingests(warehouse_dir)?;
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    let mut superseded = BTreeSet::new();
    for r in &records {
        for f in &r.files {
            let rows = f.rows_ingest_id.clone().unwrap_or_else(|| r.id.clone());
            if let Some(earlier) = latest.insert(f.hash.clone(), rows) {
                superseded.insert(earlier);
            }
        }
    }
    Ok(superseded)
}

/// The input files a committed part was made from, from the record kept beside it (empty
/// when there is none: parts written before it was kept).
pub fn sources_of(part: &Path) -> Vec<String> {
    std::fs::read_to_string(part.with_extension("json"))
        .ok()
        .and_then(|text| serde_json::from_str::<IngestRecord>(&text).ok())
        .map(|r| r.files.into_iter().map(|f| f.path).collect())
        .unwrap_or_default()
}
