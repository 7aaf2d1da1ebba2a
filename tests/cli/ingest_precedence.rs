//! Which figure wins where sources overlap: an ingest over the bundled data, the latest
//! ingest, the later file of one ingest; never their sum.

use predicates::prelude::*;

use crate::ingest::{china_exports, fixture, partner_quantity};
use crate::util::{Sandbox, china_export_args};

#[test]
fn user_data_takes_precedence_over_bundled_and_source_selects_one() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("ingest")
        .arg(fixture("comtrade_chn_850511.csv"))
        .assert()
        .success();
    let args = |source: Option<&str>| {
        let mut a = vec![
            "trends",
            "--reporter",
            "CHN",
            "--flow",
            "export",
            "--product",
            "magnets",
            "--from",
            "2025-05",
            "--to",
            "2025-05",
            "--format",
            "json",
            "--with-source",
        ];
        if let Some(s) = source {
            a.extend(["--source", s]);
        }
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        sb.json(&refs)
    };
    let v = run(args(None));
    assert_eq!(
        v[0]["quantity_t"], 1300.0,
        "user data first, never the sum with 1238"
    );
    assert_eq!(v[0]["source"], "comtrade");
    let v = run(args(Some("bundled")));
    assert_eq!(v[0]["quantity_t"], 1238.0);
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--source", "nope"],
        ))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bundled"));
}

#[test]
fn tidy_aggregates_override_bundled_figures_per_period() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("ingest")
        .arg(fixture("tidy_china_magnets.csv"))
        .assert()
        .success();
    let v = china_exports(
        &sb,
        "magnets",
        &["--from", "2025-04", "--to", "2025-06", "--with-source"],
    );
    let got: Vec<(String, f64, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["quantity_t"].as_f64().unwrap(),
                r["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2025-04".into(), 2700.0, "tidy".into()),
            ("2025-05".into(), 1250.0, "tidy".into()),
            ("2025-06".into(), 3188.0, "bundled".into()),
        ]
    );
    // The bundled year-to-date totals still hold the bundled April and May: said so.
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--from", "2025-05"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "ytd_t of 2025-05 to 2025-11 builds on the year-to-date total reported by bundled",
        ))
        .stderr(predicate::str::contains(
            "2025-04 from tidy, 2025-05 from tidy",
        ));
    sb.cmd()
        .arg("sources")
        .assert()
        .success()
        .stdout(predicate::str::contains("tidy_china_magnets.csv (tidy)"));
}

/// The latest ingest wins even when two run within the same second (ids compared as text
/// were decided by a random suffix there).
#[test]
fn the_latest_ingest_wins_within_one_second() {
    let sb = Sandbox::new();
    let original = std::fs::read_to_string(fixture("comtrade_chn_850511.csv")).unwrap();
    let mut revised = String::new();
    for line in original.lines() {
        if line.starts_with("C,M,20250501,2025,5,202505,156,CHN,China,X,Export,0,W00") {
            revised.push_str(&line.replace(",1300000,", ",1400000,"));
        } else {
            revised.push_str(line);
        }
        revised.push('\n');
    }
    let first = sb.write("first.csv", &original);
    let second = sb.write("second.csv", &revised);
    for f in [&first, &second] {
        sb.cmd().arg("ingest").arg(f).assert().success();
    }
    let v = china_exports(&sb, "850511", &["--from", "2025-05", "--to", "2025-05"]);
    assert_eq!(v[0]["quantity_t"], 1400.0, "{v}");
}

/// A tidy year-to-date row, declared in a `period_type` column, replaces the bundled YTD of
/// the same period and partner, and is not shown as a row of the monthly series.
#[test]
fn a_declared_tidy_ytd_replaces_the_bundled_one() {
    let sb = Sandbox::new();
    let file = sb.write(
        "ytd.csv",
        "period,period_type,reporter_iso3,partner_iso3,flow,product,quantity_t\n\
         2025-01..2025-05,ytd,CHN,WLD,export,magnets,20000\n",
    );
    sb.cmd().arg("ingest").arg(&file).assert().success();
    let v = china_exports(&sb, "magnets", &["--from", "2025-01", "--to", "2025-05"]);
    let rows = v.as_array().unwrap();
    assert!(
        rows.iter().all(|r| r["period"] != "2025-01..2025-05"),
        "{rows:?}"
    );
    let may = rows.iter().find(|r| r["period"] == "2025-05").unwrap();
    assert_eq!(may["ytd_t"], 20000.0);
    let bad = sb.write(
        "bad.csv",
        "period,period_type,reporter_iso3,partner_iso3,flow,product,quantity_t\n\
         2025-02..2025-05,ytd,CHN,WLD,export,magnets,20000\n",
    );
    sb.cmd()
        .arg("ingest")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.csv:2"))
        .stderr(predicate::str::contains(
            "a year to date is YYYY-01..YYYY-MM",
        ));
}

/// F21: two files of one ingest giving other figures for one key: the first file won,
/// silently (separate ingests let the later win). Now the later file wins, whatever the
/// order, and the ingest says which lines.
#[test]
fn within_one_ingest_the_later_file_wins_with_a_warning() {
    let head = "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd\n";
    for (first, second, want) in [("a1", "a2", 999.0), ("a2", "a1", 100.0)] {
        let sb = Sandbox::new();
        let a1 = sb.write(
            "a1.csv",
            &format!("{head}2014-03,CHN,USA,export,850511,100,\n"),
        );
        let a2 = sb.write(
            "a2.csv",
            &format!("{head}2014-03,CHN,USA,export,850511,999,\n"),
        );
        let (f1, f2) = if first == "a1" {
            (&a1, &a2)
        } else {
            (&a2, &a1)
        };
        sb.cmd()
            .arg("ingest")
            .arg(f1)
            .arg(f2)
            .assert()
            .success()
            .stderr(predicate::str::contains(format!(
                "{second}.csv: 1 line(s) give other figures"
            )))
            .stderr(predicate::str::contains(format!(
                "line 2 (as {}:2)",
                f1.display()
            )))
            .stderr(predicate::str::contains(
                "This later file's figures are used",
            ));
        assert_eq!(
            partner_quantity(&sb, "2014-03", "USA"),
            Some(want),
            "{first} then {second}"
        );
        // `sources` names each file of the ingest on its own row.
        let sources = sb.stdout_of(&["sources", "--format", "csv"]);
        assert!(
            sources.contains(&format!("from {} (tidy)", f2.display())),
            "{sources}"
        );
    }
}
