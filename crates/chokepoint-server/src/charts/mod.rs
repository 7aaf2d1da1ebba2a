//! Server-side charts as SVG text (plotters, SVG backend only): the dashboard inlines them and
//! the HTML report embeds them, so neither needs JavaScript charting or fonts on the server.
//!
//! Three kinds: [`line_chart`] (monthly levels with month-on-month and year-on-year growth on a
//! second axis), [`bar_chart`] (shares with an optional benchmark line, e.g. the CRMA 65 %) and
//! [`fan_chart`] (Monte Carlo percentiles p5–p95 around the median). Every chart has a title,
//! axis descriptions with units, and a legend.

mod bar;
mod fan;
mod line;

pub use bar::{Bar, BarChart, UNATTRIBUTED, bar_chart};
pub use fan::{FanChart, fan_chart};
pub use line::{Axis, DERIVED_LABEL, LineChart, LineSeries, line_chart, line_chart_marked};

use plotters::style::RGBColor;

use crate::error::ChartError;

/// Width of every chart, in SVG user units (pixels when shown at 1:1).
pub const WIDTH: u32 = 760;
/// Height of every chart.
pub const HEIGHT: u32 = 380;

/// Font family of all chart text; the viewer picks the face, so no fonts are needed here.
pub(crate) const FONT: &str = "sans-serif";

/// Series colours: distinguishable, and readable for the common colour-vision deficiencies
/// (Okabe–Ito palette).
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// A chart that shows only a message, for selections without data: an empty chart with axes
/// would suggest zeros. Long messages ("not computable: needs …") wrap onto several lines.
pub fn message_chart(title: &str, message: &str) -> String {
    // The lines that fit below the title; a longer message ends with "…" (its whole
    // text is the chart's desc). More lines had placed the first above the canvas.
    let mut lines = wrap(message, MESSAGE_LINE_CHARS);
    let room = (HEIGHT as usize / 2 - 60) / 11 + 1;
    if lines.len() > room {
        lines.truncate(room);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    let first_y = (HEIGHT as usize / 2).saturating_sub(lines.len().saturating_sub(1) * 11);
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r##"<text x="{x}" y="{y}" text-anchor="middle" font-family="sans-serif" font-size="16" fill="#555555">{line}</text>"##,
                x = WIDTH / 2,
                y = first_y + i * 22,
                line = xml_escape(line),
            )
        })
        .collect();
    // The text alternative as every chart gets it ([`accessible`]): the message is its desc.
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" data-empty="true"><rect width="100%" height="100%" fill="#ffffff"/><text x="{x}" y="40" text-anchor="middle" font-family="sans-serif" font-size="20">{escaped}</text>{text}</svg>"##,
        x = WIDTH / 2,
        escaped = xml_escape(title),
    );
    accessible(svg, title, message)
}

/// A legend entry drawn under the plot: its sample and text.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    /// What stands for the series.
    pub mark: LegendMark,
    /// The text beside it.
    pub text: String,
}

/// The sample of a legend entry.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LegendMark {
    /// A filled box (bars).
    Box(RGBColor),
    /// The grey hatched box of a share that is no country's ([`HATCH_FILL`]).
    Hatched,
    /// A short line with filled points (a line series).
    Line(RGBColor, u32),
    /// A short dashed line (a benchmark, a secondary series).
    Dashed(RGBColor, u32),
    /// A hollow circle (derived points of a series).
    Hollow(RGBColor),
    /// No sample: a note beside the chart.
    Note,
}

/// Height of one legend row under a plot, in pixels.
const LEGEND_ROW: u32 = 22;

/// Text width estimate of the legend font (16 pt in plotters' terms, about 13 px): about
/// 7.5 px a character, rounded up so entries never run into each other.
const LEGEND_CHAR_PX: u32 = 8;

/// Left edge of the legend: under the plot, past the y label area.
const LEGEND_LEFT: u32 = 24;

