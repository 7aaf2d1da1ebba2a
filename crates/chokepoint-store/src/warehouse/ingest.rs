//! `chokepoint ingest`: customs files into the `trade` table, atomically and idempotently.
//!
//! - **Streaming**: each file is read in blocks of a few MB, parsed on all cores (see
//!   `sources::background`) into one Arrow batch per block, and written row group by row
//!   group into one Parquet part, so memory does not grow with the file.
//! - **Atomic**: the part is written under `tmp/` and renamed into `warehouse/trade/` only
//!   when every file has been read and the reject rule passed; a failure or a kill leaves
//!   the committed warehouse as it was.
//! - **Idempotent**: the part's footer records each input file's content hash, and that of
//!   every other file that shapes its rows (BACI's country codes); a file already committed
//!   with the same such files is skipped.
//! - **Later wins, also within one ingest**: the files of a multi-file ingest get their
//!   own row ids, `<ingest id>.f0001`, `.f0002`, … in argument order, which sort as the
//!   ingest does against others; so a key that two files give figures for takes the later
//!   file's, as with separate ingests, and the later file's report names the lines.
//! - **Rejects**: strict mode (default) reads on to count every bad row, then fails with the
//!   first one's file:line and reason; with `skip_bad`, good rows are stored and bad ones
//!   written, with reasons, to a CSV file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::duplicates::{self, AcrossFiles, Seen};
pub use super::duplicates::{Conflicts, MAX_TRACKED_KEYS};
use super::order::{lock_for_ingest, next_ingest_id, utc_now_text};
use super::part_writer::PartWriter;
pub use super::records::{committed_ingests, sources_of, superseded_row_ids};
use super::rejects::{DEFAULT_REJECTS, Reject, RejectSink, check_rejects_path};
use super::{Warehouse, files};
use crate::StoreError;
use crate::schema::TradeBatchBuilder;
use crate::sources::{InputFormat, ReadLine, Row, TradeReader};

/// Footer key holding the ingest record.
pub(super) const FOOTER_KEY: &str = "chokepoint.ingest";

/// How to ingest.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// The input format; `None` detects it from each file's header.
    pub format: Option<InputFormat>,
    /// BACI country-codes file (else found beside the data file).
    pub baci_countries: Option<PathBuf>,
    /// Store good rows and write bad ones to `rejects_path` instead of failing.
    pub skip_bad: bool,
    /// Where rejected rows go with `skip_bad` (CSV: file,line,column,reason,row).
    pub rejects_path: Option<PathBuf>,
}

/// What happened to one input file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct FileReport {
    /// The file as given.
    pub path: String,
    /// The format read.
    pub format: String,
    /// xxHash64 of the file's bytes (hex).
    pub hash: String,
    /// Size of the file in bytes (absent in records written before it was kept).
    #[serde(default)]
    pub bytes: Option<u64>,
    /// Data rows read: CSV records, as `rows_stored`, `skipped` and `rows_rejected` count
    /// them. A quoted cell may hold line breaks, so a row can span several lines of the file
    /// (an unclosed quote's rejected row names the lines it took).
    pub rows_read: u64,
    /// Rows stored (a BACI line stores two).
    pub rows_stored: u64,
    /// Lines skipped on purpose (breakdowns, other flows), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Lines rejected as malformed.
    pub rows_rejected: u64,
    /// Whether the file had been ingested before (nothing stored this time).
    pub already_ingested: bool,
    /// xxHash64 of BACI's country-codes file read with it (hex): a corrected codes file
    /// makes the same data file new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries_hash: Option<String>,
    /// The `ingest_id` of this file's rows when it differs from the ingest's (the files of
    /// a multi-file ingest: `<id>.f0001`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_ingest_id: Option<String>,
    /// Lines repeating an earlier line's key with other figures (both stored).
    #[serde(default, skip_serializing_if = "Conflicts::is_empty")]
    pub conflicts: Conflicts,
    /// Reporter and partner codes stored that are neither ISO 3166-1 countries nor the
    /// sources' group codes, with their rows: a typo (`USB`) or a source's own area code
    /// (`S19`), for the user to tell apart.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes_not_iso: BTreeMap<String, u64>,
    /// Rows stored whose tonnes are a weight the source flags as its own estimate
    /// (Comtrade's `is…Estimated`), marked in their `notes`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub estimated_weights: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The record of one committed ingest, kept in its part file's footer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct IngestRecord {
    /// Ingest id (sorts in ingest order, see `next_ingest_id`).
    pub id: String,
    /// UTC time of the ingest.
    pub created: String,
    /// The files stored.
    pub files: Vec<FileReport>,
}

