//! Command-line arguments (clap derive). Each command's arguments live in their own
//! struct next to its parse tests; `commands/` turns them into work.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod serve;
pub use serve::{ReportArgs, ServeArgs};

/// Critical-minerals supply chains under export controls: monitor trade, measure
/// exposure, simulate controls, serve the answers.
#[derive(Debug, Parser)]
#[command(name = "chokepoint", version, about, long_about = None)]
pub struct Cli {
    /// Warehouse directory (Parquet files). Defaults to a per-user data directory; the
    /// bundled rare-earth data is loaded into it on first use.
    #[arg(long, global = true, env = "CHOKEPOINT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the seed story on the bundled data: the monitor view of China's 2025 rare-earth
    /// controls, stage shares, and a Monte Carlo run of the April 2025 controls.
    Demo(DemoArgs),
    /// Serve the HTTP API and the web dashboard.
    #[command(
        long_about = "Serve the HTTP API (under /api, described at /api/openapi.json) and the web \
                      dashboard (at /). Listens on loopback by default; any other address needs \
                      --token (clients send `Authorization: Bearer TOKEN`) or --insecure-no-auth.",
        after_help = "Examples:\n  chokepoint serve\n  chokepoint serve --addr 127.0.0.1:9000\n  \
                      chokepoint serve --addr 0.0.0.0:8080 --token \"$(cat token.txt)\"\n  \
                      curl 'http://127.0.0.1:8080/api/trends?reporter=CHN&flow=export&product=rare-earths&from=2025-01&to=2025-06'"
    )]
    Serve(ServeArgs),
    /// Write a self-contained HTML report of a scenario run.
    #[command(
        long_about = "Run a scenario (Monte Carlo) and write one self-contained HTML file with the \
                      scenario, its sources, the charts (inline SVG) and the tables; no external \
                      requests. --png DIR also writes each chart as a PNG file.",
        after_help = "Examples:\n  chokepoint report scenarios/april-2025-controls.toml --out report.html\n  \
                      chokepoint report my.toml --out report.html --runs 200 --seed 7 --png charts/"
    )]
    Report(ReportArgs),
}

/// Arguments of `chokepoint demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Where to write the demo's files.
    #[arg(long, default_value = "chokepoint-demo", value_name = "DIR")]
    pub out: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn demo_defaults_to_chokepoint_demo_folder() {
        let cli = Cli::try_parse_from(["chokepoint", "demo"]).unwrap();
        let Command::Demo(args) = cli.command else {
            panic!("expected demo");
        };
        assert_eq!(args.out, PathBuf::from("chokepoint-demo"));
    }
}