/// Lays legend entries out in rows across the chart's width: (row, x) of each entry, and
/// the number of rows.
fn legend_layout(entries: &[LegendEntry]) -> (Vec<(u32, u32)>, u32) {
    let mut out = Vec::with_capacity(entries.len());
    let (mut row, mut x) = (0, LEGEND_LEFT);
    for e in entries {
        let w = 26 + LEGEND_CHAR_PX * e.text.chars().count() as u32 + 20;
        if x > LEGEND_LEFT && x + w > WIDTH - 12 {
            row += 1;
            x = LEGEND_LEFT;
        }
        out.push((row, x));
        x += w;
    }
    let rows = if entries.is_empty() { 0 } else { row + 1 };
    (out, rows)
}

/// Height of the legend strip under a plot for these entries.
pub(crate) fn legend_height(entries: &[LegendEntry]) -> u32 {
    let (_, rows) = legend_layout(entries);
    if rows == 0 { 0 } else { 8 + rows * LEGEND_ROW }
}

/// Draws legend entries in `area` (the strip under the plot): the legend never covers a
/// bar, a point or its value label, and the y axis needs no headroom for it.
pub(crate) fn draw_legend_below<DB: plotters::prelude::DrawingBackend>(
    area: &plotters::drawing::DrawingArea<DB, plotters::coord::Shift>,
    entries: &[LegendEntry],
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    use plotters::prelude::*;
    let (places, _) = legend_layout(entries);
    for (e, (row, x)) in entries.iter().zip(places) {
        let (x, y) = (x as i32, (4 + row * LEGEND_ROW + LEGEND_ROW / 2) as i32);
        match e.mark {
            LegendMark::Box(c) => area
                .draw(&Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.filled()))
                .map_err(drawing)?,
            LegendMark::Hatched => {
                area.draw(&Rectangle::new(
                    [(x, y - 6), (x + 18, y + 6)],
                    HATCH_FILL.filled(),
                ))
                .map_err(drawing)?;
                area.draw(&Rectangle::new([(x, y - 6), (x + 18, y + 6)], HATCH_EDGE))
                    .map_err(drawing)?;
            }
            LegendMark::Line(c, w) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 18, y)],
                    c.stroke_width(w),
                ))
                .map_err(drawing)?;
                area.draw(&Circle::new((x + 9, y), 3, c.filled()))
                    .map_err(drawing)?;
            }
            LegendMark::Dashed(c, w) => {
                for dx in [0, 12] {
                    area.draw(&PathElement::new(
                        vec![(x + dx, y), (x + dx + 7, y)],
                        c.stroke_width(w),
                    ))
                    .map_err(drawing)?;
                }
            }
            LegendMark::Hollow(c) => area
                .draw(&Circle::new((x + 9, y), 5, c.stroke_width(2)))
                .map_err(drawing)?,
            LegendMark::Note => {}
        }
        let text_x = if matches!(e.mark, LegendMark::Note) {
            x
        } else {
            x + 26
        };
        area.draw(&Text::new(
            e.text.clone(),
            (text_x, y),
            (FONT, 16)
                .into_font()
                .color(&BLACK)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Center,
                )),
        ))
        .map_err(drawing)?;
    }
    Ok(())
}

/// Fill of a share no source attributes to a country: grey, then hatched by
/// [`accessible`] (plotters draws no patterns), so it never reads as one more country.
pub(crate) const HATCH_FILL: RGBColor = RGBColor(201, 201, 202);
/// Edge of the hatched box.
pub(crate) const HATCH_EDGE: RGBColor = RGBColor(110, 110, 110);

/// The SVG pattern that [`HATCH_FILL`] becomes.
const HATCH_PATTERN: &str = r##"<defs><pattern id="chokepoint-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#E3E3E3"/><line x1="0" y1="0" x2="0" y2="8" stroke="#8C8C8C" stroke-width="3"/></pattern></defs>"##;

