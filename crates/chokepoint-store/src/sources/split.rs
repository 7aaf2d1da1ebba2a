//! Cutting CSV bytes into records without copying them.
//!
//! The rules are those of `csv_core` (the `csv` crate's tokenizer: comma delimiter, `"`
//! quotes with `""` as an escaped quote, blank lines skipped) with records ending at `\n`:
//! a CR just before it belongs to the line end, so LF and CRLF lines read alike, and any
//! other CR is text (a stray CR pasted into a cell stays in it instead of cutting the line
//! in two). Two consequences the three readers share: a CR ending a quoted last cell
//! (`"Korea\r"` at the line end) is dropped like the line end's (cells are trimmed anyway),
//! and a line that is one empty cell (`""`) is a blank line, skipped. A quote opens a quoted
//! section only at the start of a field; inside one, `""` is a quote and a lone `"` closes
//! it. Customs files are mostly lines
//! whose cells are plain or wholly quoted on one line (`"Korea, Rep."`): their cells are
//! found by looking for commas and quotes and handed out as slices of the block,
//! which is several times cheaper than running the tokenizer over every byte and copying
//! each cell. Every other line (an escaped quote, a quoted line break) goes through
//! `csv_core` itself, so the two paths cannot disagree on what a tricky line
//! holds.
//!
//! Blocks are cut at record boundaries ([`last_record_end`]), so that each can be split
//! and parsed on its own thread.

use csv_core::ReadRecordResult;
use memchr::{memchr, memchr_iter, memchr2, memrchr};

/// Random access to the cells of one record: a `csv::ByteRecord` or a [`Fields`] view.
pub trait Cells {
    /// Cell `i`, `None` past the last one.
    fn cell(&self, i: usize) -> Option<&[u8]>;
    /// How many cells the record has.
    fn width(&self) -> usize;
    /// The bytes of its cells together (about the line's length).
    fn bytes(&self) -> usize;
}

impl Cells for csv::ByteRecord {
    fn cell(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
    fn width(&self) -> usize {
        self.len()
    }
    fn bytes(&self) -> usize {
        self.as_slice().len()
    }
}

/// A record whose cell `i` is `data[spans[i].0..spans[i].1]`.
pub struct Fields<'a> {
    data: &'a [u8],
    spans: &'a [(usize, usize)],
}

impl Cells for Fields<'_> {
    fn cell(&self, i: usize) -> Option<&[u8]> {
        let &(start, end) = self.spans.get(i)?;
        self.data.get(start..end)
    }
    fn width(&self) -> usize {
        self.spans.len()
    }
    fn bytes(&self) -> usize {
        match (self.spans.first(), self.spans.last()) {
            (Some(first), Some(last)) => last.1.saturating_sub(first.0),
            _ => 0,
        }
    }
}

/// The offset just past the last `\n` in `buf` that ends a record, where `buf` starts at
/// the start of a record; `None` when no record ends in it (a `\n` inside quotes does not
/// end one; a CR is text, so a quote after one does not start a field).
pub fn last_record_end(buf: &[u8]) -> Option<usize> {
    if memchr(b'"', buf).is_none() {
        return memrchr(b'\n', buf).map(|i| i + 1);
    }
    let mut last = None;
    let mut i = 0;
    while let Some(k) = memchr2(b'"', b'\n', &buf[i..]) {
        let at = i + k;
        i = at + 1;
        if buf[at] == b'\n' {
            last = Some(at + 1);
            continue;
        }
        // Outside quotes every byte since the record start is plain, so the byte before
        // tells whether this quote starts a field (and so opens a quoted section).
        let field_start = at == 0 || matches!(buf[at - 1], b',' | b'\n');
        if !field_start {
            continue;
        }
        loop {
            let Some(q) = memchr(b'"', &buf[i..]) else {
                return last; // the section runs past the buffer
            };
            let q = i + q;
            match buf.get(q + 1) {
                Some(b'"') => i = q + 2, // an escaped quote
                Some(_) => {
                    i = q + 1; // closed
                    break;
                }
                None => return last, // closed or escaped: the next bytes tell
            }
        }
    }
    last
}

