//! Reading a customs file on all cores. One thread reads the file (hashing every byte)
//! and cuts it into blocks of whole records; worker threads split and parse a block each
//! (see [`super::split`]: most cells are slices of the block, never copied) and fold its
//! lines into an accumulator the caller chooses (for ingest: an Arrow batch and the
//! block's counts); the caller gets the accumulators back in file order.
//!
//! Blocks are dealt to the workers in turn and collected in the same turn, so order needs
//! no sorting. Channels are bounded and block buffers are sent back to the reader for
//! reuse: memory stays at a few blocks per worker whatever the file size.
//!
//! An earlier design split records on one thread and parsed them on another; the parser
//! then spent a fifth of its time waiting for the records' bytes to arrive from the other
//! core's cache. A worker here reads the bytes it just split.

use std::fs::File;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};

use memchr::memchr_iter;

use super::split::{Splitter, last_record_end};
use super::{HashingReader, ReadLine, TradeReader};
use crate::StoreError;

/// Bytes read per block (more when a record is longer): about 15,000 Comtrade+ lines.
const BLOCK_BYTES: usize = 4 << 20;

/// The longest record accepted (the longest line): a buffer that long holding no record
/// end is refused (see [`super::head::MAX_LINE_BYTES`]).
const MAX_RECORD_BYTES: usize = super::head::MAX_LINE_BYTES;

/// Worker threads: the cores, at least two (the reader and the caller's stage are light)
/// and at most eight (beyond that the single reader thread is the limit).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Whole records from the file, and where they are.
struct Block {
    bytes: Vec<u8>,
    /// The 1-based line the block starts on.
    first_line: u64,
    /// Bytes of the file consumed after this block.
    end: u64,
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
    /// Reads every line of the file on worker threads: each block of lines is folded, in
    /// order, into an accumulator made by `start` with `add`; the accumulators reach
    /// `each` in file order, on the caller's thread, with the bytes of the file consumed
    /// so far (for progress). Stops at the first error `each` returns; a read error is
    /// returned after the blocks before it.
    pub fn scan<A: Send>(
        self,
        start: impl Fn() -> A + Sync,
        add: impl Fn(&mut A, ReadLine) + Sync,
        mut each: impl FnMut(A, u64) -> Result<(), StoreError>,
    ) -> Result<Scanned, StoreError> {
        let TradeReader {
            parser,
            path,
            data_start,
            reject_rows,
            ..
        } = self;
        let file = File::open(&path).map_err(|e| StoreError::read_input(&path, e))?;
        let n = workers();
        let (recycle_tx, recycle_rx) = channel::<Vec<u8>>();
        let mut block_txs = Vec::with_capacity(n);
        let mut block_rxs = Vec::with_capacity(n);
        for _ in 0..n {
            let (tx, rx) = sync_channel::<Block>(1);
            block_txs.push(tx);
            block_rxs.push(rx);
        }
        let (parser, start, add) = (&parser, &start, &add);
        std::thread::scope(|scope| {
            let spawn_err = |e| StoreError::io(&path, e);
            let reader = std::thread::Builder::new()
                .name("csv-reader".into())
                .spawn_scoped(scope, move || {
                    read_blocks(
                        HashingReader::new(file),
                        data_start,
                        &block_txs,
                        &recycle_rx,
                    )
                })
                .map_err(spawn_err)?;
            let mut done_rxs = Vec::with_capacity(n);
            let mut workers = Vec::with_capacity(n);
            for (k, blocks) in block_rxs.into_iter().enumerate() {
                let (done_tx, done_rx) = sync_channel::<(A, u64)>(1);
                done_rxs.push(done_rx);
                let recycle = recycle_tx.clone();
                let work = move || {
                    let mut splitter = Splitter::new();
                    for block in blocks.iter() {
                        let mut acc = start();
                        splitter.records(&block.bytes, block.first_line, |line, cells| {
                            add(&mut acc, super::read_line(parser, line, cells, reject_rows));
                        });
                        if done_tx.send((acc, block.end)).is_err() {
                            return; // the caller stopped
                        }
                        let _ = recycle.send(block.bytes);
                    }
                };
                let worker = std::thread::Builder::new()
                    .name(format!("csv-parser-{k}"))
                    .spawn_scoped(scope, work)
                    .map_err(spawn_err)?;
                workers.push(worker);
            }
            drop(recycle_tx);
            // Blocks were dealt in turn: the first worker with nothing more to give marks
            // the end of the file.
            let folded = (|| {
                for k in 0.. {
                    match done_rxs[k % n].recv() {
                        Ok((acc, end)) => each(acc, end)?,
                        Err(_) => break,
                    }
                }
                Ok::<(), StoreError>(())
            })();
            // Dropping the receivers stops workers (and through them the reader) early.
            drop(done_rxs);
            let panicked = || StoreError::io(&path, std::io::Error::other("CSV reader panicked"));
            for w in workers {
                w.join().map_err(|_| panicked())?;
            }
            let read = reader.join().map_err(|_| panicked())?;
            folded?;
            read.map_err(|e| match e {
                ReadError::Io(io) => StoreError::read_input(&path, io),
                ReadError::RecordTooLong { line } => StoreError::BadRow {
                    path: path.clone(),
                    line,
                    column: None,
                    field: None,
                    reason: super::head::too_long(),
                },
            })
        })
    }
}

enum ReadError {
    Io(std::io::Error),
    RecordTooLong { line: u64 },
}

