//! `chokepoint ingest` with real-format fixtures: Comtrade+, BACI, tidy; atomicity,
//! idempotence, strict and --skip-bad modes, source precedence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::util::{Sandbox, china_export_args, repo_root};

pub(crate) fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// `trends` of China's exports of `product` as JSON, with `extra` flags.
pub(crate) fn china_exports(sb: &Sandbox, product: &str, extra: &[&str]) -> serde_json::Value {
    let args = [extra, &["--format", "json"]].concat();
    sb.json(&china_export_args("trends", product, &args))
}

pub(crate) fn trade_rows(sb: &Sandbox) -> i64 {
    sb.json(&["sql", "SELECT count(*) AS n FROM trade", "--format", "json"])[0]["n"]
        .as_i64()
        .unwrap()
}

/// Every file under the warehouse with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn comtrade_file_answers_trends_from_world_rows_without_double_counting() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("ingest")
        .arg(fixture("comtrade_chn_850511.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("comtrade"))
        .stdout(predicate::str::contains("transport-mode breakdown"))
        .stdout(predicate::str::contains("committed ingest"))
        // The fixture's 2024-05 row for the USA flags its weight as Comtrade's estimate.
        .stderr(predicate::str::contains(
            "1 row takes tonnes from a weight UN Comtrade estimated",
        ));
    let marked = sb.json(&[
        "sql",
        "SELECT partner_iso3, period, notes FROM trade WHERE notes LIKE 'tonnes from a weight%'",
        "--format",
        "json",
    ]);
    assert_eq!(marked.as_array().map(Vec::len), Some(1), "{marked}");
    assert_eq!(marked[0]["partner_iso3"], "USA");
    assert_eq!(marked[0]["period"], "2024-05");
    let v = china_exports(&sb, "850511", &["--from", "2025-04", "--to", "2025-05"]);
    // World row 1,300 t (never World + partners, never the sea-freight breakdown).
    assert_eq!(v[1]["period"], "2025-05");
    assert_eq!(v[1]["quantity_t"], 1300.0);
    assert_eq!(v[1]["mom_pct"], -50.0);
    assert_eq!(
        v[1]["yoy_pct"].as_f64().map(|x| (x * 10.0).round() / 10.0),
        Some(-72.3)
    );
    // Annual rows are their own frequency.
    let a = china_exports(&sb, "850511", &["--freq", "A"]);
    assert_eq!(a[0]["period"], "2024");
    assert_eq!(a[0]["quantity_t"], 58000.0);
}

#[test]
fn comtrade_partners_count_a_duplicated_line_once_and_keep_non_ascii_partners() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("ingest")
        .arg(fixture("comtrade_chn_850511.csv"))
        .assert()
        .success();
    let v = sb.json(&china_export_args(
        "partners",
        "850511",
        &["--period", "2025-05", "--format", "json"],
    ));
    let partners: Vec<(&str, f64)> = v["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["partner_iso3"].as_str().unwrap(),
                p["quantity_t"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        partners,
        vec![
            ("DEU", 400.0),
            ("KOR", 300.0),
            ("USA", 50.0),
            ("HKG", 5.0),
            ("TUR", 2.0),
            ("CIV", 1.0)
        ]
    );
    assert_eq!(v["total_basis"], "world row");
    let hhi = v["hhi"].as_f64().unwrap();
    let expected: f64 = [400.0, 300.0, 50.0, 5.0, 2.0, 1.0]
        .iter()
        .map(|q| (q / 1300.0 * 100.0_f64).powi(2))
        .sum();
    assert!((hhi - expected).abs() < 1e-6, "{hhi} vs {expected}");
}

#[test]
fn reingesting_the_same_file_adds_nothing() {
    let sb = Sandbox::new();
    let f = fixture("comtrade_chn_850511.csv");
    sb.cmd().arg("ingest").arg(&f).assert().success();
    let after_first = trade_rows(&sb);
    let before = snapshot(&sb.data_dir().join("warehouse"));
    sb.cmd()
        .arg("ingest")
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("already ingested"))
        .stdout(predicate::str::contains("warehouse is unchanged"));
    assert_eq!(trade_rows(&sb), after_first);
    assert_eq!(snapshot(&sb.data_dir().join("warehouse")), before);
}

#[test]
fn skip_bad_stores_good_rows_and_writes_rejects_with_reasons() {
    let sb = Sandbox::new();
    let rejects = sb.path().join("rejects.csv");
    sb.cmd()
        .arg("ingest")
        .arg(fixture("comtrade_malformed.csv"))
        .arg("--skip-bad")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .success();
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.starts_with("file,line,column,reason,row\n"), "{text}");
    assert!(
        text.contains(",5,netWgt,") && text.contains("not a number"),
        "{text}"
    );
    // Each reject carries its row, read back as the CSV it is (the cells as in the input,
    // quoted where they need it), so it can be fixed without finding it by line number.
    let input = std::fs::read_to_string(fixture("comtrade_malformed.csv")).unwrap();
    let line5 = input.lines().nth(4).unwrap();
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let rec = r
        .records()
        .map(Result::unwrap)
        .find(|rec| &rec[1] == "5")
        .unwrap();
    let cells = |line: &str| -> Vec<String> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(cells(&rec[4]), cells(line5));
    // The rejects are written as they are found, to a file staged beside the target and
    // renamed on commit: none is left behind.
    assert!(!sb.path().join("rejects.csv.partial").exists());
    let n = sb.json(&[
        "sql",
        "SELECT count(*) AS n FROM trade WHERE source = 'comtrade'",
        "--format",
        "json",
    ]);
    assert_eq!(n[0]["n"], 5);
}

