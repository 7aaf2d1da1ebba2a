//! Monthly line chart: levels on the left axis, growth rates (%) on the right axis.

use plotters::prelude::*;

use crate::charts::house_mesh;

use super::{
    FONT, HEIGHT, LegendEntry, LegendMark, PALETTE, WIDTH, accessible, category_label,
    draw_legend_below, drawing, format_number, legend_height, tick_label, value_range,
};
use crate::error::ChartError;

/// Which y axis a series is drawn against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// The left axis (levels, in [`LineChart::unit`]).
    Primary,
    /// The right axis (in [`LineChart::secondary_unit`], e.g. % change).
    Secondary,
}

/// One line; `None` values leave a gap (e.g. YoY before a year of history).
#[derive(Clone, Debug)]
pub struct LineSeries {
    /// Legend text.
    pub label: String,
    /// One value per x label.
    pub values: Vec<Option<f64>>,
    /// The axis it belongs to; secondary series are dashed.
    pub axis: Axis,
}

/// A line chart over categorical x labels (months).
#[derive(Clone, Debug)]
pub struct LineChart {
    /// Title above the plot.
    pub title: String,
    /// Description of the x axis, e.g. `month`.
    pub x_description: String,
    /// X labels, one per point (e.g. `2025-04`).
    pub x_labels: Vec<String>,
    /// Unit of the left axis, e.g. `tonnes`.
    pub unit: String,
    /// Unit of the right axis, when any series uses it.
    pub secondary_unit: Option<String>,
    /// The lines.
    pub series: Vec<LineSeries>,
}

/// Tick labels per y axis at most: at 16 px they stay apart even when the dashboard scales
/// the chart down to half its width.
const Y_LABELS: usize = 8;

/// Axis span over padded data span on the left axis: the highest point sits at about 88 %
/// of the plot's height (the legend is under the plot, so no more room is needed).
const HEADROOM: f64 = 1.06;

/// Pixels of one x label: about 8 px a character at the tick font, and a gap.
fn x_label_px(labels: &[String]) -> u32 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) as u32;
    8 * longest + 16
}

/// The x axis: a linear axis over category positions whose ticks are exactly the given
/// categories (plotters would put "nice" ticks between and past them, unlabelled).
struct Categories {
    inner: plotters::coord::types::RangedCoordf64,
    ticks: Vec<f64>,
}

