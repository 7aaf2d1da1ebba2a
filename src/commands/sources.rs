//! `chokepoint sources`: tables, row counts, provenance.

use std::path::Path;

use crate::cli::SourcesArgs;
use crate::output::{Cell, Table};

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &SourcesArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let rows = o.runtime.block_on(o.warehouse.sources())?;
    let mut t = Table::new([
        "table",
        "source",
        "ingest_id",
        "rows",
        "period_from",
        "period_to",
        "provenance",
    ]);
    for r in rows {
        let opt = |s: Option<String>| s.map_or(Cell::Null, Cell::Text);
        t.push(vec![
            r.table.into(),
            r.source.into(),
            r.ingest_id.into(),
            Cell::Int(r.rows),
            opt(r.period_from),
            opt(r.period_to),
            r.provenance.into(),
        ]);
    }
    t.print(args.format)?;
    Ok(())
}
