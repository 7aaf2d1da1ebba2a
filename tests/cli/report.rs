//! `chokepoint report`: a self-contained HTML report and PNG charts from a scenario.

use crate::util::{Sandbox, repo_root};

#[test]
fn report_is_one_self_contained_html_file_with_charts_and_tables() {
    let sb = Sandbox::new();
    let scenario = repo_root().join("scenarios/april-2025-controls.toml");
    sb.cmd()
        .args([
            "report",
            scenario.to_str().unwrap(),
            "--out",
            "out/report.html",
        ])
        .args(["--runs", "8", "--seed", "3", "--png", "charts"])
        .assert()
        .success();
    let html = std::fs::read_to_string(sb.path().join("out/report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("april-2025-controls.toml"));
    assert!(html.contains("8 Monte Carlo runs, seed 3"));
    assert!(html.contains("<h2>Sources</h2>") && html.contains("export_controls.csv"));
    // The assumptions the results follow from, each with its value and who set it
    // (procurement review: a 45-day stock nobody set, listed nowhere).
    assert!(
        html.contains("<h2>Assumptions in force</h2>"),
        "assumptions listed"
    );
    assert!(
        html.contains("<tr><td>inventory_days_industrial_motors</td><td>45</td>"),
        "a default with its value"
    );
    assert!(html.matches("<svg").count() >= 2, "charts inline");
    assert!(html.contains("<polygon"), "a fan chart");
    assert!(html.contains("customs exports (observed)"));
    // The derived April 2025 figure is marked, orders are labelled as including restocking
    // next to the baseline flow, and the comparison with customs and the limitations are
    // stated next to the results.
    assert!(
        html.contains("2,628 (derived*)"),
        "tonnes with thousands separators"
    );
    assert!(html.contains("customs exports (derived, not reported)"));
    assert!(html.contains("orders placed t (incl. restocking, p50)"));
    assert!(html.contains("<th>baseline flow t</th>"));
    assert!(html.contains("<h2>Simulated vs customs exports</h2>"));
    assert!(html.contains("outside the simulated 5–95 % band"));
    assert!(html.contains("<h2>Limitations</h2>") && html.contains("no priority between buyers"));
    assert!(html.contains("below 90 % from (slowdown, not a halt)"));
    assert!(html.contains("<h2>Halt and recovery dates</h2>") && html.contains("<td>EU</td>"));
    // The title names the scenario file, not the absolute path it was read from.
    assert!(html.contains("<h1>Scenario report: april-2025-controls.toml</h1>"));
    assert!(!html.contains(scenario.to_str().unwrap()));
    // Halt probability in % of runs; months on one line; wide tables scroll in their own box.
    assert!(html.contains("<th>halt probability (% of runs)</th>"));
    assert!(html.contains("<th>days below 50 % (p50)</th>"));
    // A summary first (analyst review: no summary, and no EU chart among four regions'
    // identical losses): each losing region's worst industry, the EU included, and
    // China's magnet exports against their undisturbed flow.
    let summary =
        &html[html.find("<h2>Summary</h2>").unwrap()..html.find("<h2>Sources</h2>").unwrap()];
    assert!(
        summary.contains("<li><b>EU</b>, most affected industry"),
        "{summary}"
    );
    assert!(
        summary.contains("<li><b>USA</b>, most affected industry"),
        "{summary}"
    );
    assert!(
        summary.contains("CHN exports of magnets delivered over the horizon"),
        "{summary}"
    );
    assert!(
        summary.contains("a blank date in the tables below means"),
        "{summary}"
    );
    assert!(
        html.contains("<figcaption>EU "),
        "the output charts include the EU's worst industry"
    );
    assert!(html.contains("<td class=\"date\">2025-04</td>"));
    // The industries, the edges and the assumptions tables each scroll in their own box.
    assert_eq!(html.matches("<div class=\"scroll\"><table>").count(), 3);
    // Every chart has a text alternative for screen readers.
    let svgs = html.matches("<svg").count();
    assert_eq!(html.matches("<svg role=\"img\" aria-label=").count(), svgs);
    assert_eq!(html.matches("<desc>").count(), svgs);
    // Nothing is fetched when the file is opened: no scripts, no external resources. Web
    // addresses are links the reader may follow (web review: none could be clicked).
    for needle in ["<script", "src=\"http", "url(http", "@import", "<link"] {
        assert!(!html.contains(needle), "report contains {needle}");
    }
    assert_eq!(
        html.matches("href=\"http").count(),
        html.matches("<a href=\"http").count()
    );
    assert!(html.contains("<a href=\"https://"), "no source is a link");
    // The data it was computed from, and when (web review: an ingested month was compared
    // with the runs and the report named neither it nor any customs source).
    let data = &html[html.find("<h2>Data</h2>").unwrap()..];
    assert!(
        data.contains("monthly magnet exports to the world, which the runs are compared with: ")
            && data.contains("from bundled")
            && data.contains("table trade: "),
        "{data}"
    );
    assert!(html.contains(" at 20"), "no time of writing");
    let pngs: Vec<_> = std::fs::read_dir(sb.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(pngs.len() >= 2);
    assert!(
        html.matches("<figure>").count() == pngs.len(),
        "one PNG per chart"
    );
    for p in pngs {
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{}", p.display());
    }
}

#[test]
fn missing_scenario_is_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["report", "nope.toml", "--out", "r.html"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nope.toml"));
}

/// Outputs that cannot be written fail before the runs, and nothing is written.
#[test]
fn unwritable_outputs_fail_before_anything_is_written() {
    let sb = Sandbox::new();
    let scenario = repo_root().join("scenarios/april-2025-controls.toml");
    std::fs::create_dir(sb.path().join("a-folder")).unwrap();
    sb.write("a-file", "x");
    sb.cmd()
        .args([
            "report",
            scenario.to_str().unwrap(),
            "--out",
            "a-folder",
            "--runs",
            "2",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a-folder is a folder"));
    sb.cmd()
        .args([
            "report",
            scenario.to_str().unwrap(),
            "--out",
            "r.html",
            "--runs",
            "2",
        ])
        .args(["--png", "a-file"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a-file"));
    assert!(!sb.path().join("r.html").exists());
}

/// An ARIO scenario given to `report` says which command runs it.
#[test]
fn an_ario_scenario_is_pointed_to_simulate() {
    let sb = Sandbox::new();
    let ario = repo_root().join("crates/chokepoint-sim/tests/reference/scenarios/v_noevent.toml");
    sb.cmd()
        .args(["report", ario.to_str().unwrap(), "--out", "r.html"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ARIO disruption scenario"))
        .stderr(predicates::str::contains(
            "chokepoint simulate FILE --out DIR",
        ));
}

#[test]
fn invalid_scenario_is_exit_2_with_its_location() {
    let sb = Sandbox::new();
    let bad = sb.write(
        "bad.toml",
        "[chain]\nstart = \"2025-04-01\"\ndays = \"many\"\n",
    );
    sb.cmd()
        .args(["report", bad.to_str().unwrap(), "--out", "r.html"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml"));
    assert!(!sb.path().join("r.html").exists());
}
