//! The analyst review of the trade monitor, checked on the bundled data: the EU aggregate,
//! partner series for a bloc, concentration on partial coverage, a total without partners,
//! year-to-date changes from any period type, derived figures, and incomplete years.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::{Sandbox, china_export_args};

fn partners_json(sb: &Sandbox, product: &str, period: &str) -> Value {
    sb.json(&china_export_args(
        "partners",
        product,
        &["--period", period, "--format", "json"],
    ))
}

/// The CSV rows of `trends` keyed by period, as column name → cell.
fn trends_csv(sb: &Sandbox, product: &str, rest: &[&str]) -> Vec<Vec<(String, String)>> {
    let mut args = vec!["--format", "csv"];
    args.extend_from_slice(rest);
    let csv = sb.stdout_of(&china_export_args("trends", product, &args));
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

fn cell<'a>(rows: &'a [Vec<(String, String)>], period: &str, column: &str) -> &'a str {
    let row = rows
        .iter()
        .find(|r| r[0].1 == period)
        .unwrap_or_else(|| panic!("no row {period}"));
    row.iter()
        .find(|(c, _)| c == column)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no column {column}"))
}

#[test]
fn issue_review_1_the_eu_aggregate_row_is_shown_beside_the_ranking() {
    let sb = Sandbox::new();
    let v = partners_json(&sb, "magnets", "2025-07");
    let ranked: Vec<&str> = v["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["partner_iso3"].as_str().unwrap())
        .collect();
    assert_eq!(ranked, ["DEU", "USA"], "EUU overlaps DEU: never ranked");
    let eu = &v["aggregates"][0];
    assert_eq!(eu["partner_iso3"], "EUU");
    assert_eq!(eu["name"], "European Union");
    assert_eq!(eu["quantity_t"], 2140.0);
    // 2,140 of the 5,577 t World row (SOURCES.md: SCMP, "38% of July").
    assert!((eu["share_pct"].as_f64().unwrap() - 38.37).abs() < 0.01);
    assert!(
        v["coverage_basis"]
            .as_str()
            .unwrap()
            .contains("aggregates such as EUU excluded")
    );
    let h1 = partners_json(&sb, "magnets", "2025-01..2025-06");
    assert_eq!(h1["aggregates"][0]["quantity_t"], 8360.0);
    sb.cmd()
        .args(china_export_args(
            "partners",
            "magnets",
            &["--period", "2025-07"],
        ))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "also reported: EUU (European Union, aggregate of members) 2,140 t = 38.4 % of \
             the world total; not counted in HHI/top-N because it overlaps its members",
        ));
}

#[test]
fn issue_review_2_trends_for_the_eu_partner_and_a_note_naming_the_partner() {
    let sb = Sandbox::new();
    let rows = trends_csv(&sb, "magnets", &["--partner", "EUU"]);
    assert_eq!(cell(&rows, "2025-07", "quantity_t"), "2140.0");
    // Jan–Jun YTD (8,360 t) + July: the year to date from any figures that span it.
    assert_eq!(cell(&rows, "2025-07", "ytd_t"), "10500.0");
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--partner", "FRA"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "no trade rows for reporter CHN, flow export, product magnets, partner FRA",
        ));
}

#[test]
fn issue_review_3_hhi_on_partial_coverage_is_a_lower_bound_and_no_top3_of_two() {
    let sb = Sandbox::new();
    let v = partners_json(&sb, "magnets", "2025-08");
    assert_eq!(v["hhi_is_lower_bound"], true);
    assert_eq!(v["hhi"].as_f64().map(f64::round), Some(92.0));
    let out = sb.stdout_of(&china_export_args(
        "partners",
        "magnets",
        &["--period", "2025-08"],
    ));
    assert!(out.contains("HHI 92 (lower bound)"), "{out}");
    assert!(
        out.contains(
            "note: the partners listed cover 9.6 % of the world total; HHI 92 is a lower bound"
        ),
        "{out}"
    );
    let july = sb.stdout_of(&china_export_args(
        "partners",
        "magnets",
        &["--period", "2025-07"],
    ));
    assert!(!july.contains("top-3"), "{july}");
    assert!(july.contains("2 partners listed"), "{july}");
    assert_eq!(
        partners_json(&sb, "magnets", "2025-07")["top3_share_pct"],
        Value::Null
    );
}

