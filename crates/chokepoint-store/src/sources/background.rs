//! Reading a customs file on two threads: one splits the CSV into records, the caller's
//! thread parses their fields. Splitting (quotes, escapes, copying bytes) and parsing
//! (numbers, codes, the canonical row) cost about the same, so overlapping them nearly
//! halves a large ingest on two cores, with the Parquet writer as a third stage.
//!
//! Records travel in chunks whose buffers are sent back and reused: memory stays at a few
//! chunks whatever the file size, and the rows reach the caller in file order.

use std::sync::mpsc::{channel, sync_channel};

use super::{Raw, ReadLine, Row, TradeReader, read_raw};
use crate::StoreError;

/// Records per chunk: large enough that channel traffic is negligible, small enough that
/// the chunks in flight stay a few megabytes.
const CHUNK_LINES: usize = 4096;

/// Chunks the splitter may run ahead of the parser.
const CHUNKS_AHEAD: usize = 4;

/// A run of consecutive records.
#[derive(Default)]
struct Chunk {
    /// Record buffers; the first `lines` entries with no malformation use them in order.
    records: Vec<csv::ByteRecord>,
    /// Per line: its 1-based number, and why it is malformed when the CSV parser could not
    /// split it (such a line has no record buffer).
    lines: Vec<(u64, Option<String>)>,
    /// Bytes of the file consumed after this chunk.
    bytes_read: u64,
}

/// What a finished [`TradeReader::scan`] read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scanned {
    /// Bytes of the file read (all of it).
    pub bytes_read: u64,
    /// xxHash64 (seed 0) of the file's bytes, computed while reading.
    pub hash: u64,
}

impl TradeReader {
    /// Calls `each` for every line, in file order, with the bytes of the file consumed so
    /// far (for progress). Stops at the first error `each` returns; a read error that ends
    /// the file early is returned after the lines before it.
    pub fn scan(
        self,
        mut each: impl FnMut(ReadLine, u64) -> Result<(), StoreError>,
    ) -> Result<Scanned, StoreError> {
        let TradeReader {
            mut csv,
            parser,
            line_lag,
            path,
            ..
        } = self;
        let (full_tx, full_rx) = sync_channel::<Chunk>(CHUNKS_AHEAD);
        let (empty_tx, empty_rx) = channel::<Chunk>();
        std::thread::scope(|scope| {
            let splitter = std::thread::Builder::new()
                .name("csv-splitter".into())
                .spawn_scoped(scope, move || -> Result<Scanned, std::io::Error> {
                    loop {
                        let mut chunk = empty_rx.try_recv().unwrap_or_default();
                        chunk.lines.clear();
                        let mut used = 0;
                        let mut failed = None;
                        let mut ended = false;
                        while chunk.lines.len() < CHUNK_LINES {
                            if chunk.records.len() == used {
                                chunk.records.push(csv::ByteRecord::new());
                            }
                            match read_raw(&mut csv, &mut chunk.records[used], line_lag) {
                                Raw::Record(line) => {
                                    chunk.lines.push((line, None));
                                    used += 1;
                                }
                                Raw::Malformed(line, why) => chunk.lines.push((line, Some(why))),
                                Raw::End => {
                                    ended = true;
                                    break;
                                }
                                Raw::Failed(io) => {
                                    failed = Some(io);
                                    break;
                                }
                            }
                        }
                        chunk.bytes_read = csv.position().byte();
                        let scanned = Scanned {
                            bytes_read: chunk.bytes_read,
                            hash: csv.get_ref().hash(),
                        };
                        // A closed channel means the parser stopped on an error: stop too.
                        if !chunk.lines.is_empty() && full_tx.send(chunk).is_err() {
                            return Ok(scanned);
                        }
                        if let Some(io) = failed {
                            return Err(io);
                        }
                        if ended {
                            return Ok(scanned);
                        }
                    }
                })
                .map_err(|e| StoreError::io(&path, e))?;
            let parsed = (|| {
                for chunk in full_rx.iter() {
                    let mut records = chunk.records.iter();
                    for (line, malformed) in &chunk.lines {
                        let row = match malformed {
                            Some(reason) => Row::Reject {
                                column: None,
                                reason: reason.clone(),
                            },
                            None => match records.next() {
                                Some(record) => parser.parse(record),
                                None => break,
                            },
                        };
                        each(ReadLine { line: *line, row }, chunk.bytes_read)?;
                    }
                    // The splitter may have finished; then the buffers are simply dropped.
                    let _ = empty_tx.send(chunk);
                }
                Ok::<(), StoreError>(())
            })();
            // Dropping the receiver unblocks a splitter waiting to send after an error.
            drop(full_rx);
            let split = splitter
                .join()
                .map_err(|_| StoreError::io(&path, std::io::Error::other("CSV reader panicked")))?;
            parsed?;
            split.map_err(|e| StoreError::io(&path, e))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::sources::InputFormat;

    fn tidy_file(lines: usize, bad_every: usize) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            f,
            "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd"
        )
        .unwrap();
        for k in 0..lines {
            if bad_every > 0 && k % bad_every == 0 {
                writeln!(f, "2025-01,CHN,JPN,export,850511,\"unclosed").unwrap();
                writeln!(f, "still inside the quote\"x,1").unwrap();
            } else {
                writeln!(f, "2025-01,CHN,JPN,export,850511,{k},1").unwrap();
            }
        }
        f.flush().unwrap();
        f
    }

    fn serial(path: &std::path::Path) -> Vec<(u64, Row)> {
        let mut r = TradeReader::open(path, Some(InputFormat::Tidy), None).unwrap();
        let mut out = Vec::new();
        while let Some(l) = r.next_line() {
            out.push((l.line, l.row));
        }
        r.finish().unwrap();
        out
    }

    fn scanned(path: &std::path::Path) -> (Vec<(u64, Row)>, Scanned) {
        let r = TradeReader::open(path, Some(InputFormat::Tidy), None).unwrap();
        let mut out = Vec::new();
        let end = r
            .scan(|l, _| {
                out.push((l.line, l.row));
                Ok(())
            })
            .unwrap();
        (out, end)
    }

    #[test]
    fn scan_gives_the_lines_of_next_line_in_order() {
        // Several chunks, a partial last one, and lines the CSV parser rejects.
        let f = tidy_file(3 * CHUNK_LINES + 17, 1000);
        let (lines, end) = scanned(f.path());
        assert_eq!(lines, serial(f.path()));
        assert!(lines.len() > 3 * CHUNK_LINES);
        let bytes = std::fs::read(f.path()).unwrap();
        assert_eq!(end.bytes_read, bytes.len() as u64);
        assert_eq!(
            end.hash,
            twox_hash::XxHash64::oneshot(0, &bytes),
            "the streamed hash is the file's hash"
        );
    }

    #[test]
    fn scan_stops_at_the_first_error_of_the_callback() {
        let f = tidy_file(5 * CHUNK_LINES, 0);
        let r = TradeReader::open(f.path(), Some(InputFormat::Tidy), None).unwrap();
        let mut seen = 0;
        let err = r
            .scan(|_, _| {
                seen += 1;
                if seen == CHUNK_LINES + 3 {
                    Err(StoreError::Invalid("stop here".into()))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert!(err.to_string().contains("stop here"));
        assert_eq!(seen, CHUNK_LINES + 3);
    }
}
