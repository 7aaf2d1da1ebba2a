//! The HTML of `chokepoint report`: one self-contained file (inline CSS and SVG, no scripts,
//! nothing loaded from elsewhere) with the scenario, its sources, the charts and the tables.

use chokepoint_server::RunReport;
use chokepoint_server::charts::xml_escape;
use chokepoint_server::routes::runs::{EdgeSelection, licences_svg, output_svg};
use chokepoint_sim::montecarlo::{IndustryOutcome, McSummary};

use super::observed_band::{self, BandMonth};

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
    let mut out = Vec::new();
    for o in worst_per_region(report).iter().take(FAN_CHARTS) {
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
                "{} {}: median loss {:.1} % of the magnet use it wanted over the horizon, halt probability {:.0} %",
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
                "{} exports of {} to all destinations: orders placed (including restocking, so \
                 above the baseline flow once buyers' stocks run down), licensed and delivered \
                 tonnes per month (median over the runs), with the baseline flow{}",
                sel.exporter,
                sel.stage,
                if report
                    .observed
                    .iter()
                    .any(|o| o.exporter == sel.exporter && o.stage == sel.stage)
                {
                    ", against the customs series (derived figures shown apart)"
                } else {
                    ""
                }
            ),
            svg: licences_svg(report, &sel)?,
        });
    }
    Ok(out)
}

/// Each region's most affected industry (by median loss, any loss at all), most affected
/// first: the charts and the summary cover every region that loses, the EU included,
/// rather than the six largest losses, which were four regions' identical figures.
fn worst_per_region(report: &RunReport) -> Vec<&IndustryOutcome> {
    let mut worst: Vec<&IndustryOutcome> = Vec::new();
    for o in report
        .summary
        .industries
        .iter()
        .filter(|o| o.loss_pct > 0.0)
    {
        match worst.iter_mut().find(|w| w.region == o.region) {
            Some(w) if o.loss_pct > w.loss_pct => *w = o,
            Some(_) => {}
            None => worst.push(o),
        }
    }
    worst.sort_by(|a, b| b.loss_pct.total_cmp(&a.loss_pct));
    worst
}

/// The report's first section: what a reader needs before the tables, each figure from the
/// run (median over the runs, with the 5–95 % range), and what the blank cells mean.
fn summary(report: &RunReport) -> String {
    let s = &report.summary;
    let mut items = Vec::new();
    for o in worst_per_region(report) {
        let halt = match (&o.halt_date_50, o.halt_probability) {
            (Some(date), p) => format!(
                "; below 50 % of its use from {date} in {:.0} % of runs, for {} days (median)",
                100.0 * p,
                grouped(o.days_below_50, 1)
            ),
            (None, p) if p > 0.0 => format!(
                "; below 50 % of its use in {:.0} % of runs (not in the median run)",
                100.0 * p
            ),
            _ => String::new(),
        };
        items.push(format!(
            "<li><b>{}</b>, most affected industry {}: {} % of its output lost over the \
             horizon (5–95 % of runs: {}–{} t of the {} t of magnets it would use){}</li>",
            xml_escape(&o.region),
            xml_escape(&o.industry),
            grouped(o.loss_pct, 1),
            grouped(o.loss_t_p5, 0),
            grouped(o.loss_t_p95, 0),
            grouped(o.demand_t, 0),
            halt
        ));
    }
    if items.is_empty() {
        items.push("<li>No region or industry loses output in this scenario.</li>".into());
    }
    for n in &s.new_supply {
        items.push(format!(
            "<li>New {} {} capacity: {} t over the horizon; it added {} t to the region's {} \
             output and changed all industries' total loss by {} t (medians, against the same \
             draws without it).{}</li>",
            xml_escape(&n.region),
            xml_escape(&n.stage),
            grouped(n.capacity_t, 0),
            grouped(n.added_output_t, 0),
            xml_escape(&n.stage),
            grouped(n.total_loss_change_t, 0),
            n.note
                .as_deref()
                .map(|text| format!(" {}", xml_escape(text)))
                .unwrap_or_default()
        ));
    }
    for (exporter, stage, delivered, base) in world_exports(s) {
        items.push(format!(
            "<li>{} exports of {} delivered over the horizon: {} t against {} t undisturbed \
             ({:+.0} %; the sum of the monthly medians)</li>",
            xml_escape(&exporter),
            xml_escape(&stage),
            grouped(delivered, 0),
            grouped(base, 0),
            100.0 * (delivered / base - 1.0)
        ));
    }
    format!(
        "<h2>Summary</h2><ul>{}</ul><p class=\"meta\">Losses are medians over the {} runs; a \
         blank date in the tables below means the event does not happen in at least half of \
         the runs (or, for recovery, not within the horizon).</p>",
        items.concat(),
        s.runs
    )
}

