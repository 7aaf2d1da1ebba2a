//! `chokepoint demo`: the seed story on the bundled data. Grows with each capability:
//! each part is a self-contained `*_section` function writing to the demo's output.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use chokepoint_model::{Flow, Frequency, Iso3, YearMonth};
use chokepoint_store::indicators::FlowQuery;
use chokepoint_store::indicators::anomalies::{AnomalyQuery, DEFAULT_THRESHOLD_PCT, anomalies};
use chokepoint_store::indicators::trends::{TrendQuery, trend_report};

use crate::cli::DemoArgs;
use crate::output::Format;

/// Runs the demo.
pub fn run(data_dir: Option<&Path>, args: &DemoArgs) -> anyhow::Result<()> {
    let what = format!("--out {}", args.out.display());
    super::warehouse::check_output_folder(&what, &args.out, &[], data_dir)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    println!("chokepoint demo: output folder {}", args.out.display());
    let opened = super::warehouse::open(data_dir)?;
    let mut out = std::io::stdout().lock();
    monitor_section(&opened, &args.out, &mut out)?;
    drop(out);
    stage_shares_section(data_dir, &args.out)?;
    super::simulate_controls::demo_section(&args.out, data_dir)?;
    Ok(())
}

/// Stage shares: China's share, HHI and the EU CRMA check per stage, printed and written to
/// `stage_shares.json` in the demo folder.
fn stage_shares_section(data_dir: Option<&Path>, out: &Path) -> anyhow::Result<()> {
    use chokepoint_model::Stage;

    use chokepoint_store::indicators::report::shares::{SharesQuery, shares_report};

    let loaded = super::facts::load(data_dir)?;
    println!("\nstage shares (global; HHI 0-10,000; EU CRMA benchmark 65 %)");
    let mut reports = Vec::new();
    // Each stage at the year `shares`, `exposure` and `criticality` take by default, so the
    // demo's figures are theirs (policy review: the demo said 71.1 % for 2024 mining while
    // the other commands said 69.2 % for 2025, with nothing tying the two).
    for stage in [Stage::Mining, Stage::Separation, Stage::Magnets] {
        let query = SharesQuery::stage(stage);
        match loaded.block_on(shares_report(&loaded.facts, &query))? {
            Ok(r) => {
                let s = &r.shares;
                let top = s.shares.first();
                // A year the source was published in, not the year its figure describes.
                let published = top
                    .and_then(|l| l.year_basis.as_deref())
                    .is_some_and(|b| b == "publication_year");
                println!(
                    "  {:<10} {}{} ({}{}{}): {} {:.1} %, HHI {:.0}{}  {}",
                    stage.as_str(),
                    s.year,
                    if published { " publication" } else { "" },
                    s.source.as_str(),
                    // A figure quoted by an outlet, not read from the IEA's own report
                    // (policy review: "iea" overstated where 94 % came from).
                    if top
                        .is_some_and(|l| chokepoint_store::indicators::shares::is_quoted(&l.source))
                    {
                        ", as quoted"
                    } else {
                        ""
                    },
                    s.edition
                        .as_deref()
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default(),
                    top.map_or("-", |l| l.country_iso3.as_str()),
                    top.map_or(0.0, |l| 100.0 * l.share),
                    s.concentration.hhi,
                    if s.concentration.is_partial() {
                        " (lower bound)"
                    } else {
                        ""
                    },
                    r.crma_eu
                        .as_ref()
                        .map(super::shares::crma_text)
                        .unwrap_or_default(),
                );
                reports.push(r);
            }
            Err(nc) => println!("  {:<10} {nc}", stage.as_str()),
        }
    }
    let path = out.join("stage_shares.json");
    std::fs::write(&path, serde_json::to_string_pretty(&reports)?)?;
    println!("  written: {}", path.display());
    Ok(())
}

/// The monitor view of the seed event: China's rare-earth and magnet exports, April–June
/// 2025 (levels, MoM, YoY, YTD) and the flagged magnet collapse. Also writes
/// `monitor-<product>.csv` into the output folder.
pub fn monitor_section(
    opened: &super::warehouse::Opened,
    out_dir: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let flow = |product: &str| FlowQuery {
        reporter: Iso3::CHINA,
        flow: Flow::Export,
        product: product.to_string(),
        partner: None,
        source: None,
    };
    writeln!(
        out,
        "\n== Monitor: China's exports under the April 2025 rare-earth controls =="
    )?;
    for (product, title) in [
        (
            "rare-earths",
            "rare earths (17 elements, China customs total)",
        ),
        ("magnets", "rare-earth permanent magnets"),
    ] {
        let q = TrendQuery {
            flow: flow(product),
            from: YearMonth::new(2025, 1),
            to: YearMonth::new(2025, 6),
            frequency: Frequency::Monthly,
        };
        let report = opened
            .runtime
            .block_on(trend_report(&opened.warehouse, &q))?;
        writeln!(out, "\n{title}, tonnes, Jan-Jun 2025:")?;
        let table = super::trends::table(&report.rows, true);
        table.write(Format::Table, out)?;
        // What the rows leave out (a combined Jan-Feb, months no source gave) is said, as
        // `trends` says it.
        for note in &report.notes {
            writeln!(out, "note: {note}")?;
        }
        let mut file = std::fs::File::create(out_dir.join(format!("monitor-{product}.csv")))?;
        table.write(Format::Csv, &mut file)?;
    }
    let q = AnomalyQuery {
        flow: flow("magnets"),
        threshold_pct: DEFAULT_THRESHOLD_PCT,
        all: false,
    };
    let flagged = opened.runtime.block_on(anomalies(&opened.warehouse, &q))?;
    writeln!(
        out,
        "\nFlagged months, magnets (departure beyond {DEFAULT_THRESHOLD_PCT} % from every baseline):"
    )?;
    super::anomalies::table(&flagged).write(Format::Table, out)?;
    Ok(())
}
