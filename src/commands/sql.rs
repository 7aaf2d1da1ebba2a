//! `chokepoint sql`: one read-only query, printed as a table, CSV or JSON.

use std::io::Write;
use std::path::Path;

use chokepoint_store::JsonRow;
use serde_json::Value;

use crate::cli::SqlArgs;
use crate::output::{Cell, Format, JsonArrayWriter, Table};

/// Ends the process with exit code 2 once `secs` seconds have passed. A watchdog thread and
/// not a timer on the query's future: DataFusion plans synchronously (constant folding
/// included), and a timer is only looked at when the query yields, which a plan that takes
/// minutes never does. Whatever was written stays written; the message says so.
fn stop_after(secs: u64) {
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(secs));
        use std::io::Write as _;
        // Not a flush of stdout here: CSV and JSON hold its lock while they stream, so a
        // flush waited for the query to end (code review: the timeout never fired with
        // `--format csv`); `exit` flushes what it can without waiting.
        let _ = writeln!(
            std::io::stderr(),
            "error: the query ran past --timeout {secs} s and was stopped (any rows printed \
             above are only the first ones); narrow it (a WHERE on period, product or \
             reporter, a LIMIT) or give a longer --timeout"
        );
        std::process::exit(2);
    });
}

/// Rows `--format table` shows at most. Its column widths need every row it shows, so it
/// holds them; CSV and JSON are written as the rows come and have no cap.
pub const TABLE_ROWS: usize = 10_000;

/// Runs the command. The rows are read batch by batch and nothing holds the whole result:
/// CSV and JSON are written as they come, and the table keeps its first [`TABLE_ROWS`]
/// rows and only counts the others (a table of 20 M rows once took 2.8 GB and aborted
/// when memory ran out).
pub fn run(data_dir: Option<&Path>, args: &SqlArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    if let Some(secs) = args.timeout {
        stop_after(secs);
    }
    let (columns, mut stream) = o.runtime.block_on(o.warehouse.sql_stream(&args.query))?;
    let cells = |rows: Vec<JsonRow>| -> Vec<Vec<Cell>> {
        rows.iter().map(|r| row_cells(&columns, r)).collect()
    };
    let stdout = std::io::stdout();
    match args.format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(stdout.lock());
            out.write_record(&columns)?;
            while let Some(batch) = o.runtime.block_on(stream.next()) {
                for row in batch? {
                    out.write_record(columns.iter().map(|c| csv_text(row.get(c))))?;
                }
            }
            out.flush()?;
        }
        Format::Json => {
            let mut out = JsonArrayWriter::new(std::io::BufWriter::new(stdout.lock()));
            // The rows as the engine gave them, serialised as `/api/sql` serialises them:
            // full precision and typed booleans (the table's rounding was applied here too).
            while let Some(batch) = o.runtime.block_on(stream.next()) {
                for row in batch? {
                    out.push(&Value::Object(row))?;
                }
            }
            out.finish()?;
        }
        Format::Table => {
            let mut table = Table::new(columns.clone());
            let mut more = 0u64;
            while let Some(batch) = o.runtime.block_on(stream.next()) {
                let batch = batch?;
                let room = TABLE_ROWS - table.rows.len();
                more += batch.len().saturating_sub(room) as u64;
                for row in cells(batch.into_iter().take(room).collect()) {
                    table.push(row);
                }
                if table.rows.len() == TABLE_ROWS {
                    break;
                }
            }
            // The table goes out first: counting the rest may take as long as the query,
            // so it stops after COUNT_FOR (a query may never end).
            table.print(Format::Table)?;
            let rest = o.runtime.block_on(async {
                stream
                    .count_rest(tokio::time::Instant::now() + COUNT_FOR)
                    .await
            })?;
            more += rest.rows;
            if more > 0 || !rest.all {
                stdout.lock().flush()?;
                stderr_line!("note: {}", cap_note(more, rest.all));
            }
        }
    }
    Ok(())
}

/// How long `--format table` goes on counting the rows past its cap.
const COUNT_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// What `--format table` says about the rows past its cap; `all` is false when counting
/// stopped at [`COUNT_FOR`] and there are at least `more`.
fn cap_note(more: u64, all: bool) -> String {
    let more = chokepoint_store::indicators::thousands(more as f64);
    let counted = if all {
        format!("{more} more were not shown")
    } else {
        format!(
            "at least {more} more were not shown (counting stopped after {} s; the query \
             may not end)",
            COUNT_FOR.as_secs()
        )
    };
    format!(
        "the table shows the first {} rows; {counted}. Use `--format csv` or `--format json` \
         for every row (they are written as they come), or add a LIMIT",
        chokepoint_store::indicators::thousands(TABLE_ROWS as f64),
    )
}

/// A value as a CSV cell, losing nothing: floats as the shortest decimal that reads back
/// to the same f64 (as the records `simulate` writes; `1e-7` had become `0.000000`),
/// booleans as `true`/`false`, NULL as an empty cell.
fn csv_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) if n.is_f64() => {
            n.as_f64().map_or_else(String::new, |f| format!("{f:?}"))
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// One JSON row's cells in the order of `columns`.
fn row_cells(columns: &[String], row: &JsonRow) -> Vec<Cell> {
    columns
        .iter()
        .map(|c| cell(row.get(c).unwrap_or(&Value::Null)))
        .collect()
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Text(b.to_string()),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // Show the digits the value has (up to 6 places), no binary noise.
                let shown = format!("{f}");
                let decimals = shown.split_once('.').map_or(0, |(_, d)| d.len().min(6));
                Cell::float(f, decimals)
            }
        },
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(cell(&Value::from(5864.6)), Cell::float(5864.6, 1));
        assert_eq!(cell(&Value::from(3)), Cell::Int(3));
        assert_eq!(cell(&Value::Null), Cell::Null);
    }

    /// F10: CSV rounded to six places (`4.1e-6` → `0.000004`, `1e-7` → `0.000000`).
    #[test]
    fn csv_cells_keep_full_precision_and_typed_booleans() {
        let text = |v: Value| csv_text(Some(&v));
        assert_eq!(text(Value::from(1e-7)), "1e-7");
        assert_eq!(text(Value::from(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(text(Value::from(1234.56789012345)), "1234.56789012345");
        assert_eq!(text(Value::from(4100.25)), "4100.25");
        assert_eq!(text(Value::from(3)), "3");
        assert_eq!(text(Value::Bool(false)), "false");
        assert_eq!(csv_text(None), "");
        assert_eq!(text(Value::Null), "");
    }

    #[test]
    fn the_cap_note_names_the_rows_left_out_and_the_way_to_get_them() {
        let n = cap_note(19_990_000, true);
        assert!(n.contains("first 10,000 rows; 19,990,000 more"), "{n}");
        assert!(n.contains("--format csv"), "{n}");
        let n = cap_note(290_000, false);
        assert!(n.contains("at least 290,000 more"), "{n}");
        assert!(n.contains("counting stopped after 10 s"), "{n}");
    }
}
