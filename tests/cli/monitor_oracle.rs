//! The monitor against an independent reference: `bench/monitor_oracle.py`, a pandas
//! re-implementation of the documented rules of `trends`, `partners` and `anomalies`,
//! computed what each command should print for the small tidy files in
//! `tests/fixtures/monitor_oracle/*/`: each `expected.json` holds, per command, what the
//! oracle prints for it (e.g. `bench/.venv/bin/python bench/monitor_oracle.py partners
//! --reporter XG6 --flow export --product 850511 --period 2025-05 input.csv`). Three cases
//! are defects the oracle found: a combined period and its YTD row listed twice (two
//! cases) and a YTD on a period across a year end.

use serde_json::Value;

use crate::util::{Sandbox, repo_root};

/// Numbers agree to the CLI's JSON rounding (six places beyond the one shown).
fn same(got: &Value, want: &Value, at: &str) -> Result<(), String> {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (
                g.as_f64().unwrap_or(f64::NAN),
                w.as_f64().unwrap_or(f64::NAN),
            );
            if (g - w).abs() <= 1e-6 * w.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("{at}: {g} instead of {w}"))
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            if g.len() != w.len() {
                return Err(format!("{at}: {} items instead of {}", g.len(), w.len()));
            }
            g.iter()
                .zip(w)
                .enumerate()
                .try_for_each(|(i, (g, w))| same(g, w, &format!("{at}[{i}]")))
        }
        // The oracle's fields; the CLI may say more.
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .try_for_each(|(k, w)| same(g.get(k).unwrap_or(&Value::Null), w, &format!("{at}.{k}"))),
        (g, w) if g == w => Ok(()),
        (g, w) => Err(format!("{at}: {g} instead of {w}")),
    }
}

#[test]
fn the_monitor_agrees_with_the_reference_oracle() {
    let root = repo_root().join("tests/fixtures/monitor_oracle");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 13, "{} cases", dirs.len());
    let mut failures = Vec::new();
    let mut compared = 0;
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sb = Sandbox::new();
        sb.cmd()
            .arg("ingest")
            .arg(dir.join("input.csv"))
            .assert()
            .success();
        let cases: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        for case in cases.as_array().unwrap() {
            let command = case["command"].as_str().unwrap();
            let args: Vec<&str> = command.split_whitespace().collect();
            let got = sb.json(&args);
            compared += 1;
            if let Err(e) = same(&got, &case["expected"], "") {
                failures.push(format!("{name}: `{command}`: {e}"));
            }
        }
    }
    assert!(compared >= 13, "{compared} commands");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
