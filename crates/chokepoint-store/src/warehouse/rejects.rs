//! Rejected rows of an ingest: where they go (`--rejects`, checked before any row is read)
//! and how they get there (streamed as they are found, committed with the part).

use std::path::{Path, PathBuf};

use crate::StoreError;

pub(super) struct Reject {
    pub(super) path: String,
    pub(super) line: u64,
    pub(super) column: Option<String>,
    /// The column's position in the header (`sources::field_number`).
    pub(super) field: Option<usize>,
    pub(super) reason: String,
    /// The row's cells as one CSV line (none for a line the CSV parser could not split).
    pub(super) row: Option<String>,
}

/// Where rejected rows go when no path is given.
pub(super) const DEFAULT_REJECTS: &str = "chokepoint-rejects.csv";

/// Refuses a rejects file whose folder does not exist, that is a folder, or that would
/// overwrite an input or anything in the data directory (the output guard every writing
/// command shares); checked before any row is read.
pub(super) fn check_rejects_path(
    path: &Path,
    inputs: &[PathBuf],
    data_dir: &Path,
) -> Result<(), StoreError> {
    let what = format!("--rejects {}", path.display());
    let refuse = |why: String| {
        Err(StoreError::Invalid(format!(
            "{what}: {why}; choose another file for the rejected rows"
        )))
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return refuse(format!("the folder {} does not exist", parent.display()));
    }
    if path.is_dir() {
        return refuse("is a folder".into());
    }
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    super::check_output_path(&what, path, &inputs, data_dir)
}

/// Rejected rows as they are found: the first kept for a strict ingest's error, and under
/// `--skip-bad` every one written at once to a file staged beside the rejects path, renamed
/// to it when the ingest commits. Held in memory until the end, they took about 250 bytes
/// each (1.5 GB for a file of 6 M bad rows).
pub(super) struct RejectSink {
    pub(super) first: Option<Reject>,
    /// The writer and the staged file (removed unless committed).
    out: Option<(csv::Writer<std::fs::File>, PathBuf)>,
}

impl RejectSink {
    pub(super) fn new(to: Option<&Path>) -> Result<RejectSink, StoreError> {
        let out = match to {
            None => None,
            Some(to) => {
                let mut staged = to.as_os_str().to_owned();
                staged.push(".partial");
                let staged = PathBuf::from(staged);
                let mut w = csv::Writer::from_path(&staged)
                    .map_err(|e| StoreError::io(&staged, std::io::Error::other(e)))?;
                w.write_record(["file", "line", "column", "reason", "row"])
                    .map_err(|e| StoreError::io(&staged, std::io::Error::other(e)))?;
                Some((w, staged))
            }
        };
        Ok(RejectSink { first: None, out })
    }

    pub(super) fn push(&mut self, r: Reject) -> Result<(), StoreError> {
        if let Some((w, staged)) = &mut self.out {
            w.write_record([
                r.path.as_str(),
                &r.line.to_string(),
                r.column.as_deref().unwrap_or(""),
                r.reason.as_str(),
                r.row.as_deref().unwrap_or(""),
            ])
            .map_err(|e| StoreError::io(&*staged, std::io::Error::other(e)))?;
        }
        if self.first.is_none() {
            self.first = Some(r);
        }
        Ok(())
    }

    /// Moves the staged rejects to `to`.
    pub(super) fn commit(mut self, to: &Path) -> Result<(), StoreError> {
        let Some((mut w, staged)) = self.out.take() else {
            return Ok(());
        };
        let result = w
            .flush()
            .and_then(|()| std::fs::rename(&staged, to))
            .map_err(|e| StoreError::io(to, e));
        if result.is_err() {
            let _ = std::fs::remove_file(&staged);
        }
        result
    }
}

impl Drop for RejectSink {
    fn drop(&mut self) {
        if let Some((_, staged)) = self.out.take() {
            let _ = std::fs::remove_file(staged);
        }
    }
}
