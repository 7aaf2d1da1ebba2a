//! Arguments of the export-control commands: `simulate` (policy scenarios), `network`,
//! `calibrate`.

use std::path::PathBuf;

use crate::output::Format;

/// Arguments of `chokepoint simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Scenario file (TOML). A policy scenario of the rare-earth chain has a `[chain]` table
    /// or instruments such as `[[export_control]]`.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Number of Monte Carlo runs.
    #[arg(long, default_value_t = 100, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub runs: usize,
    /// Seed of the random streams (run i uses stream i): same seed, same results.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write summary.json, industries.csv, edges.csv, series.csv and runs.csv here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `chokepoint network`.
#[derive(Debug, clap::Args)]
pub struct NetworkArgs {
    /// What to do with the network.
    #[command(subcommand)]
    pub command: NetworkCommand,
}

/// Subcommands of `chokepoint network`.
#[derive(Debug, clap::Subcommand)]
pub enum NetworkCommand {
    /// List the named assumptions of the bundled chain and its baseline flows.
    Describe {
        /// Print the assumption table as Markdown (the content of docs/scenario.md).
        #[arg(long)]
        markdown: bool,
        /// Output format of the tables.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write the bundled chain to an editable network file (TOML).
    Export {
        /// File to write.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// What `calibrate` fits against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Against {
    /// China's monthly magnet exports in the customs series.
    Trade,
}

/// Arguments of `chokepoint calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Policy scenario whose first export control is fitted.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Observed series to fit.
    #[arg(long, value_enum, default_value_t = Against::Trade)]
    pub against: Against,
    /// First and last month of the fit window.
    #[arg(
        long,
        default_value = "2025-04..2025-07",
        value_name = "YYYY-MM..YYYY-MM"
    )]
    pub months: String,
    /// Write the fitted scenario here (default: SCENARIO stem + `-calibrated.toml`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format of the fit report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn simulate_takes_runs_seed_and_out() {
        let cli = Cli::try_parse_from([
            "chokepoint",
            "simulate",
            "s.toml",
            "--runs",
            "10",
            "--seed",
            "7",
            "--out",
            "o",
        ])
        .unwrap();
        let Command::Simulate(a) = cli.command else {
            panic!("not simulate")
        };
        assert_eq!((a.runs, a.seed), (10, 7));
        assert_eq!(a.out.unwrap().to_str(), Some("o"));
        assert!(Cli::try_parse_from(["chokepoint", "simulate", "s.toml", "--runs", "0"]).is_err());
    }

    #[test]
    fn calibrate_defaults_to_trade_april_to_july_2025() {
        let cli = Cli::try_parse_from(["chokepoint", "calibrate", "s.toml", "--against", "trade"])
            .unwrap();
        let Command::Calibrate(a) = cli.command else {
            panic!("not calibrate")
        };
        assert_eq!(a.months, "2025-04..2025-07");
    }
}
