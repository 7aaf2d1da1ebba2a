//! `chokepoint shares`: country shares of a stage with HHI, CR1, CR3, their sources and the
//! EU CRMA benchmark.

use std::path::Path;

use chokepoint_model::Stage;
use chokepoint_store::indicators::NotComputable;
pub use chokepoint_store::indicators::report::shares::crma_text;
use chokepoint_store::indicators::report::shares::{
    SharesQuery, SharesReport, not_computable_json, shares_report,
};
use chokepoint_store::indicators::shares::ShareSource;

use super::facts;
use crate::cli::SharesArgs;
use crate::output::{Cell, Format, Table, print_json};

/// Runs `chokepoint shares`.
pub fn run(data_dir: Option<&Path>, args: &SharesArgs) -> anyhow::Result<()> {
    let stage: Stage = args.stage.into();
    let loaded = facts::load(data_dir)?;
    let query = SharesQuery {
        stage,
        year: args.year,
        source: args.source.map(Into::into),
        edition: args.edition.clone(),
    };
    match loaded.block_on(shares_report(&loaded.facts, &query))? {
        Ok(report) => print(&report, args.format),
        Err(nc) => print_not_computable(stage, &nc, args.format),
    }
}

fn columns() -> [&'static str; 8] {
    [
        "measure",
        "country_iso3",
        "value",
        "unit",
        "quantity_t",
        "year",
        "source",
        "note",
    ]
}

fn print(report: &SharesReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(report)?;
        return Ok(());
    }
    let s = &report.shares;
    let mut t = Table::new(columns());
    let row = |measure: &str,
               country: &str,
               value: Cell,
               unit: &str,
               q: Option<f64>,
               year: i32,
               source: &str,
               note: String| {
        vec![
            measure.into(),
            country.into(),
            value,
            unit.into(),
            Cell::opt_float(q, 0),
            Cell::Int(year.into()),
            Cell::Long(source.to_string()),
            note.into(),
        ]
    };
    for l in &s.shares {
        t.push(row(
            "share",
            &l.country_iso3,
            Cell::float(100.0 * l.share, 2),
            "%",
            l.quantity_t,
            l.year,
            &l.source,
            l.edition
                .clone()
                .or_else(|| l.year_basis.clone())
                .unwrap_or_default(),
        ));
    }
    let c = &s.concentration;
    let src = format!("computed from the {} shares above", s.source.as_str());
    let bound = if c.is_partial() { "lower bound" } else { "" };
    t.push(row(
        "hhi",
        "",
        Cell::float(c.hhi, 0),
        "0-10000",
        None,
        s.year,
        &src,
        bound.into(),
    ));
    // The largest named share is only a floor of CR1 when the unattributed rest is
    // bigger (the notes say why).
    let cr1_bound = if c.cr1_is_lower_bound() {
        "lower bound: may not be the largest supplier"
    } else {
        ""
    };
    t.push(row(
        "cr1",
        c.cr1_country.as_deref().unwrap_or(""),
        Cell::float(100.0 * c.cr1, 2),
        "%",
        None,
        s.year,
        &src,
        cr1_bound.into(),
    ));
    t.push(row(
        "cr3",
        "",
        Cell::float(100.0 * c.cr3, 2),
        "%",
        None,
        s.year,
        &src,
        bound.into(),
    ));
    if c.is_partial() {
        t.push(row(
            "coverage",
            "",
            Cell::float(100.0 * c.coverage, 2),
            "%",
            None,
            s.year,
            &src,
            "share of the market the source attributes to named countries".into(),
        ));
    }
    if let Some(total) = s.total_t {
        // The source's own (rounded) world total, the denominator of the shares above, not
        // a sum of them.
        let total_src = match (&s.source, &s.edition) {
            (ShareSource::Trade, _) => "sum of the exporters' quantities above".to_string(),
            (_, Some(e)) => format!(
                "{} world total as reported ({e}, rounded), the base of the shares",
                s.source.as_str()
            ),
            (_, None) => format!("{} world total as reported", s.source.as_str()),
        };
        let note = match s.countries_sum_t {
            Some(sum) if (sum - total).abs() > 0.5 => {
                format!("the listed countries sum to {sum:.0} t")
            }
            _ => String::new(),
        };
        t.push(row(
            "total",
            "WLD",
            Cell::float(total, 0),
            "t",
            Some(total),
            s.year,
            &total_src,
            note,
        ));
    }
    for g in &s.group_figures {
        t.push(row(
            "reported_group_share",
            &g.country_iso3,
            Cell::float(100.0 * g.share, 2),
            "%",
            None,
            g.year,
            &g.source,
            g.year_basis.clone().unwrap_or_default(),
        ));
    }
    if let Some(crma) = &report.crma_eu {
        t.push(row(
            "crma_eu",
            &crma.country,
            Cell::float(100.0 * crma.share, 2),
            "%",
            None,
            s.year,
            "Regulation (EU) 2024/1252 benchmark on global shares (proxy for EU sourcing)",
            crma_text(crma),
        ));
    }
    for o in &s.other_reports {
        t.push(row(
            "other_report",
            &o.country_iso3,
            Cell::float(100.0 * o.share, 2),
            "%",
            None,
            o.year,
            &o.source,
            o.year_basis.clone().unwrap_or_default(),
        ));
    }
    for n in &s.notes {
        t.push(row("note", "", Cell::Null, "", None, s.year, "", n.clone()));
    }
    t.print(format)?;
    Ok(())
}

/// Prints "not computable: needs …" in the chosen format (exit 0: the answer is that the
/// data cannot give a number).
pub fn print_not_computable(
    stage: Stage,
    nc: &NotComputable,
    format: Format,
) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(&not_computable_json(stage, nc))?;
        return Ok(());
    }
    let mut t = Table::new(["stage", "result"]);
    t.push(vec![stage.as_str().into(), nc.to_string().into()]);
    t.print(format)?;
    Ok(())
}
