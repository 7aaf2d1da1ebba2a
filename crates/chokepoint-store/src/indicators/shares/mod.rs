//! Country shares of a supply-chain stage, from production data (USGS mine production,
//! shares of the USGS world total) or from shares reported by a named source (IEA, news
//! wires), with HHI, CR1 and CR3.
//!
//! USGS revises back-years from one Mineral Commodity Summaries edition to the next, so
//! the bundled data keep every edition side by side; shares use the latest edition for the
//! year unless an edition is asked for (SOURCES.md §1).
//!
//! Shares that name only part of the market (an edition listing only some producers, as
//! MCS2020 lists only the USA for 2019) carry the same notes whatever their source: the
//! HHI is a lower bound (with its upper bound), and CR1 may not be the largest supplier
//! when the unattributed rest is bigger ([`Concentration::cr1_note`]). A year without a USGS
//! world total is answered with the years the warehouse has ([`usgs_years`]).

use chokepoint_model::Stage;
use serde::Serialize;

use super::NotComputable;
use super::concentration::{Concentration, SupplierShare, concentration, shares_of_total};
use super::exposure::is_group_code;

/// One row of the `production` table (the columns of `mine_production.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProductionRow {
    /// Data year.
    pub year: i32,
    /// ISO-3 code (`WLD` world total, `OTH` other countries).
    pub country_iso3: String,
    /// `mining` or `separation_processing`.
    pub stage: String,
    /// `mine_production`, `reserves`, …
    pub metric: String,
    /// Tonnes REO; none when the source says "NA".
    pub value: Option<f64>,
    /// USGS edition (`MCS2026`) or a secondary label.
    pub edition: String,
    /// Citation.
    pub source: String,
    /// `primary`, `secondary` or `secondary_uncertain`.
    pub source_type: String,
}

/// One row of the `stage_shares` table (the columns of `stage_shares.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct StageShareRow {
    /// Year of the figure.
    pub year: i32,
    /// Source stage label (`separation_refining`, `magnet_manufacturing`, …).
    pub stage: String,
    /// ISO-3 code or a group label (`TOP3:CHN+AUS+MMR`, `CHN_range_low`).
    pub country_iso3: String,
    /// Share (fraction).
    pub share: f64,
    /// Citation.
    pub source: String,
    /// `data_year`, `publication_year` or `projection_base_case`.
    pub year_basis: String,
    /// True for shares computed from the USGS rows (not reported by a source).
    pub is_derived: bool,
}

/// Where stage shares come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareSource {
    /// USGS mine production, shares of the USGS world total.
    Usgs,
    /// Shares reported by the IEA (directly or as quoted by a named outlet).
    Iea,
    /// Shares reported by any named source.
    Reported,
    /// Shares of exports in the warehouse's trade table.
    Trade,
}

impl ShareSource {
    /// The name used on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            ShareSource::Usgs => "usgs",
            ShareSource::Iea => "iea",
            ShareSource::Reported => "reported",
            ShareSource::Trade => "trade",
        }
    }
}

/// One country's share in a result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShareLine {
    /// ISO-3 code or the source's group label.
    pub country_iso3: String,
    /// Share (fraction).
    pub share: f64,
    /// Quantity behind the share (t REO, or trade tonnes), when computed from quantities.
    pub quantity_t: Option<f64>,
    /// Year of the figure.
    pub year: i32,
    /// Citation.
    pub source: String,
    /// USGS edition, when from USGS.
    pub edition: Option<String>,
    /// `data_year` / `publication_year` / `projection_base_case` for reported shares.
    pub year_basis: Option<String>,
}

/// Shares of one stage and year, with their concentration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageShares {
    /// The stage.
    pub stage: Stage,
    /// Data year.
    pub year: i32,
    /// Where the shares come from.
    pub source: ShareSource,
    /// USGS edition used.
    pub edition: Option<String>,
    /// Other USGS editions holding the same year (revisions).
    pub other_editions: Vec<String>,
    /// Country shares, largest first.
    pub shares: Vec<ShareLine>,
    /// HHI, CR1, CR3 and coverage over `shares`.
    pub concentration: Concentration,
    /// The denominator when shares come from quantities (USGS rounded world total).
    pub total_t: Option<f64>,
    /// Sum of the country quantities (differs from `total_t` through USGS rounding).
    pub countries_sum_t: Option<f64>,
    /// Group figures the source states (top-3 combined, ranges), not used in the HHI.
    pub group_figures: Vec<ShareLine>,
    /// Other reported figures for the same stage and year, for comparison.
    pub other_reports: Vec<ShareLine>,
    /// Caveats the reader needs (partial coverage, group codes, projections).
    pub notes: Vec<String>,
}

