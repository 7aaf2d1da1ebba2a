//! The post-shock report as a table (CSV) or JSON.

use crate::output::{Cell, Format, Table, print_json};
use chokepoint_server::after::{AfterReport, Band};

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
    for b in &r.figures {
        let note = if let Some(crma) = r.crma.as_ref().filter(|_| is_crma(b)) {
            Cell::from(crma.text.as_str())
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
            let note = match s.crma.as_ref().filter(|_| is_crma(b)) {
                Some(crma) => Cell::Long(format!("{what}: {}", crma.text)),
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

/// The row the CRMA verdicts are noted on.
fn is_crma(b: &Band) -> bool {
    b.measure == "crma_top_third_country_share"
}
