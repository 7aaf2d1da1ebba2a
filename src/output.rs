//! Writing results as an aligned text table, CSV or JSON (`--format table|csv|json`).
//!
//! Every command builds a [`Table`] (or a JSON document for nested answers) and hands it
//! here, so all commands print the same way and a closed pipe is handled once.

use std::io::Write;

use chokepoint_model::json_round;
use serde_json::{Map, Value};

/// Output format chosen with `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON document.
    Json,
}

/// One value in a table; `Null` prints as an empty cell (CSV, table) or `null` (JSON).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Not defined (e.g. YoY without a year-earlier value).
    Null,
    /// Text.
    Text(String),
    /// Text that the aligned table wraps onto further lines at [`WRAP`] characters instead
    /// of widening its column (caveats, citations); CSV and JSON give it whole, as text.
    Long(String),
    /// Whole number.
    Int(i64),
    /// Real number, printed with `decimals` places in tables and CSV, full precision in JSON.
    Float {
        /// The value.
        value: f64,
        /// Places after the point in tables and CSV.
        decimals: usize,
    },
}

impl Cell {
    /// A real number rounded to `decimals` places for display.
    pub fn float(value: f64, decimals: usize) -> Cell {
        if value.is_finite() {
            Cell::Float { value, decimals }
        } else {
            Cell::Null
        }
    }

    /// An optional real number.
    pub fn opt_float(value: Option<f64>, decimals: usize) -> Cell {
        value.map_or(Cell::Null, |v| Cell::float(v, decimals))
    }

    pub(crate) fn display(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) | Cell::Long(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float { value, decimals } => {
                let shown = format!("{value:.decimals$}");
                // A small negative value rounds to "-0.0": print the zero it shows.
                match shown.strip_prefix('-') {
                    Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
                    _ => shown,
                }
            }
        }
    }

    /// As [`Cell::display`], but past 1e15 in scientific notation, for the aligned table:
    /// a fixed notation prints every digit (300 of them for 1e299, which an MRIO table in
    /// small units can reach), and the column takes the terminal's width. CSV keeps every
    /// digit, for reading back.
    fn table_text(&self) -> String {
        match self {
            Cell::Float { value, .. } if value.abs() >= 1e15 => format!("{value:.6e}"),
            _ => self.display(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Text(s) | Cell::Long(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            // The displayed precision plus a margin, so JSON agrees with CSV and with the
            // API, without binary noise.
            Cell::Float { value, decimals } => Value::from(json_round(*value, *decimals)),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Float { .. })
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// Where the aligned table wraps a [`Cell::Long`] text.
pub const WRAP: usize = 80;

/// `text` in lines of at most `width` characters, broken at spaces (a word longer than a
/// line is cut), so that no caveat is lost to a cut column.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        while len + word.len() > width {
            let rest = word.split_off(width - len);
            line.extend(word);
            lines.push(std::mem::take(&mut line));
            len = 0;
            word = rest;
        }
        len += word.len();
        line.extend(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A rectangular result: named columns and rows of cells.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names (snake_case; they are the CSV header and the JSON keys).
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Table {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The rows as JSON objects keyed by column name.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| row_json(&self.columns, row))
                .collect(),
        )
    }

    /// Writes the table in `format`.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.to_json())?;
                writeln!(out)
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&self.columns).map_err(csv_io)?;
                for row in &self.rows {
                    w.write_record(row.iter().map(Cell::display))
                        .map_err(csv_io)?;
                }
                w.flush()
            }
            Format::Table => self.write_aligned(out),
        }
    }

    fn write_aligned(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::table_text).collect())
            .collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for (row, raw) in cells.iter().zip(&self.rows) {
            for ((w, c), cell) in widths.iter_mut().zip(row).zip(raw) {
                let len = c.chars().count();
                *w = (*w).max(match cell {
                    Cell::Long(_) => len.min(WRAP),
                    _ => len,
                });
            }
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", header.join("  ").trim_end())?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(out, "{}", rule.join("  "))?;
        for (row, raw) in cells.iter().zip(&self.rows) {
            // Each cell as its lines: one, or a long text's wrapped lines; the row takes as
            // many lines as its longest cell, the others blank below their first.
            let parts: Vec<Vec<String>> = row
                .iter()
                .zip(raw)
                .zip(&widths)
                .map(|((c, cell), w)| match cell {
                    Cell::Long(_) => wrap(c, *w),
                    _ => vec![c.clone()],
                })
                .collect();
            let height = parts.iter().map(Vec::len).max().unwrap_or(1);
            for k in 0..height {
                let line: Vec<String> = parts
                    .iter()
                    .zip(&widths)
                    .zip(raw)
                    .map(|((p, w), cell)| {
                        let c = p.get(k).map_or("", String::as_str);
                        if cell.is_numeric() {
                            format!("{c:>w$}")
                        } else {
                            format!("{c:<w$}")
                        }
                    })
                    .collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
        }
        Ok(())
    }

    /// Prints to standard output.
    pub fn print(&self, format: Format) -> std::io::Result<()> {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        self.write(format, &mut lock)
    }
}

/// One row as a JSON object keyed by column name.
pub fn row_json(columns: &[String], row: &[Cell]) -> Value {
    let mut obj = Map::new();
    for (c, cell) in columns.iter().zip(row) {
        obj.insert(c.clone(), cell.json());
    }
    Value::Object(obj)
}

