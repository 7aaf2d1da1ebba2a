//! One module per command; `run` dispatches.

mod calibrate;
mod chain_facts;
mod demo;
mod network;
mod report;
mod report_html;
mod serve;
pub mod simulate_controls;
mod wiring;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(cli.data_dir.as_deref(), &args),
        Command::Serve(args) => serve::run(cli.data_dir.as_deref(), &args),
        Command::Report(args) => report::run(cli.data_dir.as_deref(), &args),
        Command::Simulate(args) => simulate_controls::run(&args),
        Command::Network(args) => network::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
    }
}