/// Splits blocks of whole records; keeps its buffers from one block to the next.
pub struct Splitter {
    core: csv_core::Reader,
    /// Where each cell of the current record is (in the line, or in `out`).
    spans: Vec<(usize, usize)>,
    /// The tokenizer's output: cells back to back, and where each ends.
    out: Vec<u8>,
    out_ends: Vec<usize>,
}

impl Default for Splitter {
    fn default() -> Splitter {
        Splitter::new()
    }
}

impl Splitter {
    /// A splitter (records end at `\n`; see the module's rules).
    pub fn new() -> Splitter {
        let mut builder = csv_core::ReaderBuilder::new();
        builder.terminator(csv_core::Terminator::Any(b'\n'));
        Splitter {
            // The builder, not `default`: only it compiles the tokenizer's state machine.
            core: builder.build(),
            spans: Vec::new(),
            out: Vec::new(),
            out_ends: Vec::new(),
        }
    }

    /// Calls `each(line, cells)` for every record of `block`, in order, with the 1-based
    /// line on which the record starts. `block` starts at the start of a record on line
    /// `first_line` and ends at the end of one (or of the file). Returns the number of
    /// line feeds in the block.
    pub fn records(
        &mut self,
        block: &[u8],
        first_line: u64,
        mut each: impl FnMut(u64, &Fields),
    ) -> u64 {
        let mut pos = 0;
        let mut line = first_line;
        while pos < block.len() {
            let rest = &block[pos..];
            let newline = memchr(b'\n', rest);
            let body = &rest[..newline.unwrap_or(rest.len())];
            // A blank line is no record, as for csv_core.
            if body.is_empty() || self.split_line(body) {
                if !body.is_empty() && !drop_line_end_cr(&mut self.spans, body) {
                    let cells = Fields {
                        data: body,
                        spans: &self.spans,
                    };
                    each(line, &cells);
                }
                match newline {
                    Some(k) => {
                        pos += k + 1;
                        line += 1;
                    }
                    None => pos = block.len(),
                }
                continue;
            }
            let (used, found) = self.tokenize(rest);
            if let Some((len, cells)) = found {
                self.spans.clear();
                let mut start = 0;
                for &end in &self.out_ends[..cells] {
                    self.spans.push((start, end));
                    start = end;
                }
                if !drop_line_end_cr(&mut self.spans, &self.out[..len]) {
                    let cells = Fields {
                        data: &self.out[..len],
                        spans: &self.spans,
                    };
                    each(line, &cells);
                }
            }
            line += memchr_iter(b'\n', &rest[..used]).count() as u64;
            // csv_core always consumes input or ends; `max(1)` only guards the loop.
            pos += used.max(1);
        }
        line - first_line
    }

    /// Finds the cells of `line` (one line, without its terminator) into `spans` when every
    /// cell is plain (no quote at its start) or wholly quoted without an escaped quote:
    /// cells are then slices of the line. Returns `false` for any other line (an escaped
    /// quote, a quote left open, text after a closing quote), which the tokenizer reads
    /// instead.
    fn split_line(&mut self, line: &[u8]) -> bool {
        // Cells are a few bytes long: a plain loop finds the next comma or quote sooner
        // than a SIMD search, whose set-up per call dominated profiles.
        let find = |from: usize, byte: u8| line[from..].iter().position(|&b| b == byte);
        self.spans.clear();
        let mut i = 0;
        loop {
            if line.get(i) == Some(&b'"') {
                let start = i + 1;
                let Some(k) = find(start, b'"') else {
                    return false; // open to the end of the line: may span lines
                };
                let close = start + k;
                self.spans.push((start, close));
                match line.get(close + 1) {
                    None => return true,
                    Some(b',') => i = close + 2,
                    // The CR of a CRLF after a closing quote: the tokenizer appends it to
                    // the cell and [`drop_line_end_cr`] drops it again, unless the cell
                    // itself ends in a CR (then it would drop that one instead).
                    Some(b'\r')
                        if close + 2 == line.len()
                            && (close == start || line[close - 1] != b'\r') =>
                    {
                        return true;
                    }
                    Some(_) => return false, // `""` or text after the quote
                }
            } else {
                match find(i, b',') {
                    Some(k) => {
                        self.spans.push((i, i + k));
                        i += k + 1;
                    }
                    None => {
                        self.spans.push((i, line.len()));
                        return true;
                    }
                }
            }
        }
    }

