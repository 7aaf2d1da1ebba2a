//! File plumbing of the warehouse: temp names, Parquet writing, content hashes.

use std::fs::File;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::metadata::KeyValue;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use datafusion::parquet::file::serialized_reader::ReadOptionsBuilder;
use datafusion::parquet::schema::types::ColumnPath;

use crate::StoreError;
use crate::sources::HashingReader;

/// Rows per Parquet row group: large enough for fast scans, small enough that the writer's
/// buffer (and so ingest memory) stays bounded.
pub const ROW_GROUP_ROWS: usize = 256 * 1024;

/// A stable 64-bit content hash (xxHash64, seed 0).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    twox_hash::XxHash64::oneshot(0, bytes)
}

/// Checks that `path`, whose metadata was `opened` when it was opened, was read whole
/// (`read` bytes) and has not changed since: [`StoreError::FileChanged`] otherwise.
pub fn check_unchanged(
    path: &Path,
    opened: &std::fs::Metadata,
    read: u64,
) -> Result<(), StoreError> {
    let now = std::fs::metadata(path).ok();
    let unchanged = now
        .as_ref()
        .is_some_and(|m| m.len() == opened.len() && m.modified().ok() == opened.modified().ok());
    if read == opened.len() && unchanged {
        return Ok(());
    }
    Err(StoreError::FileChanged {
        path: path.to_path_buf(),
        opened: opened.len(),
        read,
        now: now.map(|m| m.len()),
    })
}

/// The content hash of a file, read in chunks.
pub fn hash_file(path: &Path) -> Result<u64, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::read_input(path, e))?;
    // 1 MiB reads; the hash is the one ingest computes while parsing (same reader).
    let mut reader = std::io::BufReader::with_capacity(1 << 20, HashingReader::new(file));
    std::io::copy(&mut reader, &mut std::io::sink())
        .map_err(|e| StoreError::read_input(path, e))?;
    Ok(reader.get_ref().hash())
}

/// Columns of `trade` written without a dictionary (other tables simply do not have them).
const DISTINCT_FLOAT_COLUMNS: [&str; 4] = [
    "quantity_t",
    "value_usd",
    "reported_yoy_pct",
    "reported_mom_pct",
];

/// Snappy-compressed writer properties, with optional key-value metadata in the footer.
pub fn writer_properties(metadata: Option<(&str, String)>) -> WriterProperties {
    let mut builder = WriterProperties::builder();
    // Measured figures are nearly all distinct: a dictionary costs the writer a hash of
    // every value, overflows, and leaves readers a mix of dictionary and plain pages.
    for column in DISTINCT_FLOAT_COLUMNS {
        builder = builder.set_column_dictionary_enabled(ColumnPath::from(column), false);
    }
    builder
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_key_value_metadata(metadata.map(|(k, v)| vec![KeyValue::new(k.to_string(), v)]))
        .build()
}

/// Writes batches to a new Parquet file at `path`.
pub fn write_parquet(
    path: &Path,
    schema: SchemaRef,
    batches: impl Iterator<Item = Result<RecordBatch, StoreError>>,
    metadata: Option<(&str, String)>,
) -> Result<(), StoreError> {
    let file = File::create(path).map_err(|e| StoreError::io(path, e))?;
    let mut w = ArrowWriter::try_new(file, schema, Some(writer_properties(metadata)))
        .map_err(|e| StoreError::parquet(path, e))?;
    for b in batches {
        w.write(&b?).map_err(|e| StoreError::parquet(path, e))?;
    }
    w.close().map_err(|e| StoreError::parquet(path, e))?;
    Ok(())
}

/// The footer key-value entry `key` of a Parquet file, if present.
pub fn footer_value(path: &Path, key: &str) -> Result<Option<String>, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| StoreError::parquet(path, e))?;
    Ok(reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|e| e.key == key))
        .and_then(|e| e.value.clone()))
}

/// Why a Parquet file cannot be opened, if it cannot: its footer and page index are
/// checked (what the query engine reads when the warehouse opens), not its data pages.
pub fn unreadable_parquet(path: &Path) -> Option<String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Some(e.to_string()),
    };
    let options = ReadOptionsBuilder::new().with_page_index().build();
    SerializedFileReader::new_with_options(file, options)
        .err()
        .map(|e| e.to_string())
}

/// Why a Parquet file cannot be read in full, if it cannot: footer, page index and every
/// data page decoded. Costs a full read, so it runs on small files (the bundled parts) and
/// when a query failed inside the Parquet reader, to name the part to blame.
pub fn undecodable_parquet(path: &Path) -> Option<String> {
    if let Some(reason) = unreadable_parquet(path) {
        return Some(reason);
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Some(e.to_string()),
    };
    let reader = match ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build()) {
        Ok(r) => r,
        Err(e) => return Some(e.to_string()),
    };
    for batch in reader {
        if let Err(e) = batch {
            return Some(e.to_string());
        }
    }
    None
}

/// The `.parquet` files of a table folder, sorted by name.
pub fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))? {
        let p = entry.map_err(|e| StoreError::io(dir, e))?.path();
        if p.extension().is_some_and(|e| e == "parquet") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adversarial review: a download still being written was stored with the size it had
    /// when opened and the hash of everything read, so the finished file was stored again.
    #[test]
    fn a_file_that_grew_or_was_cut_while_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grow.csv");
        std::fs::write(&path, b"a,b\n1,2\n").unwrap();
        let opened = std::fs::metadata(&path).unwrap();
        assert!(check_unchanged(&path, &opened, 8).is_ok());
        // Read short of its size (cut while read).
        let e = check_unchanged(&path, &opened, 5).unwrap_err();
        assert!(e.is_user_error());
        assert!(
            e.to_string()
                .contains("changed while it was being ingested (8 bytes when opened, 5 read"),
            "{e}"
        );
        // Grown after it was opened.
        std::fs::write(&path, b"a,b\n1,2\n3,4\n").unwrap();
        let e = check_unchanged(&path, &opened, 12).unwrap_err();
        assert!(
            e.to_string().contains(", 12 now): nothing was stored"),
            "{e}"
        );
    }
}
