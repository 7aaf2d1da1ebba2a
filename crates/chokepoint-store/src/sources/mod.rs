//! Readers of customs files: UN Comtrade+ CSV, CEPII BACI CSV and tidy CSV.
//!
//! Each reader streams one file and yields, per data line, a [`Row`]: a canonical
//! [`TradeRecord`], a row skipped on purpose (with why), or a rejected row (with where and
//! why). Only problems with the file as a whole (unreadable, header without a required
//! column) are errors. The format is detected from the header unless given.

pub mod baci;
mod background;
pub use background::Scanned;
pub mod comtrade;
mod fields;
mod head;
#[cfg(test)]
mod prop_tests;
mod split;
pub mod tidy;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::StoreError;
use crate::schema::TradeRecord;
pub use head::check_is_file;

/// What one data line became.
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    /// A row to store.
    Record(TradeRecord),
    /// Several rows to store (BACI: the exporter's export and the importer's import).
    Pair(Box<(TradeRecord, TradeRecord)>),
    /// A valid line that is deliberately not stored (a breakdown of a total, services…).
    Skip(&'static str),
    /// A malformed line.
    Reject {
        /// The column at fault, if one is.
        column: Option<String>,
        /// What is wrong.
        reason: String,
    },
}

/// Why a line is rejected (the error side of the readers' parsing).
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    /// The column at fault, if one is.
    pub column: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl From<RowError> for Row {
    fn from(e: RowError) -> Row {
        Row::Reject {
            column: e.column,
            reason: e.reason,
        }
    }
}

/// The supported input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// UN Comtrade+ CSV (bulk download or API export).
    Comtrade,
    /// CEPII BACI CSV (`t,i,j,k,v,q`).
    Baci,
    /// Tidy CSV (`period,reporter_iso3,partner_iso3,flow,hs_code|product,quantity_t,value_usd`).
    Tidy,
}

impl InputFormat {
    /// The name used in `--format` and in the `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Comtrade => "comtrade",
            InputFormat::Baci => "baci",
            InputFormat::Tidy => "tidy",
        }
    }

    /// Guesses the format from a header row.
    pub fn detect(header: &[String]) -> Option<InputFormat> {
        let has = |n: &str| header.iter().any(|h| h == n);
        // Two columns only Comtrade has decide; a missing required one (`cmdCode`) is then
        // named by the Comtrade reader instead of "cannot tell the file format".
        if has("freqCode") && has("flowCode") {
            Some(InputFormat::Comtrade)
        } else if ["t", "i", "j", "k", "v"].iter().all(|c| has(c)) {
            Some(InputFormat::Baci)
        } else if has("period") && has("reporter_iso3") && has("flow") {
            Some(InputFormat::Tidy)
        } else {
            None
        }
    }
}

impl std::str::FromStr for InputFormat {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "comtrade" => Ok(InputFormat::Comtrade),
            "baci" => Ok(InputFormat::Baci),
            "tidy" => Ok(InputFormat::Tidy),
            other => Err(StoreError::Invalid(format!(
                "unknown input format `{other}`; expected auto, comtrade, baci or tidy"
            ))),
        }
    }
}

/// A streaming reader of one file.
pub struct TradeReader {
    format: InputFormat,
    csv: csv::Reader<HashingReader>,
    record: csv::ByteRecord,
    parser: Parser,
    /// Where the first record after the header starts, in bytes.
    data_start: u64,
    /// The file name (for errors) and a read error that ended the file early.
    path: PathBuf,
    failed: Option<std::io::Error>,
    /// The header's column names, trimmed (for the position of a column at fault).
    header: Vec<String>,
    /// Whether a rejected row carries its cells ([`ReadLine::cells`]): only `--skip-bad`
    /// writes them, and a strict ingest of a bad file should not build a string per row.
    reject_rows: bool,
}

enum Parser {
    Comtrade(comtrade::Columns),
    Baci(baci::Columns),
    Tidy(tidy::Columns),
}

/// The 1-based position of `column` in `header` (as a spreadsheet counts columns),
/// ASCII case aside; `None` for a column the file does not have (e.g. BACI's country
/// codes, read from another file).
pub(crate) fn field_number(header: &[String], column: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.eq_ignore_ascii_case(column))
        .map(|i| i + 1)
}

/// One line read: its 1-based line number, the raw text of the line and what it became.
pub struct ReadLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// What the line became.
    pub row: Row,
    /// A rejected row's cells as one CSV line, for the rejects file (`None` for every other
    /// row, and for a line the CSV parser could not split).
    pub cells: Option<String>,
}

