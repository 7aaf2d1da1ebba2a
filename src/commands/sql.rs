//! `chokepoint sql`: one read-only query, printed as a table, CSV or JSON.

use std::path::Path;

use chokepoint_store::{JsonRow, batches_to_json_rows};
use serde_json::Value;

use crate::cli::SqlArgs;
use crate::output::{Cell, Table};

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &SqlArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let batches = o.runtime.block_on(o.warehouse.sql(&args.query))?;
    let columns = chokepoint_store::json::batch_columns(&batches);
    let rows = batches_to_json_rows(&batches);
    to_table(columns, &rows).print(args.format)?;
    Ok(())
}

/// Builds a table from JSON rows, keeping each value's type.
pub fn to_table(columns: Vec<String>, rows: &[JsonRow]) -> Table {
    let mut t = Table::new(columns.clone());
    for r in rows {
        t.push(
            columns
                .iter()
                .map(|c| cell(r.get(c).unwrap_or(&Value::Null)))
                .collect(),
        );
    }
    t
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
