//! `chokepoint sql`: one read-only query, printed as a table, CSV or JSON.

use std::path::Path;

use chokepoint_store::JsonRow;
use serde_json::Value;

use crate::cli::SqlArgs;
use crate::output::{Cell, Format, Table};

/// Runs the command. The rows are read batch by batch: CSV is written as they come, and
/// the other formats hold only the table's cells, not the engine's batches as well.
pub fn run(data_dir: Option<&Path>, args: &SqlArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let (columns, mut stream) = o.runtime.block_on(o.warehouse.sql_stream(&args.query))?;
    let cells = |rows: Vec<JsonRow>| -> Vec<Vec<Cell>> {
        rows.iter().map(|r| row_cells(&columns, r)).collect()
    };
    if args.format == Format::Csv {
        let stdout = std::io::stdout();
        let mut out = csv::Writer::from_writer(stdout.lock());
        out.write_record(&columns)?;
        while let Some(batch) = o.runtime.block_on(stream.next()) {
            for row in cells(batch?) {
                out.write_record(row.iter().map(Cell::display))?;
            }
        }
        out.flush()?;
        return Ok(());
    }
    let mut table = Table::new(columns.clone());
    while let Some(batch) = o.runtime.block_on(stream.next()) {
        for row in cells(batch?) {
            table.push(row);
        }
    }
    table.print(args.format)?;
    Ok(())
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
}
