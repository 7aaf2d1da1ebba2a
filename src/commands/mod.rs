//! One module per command; `run` dispatches.

mod demo;
mod report;
mod serve;
mod wiring;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(cli.data_dir.as_deref(), &args),
        Command::Serve(args) => serve::run(cli.data_dir.as_deref(), &args),
        Command::Report(args) => report::run(cli.data_dir.as_deref(), &args),
    }
}
