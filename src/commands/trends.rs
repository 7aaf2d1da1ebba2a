//! `chokepoint trends`: one row per period for one flow.

use std::path::Path;

use chokepoint_store::indicators::trends::{TrendQuery, TrendRow, trends};

use crate::cli::TrendsArgs;
use crate::output::{Cell, Table};

/// The CSV columns (a contract checked from outside: keep them).
pub const COLUMNS: [&str; 7] = [
    "period",
    "quantity_t",
    "value_usd",
    "mom_pct",
    "yoy_pct",
    "ytd_t",
    "ytd_yoy_pct",
];

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &TrendsArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let q = TrendQuery {
        flow: super::warehouse::flow_query(&args.flow, args.partner),
        from: args.from,
        to: args.to,
        frequency: args.freq,
    };
    let rows = o.runtime.block_on(trends(&o.warehouse, &q))?;
    table(&rows, args.with_source).print(args.format)?;
    super::warehouse::note_if_empty(rows.is_empty(), &args.flow, "");
    Ok(())
}

/// The rows as a table: tonnes and percentages to one decimal, dollars whole.
pub fn table(rows: &[TrendRow], with_source: bool) -> Table {
    let mut columns: Vec<&str> = COLUMNS.to_vec();
    if with_source {
        columns.push("source");
    }
    let mut t = Table::new(columns);
    for r in rows {
        let mut row = vec![
            Cell::Text(r.period.clone()),
            Cell::opt_float(r.quantity_t, 1),
            Cell::opt_float(r.value_usd, 0),
            Cell::opt_float(r.mom_pct, 1),
            Cell::opt_float(r.yoy_pct, 1),
            Cell::opt_float(r.ytd_t, 1),
            Cell::opt_float(r.ytd_yoy_pct, 1),
        ];
        if with_source {
            row.push(Cell::Text(r.source.clone()));
        }
        t.push(row);
    }
    t
}
