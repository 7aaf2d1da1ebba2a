//! `simulate` (policy scenarios), `network`, `calibrate`: the export-control commands.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::{Sandbox, repo_root};

fn scenario(name: &str) -> String {
    repo_root()
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

const MINIMAL: &str = "[chain]\nstart = \"2025-04-01\"\ndays = 120\n\
[[export_control]]\nname = \"c\"\nexporter = \"CHN\"\nproducts = [\"magnets\"]\n\
destinations = \"all\"\nstart = \"2025-04-04\"\napproval_share = 0.3\ndelay_days = 20\n";

#[test]
fn simulate_json_is_one_document_with_the_contract_fields() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "simulate",
            &scenario("april-2025-controls.toml"),
            "--runs",
            "8",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).expect("one JSON document");
    let rows = doc["industries"].as_array().unwrap();
    assert!(!rows.is_empty());
    for key in [
        "region",
        "industry",
        "loss_t",
        "loss_pct",
        "loss_t_p5",
        "loss_t_p95",
        "unmet_t",
        "halt_day_90",
        "halt_day_50",
        "recovery_day_95",
        "halt_probability",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }
    let edges = doc["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["importer"] == "WLD" && e["month"] == "2025-05")
    );
}

#[test]
fn simulate_gives_the_same_answer_whatever_the_thread_count() {
    let sb = Sandbox::new();
    let run = |threads: &str| {
        sb.cmd()
            .args([
                "simulate",
                &scenario("geneva-london-truce.toml"),
                "--runs",
                "6",
                "--seed",
                "9",
            ])
            .args(["--threads", threads, "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn simulate_writes_result_files_under_out() {
    let sb = Sandbox::new();
    sb.cmd()
        .args([
            "simulate",
            &scenario("us-only-ban.toml"),
            "--runs",
            "3",
            "--out",
            "res",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("USA"));
    for f in [
        "summary.json",
        "industries.csv",
        "edges.csv",
        "series.csv",
        "runs.csv",
    ] {
        assert!(sb.path().join("res").join(f).is_file(), "{f}");
    }
}

fn bad(sb: &Sandbox, text: &str, expect: &[&str]) {
    let p = sb.write("bad.toml", text);
    let assert = sb
        .cmd()
        .args(["simulate", p.to_str().unwrap(), "--runs", "2"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("bad.toml"), "{err}");
    for e in expect {
        assert!(err.contains(e), "expected `{e}` in: {err}");
    }
}

#[test]
fn bad_scenarios_name_the_file_and_key_and_exit_2() {
    let sb = Sandbox::new();
    bad(
        &sb,
        &MINIMAL.replace("\"CHN\"", "\"CHINA\""),
        &["export_control[0].exporter", "unknown region `CHINA`"],
    );
    bad(
        &sb,
        &MINIMAL.replace("[\"magnets\"]", "[\"magnetz\"]"),
        &["export_control[0].products", "magnetz"],
    );
    bad(
        &sb,
        &MINIMAL.replace("approval_share = 0.3", "approval_share = 1.3"),
        &["approval_share", "outside"],
    );
    bad(
        &sb,
        &MINIMAL.replace(
            "approval_share = 0.3",
            "approval_share = { dist = \"triangular\", min = 0.5, mode = 0.1, max = 0.9 }",
        ),
        &["approval_share", "triangular"],
    );
    bad(
        &sb,
        &format!("{MINIMAL}end = \"2025-03-01\"\n"),
        &["export_control[0].end", "not after start"],
    );
    bad(
        &sb,
        &format!("{MINIMAL}[[suspension]]\ncontrol = \"geneva\"\nstart = \"2025-06-01\"\n"),
        &["suspension[0].control", "no export control named `geneva`"],
    );
    bad(
        &sb,
        &MINIMAL.replace("days = 120", "days = = 120"),
        &["bad.toml:3:"],
    );
}

#[test]
fn network_describe_lists_the_assumptions_and_docs_are_in_sync() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["network", "describe"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "inventory_days_ev_traction_motors",
        ))
        .stdout(predicate::str::contains("switching_days"));
    let md = sb
        .cmd()
        .args(["network", "describe", "--markdown"])
        .assert()
        .success();
    let on_disk = std::fs::read_to_string(repo_root().join("docs/scenario.md")).unwrap();
    assert_eq!(String::from_utf8_lossy(&md.get_output().stdout), on_disk);
}

#[test]
fn exported_network_runs_as_a_scenario_network() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["network", "export", "net.toml"])
        .assert()
        .success();
    let s = sb.write(
        "s.toml",
        &MINIMAL.replace("days = 120", "days = 120\nnetwork = \"net.toml\""),
    );
    sb.cmd()
        .args(["simulate", s.to_str().unwrap(), "--runs", "2"])
        .assert()
        .success();
    // An edited, unbalanced network is refused with exit 2.
    let text = std::fs::read_to_string(sb.path().join("net.toml")).unwrap();
    sb.write(
        "net.toml",
        &text.replacen("magnets_t_per_day = ", "magnets_t_per_day = 999.0 #", 1),
    );
    sb.cmd()
        .args(["simulate", s.to_str().unwrap(), "--runs", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("net.toml"));
}

#[test]
fn calibrate_reproduces_the_may_2025_drop_within_15_percent() {
    let sb = Sandbox::new();
    let src = sb.write(
        "april.toml",
        &std::fs::read_to_string(scenario("april-2025-controls.toml")).unwrap(),
    );
    let out = sb
        .cmd()
        .args([
            "calibrate",
            src.to_str().unwrap(),
            "--against",
            "trade",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let may = doc["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == "2025-05")
        .unwrap();
    assert!(may["error_pct"].as_f64().unwrap().abs() < 15.0, "{may}");
    let fitted = std::fs::read_to_string(sb.path().join("april-calibrated.toml")).unwrap();
    assert!(fitted.starts_with("# Calibrated by"));
    // The fitted scenario is itself a valid scenario.
    sb.cmd()
        .args(["simulate", "april-calibrated.toml", "--runs", "2"])
        .assert()
        .success();
}
