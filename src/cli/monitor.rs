//! Arguments of the trade-monitor commands: `sources`, `sql`, `ingest`, `trends`,
//! `partners`, `anomalies`.

use std::path::PathBuf;

use chokepoint_model::{Flow, Frequency, Iso3, Period, YearMonth};

use crate::output::Format;

/// Input formats `ingest` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum IngestFormat {
    /// Detect from the header.
    #[default]
    Auto,
    /// UN Comtrade+ CSV.
    Comtrade,
    /// CEPII BACI CSV (`t,i,j,k,v,q`).
    Baci,
    /// Tidy CSV (`period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd`).
    Tidy,
}

/// Tonnes or dollars for partner shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum MeasureArg {
    /// Shares of tonnes.
    #[default]
    Quantity,
    /// Shares of US dollars.
    Value,
}

/// Arguments of `chokepoint sources`.
#[derive(Debug, clap::Args)]
pub struct SourcesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `chokepoint retract`.
#[derive(Debug, clap::Args)]
pub struct RetractArgs {
    /// The ingest to take out, as `chokepoint sources` lists it (`20251130T183000Z-s00000003`).
    #[arg(value_name = "INGEST_ID")]
    pub ingest_id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `chokepoint sql`.
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// One read-only SQL query over the tables trade, production, stage_shares,
    /// export_controls, hs_codes, end_uses.
    pub query: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Stop the query after this many seconds (exit code 2; rows already written stay
    /// written). Default: no limit (Ctrl-C stops it).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
}

/// Arguments of `chokepoint ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Files to ingest (Comtrade+, BACI or tidy CSV); stored together, atomically.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Input format; `auto` detects it from each file's header.
    #[arg(long, value_enum, default_value_t)]
    pub format: IngestFormat,
    /// BACI country-codes file (default: country_codes*.csv beside the data file).
    #[arg(long, value_name = "FILE")]
    pub baci_countries: Option<PathBuf>,
    /// Store the good rows and list malformed ones in --rejects (file, line, column, reason,
    /// and the row).
    #[arg(long)]
    pub skip_bad: bool,
    /// Where --skip-bad lists the rejected rows.
    #[arg(long, value_name = "FILE", default_value = "chokepoint-rejects.csv")]
    pub rejects: PathBuf,
}

/// The flow selection shared by `trends`, `partners` and `anomalies`.
#[derive(Debug, clap::Args)]
pub struct FlowArgs {
    /// Reporting country (ISO-3).
    #[arg(long, value_name = "ISO3")]
    pub reporter: Iso3,
    /// Direction: export, import, re-export, re-import.
    #[arg(long)]
    pub flow: Flow,
    /// HS code (2-10 digits), product group (rare-earths, magnets, gallium, …) or an
    /// aggregate name.
    #[arg(long, value_name = "P")]
    pub product: String,
    /// Use this source only (e.g. bundled, comtrade, baci, tidy); default: user data
    /// before bundled figures, never their sum.
    #[arg(long)]
    pub source: Option<String>,
}

/// Arguments of `chokepoint trends`.
#[derive(Debug, clap::Args)]
pub struct TrendsArgs {
    /// What flow.
    #[command(flatten)]
    pub flow: FlowArgs,
    /// One partner (ISO-3); default the world total.
    #[arg(long, value_name = "ISO3")]
    pub partner: Option<Iso3>,
    /// First month shown (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<YearMonth>,
    /// Last month shown (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<YearMonth>,
    /// Monthly (M) or annual (A) steps.
    #[arg(long, default_value = "M")]
    pub freq: Frequency,
    /// Add a `source` column saying which source each row used, and a last `citation` column
    /// naming the report it was published in (table and CSV; JSON always has both, as the
    /// API does).
    #[arg(long)]
    pub with_source: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `chokepoint partners`.
#[derive(Debug, clap::Args)]
pub struct PartnersArgs {
    /// What flow.
    #[command(flatten)]
    pub flow: FlowArgs,
    /// The period: YYYY-MM, YYYY-MM..YYYY-MM or YYYY. A range or a year selects the figures
    /// published for exactly that span (an annual row, China's combined Jan–Feb), not a sum
    /// of the months inside it; a note lists the periods that have partner rows.
    #[arg(long)]
    pub period: Period,
    /// Shares of tonnes or of dollars.
    #[arg(long, value_enum, default_value_t)]
    pub measure: MeasureArg,
    /// Output format (json includes HHI and top shares; table prints them below).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `chokepoint anomalies`.
#[derive(Debug, clap::Args)]
pub struct AnomaliesArgs {
    /// What flow.
    #[command(flatten)]
    pub flow: FlowArgs,
    /// One partner (ISO-3); default the world total.
    #[arg(long, value_name = "ISO3")]
    pub partner: Option<Iso3>,
    /// Departure from every baseline, in percent, beyond which a month is flagged.
    // `allow_negative_numbers`: `--threshold -5` gets the message about the value, not
    // "unexpected argument '-5'".
    #[arg(
        long,
        default_value_t = 30.0,
        value_name = "PCT",
        allow_negative_numbers = true
    )]
    pub threshold: f64,
    /// Show every month with its baselines, not only flagged ones.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn trends_parses_the_acceptance_command() {
        let cli = Cli::try_parse_from([
            "chokepoint",
            "trends",
            "--reporter",
            "CHN",
            "--flow",
            "export",
            "--product",
            "rare-earths",
            "--from",
            "2025-01",
            "--to",
            "2025-06",
            "--format",
            "csv",
        ])
        .unwrap();
        let Command::Trends(a) = cli.command else {
            panic!("not trends")
        };
        assert_eq!(a.flow.reporter.as_str(), "CHN");
        assert_eq!(a.from.unwrap().to_string(), "2025-01");
        assert_eq!(a.freq, chokepoint_model::Frequency::Monthly);
    }

    #[test]
    fn trends_rejects_a_bad_flow_and_month() {
        assert!(
            Cli::try_parse_from([
                "chokepoint",
                "trends",
                "--reporter",
                "CHN",
                "--flow",
                "sideways",
                "--product",
                "magnets"
            ])
            .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "chokepoint",
                "trends",
                "--reporter",
                "CHN",
                "--flow",
                "export",
                "--product",
                "magnets",
                "--from",
                "2025-13"
            ])
            .is_err()
        );
    }

    #[test]
    fn ingest_needs_a_file_and_defaults_to_auto_strict() {
        assert!(Cli::try_parse_from(["chokepoint", "ingest"]).is_err());
        let cli = Cli::try_parse_from(["chokepoint", "ingest", "a.csv"]).unwrap();
        let Command::Ingest(a) = cli.command else {
            panic!("not ingest")
        };
        assert!(!a.skip_bad);
        assert_eq!(a.format, super::IngestFormat::Auto);
    }

    #[test]
    fn partners_takes_combined_periods() {
        let cli = Cli::try_parse_from([
            "chokepoint",
            "partners",
            "--reporter",
            "CHN",
            "--flow",
            "export",
            "--product",
            "magnets",
            "--period",
            "2025-01..2025-06",
        ])
        .unwrap();
        let Command::Partners(a) = cli.command else {
            panic!("not partners")
        };
        assert_eq!(a.period.month_count(), 6);
    }
}
