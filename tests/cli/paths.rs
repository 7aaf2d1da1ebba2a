//! Output and data paths the user names that cannot be used: exit 2, the path named.

use predicates::prelude::*;

use crate::util::Sandbox;

fn reference_scenario(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/chokepoint-sim/tests/reference/scenarios")
        .join(name)
}

#[test]
fn unusable_paths_are_exit_2_and_named() {
    let sb = Sandbox::new();
    let file = sb.write("existing.txt", "x");
    let folder = sb.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let (file_s, folder_s) = (file.to_str().unwrap(), folder.to_str().unwrap());
    let scenario = reference_scenario("v_noevent.toml");
    let cases: [&[&str]; 4] = [
        &["simulate", scenario.to_str().unwrap(), "--out", file_s],
        &["network", "export", folder_s],
        &["demo", "--out", file_s],
        &["criticality", "--params", folder_s],
    ];
    for args in cases {
        let named = if args.contains(&file_s) {
            file_s
        } else {
            folder_s
        };
        sb.cmd()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(named));
    }
    sb.cmd()
        .args(["--data-dir", file_s, "sources"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(file_s));
}

/// A `--data-dir` that is a folder of the user's is refused, not written into or cleaned:
/// an old file under its `tmp/` stays, and no `warehouse/` appears.
#[test]
fn a_folder_that_is_not_a_data_directory_is_refused_and_left_as_it_was() {
    let sb = Sandbox::new();
    let notes = sb.write("mine/tmp/important/notes.txt", "precious");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(10 * 3600);
    for p in [&notes, &notes.parent().unwrap().to_path_buf()] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .or_else(|_| std::fs::File::open(p))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let mine = sb.path().join("mine");
    sb.cmd()
        .arg("--data-dir")
        .arg(&mine)
        .arg("sources")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not a chokepoint data directory",
        ))
        .stderr(predicate::str::contains("empty or new folder"));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "precious");
    assert!(!mine.join("warehouse").exists());
    // A data directory chokepoint made is opened again as before.
    sb.cmd().arg("sources").assert().success();
    sb.cmd().arg("sources").assert().success();
}

/// No command writes over its own input or into the warehouse, whether the path names it
/// directly or through a symbolic link.
#[cfg(unix)]
#[test]
fn outputs_never_overwrite_an_input_or_the_warehouse_even_through_a_link() {
    let sb = Sandbox::new();
    sb.cmd().arg("sources").assert().success();
    let part = sb.data_dir().join("warehouse/trade/bundled.parquet");
    let part_bytes = std::fs::read(&part).unwrap();
    let input = sb.write("mal.csv", "period,reporter_iso3\nx,y\n");
    let link = |name: &str, to: &std::path::Path| {
        let l = sb.path().join(name);
        std::os::unix::fs::symlink(to, &l).unwrap();
        l
    };
    let to_input = link("link.csv", &input);
    let to_part = link("x.csv", &part);
    for target in [&to_input, &to_part] {
        sb.cmd()
            .arg("ingest")
            .arg(&input)
            .arg("--skip-bad")
            .arg("--rejects")
            .arg(target)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("choose another"));
    }
    let scenario = sb.write("sc.toml", "# a scenario\n");
    let (part_s, scenario_s) = (part.to_str().unwrap(), scenario.to_str().unwrap());
    let warehouse = sb.data_dir().join("warehouse");
    let v_noevent = reference_scenario("v_noevent.toml");
    let cases: [(&[&str], &str); 6] = [
        (&["network", "export", part_s], "inside the data directory"),
        (&["calibrate", scenario_s, "--out", scenario_s], "inputs"),
        (
            &["calibrate", scenario_s, "--out", to_part.to_str().unwrap()],
            "inside the data directory",
        ),
        (
            &["network", "export", to_part.to_str().unwrap()],
            "inside the data directory",
        ),
        (&["report", scenario_s, "--out", scenario_s], "inputs"),
        (
            &[
                "simulate",
                v_noevent.to_str().unwrap(),
                "--out",
                warehouse.to_str().unwrap(),
            ],
            "inside the data directory",
        ),
    ];
    for (args, why) in cases {
        sb.cmd()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    assert_eq!(std::fs::read(&part).unwrap(), part_bytes);
    assert_eq!(
        std::fs::read_to_string(&scenario).unwrap(),
        "# a scenario\n"
    );
    assert!(
        std::fs::read_to_string(&input)
            .unwrap()
            .starts_with("period")
    );
    sb.cmd().arg("sources").assert().success();
    // An output folder holding a link to an input or a part would be written through.
    let outd = sb.path().join("outd");
    std::fs::create_dir(&outd).unwrap();
    std::os::unix::fs::symlink(&scenario, outd.join("summary.json")).unwrap();
    sb.cmd()
        .args(["simulate", v_noevent.to_str().unwrap(), "--out"])
        .arg(&outd)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds a link"));
    assert_eq!(
        std::fs::read_to_string(&scenario).unwrap(),
        "# a scenario\n"
    );
    // An input inside the output folder could carry an output's name (summary.json).
    let x5 = sb.path().join("x5");
    std::fs::create_dir(&x5).unwrap();
    let inside = x5.join("summary.json");
    std::fs::copy(&v_noevent, &inside).unwrap();
    sb.cmd()
        .args(["simulate", inside.to_str().unwrap(), "--out"])
        .arg(&x5)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds this command's input"));
    // A stream is written to, not over: /dev/stdout (a pipe here) and /dev/null pass.
    sb.cmd()
        .args(["network", "export", "/dev/stdout"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# chokepoint chain network"));
    sb.cmd()
        .args(["network", "export", "/dev/null"])
        .assert()
        .success();
}
