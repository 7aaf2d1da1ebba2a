//! The trade monitor on the bundled data: sources, sql, trends, partners, anomalies.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::{Sandbox, china_export_args};

#[test]
fn issue_2_trends_reproduce_the_may_2025_customs_figures() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(china_export_args(
            "trends",
            "rare-earths",
            &["--from", "2025-01", "--to", "2025-06", "--format", "csv"],
        ))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let csv = String::from_utf8(out).unwrap();
    // The first seven columns are the contract; later ones are additions.
    let lines: Vec<String> = csv
        .lines()
        .map(|l| l.split(',').take(7).collect::<Vec<_>>().join(","))
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    assert_eq!(
        lines[0],
        "period,quantity_t,value_usd,mom_pct,yoy_pct,ytd_t,ytd_yoy_pct"
    );
    assert_eq!(
        lines[1], "2025-01..2025-02,8511.0,,,-3.0,8511.0,-3.0",
        "Jan-Feb stays combined"
    );
    assert!(
        lines.contains(&"2025-05,5864.6,,22.6,-5.7,24826.7,2.3"),
        "{csv}"
    );
    let june = lines.iter().find(|l| l.starts_with("2025-06,")).unwrap();
    assert_eq!(june.split(',').nth(4), Some("60.3"), "{june}");
    assert_eq!(lines.len(), 6, "{csv}");
}

#[test]
fn trends_json_uses_the_csv_column_names_and_null_for_undefined() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(china_export_args(
            "trends",
            "rare-earths",
            &[
                "--from",
                "2025-03",
                "--to",
                "2025-03",
                "--format",
                "json",
                "--with-source",
            ],
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &v[0];
    assert_eq!(row["period"], "2025-03");
    assert_eq!(
        row["mom_pct"],
        Value::Null,
        "no MoM right after combined Jan-Feb"
    );
    assert_eq!(row["ytd_t"], 14177.3);
    assert_eq!(row["source"], "bundled");
    // The report the level was published in, so that it traces without `sql` (analyst
    // review): the bundled row's citation.
    assert!(
        row["citation"].as_str().is_some_and(|c| c.contains("http")),
        "{row}"
    );
    // The table and CSV show it with --with-source, then the sources other than the row's
    // that its changes compare with (formats review).
    let csv = sb.stdout_of(&china_export_args(
        "trends",
        "magnets",
        &[
            "--from",
            "2025-06",
            "--to",
            "2025-06",
            "--format",
            "csv",
            "--with-source",
        ],
    ));
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",derived,citation,other_sources"),
        "{csv}"
    );
    assert!(lines.next().unwrap().contains("timeslive.co.za"), "{csv}");
}

#[test]
fn anomalies_flag_the_april_may_2025_magnet_collapse() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(china_export_args(
            "anomalies",
            "magnets",
            &["--format", "json"],
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let flagged: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flag"] == "drop")
        .map(|r| r["period"].as_str().unwrap())
        .collect();
    assert!(
        flagged.contains(&"2025-04") && flagged.contains(&"2025-05"),
        "{flagged:?}"
    );
    // April 2025 is derived (from May and its reported m/m change), and May's -74 % is
    // against baselines holding derived months: both say so (analyst review).
    let row = |p: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["period"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(row("2025-04")["is_derived"], true);
    assert_eq!(row("2025-05")["is_derived"], false);
    assert_eq!(row("2025-05")["baseline_includes_derived"], true);
    // A negative threshold is named as such, not read as a flag.
    sb.cmd()
        .args(china_export_args(
            "anomalies",
            "magnets",
            &["--threshold", "-5"],
        ))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--threshold must be a positive percentage",
        ));
}

#[test]
fn sources_lists_every_table_with_provenance() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["sources", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("trade,bundled,bundled,144"))
        .stdout(predicate::str::contains("production,bundled"))
        .stdout(predicate::str::contains("end_uses,bundled"));
}

