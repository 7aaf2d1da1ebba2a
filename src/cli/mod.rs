//! Command-line arguments (clap derive). Each command's arguments live in their own
//! struct next to its parse tests; `commands/` turns them into work.

mod exposure;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod serve;
pub use serve::{ReportArgs, ServeArgs};
mod controls;
pub use controls::{CalibrateArgs, NetworkArgs, NetworkCommand};
mod monitor;
pub use exposure::{CriticalityArgs, ExposureArgs, SharesArgs};
pub use monitor::{
    AnomaliesArgs, FlowArgs, IngestArgs, IngestFormat, MeasureArg, PartnersArgs, RetractArgs,
    SourcesArgs, SqlArgs, TrendsArgs,
};

/// Critical-minerals supply chains under export controls: monitor trade, measure
/// exposure, simulate controls, serve the answers.
#[derive(Debug, Parser)]
#[command(name = "chokepoint", version, about, long_about = None)]
pub struct Cli {
    /// Warehouse directory (Parquet files). Defaults to a per-user data directory; the
    /// bundled rare-earth data is loaded into it on first use.
    #[arg(long, global = true, env = "CHOKEPOINT_DATA_DIR", value_name = "DIR",
          value_parser = folder_name)]
    pub data_dir: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// A folder name, not empty: an empty one usually comes from `CHOKEPOINT_DATA_DIR=""`,
/// which clap's own message ("a value is required") does not mention.
fn folder_name(text: &str) -> Result<PathBuf, String> {
    if text.is_empty() {
        Err(
            "an empty folder name; give a folder, or unset CHOKEPOINT_DATA_DIR if it is \
             set to an empty value"
                .to_string(),
        )
    } else {
        Ok(PathBuf::from(text))
    }
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
    /// Run a scenario: an ARIO disruption on an MRIO table, or a policy scenario of the
    /// rare-earth chain (export controls, truces, shocks) as a Monte Carlo.
    #[command(
        long_about = "Run an ARIO disruption scenario on an MRIO table and write its records.\n\n\
The scenario is a TOML file: [network] mrio = folder (pymrio save_all layout or plain CSV), \
[model] with BoARIO's parameter names and defaults, [simulation] steps, and [[event]] tables \
(arbitrary capacity loss, capital destroyed with recovery, capital destroyed with rebuilding). \
Results match BoARIO 0.7.2 bit for bit under the default settings wherever BoARIO's sums \
over regions run in region order (OpenBLAS picks another order for some table shapes; a \
threshold can then amplify a last-bit difference: docs/engine.md, Exactness).\n\n\
--out receives one CSV per record (step column, then one column per region|sector, full \
precision) in the layout of BoARIO's reference runs, plus summary.json (totals, losses, \
per-industry minimum and its step). stdout shows the most affected industries.\n\n\
A policy scenario of the bundled rare-earth chain ([chain] table, [[export_control]], \
[[suspension]], [[capacity_shock]], [[demand_shock]], [[new_supply]], [[substitution]]) runs \
--runs Monte Carlo draws in parallel (--seed, --threads) and reports, per region and \
industry, production loss, unmet demand, halt and recovery days and halt probability, and \
per edge licensed vs requested tonnes per month; --out is optional there.",
        after_help = "Examples:\n  chokepoint simulate scenario.toml --out runs/shock\n  \
chokepoint simulate scenario.toml --out runs/shock --top 5 --format json\n  \
chokepoint simulate scenarios/april-2025-controls.toml --runs 1000 --seed 7\n  \
chokepoint simulate scenarios/geneva-london-truce.toml --format json > truce.json"
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

    /// List every warehouse table with row counts and where its rows come from.
    #[command(
        long_about = "List every warehouse table (trade, production, stage_shares, export_controls, \
hs_codes, end_uses) with its row count and provenance: the bundled file and how many \
publications it cites, or the files an ingest stored and when.",
        after_help = "Examples:\n  chokepoint sources\n  chokepoint sources --format json"
    )]
    Sources(SourcesArgs),

    /// Run one read-only SQL query over the warehouse tables.
    #[command(
        long_about = "Run one SQL query (DataFusion dialect) over the warehouse tables trade, \
production, stage_shares, export_controls, hs_codes and end_uses. The warehouse is \
read-only here: CREATE, INSERT, COPY and SET are refused; use `chokepoint ingest` to add data.",
        after_help = "Examples:\n  chokepoint sql \"SELECT period, quantity_t FROM trade WHERE product = 'magnets' AND partner_iso3 = 'WLD' ORDER BY period\"\n  chokepoint sql \"SELECT country_iso3, value FROM production WHERE year = 2024\" --format csv"
    )]
    Sql(SqlArgs),

    /// Load customs files (UN Comtrade+, CEPII BACI, tidy CSV) into the warehouse.
    #[command(
        long_about = "Load customs files into the trade table. The format is detected from the \
header. The ingest is atomic (a failure leaves the warehouse as it was) and idempotent \
(a file already stored is skipped). A malformed row fails the ingest with file:line and \
the reason, unless --skip-bad, which stores the good rows and lists the bad ones in \
--rejects (file, line, column and reason of each, and the row itself as a CSV line). Rows from your files take precedence over the bundled figures.",
        after_help = "Examples:\n  chokepoint ingest comtrade-2025.csv\n  chokepoint ingest BACI_HS17_Y2022_V202401.csv --baci-countries country_codes_V202401.csv\n  chokepoint ingest mine.csv --skip-bad --rejects bad-rows.csv"
    )]
    Ingest(IngestArgs),

    /// Take one ingest back out of the warehouse (its rows, as `sources` lists it).
    #[command(
        long_about = "Remove the rows one ingest stored, with its record, so that every \
command reads the warehouse as if it had not happened. \"The later ingest wins\" corrects \
figures per key, not keys: a row stored under a mistyped partner stays beside the corrected \
one until its ingest is retracted. Files stored together by one ingest go together; the \
bundled tables cannot be retracted.",
        after_help = "Examples:\n  chokepoint sources\n  chokepoint retract 20251130T183000Z-s00000003"
    )]
    Retract(RetractArgs),

    /// Level, month-on-month, year-on-year and year-to-date per period for one flow.
    #[command(
        long_about = "One row per period with period,quantity_t,value_usd,mom_pct,yoy_pct,ytd_t,\
ytd_yoy_pct (empty where not defined), then (after source with --with-source) \
reported_yoy_pct and reported_ytd_yoy_pct, the changes the source itself published, and \
derived, which names the figures behind the row that the dataset computed from a growth \
rate (level, yoy base, ytd, ytd base), and with --with-source citation, the report each \
level was published in. The default partner is the world total: World \
rows where present, else the sum over partners; --partner EUU gives the EU aggregate's \
own rows. Combined periods (China's Jan-Feb) stay combined: they count in YTD, and \
neither they nor the month after them get a MoM. YTD and year-earlier totals come from \
any figures that exactly span their months (months, YTD rows, years). With --freq A, a \
year without an annual total is named on stderr with the months it has.",
        after_help = "Examples:\n  chokepoint trends --reporter CHN --flow export --product rare-earths --from 2025-01 --to 2025-06\n  chokepoint trends --reporter CHN --flow export --product magnets --partner USA --format csv\n  chokepoint trends --reporter CHN --flow export --product rare-earths --freq A"
    )]
    Trends(TrendsArgs),

    /// Partners of one flow in one period: quantity, share, HHI and top shares.
    #[command(
        long_about = "Quantity and share per partner for one period, largest first, with the \
Herfindahl-Hirschman index (0-10,000) and the top-1 and top-3 shares (top-3 from three \
partners on). Shares are of the World row when the source has one (coverage_pct says how \
much the listed countries cover), else of the sum over partners; when the listed partners \
cover less than the total, the HHI is labelled a lower bound. Aggregates that overlap \
their members (EUU) are not ranked or counted but listed under the table (JSON: \
aggregates) with their share of the world total.",
        after_help = "Examples:\n  chokepoint partners --reporter CHN --flow export --product magnets --period 2025-09\n  chokepoint partners --reporter CHN --flow export --product 850511 --period 2024 --format json"
    )]
    Partners(PartnersArgs),

    /// Months whose level departs from their seasonal and trailing baselines.
    #[command(
        long_about = "Flag months whose tonnage departs from every baseline it has by more than \
--threshold percent in the same direction: the mean of the same month in up to three \
earlier years, and the median of up to six earlier months within the last twelve.",
        after_help = "Examples:\n  chokepoint anomalies --reporter CHN --flow export --product magnets\n  chokepoint anomalies --reporter CHN --flow export --product rare-earths --all --format csv"
    )]
    Anomalies(AnomaliesArgs),
    /// Country shares of a supply-chain stage with HHI, CR1, CR3 and their sources.
    Shares(SharesArgs),
    /// An importer's supplier shares, import reliance and EU CRMA check for a product.
    Exposure(ExposureArgs),
    /// EU and USGS criticality scores with every input marked given, defaulted or missing.
    Criticality(CriticalityArgs),
}

