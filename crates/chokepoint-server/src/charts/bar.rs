//! Bar chart of shares with an optional benchmark line (e.g. the CRMA 65 % ceiling).

use plotters::prelude::*;

use super::{
    FONT, HEIGHT, PALETTE, WIDTH, category_label, draw_legend, drawing, format_number, legend_line,
    tick_label,
};
use crate::error::ChartError;

/// One bar.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Category label under the bar, e.g. `magnets`.
    pub label: String,
    /// Text written above the bar, e.g. the leading country `CHN`.
    pub note: Option<String>,
    /// Height in [`BarChart::unit`].
    pub value: f64,
}

/// Vertical bars over categories.
#[derive(Clone, Debug)]
pub struct BarChart {
    /// Title above the plot.
    pub title: String,
    /// Description of the x axis, e.g. `supply-chain stage`.
    pub x_description: String,
    /// Unit of the values, e.g. `% of world`.
    pub unit: String,
    /// Legend text for the bars.
    pub series_label: String,
    /// The bars, left to right.
    pub bars: Vec<Bar>,
    /// A horizontal reference line: legend text and value.
    pub benchmark: Option<(String, f64)>,
    /// Legend lines without a mark: figures that belong beside the bars but not among
    /// them (a bloc such as EUU overlaps the countries drawn, so it gets no bar).
    pub legend_notes: Vec<String>,
}

/// Draws the chart as SVG text.
pub fn bar_chart(chart: &BarChart) -> Result<String, ChartError> {
    let bars: Vec<&Bar> = chart.bars.iter().filter(|b| b.value.is_finite()).collect();
    if bars.is_empty() {
        return Err(ChartError::NoData {
            title: chart.title.clone(),
        });
    }
    let top = bars
        .iter()
        .map(|b| b.value)
        .chain(chart.benchmark.iter().map(|(_, v)| *v))
        .fold(0.0_f64, f64::max);
    let bottom = bars.iter().map(|b| b.value).fold(0.0_f64, f64::min);
    // Headroom above the tallest bar for its value label and the legend box, which grows
    // by a line per legend note.
    let headroom = 1.3 + 0.12 * chart.legend_notes.len() as f64;
    let top = if top <= 0.0 { 1.0 } else { top * headroom };
    let n = bars.len();
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(&chart.title, (FONT, 24))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, bottom..top)
            .map_err(drawing)?;
        let label_at = |x: &f64| category_label(&labels, *x);
        ctx.configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&label_at)
            .y_label_formatter(&|v| tick_label(*v, bottom, top))
            .x_desc(&chart.x_description)
            .y_desc(&chart.unit)
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(TRANSPARENT)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(drawing)?;

        let fill = PALETTE[0].filled();
        ctx.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let x = i as f64;
            Rectangle::new([(x - 0.35, 0.0), (x + 0.35, b.value)], fill)
        }))
        .map_err(drawing)?
        .label(&chart.series_label)
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], fill));

        ctx.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let text = match &b.note {
                Some(note) => format!("{} {note}", format_number(b.value)),
                None => format_number(b.value),
            };
            Text::new(
                text,
                (i as f64, b.value.max(0.0) + top * 0.02),
                (FONT, 16)
                    .into_font()
                    .color(&BLACK)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Bottom,
                    )),
            )
        }))
        .map_err(drawing)?;

        if let Some((label, value)) = &chart.benchmark {
            let style = PALETTE[1].stroke_width(2);
            ctx.draw_series(DashedLineSeries::new(
                vec![(-0.5, *value), (n as f64 - 0.5, *value)],
                8,
                5,
                style,
            ))
            .map_err(drawing)?
            .label(label)
            .legend(legend_line(style));
        }
        for note in &chart.legend_notes {
            // An empty series: the legend gets the text, the plot nothing.
            ctx.draw_series(std::iter::empty::<EmptyElement<(f64, f64), _>>())
                .map_err(drawing)?
                .label(note)
                .legend(|(x, y)| EmptyElement::at((x, y)));
        }
        draw_legend(&mut ctx, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_bars_notes_and_benchmark() {
        let chart = BarChart {
            title: "Largest single-country share by stage".into(),
            x_description: "stage".into(),
            unit: "% of world".into(),
            series_label: "largest share".into(),
            bars: vec![
                Bar {
                    label: "mining".into(),
                    note: Some("CHN".into()),
                    value: 69.0,
                },
                Bar {
                    label: "magnets".into(),
                    note: Some("CHN".into()),
                    value: 94.0,
                },
            ],
            benchmark: Some(("CRMA benchmark 65 %".into(), 65.0)),
            legend_notes: Vec::new(),
        };
        let svg = bar_chart(&chart).unwrap();
        for text in [
            "mining",
            "magnets",
            "94 CHN",
            "CRMA benchmark 65 %",
            "% of world",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.contains("<rect"));
    }

    #[test]
    fn no_bars_is_an_error() {
        let chart = BarChart {
            title: "t".into(),
            x_description: "x".into(),
            unit: "u".into(),
            series_label: "s".into(),
            bars: vec![],
            benchmark: None,
            legend_notes: Vec::new(),
        };
        assert!(matches!(bar_chart(&chart), Err(ChartError::NoData { .. })));
    }
}
