//! One module per command; `run` dispatches.

mod anomalies;
mod calibrate;
mod chain_facts;
mod criticality;
mod demo;
mod exposure;
mod exposure_after;
mod facts;
mod ingest;
mod network;
mod partners;
mod shares;
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
        Command::Simulate(args) => simulate_controls::run(&args),
        Command::Network(args) => network::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Sources(args) => sources::run(cli.data_dir.as_deref(), &args),
        Command::Sql(args) => sql::run(cli.data_dir.as_deref(), &args),
        Command::Ingest(args) => ingest::run(cli.data_dir.as_deref(), &args),
        Command::Trends(args) => trends::run(cli.data_dir.as_deref(), &args),
        Command::Partners(args) => partners::run(cli.data_dir.as_deref(), &args),
        Command::Anomalies(args) => anomalies::run(cli.data_dir.as_deref(), &args),
        Command::Shares(args) => shares::run(cli.data_dir.as_deref(), &args),
        Command::Exposure(args) => exposure::run(cli.data_dir.as_deref(), &args),
        Command::Criticality(args) => criticality::run(cli.data_dir.as_deref(), &args),
    }
}