#[test]
fn a_bad_datafusion_setting_in_the_environment_is_exit_2_and_named() {
    let sb = Sandbox::new();
    sb.cmd()
        .env("DATAFUSION_EXECUTION_TARGET_PARTITIONS", "many")
        .args(["sql", "SELECT 1 AS x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "DATAFUSION_EXECUTION_TARGET_PARTITIONS=many",
        ))
        .stderr(predicate::str::contains("fix or unset it"));
    sb.cmd()
        .env("DATAFUSION_EXECUTION_TARGET_PARTITIONS", "3")
        .args(["sql", "SELECT 1 AS x", "--format", "csv"])
        .assert()
        .success()
        .stdout("x\n1\n");
}

/// Adversarial review: `sql` had no time limit. `--timeout` stops a query that computes for
/// minutes (five joins without a condition) with exit code 2 and says how to narrow it.
#[test]
fn sql_stops_at_its_timeout_with_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args([
            "sql",
            "SELECT sum(a.quantity_t * b.quantity_t + c.quantity_t - d.quantity_t + \
             e.quantity_t) AS s FROM trade a, trade b, trade c, trade d, trade e",
            "--timeout",
            "1",
        ])
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ran past --timeout 1 s"))
        .stderr(predicate::str::contains("give a longer --timeout"));
    // CSV and JSON stream under the stdout lock: the timeout still stops them (code review).
    for format in ["csv", "json"] {
        sb.cmd()
            .args([
                "sql",
                "SELECT sum(a.quantity_t * b.quantity_t + c.quantity_t - d.quantity_t + \
                 e.quantity_t) AS s FROM trade a, trade b, trade c, trade d, trade e",
                "--timeout",
                "1",
                "--format",
                format,
            ])
            .timeout(std::time::Duration::from_secs(120))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("ran past --timeout 1 s"));
    }
    sb.cmd()
        .args(["sql", "SELECT 1 AS x", "--timeout", "0"])
        .assert()
        .code(2);
}

