//! `chokepoint partners`: partner ranking with HHI and top shares for one period.

use std::io::Write;
use std::path::Path;

use chokepoint_store::indicators::partners::{Measure, PartnersQuery, PartnersReport, partners};

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
    if report.found_nothing() {
        stderr_line!("note: {}", q.nothing_found_note());
    }
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
        "derived",
    ]);
    for p in &report.partners {
        t.push(vec![
            Cell::Text(p.partner_iso3.clone()),
            Cell::opt_float(p.quantity_t, 1),
            Cell::opt_float(p.value_usd, 0),
            Cell::opt_float(p.share_pct, 1),
            Cell::Text(p.source.clone()),
            Cell::Text(if p.is_derived {
                "derived".into()
            } else {
                String::new()
            }),
        ]);
    }
    t.print(args.format)?;
    let mut lines = summary_lines(&report);
    if report.partners.iter().any(|p| p.is_derived) {
        lines.push(
            "derived: a figure the dataset computed from a published growth rate, not one a \
             source reported; its share and the HHI inherit that"
                .to_string(),
        );
    }
    // CSV stays machine-readable on stdout; the summary goes to stderr there.
    if args.format == Format::Csv {
        for l in &lines {
            stderr_line!("{l}");
        }
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out)?;
        for l in &lines {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

/// The lines under the table: the concentration summary, aggregates reported beside the
/// ranking, and the report's notes.
fn summary_lines(report: &PartnersReport) -> Vec<String> {
    let f = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"));
    let bound = |on: bool| if on { " (lower bound)" } else { "" };
    let mut parts = vec![
        format!(
            "HHI {}{}",
            f(report.hhi, 0),
            bound(report.hhi_is_lower_bound)
        ),
        format!(
            "top-1 {} %{}",
            f(report.top1_share_pct, 1),
            bound(report.top1_is_lower_bound)
        ),
    ];
    // Top-3 of fewer than three partners would only repeat the coverage.
    match report.top3_share_pct {
        Some(t) => parts.push(format!(
            "top-3 {t:.1} %{}",
            bound(report.hhi_is_lower_bound)
        )),
        None => parts.push(format!(
            "{} partner{} listed",
            report.partners_listed,
            if report.partners_listed == 1 { "" } else { "s" }
        )),
    }
    // In the table's words: "total 5,000 t (world row)" (web review: "5000.0" beside
    // "5,000" in the table).
    parts.push(format!(
        "total {} ({})",
        report
            .total
            .map_or_else(|| "-".to_string(), |t| report.measure.amount(t)),
        report.total_basis
    ));
    parts.push(match report.coverage_pct {
        Some(_) => format!(
            "partners listed cover {} % of it ({})",
            f(report.coverage_pct, 1),
            report.coverage_basis
        ),
        // With no partner listed there is nothing to cover, not an unknown amount.
        None if report.partners_listed == 0 => "no partner rows for this period".to_string(),
        None => "coverage not measurable (a partner's amount is unknown)".to_string(),
    });
    let mut lines = vec![format!("period {}: {}", report.period, parts.join(" · "))];
    for a in &report.aggregates {
        lines.push(format!("also reported: {}", a.describe(report.measure)));
    }
    for n in &report.notes {
        lines.push(format!("note: {n}"));
    }
    lines
}
