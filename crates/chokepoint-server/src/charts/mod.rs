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

pub use bar::{Bar, BarChart, bar_chart};
pub use fan::{FanChart, fan_chart};
pub use line::{Axis, LineChart, LineSeries, line_chart};

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
    let title = xml_escape(title);
    let lines = wrap(message, MESSAGE_LINE_CHARS);
    let first_y = HEIGHT as usize / 2 - (lines.len().saturating_sub(1)) * 11;
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
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" data-empty="true"><rect width="100%" height="100%" fill="#ffffff"/><text x="{x}" y="40" text-anchor="middle" font-family="sans-serif" font-size="20">{title}</text>{text}</svg>"##,
        x = WIDTH / 2,
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

/// Turns a plotters error into ours; the SVG backend fails only on formatting bugs.
pub(crate) fn drawing<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> ChartError {
    ChartError::Drawing {
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_chart_escapes_text() {
        let svg = message_chart("a<b", "no data for \"X\"");
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("&quot;X&quot;"));
        assert!(svg.starts_with("<svg"));
    }

    #[test]
    fn long_messages_wrap_within_the_chart() {
        let long = "not computable: needs metal stage shares: no sourced country breakdown in the \
                    bundled data (SOURCES.md gap 5); ingest trade data and use --source trade";
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