#[test]
fn sql_answers_queries_and_refuses_writes_with_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args([
            "sql",
            "SELECT year, share FROM stage_shares WHERE country_iso3 = 'CHN' AND stage = 'magnet_manufacturing' ORDER BY year, share LIMIT 1",
            "--format", "csv",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("year,share\n"));
    sb.cmd()
        .args([
            "sql",
            "SELECT period FROM trade WHERE 1 = 0",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stdout("period\n");
    // Results are written batch by batch; every row arrives, in every format.
    let pairs = "SELECT a.period FROM trade a, trade b";
    let total: usize = sb
        .stdout_of(&["sql", "SELECT count(*) AS n FROM trade", "--format", "csv"])
        .lines()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    let csv = sb.stdout_of(&["sql", pairs, "--format", "csv"]);
    assert_eq!(csv.lines().count(), total * total + 1);
    let json: serde_json::Value =
        serde_json::from_str(&sb.stdout_of(&["sql", pairs, "--format", "json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), total * total);
    sb.cmd()
        .args(["sql", "DROP TABLE trade"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("read-only"));
    sb.cmd()
        .args(["sql", "SELECT no_such_column FROM trade"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no_such_column"));
}

#[test]
fn a_cte_read_twice_is_computed_once_with_the_same_answer() {
    let sb = Sandbox::new();
    // Month-on-month change of every bundled series. As a CTE read twice, the grouped
    // months are materialised once; written out twice as subqueries, they are not. Both
    // must give the same rows.
    let months = "SELECT reporter_iso3, product, period_start, SUM(quantity_t) AS q \
                  FROM trade WHERE period_type = 'month' \
                  GROUP BY reporter_iso3, product, period_start";
    let tail = "ON a.reporter_iso3 = b.reporter_iso3 AND a.product = b.product \
                AND CAST(b.period_start || '-01' AS DATE) = CAST(a.period_start || '-01' AS DATE) - INTERVAL '1 month' \
                WHERE b.q > 0 ORDER BY a.product, a.period_start";
    let select = "SELECT a.product, a.period_start, round(a.q / b.q, 9) AS ratio";
    let shared = format!("WITH m AS ({months}) {select} FROM m a JOIN m b {tail}");
    let inline = format!("{select} FROM ({months}) a JOIN ({months}) b {tail}");
    let run = |sql: &str| {
        let out = sb
            .cmd()
            .args(["sql", sql, "--format", "csv"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let (shared, inline) = (run(&shared), run(&inline));
    assert_eq!(shared, inline);
    assert!(shared.lines().count() > 20, "{shared}");
    // An error inside the shared CTE is still the query's fault: exit 2, named.
    sb.cmd()
        .args([
            "sql",
            "WITH m AS (SELECT nope, SUM(quantity_t) AS q FROM trade GROUP BY nope) \
             SELECT * FROM m a JOIN m b ON a.nope = b.nope",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn unknown_product_lists_the_choices_and_exits_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(china_export_args("trends", "magnet", &[]))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("magnets").and(predicate::str::contains("rare-earths")));
}

#[test]
fn hs_code_query_never_matches_the_bundled_aggregates() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(china_export_args("trends", "850511", &["--format", "csv"]))
        .assert()
        .success()
        .stdout(
            "period,quantity_t,value_usd,mom_pct,yoy_pct,ytd_t,ytd_yoy_pct,\
             reported_yoy_pct,reported_ytd_yoy_pct,derived\n",
        );
}

#[test]
fn partners_rank_magnet_destinations_with_hhi() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(china_export_args(
            "partners",
            "magnets",
            &["--period", "2025-09", "--format", "json"],
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["partners"][0]["partner_iso3"], "DEU");
    assert_eq!(v["total_basis"], "world row");
    let hhi = v["hhi"].as_f64().unwrap();
    assert!(hhi > 0.0 && hhi < 10_000.0);
}

/// An empty answer says what was looked for and how to list what is stored (stdout keeps
/// only the table, so CSV stays machine-readable).
#[test]
fn an_empty_answer_is_explained_on_stderr() {
    let sb = Sandbox::new();
    let assert = sb
        .cmd()
        .args([
            "trends",
            "--reporter",
            "BRA",
            "--flow",
            "export",
            "--product",
            "magnets",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("no trade rows for reporter BRA"))
        .stderr(predicate::str::contains("SELECT DISTINCT reporter_iso3"));
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert_eq!(out.lines().count(), 1, "{out}");
    sb.cmd()
        .args(china_export_args(
            "partners",
            "magnets",
            &["--period", "2030-01"],
        ))
        .assert()
        .success()
        // The flow has partner rows in other periods: the note names them instead of the
        // generic "no trade rows".
        .stdout(predicate::str::contains(
            "no partner rows for 2030-01; partner rows exist for months",
        ))
        .stderr(predicate::str::contains("no trade rows").not());
}

#[test]
fn trends_with_from_after_to_is_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--from", "2026-01", "--to", "2025-01"],
        ))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--from 2026-01 is after --to 2025-01",
        ));
}

#[test]
fn demo_into_a_closed_pipe_ends_quietly() {
    // `chokepoint demo | head -1` once panicked in `println!` when head had gone. The read
    // end is closed before the child can print anything, so its first line already finds
    // the pipe closed.
    let sb = Sandbox::new();
    let mut child = sb
        .std_cmd()
        .arg("demo")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}

#[test]
fn demo_prints_the_monitor_view() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("5864.6"))
        .stdout(predicate::str::contains("drop"))
        // The magnet share's year is the IEA commentary's publication year, not a data year,
        // and both IEA figures are quoted by outlets (policy review: "iea" alone overstated
        // where they came from); mining is at the year `shares` takes by default.
        .stdout(predicate::str::contains(
            "magnets    2025 publication (iea, as quoted)",
        ))
        .stdout(predicate::str::contains("separation 2023 (iea, as quoted)"))
        .stdout(predicate::str::contains(
            "mining     2025 (usgs MCS2026): CHN 69.2 %",
        ));
    assert!(
        sb.path()
            .join("chokepoint-demo/monitor-magnets.csv")
            .is_file()
    );
}

/// F11: the CLI's anomalies JSON rounded every departure (`-48.2163406`) where the API
/// gave the full value (`-48.21634062140391`). Both now serialise the same rows.
#[test]
fn anomalies_json_is_the_apis() {
    let sb = Sandbox::new();
    let cli = sb.json(&china_export_args(
        "anomalies",
        "rare-earths",
        &["--all", "--format", "json"],
    ));
    let (mut child, url) = crate::serve::start_server(&sb, &[]);
    let (status, body) = crate::serve::http_get(
        &url,
        "/api/anomalies?reporter=CHN&flow=export&product=rare-earths&all=true",
        &[],
    );
    crate::serve::terminate(&mut child);
    assert_eq!(status, 200, "{body}");
    let api: Value = serde_json::from_str(&body).unwrap();
    assert!(cli.as_array().is_some_and(|rows| rows.len() > 12), "{cli}");
    assert_eq!(cli, api);
}

/// F12: the API accepted values the CLI refused (`stage=Mining`, `method=EU`) and read a
/// blank parameter (`source=`) as absent. The CLI now parses `--stage`, `--source` and
/// `--method` with the API's parsers, and the API refuses blank values as the CLI does.
#[test]
fn the_cli_and_the_api_accept_and_refuse_the_same_values() {
    let sb = Sandbox::new();
    let lower = sb.json(&["shares", "--stage", "mining", "--format", "json"]);
    let upper = sb.json(&["shares", "--stage", "Mining", "--format", "json"]);
    assert_eq!(lower, upper);
    sb.cmd()
        .args(["criticality", "--method", "EU", "--format", "json"])
        .assert()
        .success();
    sb.cmd()
        .args(["shares", "--stage", "components"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("expected one of mining"));
    let (mut child, url) = crate::serve::start_server(&sb, &[]);
    let (ok, body) = crate::serve::http_get(&url, "/api/shares?stage=Mining", &[]);
    let (blank, blank_body) = crate::serve::http_get(
        &url,
        "/api/trends?reporter=CHN&flow=export&product=magnets&source=",
        &[],
    );
    let (blank_partner, _) = crate::serve::http_get(
        &url,
        "/api/trends?reporter=CHN&flow=export&product=magnets&partner=",
        &[],
    );
    // Blank `year=` and `edition=` were answered as if absent (web review).
    let blank_year: Vec<u16> = [
        "/api/shares?stage=mining&year=",
        "/api/shares?stage=mining&edition=",
        "/api/exposure?importer=EU&product=magnets&year=",
        "/api/criticality?year=",
    ]
    .iter()
    .map(|path| crate::serve::http_get(&url, path, &[]).0)
    .collect();
    crate::serve::terminate(&mut child);
    assert_eq!(ok, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), upper);
    assert_eq!(blank, 400, "{blank_body}");
    assert!(blank_body.contains("`source` is empty"), "{blank_body}");
    assert_eq!(blank_partner, 400);
    assert_eq!(blank_year, [400, 400, 400, 400]);
}

/// Analyst review: the magnet series jumps from 2025-01 to 2025-04 and the table read as
/// continuous. The skipped months are named, with what the YTD through May (19,132 t)
/// implies they held: 19,132 − 6,357 (Jan) − 2,628 (Apr) − 1,238 (May) = 8,909 t.
#[test]
fn trends_name_the_months_a_series_skips_and_what_the_ytd_implies() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--from", "2025-01", "--to", "2025-12"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "2025-02 to 2025-03 have no figure in this series",
        ))
        .stderr(predicate::str::contains(
            "the year-to-date total through 2025-05 implies 8,909 t for them together",
        ))
        .stderr(predicate::str::contains("whose scope may differ").not());
    // The 2024 year (58,152 t, Adamas Intelligence) counts magnet alloys too; none of the
    // months cites it, so what it implies for November–December is said to be of another
    // scope (procurement review).
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--from", "2024-09", "--to", "2025-01"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "that total is from a publication none of its months cites (Adamas Intelligence",
        ));
}

/// Re-review: `anomalies` on a product with no rows printed an empty table and nothing
/// else, which reads as "nothing flagged"; it says what it looked for, and for an HS code
/// where the bundled series is stored by name.
#[test]
fn anomalies_of_a_flow_without_rows_say_so() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(china_export_args("anomalies", "8505.11", &[]))
        .assert()
        .success()
        .stderr(predicate::str::contains("no trade rows for reporter CHN"))
        .stderr(predicate::str::contains("reached with `--product magnets`"));
    // A flow with rows and nothing flagged says nothing.
    sb.cmd()
        .args(china_export_args(
            "anomalies",
            "rare-earths",
            &["--threshold", "1000"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}