/// The outcome of an ingest.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IngestReport {
    /// Id of the committed part, `None` when nothing new was stored.
    pub ingest_id: Option<String>,
    /// Per-file counts.
    pub files: Vec<FileReport>,
    /// Where rejected rows were written, if any were.
    pub rejects_path: Option<PathBuf>,
}

/// Progress of a running ingest.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Bytes read so far over all files.
    pub bytes_done: u64,
    /// Total bytes of all files.
    pub bytes_total: u64,
    /// Rows read so far.
    pub rows: u64,
    /// Another ingest into the same data directory runs: this one waits for it to finish
    /// (sent once, before reading anything).
    pub waiting_for_other_ingest: bool,
}

/// What is already stored, for the idempotency check: file hashes (with the hash of the
/// country codes read with a BACI file), and file sizes when every record kept them
/// (`None`: some did not, so any file may be stored already).
struct Committed {
    hashes: BTreeSet<(String, Option<String>)>,
    sizes: Option<BTreeSet<u64>>,
}

impl Committed {
    fn from_records(records: Vec<IngestRecord>) -> Committed {
        let mut c = Committed {
            hashes: BTreeSet::new(),
            sizes: Some(BTreeSet::new()),
        };
        for f in records.iter().flat_map(|r| &r.files) {
            c.add(f);
        }
        c
    }

    fn add(&mut self, f: &FileReport) {
        self.hashes
            .insert((f.hash.clone(), f.countries_hash.clone()));
        match (f.bytes, &mut self.sizes) {
            (Some(b), Some(sizes)) => {
                sizes.insert(b);
            }
            (None, _) => self.sizes = None,
            (Some(_), None) => {}
        }
    }

    /// Whether a file of this hash, read with country codes of this hash, is stored.
    fn holds(&self, hash: &str, countries_hash: &Option<String>) -> bool {
        self.hashes
            .contains(&(hash.to_string(), countries_hash.clone()))
    }

    /// Whether a file of `size` bytes may be one already stored.
    fn may_hold(&self, size: u64) -> bool {
        self.sizes.as_ref().is_none_or(|s| s.contains(&size))
    }
}

/// What a parser thread made of one block of lines: an Arrow batch of the rows to store
/// and the block's counts.
struct BlockTally {
    builder: TradeBatchBuilder,
    read: u64,
    stored: u64,
    rejected: u64,
    skipped: BTreeMap<&'static str, u64>,
    /// Line, column, reason and cells of the rejected lines (strict mode: the first only).
    rejects: Vec<(u64, Option<String>, String, Option<String>)>,
    /// Line and [`duplicates::fingerprint`] of each row stored, for the duplicate check.
    keys: Vec<(u64, (u64, u64))>,
    /// Whether the duplicate check still takes keys ([`Seen::tracking`]).
    tracking: Arc<AtomicBool>,
    /// Codes stored that ISO 3166-1 does not list ([`FileReport::codes_not_iso`]), kept as
    /// bytes so that a file full of them allocates nothing per row.
    codes_not_iso: std::collections::HashMap<[u8; 3], u64, foldhash::fast::FixedState>,
    /// Rows whose tonnes the source estimated ([`FileReport::estimated_weights`]).
    estimated_weights: u64,
}

impl BlockTally {
    fn new(builder: TradeBatchBuilder, tracking: Arc<AtomicBool>) -> BlockTally {
        BlockTally {
            tracking,
            builder,
            read: 0,
            stored: 0,
            rejected: 0,
            skipped: BTreeMap::new(),
            rejects: Vec::new(),
            keys: Vec::new(),
            codes_not_iso: std::collections::HashMap::default(),
            estimated_weights: 0,
        }
    }

