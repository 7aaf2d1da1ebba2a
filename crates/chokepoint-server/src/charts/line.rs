//! Monthly line chart: levels on the left axis, growth rates (%) on the right axis.

use plotters::prelude::*;

use super::{
    FONT, HEIGHT, PALETTE, WIDTH, category_label, draw_legend, drawing, legend_line, tick_label,
    value_range,
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

/// Raises the top of an axis so the lines stay below the legend box in the upper left
/// (three entries take about a quarter of the plot's height; each one more takes about a
/// twelfth, so a six-entry legend would otherwise sit on the lines).
fn with_legend_room(lo: f64, hi: f64, entries: usize) -> f64 {
    let room = if entries <= 3 {
        LEGEND_ROOM
    } else {
        1.0 / (1.0 - LEGEND_ENTRY_SHARE * entries.min(8) as f64)
    };
    lo + (hi - lo) * room
}

/// Axis span over data span: the highest point sits at 1 / 1.35 = 74 % of the plot height.
const LEGEND_ROOM: f64 = 1.35;

/// Share of the plot height one legend entry takes, with the box's margins.
const LEGEND_ENTRY_SHARE: f64 = 0.087;

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
    // Levels start at zero unless negative: a truncated axis exaggerates changes.
    let lo = lo.min(0.0);
    let entries = chart.series.len();
    let hi = with_legend_room(lo, hi, entries);
    // Growth rates keep zero in view, so the sign of a change reads at a glance.
    let secondary = value_range(values_on(Axis::Secondary)).map(|(lo, hi)| {
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        (lo, with_legend_room(lo, hi, entries))
    });
    let labels = chart.x_labels.clone();
    let x_max = (n.max(2) - 1) as f64;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(&chart.title, (FONT, 24))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(84);
        if secondary.is_some() {
            builder.right_y_label_area_size(84);
        }
        let ctx = builder
            .build_cartesian_2d(-0.3..x_max + 0.3, lo..hi)
            .map_err(drawing)?;
        // Always a dual-axis context; the right axis is drawn only when a series uses it.
        // The secondary coordinate must be attached before the primary mesh is drawn: it takes
        // the right label area over, so the left (tonnes) labels and description are not also
        // drawn on the right on top of the % labels.
        let (slo, shi) = secondary.unwrap_or((0.0, 1.0));
        let mut ctx = ctx.set_secondary_coord(-0.3..x_max + 0.3, slo..shi);
        let label_at = |x: &f64| category_label(&labels, *x);
        ctx.configure_mesh()
            .x_labels(n.clamp(2, 12))
            .x_label_formatter(&label_at)
            .y_labels(Y_LABELS)
            .y_label_formatter(&|v| tick_label(*v, lo, hi))
            .x_desc(&chart.x_description)
            .y_desc(&chart.unit)
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(TRANSPARENT)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
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
            // A line that a later one covers exactly (licensed = delivered when every
            // licence ships) is drawn wider, so its colour shows along the edges.
            let width = 2 + 3 * covered_by_later(&chart.series, i);
            let style = PALETTE[i % PALETTE.len()].stroke_width(width);
            for (k, seg) in segments(&s.values).into_iter().enumerate() {
                let anno = match s.axis {
                    Axis::Primary => {
                        ctx.draw_series(seg.iter().map(|p| Circle::new(*p, 2, style.filled())))
                            .map_err(drawing)?;
                        ctx.draw_series(plotters::series::LineSeries::new(seg, style))
                    }
                    Axis::Secondary => {
                        ctx.draw_secondary_series(DashedLineSeries::new(seg, 6, 4, style))
                    }
                }
                .map_err(drawing)?;
                if k == 0 {
                    anno.label(&s.label).legend(legend_line(style));
                }
            }
        }
        draw_legend(&mut ctx, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LineChart {
        LineChart {
            title: "China exports of magnets".into(),
            x_description: "month".into(),
            x_labels: vec!["2025-01".into(), "2025-02".into(), "2025-03".into()],
            unit: "tonnes".into(),
            secondary_unit: Some("% change".into()),
            series: vec![
                LineSeries {
                    label: "exports".into(),
                    values: vec![Some(5000.0), Some(4200.0), Some(1800.0)],
                    axis: Axis::Primary,
                },
                LineSeries {
                    label: "MoM".into(),
                    values: vec![None, Some(-16.0), Some(-57.1)],
                    axis: Axis::Secondary,
                },
            ],
        }
    }

    #[test]
    fn draws_axes_labels_and_legend() {
        let svg = line_chart(&sample()).unwrap();
        assert!(svg.starts_with("<svg"));
        for text in [
            "China exports of magnets",
            "tonnes",
            "% change",
            "2025-02",
            "MoM",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.contains("<polyline") || svg.contains("<path"));
    }

    #[test]
    fn empty_series_is_an_error_not_a_blank_chart() {
        let mut c = sample();
        for s in &mut c.series {
            s.values = vec![None; 3];
        }
        assert!(matches!(line_chart(&c), Err(ChartError::NoData { .. })));
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        let mut c = sample();
        c.series[0].values.pop();
        assert!(matches!(line_chart(&c), Err(ChartError::Shape { .. })));
    }

    /// Every `<text>` element: x, y and content.
    fn texts(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let attr = |name: &str| {
                    t.split_once(&format!(" {name}=\""))
                        .and_then(|(_, r)| r.split_once('"'))
                        .and_then(|(v, _)| v.parse::<f64>().ok())
                };
                let content = t.split_once('>')?.1.split_once("</text>")?.0.trim();
                Some((attr("x")?, attr("y")?, content.to_string()))
            })
            .collect()
    }

    #[test]
    fn issue_6_left_axis_labels_are_not_repeated_on_the_right_axis() {
        let svg = line_chart(&sample()).unwrap();
        let all = texts(&svg);
        let count = |label: &str| all.iter().filter(|(_, _, c)| c == label).count();
        // "tonnes" is the left axis description only; the right one is "% change".
        assert_eq!(count("tonnes"), 1, "{all:?}");
        assert_eq!(count("% change"), 1, "{all:?}");
        // Tonnes ticks (1000 and up; the % axis stays within -80..40) sit left of the plot.
        let tonnes_ticks: Vec<_> = all
            .iter()
            .filter(|(_, _, c)| c.parse::<f64>().is_ok_and(|v| v >= 1000.0))
            .collect();
        assert!(tonnes_ticks.len() >= 3, "{all:?}");
        assert!(
            tonnes_ticks
                .iter()
                .all(|(x, _, _)| *x < f64::from(WIDTH) / 2.0),
            "{tonnes_ticks:?}"
        );
    }

    #[test]
    fn a_line_hidden_under_a_later_one_is_counted() {
        let line = |values: Vec<Option<f64>>| LineSeries {
            label: "x".into(),
            values,
            axis: Axis::Primary,
        };
        let series = [
            line(vec![Some(10.0), Some(9.0)]),
            line(vec![Some(4.0), Some(3.0)]),
            line(vec![Some(4.0), Some(3.0001)]),
            line(vec![None, Some(3.0)]),
        ];
        assert_eq!(covered_by_later(&series, 0), 0);
        assert_eq!(covered_by_later(&series, 1), 2);
        assert_eq!(covered_by_later(&series, 3), 0);
        let svg = line_chart(&LineChart {
            x_labels: vec!["a".into(), "b".into()],
            series: series.to_vec(),
            ..sample()
        })
        .unwrap();
        assert!(
            svg.contains("stroke-width=\"8\""),
            "the covered line is widened"
        );
    }

    #[test]
    fn axes_leave_room_for_the_legend() {
        assert_eq!(with_legend_room(0.0, 100.0, 3), 135.0);
        assert_eq!(with_legend_room(-50.0, 50.0, 2), 85.0);
        // Six entries (the licences chart with customs figures) keep the lines in the
        // lower half.
        assert!(with_legend_room(0.0, 100.0, 6) > 190.0);
    }

    #[test]
    fn gaps_split_lines() {
        let s = segments(&[Some(1.0), None, Some(2.0), Some(3.0)]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1], vec![(2.0, 2.0), (3.0, 3.0)]);
    }
}
