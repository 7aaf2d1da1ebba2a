//! The first bytes of an input file, looked at before any CSV parsing: whether it can be a
//! CSV file at all (compressed, UTF-16, binary, tab- or semicolon-separated, lines ending in
//! CR alone) (a first line without end, as `/dev/zero` gives,
//! was read into memory without bound).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::StoreError;

/// The longest line (record) read. Customs lines are a few hundred bytes; a longer one is
/// binary data or an unclosed quote that swallowed the rest of the file, and reading it
/// whole would take memory without bound.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What a line longer than [`MAX_LINE_BYTES`] is told.
pub fn too_long() -> String {
    format!(
        "line longer than {} MiB: is a quote left open, or is this not a CSV file?",
        MAX_LINE_BYTES >> 20
    )
}

/// Reads the start of `path` (at most a line's worth) and refuses what cannot be read as
/// CSV with LF line ends, saying what it is; refuses a file whose first line does not end
/// within [`MAX_LINE_BYTES`].
pub(super) fn inspect(path: &Path) -> Result<(), StoreError> {
    check_is_file(path)?;
    let file = File::open(path).map_err(|e| StoreError::read_input(path, e))?;
    let mut head = Vec::new();
    file.take(MAX_LINE_BYTES as u64 + 1)
        .read_to_end(&mut head)
        .map_err(|e| StoreError::read_input(path, e))?;
    // Records end at `\n`; a CR before it is the line end's (`split`'s rules).
    let first_line = &head[..memchr::memchr(b'\n', &head).unwrap_or(head.len())];
    let first_line = first_line.strip_suffix(b"\r").unwrap_or(first_line);
    let invalid = |what: String| Err(StoreError::Invalid(format!("{}: {what}", path.display())));
    // Compressed downloads are common (Comtrade and BACI ship zipped or gzipped): say so,
    // rather than echo their binary header in a "cannot tell the format" message.
    if head.starts_with(&[0x1f, 0x8b]) || head.starts_with(b"PK\x03\x04") {
        let (kind, how) = if head[0] == 0x1f {
            ("gzip", "`zcat FILE > data.csv`")
        } else {
            ("zip", "`unzip FILE`")
        };
        return invalid(format!(
            "the file is {kind}-compressed; decompress it first ({how}) and ingest the CSV"
        ));
    }
    if is_utf16(&head) {
        return invalid(
            "the file is UTF-16 text; save it as UTF-8 CSV (Excel: Save As → \"CSV UTF-8 \
             (Comma delimited)\"; or `iconv -f UTF-16 -t UTF-8 FILE > FILE-utf8.csv`)"
                .into(),
        );
    }
    // Classic Mac OS text ends its lines in CR alone: read with LF rules, the file would be
    // one line (refused past 1 MiB), every error at line 1. Told before the too-long check,
    // which such a file would otherwise meet.
    if lines_end_in_cr_alone(&head) {
        return invalid(
            "the lines end in CR alone (classic Mac OS text); convert them to LF first \
             (`tr '\\r' '\\n' < FILE > data.csv`, or save the file again as CSV)"
                .into(),
        );
    }
    if first_line.contains(&0) {
        return Err(StoreError::BadRow {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            field: None,
            reason: "binary data (NUL bytes), not CSV text: is this a CSV file?".into(),
        });
    }
    if head.len() > MAX_LINE_BYTES && first_line.len() == head.len() {
        return Err(StoreError::BadRow {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            field: None,
            reason: too_long(),
        });
    }
    if first_line.contains(&b'\t') && !first_line.contains(&b',') {
        return invalid(
            "the file is separated by tabs; chokepoint reads comma-separated files: save it \
             as CSV with `,` as the field separator (or convert it: `tr '\\t' ',' < FILE > \
             data.csv` when no cell holds a comma)"
                .into(),
        );
    }
    if first_line.contains(&b';') && !first_line.contains(&b',') {
        return invalid(
            "the file is separated by semicolons; chokepoint reads comma-separated files: \
             save it as CSV with `,` as the field separator and `.` as the decimal mark \
             (LibreOffice: Save As → Text CSV → Field delimiter `,`)"
                .into(),
        );
    }
    Ok(())
}

