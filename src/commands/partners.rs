//! `chokepoint partners`: partner ranking with HHI and top shares for one period.

use std::io::Write;
use std::path::Path;

use chokepoint_store::indicators::partners::{Measure, PartnersQuery, partners};

use crate::cli::{MeasureArg, PartnersArgs};
use crate::output::{Cell, Format, Table, print_json};

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &PartnersArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let q = PartnersQuery {
        flow: super::warehouse::flow_query(&args.flow, None),
        period: args.period,
        measure: match args.measure {
            MeasureArg::Quantity => Measure::Quantity,
            MeasureArg::Value => Measure::Value,
        },
    };
    let report = o.runtime.block_on(partners(&o.warehouse, &q))?;
    let scope = format!(", period {}", args.period);
    super::warehouse::note_if_empty(report.partners.is_empty(), &args.flow, &scope);
    if args.format == Format::Json {
        print_json(&report)?;
        return Ok(());
    }
    let mut t = Table::new([
        "partner_iso3",
        "quantity_t",
        "value_usd",
        "share_pct",
        "source",
    ]);
    for p in &report.partners {
        t.push(vec![
            Cell::Text(p.partner_iso3.clone()),
            Cell::opt_float(p.quantity_t, 1),
            Cell::opt_float(p.value_usd, 0),
            Cell::opt_float(p.share_pct, 1),
            Cell::Text(p.source.clone()),
        ]);
    }
    t.print(args.format)?;
    let f = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"));
    let summary = format!(
        "period {}: HHI {} · top-1 {} % · top-3 {} % · total {} ({}) · partners listed cover {} %",
        report.period,
        f(report.hhi, 0),
        f(report.top1_share_pct, 1),
        f(report.top3_share_pct, 1),
        f(report.total, 1),
        report.total_basis,
        f(report.coverage_pct, 1),
    );
    // CSV stays machine-readable on stdout; the summary goes to stderr there.
    if args.format == Format::Csv {
        eprintln!("{summary}");
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out)?;
        writeln!(out, "{summary}")?;
    }
    Ok(())
}
