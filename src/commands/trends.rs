//! `chokepoint trends`: one row per period for one flow.

use std::path::Path;

use chokepoint_store::indicators::trends::{
    TrendQuery, TrendRow, incomplete_year_note, json_rows, trend_report,
};

use crate::cli::TrendsArgs;
use crate::output::{Cell, Format, Table, print_json};

/// The CSV columns (a contract checked from outside: keep them, in this order, first).
pub const COLUMNS: [&str; 7] = [
    "period",
    "quantity_t",
    "value_usd",
    "mom_pct",
    "yoy_pct",
    "ytd_t",
    "ytd_yoy_pct",
];

/// Columns after `COLUMNS` (and `source`): the source's own growth rates, and which
/// figures behind the row were derived (see [`DERIVED_FOOTNOTE`]).
pub const ADDED_COLUMNS: [&str; 3] = ["reported_yoy_pct", "reported_ytd_yoy_pct", "derived"];

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &TrendsArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let q = TrendQuery {
        flow: super::warehouse::flow_query(&args.flow, args.partner),
        from: args.from,
        to: args.to,
        frequency: args.freq,
    };
    let report = o.runtime.block_on(trend_report(&o.warehouse, &q))?;
    let rows = &report.rows;
    if args.format == Format::Json {
        // The same shape `GET /api/trends` sends (every flag, `source`, the `derived` tags),
        // so a script can switch between the two without rewriting its reader.
        print_json(&json_rows(rows))?;
    } else {
        table(rows, args.with_source).print(args.format)?;
    }
    if args.format == Format::Table && rows.iter().any(|r| !r.derived_tags().is_empty()) {
        println!("\n{DERIVED_FOOTNOTE}");
    }
    // A year with months but no annual total is not an empty warehouse: say what it has.
    for y in &report.incomplete_years {
        stderr_line!("note: {}", incomplete_year_note(y, "--freq M"));
    }
    for n in &report.notes {
        stderr_line!("note: {n}");
    }
    if report.found_nothing() {
        stderr_line!("note: {}", q.nothing_found_note());
    }
    Ok(())
}

/// What the `derived` column means (printed under the table when it is not empty).
pub const DERIVED_FOOTNOTE: &str = "derived: figures the dataset computed from a published \
growth rate rather than took from a publication. level = this period's figure; yoy base = \
the year-earlier figure yoy_pct compares with (if it was derived from this period's \
published change, yoy_pct only restates reported_yoy_pct); ytd = a figure inside ytd_t; \
ytd base = a figure inside the year-earlier YTD that ytd_yoy_pct compares with. \
reported_yoy_pct and reported_ytd_yoy_pct are the changes the source itself published.";

/// The rows as a table: tonnes and percentages to one decimal, dollars whole.
pub fn table(rows: &[TrendRow], with_source: bool) -> Table {
    let mut columns: Vec<&str> = COLUMNS.to_vec();
    if with_source {
        columns.push("source");
    }
    // Added after every existing column so readers by position keep working.
    columns.extend(ADDED_COLUMNS);
    // Where each level was published, so that a figure traces to its report without `sql`.
    if with_source {
        columns.push("citation");
        // Where a change compares with, or a YTD adds, another source's figures.
        columns.push("other_sources");
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
        let tags = r.derived_tags();
        row.extend([
            Cell::opt_float(r.reported_yoy_pct, 1),
            Cell::opt_float(r.reported_ytd_yoy_pct, 1),
            if tags.is_empty() {
                Cell::Null
            } else {
                Cell::Text(tags.join("; "))
            },
        ]);
        if with_source {
            row.push(r.citation.clone().map_or(Cell::Null, Cell::Text));
            row.push(r.other_sources().map_or(Cell::Null, Cell::Text));
        }
        t.push(row);
    }
    t
}
