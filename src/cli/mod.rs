//! Command-line arguments (clap derive). Each command's arguments live in their own
//! struct next to its parse tests; `commands/` turns them into work.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    /// Run an ARIO disruption scenario (BoARIO-compatible) on an MRIO table.
    #[command(
        long_about = "Run an ARIO disruption scenario on an MRIO table and write its records.\n\n\
The scenario is a TOML file: [network] mrio = folder (pymrio save_all layout or plain CSV), \
[model] with BoARIO's parameter names and defaults, [simulation] steps, and [[event]] tables \
(arbitrary capacity loss, capital destroyed with recovery, capital destroyed with rebuilding). \
Results match BoARIO 0.7.2 bit for bit under the default settings.\n\n\
--out receives one CSV per record (step column, then one column per region|sector, full \
precision) in the layout of BoARIO's reference runs, plus summary.json (totals, losses, \
per-industry minimum and its step). stdout shows the most affected industries.",
        after_help = "Examples:\n  chokepoint simulate scenario.toml --out runs/shock\n  \
chokepoint simulate scenario.toml --out runs/shock --top 5 --format json"
    )]
    Simulate(SimulateArgs),
}

/// Arguments of `chokepoint simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Folder for the record CSVs and summary.json (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// How many of the most affected industries to print.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Output format of the printed table.
    #[arg(long, value_enum, default_value_t = crate::output::Format::Table)]
    pub format: crate::output::Format,
    /// No progress bar even on a terminal.
    #[arg(long, short)]
    pub quiet: bool,
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

    #[test]
    fn simulate_takes_a_scenario_and_an_output_folder() {
        let cli = Cli::try_parse_from(["chokepoint", "simulate", "s.toml", "--out", "o"]).unwrap();
        let Command::Simulate(args) = cli.command else {
            panic!("expected simulate");
        };
        assert_eq!(args.scenario, PathBuf::from("s.toml"));
        assert_eq!(args.out, PathBuf::from("o"));
        assert_eq!(args.top, 10);
        assert!(Cli::try_parse_from(["chokepoint", "simulate", "s.toml"]).is_err());
    }
}
