//! `chokepoint report`: run a scenario and write a self-contained HTML report, and with
//! `--png DIR` each chart as a PNG file.

use std::path::Path;

use anyhow::Context;
use chokepoint_server::runs::{Overrides, PreparedRun, Progress};
use resvg::{tiny_skia, usvg};

use super::report_html;
use super::wiring::ChainSimulator;
use crate::cli::ReportArgs;
use crate::exit::UserError;

/// Writes the report.
pub fn run(data_dir: Option<&Path>, args: &ReportArgs) -> anyhow::Result<()> {
    let text = chokepoint_model::read_small_text(&args.scenario).map_err(|e| {
        UserError(format!(
            "cannot read scenario {}: {e}",
            args.scenario.display()
        ))
    })?;
    // Outputs that cannot be written fail now, not after the runs (and not after the HTML
    // was written but the PNG folder could not be made): `check_output` refuses a folder.
    let inputs = [args.scenario.as_path()];
    let out = format!("--out {}", args.out.display());
    super::warehouse::check_output(&out, &args.out, &inputs, data_dir)?;
    // Write over an earlier report (an HTML page) only: a scenario or data file named by
    // mistake is kept.
    if args.out.is_file() && !is_html_or_empty(&args.out) {
        return Err(UserError(format!(
            "--out {}: the file exists and is not an HTML page; remove it or choose another \
             name (an earlier report is overwritten, nothing else)",
            args.out.display()
        ))
        .into());
    }
    if let Some(dir) = &args.png {
        // The same path for both made the PNG folder first, then failed to write the page
        // over it, and left the empty folder behind (adversarial review).
        if super::warehouse::same_path(dir, &args.out) {
            return Err(UserError(format!(
                "--png {} is the report's own path (--out); give the PNG charts a folder of \
                 their own, e.g. --png charts",
                dir.display()
            ))
            .into());
        }
        let png = format!("--png {}", dir.display());
        super::warehouse::check_output_folder(&png, dir, &inputs, data_dir)?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let sim = ChainSimulator::new(data_dir)?;
    let overrides = Overrides {
        runs: args.runs,
        seed: args.seed,
        days: None,
        approval_share: None,
    };
    let prepared = Box::new(sim.prepare_local(&args.scenario, &text, &overrides)?);
    let report = prepared.run(&Progress::default())?;
    let charts = report_html::charts(&report)?;
    let data = super::report_data::data_provenance(data_dir, &sim.baseline_notes()?)?;
    let html = report_html::html(&report, &text, &charts, &data);
    write_file(&args.out, html.as_bytes())?;
    println!(
        "report written to {} ({} charts, {} runs)",
        args.out.display(),
        charts.len(),
        report.summary.runs
    );
    if let Some(dir) = &args.png {
        let options = png_options();
        for c in &charts {
            let path = dir.join(format!("{}.png", c.stem));
            write_file(&path, &png(&c.svg, &options)?)?;
        }
        println!("{} PNG charts written to {}", charts.len(), dir.display());
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Rasteriser options with the system fonts; charts ask for the generic `sans-serif`, which
/// is mapped to an installed sans face.
fn png_options() -> usvg::Options<'static> {
    let mut options = usvg::Options::default();
    let db = options.fontdb_mut();
    db.load_system_fonts();
    let sans = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"]
        .into_iter()
        .find(|want| {
            db.faces()
                .any(|f| f.families.iter().any(|(name, _)| name == want))
        });
    match sans {
        Some(family) => db.set_sans_serif_family(family),
        None => stderr_line!(
            "warning: no sans-serif system font found; PNG charts will have no text \
             (install e.g. Debian's fonts-dejavu-core)"
        ),
    }
    options
}

/// Renders SVG text to PNG bytes at twice its size, for sharp text on high-density screens.
fn png(svg: &str, options: &usvg::Options) -> anyhow::Result<Vec<u8>> {
    let tree = usvg::Tree::from_str(svg, options).context("reading a chart's SVG")?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)
        .context("allocating the PNG canvas")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("encoding a PNG")
}

/// Whether an existing file is empty or starts as an HTML page does (`<!doctype html` or
/// `<html`, in any case, after blanks).
fn is_html_or_empty(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 64];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..n])
        .trim_start()
        .to_ascii_lowercase();
    n == 0 || text.starts_with("<!doctype html") || text.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_of_a_chart_has_the_doubled_size() {
        let svg = chokepoint_server::charts::message_chart("t", "m");
        let bytes = png(&svg, &usvg::Options::default()).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        // IHDR width and height, big-endian, at bytes 16..24.
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!(
            (w, h),
            (
                2 * chokepoint_server::charts::WIDTH,
                2 * chokepoint_server::charts::HEIGHT
            )
        );
    }
}