impl Categories {
    fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for Categories {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
}

/// The categories that get a tick and a label: every one when they fit the plot's width,
/// otherwise every second, third, … (from the first), so month labels never run into each
/// other. A tick is always on a category, never between or past them.
fn x_ticks(labels: &[String], plot_px: u32) -> Vec<f64> {
    let n = labels.len();
    if n == 0 {
        return Vec::new();
    }
    let fit = (plot_px / x_label_px(labels)).max(1) as usize;
    let step = n.div_ceil(fit);
    (0..n).step_by(step).map(|i| i as f64).collect()
}

/// How many series after `i`, on the same axis, lie on top of series `i`: the same value at
/// every point where both have one (within 0.1 % of the larger).
fn covered_by_later(series: &[LineSeries], i: usize) -> u32 {
    let Some(me) = series.get(i) else { return 0 };
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-3 * a.abs().max(b.abs()).max(1e-9);
    let covers = |other: &LineSeries| {
        let mut shared = 0;
        for (a, b) in me.values.iter().zip(&other.values) {
            if let (Some(a), Some(b)) = (a, b) {
                if !same(*a, *b) {
                    return false;
                }
                shared += 1;
            }
        }
        shared > 0
    };
    series
        .iter()
        .skip(i + 1)
        .filter(|o| o.axis == me.axis && covers(o))
        .count() as u32
}

fn segments(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => current.push((i as f64, *v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Draws the chart as SVG text.
pub fn line_chart(chart: &LineChart) -> Result<String, ChartError> {
    line_chart_marked(chart, &[])
}

/// Legend text of the hollow points [`line_chart_marked`] draws.
pub const DERIVED_LABEL: &str = "derived (estimated, not reported)";

/// Draws the chart as SVG text, with the points at the x positions where `derived` is true
/// drawn hollow on the first left-axis series (months the data compute from another month
/// and a reported change, not reported figures), and a legend entry saying so. Positions
/// past the end of `derived` are reported points.
pub fn line_chart_marked(chart: &LineChart, derived: &[bool]) -> Result<String, ChartError> {
    let n = chart.x_labels.len();
    if let Some(bad) = chart.series.iter().find(|s| s.values.len() != n) {
        return Err(ChartError::Shape {
            title: chart.title.clone(),
            message: format!(
                "series `{}` has {} values for {n} labels",
                bad.label,
                bad.values.len()
            ),
        });
    }
    let values_on = |axis: Axis| {
        chart
            .series
            .iter()
            .filter(move |s| s.axis == axis)
            .flat_map(|s| s.values.iter().flatten().copied())
    };
    let no_data = || ChartError::NoData {
        title: chart.title.clone(),
    };
    let (lo, hi) = value_range(values_on(Axis::Primary)).ok_or_else(no_data)?;
    // Levels start at zero unless negative: a truncated axis exaggerates changes. The legend
    // is under the plot, so the top of the axis follows the data.
    let lo = lo.min(0.0);
    // A little room above the highest point (a single point would otherwise touch the top).
    let hi = lo + (hi - lo) * HEADROOM;
    // Growth rates keep zero in view, so the sign of a change reads at a glance.
    let secondary =
        value_range(values_on(Axis::Secondary)).map(|(lo, hi)| (lo.min(0.0), hi.max(0.0)));
    let labels = chart.x_labels.clone();
    // One category: centred, with no empty slot beside it.
    let (x_lo, x_hi) = if n <= 1 {
        (-0.5, 0.5)
    } else {
        (-0.3, (n - 1) as f64 + 0.3)
    };
    let plot_px = WIDTH - 2 * 12 - 84 - if secondary.is_some() { 84 } else { 0 };
    let ticks = x_ticks(&labels, plot_px);
    let marked_series = chart.series.iter().position(|s| s.axis == Axis::Primary);
    let is_derived = |i: usize| derived.get(i).copied().unwrap_or(false);
    let entries = legend(chart, marked_series, derived);
    let height = HEIGHT + legend_height(&entries);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (plot, strip) = root.split_vertically(HEIGHT);
        let mut builder = ChartBuilder::on(&plot);
        builder
            .caption(&chart.title, (FONT, 24))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(84);
        if secondary.is_some() {
            builder.right_y_label_area_size(84);
        }
        let ctx = builder
            .build_cartesian_2d(Categories::new(x_lo..x_hi, ticks.clone()), lo..hi)
            .map_err(drawing)?;
        // Always a dual-axis context; the right axis is drawn only when a series uses it.
        // The secondary coordinate must be attached before the primary mesh is drawn: it takes
        // the right label area over, so the left (tonnes) labels and description are not also
        // drawn on the right on top of the % labels.
        let (slo, shi) = secondary.unwrap_or((0.0, 1.0));
        let mut ctx = ctx.set_secondary_coord(Categories::new(x_lo..x_hi, ticks), slo..shi);
        let label_at = |x: &f64| category_label(&labels, *x);
        house_mesh(&mut ctx.configure_mesh(), &chart.x_description, &chart.unit)
            .x_label_formatter(&label_at)
            .y_labels(Y_LABELS)
            .y_label_formatter(&|v| tick_label(*v, lo, hi))
            .draw()
            .map_err(drawing)?;
        if secondary.is_some() {
            ctx.configure_secondary_axes()
                .y_desc(chart.secondary_unit.as_deref().unwrap_or(""))
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 16))
                .y_labels(Y_LABELS)
                .y_label_formatter(&|v| tick_label(*v, slo, shi))
                .draw()
                .map_err(drawing)?;
        }
        for (i, s) in chart.series.iter().enumerate() {
            let style = PALETTE[i % PALETTE.len()].stroke_width(line_width(&chart.series, i));
            for seg in segments(&s.values) {
                match s.axis {
                    Axis::Primary => {
                        let marked = Some(i) == marked_series;
                        ctx.draw_series(plotters::series::LineSeries::new(seg.clone(), style))
                            .map_err(drawing)?;
                        // Reported points filled; derived ones hollow and larger, drawn over
                        // a white disc so the line does not run through them.
                        let derived = |p: &&(f64, f64)| marked && is_derived(p.0.round() as usize);
                        ctx.draw_series(
                            seg.iter()
                                .filter(|p| !derived(p))
                                .map(|p| Circle::new(*p, 2, style.filled())),
                        )
                        .map_err(drawing)?;
                        ctx.draw_series(seg.iter().filter(derived).flat_map(|p| {
                            [
                                Circle::new(*p, 5, WHITE.filled()),
                                Circle::new(*p, 5, style.color.stroke_width(2)),
                            ]
                        }))
                        .map_err(drawing)?;
                    }
                    Axis::Secondary => {
                        ctx.draw_secondary_series(DashedLineSeries::new(seg, 6, 4, style))
                            .map_err(drawing)?;
                    }
                }
            }
        }
        draw_legend_below(&strip, &entries)?;
        root.present().map_err(drawing)?;
    }
    let desc = description(chart, marked_series, derived);
    Ok(accessible(svg, &chart.title, &desc))
}

/// Stroke width of series `i`: a line that a later one covers exactly (licensed =
/// delivered when every licence ships) is drawn wider, so its colour shows along the edges.
fn line_width(series: &[LineSeries], i: usize) -> u32 {
    2 + 3 * covered_by_later(series, i)
}

/// The legend under the plot: one entry per series, and the hollow derived points when
/// any are drawn.
fn legend(chart: &LineChart, marked: Option<usize>, derived: &[bool]) -> Vec<LegendEntry> {
    let mut out: Vec<LegendEntry> = chart
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.values.iter().any(|v| v.is_some_and(f64::is_finite)))
        .map(|(i, s)| {
            let colour = PALETTE[i % PALETTE.len()];
            let width = line_width(&chart.series, i);
            LegendEntry {
                mark: match s.axis {
                    Axis::Primary => LegendMark::Line(colour, width),
                    Axis::Secondary => LegendMark::Dashed(colour, width),
                },
                text: s.label.clone(),
            }
        })
        .collect();
    if let Some(m) = marked
        && derived_points(chart, m, derived).next().is_some()
    {
        out.push(LegendEntry {
            mark: LegendMark::Hollow(PALETTE[m % PALETTE.len()]),
            text: DERIVED_LABEL.into(),
        });
    }
    out
}

