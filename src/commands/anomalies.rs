//! `chokepoint anomalies`: months departing from their baselines.

use std::path::Path;

use chokepoint_store::indicators::anomalies::{AnomalyQuery, AnomalyRow, anomalies, notes};

use crate::cli::AnomaliesArgs;
use crate::output::{Cell, Format, Table, print_json};

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &AnomaliesArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let q = AnomalyQuery {
        flow: super::warehouse::flow_query(&args.flow, args.partner),
        threshold_pct: args.threshold,
        all: args.all,
    };
    let rows = o.runtime.block_on(anomalies(&o.warehouse, &q))?;
    for note in notes(&rows) {
        stderr_line!("note: {note}");
    }
    if rows.is_empty()
        && let Some(note) = o.runtime.block_on(q.nothing_found(&o.warehouse))?
    {
        stderr_line!("note: {note}");
    }
    if args.format == Format::Json {
        // The rows serialised as `GET /api/anomalies` serialises them: the table's
        // rounding (to its shown decimals plus six) made the two differ.
        print_json(&rows)?;
    } else {
        table(&rows).print(args.format)?;
    }
    Ok(())
}

/// Which figures behind a row are derived, as `trends` tags them.
fn derived_tag(r: &AnomalyRow) -> String {
    let mut tags = Vec::new();
    if r.is_derived {
        tags.push("level");
    }
    if r.baseline_includes_derived {
        tags.push("baseline");
    }
    if r.quantity_is_lower_bound {
        tags.push("level a lower bound (a partner's tonnes unknown)");
    }
    tags.join("; ")
}

/// The rows as a table.
pub fn table(rows: &[AnomalyRow]) -> Table {
    let mut t = Table::new([
        "period",
        "quantity_t",
        "seasonal_baseline_t",
        "seasonal_departure_pct",
        "trailing_baseline_t",
        "trailing_departure_pct",
        "departure_pct",
        "flag",
        "source",
        "derived",
    ]);
    for r in rows {
        t.push(vec![
            Cell::Text(r.period.clone()),
            Cell::float(r.quantity_t, 1),
            Cell::opt_float(r.seasonal_baseline_t, 1),
            Cell::opt_float(r.seasonal_departure_pct, 1),
            Cell::opt_float(r.trailing_baseline_t, 1),
            Cell::opt_float(r.trailing_departure_pct, 1),
            Cell::opt_float(r.departure_pct, 1),
            Cell::Text(r.flag.clone()),
            Cell::Text(r.source.clone()),
            Cell::Text(derived_tag(r)),
        ]);
    }
    t
}