    /// Counts the row's codes that are neither ISO 3166-1 countries nor group codes.
    fn check_codes(&mut self, r: &crate::schema::TradeRecord) {
        for code in [&r.reporter_iso3, &r.partner_iso3] {
            if chokepoint_model::is_unlisted_code(code)
                && let &[a, b, c] = code.as_bytes()
            {
                *self.codes_not_iso.entry([a, b, c]).or_default() += 1;
            }
        }
    }

    fn add(&mut self, read: ReadLine, keep_all_rejects: bool) {
        self.read += 1;
        match read.row {
            Row::Record(r) => {
                self.check_codes(&r);
                if r.notes.as_deref() == Some(crate::sources::comtrade::ESTIMATED_WEIGHT_NOTE) {
                    self.estimated_weights += 1;
                }
                self.builder.push(&r);
                if self.tracking.load(Ordering::Relaxed) {
                    self.keys.push((read.line, duplicates::fingerprint(&r)));
                }
                self.stored += 1;
            }
            Row::Pair(pair) => {
                let tracking = self.tracking.load(Ordering::Relaxed);
                // A BACI pair is one line: its codes are counted once.
                self.check_codes(&pair.0);
                for r in [&pair.0, &pair.1] {
                    self.builder.push(r);
                    if tracking {
                        self.keys.push((read.line, duplicates::fingerprint(r)));
                    }
                }
                self.stored += 2;
            }
            Row::Skip(why) => *self.skipped.entry(why).or_default() += 1,
            Row::Reject { column, reason } => {
                self.rejected += 1;
                if keep_all_rejects || self.rejects.is_empty() {
                    self.rejects.push((read.line, column, reason, read.cells));
                }
            }
        }
    }
}

