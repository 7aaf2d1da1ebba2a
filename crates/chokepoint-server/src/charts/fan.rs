//! Fan chart: the 5–95 % band of a Monte Carlo output series around its median.

use plotters::prelude::*;

use super::{
    FONT, HEIGHT, PALETTE, WIDTH, draw_legend, drawing, format_number, legend_line, value_range,
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
        ctx.configure_mesh()
            .x_label_formatter(&|v| format_number(*v))
            .y_label_formatter(&|v| format_number(*v))
            .x_desc(&chart.x_description)
            .y_desc(&chart.unit)
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(TRANSPARENT)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
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
        draw_legend(&mut ctx, SeriesLabelPosition::LowerLeft)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

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