#[test]
fn issue_review_4_a_world_total_without_partners_is_not_no_rows() {
    let sb = Sandbox::new();
    let assert = sb
        .cmd()
        .args(china_export_args(
            "partners",
            "rare-earths",
            &["--period", "2025-06"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::contains("no trade rows").not());
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(out.contains("partners listed cover 0.0 %"), "{out}");
    assert!(!out.contains("-0.0"), "{out}");
    assert!(
        out.contains(
            "the world total for 2025-06 is 7,742.2 t, but there is no partner breakdown for \
             that period"
        ),
        "{out}"
    );
}

#[test]
fn issue_review_5_ytd_yoy_from_any_period_type_and_reported_rates_beside() {
    let sb = Sandbox::new();
    let rows = trends_csv(
        &sb,
        "rare-earths",
        &["--from", "2023-01", "--to", "2026-02"],
    );
    // 38,755.5 against 2023's Jan–Jul YTD 31,662 + Aug 4,775 (the source says 6.4).
    assert_eq!(cell(&rows, "2024-08", "ytd_yoy_pct"), "6.4");
    assert_eq!(cell(&rows, "2024-08", "reported_ytd_yoy_pct"), "6.4");
    assert_eq!(cell(&rows, "2024-09", "ytd_yoy_pct"), "6.4");
    // Against the 2023 annual 52,306 t.
    assert_eq!(cell(&rows, "2024-12", "ytd_yoy_pct"), "6.0");
    let magnets = trends_csv(&sb, "magnets", &["--from", "2025-05", "--to", "2025-06"]);
    assert_eq!(cell(&magnets, "2025-05", "reported_ytd_yoy_pct"), "-14.5");
    assert_eq!(cell(&magnets, "2025-06", "reported_ytd_yoy_pct"), "-18.9");
    assert_eq!(cell(&magnets, "2025-05", "reported_yoy_pct"), "-74.0");
}

#[test]
fn issue_review_6_derived_figures_and_derived_bases_are_marked() {
    let sb = Sandbox::new();
    let rows = trends_csv(&sb, "magnets", &["--from", "2024-05", "--to", "2025-05"]);
    assert_eq!(cell(&rows, "2024-05", "derived"), "level");
    // -74.0 % against 2024-05 = 4,762 t, itself derived from that -74 %: circular.
    assert_eq!(cell(&rows, "2025-05", "yoy_pct"), "-74.0");
    // And its -52.9 % month on month against April's 2,628 t, derived from that change.
    assert_eq!(cell(&rows, "2025-05", "derived"), "mom base; yoy base");
    let json = sb.json(&china_export_args(
        "trends",
        "magnets",
        &["--from", "2025-05", "--to", "2025-05", "--format", "json"],
    ));
    assert_eq!(json[0]["derived"], "mom base; yoy base");
    let table = sb.stdout_of(&china_export_args(
        "trends",
        "magnets",
        &["--from", "2025-05", "--to", "2025-05"],
    ));
    assert!(
        table.contains("derived: figures the dataset computed"),
        "{table}"
    );
}

#[test]
fn issue_review_7_an_incomplete_year_is_named_not_no_rows() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(china_export_args(
            "trends",
            "magnets",
            &["--freq", "A", "--from", "2025-01", "--to", "2025-12"],
        ))
        .assert()
        .success()
        .stderr(predicate::str::contains("no trade rows").not())
        .stderr(predicate::str::contains(
            "2025 is incomplete: no annual figure; monthly figures for 2025-01, \
             2025-04 to 2025-11; a reported year-to-date total through 2025-11 (51,440 t); \
             nothing for 2025-12",
        ));
}

/// A partner figure the dataset derived is marked in the ranking (JSON and table), as in
/// `trends`: China's September 2024 magnet exports to Germany (1,007 t) and the USA (596 t)
/// were backed out of published growth rates.
#[test]
fn second_review_derived_partner_figures_are_marked() {
    let sb = Sandbox::new();
    let v = partners_json(&sb, "magnets", "2024-09");
    let deu = v["partners"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["partner_iso3"] == "DEU"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(deu["is_derived"], true, "{v}");
    sb.cmd()
        .args(china_export_args(
            "partners",
            "magnets",
            &["--period", "2024-09"],
        ))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "derived: a figure the dataset computed",
        ));
}

/// Exposure's year of trade says when derived figures are in it: China's magnet exports to
/// the USA in 2024 are three months (Jul–Sep), each backed out of a growth rate.
#[test]
fn second_review_exposure_marks_derived_trade_figures() {
    let sb = Sandbox::new();
    sb.cmd()
        .args([
            "exposure",
            "--importer",
            "USA",
            "--product",
            "magnets",
            "--year",
            "2024",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "3 of 12 months (Jul–Sep); includes figures the dataset derived",
        ));
}