    /// Runs the tokenizer over one record at the start of `input` (all of which is left
    /// of the block: the end of `input` is the end of the file or of a record). Returns
    /// the bytes consumed and, when a record was read, its output length and cell count.
    fn tokenize(&mut self, input: &[u8]) -> (usize, Option<(usize, usize)>) {
        self.core.reset();
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            if self.out.len() == nout {
                self.out.resize((2 * nout).max(1024), 0);
            }
            if self.out_ends.len() == nend {
                self.out_ends.resize((2 * nend).max(64), 0);
            }
            let (result, i, o, e) = self.core.read_record(
                &input[nin..],
                &mut self.out[nout..],
                &mut self.out_ends[nend..],
            );
            nin += i;
            nout += o;
            nend += e;
            match result {
                ReadRecordResult::Record => return (nin, Some((nout, nend))),
                ReadRecordResult::End => return (nin, None),
                // An empty input next tells the tokenizer the input ended.
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }
}

/// Drops a CR ending the record's last cell in `spans` (the CR of a CRLF line end, which
/// the tokenizer keeps as text), and says whether the record is then one empty cell, a
/// blank line, which is no record. The serial reader applies the same rule
/// (`sources::drop_cr_before_lf`), so that the direct split, the tokenizer and the `csv`
/// crate read every line alike.
fn drop_line_end_cr(spans: &mut [(usize, usize)], data: &[u8]) -> bool {
    if let Some(last) = spans.last_mut()
        && last.1 > last.0
        && data.get(last.1 - 1) == Some(&b'\r')
    {
        last.1 -= 1;
    }
    matches!(spans[..], [(start, end)] if start == end)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Records and their lines as the `csv` crate reads them with records ending at `\n`:
    /// a CR ending a record's last cell is the line end's, and a record that is then one
    /// empty cell is a blank line.
    fn by_csv(bytes: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = csv::ReaderBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let line = rec.position().map_or(0, |p| p.line());
            let mut cells: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
            if let Some(last) = cells.last_mut().filter(|c| c.ends_with(b"\r")) {
                last.pop();
            }
            if cells == [Vec::<u8>::new()] {
                continue;
            }
            out.push((line, cells));
        }
        out
    }

    /// Records and their lines as the splitter reads them, cutting `bytes` into blocks
    /// at the last record end of each `block`-byte window (as the reader thread does).
    fn by_splitter(bytes: &[u8], block: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        let (mut start, mut line) = (0, 1);
        while start < bytes.len() {
            let mut len = block;
            let end = loop {
                if start + len >= bytes.len() {
                    break bytes.len() - start;
                }
                if let Some(e) = last_record_end(&bytes[start..start + len]) {
                    break e;
                }
                len *= 2;
            };
            let chunk = &bytes[start..start + end];
            line += s.records(chunk, line, |l, cells| {
                let all = (0..).map_while(|i| cells.cell(i)).map(<[u8]>::to_vec);
                out.push((l, all.collect()));
            });
            start += end;
        }
        out
    }

