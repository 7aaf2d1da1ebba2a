//! The first bytes of an input file, looked at before any CSV parsing: how its lines end,
//! and whether it can be a CSV file at all (a first line without end, as `/dev/zero` gives,
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

/// Reads the start of `path` (at most a line's worth) and says how its lines end; refuses
/// a file whose first line does not end within [`MAX_LINE_BYTES`].
pub(super) fn inspect(path: &Path) -> Result<LineEnds, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut head = Vec::new();
    file.take(MAX_LINE_BYTES as u64 + 1)
        .read_to_end(&mut head)
        .map_err(|e| StoreError::io(path, e))?;
    if head.len() > MAX_LINE_BYTES && !head.contains(&b'\n') && !head.contains(&b'\r') {
        return Err(StoreError::BadRow {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            reason: too_long(),
        });
    }
    Ok(line_ends(&head))
}

/// How the file's first line ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineEnds {
    /// `\n` (or no line break in the first 64 KiB).
    Lf,
    /// `\r\n`, as Comtrade downloads end their lines.
    Crlf,
    /// `\r,\n` (one or more commas): a CRLF file with a comma appended to every line by a
    /// tool that kept the CR, so the line holds one more, empty, cell after the CR. Read
    /// with CRLF rules the CR ends the record and the commas become a record of empty
    /// cells on every line; so records end at `\n` only (the CR stays in the cell before,
    /// whose text is trimmed).
    CrThenCommas,
}

fn line_ends(head: &[u8]) -> LineEnds {
    let Some(end) = head.iter().position(|b| *b == b'\n') else {
        return LineEnds::Lf;
    };
    let line = &head[..end];
    let before_commas = line.iter().rposition(|b| *b != b',').map_or(0, |i| i + 1);
    match line.get(before_commas.wrapping_sub(1)) {
        Some(b'\r') if before_commas < line.len() => LineEnds::CrThenCommas,
        Some(b'\r') => LineEnds::Crlf,
        _ => LineEnds::Lf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file without line ends (`/dev/zero`, a binary file) is refused after one line's
    /// worth of bytes, at line 1.
    #[test]
    fn a_first_line_without_end_is_refused_after_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("zeros.csv");
        std::fs::write(&p, vec![b'a'; MAX_LINE_BYTES + 10]).unwrap();
        let e = inspect(&p).unwrap_err().to_string();
        assert!(e.contains("zeros.csv:1: line longer than 1 MiB"), "{e}");
        #[cfg(unix)]
        {
            let e = crate::sources::TradeReader::open(Path::new("/dev/zero"), None, None)
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("/dev/zero:1:"), "{e}");
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

    #[test]
    fn line_ends_are_told_from_the_first_line() {
        assert_eq!(line_ends(b"a,b\nc,d\n"), LineEnds::Lf);
        assert_eq!(line_ends(b"a,b\r\nc,d\r\n"), LineEnds::Crlf);
        assert_eq!(line_ends(b"a,b\r,\nc,d\r,\n"), LineEnds::CrThenCommas);
        assert_eq!(line_ends(b"a,b,\r\n"), LineEnds::Crlf);
        assert_eq!(line_ends(b"no line end"), LineEnds::Lf);
    }
}
