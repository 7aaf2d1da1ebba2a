//! `chokepoint`: the command-line entry point. Only wiring, argument handling and
//! output formatting live here; the work is done by the library crates.

/// `eprintln!` that ignores a failed write: with stderr closed or full (`2>/dev/full`) a
/// warning or an error message cannot be shown, and `eprintln!` panicked (exit 101) after
/// the work had been done and stored.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod commands;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    exit::install_panic_hook(matches!(cli.command, cli::Command::Serve(_)));
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => exit::report(&err),
    }
}
