//! Fan chart: the 5–95 % band of a Monte Carlo output series around its median.

use plotters::prelude::*;

use crate::charts::house_mesh;

use super::{
    FONT, HEIGHT, PALETTE, WIDTH, accessible, draw_legend, drawing, format_number, legend_line,
    tick_label, value_range,
};
use crate::error::ChartError;

/// Percentile bands over days.
#[derive(Clone, Debug)]
pub struct FanChart {
    /// Title above the plot.
    pub title: String,
    /// Description of the x axis, e.g. `days since 2025-04-04`.
    pub x_description: String,
    /// Unit of the values, e.g. `% of pre-shock output`.
    pub unit: String,
    /// X positions (days).
    pub x: Vec<f64>,
    /// 5th percentile.
    pub p5: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
    /// A horizontal reference line (legend text, value), e.g. pre-shock output at 100.
    pub reference: Option<(String, f64)>,
}

/// Draws the chart as SVG text.
pub fn fan_chart(chart: &FanChart) -> Result<String, ChartError> {
    let n = chart.x.len();
    if chart.p5.len() != n || chart.p50.len() != n || chart.p95.len() != n {
        return Err(ChartError::Shape {
            title: chart.title.clone(),
            message: format!(
                "{n} x values but {}/{}/{} percentile values",
                chart.p5.len(),
                chart.p50.len(),
                chart.p95.len()
            ),
        });
    }
    let no_data = || ChartError::NoData {
        title: chart.title.clone(),
    };
    let (x_lo, x_hi) = value_range(chart.x.iter().copied()).ok_or_else(no_data)?;
    let (lo, hi) = value_range(
        chart
            .p5
            .iter()
            .chain(&chart.p95)
            .chain(&chart.p50)
            .copied()
            .chain(chart.reference.iter().map(|(_, v)| *v)),
    )
    .ok_or_else(no_data)?;
    let lo = lo.min(0.0);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(&chart.title, (FONT, 24))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(x_lo..x_hi, lo..hi)
            .map_err(drawing)?;
        house_mesh(&mut ctx.configure_mesh(), &chart.x_description, &chart.unit)
            .x_label_formatter(&|v| format_number(*v))
            .y_label_formatter(&|v| tick_label(*v, lo, hi))
            .draw()
            .map_err(drawing)?;

        let band = PALETTE[0].mix(0.25).filled();
        let polygon: Vec<(f64, f64)> = chart
            .x
            .iter()
            .zip(&chart.p95)
            .map(|(x, y)| (*x, *y))
            .chain(chart.x.iter().zip(&chart.p5).rev().map(|(x, y)| (*x, *y)))
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        ctx.draw_series(std::iter::once(Polygon::new(polygon, band)))
            .map_err(drawing)?
            .label("5–95 % of runs")
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], band));
        let median = PALETTE[0].stroke_width(2);
        ctx.draw_series(plotters::series::LineSeries::new(
            chart
                .x
                .iter()
                .zip(&chart.p50)
                .map(|(x, y)| (*x, *y))
                .filter(|(x, y)| x.is_finite() && y.is_finite()),
            median,
        ))
        .map_err(drawing)?
        .label("median")
        .legend(legend_line(median));
        if let Some((label, value)) = &chart.reference {
            let style = RGBColor(120, 120, 120).stroke_width(1);
            ctx.draw_series(DashedLineSeries::new(
                vec![(x_lo, *value), (x_hi, *value)],
                6,
                4,
                style,
            ))
            .map_err(drawing)?
            .label(label)
            .legend(legend_line(style));
        }
        let corner = quiet_corner(chart, (x_lo, x_hi), (lo, hi));
        draw_legend(&mut ctx, corner)?;
        root.present().map_err(drawing)?;
    }
    Ok(accessible(svg, &chart.title, &description(chart)))
}

/// The chart in words, for its `<desc>`: the median's start, lowest point and end, and the
/// band's lowest p5.
fn description(chart: &FanChart) -> String {
    let finite = |v: &[f64]| -> Vec<(f64, f64)> {
        chart
            .x
            .iter()
            .zip(v)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| (*x, *y))
            .collect()
    };
    let median = finite(&chart.p50);
    let low = |pts: &[(f64, f64)]| pts.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
    let mut text = format!(
        "Fan chart of {} over {}: median with the 5–95 % band of the runs.",
        chart.unit, chart.x_description
    );
    if let (Some(first), Some(last), Some(min)) = (median.first(), median.last(), low(&median)) {
        text.push_str(&format!(
            " The median starts at {}, is lowest at {} on day {}, and ends at {}.",
            format_number(first.1),
            format_number(min.1),
            format_number(min.0),
            format_number(last.1)
        ));
    }
    if let Some(min) = low(&finite(&chart.p5)) {
        text.push_str(&format!(
            " The 5th percentile reaches {} on day {}.",
            format_number(min.1),
            format_number(min.0)
        ));
    }
    if let Some((label, value)) = &chart.reference {
        text.push_str(&format!(
            " Dashed line: {label} at {}.",
            format_number(*value)
        ));
    }
    text
}

