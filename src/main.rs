//! `chokepoint`: the command-line entry point. Only wiring, argument handling and
//! output formatting live here; the work is done by the library crates.

mod cli;
mod commands;
mod exit;
#[allow(dead_code)] // the shared output layer; every command uses part of it
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    exit::quiet_on_broken_pipe();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => exit::report(&err),
    }
}
