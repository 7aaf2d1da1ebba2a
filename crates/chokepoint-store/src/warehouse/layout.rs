//! What belongs to the data directory, and what must never be written over: the checks that
//! keep chokepoint from deleting or overwriting files that are not its own.
//!
//! - A data directory is a new or empty folder, or one chokepoint made (it holds
//!   `warehouse/BUNDLED`); any other folder is refused before anything is written into it.
//! - Temp files are named by [`temp_path`]; only names of that shape are ever removed from
//!   `tmp/`, one file at a time, never a folder's whole content.
//! - [`check_output_path`] is the one guard every command writing a file or folder the user
//!   named goes through: never one of its own inputs, never inside the data directory.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::StoreError;
use crate::session::TABLES;

use super::STAMP;

/// Temp files older than this are leftovers of killed runs and are removed on open.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// A fresh, unique path under `tmp`: `<pid>-<nanos>-<counter>-<name>`.
pub fn temp_path(tmp: &Path, name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    tmp.join(format!("{}-{nanos}-{n}-{name}", std::process::id()))
}

/// Whether `name` has the shape [`temp_path`] gives: three numbers, then a name.
fn is_temp_name(name: &str) -> bool {
    let mut parts = name.splitn(4, '-');
    let numeric =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    numeric(parts.next())
        && numeric(parts.next())
        && numeric(parts.next())
        && parts.next().is_some_and(|rest| !rest.is_empty())
}

