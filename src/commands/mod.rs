//! One module per command; `run` dispatches.

mod demo;
mod simulate;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(cli.data_dir.as_deref(), &args),
        Command::Simulate(args) => simulate::run(&args, args.format),
    }
}
