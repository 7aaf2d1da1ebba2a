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
