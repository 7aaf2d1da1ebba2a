//! Policy scenarios on an MRIO folder (through the ARIO core), and new plants: what they
//! added and whether it was used.

use predicates::prelude::*;

use crate::controls::{json_of, scenario};
use crate::util::{Sandbox, repo_root};

/// A policy scenario of `days` days on the test MRIO: reg1 may not export mining from
/// 2025-04-10 (11 lines).
fn mrio_embargo_scenario(days: u32) -> String {
    let mrio = repo_root().join("crates/chokepoint-sim/tests/reference/data/test_mrio");
    format!(
        "[chain]\nstart = \"2025-04-01\"\ndays = {days}\nnetwork = \"{}\"\n\
         [[export_control]]\nname = \"ban\"\nexporter = \"reg1\"\nproducts = [\"mining\"]\n\
         destinations = \"all\"\nstart = \"2025-04-10\"\napproval_share = 0.0\n",
        mrio.display()
    )
}

#[test]
fn policy_scenario_on_an_mrio_folder_takes_ario_parameters_from_its_model_table() {
    let sb = Sandbox::new();
    let base = mrio_embargo_scenario(60);
    let loss = |name: &str, text: &str| -> f64 {
        sb.write(name, text);
        let mut cmd = sb.cmd();
        cmd.args(["simulate", name, "--runs", "1", "--format", "json"]);
        let doc = json_of(cmd);
        doc["industries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["loss_t"].as_f64().unwrap())
            .sum()
    };
    let default = loss("default.toml", &base);
    // BoARIO's defaults written out give the same run; short inventories a larger loss.
    let explicit = loss(
        "explicit.toml",
        &format!("{base}[model]\nkind = \"psi\"\nmain_inv_dur = 90\nnumerics = \"exact\"\n"),
    );
    assert_eq!(default, explicit);
    let short = loss("short.toml", &format!("{base}[model]\nmain_inv_dur = 3\n"));
    assert!(short > default, "{short} vs {default}");
    let fast = loss(
        "fast.toml",
        &format!("{base}[model]\nnumerics = \"fast\"\n"),
    );
    assert!(
        (fast - default).abs() <= 1e-9 * default.abs().max(1.0),
        "{fast} vs {default}"
    );
    // Fast numerics round differently: a loss equal to the last bit would mean the table
    // was ignored.
    assert_ne!(fast.to_bits(), default.to_bits());
    // A parameter that only scales ARIO events is accepted with a warning.
    sb.write(
        "money.toml",
        &format!("{base}[model]\nmonetary_factor = 5\n"),
    );
    sb.cmd()
        .args(["simulate", "money.toml", "--runs", "1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("`model.monetary_factor`"))
        .stderr(predicate::str::contains("ignored"));
    // Bad parameters are errors at their key and line, exit code 2; the rare-earth chain,
    // whose parameters are [assumptions], has no [model].
    let chain = "[chain]\nstart = \"2025-04-01\"\ndays = 30\n[model]\nnumerics = \"fast\"\n";
    let cases = [
        (
            "bad.toml",
            format!("{base}[model]\nkind = \"bogus\"\n"),
            ["bad.toml:13:8: `model.kind`", "\"psi\" or \"base\""],
        ),
        (
            "typo.toml",
            format!("{base}[model]\nalpha_maxx = 1.5\n"),
            ["typo.toml:13:1", "unknown field `alpha_maxx`"],
        ),
        (
            "psi.toml",
            format!("{base}[model]\npsi_param = -0.5\n"),
            ["psi.toml:13:13: `model.psi_param`", "between 0 and 1"],
        ),
        (
            "chain.toml",
            chain.to_string(),
            ["`model`", "[assumptions]"],
        ),
    ];
    for (name, text, expected) in cases {
        sb.write(name, &text);
        let out = sb
            .cmd()
            .args(["simulate", name, "--runs", "1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for e in expected {
            assert!(stderr.contains(e), "{name}: {stderr}");
        }
    }
}

#[test]
fn policy_scenario_runs_on_an_mrio_folder_through_the_ario_core() {
    let sb = Sandbox::new();
    let text = mrio_embargo_scenario(90);
    let s = sb.write("mrio.toml", &text);
    let mut cmd = sb.cmd();
    cmd.args([
        "simulate",
        s.to_str().unwrap(),
        "--runs",
        "2",
        "--format",
        "json",
    ]);
    let doc = json_of(cmd);
    let mining = doc["industries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["region"] == "reg1" && o["industry"] == "mining")
        .unwrap();
    assert!(mining["loss_t"].as_f64().unwrap() > 0.0);
    let gated = doc["edges"].as_array().unwrap();
    assert!(gated.iter().all(|e| e["licensed_t"].as_f64().unwrap() <= e["requested_t"].as_f64().unwrap() + 1e-9));
    // The baseline flow is shown beside the orders (it was null on MRIO tables), and the
    // legends speak of the table's units, not of tonnes of magnets.
    assert!(
        gated
            .iter()
            .all(|e| e["baseline_t"].as_f64().unwrap() > 0.0),
        "{gated:?}"
    );
    let described = doc["descriptions"].to_string();
    assert!(described.contains("in the table's units"), "{described}");
    assert!(!described.contains("magnet"), "{described}");
    // A control that licenses everything leaves the flow at its baseline, month by month.
    let open = sb.write(
        "open.toml",
        &text.replace("approval_share = 0.0", "approval_share = 1.0"),
    );
    let mut cmd = sb.cmd();
    cmd.args([
        "simulate",
        open.to_str().unwrap(),
        "--runs",
        "1",
        "--format",
        "json",
    ]);
    let doc = json_of(cmd);
    for e in doc["edges"].as_array().unwrap() {
        let (asked, base) = (
            e["requested_t"].as_f64().unwrap(),
            e["baseline_t"].as_f64().unwrap(),
        );
        assert!((asked - base).abs() <= 1e-9 * base, "{e}");
        assert_eq!(e["delivered_t"], e["requested_t"], "{e}");
    }
    // The same on one destination: the world row's baseline covers the destinations the
    // orders do (it summed every importer, and April's orders read as a 66 % collapse).
    let one = sb.write(
        "one.toml",
        &text
            .replace("approval_share = 0.0", "approval_share = 1.0")
            .replace("destinations = \"all\"", "destinations = [\"reg2\"]"),
    );
    let mut cmd = sb.cmd();
    cmd.args([
        "simulate",
        one.to_str().unwrap(),
        "--runs",
        "1",
        "--format",
        "json",
    ]);
    let doc = json_of(cmd);
    let edges = doc["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["importer"] == "WLD"), "{edges:?}");
    for e in edges {
        let (asked, base) = (
            e["requested_t"].as_f64().unwrap(),
            e["baseline_t"].as_f64().unwrap(),
        );
        assert!((asked - base).abs() <= 1e-9 * base, "{e}");
    }
    // Sector names are checked against the MRIO; chain-only instruments are refused.
    sb.write("bad.toml", &text.replace("[\"mining\"]", "[\"magnets\"]"));
    sb.cmd()
        .args(["simulate", "bad.toml", "--runs", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown sector `magnets`"));
}

/// Analyst review: a new plant that changed nothing passed without a word, with a band of
/// zero width. Each new plant is reported with the capacity it added and its region's
/// output against baseline; an unused one is named.
#[test]
fn new_plants_report_what_they_added_and_whether_it_was_used() {
    let sb = Sandbox::new();
    let base = std::fs::read_to_string(scenario("full-magnet-embargo.toml")).unwrap();
    let with = |plant: &str| sb.write("plant.toml", &format!("{base}\n{plant}"));
    let run = |path: &std::path::Path| {
        let mut cmd = sb.cmd();
        cmd.args([
            "simulate",
            path.to_str().unwrap(),
            "--runs",
            "4",
            "--format",
            "json",
        ]);
        json_of(cmd)
    };
    // Japanese magnets under the embargo: its orders pull scarce metal to Japan, whose
    // output stays below baseline but above what it is without the plant (docs/controls.md).
    // Beside it an EU metal plant, which changes nothing: each plant is measured against
    // the draw without it alone, so the Japanese plant's effect is not credited to it
    // (re-review).
    let used = run(&with(
        "[[new_supply]]\nregion = \"JPN\"\nstage = \"magnets\"\ncapacity_t_per_year = 20000\n\
         commissioning = \"2025-06-01\"\nramp_up_months = 1\n\
         [[new_supply]]\nregion = \"EU\"\nstage = \"metal\"\ncapacity_t_per_year = 3000\n\
         commissioning = \"2025-06-01\"\n",
    ));
    let n = &used["new_supply"][0];
    assert_eq!(
        (n["region"].as_str(), n["stage"].as_str()),
        (Some("JPN"), Some("magnets"))
    );
    assert!(n["capacity_t"].as_f64().unwrap() > 10_000.0, "{n}");
    assert!(n["added_output_t"].as_f64().unwrap() > 0.0, "{n}");
    assert!(n["total_loss_change_t"].as_f64().unwrap() < 0.0, "{n}");
    assert_eq!(n["unused"], false, "{n}");
    let eu = &used["new_supply"][1];
    assert_eq!(eu["total_loss_change_t_p5"].as_f64().unwrap(), 0.0, "{eu}");
    assert_eq!(eu["added_output_t_p95"].as_f64().unwrap(), 0.0, "{eu}");
    assert_eq!(eu["unused"], true, "{eu}");
    // The JSON says what the fields mean.
    assert!(
        used["descriptions"]["total_loss_change_t"]
            .as_str()
            .unwrap()
            .contains("with the plant minus without it"),
        "{}",
        used["descriptions"]
    );
    // EU separation under an EU-only magnet embargo: the EU's magnet makers still buy
    // their metal where they did, so its oxide finds no buyer; the table says so.
    let plant = sb.write(
        "unused.toml",
        "[chain]\nstart = \"2026-01-01\"\ndays = 365\n\
         [[export_control]]\nname = \"eu\"\nexporter = \"CHN\"\nproducts = [\"magnets\"]\n\
         destinations = [\"EU\"]\nstart = \"2026-01-15\"\nend = \"2026-07-15\"\n\
         approval_share = 0.0\ndelay_days = 0\n\
         [[new_supply]]\nregion = \"EU\"\nstage = \"separation\"\n\
         capacity_t_per_year = { dist = \"triangular\", min = 2000, mode = 4000, max = 5000 }\n\
         commissioning = \"2026-02-01\"\n",
    );
    let unused = run(&plant);
    let n = &unused["new_supply"][0];
    assert!(n["capacity_t"].as_f64().unwrap() > 0.0, "{n}");
    assert_eq!(n["added_output_t_p95"].as_f64().unwrap(), 0.0, "{n}");
    assert_eq!(n["total_loss_change_t_p5"].as_f64().unwrap(), 0.0, "{n}");
    sb.cmd()
        .args(["simulate", plant.to_str().unwrap(), "--runs", "4"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "note: the new EU separation capacity",
        ));
    // Policy review: a new Australian mine under the embargo adds output (China's
    // separators take its ore) but changes no loss, and only `unused: false` was said.
    let mine = with(
        "[[new_supply]]\nregion = \"AUS\"\nstage = \"mining\"\ncapacity_t_per_year = 20000\n\
         commissioning = \"2025-06-01\"\nramp_up_months = 6\n",
    );
    let n = &run(&mine)["new_supply"][0];
    assert!(n["added_output_t"].as_f64().unwrap() > 0.0, "{n}");
    assert_eq!(n["unused"], false, "{n}");
    assert_eq!(n["no_loss_change"], true, "{n}");
    // In the JSON too, not only in the table's note (re-check).
    assert!(
        n["note"]
            .as_str()
            .is_some_and(|t| t.contains("changed no industry's loss in 90 % of the runs")),
        "{n}"
    );
    sb.cmd()
        .args(["simulate", mine.to_str().unwrap(), "--runs", "4"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "note: the new AUS mining capacity added",
        ))
        .stdout(predicates::str::contains("changed no industry's loss"));
}