/// Removes temp leftovers of runs that were killed long ago (never a live run's files).
///
/// Only entries named like [`temp_path`] are touched. A staged first warehouse (a folder)
/// is taken apart by its known layout, so a folder holding anything else stays.
pub fn remove_stale_temp_files(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_str().is_some_and(is_temp_name) {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if !old {
            continue;
        }
        let p = entry.path();
        if meta.is_dir() {
            for table in TABLES {
                let _ = std::fs::remove_file(p.join(table).join("bundled.parquet"));
                let _ = std::fs::remove_dir(p.join(table));
            }
            let _ = std::fs::remove_file(p.join(STAMP));
            let _ = std::fs::remove_dir(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// Refuses a data directory that is a file, or a non-empty folder chokepoint did not make
/// (writing a warehouse into it, and cleaning its `tmp/`, would mix with the user's files).
///
/// Accepted: a missing or empty folder, one holding `warehouse/BUNDLED` (every data
/// directory made by this or an older version), or one holding only a `tmp/` of temp files
/// (a first open that was killed).
pub fn check_data_dir(dir: &Path) -> Result<(), StoreError> {
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        // Creating the folder through a link to nothing fails with a bare "File exists".
        // A loop of links (ELOOP) was called a link to nothing (adversarial review): only a
        // link whose target is missing is one.
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && dir
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink()) =>
        {
            return Err(StoreError::Invalid(format!(
                "data directory {} is a symbolic link to a folder that does not exist; create \
                 that folder, or pass another one with --data-dir (or CHOKEPOINT_DATA_DIR)",
                dir.display()
            )));
        }
        Err(e)
            if dir
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink()) =>
        {
            return Err(StoreError::Invalid(format!(
                "data directory {} is a symbolic link that cannot be followed ({e}); point it at \
                 a folder, or pass another one with --data-dir (or CHOKEPOINT_DATA_DIR)",
                dir.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(dir, e)),
    };
    if !meta.is_dir() {
        return Err(StoreError::Invalid(format!(
            "data directory {} is a file, not a folder; pass a new or empty folder with \
             --data-dir (or CHOKEPOINT_DATA_DIR)",
            dir.display()
        )));
    }
    if dir.join("warehouse").join(STAMP).is_file() {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(dir, e))?;
        let name = entry.file_name();
        let only_temp_files = name == "tmp"
            && std::fs::read_dir(entry.path()).is_ok_and(|mut inner| {
                inner.all(|e| e.is_ok_and(|e| e.file_name().to_str().is_some_and(is_temp_name)))
            });
        // Ours without a stamp yet (a first load or an ingest that was interrupted), or
        // what an operating system leaves in any folder (Finder, Explorer, a mount point).
        let ours_or_the_systems = name.to_str().is_some_and(|n| {
            matches!(
                n,
                "warehouse"
                    | super::order::LOCK_FILE
                    | ".DS_Store"
                    | "Thumbs.db"
                    | "desktop.ini"
                    | "lost+found"
            )
        });
        if !only_temp_files && !ours_or_the_systems {
            return Err(StoreError::Invalid(format!(
                "{} is not a chokepoint data directory (it holds other files, such as {:?}, \
                 and no warehouse/{STAMP}); pass an empty or new folder with --data-dir (or \
                 CHOKEPOINT_DATA_DIR), or the folder chokepoint made before",
                dir.display(),
                entry.file_name()
            )));
        }
    }
    Ok(())
}

/// Refuses an output (`what`: how the user named it, e.g. `--out report.html`) that would
/// overwrite one of the command's `inputs` or land inside `data_dir` (a warehouse part
/// overwritten with CSV or TOML breaks every later command).
///
/// The path is resolved as the write would resolve it: symbolic links followed, and an
/// existing file compared by device and inode too, so neither a link nor a hard link to an
/// input or a warehouse part gets through.
pub fn check_output_path(
    what: &str,
    path: &Path,
    inputs: &[&Path],
    data_dir: &Path,
) -> Result<(), StoreError> {
    let refuse = |why: String| {
        Err(StoreError::Invalid(format!(
            "{what}: {why}; choose another path for the output"
        )))
    };
    if is_stream(path) {
        // A pipe or a terminal (`--rejects /dev/stdout | …`): nothing stored is written over.
        return Ok(());
    }
    let target = match resolve(path) {
        Ok(t) => t,
        Err(why) => return refuse(why),
    };
    let identity = file_identity(&target);
    let same = |other: &Path| {
        other.canonicalize().is_ok_and(|o| o == target)
            || identity.is_some_and(|id| file_identity(other) == Some(id))
    };
    if inputs.iter().any(|i| same(i)) {
        return refuse("is one of this command's inputs".into());
    }
    // Resolved as an output is: a data directory that does not exist yet (this command
    // creates it) still counts.
    if let Ok(data) = resolve(data_dir) {
        let inside = target.starts_with(&data)
            || identity
                .is_some_and(|id| warehouse_files(&data).any(|f| file_identity(&f) == Some(id)));
        if inside {
            return refuse(format!(
                "lies inside the data directory {}, or is a link to a file there (the \
                 warehouse would be overwritten)",
                data_dir.display()
            ));
        }
    }
    Ok(())
}

/// [`check_output_path`] for an output folder, which the command fills with files of its
/// own naming. It must also not be a file (creating it would fail with a bare "File
/// exists"), hold none of the command's inputs (a scenario called `summary.json` would be
/// written over), and hold no link down to two levels (a file written there would land on
/// whatever the link shares).
pub fn check_output_folder(
    what: &str,
    dir: &Path,
    inputs: &[&Path],
    data_dir: &Path,
) -> Result<(), StoreError> {
    check_output_path(what, dir, inputs, data_dir)?;
    let refuse = |why: String| {
        Err(StoreError::Invalid(format!(
            "{what}: {} {why}",
            dir.display()
        )))
    };
    if dir.exists() && !dir.is_dir() {
        return refuse(
            "is a file, not a folder; give a folder (new or existing) for the \
                       output files"
                .into(),
        );
    }
    if let Ok(folder) = dir.canonicalize()
        && let Some(input) = inputs
            .iter()
            .find(|i| i.canonicalize().is_ok_and(|i| i.starts_with(&folder)))
    {
        return refuse(format!(
            "holds this command's input {}; output files written into the folder could \
             replace it; give another folder",
            input.display()
        ));
    }
    if let Some(link) = link_within(dir, 2) {
        return refuse(format!(
            "holds a link ({}); the command writes its files into the folder and would write \
             through the link to whatever it points at; give a folder without links (a new \
             one is safest)",
            link.display()
        ));
    }
    Ok(())
}

/// A symbolic link, or a file with other hard links, in `dir` or its folders down to
/// `depth` levels.
fn link_within(dir: &Path, depth: usize) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let Ok(meta) = path.symlink_metadata() else {
            continue;
        };
        if meta.file_type().is_symlink() || (meta.is_file() && hard_links(&meta) > 1) {
            return Some(path);
        }
        if meta.is_dir()
            && depth > 1
            && let Some(found) = link_within(&path, depth - 1)
        {
            return Some(found);
        }
    }
    None
}

/// The absolute path a write to `path` would reach: the path itself resolved when it
/// exists, else its nearest existing folder resolved with the rest appended.
fn resolve(path: &Path) -> Result<PathBuf, String> {
    if path.symlink_metadata().is_ok() {
        return path.canonicalize().map_err(|_| {
            "is a symbolic link to a missing file (writing would create the file it points to)"
                .to_string()
        });
    }
    let mut rest = Vec::new();
    let mut existing = path;
    loop {
        match existing.parent() {
            Some(parent) => {
                // A last component `..` has no file name: kept as such, and refused below.
                rest.push(
                    existing
                        .file_name()
                        .map_or_else(|| PathBuf::from(".."), PathBuf::from),
                );
                existing = parent;
                if existing.as_os_str().is_empty() {
                    existing = Path::new(".");
                }
                if existing.symlink_metadata().is_ok() {
                    break;
                }
            }
            None => return Err("has no existing folder above it".into()),
        }
    }
    let mut target = existing
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", existing.display()))?;
    for part in rest.iter().rev() {
        if Path::new(part)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err("names `..` or `.` below a folder that does not exist".into());
        }
        target.push(part);
    }
    Ok(target)
}

