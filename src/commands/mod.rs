//! One module per command; `run` dispatches.

mod anomalies;
mod demo;
mod ingest;
mod partners;
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
    }
}