    /// The csv crate numbers a record by the line its read started on, which lags after
    /// blank lines (it skips them inside the read); the splitter gives the line the record
    /// is on.
    fn lines_agree(text: &[u8], ours: &[(u64, Vec<Vec<u8>>)], theirs: &[(u64, Vec<Vec<u8>>)]) {
        let cells = |v: &[(u64, Vec<Vec<u8>>)]| v.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
        assert_eq!(
            cells(ours),
            cells(theirs),
            "{:?}",
            String::from_utf8_lossy(text)
        );
        if !text.starts_with(b"\n") && !text.windows(2).any(|w| w == b"\n\n") {
            let lines = |v: &[(u64, Vec<Vec<u8>>)]| v.iter().map(|r| r.0).collect::<Vec<_>>();
            assert_eq!(
                lines(ours),
                lines(theirs),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn plain_quoted_and_multiline_records_split_as_csv_does() {
        let text =
            b"a,b,c\n\"x, y\",2,\"say \"\"hi\"\"\"\n\n\"two\nlines\",3\r\nq\"uote,\"end\"x\nlast";
        for block in [1, 3, 8, 64] {
            lines_agree(text, &by_splitter(text, block), &by_csv(text));
        }
        let ours = by_splitter(text, 64);
        assert_eq!(ours[1].1[0], b"x, y");
        assert_eq!(ours[1].1[2], b"say \"hi\"");
        assert_eq!(ours[2], (4, vec![b"two\nlines".to_vec(), b"3".to_vec()]));
        assert_eq!(ours[3].0, 6);
    }

    /// A CR inside a cell stays in it, on the direct path and the tokenizer's (an escaped
    /// quote sends a line there); one before the LF is the line end's; a blank CRLF line is
    /// no record.
    #[test]
    fn a_cr_is_text_except_before_the_line_feed() {
        let text = b"a,b\rc,d\n\r\n\"x\"\"y\",p\rq,r\r\n";
        let got = by_splitter(text, 1000);
        assert_eq!(
            got,
            [
                (1, vec![b"a".to_vec(), b"b\rc".to_vec(), b"d".to_vec()]),
                (3, vec![b"x\"y".to_vec(), b"p\rq".to_vec(), b"r".to_vec()]),
            ]
        );
        lines_agree(text, &got, &by_csv(text));
    }

    #[test]
    fn crlf_records_are_numbered_by_the_line_they_start_on() {
        let text = b"h1,h2\r\n1,2\r\n\"a\r\nb\",3\r\n4,5\r\n";
        let lines: Vec<u64> = by_splitter(text, 1000).iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 2, 3, 5]);
        lines_agree(text, &by_splitter(text, 4), &by_csv(text));
    }

    #[test]
    fn a_record_cut_only_after_its_quotes_close() {
        assert_eq!(last_record_end(b"a,\"b\nc\"\nd"), Some(8));
        assert_eq!(last_record_end(b"a,\"b\nc"), None);
        assert_eq!(last_record_end(b"a\nb,\"open\n"), Some(2));
        // A quote inside a field is a plain character: the LF after it ends the record.
        assert_eq!(last_record_end(b"5\" pipe,1\nx"), Some(10));
        // A closing quote at the very end might be the first of an escaped pair.
        assert_eq!(last_record_end(b"a\n\"b\""), Some(2));
        // After a CR, which is text, a quote is text too: it opens nothing.
        assert_eq!(last_record_end(b"a\r\"b\nc"), Some(5));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn the_splitter_reads_what_the_csv_crate_reads(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b","[..]), Just(&b"\""[..]), Just(&b"\"\""[..]), Just(&b"\n"[..]),
                    Just(&b"\r\n"[..]), Just(&b"\r"[..]), Just(&b"ab"[..]), Just(&b"1"[..]),
                    Just(&b" "[..]), Just("é".as_bytes()), Just(&b"\"x, y\""[..]),
                    Just(&b",\"\","[..]),
                ],
                0..60,
            ),
            block in 1usize..40,
        ) {
            let text: Vec<u8> = parts.concat();
            let ours = by_splitter(&text, block);
            let theirs = by_csv(&text);
            let cells = |v: &[(u64, Vec<Vec<u8>>)]| v.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
            prop_assert_eq!(cells(&ours), cells(&theirs));
            // The csv crate numbers a record after blank lines by the line its read started
            // on; the splitter by the line the record is on. CRs are compared too: records
            // end at LF, so a CR moves no line.
            let blank = text.starts_with(b"\n") || text.windows(2).any(|w| w == b"\n\n");
            if !blank {
                let lines = |v: &[(u64, Vec<Vec<u8>>)]| v.iter().map(|r| r.0).collect::<Vec<_>>();
                prop_assert_eq!(lines(&ours), lines(&theirs));
            }
        }
    }
}
