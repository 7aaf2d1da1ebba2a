//! The importer's own figures: its rows (the EU's aggregate or its members'), quantities
//! per supplier, total imports and exports, domestic production.

use std::collections::BTreeMap;

use chokepoint_model::Stage;

use super::Facts;
use crate::indicators::exposure::{
    AnnualQuantity, EU_MEMBERS, Importer, TradeFact, annual_quantities,
    annual_quantities_over_edges,
};
use crate::indicators::shares::edition_number;

/// The importer's own rows of `flow` in `year`: its reporting codes' rows; for the EU, the
/// bloc's own aggregate (`EUU` as reporter, extra-EU trade) alone when it reports, else the
/// member states'.
pub(super) fn own_rows<'a>(
    importer: &Importer,
    facts: &'a [TradeFact],
    year: i32,
    flow: &str,
) -> Vec<&'a TradeFact> {
    let codes = importer.codes();
    let rows: Vec<&TradeFact> = facts
        .iter()
        .filter(|f| f.year == year && f.flow == flow && codes.contains(&f.reporter))
        .collect();
    if *importer == Importer::Eu && rows.iter().any(|f| f.reporter == "EUU") {
        return rows.into_iter().filter(|f| f.reporter == "EUU").collect();
    }
    rows
}

/// Quantities per partner of the importer's imports in a year: its own import statistics
/// (`basis` "importer") else partners' exports to it ("mirror"), with notes on what the
/// figures stand for.
pub(super) struct PartnerQuantities {
    /// `importer` or `mirror`.
    pub(super) basis: String,
    /// Tonnes per supplier.
    pub(super) quantities: BTreeMap<String, AnnualQuantity>,
    /// Where a bloc's mirror figure is partly its member states' rows.
    pub(super) notes: Vec<String>,
}

/// Quantities per partner for the importer's own imports, else for partners' exports to it.
pub(super) fn by_partner(
    importer: &Importer,
    facts: &[TradeFact],
    year: i32,
) -> Option<PartnerQuantities> {
    let codes = importer.codes();
    // Keyed by supplier, per reporting member state (each picks its own periods).
    let own: Vec<((String, String), &TradeFact)> = own_rows(importer, facts, year, "import")
        .into_iter()
        .map(|f| ((f.partner.clone(), f.reporter.clone()), f))
        .collect();
    if !own.is_empty() {
        return Some(PartnerQuantities {
            basis: "importer".into(),
            quantities: annual_quantities_over_edges(&own),
            notes: Vec::new(),
        });
    }
    let mirror: Vec<&TradeFact> = facts
        .iter()
        .filter(|f| f.year == year && f.flow == "export" && codes.contains(&f.partner))
        .collect();
    let (kept, notes) = bloc_or_members(importer, &mirror);
    let keyed: Vec<((String, String), &TradeFact)> = kept
        .iter()
        .map(|f| ((f.reporter.clone(), f.partner.clone()), *f))
        .collect();
    (!keyed.is_empty()).then(|| PartnerQuantities {
        basis: "mirror".into(),
        quantities: annual_quantities_over_edges(&keyed),
        notes,
    })
}

/// An exporter's rows to the EU: its rows for the bloc (`EUU`) where it reports one, and
/// its rows for member states in the months its bloc rows leave uncovered (China reports
/// the EU as a whole for some months and Germany alone for others). Adding both for the
/// same months would count the member's trade twice; dropping the members' rows for the
/// whole year, as before, lost China's September shipments to Germany (1,288 t of 2025).
/// Member-state rows stand for the EU only in part, so each exporter that has them gets a
/// note naming the months and members: its figure is a lower bound there.
fn bloc_or_members<'a>(
    importer: &Importer,
    mirror: &[&'a TradeFact],
) -> (Vec<&'a TradeFact>, Vec<String>) {
    if *importer != Importer::Eu {
        return (mirror.to_vec(), Vec::new());
    }
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    let mut exporters: Vec<&str> = mirror.iter().map(|f| f.reporter.as_str()).collect();
    exporters.sort_unstable();
    exporters.dedup();
    for exporter in exporters {
        let rows = || mirror.iter().copied().filter(|f| f.reporter == exporter);
        let bloc: Vec<(&str, &TradeFact)> = rows()
            .filter(|f| f.partner == "EUU")
            .map(|f| ("EUU", f))
            .collect();
        let bloc_months: Vec<u32> = annual_quantities(&bloc)
            .into_values()
            .flat_map(|q| q.months)
            .collect();
        kept.extend(bloc.iter().map(|(_, f)| *f));
        // Each member row by how many of its months the bloc's rows cover: none, it stands
        // for the EU there; all, the bloc's figure holds it; some, it cannot be split and
        // goes, with the months only it covered, which a note says.
        let mut members: Vec<&TradeFact> = Vec::new();
        for f in rows().filter(|f| f.partner != "EUU") {
            let Some((first, last)) = f.span() else {
                continue;
            };
            let inside = (first..=last).filter(|m| bloc_months.contains(m)).count();
            if inside == 0 {
                members.push(f);
            } else if inside < (first..=last).count() {
                notes.push(format!(
                    "{exporter}'s row for {} over {} is left out: it overlaps months of its EU \
                     total and cannot be split, so its months outside them are not counted",
                    f.partner, f.period
                ));
            }
        }
        if members.is_empty() {
            continue;
        }
        let keyed: Vec<(&str, &TradeFact)> = members.iter().map(|f| ("", *f)).collect();
        let months = annual_quantities(&keyed)
            .into_values()
            .next()
            .map(|q| q.months_text())
            .unwrap_or_default();
        let mut names: Vec<&str> = members.iter().map(|f| f.partner.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        notes.push(format!(
            "{exporter}'s exports to the EU{} are its rows for {} of the {} member states ({}), \
             where it reports no EU total: a lower bound of its exports to the EU in those months",
            if bloc.is_empty() {
                String::new()
            } else {
                format!(" in {months}")
            },
            names.len(),
            EU_MEMBERS.len(),
            names.join(", ")
        ));
        kept.extend(members);
    }
    (kept, notes)
}

/// The importer's total `flow` in a year from its own statistics, and what to say about it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ImporterTotal {
    /// Tonnes.
    pub(super) total_t: f64,
    /// How the total was put together, when that is not just one reported world row.
    pub(super) notes: Vec<String>,
    /// The calendar months (1–12) its rows cover, ascending.
    pub(super) months: Vec<u32>,
}

