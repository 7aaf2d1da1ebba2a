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
        let Command::Demo(args) = cli.command;
        assert_eq!(args.out, PathBuf::from("chokepoint-demo"));
    }
}
