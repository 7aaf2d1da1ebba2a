//! `chokepoint shares`: country shares of a stage with HHI, CR1, CR3, their sources and the
//! EU CRMA benchmark.

use std::path::Path;

use chokepoint_model::Stage;
use chokepoint_store::indicators::NotComputable;
use chokepoint_store::indicators::concentration::SupplierShare;
use chokepoint_store::indicators::exposure::{
    CRMA_MAX_SINGLE_COUNTRY_SHARE, CrmaCheck, CrmaVerdict, Importer, crma_check,
};
use chokepoint_store::indicators::shares::{
    StageShares, reported_shares, reports_for, trade_shares, usgs_editions, usgs_mining_shares,
};
use serde::Serialize;

use super::facts::{self, Facts};
use crate::cli::{SharesArgs, SourceArg};
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// Stage shares plus the CRMA check, as printed.
#[derive(Serialize)]
pub struct SharesReport {
    /// The shares.
    #[serde(flatten)]
    pub shares: StageShares,
    /// EU CRMA benchmark on these (global) shares.
    pub crma_eu: Option<CrmaCheck>,
}

/// Runs `chokepoint shares`.
pub fn run(data_dir: Option<&Path>, args: &SharesArgs) -> anyhow::Result<()> {
    let stage: Stage = args.stage.into();
    let facts = facts::load(data_dir)?;
    match compute(
        &facts,
        stage,
        args.year,
        args.source,
        args.edition.as_deref(),
    )? {
        Ok(report) => print(&report, args.format),
        Err(nc) => print_not_computable(stage, &nc, args.format),
    }
}

/// The default source of a stage: production data where the warehouse has it (USGS mine
/// production), otherwise reported shares.
pub fn default_source(stage: Stage) -> SourceArg {
    match stage {
        Stage::Mining => SourceArg::Usgs,
        _ => SourceArg::Iea,
    }
}

/// Computes the shares report; the outer error is the user's (bad edition or source), the
/// inner one a missing input.
pub fn compute(
    facts: &Facts,
    stage: Stage,
    year: Option<i32>,
    source: Option<SourceArg>,
    edition: Option<&str>,
) -> anyhow::Result<Result<SharesReport, NotComputable>> {
    let source = source.unwrap_or_else(|| default_source(stage));
    if edition.is_some() && source != SourceArg::Usgs {
        return Err(UserError(
            "--edition selects a USGS Mineral Commodity Summaries edition; use it with \
             --source usgs (or leave --source out for mining)"
                .into(),
        )
        .into());
    }
    if source == SourceArg::Usgs && stage != Stage::Mining {
        return Ok(Err(NotComputable::needs([format!(
            "country production of the {stage} stage: USGS reports mine production by country \
             only; use --source iea or --source reported"
        )])));
    }
    if let (Some(e), Some(y)) = (edition, year) {
        let available = usgs_editions(&facts.production, y);
        if !available.iter().any(|a| a.eq_ignore_ascii_case(e)) {
            return Err(UserError(format!(
                "no USGS edition {e} holds mine production for {y}; editions with {y}: {}",
                if available.is_empty() {
                    "none".to_string()
                } else {
                    available.join(", ")
                }
            ))
            .into());
        }
    }
    let result = match source {
        SourceArg::Usgs => usgs_mining_shares(&facts.production, year, edition),
        SourceArg::Iea => reported_shares(&facts.stage_shares, stage, year, true),
        SourceArg::Reported => reported_shares(&facts.stage_shares, stage, year, false),
        SourceArg::Trade => {
            let latest = match year {
                Some(y) => Some(y),
                None => facts.latest_trade_year(stage)?,
            };
            let y = match latest {
                Some(y) => y,
                None => {
                    return Ok(Err(NotComputable::needs([format!(
                        "export rows of {stage} products in the trade table"
                    )])));
                }
            };
            let (exporters, src) = facts.exports_by_reporter(stage, y)?;
            trade_shares(stage, y, &exporters, &src)
        }
    };
    Ok(result.map(|mut shares| {
        if shares.other_reports.is_empty() && source == SourceArg::Usgs {
            shares.other_reports = reports_for(&facts.stage_shares, stage, shares.year);
        }
        let global: Vec<SupplierShare> = shares
            .shares
            .iter()
            .map(|l| SupplierShare::new(l.country_iso3.clone(), l.share))
            .collect();
        let crma_eu = crma_check(&Importer::Eu, &global, CRMA_MAX_SINGLE_COUNTRY_SHARE).ok();
        SharesReport { shares, crma_eu }
    }))
}

/// "FAIL: CHN 92.0 % is 27.0 pp above the 65 % benchmark".
pub fn crma_text(c: &CrmaCheck) -> String {
    let word = match c.verdict {
        CrmaVerdict::Pass => "PASS",
        CrmaVerdict::Fail => "FAIL",
        CrmaVerdict::Inconclusive => "INCONCLUSIVE",
    };
    let side = if c.margin_pp > 0.0 { "above" } else { "below" };
    let mut text = format!(
        "{word}: {} {:.1} % is {:.1} pp {side} the {:.0} % benchmark",
        c.country,
        100.0 * c.share,
        c.margin_pp.abs(),
        100.0 * c.benchmark
    );
    if c.verdict == CrmaVerdict::Inconclusive {
        text.push_str("; the unattributed rest of the market could exceed it");
    }
    text
}

/// Shortens long citations for the terminal table; CSV and JSON keep them whole.
pub fn short(text: &str, format: Format) -> String {
    const MAX: usize = 80;
    if format != Format::Table || text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX - 1).collect();
    format!("{cut}…")
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
            short(source, format).into(),
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
    t.push(row(
        "cr1",
        c.cr1_country.as_deref().unwrap_or(""),
        Cell::float(100.0 * c.cr1, 2),
        "%",
        None,
        s.year,
        &src,
        String::new(),
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
        t.push(row(
            "total",
            "WLD",
            Cell::float(total, 0),
            "t",
            Some(total),
            s.year,
            &src,
            String::new(),
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
        print_json(&serde_json::json!({
            "stage": stage,
            "not_computable": nc.to_string(),
            "needs": nc.needs,
        }))?;
        return Ok(());
    }
    let mut t = Table::new(["stage", "result"]);
    t.push(vec![stage.as_str().into(), nc.to_string().into()]);
    t.print(format)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crma_text_says_by_how_much() {
        let c = CrmaCheck {
            country: "CHN".into(),
            share: 0.94,
            benchmark: 0.65,
            margin_pp: 29.0,
            verdict: CrmaVerdict::Fail,
        };
        assert_eq!(
            crma_text(&c),
            "FAIL: CHN 94.0 % is 29.0 pp above the 65 % benchmark"
        );
        let pass = CrmaCheck {
            share: 0.5,
            margin_pp: -15.0,
            verdict: CrmaVerdict::Pass,
            ..c
        };
        assert!(crma_text(&pass).starts_with("PASS: CHN 50.0 % is 15.0 pp below"));
    }

    #[test]
    fn long_sources_are_cut_in_tables_only() {
        let long = "x".repeat(200);
        assert_eq!(short(&long, Format::Table).chars().count(), 80);
        assert_eq!(short(&long, Format::Csv), long);
    }
}