/// The importer's total `flow` in `year`, per reporting code: its world row less its trade
/// with the importer's other codes (trade between EU members is not trade of the bloc),
/// never below the sum of its third-country partners; without a world row, that sum. The
/// codes' totals are added (a member state reporting no world row still counts).
pub(super) fn importer_total(
    importer: &Importer,
    facts: &[TradeFact],
    year: i32,
    flow: &str,
) -> Option<ImporterTotal> {
    let rows = own_rows(importer, facts, year, flow);
    if rows.is_empty() {
        return None;
    }
    let keyed: Vec<((String, String), &TradeFact)> = rows
        .iter()
        .map(|f| ((f.reporter.clone(), f.partner.clone()), *f))
        .collect();
    let annual = annual_quantities(&keyed);
    let mut months: Vec<u32> = annual.values().flat_map(|q| q.months.clone()).collect();
    months.sort_unstable();
    months.dedup();
    let mut reporters: BTreeMap<&str, (Option<f64>, f64, f64)> = BTreeMap::new();
    for ((reporter, partner), q) in &annual {
        let entry = reporters.entry(reporter.as_str()).or_default();
        if partner == "WLD" {
            entry.0 = Some(q.quantity_t);
        } else if partner == reporter {
            // Re-imports from itself: neither a third country nor another member.
        } else if importer.is_third_country(partner) {
            // Group codes (`OTH`, `ROW`) are imports too, from origins not named.
            entry.1 += q.quantity_t;
        } else {
            entry.2 += q.quantity_t;
        }
    }
    let mut notes = Vec::new();
    let mut total = 0.0;
    let mut intra_total = 0.0;
    for (reporter, (world, third, intra)) in &reporters {
        total += match world {
            Some(w) if w - intra >= *third => w - intra,
            Some(w) => {
                notes.push(format!(
                    "{reporter}'s world {flow}s ({w:.1} t{}) are below the sum of its partners ({third:.1} t): the partners' sum is used",
                    if *intra > 0.0 {
                        format!(" less {intra:.1} t with other EU members")
                    } else {
                        String::new()
                    }
                ));
                *third
            }
            None => *third,
        };
        intra_total += intra;
    }
    if *importer == Importer::Eu && !reporters.contains_key("EUU") {
        let members = reporters.len();
        // One member's file stood in for the whole EU without a word of coverage (the
        // review's German import file: 5,290 t of "EU" imports beside the 10,500 t China
        // reports shipping to the EU).
        let coverage = if members < EU_MEMBERS.len() {
            format!(
                "; only {members} of the {} member states report, so this is their total, a \
                 lower bound of the EU's: ingest the other members' {flow}s, or compare the \
                 exporters' own figures for the EU",
                EU_MEMBERS.len()
            )
        } else {
            String::new()
        };
        notes.push(format!(
            "EU {flow}s are the sum of the member states that report them ({}){}{coverage}",
            reporters.keys().copied().collect::<Vec<_>>().join(", "),
            if intra_total > 0.0 {
                format!(", less {intra_total:.1} t of trade between members")
            } else {
                String::new()
            }
        ));
    }
    Some(ImporterTotal {
        total_t: total,
        notes,
        months,
    })
}

pub(super) fn domestic_production(
    facts: &Facts,
    importer: &Importer,
    stage: Stage,
    year: i32,
) -> Option<f64> {
    let codes = importer.codes();
    let metric_ok = |m: &str| match stage {
        Stage::Mining => m == "mine_production",
        Stage::Separation => m == "production_compounds_and_metals",
        _ => false,
    };
    let rows: Vec<_> = facts
        .production
        .iter()
        .filter(|r| r.year == year && codes.contains(&r.country_iso3) && metric_ok(&r.metric))
        .filter(|r| r.source_type == "primary" && edition_number(&r.edition).is_some())
        .collect();
    let latest = rows
        .iter()
        .filter_map(|r| edition_number(&r.edition))
        .max()?;
    let sum: f64 = rows
        .iter()
        .filter(|r| edition_number(&r.edition) == Some(latest))
        .filter_map(|r| r.value)
        .sum();
    Some(sum)
}
