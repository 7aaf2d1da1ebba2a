//! The HTML of `chokepoint report`: one self-contained file (inline CSS and SVG, no scripts,
//! nothing loaded from elsewhere) with the scenario, its sources, the charts and the tables.

use chokepoint_server::RunReport;
use chokepoint_server::charts::xml_escape;
use chokepoint_server::routes::runs::{EdgeSelection, licences_svg, output_svg};

/// A chart of the report: file-name stem (for `--png`), caption, SVG text.
pub struct Chart {
    /// File-name stem, e.g. `output-EU-ev_traction_motors`.
    pub stem: String,
    /// Caption under the chart.
    pub caption: String,
    /// The SVG.
    pub svg: String,
}

/// Fan charts shown: the most affected region x industry series.
const FAN_CHARTS: usize = 6;

/// The report's charts: fan charts of the most affected outputs, then licences per exporter
/// and stage (world totals, against customs where observed).
pub fn charts(report: &RunReport) -> anyhow::Result<Vec<Chart>> {
    let mut worst: Vec<_> = report
        .summary
        .industries
        .iter()
        .filter(|o| o.loss_pct > 0.0)
        .collect();
    worst.sort_by(|a, b| b.loss_pct.total_cmp(&a.loss_pct));
    let mut out = Vec::new();
    for o in worst.iter().take(FAN_CHARTS) {
        if !report
            .outputs
            .iter()
            .any(|s| s.region == o.region && s.industry == o.industry)
        {
            continue;
        }
        out.push(Chart {
            stem: format!("output-{}-{}", o.region, o.industry),
            caption: format!(
                "{} {}: median loss {:.1} % of baseline over the horizon, halt probability {:.0} %",
                o.region,
                o.industry,
                o.loss_pct,
                o.halt_probability * 100.0
            ),
            svg: output_svg(report, &o.region, &o.industry)?,
        });
    }
    // One chart per exporter and stage, in the order the summary lists them.
    let mut edges: Vec<(String, String, String)> = Vec::new();
    for e in report.summary.edges.iter().filter(|e| e.importer == "WLD") {
        let key = (e.exporter.clone(), e.importer.clone(), e.stage.clone());
        if !edges.contains(&key) {
            edges.push(key);
        }
    }
    for (exporter, importer, stage) in edges {
        let sel = EdgeSelection {
            exporter,
            importer,
            stage,
        };
        out.push(Chart {
            stem: format!("licences-{}-{}-{}", sel.exporter, sel.importer, sel.stage),
            caption: format!(
                "{} exports of {} to all destinations: requested, licensed and delivered tonnes \
                 per month (median over the runs){}",
                sel.exporter,
                sel.stage,
                if report
                    .observed
                    .iter()
                    .any(|o| o.exporter == sel.exporter && o.stage == sel.stage)
                {
                    ", against the customs series"
                } else {
                    ""
                }
            ),
            svg: licences_svg(report, &sel)?,
        });
    }
    Ok(out)
}

fn cell(v: Option<String>) -> String {
    format!("<td>{}</td>", xml_escape(&v.unwrap_or_default()))
}

fn num(v: f64, decimals: usize) -> String {
    format!("<td class=\"num\">{v:.decimals$}</td>")
}

