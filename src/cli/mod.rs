//! Command-line arguments (clap derive). Each command's arguments live in their own
//! struct next to its parse tests; `commands/` turns them into work.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod serve;
pub use serve::{ReportArgs, ServeArgs};
mod controls;
pub use controls::{CalibrateArgs, NetworkArgs, NetworkCommand, SimulateArgs};

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
    /// Run a scenario. Policy scenarios of the rare-earth chain (export controls, truces,
    /// shocks, new supply, substitution) run as a Monte Carlo.
    #[command(
        long_about = "Run a scenario. A policy scenario of the bundled rare-earth chain ([chain] table, \
[[export_control]], [[suspension]], [[capacity_shock]], [[demand_shock]], [[new_supply]], \
[[substitution]]) runs --runs Monte Carlo draws in parallel and reports, per region and \
industry, production loss, unmet demand, halt and recovery days and halt probability, and per \
edge licensed vs requested tonnes per month.",
        after_help = "Examples:\n  chokepoint simulate scenarios/april-2025-controls.toml --runs 1000 --seed 7\n  \
chokepoint simulate scenarios/geneva-london-truce.toml --format json > truce.json\n  \
chokepoint simulate scenarios/us-only-ban.toml --runs 200 --out results/us-ban"
    )]
    Simulate(SimulateArgs),
    /// Describe or export the bundled rare-earth network and its named assumptions.
    #[command(
        long_about = "Describe the bundled rare-earth chain (regions, stages, industries, baseline flows in \
tonnes per day) and list every named assumption with unit, default and reasoning; or export \
the chain to an editable TOML network file that scenarios can load.",
        after_help = "Examples:\n  chokepoint network describe\n  chokepoint network describe --markdown > docs/scenario.md\n  \
chokepoint network export my-network.toml"
    )]
    Network(NetworkArgs),
    /// Fit a scenario's licence approval share and delay to China's customs magnet exports.
    #[command(
        long_about = "Fit the approval share and licence delay of the scenario's first export control so \
that simulated Chinese magnet exports per month match the customs series (April-July 2025 by \
default); write the fitted scenario and report the fit error per month.",
        after_help = "Examples:\n  chokepoint calibrate scenarios/april-2025-controls.toml --against trade\n  \
chokepoint calibrate scenarios/april-2025-controls.toml --against trade --out fitted.toml"
    )]
    Calibrate(CalibrateArgs),
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