/// Gives a drawn chart its text alternative: `role="img"`, an `aria-label` (the title), and
/// `<title>` and `<desc>` children (what it shows, in words), so a screen reader has more
/// than "image"; and turns [`HATCH_FILL`] into the hatch pattern.
pub(crate) fn accessible(svg: String, title: &str, desc: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let (open, rest) = svg.split_at(open_end + 1);
    let open = open.replacen(
        "<svg ",
        &format!(r#"<svg role="img" aria-label="{}" "#, xml_escape(title)),
        1,
    );
    let hatch = format!(
        "#{:02X}{:02X}{:02X}",
        HATCH_FILL.0, HATCH_FILL.1, HATCH_FILL.2
    );
    let (defs, rest) = if rest.contains(&hatch) {
        (
            HATCH_PATTERN,
            rest.replace(
                &format!("fill=\"{hatch}\""),
                "fill=\"url(#chokepoint-hatch)\"",
            ),
        )
    } else {
        ("", rest.to_string())
    };
    format!(
        "{open}<title>{}</title><desc>{}</desc>{defs}{rest}",
        xml_escape(title),
        xml_escape(desc)
    )
}

/// Characters per line of a message chart: 16 px sans-serif averages about 8 px a character,
/// so 80 fit the 760 px width with a margin.
const MESSAGE_LINE_CHARS: usize = 80;

/// Splits `text` into lines of at most `width` characters at spaces (a longer word gets a
/// line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escapes text for XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A tick label for a number: thousands separated, at most two decimals for small values.
pub(crate) fn format_number(v: f64) -> String {
    let a = v.abs();
    let whole = (v - v.round()).abs() < 1e-9;
    if a >= 1_000_000.0 {
        format!("{:.1}M", v / 1_000_000.0)
    } else if a >= 10_000.0 {
        format!("{:.0}k", v / 1_000.0)
    } else if a >= 100.0 || whole {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A tick label on an axis spanning `lo..hi`: every tick in the same unit, so an axis never
/// reads "5000, 10k" — thousands as `k` once the axis reaches 10,000, millions as `M` once it
/// reaches 1,000,000, otherwise [`format_number`].
pub(crate) fn tick_label(v: f64, lo: f64, hi: f64) -> String {
    let top = lo.abs().max(hi.abs());
    let scaled = |v: f64, unit: &str| {
        if v == 0.0 {
            "0".to_string()
        } else if (v - v.round()).abs() < 1e-9 {
            format!("{v:.0}{unit}")
        } else {
            format!("{v:.1}{unit}")
        }
    };
    if top >= 1_000_000.0 {
        scaled(v / 1_000_000.0, "M")
    } else if top >= 10_000.0 {
        scaled(v / 1_000.0, "k")
    } else {
        format_number(v)
    }
}

/// Finite minimum and maximum of the values, widened so a flat series still has a range.
pub(crate) fn value_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs().max(1.0) * 0.02);
    Some((lo - pad, hi + pad))
}

/// The label of the category at integer position `x`; empty between categories, where
/// plotters also asks for tick labels.
pub(crate) fn category_label(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}

/// Draws the legend box at `position`, the same way on every chart.
pub(crate) fn draw_legend<'a, DB, CT>(
    ctx: &mut plotters::chart::ChartContext<'a, DB, CT>,
    position: plotters::chart::SeriesLabelPosition,
) -> Result<(), ChartError>
where
    DB: plotters::prelude::DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate,
{
    use plotters::style::{Color, WHITE};
    ctx.configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font((FONT, 16))
        .draw()
        .map_err(drawing)
}

/// A legend sample: a short line in `style`.
pub(crate) fn legend_line(
    style: plotters::style::ShapeStyle,
) -> impl Fn((i32, i32)) -> plotters::element::PathElement<(i32, i32)> {
    move |(x, y)| plotters::element::PathElement::new(vec![(x, y), (x + 18, y)], style)
}

/// The house style of every chart's grid and axes (light grid lines, 16 px labels) with its
/// axis descriptions; each chart adds its own labels and formatters.
pub(crate) fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    x_desc: &str,
    y_desc: &str,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged<ValueType: std::fmt::Debug>,
    Y: plotters::coord::ranged1d::Ranged<ValueType: std::fmt::Debug>,
    DB: plotters::prelude::DrawingBackend,
{
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .bold_line_style(RGBColor(225, 225, 225))
        .light_line_style(plotters::style::colors::TRANSPARENT)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 16))
}