/// Writes a JSON array one element at a time, laid out byte for byte as
/// `serde_json::to_writer_pretty` lays out the whole array, so that a result too large to
/// hold in memory can still be one JSON document (`chokepoint sql --format json`).
pub struct JsonArrayWriter<W: Write> {
    out: W,
    any: bool,
}

impl<W: Write> JsonArrayWriter<W> {
    /// Starts an array on `out` (nothing is written before the first element or the end).
    pub fn new(out: W) -> Self {
        JsonArrayWriter { out, any: false }
    }

    /// Writes one element now.
    pub fn push(&mut self, value: &Value) -> std::io::Result<()> {
        self.out.write_all(if self.any { b",\n" } else { b"[\n" })?;
        self.any = true;
        let text = serde_json::to_string_pretty(value)?;
        // JSON strings escape their line breaks, so every line break is the layout's.
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            write!(self.out, "  {line}")?;
        }
        Ok(())
    }

    /// Closes the array (and the document's line).
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out
            .write_all(if self.any { b"\n]\n" } else { b"[]\n" })?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn csv_io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Prints any serialisable value as one pretty JSON document.
pub fn print_json<T: serde::Serialize>(value: &T) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    serde_json::to_writer_pretty(&mut lock, value)?;
    writeln!(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_value_that_rounds_to_zero_prints_as_zero() {
        assert_eq!(Cell::float(-0.04, 1).display(), "0.0");
        assert_eq!(Cell::float(-0.0, 0).display(), "0");
        assert_eq!(Cell::float(-0.05, 1).display(), "-0.1");
        assert_eq!(Cell::float(-3.0, 0).display(), "-3");
    }

    fn sample() -> Table {
        let mut t = Table::new(["period", "quantity_t", "yoy_pct"]);
        t.push(vec!["2025-05".into(), Cell::float(5864.6, 1), Cell::Null]);
        t
    }

    #[test]
    fn csv_leaves_undefined_cells_empty() {
        let mut buf = Vec::new();
        sample().write(Format::Csv, &mut buf).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "period,quantity_t,yoy_pct\n2025-05,5864.6,\n"
        );
    }

    #[test]
    fn json_uses_null_for_undefined_cells() {
        let v = sample().to_json();
        assert_eq!(v[0]["yoy_pct"], Value::Null);
        assert_eq!(v[0]["quantity_t"], Value::from(5864.6));
    }

    /// F2: the streamed array is the document `to_writer_pretty` writes, and each row is
    /// written when pushed (not held until the end).
    #[test]
    fn json_arrays_stream_in_the_pretty_layout() {
        let rows = [
            serde_json::json!({"a": 1, "s": "x\ny", "o": {"k": [1, 2]}}),
            serde_json::json!({}),
            serde_json::json!({"a": null}),
        ];
        for n in 0..=rows.len() {
            let mut w = JsonArrayWriter::new(Vec::new());
            for r in &rows[..n] {
                w.push(r).unwrap();
            }
            if n > 0 {
                let so_far = String::from_utf8(w.out.clone()).unwrap();
                assert!(so_far.contains("\"o\": {"), "{so_far}");
            }
            let got = w.finish().unwrap();
            let mut want = serde_json::to_vec_pretty(&Value::Array(rows[..n].to_vec())).unwrap();
            want.push(b'\n');
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    #[test]
    fn long_texts_wrap_under_their_column_and_keep_every_word() {
        let mut t = Table::new(["measure", "note", "value"]);
        let note = "word ".repeat(30).trim_end().to_string() + " " + &"x".repeat(100);
        t.push(vec!["a".into(), Cell::Long(note.clone()), Cell::Int(7)]);
        t.push(vec!["b".into(), Cell::Long("short".into()), Cell::Int(8)]);
        let mut buf = Vec::new();
        t.write(Format::Table, &mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert!(
            lines.iter().all(|l| l.chars().count() <= 9 + WRAP + 2 + 5),
            "{s}"
        );
        // Rows start on their own lines; the note continues under its column, which
        // starts at 9 ("measure" is 7 wide) and is WRAP wide.
        assert!(lines[2].starts_with("a        word word"), "{s}");
        assert!(lines[2].ends_with("7"), "{s}");
        assert!(lines[3].starts_with("         word"), "{s}");
        assert!(lines.last().unwrap().starts_with("b        short"), "{s}");
        let shown: String = lines[2..lines.len() - 1]
            .iter()
            .map(|l| l.chars().skip(9).take(WRAP).collect::<String>())
            .collect();
        assert_eq!(shown.replace(' ', ""), note.replace(' ', ""), "{s}");
        let mut csv = Vec::new();
        t.write(Format::Csv, &mut csv).unwrap();
        assert!(String::from_utf8(csv).unwrap().contains(&note));
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
    }

    #[test]
    fn huge_numbers_print_in_scientific_notation_in_tables_only() {
        assert_eq!(Cell::float(3.9239413e299, 2).table_text(), "3.923941e299");
        assert_eq!(Cell::float(-2.5e15, 0).table_text(), "-2.500000e15");
        assert_eq!(
            Cell::float(999_999_999_999_999.0, 0).table_text(),
            "999999999999999"
        );
        // CSV keeps every digit (code review: it got 7).
        let mut t = Table::new(["v"]);
        t.push(vec![Cell::float(1_234_567_890_123_456.0, 0)]);
        let mut csv = Vec::new();
        t.write(Format::Csv, &mut csv).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "v\n1234567890123456\n");
    }

    #[test]
    fn table_right_aligns_numbers() {
        let mut buf = Vec::new();
        sample().write(Format::Table, &mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains("2025-05      5864.6"), "{s}");
    }
}
