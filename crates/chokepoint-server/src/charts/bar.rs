//! Bar chart of shares with an optional benchmark line (e.g. the CRMA 65 % ceiling).

use plotters::prelude::*;

use crate::charts::house_mesh;

use super::{
    FONT, HATCH_EDGE, HATCH_FILL, HEIGHT, LegendEntry, LegendMark, PALETTE, WIDTH, accessible,
    category_label, draw_legend_below, drawing, format_number, legend_height, tick_label,
};
use crate::error::ChartError;

/// The label of a bar that is no country's: the share no source attributes (a report that
/// covers part of the market). It is drawn grey and hatched and named in the legend as not
/// a country, so it is not read as one more supplier against the benchmark.
pub const UNATTRIBUTED: &str = "unattributed";

/// One bar.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Category label under the bar, e.g. `magnets`; [`UNATTRIBUTED`] for the share no
    /// source attributes.
    pub label: String,
    /// Text written above the bar, e.g. the leading country `CHN`.
    pub note: Option<String>,
    /// Height in [`BarChart::unit`].
    pub value: f64,
}

impl Bar {
    fn is_unattributed(&self) -> bool {
        self.label == UNATTRIBUTED
    }
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

/// Top of the value axis: room above the tallest bar (or the benchmark) for its value
/// label; a share in % ("% of world") stops a little above 100 %, never at 120 %.
fn axis_top(top: f64, unit: &str) -> f64 {
    if top <= 0.0 {
        return 1.0;
    }
    let room = top * 1.12;
    if unit.trim_start().starts_with('%') && top <= 100.0 {
        room.min(top.max(100.0) + 8.0)
    } else {
        room
    }
}

/// The legend under the plot: the bars, the unattributed share when drawn, the benchmark
/// and the notes.
fn legend(chart: &BarChart, bars: &[&Bar]) -> Vec<LegendEntry> {
    let mut out = vec![LegendEntry {
        mark: LegendMark::Box(PALETTE[0]),
        text: chart.series_label.clone(),
    }];
    if bars.iter().any(|b| b.is_unattributed()) {
        out.push(LegendEntry {
            mark: LegendMark::Hatched,
            text: "unattributed (not a country): share no source names".into(),
        });
    }
    if let Some((label, _)) = &chart.benchmark {
        out.push(LegendEntry {
            mark: LegendMark::Dashed(PALETTE[1], 2),
            text: label.clone(),
        });
    }
    out.extend(chart.legend_notes.iter().map(|n| LegendEntry {
        mark: LegendMark::Note,
        text: n.clone(),
    }));
    out
}

/// The chart in words, for its `<desc>`: every bar's value, the benchmark, the notes.
fn description(chart: &BarChart, bars: &[&Bar]) -> String {
    let values: Vec<String> = bars
        .iter()
        .map(|b| {
            let label = if b.is_unattributed() {
                "unattributed (not a country)".to_string()
            } else {
                b.label.clone()
            };
            format!("{label} {}", format_number(b.value))
        })
        .collect();
    let mut text = format!(
        "Bar chart, {} in {} by {}: {}.",
        chart.series_label,
        chart.unit,
        chart.x_description,
        values.join(", ")
    );
    if let Some((label, value)) = &chart.benchmark {
        text.push_str(&format!(
            " Dashed line: {label} at {}.",
            format_number(*value)
        ));
    }
    for n in &chart.legend_notes {
        text.push_str(&format!(" {n}."));
    }
    text
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
    // The legend sits under the plot, so the axis needs room only for the value labels.
    let top = axis_top(top, &chart.unit);
    let n = bars.len();
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let entries = legend(chart, &bars);
    let height = HEIGHT + legend_height(&entries);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (plot, strip) = root.split_vertically(HEIGHT);
        let mut ctx = ChartBuilder::on(&plot)
            .caption(&chart.title, (FONT, 24))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, bottom..top)
            .map_err(drawing)?;
        let label_at = |x: &f64| category_label(&labels, *x);
        house_mesh(&mut ctx.configure_mesh(), &chart.x_description, &chart.unit)
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&label_at)
            .y_label_formatter(&|v| tick_label(*v, bottom, top))
            .draw()
            .map_err(drawing)?;

        ctx.draw_series(bars.iter().enumerate().flat_map(|(i, b)| {
            let x = i as f64;
            let corners = [(x - 0.35, 0.0), (x + 0.35, b.value)];
            if b.is_unattributed() {
                vec![
                    Rectangle::new(corners, HATCH_FILL.filled()),
                    Rectangle::new(corners, HATCH_EDGE.stroke_width(1)),
                ]
            } else {
                vec![Rectangle::new(corners, PALETTE[0].filled())]
            }
        }))
        .map_err(drawing)?;

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

        if let Some((_, value)) = &chart.benchmark {
            let style = PALETTE[1].stroke_width(2);
            ctx.draw_series(DashedLineSeries::new(
                vec![(-0.5, *value), (n as f64 - 0.5, *value)],
                8,
                5,
                style,
            ))
            .map_err(drawing)?;
        }
        draw_legend_below(&strip, &entries)?;
        root.present().map_err(drawing)?;
    }
    Ok(accessible(svg, &chart.title, &description(chart, &bars)))
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

    /// Every `<text>` element: y and content.
    fn texts(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let y = t.split_once(" y=\"")?.1.split_once('"')?.0.parse().ok()?;
                let content = t.split_once('>')?.1.split_once("</text>")?.0.trim();
                Some((y, content.to_string()))
            })
            .collect()
    }

    /// Mining 2019 as USGS reports it: one named country and 87.6 % no source attributes.
    fn mining_2019() -> BarChart {
        BarChart {
            title: "Mining 2019: country shares (USGS MCS2020)".into(),
            x_description: "country".into(),
            unit: "% of world".into(),
            series_label: "share of world mining".into(),
            bars: vec![
                Bar {
                    label: "USA".into(),
                    note: None,
                    value: 12.4,
                },
                Bar {
                    label: UNATTRIBUTED.into(),
                    note: None,
                    value: 87.6,
                },
            ],
            benchmark: Some(("EU CRMA benchmark 65 %".into(), 65.0)),
            legend_notes: Vec::new(),
        }
    }

    #[test]
    fn d11_unattributed_is_hatched_grey_and_named_not_a_country() {
        let svg = bar_chart(&mining_2019()).unwrap();
        // The country colour fills the USA bar and its legend sample only.
        assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 2, "{svg}");
        // The unattributed bar and its legend sample are hatched.
        assert_eq!(svg.matches("fill=\"url(#chokepoint-hatch)\"").count(), 2);
        assert!(svg.contains("<pattern id=\"chokepoint-hatch\""));
        assert!(svg.contains("unattributed (not a country)"));
    }

    #[test]
    fn d11_value_labels_are_clear_of_the_legend() {
        let svg = bar_chart(&mining_2019()).unwrap();
        let all = texts(&svg);
        let y_of = |needle: &str| {
            all.iter()
                .find(|(_, c)| c.contains(needle))
                .map(|(y, _)| *y)
                .unwrap_or_else(|| panic!("no text {needle}: {all:?}"))
        };
        // Value labels sit in the plot; the legend is under it, below the axis labels.
        let plot_bottom = f64::from(HEIGHT) - 56.0;
        assert!(y_of("87.6") < plot_bottom);
        for legend in [
            "share of world mining",
            "unattributed (not a country)",
            "EU CRMA benchmark 65 %",
        ] {
            assert!(y_of(legend) >= f64::from(HEIGHT), "{legend}: {all:?}");
        }
    }

    #[test]
    fn d11_a_share_axis_stops_near_100_percent() {
        assert!(axis_top(94.0, "% of world") <= 108.0);
        assert!(
            axis_top(94.0, "% of world") > 100.0,
            "room for the 94 label"
        );
        assert!(axis_top(87.6, "% of world") < 100.0);
        assert_eq!(axis_top(100.0, "% of world"), 108.0);
        // Other units keep the proportional room.
        assert!((axis_top(1000.0, "t") - 1120.0).abs() < 1e-9);
        let mut magnets = mining_2019();
        magnets.bars = vec![Bar {
            label: "CHN".into(),
            note: None,
            value: 94.0,
        }];
        let svg = bar_chart(&magnets).unwrap();
        let ticks: Vec<f64> = texts(&svg)
            .iter()
            .filter_map(|(_, c)| c.parse::<f64>().ok())
            .collect();
        let top = ticks.iter().copied().fold(0.0, f64::max);
        assert!(top <= 100.0, "top tick {top}: {ticks:?}");
    }

    #[test]
    fn d9_the_chart_has_a_text_alternative() {
        let svg = bar_chart(&mining_2019()).unwrap();
        assert!(svg.starts_with(
            "<svg role=\"img\" aria-label=\"Mining 2019: country shares (USGS MCS2020)\""
        ));
        assert!(svg.contains("<title>Mining 2019: country shares (USGS MCS2020)</title>"));
        let desc = crate::charts::desc_of(&svg);
        assert!(desc.contains("USA 12.4"), "{desc}");
        assert!(desc.contains("unattributed (not a country) 87.6"), "{desc}");
        assert!(desc.contains("EU CRMA benchmark 65 % at 65"), "{desc}");
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