/// The labels of the derived points drawn on series `m`.
fn derived_points<'a>(
    chart: &'a LineChart,
    m: usize,
    derived: &'a [bool],
) -> impl Iterator<Item = &'a str> + 'a {
    chart.series[m]
        .values
        .iter()
        .enumerate()
        .filter(move |(i, v)| v.is_some() && derived.get(*i).copied().unwrap_or(false))
        .map(|(i, _)| chart.x_labels[i].as_str())
}

/// The chart in words, for its `<desc>`: the x span, each series' range, the derived points.
fn description(chart: &LineChart, marked: Option<usize>, derived: &[bool]) -> String {
    let span = match (chart.x_labels.first(), chart.x_labels.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    let mut text = format!("Line chart over {} ({span}).", chart.x_description);
    for s in &chart.series {
        let unit = match s.axis {
            Axis::Primary => chart.unit.as_str(),
            Axis::Secondary => chart.secondary_unit.as_deref().unwrap_or(""),
        };
        let Some((lo, hi)) = s.values.iter().flatten().filter(|v| v.is_finite()).fold(
            None,
            |acc: Option<(f64, f64)>, v| {
                Some(acc.map_or((*v, *v), |(lo, hi)| (lo.min(*v), hi.max(*v))))
            },
        ) else {
            continue;
        };
        text.push_str(&format!(
            " {} ({unit}): from {} to {}.",
            s.label,
            format_number(lo),
            format_number(hi)
        ));
    }
    if let Some(m) = marked {
        let points: Vec<&str> = derived_points(chart, m, derived).collect();
        if !points.is_empty() {
            text.push_str(&format!(
                " Hollow points, {DERIVED_LABEL}: {}.",
                points.join(", ")
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests;
