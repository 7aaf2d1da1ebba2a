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
