//! Tests of the line chart.

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
fn d14_the_axis_top_follows_the_data_and_the_legend_is_under_the_plot() {
    // Six entries, as the licences chart with customs figures has: the legend no longer
    // takes the upper half of the plot, so the axis does not run to twice the data.
    let line = |label: &str, v: f64| LineSeries {
        label: label.into(),
        values: vec![Some(v), Some(v * 0.9), Some(v * 0.8)],
        axis: Axis::Primary,
    };
    let chart = LineChart {
        secondary_unit: None,
        series: vec![
            line("orders", 10_000.0),
            line("licensed", 5_000.0),
            line("delivered", 4_000.0),
            line("baseline", 4_800.0),
            line("customs", 6_000.0),
            line("customs derived", 2_600.0),
        ],
        ..sample()
    };
    let svg = line_chart(&chart).unwrap();
    let all = texts(&svg);
    let top_tick = all
        .iter()
        .filter_map(|(_, _, c)| c.strip_suffix('k')?.parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert!(top_tick <= 12.0, "top tick {top_tick}k: {all:?}");
    for label in ["orders", "customs derived"] {
        let (_, y, _) = all.iter().find(|(_, _, c)| c == label).unwrap();
        assert!(*y >= f64::from(HEIGHT), "{label} at {y}");
    }
}

#[test]
fn d14_month_ticks_fit_the_width_and_sit_on_months() {
    let months: Vec<String> = (0..13)
        .map(|i| format!("{}-{:02}", 2025 + (i + 3) / 12, (i + 3) % 12 + 1))
        .collect();
    let plot = WIDTH - 2 * 12 - 84;
    let ticks = x_ticks(&months, plot);
    assert!(ticks.len() >= 4);
    assert!(
        ticks.len() as u32 * x_label_px(&months) <= plot,
        "{ticks:?}"
    );
    assert!(ticks.iter().all(|t| t.fract() == 0.0 && *t < 13.0));
    // Every tick has its label: the annual chart with one year has one tick, "2024".
    assert_eq!(x_ticks(&["2024".to_string()], plot), vec![0.0]);
    let svg = line_chart(&LineChart {
        x_labels: vec!["2024".into()],
        series: vec![LineSeries {
            label: "tonnes".into(),
            values: vec![Some(58_152.0)],
            axis: Axis::Primary,
        }],
        secondary_unit: None,
        ..sample()
    })
    .unwrap();
    // One x tick mark: a short vertical stroke under the plot (y ticks are horizontal).
    let x_tick_marks = svg
        .split("points=\"")
        .skip(1)
        .filter_map(|p| {
            let pts: Vec<(f64, f64)> = p
                .split_once('"')?
                .0
                .split_whitespace()
                .filter_map(|xy| {
                    let (x, y) = xy.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            (pts.len() == 2 && pts[0].0 == pts[1].0 && (pts[1].1 - pts[0].1).abs() <= 6.0)
                .then_some(())
        })
        .count();
    assert_eq!(x_tick_marks, 1, "{svg}");
}

#[test]
fn d12_derived_points_are_hollow_and_in_the_legend() {
    let plain = line_chart(&sample()).unwrap();
    assert!(!plain.contains(DERIVED_LABEL));
    let svg = line_chart_marked(&sample(), &[false, true, false]).unwrap();
    assert!(svg.contains(DERIVED_LABEL), "legend entry");
    // The derived point: a white disc under a ring, both r=5; the legend's ring too.
    let rings = svg
        .split("<circle")
        .skip(1)
        .filter(|c| c.contains("r=\"5\"") && c.contains("fill=\"none\""))
        .count();
    assert_eq!(rings, 2, "{svg}");
    // Reported points stay small and filled: 2 of the 3 (and the legend sample's dot).
    let dots = svg
        .split("<circle")
        .skip(1)
        .filter(|c| c.contains("r=\"2\""))
        .count();
    assert_eq!(dots, 2, "{svg}");
    let desc = crate::charts::desc_of(&svg);
    assert!(desc.contains("2025-02"), "{desc}");
}

#[test]
fn d9_the_chart_has_a_text_alternative() {
    let svg = line_chart(&sample()).unwrap();
    assert!(svg.starts_with("<svg role=\"img\" aria-label=\"China exports of magnets\""));
    let desc = crate::charts::desc_of(&svg);
    assert!(desc.contains("2025-01 to 2025-03"), "{desc}");
    assert!(
        desc.contains("exports (tonnes): from 1800 to 5000"),
        "{desc}"
    );
}

#[test]
fn gaps_split_lines() {
    let s = segments(&[Some(1.0), None, Some(2.0), Some(3.0)]);
    assert_eq!(s.len(), 2);
    assert_eq!(s[1], vec![(2.0, 2.0), (3.0, 3.0)]);
}