/// Share of the plot's width and height the legend box takes (three entries at 16 px).
const LEGEND_BOX: (f64, f64) = (0.45, 0.32);

/// The corner whose legend-sized box covers the fewest days of the band, the median or the
/// reference line, so the legend never hides the dip a reader came to see.
fn quiet_corner(
    chart: &FanChart,
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> SeriesLabelPosition {
    let (w, h) = ((x_hi - x_lo) * LEGEND_BOX.0, (y_hi - y_lo) * LEGEND_BOX.1);
    let corners = [
        (SeriesLabelPosition::LowerLeft, false, false),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
    ];
    let covered = |right: bool, upper: bool| {
        let (bx0, bx1) = if right {
            (x_hi - w, x_hi)
        } else {
            (x_lo, x_lo + w)
        };
        let (by0, by1) = if upper {
            (y_hi - h, y_hi)
        } else {
            (y_lo, y_lo + h)
        };
        (0..chart.x.len())
            .filter(|&i| {
                let x = chart.x[i];
                let lo = chart.p5[i].min(chart.p50[i]);
                let hi = chart.p95[i].max(chart.p50[i]);
                let band = x >= bx0 && x <= bx1 && hi >= by0 && lo <= by1;
                let reference = chart
                    .reference
                    .as_ref()
                    .is_some_and(|(_, v)| x >= bx0 && x <= bx1 && *v >= by0 && *v <= by1);
                band || reference
            })
            .count()
    };
    corners
        .into_iter()
        .min_by_key(|(_, right, upper)| covered(*right, *upper))
        .map_or(SeriesLabelPosition::LowerLeft, |(corner, _, _)| corner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_goes_where_the_data_are_not() {
        // A dip to zero early on, then a plateau at 60-100: the lower left is taken, the
        // lower right is free.
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let dip = |d: f64| if (10.0..40.0).contains(&d) { 0.0 } else { 60.0 };
        let chart = FanChart {
            title: "t".into(),
            x_description: "d".into(),
            unit: "%".into(),
            p5: x.iter().map(|d| dip(*d)).collect(),
            p50: vec![80.0; 100],
            p95: vec![100.0; 100],
            x,
            reference: Some(("pre-shock".into(), 100.0)),
        };
        let corner = quiet_corner(&chart, (0.0, 99.0), (-5.0, 105.0));
        assert!(matches!(corner, SeriesLabelPosition::LowerRight));
    }

    #[test]
    fn draws_band_median_and_reference() {
        let chart = FanChart {
            title: "EU automotive output".into(),
            x_description: "days since start".into(),
            unit: "% of pre-shock output".into(),
            x: vec![0.0, 30.0, 60.0],
            p5: vec![100.0, 70.0, 40.0],
            p50: vec![100.0, 85.0, 60.0],
            p95: vec![100.0, 95.0, 90.0],
            reference: Some(("pre-shock output".into(), 100.0)),
        };
        let svg = fan_chart(&chart).unwrap();
        for text in [
            "EU automotive output",
            "median",
            "5–95 % of runs",
            "% of pre-shock output",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.contains("<polygon"));
    }

    #[test]
    fn d9_the_chart_has_a_text_alternative() {
        let chart = FanChart {
            title: "EU ev_traction_motors: output".into(),
            x_description: "days since 2025-04-04".into(),
            unit: "% of pre-shock output".into(),
            x: vec![0.0, 30.0, 60.0],
            p5: vec![100.0, 40.0, 80.0],
            p50: vec![100.0, 60.0, 95.0],
            p95: vec![100.0, 90.0, 100.0],
            reference: Some(("pre-shock output".into(), 100.0)),
        };
        let svg = fan_chart(&chart).unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"EU ev_traction_motors: output\""));
        let desc = crate::charts::desc_of(&svg);
        assert!(desc.contains("lowest at 60 on day 30"), "{desc}");
        assert!(
            desc.contains("5th percentile reaches 40 on day 30"),
            "{desc}"
        );
    }

    #[test]
    fn mismatched_percentiles_are_rejected() {
        let chart = FanChart {
            title: "t".into(),
            x_description: "d".into(),
            unit: "u".into(),
            x: vec![0.0, 1.0],
            p5: vec![1.0],
            p50: vec![1.0, 2.0],
            p95: vec![1.0, 2.0],
            reference: None,
        };
        assert!(matches!(fan_chart(&chart), Err(ChartError::Shape { .. })));
    }
}