/// Whether `path` (links followed) is a pipe, a socket or a character device such as a
/// terminal or `/dev/null`: written to, not over.
#[cfg(unix)]
fn is_stream(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| {
        let t = m.file_type();
        t.is_fifo() || t.is_socket() || t.is_char_device()
    })
}

#[cfg(not(unix))]
fn is_stream(_path: &Path) -> bool {
    false
}

/// Device and inode of an existing file (Unix), to see through hard links.
#[cfg(unix)]
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// How many names a file has (Unix; 1 elsewhere).
#[cfg(unix)]
fn hard_links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_meta: &std::fs::Metadata) -> u64 {
    1
}

/// A fingerprint of what the warehouse holds: the name, size and modification time of every
/// file of its table folders. An ingest or a retraction changes it; a reader that keeps
/// figures derived from the warehouse (the server's chain facts) reads them again when it
/// does.
pub fn contents_stamp(data_dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut files: Vec<(PathBuf, u64, Option<SystemTime>)> = warehouse_files(data_dir)
        .map(|p| {
            let meta = std::fs::metadata(&p).ok();
            let len = meta.as_ref().map_or(0, std::fs::Metadata::len);
            let modified = meta.and_then(|m| m.modified().ok());
            (p, len, modified)
        })
        .collect();
    files.sort();
    let mut h = std::hash::DefaultHasher::new();
    files.hash(&mut h);
    h.finish()
}