/// Turns a plotters error into ours; the SVG backend fails only on formatting bugs.
pub(crate) fn drawing<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> ChartError {
    ChartError::Drawing {
        message: e.to_string(),
    }
}

/// The `<desc>` of a chart drawn by this module (tests of the text alternatives).
#[cfg(test)]
pub(crate) fn desc_of(svg: &str) -> &str {
    svg.split_once("<desc>")
        .and_then(|(_, rest)| rest.split_once("</desc>"))
        .map_or("", |(desc, _)| desc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message longer than the chart holds is cut with "…" below the title, never
    /// placed above the canvas (the line placement underflowed).
    #[test]
    fn a_long_message_stays_on_the_canvas() {
        let svg = message_chart("t", &"word ".repeat(2_000));
        let ys: Vec<usize> = svg
            .match_indices(" y=\"")
            .filter_map(|(i, m)| svg[i + m.len()..].split('"').next()?.parse().ok())
            .collect();
        assert!(
            ys.iter().all(|y| *y >= 40 && *y <= HEIGHT as usize),
            "{ys:?}"
        );
        assert!(svg.contains('…'));
    }

    #[test]
    fn message_chart_escapes_text() {
        let svg = message_chart("a<b", "no data for \"X\"");
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("&quot;X&quot;"));
        assert!(svg.starts_with("<svg"));
        // A screen reader reads the title and the message, as on the drawn charts.
        assert!(svg.contains(r#"role="img" aria-label="a&lt;b""#));
        assert!(svg.contains("<desc>no data for &quot;X&quot;</desc>"));
    }

    #[test]
    fn legend_rows_stay_within_the_chart() {
        let entries: Vec<LegendEntry> = (0..6)
            .map(|i| LegendEntry {
                mark: LegendMark::Line(PALETTE[0], 2),
                text: format!("customs exports (derived, not reported) {i}"),
            })
            .collect();
        let (places, rows) = legend_layout(&entries);
        assert!(rows >= 3, "{places:?}");
        for ((_, x), e) in places.iter().zip(&entries) {
            let w = 26 + LEGEND_CHAR_PX * e.text.chars().count() as u32;
            assert!(x + w <= WIDTH, "{places:?}");
        }
        assert_eq!(legend_height(&[]), 0);
    }

    #[test]
    fn long_messages_wrap_within_the_chart() {
        let long = "not computable: needs metal stage shares: no sourced country breakdown in the \
                    bundled data (SOURCES.md gap 5); ingest trade data and ask for shares from trade (`shares --source trade`, \
                    or `source=trade` over the API)";
        let lines = wrap(long, MESSAGE_LINE_CHARS);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() <= MESSAGE_LINE_CHARS)
        );
        assert_eq!(
            lines.join(" "),
            long.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        let svg = message_chart("Metal", long);
        assert_eq!(svg.matches("<text").count(), 1 + lines.len());
        assert_eq!(wrap("", 10), vec![String::new()]);
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(format_number(1_234_567.0), "1.2M");
        assert_eq!(format_number(25_000.0), "25k");
        assert_eq!(format_number(650.0), "650");
        assert_eq!(format_number(6.5), "6.5");
        assert_eq!(format_number(94.0), "94");
        assert_eq!(format_number(0.25), "0.25");
    }

    #[test]
    fn ticks_on_one_axis_share_a_unit() {
        let ticks: Vec<String> = [0.0, 5_000.0, 10_000.0, 12_500.0]
            .iter()
            .map(|v| tick_label(*v, 0.0, 13_000.0))
            .collect();
        assert_eq!(ticks, ["0", "5k", "10k", "12.5k"]);
        assert_eq!(tick_label(5_000.0, 0.0, 8_000.0), "5000");
        assert_eq!(tick_label(2_500_000.0, 0.0, 3e6), "2.5M");
        assert_eq!(tick_label(-40.0, -50.0, 150.0), "-40");
    }

    #[test]
    fn range_of_flat_series_is_not_empty() {
        let (lo, hi) = value_range([5.0, 5.0].into_iter()).unwrap();
        assert!(lo < 5.0 && hi > 5.0);
        assert!(value_range([f64::NAN].into_iter()).is_none());
    }
}
