//! Arguments of the export-control commands `network` and `calibrate` (`simulate` shares
//! its arguments with the ARIO path, in `cli/mod.rs`).

use std::path::PathBuf;

use crate::output::Format;

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
    /// Monte Carlo runs of the scenario as written (its own distributions) whose 5–95 %
    /// band of delivered exports the customs months are compared with (0: no comparison).
    #[arg(long, default_value_t = 100, value_name = "N",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=100_000))]
    pub band_runs: usize,
    /// Seed of those runs.
    #[arg(long, default_value_t = 42, value_name = "S")]
    pub seed: u64,
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
        assert_eq!((a.runs, a.seed), (Some(10), Some(7)));
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