/// Every file of the warehouse's table folders.
fn warehouse_files(data_dir: &Path) -> impl Iterator<Item = PathBuf> {
    let wh = data_dir.join("warehouse");
    TABLES.into_iter().flat_map(move |t| {
        std::fs::read_dir(wh.join(t))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_temp_names_are_temp_files() {
        let tmp = Path::new("/x");
        let made = temp_path(tmp, "trade-bundled.parquet");
        assert!(is_temp_name(made.file_name().unwrap().to_str().unwrap()));
        for other in ["important", "notes.txt", "12-34-x", "1-2-3-", "a-1-2-x"] {
            assert!(!is_temp_name(other), "{other}");
        }
    }

    /// A folder of the user's (an old `tmp/important/notes.txt`) is neither written into
    /// nor cleaned: the data directory is refused and the file stays.
    #[test]
    fn a_foreign_folder_is_refused_and_its_tmp_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("tmp/important/notes.txt");
        std::fs::create_dir_all(notes.parent().unwrap()).unwrap();
        std::fs::write(&notes, "precious").unwrap();
        let e = check_data_dir(dir.path()).unwrap_err();
        assert!(e.is_user_error());
        assert!(
            e.to_string().contains("is not a chokepoint data directory"),
            "{e}"
        );
        // Even a stale-temp sweep leaves names it did not make.
        remove_stale_temp_files(&dir.path().join("tmp"));
        assert!(notes.exists());
        // Empty and missing folders are fine; a file is not a folder.
        let empty = tempfile::tempdir().unwrap();
        check_data_dir(empty.path()).unwrap();
        check_data_dir(&empty.path().join("new")).unwrap();
        let file = empty.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let e = check_data_dir(&file).unwrap_err();
        assert!(e.to_string().contains("is a file, not a folder"), "{e}");
        // A folder holding only what an OS leaves (Finder's .DS_Store, a mount point's
        // lost+found) or what an interrupted first load or ingest left is still ours.
        let finder = tempfile::tempdir().unwrap();
        std::fs::write(finder.path().join(".DS_Store"), "x").unwrap();
        std::fs::create_dir(finder.path().join("lost+found")).unwrap();
        check_data_dir(finder.path()).unwrap();
        std::fs::create_dir_all(finder.path().join("warehouse/trade")).unwrap();
        std::fs::write(finder.path().join(super::super::order::LOCK_FILE), "").unwrap();
        check_data_dir(finder.path()).unwrap();
        #[cfg(unix)]
        {
            let link = finder.path().join("dangling");
            std::os::unix::fs::symlink(finder.path().join("nowhere"), &link).unwrap();
            let e = check_data_dir(&link).unwrap_err().to_string();
            assert!(
                e.contains("symbolic link to a folder that does not exist"),
                "{e}"
            );
            // A loop of links is not a link to nothing.
            let (a, b) = (finder.path().join("a"), finder.path().join("b"));
            std::os::unix::fs::symlink(&b, &a).unwrap();
            std::os::unix::fs::symlink(&a, &b).unwrap();
            let e = check_data_dir(&a).unwrap_err().to_string();
            assert!(e.contains("symbolic link that cannot be followed"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn outputs_are_resolved_through_links_before_they_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let part = data.join("warehouse/trade/bundled.parquet");
        std::fs::create_dir_all(part.parent().unwrap()).unwrap();
        std::fs::write(&part, "PAR1").unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "a").unwrap();
        let link = |name: &str, to: &Path| {
            let l = dir.path().join(name);
            std::os::unix::fs::symlink(to, &l).unwrap();
            l
        };
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&part, &hard).unwrap();
        let check = |p: &Path| check_output_path("--out", p, &[&input], &data);
        for (p, why) in [
            (input.clone(), "input"),
            (link("to-input.csv", &input), "input"),
            (link("to-part.csv", &part), "data directory"),
            (hard.clone(), "data directory"),
            (data.join("warehouse/trade/new.parquet"), "data directory"),
            (
                link("dangling.csv", &data.join("warehouse/x")),
                "missing file",
            ),
        ] {
            let e = check(&p).unwrap_err().to_string();
            assert!(e.contains(why), "{}: {e}", p.display());
        }
        check(&dir.path().join("out.csv")).unwrap();
        check(&dir.path().join("new/folder/out.csv")).unwrap();
        // A data directory this command has yet to create counts too.
        let fresh = dir.path().join("fresh-data");
        let e = check_output_path("--out", &fresh.join("runs"), &[], &fresh)
            .unwrap_err()
            .to_string();
        assert!(e.contains("data directory"), "{e}");
    }
}
