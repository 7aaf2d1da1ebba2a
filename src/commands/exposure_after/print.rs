//! The post-shock report as a table (CSV) or JSON.

use chokepoint_server::after::{AfterReport, Band};
use chokepoint_store::indicators::exposure::{
    CRMA_MAX_SINGLE_COUNTRY_SHARE, CrmaVerdict, ShareBound,
};

use super::figures::shortage;
use crate::output::{Cell, Format, Table, print_json};

/// Prints the post-shock report: its figures, the sensitivity rows (named
/// `measure@assumption=value`, so that a script keyed on the measure reads the main row
/// only), then the notes.
pub fn print(r: &AfterReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(r)?;
        return Ok(());
    }
    let mut t = Table::new([
        "measure",
        "region",
        "before",
        "after_p5",
        "after_p50",
        "after_p95",
        "unit",
        "note",
    ]);
    // One supplier in the chain: the region's other origins are not in it, so its share of
    // consumption is an upper bound, and above the benchmark proves nothing (the static
    // `exposure` says INCONCLUSIVE on the same grounds).
    let bound = ShareBound::of(
        r.figures
            .iter()
            .any(|b| b.measure == "supplier_hhi" && b.before >= 9_999.5),
        false,
    );
    for b in &r.figures {
        let note = if let Some(verdicts) = crma_note(b, bound, &r.figures) {
            Cell::from(verdicts)
        } else if b.measure == "supplier_hhi" && b.before >= 9_999.5 {
            // One known supplier: 10000 is what coverage allows, not a measurement.
            Cell::from("only one supplier's flows are known: not measurable, upper bound")
        } else {
            Cell::Null
        };
        t.push(row(b.measure.clone(), b, note));
    }
    for s in &r.sensitivity {
        for b in &s.figures {
            let what = format!(
                "if {} were {:.2} (the rows above: {:.2})",
                s.assumption, s.value, s.central
            );
            let note = match crma_note(b, bound, &s.figures) {
                Some(verdicts) => Cell::Long(format!("{what}: {verdicts}")),
                None => Cell::from(what),
            };
            let measure = format!("{}@{}={:.2}", b.measure, s.assumption, s.value);
            t.push(row(measure, b, note));
        }
    }
    for n in &r.notes {
        t.push(vec![
            "note".into(),
            "".into(),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            "".into(),
            Cell::Long(n.to_string()),
        ]);
    }
    t.print(format)?;
    Ok(())
}

/// One figure's row.
fn row(measure: String, b: &Band, note: Cell) -> Vec<Cell> {
    let decimals = if b.unit == "%" { 2 } else { 0 };
    vec![
        measure.into(),
        b.region.clone().unwrap_or_default().into(),
        Cell::float(b.before, decimals),
        Cell::float(b.after_p5, decimals),
        Cell::float(b.after_p50, decimals),
        Cell::float(b.after_p95, decimals),
        b.unit.as_str().into(),
        note,
    ]
}

/// The CRMA verdicts of a `crma_top_third_country_share` band (before, and p50, p5 and p95
/// after), a PASS after a shortage in `bands` qualified as one; `None` for other bands
/// and when nothing was consumed after.
fn crma_note(b: &Band, bound: ShareBound, bands: &[Band]) -> Option<String> {
    if b.measure != "crma_top_third_country_share" || !b.after_p50.is_finite() {
        return None;
    }
    let benchmark = 100.0 * CRMA_MAX_SINGLE_COUNTRY_SHARE;
    let verdict = |v: f64| match bound.verdict(v, benchmark) {
        // No consumption, no share of it (the value cell is empty too).
        _ if !v.is_finite() => "not computable (no consumption)".to_string(),
        CrmaVerdict::Inconclusive => "INCONCLUSIVE (upper bound)".to_string(),
        decided => decided.word().to_string(),
    };
    // A PASS after a shortage is the shortage speaking, and says so.
    let after = |v: f64| match (bound.verdict(v, benchmark), shortage(bands)) {
        (CrmaVerdict::Pass, Some(fall)) => format!(
            "PASS while short of supply (consumption -{:.1} %)",
            100.0 * fall
        ),
        _ => verdict(v),
    };
    Some(format!(
        "before {}, after p50 {} ({:+.1} pp vs the 65 % benchmark), p5 {}, p95 {}",
        verdict(b.before),
        after(b.after_p50),
        b.after_p50 - benchmark,
        // The shortage is measured at the median, and qualifies a PASS in the tails as
        // well: a lower share there is the same shortage.
        after(b.after_p5),
        after(b.after_p95)
    ))
}
