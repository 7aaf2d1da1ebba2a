//! One module per command; `run` dispatches.

mod anomalies;
mod calibrate;
mod chain_data;
mod chain_facts;
mod criticality;
mod demo;
mod exposure;
mod exposure_after;
mod facts;
mod fitted_text;
mod ingest;
mod network;
mod observed_band;
mod partners;
mod report;
mod report_data;
mod report_html;
mod scenario_text;
mod serve;
mod shares;
mod simulate;
pub mod simulate_controls;
mod sources;
mod sql;
mod trends;
mod warehouse;
mod wiring;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(cli.data_dir.as_deref(), &args),
        Command::Serve(args) => serve::run(cli.data_dir.as_deref(), &args),
        Command::Report(args) => report::run(cli.data_dir.as_deref(), &args),
        Command::Simulate(args) => {
            // Read once: the scenario may be a pipe (`/dev/stdin`), readable only once.
            let text = chokepoint_sim::read_text(&args.scenario)?;
            if let Some(out) = &args.out {
                let what = format!("--out {}", out.display());
                let inputs = [args.scenario.as_path()];
                warehouse::check_output_folder(&what, out, &inputs, cli.data_dir.as_deref())?;
            }
            if chokepoint_sim::policies::scenario::is_policy_scenario(&text) {
                simulate_controls::run(&args, &text, cli.data_dir.as_deref())
            } else {
                simulate::run(&args, &text)
            }
        }
        Command::Network(args) => network::run(&args, cli.data_dir.as_deref()),
        Command::Calibrate(args) => calibrate::run(&args, cli.data_dir.as_deref()),
        Command::Sources(args) => sources::run(cli.data_dir.as_deref(), &args),
        Command::Sql(args) => sql::run(cli.data_dir.as_deref(), &args),
        Command::Ingest(args) => ingest::run(cli.data_dir.as_deref(), &args),
        Command::Retract(args) => ingest::retract(cli.data_dir.as_deref(), &args),
        Command::Trends(args) => trends::run(cli.data_dir.as_deref(), &args),
        Command::Partners(args) => partners::run(cli.data_dir.as_deref(), &args),
        Command::Anomalies(args) => anomalies::run(cli.data_dir.as_deref(), &args),
        Command::Shares(args) => shares::run(cli.data_dir.as_deref(), &args),
        Command::Exposure(args) => exposure::run(cli.data_dir.as_deref(), &args),
        Command::Criticality(args) => criticality::run(cli.data_dir.as_deref(), &args),
    }
}