/// The `stage_shares` labels that measure a stage's whole market.
pub fn stage_labels(stage: Stage) -> &'static [&'static str] {
    match stage {
        Stage::Mining => &["mining"],
        Stage::Separation => &["separation_refining"],
        Stage::Magnets => &["magnet_manufacturing"],
        Stage::Metal | Stage::Components => &[],
    }
}

/// The number of a USGS edition label (`MCS2026` → 2026); none for other labels.
pub fn edition_number(edition: &str) -> Option<u32> {
    edition.strip_prefix("MCS")?.parse().ok()
}

fn is_usgs_mine_row(r: &ProductionRow) -> bool {
    r.metric == "mine_production"
        && r.stage == "mining"
        && r.source_type == "primary"
        && edition_number(&r.edition).is_some()
}

/// The latest year with a USGS world total of mine production (in `edition` only, when
/// given).
pub fn latest_usgs_year(rows: &[ProductionRow], edition: Option<&str>) -> Option<i32> {
    rows.iter()
        .filter(|r| is_usgs_mine_row(r) && r.country_iso3 == "WLD")
        .filter(|r| edition.is_none_or(|e| r.edition.eq_ignore_ascii_case(e)))
        .map(|r| r.year)
        .max()
}

/// Years with a USGS world total of mine production, oldest first: the years
/// [`usgs_mining_shares`] can compute, named when another year is asked for.
pub fn usgs_years(rows: &[ProductionRow]) -> Vec<i32> {
    let mut years: Vec<i32> = rows
        .iter()
        .filter(|r| is_usgs_mine_row(r) && r.country_iso3 == "WLD")
        .map(|r| r.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// `[2019, 2022, 2023, 2024]` → "2019, 2022-2024": runs of consecutive years as ranges.
pub fn year_list(years: &[i32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < years.len() {
        let mut j = i;
        while j + 1 < years.len() && years[j + 1] == years[j] + 1 {
            j += 1;
        }
        parts.push(if j == i {
            years[i].to_string()
        } else {
            format!("{}-{}", years[i], years[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// USGS editions holding a world total of mine production for `year`, oldest first.
pub fn usgs_editions(rows: &[ProductionRow], year: i32) -> Vec<String> {
    let mut eds: Vec<String> = rows
        .iter()
        .filter(|r| is_usgs_mine_row(r) && r.year == year && r.country_iso3 == "WLD")
        .map(|r| r.edition.clone())
        .collect();
    eds.sort_by_key(|e| edition_number(e));
    eds.dedup();
    eds
}

/// Mining shares of the USGS world total for `year` (latest year with a USGS world total
/// when none) from `edition` (latest edition holding the year when none).
pub fn usgs_mining_shares(
    rows: &[ProductionRow],
    year: Option<i32>,
    edition: Option<&str>,
) -> Result<StageShares, NotComputable> {
    let year = match year {
        Some(y) => y,
        None => latest_usgs_year(rows, None).ok_or_else(|| {
            NotComputable::needs(["USGS mine production rows with a world total"])
        })?,
    };
    let editions = usgs_editions(rows, year);
    let chosen = match edition {
        Some(e) => e.to_ascii_uppercase(),
        // The years on offer come from the data, not from a fixed range (which went stale
        // when older editions were added: 2019 was computable while it said 2022-2025).
        None => editions.last().cloned().ok_or_else(|| {
            let years = usgs_years(rows);
            let have = if years.is_empty() {
                "the warehouse has none".to_string()
            } else {
                format!("the warehouse has {}", year_list(&years))
            };
            NotComputable::needs([format!(
                "USGS mine production with a world total for {year} ({have})"
            )])
        })?,
    };
    let in_edition: Vec<&ProductionRow> = rows
        .iter()
        .filter(|r| is_usgs_mine_row(r) && r.year == year && r.edition == chosen)
        .collect();
    let total = in_edition
        .iter()
        .find(|r| r.country_iso3 == "WLD")
        .and_then(|r| r.value)
        .ok_or_else(|| NotComputable::needs([format!("a USGS {chosen} world total for {year}")]))?;
    let quantities: Vec<(String, f64)> = in_edition
        .iter()
        .filter(|r| r.country_iso3 != "WLD")
        .filter_map(|r| {
            r.value
                .filter(|v| *v > 0.0)
                .map(|v| (r.country_iso3.clone(), v))
        })
        .collect();
    if quantities.is_empty() {
        return Err(NotComputable::needs([format!(
            "USGS {chosen} country rows of mine production for {year}"
        )]));
    }
    let source = in_edition
        .first()
        .map(|r| r.source.clone())
        .unwrap_or_default();
    let (lines, conc) = quantity_shares(&quantities, total, year, &source, Some(&chosen))?;
    let countries_sum: f64 = quantities.iter().map(|(_, q)| q).sum();
    let mut notes = vec![format!(
        "shares of the USGS rounded world total {total} t REO; the listed countries sum to \
         {countries_sum} t"
    )];
    // An edition naming only some producers (MCS2020 for 2019: the USA alone) leaves most
    // of the world total unattributed: the HHI and CR1 must say they are bounds, as they
    // do for reported shares.
    notes.extend(conc.lower_bound_note("the source names", "the world total"));
    notes.extend(conc.cr1_note());
    if conc.shares_sum > 1.0 {
        notes.push(format!(
            "the country figures sum to {:.1} % of the world total: USGS rounds each country \
             and the total separately, so the whole market counts as attributed (`coverage` \
             1.0 in JSON, the raw sum in `shares_sum`) and the shares slightly overstate each \
             country",
            100.0 * conc.shares_sum
        ));
    }
    if quantities.iter().any(|(c, _)| c == "OTH") {
        notes.push(
            "USGS 'Other countries' (OTH) counts as one supplier, which slightly overstates the HHI"
                .into(),
        );
    }
    // Each Mineral Commodity Summaries edition gives its last year as estimates ("e"), which
    // the next edition revises: a share quoted from them is an estimate (analyst review).
    if edition_number(&chosen).and_then(|e| i32::try_from(e).ok()) == Some(year + 1) {
        notes.push(format!(
            "{year} figures are USGS estimates: {chosen} gives its latest year as estimated, and \
             the next edition revises them"
        ));
    }
    let other_editions: Vec<String> = editions.into_iter().filter(|e| *e != chosen).collect();
    if !other_editions.is_empty() {
        notes.push(format!(
            "USGS revised {year} between editions; also in {} (use --edition)",
            other_editions.join(", ")
        ));
    }
    Ok(StageShares {
        stage: Stage::Mining,
        year,
        source: ShareSource::Usgs,
        edition: Some(chosen),
        other_editions,
        shares: lines,
        concentration: conc,
        total_t: Some(total),
        countries_sum_t: Some(countries_sum),
        group_figures: Vec::new(),
        other_reports: Vec::new(),
        notes,
    })
}

/// True when `source` cites the IEA itself (directly or quoted by a named outlet), not a
/// third-party compilation that only attributes its table to the IEA.
pub fn is_iea_source(source: &str) -> bool {
    source.contains("IEA") && !source.contains("attributes IEA")
}

/// Whether a citation is a figure quoted by another outlet ("as summarised by", "as reported
/// by", "via", a compilation), not read from the source's own publication: an `iea` figure
/// so cited is the IEA's as quoted (policy review: "iea" overstated where 94 % came from).
pub fn is_quoted(citation: &str) -> bool {
    let c = citation.to_ascii_lowercase();
    [
        "as summarised by",
        "as summarized by",
        "as reported by",
        "as cited by",
        " via ",
        "secondary",
    ]
    .iter()
    .any(|m| c.contains(m))
}

/// Figures for part of a stage (`separation_refining_heavy_REE`: China's 99 % of heavy
/// rare-earth separation), named beside its shares, never mixed in: a Dy/Tb buyer saw only
/// the 92 % of all rare earths, though the warehouse held the narrower figure (procurement
/// review).
fn narrower_figures(rows: &[StageShareRow], stage: Stage) -> Vec<String> {
    let labels = stage_labels(stage);
    rows.iter()
        .filter(|r| !r.is_derived)
        .filter_map(|r| {
            let part = labels
                .iter()
                .find_map(|l| r.stage.strip_prefix(l)?.strip_prefix('_'))?;
            Some(format!(
                "{part} only ({}): {} {:.0} % in {} ({}), a narrower figure than the stage's \
                 shares above",
                r.stage,
                r.country_iso3,
                100.0 * r.share,
                r.year,
                r.source
            ))
        })
        .collect()
}

fn reported_rows<'a>(
    rows: &'a [StageShareRow],
    stage: Stage,
) -> impl Iterator<Item = &'a StageShareRow> + 'a {
    let labels = stage_labels(stage);
    rows.iter()
        .filter(move |r| !r.is_derived && labels.contains(&r.stage.as_str()))
}

fn line(r: &StageShareRow) -> ShareLine {
    ShareLine {
        country_iso3: r.country_iso3.clone(),
        share: r.share,
        quantity_t: None,
        year: r.year,
        source: r.source.clone(),
        edition: None,
        year_basis: Some(r.year_basis.clone()),
    }
}

/// Share lines (largest first) and concentration from quantities and their total.
fn quantity_shares(
    quantities: &[(String, f64)],
    total: f64,
    year: i32,
    source: &str,
    edition: Option<&str>,
) -> Result<(Vec<ShareLine>, Concentration), NotComputable> {
    let as_needs = |e: super::concentration::ShareError| NotComputable::needs([e.to_string()]);
    let shares = shares_of_total(quantities, total).map_err(as_needs)?;
    let conc = concentration(&shares).map_err(as_needs)?;
    let mut lines: Vec<ShareLine> = shares
        .iter()
        .zip(quantities)
        .map(|(s, (_, q))| ShareLine {
            country_iso3: s.country.clone(),
            share: s.share,
            quantity_t: Some(*q),
            year,
            source: source.to_string(),
            edition: edition.map(str::to_string),
            year_basis: Some("data_year".into()),
        })
        .collect();
    sort_lines(&mut lines);
    Ok((lines, conc))
}

fn sort_lines(lines: &mut [ShareLine]) {
    lines.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.country_iso3.cmp(&b.country_iso3))
    });
}

/// Shares reported for `stage` by the IEA (`iea_only`) or by any source.
///
/// Without a year, the latest year with a figure tied to its data year is used, else the
/// latest publication year (projections only when asked for by year). Where one source
/// gives several figures for a country and year, a data-year figure wins over a
/// publication-year one, then the first in the table; the rest are listed in
/// `other_reports`, with every other source's figures for the same stage and year.
pub fn reported_shares(
    rows: &[StageShareRow],
    stage: Stage,
    year: Option<i32>,
    iea_only: bool,
) -> Result<StageShares, NotComputable> {
    let from_publisher = |r: &&StageShareRow| !iea_only || is_iea_source(&r.source);
    let who = if iea_only {
        "the IEA"
    } else {
        "a named source"
    };
    if stage_labels(stage).is_empty() {
        return Err(NotComputable::needs([format!(
            "{stage} stage shares: no sourced country breakdown in the bundled data (SOURCES.md \
             gap 5); ingest trade data and ask for shares from trade (`shares --source trade`, \
             or `source=trade` over the API)"
        )]));
    }
    let year = match year {
        Some(y) => y,
        None => {
            let candidates: Vec<&StageShareRow> = reported_rows(rows, stage)
                .filter(from_publisher)
                .filter(|r| r.year_basis != "projection_base_case")
                .collect();
            candidates
                .iter()
                .filter(|r| r.year_basis == "data_year")
                .map(|r| r.year)
                .max()
                .or_else(|| candidates.iter().map(|r| r.year).max())
                .ok_or_else(|| {
                    NotComputable::needs([format!("{stage} shares reported by {who}")])
                })?
        }
    };
    let mut in_year: Vec<&StageShareRow> = reported_rows(rows, stage)
        .filter(|r| r.year == year)
        .collect();
    // Data-year figures first (they are about the year asked), then the IEA's own figures
    // before other named sources; the sort is stable, so file order breaks ties.
    in_year.sort_by_key(|r| (r.year_basis != "data_year", !is_iea_source(&r.source)));
    let mut chosen: Vec<&StageShareRow> = Vec::new();
    let mut groups: Vec<ShareLine> = Vec::new();
    let mut others: Vec<ShareLine> = Vec::new();
    for r in &in_year {
        let eligible = from_publisher(r);
        if eligible && is_group_code(&r.country_iso3) {
            groups.push(line(r));
        } else if eligible
            && !chosen.iter().any(|c| c.country_iso3 == r.country_iso3)
            && chosen
                .first()
                .is_none_or(|c| c.source == r.source || c.year_basis == r.year_basis)
        {
            chosen.push(r);
        } else {
            others.push(line(r));
        }
    }
    if chosen.is_empty() {
        return Err(NotComputable::needs([format!(
            "{stage} shares for {year} reported by {who}"
        )]));
    }
    let shares: Vec<SupplierShare> = chosen
        .iter()
        .map(|r| SupplierShare::new(r.country_iso3.clone(), r.share))
        .collect();
    let conc = concentration(&shares).map_err(|e| NotComputable::needs([e.to_string()]))?;
    let mut lines: Vec<ShareLine> = chosen.iter().map(|r| line(r)).collect();
    sort_lines(&mut lines);
    let mut notes = Vec::new();
    notes.extend(conc.lower_bound_note("the source names", "the market"));
    notes.extend(conc.cr1_note());
    if chosen.iter().any(|r| r.year_basis == "publication_year") {
        notes.push("publication-year figure: the source does not tie it to a data year".into());
    }
    if chosen
        .iter()
        .any(|r| r.year_basis == "projection_base_case")
    {
        notes.push("projection (IEA base case), not an observation".into());
    }
    notes.extend(narrower_figures(rows, stage));
    Ok(StageShares {
        stage,
        year,
        source: if iea_only {
            ShareSource::Iea
        } else {
            ShareSource::Reported
        },
        edition: None,
        other_editions: Vec::new(),
        shares: lines,
        concentration: conc,
        total_t: None,
        countries_sum_t: None,
        group_figures: groups,
        other_reports: others,
        notes,
    })
}

/// Every figure sources report for `stage` and `year` (not derived from USGS rows), for
/// showing next to computed shares.
pub fn reports_for(rows: &[StageShareRow], stage: Stage, year: i32) -> Vec<ShareLine> {
    reported_rows(rows, stage)
        .filter(|r| r.year == year)
        .map(line)
        .collect()
}

/// Shares of exports by exporter from trade totals `(exporter, tonnes)`.
pub fn trade_shares(
    stage: Stage,
    year: i32,
    exporters: &[(String, f64)],
    source: &str,
) -> Result<StageShares, NotComputable> {
    let quantities: Vec<(String, f64)> = exporters
        .iter()
        .filter(|(_, q)| q.is_finite() && *q > 0.0)
        .cloned()
        .collect();
    let total: f64 = quantities.iter().map(|(_, q)| q).sum();
    if quantities.is_empty() {
        return Err(NotComputable::needs([format!(
            "export rows for {stage} products in {year} in the trade table"
        )]));
    }
    let (lines, conc) = quantity_shares(&quantities, total, year, source, None)?;
    let mut notes = vec![
        "shares of exports among the exporters present in the trade table, not of world \
         production"
            .to_string(),
    ];
    if quantities.len() == 1 {
        notes.push(format!(
            "only one exporter ({}) reports these products: its share is 100 % by construction; \
             ingest BACI or Comtrade data for the other exporters",
            quantities[0].0
        ));
    }
    Ok(StageShares {
        stage,
        year,
        source: ShareSource::Trade,
        edition: None,
        other_editions: Vec::new(),
        shares: lines,
        concentration: conc,
        total_t: Some(total),
        countries_sum_t: Some(total),
        group_figures: Vec::new(),
        other_reports: Vec::new(),
        notes,
    })
}

#[cfg(test)]
mod tests;