/// A record's cells as one CSV line (quoted where a cell needs it), through the csv crate:
/// what `--skip-bad` writes beside each reason, so that the row can be fixed without
/// finding it in the input by its line number.
fn csv_line(record: &impl split::Cells) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let cells = (0..record.width()).map(|i| record.cell(i).unwrap_or_default());
    if w.write_record(cells).is_err() {
        return String::new();
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

/// What [`Parser::parse_at`] made of a record, with the record's cells kept for a reject
/// when `reject_rows`.
fn read_line(
    parser: &Parser,
    line: u64,
    record: &impl split::Cells,
    reject_rows: bool,
) -> ReadLine {
    let row = parser.parse_at(line, record);
    let cells = (reject_rows && matches!(row, Row::Reject { .. })).then(|| csv_line(record));
    ReadLine { line, row, cells }
}

impl TradeReader {
    /// Keeps each rejected row's cells ([`ReadLine::cells`]) for a rejects file.
    pub fn with_reject_rows(mut self, keep: bool) -> TradeReader {
        self.reject_rows = keep;
        self
    }

    /// Opens `path`, reads its header and picks the format (`None` = detect).
    ///
    /// `baci_countries` is BACI's country-codes file; when absent, a `country_codes*.csv`
    /// beside the data file is used.
    pub fn open(
        path: &Path,
        format: Option<InputFormat>,
        baci_countries: Option<&Path>,
    ) -> Result<TradeReader, StoreError> {
        let file = File::open(path).map_err(|e| StoreError::read_input(path, e))?;
        head::inspect(path)?;
        // Records end at `\n` (`split`'s rules; `read_raw` drops a CR before it).
        let mut csv = csv::ReaderBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(HashingReader::new(file));
        let header: Vec<String> = match csv.byte_headers() {
            Ok(h) => h
                .iter()
                .map(|f| {
                    String::from_utf8_lossy(f)
                        .trim_start_matches('\u{feff}')
                        .trim()
                        .to_string()
                })
                .collect(),
            Err(e) => {
                return Err(StoreError::BadRow {
                    path: path.to_path_buf(),
                    line: 1,
                    column: None,
                    field: None,
                    reason: format!("unreadable header: {e}"),
                });
            }
        };
        let format = match format.or_else(|| InputFormat::detect(&header)) {
            Some(f) => f,
            None => {
                let mut h = header.join(",");
                if h.len() > 120 {
                    let cut = (0..=120)
                        .rev()
                        .find(|i| h.is_char_boundary(*i))
                        .unwrap_or(0);
                    h.truncate(cut);
                    h.push('…');
                }
                return Err(StoreError::UnknownFormat {
                    path: path.to_path_buf(),
                    header: h,
                });
            }
        };
        let parser = match format {
            InputFormat::Comtrade => Parser::Comtrade(comtrade::Columns::new(path, &header)?),
            InputFormat::Baci => {
                Parser::Baci(baci::Columns::new(
                    path,
                    &header,
                    || match baci_countries {
                        Some(p) => Ok(p.to_path_buf()),
                        None => find_baci_countries(path),
                    },
                )?)
            }
            InputFormat::Tidy => Parser::Tidy(tidy::Columns::new(path, &header)?),
        };
        Ok(TradeReader {
            format,
            data_start: csv.position().byte(),
            csv,
            record: csv::ByteRecord::new(),
            parser,
            path: path.to_path_buf(),
            failed: None,
            header,
            reject_rows: false,
        })
    }

    /// The header's column names, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The format being read.
    pub fn format(&self) -> InputFormat {
        self.format
    }

    /// The country-codes file a BACI file is read with (`None` for other formats): it
    /// shapes the rows as much as the data file does.
    pub fn countries_file(&self) -> Option<&Path> {
        match &self.parser {
            Parser::Baci(c) => Some(c.countries_file()),
            _ => None,
        }
    }

    /// Bytes of the file consumed so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.csv.position().byte()
    }

    /// After the last line: the read error that ended the file early, if one did.
    pub fn finish(self) -> Result<(), StoreError> {
        match self.failed {
            Some(e) => Err(StoreError::read_input(self.path, e)),
            None => Ok(()),
        }
    }

    /// The next line, `None` at the end of the file (or at a read error: see
    /// [`TradeReader::finish`]).
    ///
    /// This is the serial reader, through the `csv` crate: simple, and the reference the
    /// tests hold the parallel [`TradeReader::scan`] to.
    ///
    /// A line the CSV parser cannot split (e.g. an unclosed quote) is a rejected row when
    /// the parser can continue, and an error when it cannot.
    pub fn next_line(&mut self) -> Option<ReadLine> {
        match read_raw(&mut self.csv, &mut self.record) {
            Raw::End => None,
            Raw::Failed(io) => {
                self.failed = Some(io);
                None
            }
            Raw::Record(line) => Some(read_line(
                &self.parser,
                line,
                &self.record,
                self.reject_rows,
            )),
            Raw::Malformed(line, reason) => Some(ReadLine {
                line,
                row: Row::Reject {
                    column: None,
                    reason,
                },
                cells: None,
            }),
        }
    }
}

impl Parser {
    /// [`Parser::parse`] of the record starting at `line`; a rejected record whose cells
    /// hold line breaks says which lines it took. Why: a quote left open swallows the
    /// lines after it into one cell up to the next quote, and the row was rejected for a
    /// cell that merely looked wrong, while the good lines inside it vanished unnamed.
    fn parse_at(&self, line: u64, record: &impl split::Cells) -> Row {
        match self.parse(record) {
            Row::Reject { column, reason } => {
                let breaks = line_breaks(record);
                if breaks == 0 {
                    return Row::Reject { column, reason };
                }
                Row::Reject {
                    column,
                    reason: format!(
                        "{reason}; a quote opened on line {line} is not closed until line {}, \
                         so lines {line}–{} were read as this one row: close or remove the \
                         stray `\"`",
                        line + breaks,
                        line + breaks
                    ),
                }
            }
            row => row,
        }
    }

