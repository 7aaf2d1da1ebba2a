//! `chokepoint exposure`: an importer's supplier shares and their HHI, import reliance, and
//! the EU CRMA check per stage, for one product.

use std::path::Path;

use chokepoint_server::after::ExposureTarget;
use chokepoint_store::StoreError;
use chokepoint_store::indicators::Figure;
pub use chokepoint_store::indicators::report::exposure::stage_of_product;
use chokepoint_store::indicators::report::exposure::{
    ExposureReport, exposure_report, parse_chain_importer, parse_importer,
};

use super::shares::crma_text;
use super::{exposure_after, facts};
use crate::cli::ExposureArgs;
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// Runs `chokepoint exposure`.
pub fn run(data_dir: Option<&Path>, args: &ExposureArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.after {
        let importer = parse_chain_importer(&args.importer).map_err(StoreError::from)?;
        let stage = stage_of_product(&args.product).ok_or_else(|| {
            UserError(format!(
                "--after needs a product of a chain stage (mining, separation, metal, magnets \
                 or their HS codes); {:?} is none",
                args.product
            ))
        })?;
        let target = ExposureTarget { importer, stage };
        let run = exposure_after::prepare(
            path,
            &target,
            args.runs.unwrap_or(exposure_after::RUNS),
            args.seed.unwrap_or(exposure_after::SEED),
            data_dir,
        )?;
        return exposure_after::print(&exposure_after::compute(&run)?, args.format);
    }
    let importer = parse_importer(&args.importer).map_err(StoreError::from)?;
    let loaded = facts::load(data_dir)?;
    let report = loaded.block_on(exposure_report(
        &loaded.facts,
        &importer,
        &args.product,
        args.year,
    ))?;
    print(&report, args.format)
}

fn print(r: &ExposureReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(&r.to_json()?)?;
        return Ok(());
    }
    let mut t = Table::new([
        "measure",
        "stage",
        "country_iso3",
        "value",
        "unit",
        "quantity_t",
        "basis",
        "note",
    ]);
    let stage = r.stage.map(|s| s.as_str()).unwrap_or("");
    let row = |m: &str, st: &str, c: &str, v: Cell, u: &str, q: Option<f64>, b: &str, n: String| {
        vec![
            m.into(),
            st.into(),
            c.into(),
            v,
            u.into(),
            Cell::opt_float(q, 1),
            Cell::Long(b.to_string()),
            n.into(),
        ]
    };
    let year = r.year.map(|y| y.to_string()).unwrap_or_default();
    match &r.suppliers {
        Ok(s) => {
            for x in &s.suppliers {
                t.push(row(
                    "supplier_share",
                    stage,
                    &x.country_iso3,
                    Cell::float(100.0 * x.share, 2),
                    "%",
                    Some(x.quantity_t),
                    &format!("{} {} {year}", s.basis, r.product),
                    format!(
                        "{} of 12 months{}{}",
                        x.months_covered,
                        if x.months.is_empty() || x.months_covered == 12 {
                            String::new()
                        } else {
                            format!(" ({})", x.months)
                        },
                        if x.includes_derived {
                            "; includes figures the dataset derived from growth rates"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            t.push(row(
                "supplier_hhi",
                stage,
                "",
                Cell::float(s.hhi, 0),
                "0-10000",
                None,
                &s.basis,
                s.caveat.clone().unwrap_or_default(),
            ));
        }
        Err(nc) => t.push(row(
            "supplier_share",
            stage,
            "",
            Cell::Null,
            "",
            None,
            &r.product,
            nc.to_string(),
        )),
    }
    let inputs = &r.reliance_inputs;
    for (name, v) in [
        ("production", inputs.production),
        ("imports", inputs.imports),
        ("exports", inputs.exports),
    ] {
        t.push(row(
            &format!("reliance_input_{name}"),
            stage,
            &r.importer,
            Cell::opt_float(v, 1),
            "t",
            None,
            if name == "production" {
                "production table"
            } else {
                "trade table"
            },
            if v.is_none() {
                "missing".into()
            } else {
                String::new()
            },
        ));
    }
    t.push(row(
        "import_reliance",
        stage,
        &r.importer,
        r.import_reliance
            .value()
            .map_or(Cell::Null, |v| Cell::float(100.0 * v, 1)),
        "%",
        None,
        "net imports / apparent consumption",
        match &r.import_reliance {
            Figure::Value(_) => String::new(),
            Figure::NotComputable { not_computable } => not_computable.clone(),
        },
    ));
    for c in &r.crma {
        let (country, value, note) = match (&c.check, &c.not_computable) {
            (Some(ch), _) => (
                ch.country.as_str(),
                Cell::float(100.0 * ch.share, 2),
                crma_text(ch),
            ),
            (None, nc) => ("", Cell::Null, nc.clone().unwrap_or_default()),
        };
        t.push(row(
            "crma_check",
            c.stage.as_str(),
            country,
            value,
            "%",
            None,
            &c.basis,
            note,
        ));
    }
    for n in &r.notes {
        t.push(row("note", stage, "", Cell::Null, "", None, "", n.clone()));
    }
    t.print(format)?;
    Ok(())
}
