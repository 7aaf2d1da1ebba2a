//! Integration tests of the `chokepoint` binary: one test binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[allow(dead_code)] // helpers used by some modules only
mod util;

mod calibrate;
mod controls;
mod controls_mrio;
mod criticality;
mod exposure;
mod exposure_after;
mod exposure_after_api;
mod ingest;
mod ingest_precedence;
mod ingest_refusals;
mod inputs;
mod monitor;
mod monitor_oracle;
mod monitor_review;
mod paths;
mod report;
mod serve;
mod simulate;
mod sql;

mod demo {
    use crate::util::Sandbox;

    #[test]
    fn demo_writes_its_output_folder() {
        let sb = Sandbox::new();
        sb.cmd().arg("demo").assert().success();
        assert!(sb.path().join("chokepoint-demo").is_dir());
    }
}
