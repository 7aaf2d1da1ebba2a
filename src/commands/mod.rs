//! One module per command; `run` dispatches.

mod anomalies;
mod calibrate;
mod chain_facts;
mod demo;
mod ingest;
mod network;
mod partners;
mod simulate;
pub mod simulate_controls;
mod sources;
mod sql;
mod trends;
mod warehouse;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(cli.data_dir.as_deref(), &args),
        Command::Sources(args) => sources::run(cli.data_dir.as_deref(), &args),
        Command::Sql(args) => sql::run(cli.data_dir.as_deref(), &args),
        Command::Ingest(args) => ingest::run(cli.data_dir.as_deref(), &args),
        Command::Trends(args) => trends::run(cli.data_dir.as_deref(), &args),
        Command::Partners(args) => partners::run(cli.data_dir.as_deref(), &args),
        Command::Anomalies(args) => anomalies::run(cli.data_dir.as_deref(), &args),
        // One `simulate`: an ARIO scenario ([network] mrio = …) runs on the ARIO core,
        // anything else is a policy scenario of the rare-earth chain.
        Command::Simulate(args) if simulate::is_ario_scenario(&args.scenario) => {
            simulate::run(&args)
        }
        Command::Simulate(args) => simulate_controls::run(&args),
        Command::Network(args) => network::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
    }
}