fn halts_table(report: &RunReport) -> String {
    let mut rows: Vec<_> = report
        .summary
        .industries
        .iter()
        .filter(|o| o.loss_t_p95 > 0.0 || o.halt_probability > 0.0)
        .collect();
    rows.sort_by(|a, b| b.loss_pct.total_cmp(&a.loss_pct));
    if rows.is_empty() {
        return "<p>No region or industry loses output in this scenario.</p>".into();
    }
    let mut html = String::from(
        "<table><thead><tr><th>region</th><th>industry</th><th>loss % (p50)</th>\
         <th>loss t (p5)</th><th>loss t (p50)</th><th>loss t (p95)</th><th>halt probability</th>\
         <th>below 90 % from</th><th>halt (below 50 %) from</th><th>recovery (95 %)</th></tr></thead><tbody>",
    );
    for o in rows {
        html.push_str("<tr>");
        html.push_str(&cell(Some(o.region.clone())));
        html.push_str(&cell(Some(o.industry.clone())));
        html.push_str(&num(o.loss_pct, 1));
        html.push_str(&num(o.loss_t_p5, 1));
        html.push_str(&num(o.loss_t, 1));
        html.push_str(&num(o.loss_t_p95, 1));
        html.push_str(&num(o.halt_probability, 2));
        html.push_str(&cell(o.halt_date_90.clone()));
        html.push_str(&cell(o.halt_date_50.clone()));
        html.push_str(&cell(o.recovery_date_95.clone()));
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

fn licences_table(report: &RunReport) -> String {
    let mut html = String::from(
        "<table><thead><tr><th>exporter</th><th>stage</th><th>month</th><th>requested t</th>\
         <th>licensed t (p5)</th><th>licensed t (p50)</th><th>licensed t (p95)</th>\
         <th>delivered t</th><th>customs t (observed)</th></tr></thead><tbody>",
    );
    for e in report.summary.edges.iter().filter(|e| e.importer == "WLD") {
        let observed = report
            .observed
            .iter()
            .find(|o| o.exporter == e.exporter && o.stage == e.stage && o.month == e.month)
            .map(|o| format!("{:.0}", o.tonnes));
        html.push_str("<tr>");
        html.push_str(&cell(Some(e.exporter.clone())));
        html.push_str(&cell(Some(e.stage.clone())));
        html.push_str(&cell(Some(e.month.clone())));
        html.push_str(&num(e.requested_t, 0));
        html.push_str(&num(e.licensed_t_p5, 0));
        html.push_str(&num(e.licensed_t, 0));
        html.push_str(&num(e.licensed_t_p95, 0));
        html.push_str(&num(e.delivered_t, 0));
        html.push_str(&observed.map_or("<td></td>".to_string(), |o| {
            format!("<td class=\"num\">{o}</td>")
        }));
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;\
padding:0 1rem;color:#1d2327}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d9dee2}\
.meta{color:#5b6770}figure{margin:1rem 0}figcaption{font-size:.9rem;color:#5b6770}\
svg{max-width:100%;height:auto}table{border-collapse:collapse;font-size:.85rem}\
th,td{padding:.25rem .6rem;border-bottom:1px solid #d9dee2;text-align:left}\
td.num{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f6f7f8;padding:1rem;\
overflow-x:auto;font-size:.8rem}";

/// The whole report.
pub fn html(report: &RunReport, scenario_text: &str, charts: &[Chart]) -> String {
    let s = &report.summary;
    let title = scenario_text
        .lines()
        .find_map(|l| l.strip_prefix('#').map(str::trim))
        .unwrap_or("");
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>chokepoint report: {name}</title><style>{STYLE}</style></head><body>\
         <h1>Scenario report: {name}</h1><p>{title}</p>\
         <p class=\"meta\">{runs} Monte Carlo runs, seed {seed}, {days} days from {start}. \
         Written by chokepoint {version}; every number below comes from this run.</p>",
        name = xml_escape(&s.scenario),
        title = xml_escape(title),
        runs = s.runs,
        seed = s.seed,
        days = s.days,
        start = xml_escape(&s.start),
        version = env!("CARGO_PKG_VERSION"),
    );
    out.push_str("<h2>Sources</h2>");
    if report.sources.is_empty() {
        out.push_str("<p>The scenario file names no sources.</p>");
    } else {
        out.push_str("<ul>");
        for src in &report.sources {
            out.push_str(&format!("<li>{}</li>", xml_escape(src)));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2>Output by region and industry</h2>");
    for c in charts.iter().filter(|c| c.stem.starts_with("output-")) {
        out.push_str(&format!(
            "<figure>{}<figcaption>{}</figcaption></figure>",
            c.svg,
            xml_escape(&c.caption)
        ));
    }
    out.push_str("<h2>Halt and recovery dates</h2>");
    out.push_str(&halts_table(report));
    out.push_str("<h2>Licensed vs requested exports</h2>");
    for c in charts.iter().filter(|c| c.stem.starts_with("licences-")) {
        out.push_str(&format!(
            "<figure>{}<figcaption>{}</figcaption></figure>",
            c.svg,
            xml_escape(&c.caption)
        ));
    }
    out.push_str(&licences_table(report));
    out.push_str(&format!(
        "<h2>Scenario file</h2><pre>{}</pre></body></html>\n",
        xml_escape(scenario_text)
    ));
    out
}