/// Refuses an input that is a folder (or another non-file that cannot hold CSV text) with
/// what to give instead; a missing one is an I/O error naming it.
pub fn check_is_file(path: &Path) -> Result<(), StoreError> {
    let meta = std::fs::metadata(path).map_err(|e| StoreError::read_input(path, e))?;
    if meta.is_dir() {
        return Err(StoreError::Invalid(format!(
            "{} is a folder, not a file; give the CSV files in it (e.g. {}/*.csv)",
            path.display(),
            path.display()
        )));
    }
    // A pipe (`<(zcat …)`, `… | chokepoint ingest /dev/stdin`) is read more than once (the
    // header for the format, then the rows, the hash): the second read found it empty and
    // blamed an empty header that was really there.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        // A terminal or a device such as /dev/urandom holds no CSV file (it was read as
        // one, "separated by tabs", or failed with an OS error and exit 1).
        if kind.is_char_device() || kind.is_block_device() {
            return Err(StoreError::Invalid(format!(
                "{} is a device, not a file; give the path of a CSV file, or redirect one: \
                 `ingest /dev/stdin < data.csv`",
                path.display()
            )));
        }
        if kind.is_fifo() || kind.is_socket() {
            return Err(StoreError::Invalid(format!(
                "{} is a pipe or socket, which can be read only once, and ingest reads a file more \
                 than once (its header, then its rows); save it to a file first (e.g. \
                 `zcat data.csv.gz > data.csv`), or redirect a file: `ingest /dev/stdin < data.csv`",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Whether `head` starts like UTF-16 text: a byte-order mark, or ASCII with a NUL byte
/// beside every character (a spreadsheet's "Unicode text" without a mark).
fn is_utf16(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let pairs: Vec<&[u8]> = head.chunks_exact(2).take(64).collect();
    pairs.len() >= 4
        && (pairs.iter().all(|p| p[0] != 0 && p[1] == 0)
            || pairs.iter().all(|p| p[0] == 0 && p[1] != 0))
}

/// No `\n` in the head but several CRs, and text (no NUL byte): lines that end in CR
/// alone. One CR in a long first line, or in binary data, is not that.
fn lines_end_in_cr_alone(head: &[u8]) -> bool {
    memchr::memchr(b'\n', head).is_none()
        && memchr::memchr_iter(b'\r', head).nth(1).is_some()
        && memchr::memchr(0, head).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compressed and tab-separated files are named as such, with how to get a CSV.
    #[test]
    fn compressed_and_tab_separated_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 3] = [
            ("a.csv.gz", &[0x1f, 0x8b, 8, 0, 0, 0], "gzip-compressed"),
            ("a.zip", b"PK\x03\x04rest", "zip-compressed"),
            (
                "a.txt",
                b"freqCode\tperiod\nM\t202501\n",
                "separated by tabs",
            ),
        ];
        for (name, bytes, expected) in cases {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let e = inspect(&p).unwrap_err().to_string();
            assert!(e.contains(expected), "{name}: {e}");
        }
    }

    /// A file without line ends (`/dev/zero`, a binary file) is refused after one line's
    /// worth of bytes, at line 1.
    #[test]
    fn a_first_line_without_end_is_refused_after_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("zeros.csv");
        std::fs::write(&p, vec![b'a'; MAX_LINE_BYTES + 10]).unwrap();
        let e = inspect(&p).unwrap_err().to_string();
        assert!(e.contains("zeros.csv:1: line longer than 1 MiB"), "{e}");
        // A stray CR in such a line is text: still too long, not "CR alone" (code review).
        let mut long = vec![b'a'; MAX_LINE_BYTES + 10];
        long[100] = b'\r';
        std::fs::write(&p, long).unwrap();
        let e = inspect(&p).unwrap_err().to_string();
        assert!(e.contains("line longer than 1 MiB"), "{e}");
        #[cfg(unix)]
        {
            let e = crate::sources::TradeReader::open(Path::new("/dev/zero"), None, None)
                .err()
                .unwrap()
                .to_string();
            // An endless device is refused before a line of it is read.
            assert!(e.contains("/dev/zero is a device, not a file"), "{e}");
        }
    }

    /// A data line over the cap (a 2 MiB product name) is rejected at its line, by the
    /// serial and the parallel reader alike, and the lines after it are still read.
    #[test]
    fn a_data_line_over_the_cap_is_rejected_at_its_line() {
        use crate::sources::{ReadLine, Row, TradeReader};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tidy.csv");
        let huge = "m".repeat(2 * MAX_LINE_BYTES);
        let text = format!(
            "period,reporter_iso3,partner_iso3,flow,product,quantity_t\n\
             2025-05,CHN,WLD,export,magnets,1\n\
             2025-06,CHN,WLD,export,{huge},1\n\
             2025-07,CHN,WLD,export,magnets,1\n"
        );
        std::fs::write(&p, text).unwrap();
        let summary = |l: ReadLine| {
            (
                l.line,
                matches!(l.row, Row::Reject { ref reason, .. } if reason.contains("longer than")),
            )
        };
        let mut serial = Vec::new();
        let mut r = TradeReader::open(&p, None, None).unwrap();
        while let Some(l) = r.next_line() {
            serial.push(summary(l));
        }
        assert_eq!(serial, [(2, false), (3, true), (4, false)]);
        let mut parallel = Vec::new();
        let r = TradeReader::open(&p, None, None).unwrap();
        r.scan(
            Vec::new,
            |acc: &mut Vec<(u64, bool)>, l| acc.push(summary(l)),
            |acc, _| {
                parallel.extend(acc);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(parallel, serial);
    }

    /// UTF-16, semicolon-separated and binary files and folders are named as such, with
    /// what to do (they got the spaced-out header and "pass --format", or "Is a directory").
    #[test]
    fn files_that_are_no_comma_separated_utf8_text_say_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let header = "typeCode,freqCode,flowCode\r\nC,M,X\r\n";
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(header.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let no_bom: Vec<u8> = header.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let cases: [(&str, Vec<u8>, &str); 4] = [
            ("u16.csv", utf16, "is UTF-16 text; save it as UTF-8 CSV"),
            ("u16-no-bom.csv", no_bom, "is UTF-16 text"),
            (
                "semi.csv",
                b"t;i;j;k;v;q\n2020;4;8;850511;1,5;2\n".to_vec(),
                "separated by semicolons",
            ),
            ("bin.csv", b"PAR1\0\0\x15\n".to_vec(), "binary data"),
        ];
        for (name, bytes, why) in cases {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let e = inspect(&p).unwrap_err();
            assert!(e.is_user_error());
            let e = e.to_string();
            assert!(e.contains(name) && e.contains(why), "{e}");
        }
        let e = inspect(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a folder, not a file"), "{e}");
        let ok = dir.path().join("ok.csv");
        std::fs::write(&ok, "period,reporter_iso3,flow,note\n2025,CHN,export,a;b\n").unwrap();
        assert!(inspect(&ok).is_ok());
    }

    #[test]
    fn lines_ending_in_cr_alone_are_told_from_the_head() {
        assert!(!lines_end_in_cr_alone(b"a,b\nc,d\n"));
        assert!(!lines_end_in_cr_alone(b"a,b\r\nc,d\r\n"));
        assert!(!lines_end_in_cr_alone(b"a,b\r,\nc,d\r,\n"));
        assert!(lines_end_in_cr_alone(b"a,b\rc,d\r"));
        assert!(!lines_end_in_cr_alone(
            b"a long first line with one\r stray CR"
        ));
        assert!(!lines_end_in_cr_alone(b"\0\r\r binary"));
        assert!(!lines_end_in_cr_alone(b"no line end"));
        // Refused with how to convert, not read as one long line.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mac.csv");
        std::fs::write(&p, "a,b\rc,d\r").unwrap();
        let e = inspect(&p).unwrap_err().to_string();
        assert!(e.contains("the lines end in CR alone"), "{e}");
    }
}