/// The reader thread: reads `file` from the start (hashing it all), skips the header,
/// and deals blocks of whole records to the workers in turn.
fn read_blocks(
    mut file: HashingReader,
    data_start: u64,
    workers: &[SyncSender<Block>],
    recycled: &Receiver<Vec<u8>>,
) -> Result<Scanned, ReadError> {
    let mut header = Vec::new();
    (&mut file)
        .take(data_start)
        .read_to_end(&mut header)
        .map_err(ReadError::Io)?;
    let mut line = 1 + memchr_iter(b'\n', &header).count() as u64;
    let mut offset = header.len() as u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut sent = 0;
    loop {
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&carry);
        carry.clear();
        // Read until the buffer holds the end of a record (or the file ends).
        let (cut, at_eof) = loop {
            let before = buf.len();
            let want = BLOCK_BYTES.max(before) as u64;
            (&mut file)
                .take(want)
                .read_to_end(&mut buf)
                .map_err(ReadError::Io)?;
            if buf.len() == before {
                break (buf.len(), true);
            }
            if let Some(cut) = last_record_end(&buf) {
                break (cut, false);
            }
            if buf.len() > MAX_RECORD_BYTES {
                return Err(ReadError::RecordTooLong { line });
            }
        };
        carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if !buf.is_empty() {
            let lines = memchr_iter(b'\n', &buf).count() as u64;
            offset += buf.len() as u64;
            let block = Block {
                bytes: buf,
                first_line: line,
                end: offset,
            };
            line += lines;
            // The caller collects in this same turn.
            if workers[sent % workers.len()].send(block).is_err() {
                break; // the workers stopped: the caller is done
            }
            sent += 1;
        }
        if at_eof && carry.is_empty() {
            break;
        }
    }
    Ok(Scanned {
        bytes_read: offset,
        hash: file.hash(),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::sources::{InputFormat, Row};

    fn tidy_file(lines: usize, bad_every: usize, eol: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(
            f,
            "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd{eol}"
        )
        .unwrap();
        for k in 0..lines {
            if bad_every > 0 && k % bad_every == 0 {
                write!(f, "2025-01,CHN,\"J,PN\",export,850511,\"unclosed{eol}").unwrap();
                write!(f, "still inside the quote\"x,1{eol}").unwrap();
            } else {
                write!(f, "2025-01,CHN,JPN,export,850511,{k},1{eol}").unwrap();
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
            .scan(
                Vec::new,
                |acc: &mut Vec<(u64, Row)>, l| acc.push((l.line, l.row)),
                |acc, _| {
                    out.extend(acc);
                    Ok(())
                },
            )
            .unwrap();
        (out, end)
    }

    #[test]
    fn scan_gives_the_lines_of_the_serial_reader_in_order() {
        // Many blocks, a partial last one, and quoted records spanning lines.
        let f = tidy_file(3 * BLOCK_BYTES / 40, 1000, "\n");
        let (lines, end) = scanned(f.path());
        assert_eq!(lines, serial(f.path()));
        let bytes = std::fs::read(f.path()).unwrap();
        assert!(bytes.len() > 2 * BLOCK_BYTES);
        assert_eq!(end.bytes_read, bytes.len() as u64);
        assert_eq!(
            end.hash,
            twox_hash::XxHash64::oneshot(0, &bytes),
            "the streamed hash is the file's hash"
        );
    }

    /// F8: an unclosed quote swallowed the good lines after it, and the reject named only
    /// the cell it ended in. Both readers now name the lines the row took.
    #[test]
    fn a_row_swallowed_by_an_open_quote_names_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.csv");
        std::fs::write(
            &path,
            "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd\n\
             2017-01,CHN,USA,export,850511,1,\n\
             2017-02,CHN,\"USA,export,850511,2,\n\
             2017-03,CHN,USA,export,850511,3,\n\
             2017-04,CHN,USA,export,850511,4,\n\
             2017-05,CHN,\"JPN\",export,850511,5,\n",
        )
        .unwrap();
        let (scan, _) = scanned(&path);
        assert_eq!(scan, serial(&path));
        let [(2, Row::Record(_)), (3, Row::Reject { reason, .. })] = &scan[..] else {
            panic!("{scan:?}")
        };
        assert!(
            reason.contains("a quote opened on line 3 is not closed until line 6, so lines 3–6"),
            "{reason}"
        );
    }

    #[test]
    fn scan_numbers_crlf_lines_like_the_serial_reader() {
        let f = tidy_file(2000, 7, "\r\n");
        let (lines, _) = scanned(f.path());
        assert_eq!(lines, serial(f.path()));
        assert_eq!(lines[0].0, 2, "the first data line is line 2");
    }

    #[test]
    fn scan_stops_at_the_first_error_of_the_callback() {
        let f = tidy_file(3 * BLOCK_BYTES / 40, 0, "\n");
        let r = TradeReader::open(f.path(), Some(InputFormat::Tidy), None).unwrap();
        let mut seen = 0;
        let err = r
            .scan(
                || (),
                |_, _| {},
                |_, _| {
                    seen += 1;
                    if seen == 2 {
                        Err(StoreError::Invalid("stop here".into()))
                    } else {
                        Ok(())
                    }
                },
            )
            .unwrap_err();
        assert!(err.to_string().contains("stop here"));
        assert_eq!(seen, 2);
    }

    #[test]
    fn an_unclosed_quote_is_read_to_the_end_of_the_file() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            f,
            "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t"
        )
        .unwrap();
        writeln!(f, "2025-01,CHN,JPN,export,850511,1").unwrap();
        write!(f, "2025-02,\"CHN,JPN,export,850511,2\n2025-03,CHN").unwrap();
        f.flush().unwrap();
        let (lines, _) = scanned(f.path());
        assert_eq!(lines, serial(f.path()));
        assert_eq!(lines.len(), 2);
        assert!(matches!(lines[1].1, Row::Reject { .. }));
    }
}