/// Arguments of `chokepoint simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Folder for the record CSVs and summary.json (created if missing). Required for ARIO
    /// scenarios; for policy scenarios it receives summary.json, industries.csv, edges.csv,
    /// series.csv and runs.csv.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How many of the most affected industries to print [default: 10 for an ARIO
    /// scenario; for a policy scenario every affected industry in the table and every
    /// industry in CSV; its JSON always holds them all].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub top: Option<u64>,
    /// Output format of the printed table.
    #[arg(long, value_enum, default_value_t = crate::output::Format::Table)]
    pub format: crate::output::Format,
    /// No progress bar even on a terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// Policy scenarios: number of Monte Carlo runs [default: 100] (at most 100,000: each
    /// run's records are kept for the percentiles, about 50 KB a run over a year on the
    /// rare-earth chain and 30 bytes more per simulated day; runs that would need more than
    /// half this machine's memory are refused).
    /// An ARIO scenario is one deterministic run and refuses it.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub runs: Option<usize>,
    /// Policy scenarios: seed of the random streams (run i uses stream i) [default: 42]. An
    /// ARIO scenario has no random draws and refuses it.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Policy scenarios: worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub threads: Option<usize>,
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
    fn an_empty_data_dir_names_the_environment_variable() {
        let err = Cli::try_parse_from(["chokepoint", "--data-dir", "", "sources"]).unwrap_err();
        assert!(err.to_string().contains("CHOKEPOINT_DATA_DIR"), "{err}");
        assert_eq!(err.exit_code(), 2);
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
        assert_eq!(args.out, Some(PathBuf::from("o")));
        assert_eq!(args.top, None);
        // --out is optional at parse time: policy scenarios run without it, ARIO scenarios
        // ask for it when they run (exit 2).
        let cli = Cli::try_parse_from(["chokepoint", "simulate", "s.toml"]).unwrap();
        let Command::Simulate(args) = cli.command else {
            panic!("expected simulate");
        };
        assert_eq!(args.out, None);
    }
}