impl Warehouse {
    /// Ingests `inputs` into `trade` as one atomic part (see the module docs).
    pub fn ingest(
        &self,
        inputs: &[PathBuf],
        options: &IngestOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IngestReport, StoreError> {
        let wh = self.warehouse_dir();
        let tmp = self.data_dir().join("tmp");
        let rejects_to = options.skip_bad.then(|| {
            options
                .rejects_path
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_REJECTS))
        });
        for input in inputs {
            crate::sources::check_is_file(input)?;
        }
        if let Some(path) = &rejects_to {
            // The files read include BACI's country codes, given or found beside a file.
            let mut read: Vec<PathBuf> = inputs.to_vec();
            read.extend(options.baci_countries.clone());
            read.extend(
                inputs
                    .iter()
                    .filter_map(|i| crate::sources::find_baci_countries(i).ok()),
            );
            check_rejects_path(path, &read, self.data_dir())?;
        }
        // Held until the part is committed: "a file already stored is skipped" and "the
        // latest ingest wins" need one ingest at a time (two parallel runs of one file
        // both stored it). Readers take no lock; they see a part once it is renamed in.
        let _lock = lock_for_ingest(self.data_dir(), &mut || {
            progress(Progress {
                waiting_for_other_ingest: true,
                ..Progress::default()
            })
        })?;
        let done = Committed::from_records(committed_ingests(&wh)?);
        let bytes_total: u64 = inputs
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .sum();
        let id = next_ingest_id(&wh.join("trade"))?;
        let staged = super::layout::temp_path(&tmp, &format!("{id}.parquet"));
        let result = self.write_part(
            inputs,
            options,
            &done,
            &id,
            &staged,
            rejects_to.as_deref(),
            bytes_total,
            progress,
        );
        let (reports, mut rejects, record) = match result {
            Ok(x) => x,
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
        };
        let rejected: u64 = reports.iter().map(|r| r.rows_rejected).sum();
        let mut rejects_path = None;
        if rejected > 0 {
            if !options.skip_bad {
                let _ = std::fs::remove_file(&staged);
                let first = rejects.first.take().map_or_else(
                    || StoreError::Invalid("rows rejected".into()),
                    |r| StoreError::BadRow {
                        path: PathBuf::from(r.path),
                        line: r.line,
                        column: r.column,
                        field: r.field,
                        reason: r.reason,
                    },
                );
                return Err(StoreError::Rejected {
                    rejected,
                    first: Box::new(first),
                });
            }
            // Rows are rejected only under --skip-bad here, where `rejects_to` is set.
            let path = rejects_to.unwrap_or_else(|| PathBuf::from(DEFAULT_REJECTS));
            if let Err(e) = rejects.commit(&path) {
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
            rejects_path = Some(path);
        }
        let stored: u64 = reports.iter().map(|r| r.rows_stored).sum();
        if stored == 0 {
            let _ = std::fs::remove_file(&staged);
            return Ok(IngestReport {
                ingest_id: None,
                files: reports,
                rejects_path,
            });
        }
        let target = wh.join("trade").join(format!("ingest-{id}.parquet"));
        // The record also goes beside the part (queries read only `.parquet` files), so
        // that if the part is ever damaged the error can name the files to ingest again.
        let beside = target.with_extension("json");
        let staged_record = super::layout::temp_path(&tmp, &format!("{id}.json"));
        // Without its record a damaged part could not be named (a full disk dropped it
        // while the ingest said "committed"), so a failure here fails the ingest.
        if let Err(e) = std::fs::write(&staged_record, &record)
            .and_then(|()| std::fs::rename(&staged_record, &beside))
        {
            let _ = std::fs::remove_file(&staged);
            let _ = std::fs::remove_file(&staged_record);
            return Err(StoreError::io(&beside, e));
        }
        std::fs::rename(&staged, &target).map_err(|e| StoreError::io(&target, e))?;
        Ok(IngestReport {
            ingest_id: Some(id),
            files: reports,
            rejects_path,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn write_part(
        &self,
        inputs: &[PathBuf],
        options: &IngestOptions,
        done: &Committed,
        id: &str,
        staged: &Path,
        rejects_to: Option<&Path>,
        bytes_total: u64,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Vec<FileReport>, RejectSink, String), StoreError> {
        let mut writer = PartWriter::create(staged)?;
        let mut reports = Vec::new();
        let mut rejects = RejectSink::new(rejects_to)?;
        let mut bytes_before = 0u64;
        let mut rows_total = 0u64;
        let mut seen = Committed::from_records(Vec::new());
        let mut across = AcrossFiles::default();
        for (file_index, input) in inputs.iter().enumerate() {
            let opened = std::fs::metadata(input).map_err(|e| StoreError::read_input(input, e))?;
            let size = opened.len();
            let mut report = FileReport {
                path: input.display().to_string(),
                bytes: Some(size),
                ..FileReport::default()
            };
            // Opened first: the country codes a BACI file is read with are part of what
            // makes it "already ingested".
            let reader =
                TradeReader::open(input, options.format, options.baci_countries.as_deref())?
                    .with_reject_rows(options.skip_bad);
            report.countries_hash = match reader.countries_file() {
                Some(p) => Some(format!("{:016x}", files::hash_file(p)?)),
                None => None,
            };
            // A file whose size matches no stored file is new: its hash is computed while
            // it is parsed. Otherwise it is hashed first, and skipped if already stored.
            if done.may_hold(size) || seen.may_hold(size) {
                let hash = format!("{:016x}", files::hash_file(input)?);
                if done.holds(&hash, &report.countries_hash)
                    || seen.holds(&hash, &report.countries_hash)
                {
                    report.hash = hash;
                    report.already_ingested = true;
                    report.format = "-".into();
                    reports.push(report);
                    bytes_before += size;
                    continue;
                }
            }
            report.format = reader.format().as_str().to_string();
            let source = reader.format().as_str();
            // Several files: each its own row id, sorting in argument order after the
            // ingest's own (see the module docs), so the later file wins.
            let rows_id = if inputs.len() > 1 {
                let rows_id = format!("{id}.f{:04}", file_index + 1);
                report.rows_ingest_id = Some(rows_id.clone());
                rows_id
            } else {
                id.to_string()
            };
            let header = reader.header().to_vec();
            let field_number = |column: &str| crate::sources::field_number(&header, column);
            let mut across_found: Vec<(usize, u64, u64)> = Vec::new();
            let skip_bad = options.skip_bad;
            let mut keys = Seen::default();
            let tracking = keys.tracking();
            let scanned = reader.scan(
                || {
                    BlockTally::new(
                        TradeBatchBuilder::new(source, 0, &rows_id),
                        Arc::clone(&tracking),
                    )
                },
                |tally, read| tally.add(read, skip_bad),
                |tally, bytes_read| {
                    report.rows_read += tally.read;
                    report.rows_stored += tally.stored;
                    report.rows_rejected += tally.rejected;
                    report.estimated_weights += tally.estimated_weights;
                    rows_total += tally.read;
                    for (line, fingerprint) in tally.keys {
                        keys.add(line, fingerprint);
                        across.add(&mut across_found, line, fingerprint);
                    }
                    for (why, n) in tally.skipped {
                        *report.skipped.entry(why.to_string()).or_default() += n;
                    }
                    for (code, n) in tally.codes_not_iso {
                        let code = String::from_utf8_lossy(&code).into_owned();
                        *report.codes_not_iso.entry(code).or_default() += n;
                    }
                    // Strict mode needs only the first; --skip-bad writes them all, as
                    // they come.
                    for (line, column, reason, cells) in tally.rejects {
                        if skip_bad || rejects.first.is_none() {
                            let field = column.as_deref().and_then(field_number);
                            rejects.push(Reject {
                                path: report.path.clone(),
                                line,
                                column,
                                field,
                                reason,
                                row: cells,
                            })?;
                        }
                    }
                    let mut builder = tally.builder;
                    if !builder.is_empty() {
                        writer.write(builder.finish()?)?;
                    }
                    progress(Progress {
                        bytes_done: bytes_before + bytes_read,
                        bytes_total,
                        rows: rows_total,
                        waiting_for_other_ingest: false,
                    });
                    Ok(())
                },
            )?;
            // A file still being written (a download) or rewritten while it was read: its
            // rows are neither version of it, and its record (the size at open, the hash
            // of what was read) let a later ingest of the finished file store it again
            // (adversarial review: 3 M rows stored twice).
            files::check_unchanged(input, &opened, scanned.bytes_read)?;
            bytes_before += scanned.bytes_read;
            report.hash = format!("{:016x}", scanned.hash);
            report.conflicts = keys.finish();
            across.end_file(file_index);
            report.conflicts.earlier_file_lines = across_found.len() as u64;
            report.conflicts.earlier_file_examples = across_found
                .iter()
                .take(10)
                .map(|&(file, earlier, line)| (inputs[file].display().to_string(), earlier, line))
                .collect();
            seen.add(&report);
            progress(Progress {
                bytes_done: bytes_before,
                bytes_total,
                rows: rows_total,
                waiting_for_other_ingest: false,
            });
            reports.push(report);
        }
        let record = IngestRecord {
            id: id.to_string(),
            created: utc_now_text(),
            files: reports
                .iter()
                .filter(|r| !r.already_ingested)
                .cloned()
                .collect(),
        };
        let json =
            serde_json::to_string(&record).map_err(|e| StoreError::Invalid(e.to_string()))?;
        writer.finish(Some((FOOTER_KEY.to_string(), json.clone())))?;
        Ok((reports, rejects, json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_sizes_decide_which_files_are_hashed_first() {
        let file = |hash: &str, bytes| FileReport {
            hash: hash.into(),
            bytes,
            ..FileReport::default()
        };
        let record = |files| IngestRecord {
            id: "x".into(),
            created: "t".into(),
            files,
        };
        let c = Committed::from_records(vec![record(vec![file("a", Some(10))])]);
        assert!(c.may_hold(10));
        assert!(!c.may_hold(11), "a size no stored file has is a new file");
        assert!(c.holds("a", &None));
        let old = Committed::from_records(vec![record(vec![file("a", Some(10)), file("b", None)])]);
        assert!(
            old.may_hold(11),
            "records without sizes make every file a candidate"
        );
    }
}