    fn parse(&self, record: &impl split::Cells) -> Row {
        if record.bytes() > head::MAX_LINE_BYTES {
            return Row::Reject {
                column: None,
                reason: head::too_long(),
            };
        }
        match self {
            Parser::Comtrade(c) => c.parse(record),
            Parser::Baci(c) => c.parse(record),
            Parser::Tidy(c) => c.parse(record),
        }
    }
}

/// Line breaks inside the cells of a record. Only `\n`: records end there, and a CR in a
/// cell is text (counting it blamed a stray quote on a file without one).
fn line_breaks(record: &impl split::Cells) -> u64 {
    (0..record.width())
        .filter_map(|i| record.cell(i))
        .map(|c| memchr::memchr_iter(b'\n', c).count() as u64)
        .sum()
}

/// One CSV record as the tokenizer saw it, before its fields are parsed.
enum Raw {
    /// End of file.
    End,
    /// A read error that ends the file early.
    Failed(std::io::Error),
    /// A record (now in the buffer) starting at this 1-based line.
    Record(u64),
    /// A line the CSV parser cannot split, with why; reading can go on.
    Malformed(u64, String),
}

/// Reads the next record into `record`, with a CR just before its `\n` dropped from the
/// last cell (as [`split::Splitter`] does).
fn read_raw(csv: &mut csv::Reader<HashingReader>, record: &mut csv::ByteRecord) -> Raw {
    loop {
        let line_before = csv.position().line();
        return match csv.read_byte_record(record) {
            Ok(false) => Raw::End,
            // A blank CRLF line is no record; a loop, not a call, so that a million of
            // them do not grow the stack.
            Ok(true) if drop_cr_before_lf(record) => continue,
            Ok(true) => Raw::Record(record.position().map_or(line_before, |p| p.line())),
            Err(e) => {
                let line = e.position().map_or(line_before, |p| p.line());
                if e.is_io_error() {
                    if let csv::ErrorKind::Io(io) = e.into_kind() {
                        return Raw::Failed(io);
                    }
                    return Raw::End;
                }
                Raw::Malformed(line, format!("malformed CSV line: {e}"))
            }
        };
    }
}

/// Drops a CR ending the last cell of `record` (the CR of a CRLF line end, when records
/// end at `\n`); `true` when the record is then one empty cell, a blank line. The rule of
/// the parallel reader's `split::Splitter::drop_line_end_cr`.
fn drop_cr_before_lf(record: &mut csv::ByteRecord) -> bool {
    let n = record.len();
    let Some(last) = record.get(n.wrapping_sub(1)) else {
        return false;
    };
    let Some(kept) = last.strip_suffix(b"\r") else {
        return n == 1 && last.is_empty();
    };
    if n == 1 && kept.is_empty() {
        return true;
    }
    let mut fixed = csv::ByteRecord::with_capacity(record.as_slice().len(), n);
    for cell in record.iter().take(n - 1) {
        fixed.push_field(cell);
    }
    fixed.push_field(kept);
    fixed.set_position(record.position().cloned());
    *record = fixed;
    false
}

/// Finds BACI's country-codes file next to the data file.
pub(crate) fn find_baci_countries(data: &Path) -> Result<PathBuf, StoreError> {
    let dir = data
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("country_codes") && n.ends_with(".csv"))
        })
        .collect();
    found.sort();
    // Two releases' codes beside one data file map some codes differently: taking the
    // last by name attributed trade to another country without a word.
    if found.len() > 1 {
        let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        return Err(StoreError::Invalid(format!(
            "{}: {} country-codes files lie beside it ({}); pass the one of the data's \
             release with --baci-countries FILE",
            data.display(),
            found.len(),
            names.join(", ")
        )));
    }
    found.pop().ok_or_else(|| {
        StoreError::Invalid(format!(
            "{}: BACI file needs its country-codes file; pass --baci-countries FILE or put \
             country_codes_V*.csv beside it",
            data.display()
        ))
    })
}

/// A file reader that hashes (xxHash64, seed 0) every byte it hands out: the warehouse's
/// content hash of a file, so that one pass both parses a file and names it for idempotent
/// ingest.
pub(crate) struct HashingReader {
    file: File,
    hasher: twox_hash::XxHash64,
}

impl HashingReader {
    pub(crate) fn new(file: File) -> HashingReader {
        HashingReader {
            file,
            hasher: twox_hash::XxHash64::with_seed(0),
        }
    }

    /// The hash of the bytes read so far (of the whole file once it was read to the end).
    pub(crate) fn hash(&self) -> u64 {
        std::hash::Hasher::finish(&self.hasher)
    }
}

impl std::io::Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        std::hash::Hasher::write(&mut self.hasher, &buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
