//! `chokepoint simulate`: reference-run layout on disk and clear errors for bad scenarios.

use predicates::prelude::*;

use crate::util::{Sandbox, repo_root};

fn test_mrio() -> String {
    repo_root()
        .join("crates/chokepoint-sim/tests/reference/data/test_mrio")
        .display()
        .to_string()
}

fn scenario(event: &str) -> String {
    format!(
        "[network]\nmrio = \"{}\"\n\n[simulation]\nsteps = 40\n\n{event}",
        test_mrio()
    )
}

const GOOD_EVENT: &str = "[[event]]\nkind = \"arbitrary\"\nregion = \"reg3\"\nsector = \"mining\"\nimpact = 0.3\noccurrence = 10\nduration = 5\nrecovery_tau = 10\n";

#[test]
fn simulate_reproduces_the_boario_reference_run() {
    let sb = Sandbox::new();
    let scenario = repo_root()
        .join("crates/chokepoint-sim/tests/reference/scenarios/a_reg3_mining_arb30_d90.toml");
    sb.cmd()
        .args([
            "simulate",
            scenario.to_str().unwrap(),
            "--out",
            "out",
            "--format",
            "csv",
            "--top",
            "3",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "industry,min_production_rel_x0,min_step,production_loss\nreg3|mining,0.7000,11,",
        ));
    let reference =
        repo_root().join("crates/chokepoint-sim/tests/reference/data/runs/a_reg3_mining_arb30_d90");
    for file in [
        "production_realised.csv",
        "production_capacity.csv",
        "final_demand_unmet.csv",
        "overproduction.csv",
    ] {
        let ours = std::fs::read_to_string(sb.path().join("out").join(file)).unwrap();
        let theirs = std::fs::read_to_string(reference.join(file)).unwrap();
        let parse = |s: &str| -> Vec<Vec<String>> {
            s.lines()
                .map(|l| l.split(',').map(str::to_string).collect())
                .collect()
        };
        let (a, b) = (parse(&ours), parse(&theirs));
        assert_eq!(a[0], b[0], "{file}: header");
        assert_eq!(a.len(), b.len(), "{file}: rows");
        for (ra, rb) in a.iter().zip(&b).skip(1) {
            for (x, y) in ra.iter().zip(rb) {
                assert_eq!(
                    x.parse::<f64>().unwrap(),
                    y.parse::<f64>().unwrap(),
                    "{file}"
                );
            }
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["outcome"], "horizon_reached");
    assert_eq!(summary["steps_run"], 365);
    assert_eq!(summary["model"]["numerics"], "exact", "{summary}");
    assert_eq!(summary["model"]["order_type"], "alt", "{summary}");
    // The test table has no zero entry: `auto` keeps it dense.
    assert_eq!(summary["model"]["storage"], "dense", "{summary}");
    let mining = &summary["industries"][20];
    assert_eq!(mining["industry"], "reg3|mining");
    assert_eq!(mining["min_step"], 11);
    assert!((mining["min_production_rel_x0"].as_f64().unwrap() - 0.7).abs() < 1e-12);
    assert!(summary["totals"]["production_loss"].as_f64().unwrap() > 0.0);
    // The total loss is the industries' losses summed (it was baseline minus the realised
    // total, which cancelled: -0.0011 over 3,000 undisturbed steps).
    let total = summary["totals"]["production_loss"].as_f64().unwrap();
    let by_industry: f64 = summary["industries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["production_loss"].as_f64().unwrap())
        .sum();
    assert!(
        (total - by_industry).abs() <= 1e-12 * by_industry.abs(),
        "{total} vs {by_industry}"
    );
}

#[test]
fn simulate_reads_the_pymrio_text_layout() {
    let sb = Sandbox::new();
    let mrio = repo_root().join("crates/chokepoint-sim/tests/reference/data/pymrio_test_txt");
    let text = scenario(GOOD_EVENT).replace(&test_mrio(), mrio.to_str().unwrap());
    sb.write("s.toml", &text);
    sb.cmd()
        .args(["simulate", "s.toml", "--out", "o", "--format", "json"])
        .assert()
        .success();
    assert!(sb.path().join("o/rebuild_prod_tot.csv").is_file());
}

/// The test scenario with `line` in a `[model]` table.
fn with_model(line: &str) -> String {
    scenario(GOOD_EVENT).replace("[simulation]", &format!("[model]\n{line}\n\n[simulation]"))
}

fn assert_bad(toml: &str, needles: &[&str]) {
    let sb = Sandbox::new();
    sb.write("bad.toml", toml);
    let mut assert = sb
        .cmd()
        .args(["simulate", "bad.toml", "--out", "o"])
        .assert()
        .code(2);
    assert = assert.stderr(predicate::str::contains("bad.toml"));
    for n in needles {
        assert = assert.stderr(predicate::str::contains(*n));
    }
    let _ = assert;
}

#[test]
fn unknown_region_names_file_key_and_position() {
    let ev = GOOD_EVENT.replace("\"reg3\"", "\"reg9\"");
    assert_bad(
        &scenario(&ev),
        &[
            "event[0].region",
            "bad.toml:9:10",
            "unknown",
            "reg9",
            "reg1, reg2",
        ],
    );
}

#[test]
fn unknown_sector_lists_the_sectors() {
    let ev = GOOD_EVENT.replace("\"mining\"", "\"minig\"");
    assert_bad(
        &scenario(&ev),
        &["event[0].sector", "construction, electricity"],
    );
}

#[test]
fn impact_out_of_range_is_rejected() {
    let ev = GOOD_EVENT.replace("impact = 0.3", "impact = 1.5");
    assert_bad(&scenario(&ev), &["event[0].impact", "out of range"]);
}

#[test]
fn event_outside_the_horizon_is_rejected() {
    let ev = GOOD_EVENT.replace("occurrence = 10", "occurrence = 39");
    assert_bad(
        &scenario(&ev),
        &["event[0].duration", "horizon of 40 steps"],
    );
    let ev = GOOD_EVENT.replace("occurrence = 10", "occurrence = 0");
    assert_bad(&scenario(&ev), &["event[0].occurrence"]);
}

#[test]
fn missing_table_names_the_mrio_key() {
    let text = scenario(GOOD_EVENT).replace(&test_mrio(), "no/such/folder");
    assert_bad(&text, &["network.mrio", "no Z.txt"]);
}

#[test]
fn malformed_toml_points_at_line_and_column() {
    assert_bad("[network]\nmrio = \n", &["bad.toml:2:"]);
}

#[test]
fn unknown_key_is_rejected() {
    let ev = GOOD_EVENT.replace("impact = 0.3", "impact = 0.3\nimpcat = 1");
    assert_bad(&scenario(&ev), &["unknown field", "impcat"]);
}

/// α parameters that would let overproduction run away (infinities, then NaN a few steps
/// in: a crash, exit code 1) are input errors: an α_max that overflows the table's
/// capacities, an adjustment time below one step (α overshoots α_max).
#[test]
fn runaway_overproduction_parameters_are_scenario_errors() {
    // 1e300 fits the flows alone but not with the default 90-step inventory target: the
    // message named `main_inv_dur`, which the file does not set (ARIO review).
    assert_bad(
        &with_model("alpha_max = 1e300"),
        &["model.alpha_max", "1e300 is too large for this table"],
    );
    assert_bad(
        &with_model("alpha_max = 1e308"),
        &[
            "model.alpha_max",
            "1e308 is too large for this table",
            "use at most",
        ],
    );
    assert_bad(
        &with_model("alpha_tau = 0.5"),
        &["bad.toml:5:13", "model.alpha_tau", "≥ 1 step"],
    );
}

/// Two capital events on one industry that together destroy more than its capital pass
/// the per-event checks but stop the run when they overlap: an input error (exit code 2)
/// that names the industry, in the message and in summary.json, with the records so far.
#[test]
fn overlapping_capital_events_beyond_the_capital_stop_with_an_input_error() {
    let event = |occurrence: u32| {
        format!(
            "[[event]]\nkind = \"recover\"\nregion = \"reg3\"\nsector = \"mining\"\nimpact = 6e7\noccurrence = {occurrence}\nduration = 5\nrecovery_tau = 10\n"
        )
    };
    let sb = Sandbox::new();
    sb.write(
        "s.toml",
        &scenario(&format!("{}\n{}", event(10), event(12))),
    );
    sb.cmd()
        .args(["simulate", "s.toml", "--out", "o"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("the run stopped after 12 steps")
                .and(predicate::str::contains("capital lost 120000000"))
                .and(predicate::str::contains("of reg3|mining"))
                // Said once, with names (not again with indices as the error's source).
                .and(predicate::str::contains("of industry 20").not()),
        );
    let summary = std::fs::read_to_string(sb.path().join("o/summary.json")).unwrap();
    assert!(summary.contains("\"crashed\""), "{summary}");
    assert!(
        summary.contains("capital 98187064.0899358 of reg3|mining"),
        "{summary}"
    );
    assert!(sb.path().join("o/production_realised.csv").is_file());
}

#[test]
fn psi_parameters_under_base_model_warn() {
    let sb = Sandbox::new();
    let text = scenario(GOOD_EVENT).replace(
        "[simulation]",
        "[model]\nkind = \"base\"\npsi_param = 0.9\n\n[simulation]",
    );
    sb.write("s.toml", &text);
    sb.cmd()
        .args(["simulate", "s.toml", "--out", "o"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").and(predicate::str::contains("psi_param")));
}

#[test]
fn ario_scenario_without_out_asks_for_it() {
    let sb = Sandbox::new();
    sb.write("s.toml", &scenario(GOOD_EVENT));
    sb.cmd()
        .args(["simulate", "s.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("s.toml").and(predicate::str::contains("--out DIR")));
}

/// `--runs` drives the Monte Carlo of policy scenarios; an ARIO scenario ignored it.
#[test]
fn ario_scenario_refuses_runs() {
    let sb = Sandbox::new();
    sb.write("s.toml", &scenario(GOOD_EVENT));
    sb.cmd()
        .args(["simulate", "s.toml", "--out", "o", "--runs", "5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--runs 5 applies to policy scenarios",
        ));
    assert!(!sb.path().join("o").exists());
    // A seed has nothing to draw either: refused, not ignored.
    sb.cmd()
        .args(["simulate", "s.toml", "--out", "o", "--seed", "7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("remove --seed"));
    assert!(!sb.path().join("o").exists());
}

#[test]
fn ctrl_c_keeps_the_records_so_far_and_exits_130() {
    let sb = Sandbox::new();
    // The most steps a scenario may ask for, far more than the test waits for (about 20 s
    // in a debug build): the run is stopped by the interrupt.
    let long = format!(
        "[network]\nmrio = \"{}\"\n\n[simulation]\nsteps = 36500\n\n{GOOD_EVENT}",
        test_mrio()
    );
    let path = sb.write("long.toml", &long);
    let out = sb.path().join("out");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("chokepoint"))
        .env("CHOKEPOINT_DATA_DIR", sb.data_dir())
        .args(["simulate", path.to_str().unwrap(), "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Records reach the file once the run is under way (and the handler is installed).
    let records = out.join("production_realised.csv");
    let started = std::time::Instant::now();
    while std::fs::metadata(&records).map_or(0, |m| m.len()) < 64 * 1024 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the run never started writing records"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(stderr.contains("interrupted by Ctrl-C after"), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["outcome"], "interrupted", "{summary}");
    // Every written row is whole: the files end at a line break.
    let text = std::fs::read_to_string(&records).unwrap();
    assert!(text.ends_with('\n'));
    assert!(text.lines().count() > 2);
}

/// A scenario piped to `/dev/stdin` is read once (a pipe cannot be read twice), and its
/// relative MRIO path resolves against the current folder, not `/dev`.
#[test]
fn a_scenario_on_standard_input_runs_with_paths_from_the_current_folder() {
    let sb = Sandbox::new();
    let mrio = sb.path().join("m");
    std::fs::create_dir(&mrio).unwrap();
    for entry in std::fs::read_dir(test_mrio()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), mrio.join(entry.file_name())).unwrap();
    }
    let text = scenario(GOOD_EVENT).replace(&test_mrio(), "m");
    sb.cmd()
        .args(["simulate", "/dev/stdin", "--out", "o"])
        .write_stdin(text)
        .assert()
        .success();
    assert!(sb.path().join("o/production_realised.csv").is_file());
}

/// F3: scenario and parameter files were read whole: `simulate /dev/zero` was killed by
/// the OOM killer, and `criticality --params /dev/zero` ran out of memory with exit 1.
/// Every such file goes through one capped read, refused with exit 2.
#[test]
fn scenario_and_parameter_files_past_the_size_cap_are_refused_with_exit_2() {
    let sb = Sandbox::new();
    let runs: [&[&str]; 5] = [
        &["simulate", "/dev/zero", "--runs", "1"],
        &["report", "/dev/zero", "--out", "r.html"],
        &["calibrate", "/dev/zero"],
        &[
            "exposure",
            "--importer",
            "USA",
            "--product",
            "magnets",
            "--after",
            "/dev/zero",
        ],
        &["criticality", "--params", "/dev/zero"],
    ];
    for args in runs {
        sb.cmd()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("/dev/zero"))
            .stderr(predicates::str::contains("larger than 4 MiB"));
    }
}

/// F7: `simulate` read a policy scenario with an out-of-range integer as ARIO and said
/// "unknown field `chain`" at the `[chain]` header; `report` and the server named the value.
#[test]
fn simulate_reads_a_broken_policy_scenario_as_report_does() {
    let sb = Sandbox::new();
    let file = sb.write(
        "days.toml",
        "[chain]\nstart = \"2025-04-01\"\ndays = 99999999999999999999\n\n\
         [[export_control]]\nname = \"c1\"\nexporter = \"CHN\"\nproducts = [\"magnets\"]\n\
         destinations = \"all\"\nstart = \"2025-04-04\"\napproval_share = 0.5\ndelay_days = 30\n",
    );
    let report = sb
        .cmd()
        .arg("report")
        .arg(&file)
        .args(["--out", "r.html"])
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(2));
    let want = String::from_utf8(report.stderr).unwrap();
    assert!(want.contains("days.toml:3:8"), "{want}");
    sb.cmd()
        .arg("simulate")
        .arg(&file)
        .args(["--runs", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("days.toml:3:8"))
        .stderr(predicate::str::contains("99999999999999999999"))
        .stderr(predicate::str::contains("unknown field `chain`").not());
    // An empty file says how each kind of scenario begins (it said "chain.start missing",
    // which puzzled ARIO users), as for `report`.
    let empty = sb.write("empty.toml", "# nothing yet\n");
    sb.cmd()
        .arg("simulate")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the file sets nothing"))
        .stderr(predicate::str::contains(
            "an ARIO scenario with [network] and mrio",
        ));
}

/// F16: `chain.network` naming a file that is not a network gave that file's TOML error
/// alone ("/etc/passwd:1:32: key with no value"), without the scenario or its key.
#[test]
fn a_network_file_that_cannot_be_read_is_named_as_the_scenarios_chain_network() {
    let sb = Sandbox::new();
    sb.write("not-a-network.toml", "root:x:0:0:root:/root:/bin/bash\n");
    let file = sb.write(
        "net.toml",
        "[chain]\nstart = \"2025-04-01\"\ndays = 30\nnetwork = \"not-a-network.toml\"\n",
    );
    sb.cmd()
        .arg("simulate")
        .arg(&file)
        .args(["--runs", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("net.toml:4:11: `chain.network`"))
        .stderr(predicate::str::contains("not-a-network.toml:1:"))
        .stderr(predicate::str::contains("chokepoint network export"));
}

/// F22: a large integer out of range was shown as a float (`9.223372036854776e18`).
#[test]
fn an_integer_out_of_range_is_shown_as_written() {
    let sb = Sandbox::new();
    let file = sb.write(
        "days.toml",
        "[chain]\nstart = \"2025-04-01\"\ndays = 9223372036854775807\n",
    );
    sb.cmd()
        .arg("simulate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("9223372036854775807 is outside"));
}

/// ARIO review: messages that did not name what was wrong or where.
#[test]
fn scenario_errors_name_the_key_at_fault() {
    // "duplicate key" named no key.
    let dup = scenario(GOOD_EVENT).replace("[simulation]", "[simulation]\nsteps = 10");
    assert_bad(&dup, &["duplicate key `steps`: keep one"]);
    // α_base above the default α_max pointed at the absent alpha_max, with no position.
    assert_bad(
        &with_model("alpha_base = 2.0"),
        &[
            "bad.toml:5:14",
            "model.alpha_base",
            "above alpha_max (1.25, the default)",
        ],
    );
    // A list under `region` says to use `regions`.
    let listed = scenario(&GOOD_EVENT.replace("region = \"reg3\"", "region = [\"reg3\"]"));
    assert_bad(
        &listed,
        &["event[0].region", "for several, write `regions = [...]`"],
    );
    // A misspelt ARIO section is not explained by the policy sections alone.
    assert_bad(
        "[netwrk]\nmrio = \"x\"\n",
        &[
            "`netwrk`: unknown section",
            "or network, model, simulation, event in an ARIO scenario",
        ],
    );
}

/// ARIO review: a table with zero output everywhere ran without a word, every record zero
/// (as in BoARIO). It runs, with a warning.
#[test]
fn an_all_zero_table_runs_with_a_warning() {
    let sb = Sandbox::new();
    let header = "region\t\tzeta\tzeta\treg1\treg1\n";
    let rows = "zeta\tmining\t0.0\t0.0\t0.0\t0.0\nzeta\ttrade\t0.0\t0.0\t0.0\t0.0\n\
                reg1\tmining\t0.0\t0.0\t0.0\t0.0\nreg1\ttrade\t0.0\t0.0\t0.0\t0.0\n";
    sb.write(
        "zero/Z.txt",
        &format!("{header}sector\t\tmining\ttrade\tmining\ttrade\nregion\tsector\t\t\t\t\n{rows}"),
    );
    sb.write(
        "zero/Y.txt",
        &format!("{header}category\t\thh\tnpish\thh\tnpish\nregion\tsector\t\t\t\t\n{rows}"),
    );
    sb.write(
        "zero/x.txt",
        "region\tsector\tindout\nzeta\tmining\t0.0\nzeta\ttrade\t0.0\nreg1\tmining\t0.0\nreg1\ttrade\t0.0\n",
    );
    sb.write(
        "zero.toml",
        "[network]\nmrio = \"zero\"\n\n[simulation]\nsteps = 5\n",
    );
    sb.cmd()
        .args(["simulate", "zero.toml", "--out", "o"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "has zero output in every industry: every record will be zero",
        ));
}

/// ARIO review: `--out` into a folder holding other files wrote the records among them
/// without a word. A re-run over its own records says nothing; other files are named.
#[test]
fn an_output_folder_holding_other_files_is_noted() {
    let sb = Sandbox::new();
    let s = sb.write("s.toml", &scenario(GOOD_EVENT));
    let run = || {
        sb.cmd()
            .args(["simulate", s.to_str().unwrap(), "--out", "out", "-q"])
            .assert()
            .success()
    };
    run().stderr(predicate::str::is_empty());
    run().stderr(predicate::str::is_empty());
    sb.write("out/notes.txt", "mine");
    run().stderr(predicate::str::contains(
        "already holds 1 file(s) this run does not write (notes.txt)",
    ));
}

/// ARIO review: four messages named no fix or no key: `[event]` for `[[event]]`, an
/// infinite `recovery_tau` ("must be ≥ 1 step"), a non-integer `rebuild_tau` (accepted,
/// though BoARIO's is an int) and a number past f64 (`1e400`, the parser's words only).
#[test]
fn scenario_mistakes_name_their_key_and_fix() {
    let sb = Sandbox::new();
    let event = "kind = \"recover\"\nregion = \"reg1\"\nsector = \"food\"\nimpact = 10\n\
                 occurrence = 3\n";
    for (body, wanted) in [
        (
            format!("[event]\n{event}"),
            "`[event]` makes one table, and `event` is a list of them: write `[[event]]`",
        ),
        (
            format!("[[event]]\n{event}recovery_tau = inf\n"),
            "`event[0].recovery_tau`: inf is not a finite number of steps",
        ),
        (
            format!(
                "[[event]]\n{}rebuild_tau = 2.5\nrebuilding_sectors = {{ construction = 1.0 }}\n",
                event.replace("recover", "rebuild")
            ),
            "`event[0].rebuild_tau`: 2.5 is not a whole number of steps",
        ),
        (
            "[model]\nalpha_max = 1e400\n".to_string(),
            "the number of `alpha_max` is too large",
        ),
    ] {
        let file = sb.write("s.toml", &scenario(&body));
        sb.cmd()
            .args(["simulate", file.to_str().unwrap(), "--out", "o"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(wanted));
    }
}