/// Each exporter's world total per stage over the horizon: delivered and undisturbed
/// (sums of the monthly medians), for the stages it exports at all.
fn world_exports(s: &McSummary) -> Vec<(String, String, f64, f64)> {
    let mut exports: Vec<(String, String, f64, f64)> = Vec::new();
    for e in s.edges.iter().filter(|e| e.importer == "WLD") {
        let Some(base) = e.baseline_t else { continue };
        match exports
            .iter_mut()
            .find(|x| x.0 == e.exporter && x.1 == e.stage)
        {
            Some(x) => {
                x.2 += e.delivered_t;
                x.3 += base;
            }
            None => exports.push((e.exporter.clone(), e.stage.clone(), e.delivered_t, base)),
        }
    }
    exports.retain(|x| x.3 > 0.0);
    exports
}

fn cell(v: Option<String>) -> String {
    format!("<td>{}</td>", xml_escape(&v.unwrap_or_default()))
}

/// A number cell with thousands separators, as the dashboard writes them: `10,017`,
/// `1,234.5`.
fn num(v: f64, decimals: usize) -> String {
    format!("<td class=\"num\">{}</td>", grouped(v, decimals))
}

/// `v` with `decimals` decimals and its whole part in groups of three: 10017.0 -> "10,017".
fn grouped(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A month or date cell: kept on one line ("2025-04", never "2025-" over "04").
fn date_cell(v: Option<String>) -> String {
    format!(
        "<td class=\"date\">{}</td>",
        xml_escape(&v.unwrap_or_default())
    )
}

/// A wide table scrolls inside its own box, so a narrow window does not scroll the page.
fn scrolling(table: &str) -> String {
    format!("<div class=\"scroll\">{table}</div>")
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
         <th>loss t (p5)</th><th>loss t (p50)</th><th>loss t (p95)</th><th>halt probability (% of runs)</th><th>days below 50 % (p50)</th>\
         <th>below 90 % from (slowdown, not a halt)</th><th>halt (below 50 %) from</th>\
         <th>recovery (95 %)</th></tr></thead><tbody>",
    );
    for o in rows {
        html.push_str("<tr>");
        html.push_str(&cell(Some(o.region.clone())));
        html.push_str(&cell(Some(o.industry.clone())));
        html.push_str(&num(o.loss_pct, 1));
        html.push_str(&num(o.loss_t_p5, 1));
        html.push_str(&num(o.loss_t, 1));
        html.push_str(&num(o.loss_t_p95, 1));
        html.push_str(&num(100.0 * o.halt_probability, 0));
        html.push_str(&num(o.days_below_50, 1));
        html.push_str(&date_cell(o.halt_date_90.clone()));
        html.push_str(&date_cell(o.halt_date_50.clone()));
        html.push_str(&date_cell(o.recovery_date_95.clone()));
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    scrolling(&html)
}

/// Customs months of each exporter's world total against the simulated band of delivered
/// exports, per (exporter, stage) with observations.
fn bands(report: &RunReport) -> Vec<((String, String), Vec<BandMonth>)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for o in report.observed.iter().filter(|o| o.importer == "WLD") {
        let key = (o.exporter.clone(), o.stage.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(exporter, stage)| {
            let obs = report
                .observed
                .iter()
                .filter(|o| o.exporter == exporter && o.stage == stage && o.importer == "WLD")
                .map(|o| (o.month.as_str(), o.tonnes, o.is_derived));
            let b = observed_band::compare(&report.summary, (&exporter, "WLD", &stage), obs);
            ((exporter, stage), b)
        })
        .collect()
}

fn licences_table(report: &RunReport, bands: &[((String, String), Vec<BandMonth>)]) -> String {
    let mut html = String::from(
        "<table><thead><tr><th>exporter</th><th>stage</th><th>month</th>\
         <th>orders placed t (incl. restocking, p50)</th><th>baseline flow t</th>\
         <th>licensed t (p5)</th><th>licensed t (p50)</th><th>licensed t (p95)</th>\
         <th>delivered t (p5)</th><th>delivered t (p50)</th><th>delivered t (p95)</th>\
         <th>customs t</th><th>customs vs delivered 5–95 %</th></tr></thead><tbody>",
    );
    let mut any_derived = false;
    for e in report.summary.edges.iter().filter(|e| e.importer == "WLD") {
        let observed = report
            .observed
            .iter()
            .find(|o| o.exporter == e.exporter && o.stage == e.stage && o.month == e.month);
        let side = bands
            .iter()
            .filter(|((x, s), _)| *x == e.exporter && *s == e.stage)
            .flat_map(|(_, b)| b)
            .find(|b| b.month == e.month)
            .map(|b| match b.outside {
                Some(observed_band::Side::Above) => "above",
                Some(observed_band::Side::Below) => "below",
                None => "inside",
            });
        html.push_str("<tr>");
        html.push_str(&cell(Some(e.exporter.clone())));
        html.push_str(&cell(Some(e.stage.clone())));
        html.push_str(&date_cell(Some(e.month.clone())));
        html.push_str(&num(e.requested_t, 0));
        html.push_str(&e.baseline_t.map_or("<td></td>".to_string(), |b| num(b, 0)));
        html.push_str(&num(e.licensed_t_p5, 0));
        html.push_str(&num(e.licensed_t, 0));
        html.push_str(&num(e.licensed_t_p95, 0));
        html.push_str(&num(e.delivered_t_p5, 0));
        html.push_str(&num(e.delivered_t, 0));
        html.push_str(&num(e.delivered_t_p95, 0));
        html.push_str(&observed.map_or("<td></td>".to_string(), |o| {
            any_derived |= o.is_derived;
            format!(
                "<td class=\"num\">{}{}</td>",
                grouped(o.tonnes, 0),
                if o.is_derived { " (derived*)" } else { "" }
            )
        }));
        html.push_str(&cell(side.map(str::to_string)));
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    let mut html = scrolling(&html);
    html.push_str(
        "<p class=\"meta\">Orders placed include the buyers' restocking of depleted stocks: \
         they are not licence demand at baseline, which is the baseline flow column.",
    );
    if any_derived {
        html.push_str(
            " * Derived, not reported: the bundled data compute this month from another \
             month and its reported change (china_exports_monthly.csv, is_derived). Where a \
             model assumption was set from such a figure (control_enforcement_lag_days, from \
             April 2025; docs/scenario.md), the model agrees with it partly by construction.",
        );
    }
    html.push_str("</p>");
    html
}

fn comparison(report: &RunReport, bands: &[((String, String), Vec<BandMonth>)]) -> String {
    let mut html = String::new();
    for ((exporter, stage), b) in bands {
        html.push_str(&format!(
            "<p>{} {}: {}.</p>",
            xml_escape(exporter),
            xml_escape(stage),
            xml_escape(&observed_band::describe(b, report.summary.runs))
        ));
    }
    if html.is_empty() {
        html.push_str("<p>No customs series to compare with in this run.</p>");
    }
    // The stages the run changes that no customs series is set against: the chain's flow
    // of a stage is only the material bound for magnets, so its simulated fall is no
    // forecast of the exporter's customs series for that stage, which counts every use
    // (analyst review: oxide exports −28 % here, while China's rare-earth exports rose
    // 12.9 % in 2025).
    for (exporter, stage, delivered, base) in world_exports(&report.summary) {
        let compared = bands
            .iter()
            .any(|((e, st), _)| *e == exporter && *st == stage);
        if compared || (delivered - base).abs() <= 1e-6 * base {
            continue;
        }
        html.push_str(&format!(
            "<p>{} {}: no customs comparison. The chain's {} flow is the material bound for \
             magnets ({} t undisturbed over the horizon), not all of the exporter's {} \
             exports that customs count: read its simulated change ({:+.0} %) as the magnet \
             chain's, not as a forecast of those exports.</p>",
            xml_escape(&exporter),
            xml_escape(&stage),
            xml_escape(&stage),
            grouped(base, 0),
            xml_escape(&stage),
            100.0 * (delivered / base - 1.0)
        ));
    }
    html
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;\
padding:0 1rem;color:#1d2327;overflow-wrap:break-word}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d9dee2}\
.meta{color:#5b6770}figure{margin:1rem 0;overflow-x:auto}figcaption{font-size:.9rem;color:#5b6770}\
svg{display:block;width:100%;max-width:760px;min-width:560px;height:auto}table{border-collapse:collapse;font-size:.85rem}\
th,td{padding:.25rem .6rem;border-bottom:1px solid #d9dee2;text-align:left}\
td.num{text-align:right;font-variant-numeric:tabular-nums}td.date{white-space:nowrap}\
.scroll{overflow-x:auto;max-width:100%}pre{background:#f6f7f8;padding:1rem;\
overflow-x:auto;font-size:.8rem}";

/// The scenario's file name, as the report's title: `april-2025-controls.toml`, not the
/// absolute path the run was read from.
fn scenario_name(scenario: &str) -> String {
    std::path::Path::new(scenario).file_name().map_or_else(
        || scenario.to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The whole report.
pub fn html(report: &RunReport, scenario_text: &str, charts: &[Chart], data: &[String]) -> String {
    let s = &report.summary;
    let title = scenario_text
        .lines()
        .find_map(|l| l.strip_prefix('#').map(str::trim))
        .unwrap_or("");
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>chokepoint report: {name}</title><style>{STYLE}</style></head><body>\
         <h1>Scenario report: {name}</h1><p>{title}</p>\
         <p class=\"meta\">{runs} Monte Carlo runs, seed {seed}, {days} days from {start}. \
         Written by chokepoint {version} at {written}; every number below comes from this run.</p>",
        name = xml_escape(&scenario_name(&s.scenario)),
        title = xml_escape(title),
        runs = s.runs,
        seed = s.seed,
        days = s.days,
        start = xml_escape(&s.start),
        version = env!("CARGO_PKG_VERSION"),
        written = chokepoint_store::utc_now_text(),
    );
    out.push_str(&summary(report));
    out.push_str("<h2>Sources</h2>");
    if report.sources.is_empty() {
        out.push_str("<p>The scenario file names no sources.</p>");
    } else {
        out.push_str("<ul>");
        for src in &report.sources {
            out.push_str(&format!("<li>{}</li>", linked(src)));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2>Data</h2><ul>");
    for line in data {
        out.push_str(&format!("<li>{}</li>", linked(line)));
    }
    out.push_str("</ul>");
    out.push_str(&assumptions_html(&s.assumptions));
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
    out.push_str("<h2>Orders (incl. restocking), licences and deliveries</h2>");
    for c in charts.iter().filter(|c| c.stem.starts_with("licences-")) {
        out.push_str(&format!(
            "<figure>{}<figcaption>{}</figcaption></figure>",
            c.svg,
            xml_escape(&c.caption)
        ));
    }
    let bands = bands(report);
    out.push_str(&licences_table(report, &bands));
    out.push_str("<h2>Simulated vs customs exports</h2>");
    out.push_str(&comparison(report, &bands));
    out.push_str("<h2>Limitations</h2><ul>");
    for l in observed_band::LIMITATIONS {
        out.push_str(&format!("<li>{}</li>", xml_escape(l)));
    }
    out.push_str("</ul>");
    out.push_str(&format!(
        "<h2>Scenario file</h2><pre>{}</pre></body></html>\n",
        xml_escape(scenario_text)
    ));
    out
}

/// `text` escaped for HTML, its web addresses made links (web review: none could be clicked).
fn linked(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest
        .find("http://")
        .into_iter()
        .chain(rest.find("https://"))
        .min()
    {
        out.push_str(&xml_escape(&rest[..at]));
        let url_len = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | ';'))
            .unwrap_or(rest.len() - at);
        // A full stop or comma right after an address is the sentence's, and so is a closing
        // parenthesis the address does not open (code review: `…/Foo_(bar)` lost its `)`).
        let mut url = rest[at..at + url_len].trim_end_matches(['.', ',']);
        while url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
            url = url[..url.len() - 1].trim_end_matches(['.', ',']);
        }
        let url_escaped = xml_escape(url);
        out.push_str(&format!("<a href=\"{url_escaped}\">{url_escaped}</a>"));
        rest = &rest[at + url.len()..];
    }
    out.push_str(&xml_escape(rest));
    out
}

/// The assumptions the runs used: the losses and dates above follow from them (a 45-day
/// stock nobody set), so a report handed on says which were the scenario's and which
/// defaults (procurement review).
fn assumptions_html(all: &[chokepoint_sim::policies::in_force::AssumptionInForce]) -> String {
    if all.is_empty() {
        return String::new();
    }
    let set = all.iter().filter(|a| a.set_by == "scenario").count();
    let intro = format!(
        "<h2>Assumptions in force</h2><p>Numbers of the chain the bundled data do not give \
         (docs/scenario.md gives each one's reasoning): {set} set by the scenario, the other \
         {} at their defaults. A distribution's central value is shown; each run draws its \
         own.</p>",
        all.len() - set
    );
    let mut out = String::from(
        "<table><thead><tr><th>assumption</th><th>value</th><th>unit</th>\
         <th>set by</th><th>distribution</th></tr></thead><tbody>",
    );
    for a in all {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            xml_escape(&a.key),
            a.value,
            xml_escape(&a.unit),
            a.set_by,
            xml_escape(a.distribution.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("</tbody></table>");
    // Wide at a narrow width: it scrolls in its own box, as the other tables do.
    intro + &scrolling(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(grouped(10017.0, 0), "10,017");
        assert_eq!(grouped(-1234567.3, 1), "-1,234,567.3");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(0.5, 2), "0.50");
        assert_eq!(num(2628.4, 0), "<td class=\"num\">2,628</td>");
    }

    /// Addresses become links, their own parentheses kept and the sentence's left out, and
    /// the text around them escaped.
    #[test]
    fn addresses_become_links() {
        assert_eq!(
            linked("see (https://example.org/a_(b)) & more."),
            "see (<a href=\"https://example.org/a_(b)\">https://example.org/a_(b)</a>) &amp; more."
        );
        assert_eq!(
            linked("Reuters via https://x.example/p?a=1&b=2."),
            "Reuters via <a href=\"https://x.example/p?a=1&amp;b=2\">https://x.example/p?a=1&amp;b=2</a>."
        );
    }

    #[test]
    fn the_title_is_the_scenario_file_name() {
        assert_eq!(
            scenario_name("/tmp/r-ui/april-2025-controls.toml"),
            "april-2025-controls.toml"
        );
        assert_eq!(scenario_name("us-only-ban.toml"), "us-only-ban.toml");
    }
}
