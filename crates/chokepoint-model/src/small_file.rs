//! Reading a scenario or parameter file: the one read with a size cap.

use std::io::Read;
use std::path::Path;

/// The largest scenario, network or parameter file read. The shipped ones are a few
/// kilobytes and a network export under 100 KB; MRIO tables are read by their own reader.
pub const MAX_SMALL_FILE_BYTES: u64 = 4 << 20;

/// The text of a scenario, network or parameter file, refused past
/// [`MAX_SMALL_FILE_BYTES`] with an [`std::io::ErrorKind::FileTooLarge`] error.
///
/// Why: such files were read whole, so `simulate /dev/zero` (or any large file given by
/// mistake) grew until the machine ran out of memory. Only the cap plus one byte is ever
/// read, so a device or a pipe that never ends is refused as quickly as a large file.
/// Text that is not UTF-8 is an [`std::io::ErrorKind::InvalidData`] error.
pub fn read_small_text(path: &Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_SMALL_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SMALL_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "larger than {} MiB, while the files read whole (scenarios, networks, \
                 parameters, BACI country codes) are a few kilobytes; is this the right file?",
                MAX_SMALL_FILE_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (byte {} is not valid UTF-8); save the file as UTF-8",
                e.utf8_error().valid_up_to() + 1
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// F3: `simulate /dev/zero` was killed by the OOM killer after 24 GB.
    #[test]
    fn a_file_past_the_cap_is_refused_without_reading_it_whole() {
        let e = read_small_text(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("larger than 4 MiB"), "{e}");
        let dir = std::env::temp_dir().join(format!("small-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = dir.join("ok.toml");
        std::fs::write(&ok, "a = 1\n").unwrap();
        assert_eq!(read_small_text(&ok).unwrap(), "a = 1\n");
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, b"a = \xff\n").unwrap();
        let e = read_small_text(&bad).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("byte 5"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
