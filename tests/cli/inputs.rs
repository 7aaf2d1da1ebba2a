//! Input files that are not readable regular files: each is the user's to fix (exit 2,
//! naming the file and what to give), whatever the operating system's error.

use predicates::prelude::*;
use predicates::str::contains;

use crate::util::Sandbox;

/// Adversarial review: a symbolic-link loop exited 1 (an internal error) from `ingest`.
#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_the_users_to_fix() {
    let sb = Sandbox::new();
    let a = sb.path().join("a.csv");
    let b = sb.path().join("b.csv");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    sb.cmd()
        .args(["ingest", a.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("cannot read").and(contains("give the path of a readable regular file")));
}

/// Adversarial review: a device such as /dev/urandom was read as a tab-separated file, and
/// a terminal failed with an OS error and exit 1.
#[cfg(unix)]
#[test]
fn a_device_is_refused_as_not_a_file() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["ingest", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(contains("/dev/zero is a device, not a file"));
}

/// Adversarial review: `calibrate --out FOLDER` ran its whole fit before failing to write,
/// and `report --png` on the report's own path made the folder, then failed over it.
#[test]
fn outputs_that_cannot_be_written_fail_before_the_work() {
    let sb = Sandbox::new();
    let scenario = crate::util::repo_root().join("scenarios/april-2025-controls.toml");
    std::fs::create_dir(sb.path().join("out")).unwrap();
    sb.cmd()
        .args(["calibrate", scenario.to_str().unwrap(), "--out", "out"])
        .assert()
        .code(2)
        .stderr(contains("calibrate --out out is a folder"));
    sb.cmd()
        .args([
            "report",
            scenario.to_str().unwrap(),
            "--out",
            "r.html",
            "--png",
            "r.html",
        ])
        .assert()
        .code(2)
        .stderr(contains("is the report's own path"));
    assert!(!sb.path().join("r.html").exists(), "nothing left behind");
}
