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
use std::path::PathBuf;

use chokepoint_sim::{Records, RunOutcome, Scenario};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = args
        .iter()
        .find(|a| a.ends_with(".toml"))
        .map(PathBuf::from)
        .expect("a SCENARIO.toml argument");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|k| args.get(k + 1))
        .map(PathBuf::from)
        .expect("--out DIR");
    let scenario = match Scenario::load(&scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut sim = match scenario.simulation() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut records = Records::default();
    let outcome = sim.run(&mut records);
    let labels = sim.model().industry_labels();
    std::fs::create_dir_all(&out).expect("create --out");
    let series = [
        ("production_realised", &records.production_realised),
        ("production_capacity", &records.production_capacity),
        ("overproduction", &records.overproduction),
        ("final_demand_unmet", &records.final_demand_unmet),
        ("final_demand_undist", &records.final_demand_undist),
        ("final_demand_tot", &records.final_demand_tot),
        ("intermediate_demand_tot", &records.intermediate_demand_tot),
        ("rebuild_demand_tot", &records.rebuild_demand_tot),
        ("rebuild_prod_tot", &records.rebuild_prod_tot),
        ("productive_capital_lost", &records.productive_capital_lost),
    ];
    for (name, s) in series {
        let mut text = format!("step,{}\n", labels.join(","));
        for t in 0..s.len() {
            let _ = write!(text, "{t}");
            for v in s.row(t) {
                let _ = write!(text, ",{v:?}");
            }
            text.push('\n');
        }
        std::fs::write(out.join(format!("{name}.csv")), text).expect("write a record");
    }
    if let RunOutcome::Crashed { steps, error } = outcome {
        eprintln!("error: the run stopped after {steps} steps: {error}");
        std::process::exit(1);
    }
}
