//! Notes on what an exposure report's annual figures leave out or set side by side: rows
//! over a period across a year end, rows with a value but no tonnes, exporters the
//! importer's statistics do not list, suppliers covering fewer months than others.

use super::Suppliers;
use crate::indicators::exposure::{Importer, TradeFact, annual_quantities};

/// A note naming exporters that report shipments to the importer which its own import
/// statistics do not list as a partner: those tonnes are in its unattributed imports (or
/// missing from them), not in the supplier shares.
pub(super) fn unnamed_reporters_note(
    importer: &Importer,
    facts: &[TradeFact],
    year: i32,
    sup: &Suppliers,
) -> Option<String> {
    if sup.basis != "importer" {
        return None;
    }
    let codes = importer.codes();
    let mirror: Vec<(String, &TradeFact)> = facts
        .iter()
        .filter(|f| f.year == year && f.flow == "export" && codes.contains(&f.partner))
        .filter(|f| importer.is_third_country(&f.reporter))
        .map(|f| (f.reporter.clone(), f))
        .collect();
    let unnamed: Vec<String> = annual_quantities(&mirror)
        .into_iter()
        .filter(|(reporter, q)| {
            q.quantity_t > 0.0 && !sup.suppliers.iter().any(|s| s.country_iso3 == *reporter)
        })
        .map(|(reporter, q)| format!("{reporter} {:.1} t ({})", q.quantity_t, q.months_text()))
        .collect();
    (!unnamed.is_empty()).then(|| {
        format!(
            "exporters report shipments to {} in {year} that its own import statistics do not \
             list: {}; they are not in the supplier shares",
            importer.label(),
            unnamed.join(", ")
        )
    })
}

/// The importer's rows (its imports and exports, partners' exports to it) in `year`.
fn touching<'a>(
    importer: &'a Importer,
    facts: &'a [TradeFact],
    year: i32,
) -> impl Iterator<Item = &'a TradeFact> + 'a {
    let codes = importer.codes();
    facts.iter().filter(move |f| {
        f.first_year <= year
            && year <= f.year
            && (codes.contains(&f.reporter) || (f.flow == "export" && codes.contains(&f.partner)))
    })
}

/// A note naming rows over a period across a year end: no one year can take them whole
/// (splitting them would invent a monthly profile), so they are in no annual figure.
pub(super) fn cross_year_note(
    importer: &Importer,
    facts: &[TradeFact],
    year: i32,
) -> Option<String> {
    let rows: Vec<String> = touching(importer, facts, year)
        .filter(|f| f.first_year != f.year)
        .map(|f| {
            format!(
                "{} {} {} {} {:.1} t",
                f.reporter, f.flow, f.partner, f.period, f.quantity_t
            )
        })
        .collect();
    (!rows.is_empty()).then(|| {
        format!(
            "rows over a period across a year end are in no annual figure (they cannot be split \
             without inventing months): {}",
            rows.join("; ")
        )
    })
}

/// A note naming rows with a value but no tonnes: the shares, totals and checks are in
/// tonnes, so they leave them out.
pub(super) fn value_only_note(
    importer: &Importer,
    value_only: &[TradeFact],
    year: i32,
) -> Option<String> {
    let mut rows: Vec<String> = touching(importer, value_only, year)
        .filter(|f| f.year == year)
        .map(|f| format!("{} {} {} {}", f.reporter, f.flow, f.partner, f.period))
        .collect();
    rows.dedup();
    (!rows.is_empty()).then(|| {
        format!(
            "rows with a value but no tonnes are left out of the figures (all in tonnes): {}",
            rows.join("; ")
        )
    })
}

/// A note when suppliers' figures cover different parts of `year`: the annual shares, totals
/// and the CRMA check then set a few months of one supplier against a year of another.
pub(super) fn partial_year_note(sup: &Suppliers, year: i32) -> Option<String> {
    let coverage: Vec<u32> = sup.suppliers.iter().map(|s| s.months_covered).collect();
    let all_full = coverage.iter().all(|m| *m >= 12);
    let all_same = coverage.windows(2).all(|w| w[0] == w[1]);
    if all_full || all_same {
        return None;
    }
    let partial: Vec<String> = sup
        .suppliers
        .iter()
        .filter(|s| s.months_covered < 12)
        .map(|s| {
            format!(
                "{} {} ({} of 12 months)",
                s.country_iso3, s.months, s.months_covered
            )
        })
        .collect();
    Some(format!(
        "{year} is incomplete for {}, beside suppliers with more months: shares, totals and \
         the CRMA check compare unequal periods",
        partial.join(", ")
    ))
}