#[test]
fn baci_file_with_countries_beside_it_answers_exporter_and_importer_views() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("ingest")
        .arg(fixture("baci/BACI_HS17_Y2022_V202401_fixture.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("baci"));
    let v = china_exports(&sb, "850511", &["--freq", "A"]);
    // Sum over partners (BACI has no World rows): 2021 = 4100.25 + 3900 + 4050.5.
    assert_eq!(v[0]["period"], "2021");
    assert_eq!(v[0]["quantity_t"], 12050.75);
    assert_eq!(
        v[1]["quantity_t"], 14800.0,
        "2022 incl. S19, excl. the row without q"
    );
    assert_eq!(
        v[1]["value_usd"], 1_223_113_250.0,
        "the row without q still has a value"
    );
    let m = sb.json(&[
        "partners",
        "--reporter",
        "JPN",
        "--flow",
        "import",
        "--product",
        "magnets",
        "--period",
        "2022",
        "--format",
        "json",
    ]);
    assert_eq!(m["partners"][0]["partner_iso3"], "CHN");
    assert_eq!(m["partners"][0]["quantity_t"], 4700.0);
    // BACI's own area code (S19, "Other Asia, nes": Taiwan) is stored, so it can be asked
    // for; the partner argument used to take letters only.
    let s19 = china_exports(&sb, "850511", &["--freq", "A", "--partner", "s19"]);
    assert_eq!(s19[0]["period"], "2022");
    assert_eq!(s19[0]["quantity_t"], 600.0);
    // Leading zero restored on a chapter-08 code written as a number.
    let h = sb.json(&[
        "sql",
        "SELECT DISTINCT hs_code FROM trade WHERE hs_code LIKE '0%'",
        "--format",
        "json",
    ]);
    assert_eq!(h[0]["hs_code"], "080510");
}

#[test]
fn baci_needs_its_country_codes() {
    let sb = Sandbox::new();
    let data =
        std::fs::read_to_string(fixture("baci/BACI_HS17_Y2022_V202401_fixture.csv")).unwrap();
    let f = sb.write("alone/BACI_x.csv", &data);
    sb.cmd()
        .arg("ingest")
        .arg(&f)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--baci-countries"));
    sb.cmd()
        .arg("ingest")
        .arg(&f)
        .arg("--baci-countries")
        .arg(fixture("baci/country_codes_V202401.csv"))
        .assert()
        .success();
    // The country-codes file is read too: --rejects may not write over it, given or found.
    let codes = sb.write(
        "alone/country_codes_V202401.csv",
        &std::fs::read_to_string(fixture("baci/country_codes_V202401.csv")).unwrap(),
    );
    for given in [true, false] {
        let mut cmd = sb.cmd();
        cmd.arg("ingest")
            .arg(&f)
            .arg("--skip-bad")
            .arg("--rejects")
            .arg(&codes);
        if given {
            cmd.arg("--baci-countries").arg(&codes);
        }
        cmd.assert()
            .code(2)
            .stderr(predicate::str::contains("inputs"));
    }
    assert!(std::fs::read_to_string(&codes).unwrap().contains("S19"));
    // A file that is not BACI, read as BACI, is told about its header first, not about a
    // country-codes file it has no use for.
    let tidy = sb.write(
        "alone/tidy.csv",
        "period,reporter,partner,flow,product,quantity_t\n",
    );
    sb.cmd()
        .args(["ingest", "--format", "baci"])
        .arg(&tidy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing column `t`"))
        .stderr(predicate::str::contains("--baci-countries").not());
}

/// Two ingests of one file at once store it once: the second waits for the first and
/// then finds the file stored.
#[test]
fn parallel_ingests_of_one_file_store_it_once() {
    let sb = Sandbox::new();
    sb.cmd().arg("sources").assert().success();
    let bundled = trade_rows(&sb);
    let file = fixture("comtrade_chn_850511.csv");
    let children: Vec<_> = (0..3)
        .map(|_| {
            sb.std_cmd()
                .arg("ingest")
                .arg(&file)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let once = trade_rows(&sb) - bundled;
    sb.cmd().arg("ingest").arg(&file).assert().success();
    let fresh = Sandbox::new();
    fresh.cmd().arg("ingest").arg(&file).assert().success();
    assert_eq!(once, trade_rows(&fresh) - bundled);
}

/// Two lines of one file with the same key and other figures are both stored, so ingest
/// warns and names them (`trends` used either without a word); an exact repeat is fine.
#[test]
fn conflicting_repeats_in_one_file_are_named_at_ingest() {
    let sb = Sandbox::new();
    let file = sb.write(
        "dup.csv",
        "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t\n\
         2025-05,CHN,WLD,export,850511,2700\n\
         2025-05,CHN,WLD,export,850511,2700\n\
         2025-05,CHN,JPN,export,850511,5\n\
         2025-05,CHN,WLD,export,850511,1\n",
    );
    sb.cmd()
        .arg("ingest")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 line(s) repeat"))
        .stderr(predicate::str::contains("line 5 (as 2)"));
}

/// The quantity of China's exports of 850511 to `partner` in `period`, by `partners`.
pub(crate) fn partner_quantity(sb: &Sandbox, period: &str, partner: &str) -> Option<f64> {
    let v = sb.json(&china_export_args(
        "partners",
        "850511",
        &["--period", period, "--format", "json"],
    ));
    v["partners"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["partner_iso3"] == partner)
        .and_then(|r| r["quantity_t"].as_f64())
}

/// F4: a BACI file ingested with a wrong country-codes file could not be ingested again
/// with the corrected one ("already ingested"): the codes file is now part of the key.
#[test]
fn a_baci_file_read_with_corrected_country_codes_is_ingested_again() {
    let sb = Sandbox::new();
    let data = sb.write(
        "BACI_HS17_Y2019_V202401.csv",
        "t,i,j,k,v,q\n2019,156,392,850511,1.5,2.5\n",
    );
    let head = "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n";
    let wrong = sb.write("wrong_cc.csv", &format!("{head}392,Japan,JP,KOR\n"));
    let right = sb.write("right_cc.csv", &format!("{head}392,Japan,JP,JPN\n"));
    let ingest = |codes: &std::path::Path| {
        sb.stdout_of(&[
            "ingest",
            data.to_str().unwrap(),
            "--baci-countries",
            codes.to_str().unwrap(),
        ])
    };
    assert!(ingest(&wrong).contains("committed ingest"));
    assert_eq!(partner_quantity(&sb, "2019", "KOR"), Some(2.5));
    let out = ingest(&right);
    assert!(out.contains("committed ingest"), "{out}");
    assert_eq!(partner_quantity(&sb, "2019", "JPN"), Some(2.5));
    // The corrected ingest replaces the earlier one's rows whole: no KOR row is left.
    assert_eq!(partner_quantity(&sb, "2019", "KOR"), None);
    // The same pair again is what is already stored.
    assert!(ingest(&right).contains("already ingested"));
}

/// "The later ingest wins" corrects figures per key, not keys: a partner mistyped as USB
/// stayed beside the corrected USA and the world total read 25 t instead of 15 t. Retracting
/// the mistyped ingest takes its rows out of every table; bad or unknown ids are exit 2.
#[test]
fn retracting_an_ingest_takes_its_rows_out_of_every_table() {
    let sb = Sandbox::new();
    let header = "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t\n";
    let typo = sb.write(
        "v1.csv",
        &format!("{header}2025-01,CHN,USB,export,850511,10\n2025-01,CHN,JPN,export,850511,5\n"),
    );
    let fixed = sb.write(
        "v2.csv",
        &format!("{header}2025-01,CHN,USA,export,850511,10\n2025-01,CHN,JPN,export,850511,5\n"),
    );
    // The typo is stored, as a code ISO 3166-1 does not list, and named as such.
    sb.cmd()
        .args(["ingest", typo.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "codes that are not ISO 3166-1 countries: USB (1 row)",
        ));
    sb.cmd()
        .args(["ingest", fixed.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("ISO 3166-1").not());
    let total = |sb: &Sandbox| {
        let v = sb.json(&[
            "trends",
            "--reporter",
            "CHN",
            "--flow",
            "export",
            "--product",
            "850511",
            "--from",
            "2025-01",
            "--to",
            "2025-01",
            "--source",
            "tidy",
            "--format",
            "json",
        ]);
        v[0]["quantity_t"].as_f64().unwrap()
    };
    assert_eq!(total(&sb), 25.0);
    let sources = sb.json(&["sources", "--format", "json"]);
    let first = sources
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ingest_id"].as_str())
        .filter(|id| id.contains("-s"))
        .min()
        .unwrap()
        .to_string();
    sb.cmd()
        .args(["retract", &first])
        .assert()
        .success()
        .stdout(predicate::str::contains("v1.csv"));
    assert_eq!(total(&sb), 15.0);
    // Retracted again (or by a concurrent `retract`): said so, not "no ingest", which read
    // as a mistyped id (adversarial review).
    sb.cmd()
        .args(["retract", &first])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "ingest {first} was already retracted at "
        )));
    for bad in [first.as_str(), "../x", "20250101T000000Z-s00000001.f0001"] {
        sb.cmd().args(["retract", bad]).assert().code(2);
    }
    // `sources` lists the bundled rows under the id `bundled`: named as not retractable.
    sb.cmd()
        .args(["retract", "bundled"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the bundled data cannot be retracted",
        ));
    // A blank `--source` says it is blank (it was "unknown source ``").
    sb.cmd()
        .args(china_export_args("trends", "magnets", &["--source", ""]))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the source is empty"));
}
