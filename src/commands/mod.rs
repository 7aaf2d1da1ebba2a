//! One module per command; `run` dispatches.

mod calibrate;
mod chain_facts;
mod demo;
mod network;
mod simulate;
pub mod simulate_controls;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(cli.data_dir.as_deref(), &args),
        Command::Simulate(args) => {
            if simulate_controls::is_policy_scenario(&args.scenario)? {
                simulate_controls::run(&args)
            } else {
                simulate::run(&args, args.format)
            }
        }
        Command::Network(args) => network::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
    }
}
