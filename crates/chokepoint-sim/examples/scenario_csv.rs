//! Runs an ARIO scenario with the sim crate alone and writes the record CSVs in the layout
//! of `chokepoint simulate --out` (step column, then one column per region|sector), so that
//! `bench/boario_diff.py` can test an engine change without building the main binary:
//!
//! ```text
//! cargo build --release -p chokepoint-sim --example scenario_csv
//! CHOKEPOINT_BIN=target/release/examples/scenario_csv bench/.venv/bin/python bench/boario_diff.py
//! ```
//!
//! Takes the arguments the script passes to `chokepoint`: `simulate SCENARIO.toml --out DIR
//! [other flags, ignored]`. Exit code 2 when the scenario is refused, 1 when the run crashed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chokepoint_sim::{Records, RunOutcome, Scenario};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = args
        .iter()
        .find(|a| a.ends_with(".toml"))
        .map(PathBuf::from);
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|k| args.get(k + 1))
        .map(PathBuf::from);
    let (Some(scenario), Some(out)) = (scenario, out) else {
        eprintln!("usage: scenario_csv simulate SCENARIO.toml --out DIR");
        return ExitCode::from(2);
    };
    let sim = Scenario::load(&scenario).and_then(|s| s.simulation());
    let mut sim = match sim {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut records = Records::default();
    let outcome = sim.run(&mut records);
    if let Err(e) = write_records(&records, &sim.model().industry_labels(), &out) {
        eprintln!("error: cannot write the records to {}: {e}", out.display());
        return ExitCode::from(1);
    }
    if let RunOutcome::Crashed { steps, error } = outcome {
        eprintln!("error: the run stopped after {steps} steps: {error}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// One `NAME.csv` per record: the step, then one column per label, full precision.
fn write_records(records: &Records, labels: &[String], out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    for (name, series) in records.named() {
        let mut text = format!("step,{}\n", labels.join(","));
        for t in 0..series.len() {
            let _ = write!(text, "{t}");
            for v in series.row(t) {
                let _ = write!(text, ",{v:?}");
            }
            text.push('\n');
        }
        std::fs::write(out.join(format!("{name}.csv")), text)?;
    }
    Ok(())
}
