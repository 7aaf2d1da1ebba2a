//! The order of ingests: one at a time per data directory (a file lock), and part ids
//! that sort in the order the ingests committed.

use std::path::Path;

use super::files;
use crate::StoreError;

/// The file whose exclusive lock serialises ingests into one data directory.
pub(super) const LOCK_FILE: &str = "ingest.lock";

/// Takes the ingest lock of `data_dir`, waiting for a running ingest to finish (after
/// calling `on_wait`, so that the caller can say why nothing happens); released when the
/// file is dropped (or the process ends).
pub fn lock_for_ingest(
    data_dir: &Path,
    on_wait: &mut dyn FnMut(),
) -> Result<std::fs::File, StoreError> {
    let path = data_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            on_wait();
            file.lock().map_err(|e| StoreError::io(&path, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io(&path, e)),
    }
    Ok(file)
}

/// The id of the next part: `YYYYMMDDTHHMMSSZ-s<8-digit sequence>`, greater (as text, which
/// is how "the latest ingest wins" compares them) than every id in `trade_dir`.
///
/// Taken under the ingest lock. The sequence is one more than the largest stored, so two
/// ingests within one second are ordered; the time is never earlier than the latest
/// stored id's (a clock set back cannot reorder ingests); and `s` sorts after the hex
/// digits of ids written before the sequence was kept (`…Z-<8 hex digits>`).
pub fn next_ingest_id(trade_dir: &Path) -> Result<String, StoreError> {
    let mut latest_time = String::new();
    let mut latest_seq = 0u64;
    for part in files::parquet_files(trade_dir)? {
        let Some(id) = part
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix("ingest-"))
        else {
            continue;
        };
        let (time, rest) = id.split_once('-').unwrap_or((id, ""));
        latest_time = latest_time.max(time.to_string());
        if let Some(seq) = rest.strip_prefix('s').and_then(|n| n.parse::<u64>().ok()) {
            latest_seq = latest_seq.max(seq);
        }
    }
    let now: String = utc_now_text()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Ok(format!("{}-s{:08}", now.max(latest_time), latest_seq + 1))
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now_text() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids order ingests even within one second, after the ids of older versions, and
    /// with a clock set back.
    #[test]
    fn each_ingest_id_sorts_after_every_stored_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut ids = vec!["29991231T235959Z-ffffffff".to_string()];
        std::fs::write(dir.path().join(format!("ingest-{}.parquet", ids[0])), "").unwrap();
        std::fs::write(dir.path().join("bundled.parquet"), "").unwrap();
        for _ in 0..3 {
            let id = next_ingest_id(dir.path()).unwrap();
            assert!(&id > ids.last().unwrap(), "{id} after {ids:?}");
            std::fs::write(dir.path().join(format!("ingest-{id}.parquet")), "").unwrap();
            ids.push(id);
        }
        assert_eq!(ids[3], "29991231T235959Z-s00000003");
    }

    /// The lock is exclusive, and a second taker is told that it waits before it blocks;
    /// it gets the lock once the first lets go.
    #[test]
    fn the_ingest_lock_is_exclusive_and_a_waiter_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_for_ingest(dir.path(), &mut || {}).unwrap();
        let other = std::fs::File::open(dir.path().join(LOCK_FILE)).unwrap();
        assert!(other.try_lock().is_err());
        drop(other);
        let (tx, rx) = std::sync::mpsc::channel();
        let path = dir.path().to_path_buf();
        let second = std::thread::spawn(move || {
            lock_for_ingest(&path, &mut || tx.send(()).unwrap()).map(drop)
        });
        // A guard against a hang, not a timing check.
        rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
        drop(first);
        second.join().unwrap().unwrap();
    }

    #[test]
    fn utc_text_has_the_iso_shape() {
        let t = utc_now_text();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
