//! Arguments of `chokepoint shares`, `chokepoint exposure` and `chokepoint criticality`
//! (issue 4), with their parse tests.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::output::Format;

/// Stages that have country shares (components are the using industries, not a market).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    /// Ore and concentrate.
    Mining,
    /// Separation and refining.
    Separation,
    /// Metals and alloys.
    Metal,
    /// Permanent magnets.
    Magnets,
}

impl From<StageArg> for chokepoint_model::Stage {
    fn from(s: StageArg) -> chokepoint_model::Stage {
        match s {
            StageArg::Mining => chokepoint_model::Stage::Mining,
            StageArg::Separation => chokepoint_model::Stage::Separation,
            StageArg::Metal => chokepoint_model::Stage::Metal,
            StageArg::Magnets => chokepoint_model::Stage::Magnets,
        }
    }
}

/// Where stage shares come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    /// USGS mine production: shares of the USGS world total (mining only).
    Usgs,
    /// Shares reported by the IEA.
    Iea,
    /// Shares reported by any named source (news wires, compilations, the IEA).
    Reported,
    /// Shares of exports in the warehouse's trade table.
    Trade,
}

impl From<SourceArg> for chokepoint_store::indicators::shares::ShareSource {
    fn from(s: SourceArg) -> Self {
        use chokepoint_store::indicators::shares::ShareSource;
        match s {
            SourceArg::Usgs => ShareSource::Usgs,
            SourceArg::Iea => ShareSource::Iea,
            SourceArg::Reported => ShareSource::Reported,
            SourceArg::Trade => ShareSource::Trade,
        }
    }
}

/// Criticality methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum MethodArg {
    /// EU CRM method: supply risk and economic importance (SR ≥ 1, EI ≥ 2.8).
    #[default]
    Eu,
    /// USGS 2022 method: disruption potential × trade exposure × economic vulnerability.
    Usgs,
}

impl From<MethodArg> for chokepoint_store::indicators::report::criticality::Method {
    fn from(m: MethodArg) -> Self {
        use chokepoint_store::indicators::report::criticality::Method;
        match m {
            MethodArg::Eu => Method::Eu,
            MethodArg::Usgs => Method::Usgs,
        }
    }
}

/// Arguments of `chokepoint shares`.
/// `--stage` by the parser `stage=` of the HTTP API uses (`share_stage`), so that the two
/// accept and refuse the same values: one parser, not two lists.
fn parse_stage(text: &str) -> Result<StageArg, String> {
    use chokepoint_model::Stage;
    match chokepoint_store::indicators::report::share_stage(text)? {
        Stage::Mining => Ok(StageArg::Mining),
        Stage::Separation => Ok(StageArg::Separation),
        Stage::Metal => Ok(StageArg::Metal),
        Stage::Magnets => Ok(StageArg::Magnets),
        other => Err(format!("`{}` has no country shares", other.as_str())),
    }
}

/// `--source` by the API's parser of `source=`.
fn parse_source(text: &str) -> Result<SourceArg, String> {
    use chokepoint_store::indicators::shares::ShareSource;
    Ok(match text.parse::<ShareSource>()? {
        ShareSource::Usgs => SourceArg::Usgs,
        ShareSource::Iea => SourceArg::Iea,
        ShareSource::Reported => SourceArg::Reported,
        ShareSource::Trade => SourceArg::Trade,
    })
}

/// `--method` by the API's parser of `method=`.
fn parse_method(text: &str) -> Result<MethodArg, String> {
    use chokepoint_store::indicators::report::criticality::Method;
    Ok(match text.parse::<Method>()? {
        Method::Eu => MethodArg::Eu,
        Method::Usgs => MethodArg::Usgs,
    })
}

#[derive(Debug, clap::Args)]
#[command(
    long_about = "Country shares of one supply-chain stage with HHI (0-10,000), CR1 and CR3, \
and where each figure comes from.\n\nBy default shares come from production data where the \
warehouse has it (USGS mine production for mining, shares of the USGS world total, latest \
Mineral Commodity Summaries edition for the year), otherwise from reported shares: the \
IEA's figures for the year, data-year figures before publication-year ones (without --year, \
the IEA's latest data year); when the IEA has none for the year, another named source's, \
with a note naming it (the same rule exposure and criticality use). Other reported figures for the same stage and year are listed for comparison, and \
the EU CRMA benchmark (no single third country above 65 %) is checked.",
    after_help = "Examples:\n  chokepoint shares --stage mining --year 2024\n  chokepoint \
shares --stage mining --year 2024 --edition MCS2025\n  chokepoint shares --stage separation \
--year 2023 --source iea\n  chokepoint shares --stage magnets --format json"
)]
pub struct SharesArgs {
    /// Supply-chain stage: mining, separation, metal or magnets.
    #[arg(long, value_parser = parse_stage)]
    pub stage: StageArg,
    /// Data year (default: the latest year the source covers).
    #[arg(long, value_name = "YYYY", value_parser = chokepoint_model::parse_data_year)]
    pub year: Option<i32>,
    /// Where the shares come from: usgs, iea, reported or trade (default: usgs for
    /// mining, iea otherwise).
    #[arg(long, value_parser = parse_source)]
    pub source: Option<SourceArg>,
    /// USGS Mineral Commodity Summaries edition, e.g. MCS2025 (default: the latest holding
    /// the year). Only with the usgs source.
    #[arg(long, value_name = "MCSYYYY")]
    pub edition: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `chokepoint exposure`.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "An importer's exposure for one product: supplier shares of its imports and \
their HHI, import reliance (net imports / apparent consumption) where production and trade \
allow it, and the EU CRMA check per stage (largest single third-country share of \
consumption against 65 %).\n\n\
PRODUCT is a stage (mining, separation, metal, magnets), an HS code (8505.11) or a product \
group or name of the trade table (rare-earths; an unknown one lists them). Where the importer's own sourcing \
is not in the warehouse, the CRMA check uses global stage shares as a proxy and says so. \
At the product's stage it is imports from one country / (production + imports - exports); \
without production or with only some origins reported, that share is an upper bound and \
the verdict INCONCLUSIVE above 65 %. A year of trade sums monthly rows and, for months \
without one, multi-month and year-to-date totals, never both.\n\nWith --after, `before` \
is the chain's baseline without the control over the simulated window, `after` the \
delivered flows; what buyers ordered under the control is the imports_requested row.",
    after_help = "Examples:\n  chokepoint exposure --importer EU --product magnets\n  \
chokepoint exposure --importer USA --product mining --year 2024\n  chokepoint exposure \
--importer EU --product rare-earths --year 2025 --format json\n  \
chokepoint exposure --importer EU --product magnets --after scenarios/april-2025-controls.toml \
--runs 200 --seed 7"
)]
pub struct ExposureArgs {
    /// Importing country (ISO-3) or EU.
    #[arg(long, value_name = "ISO3|EU")]
    pub importer: String,
    /// Stage, HS code or trade product group or name.
    #[arg(long, value_name = "P")]
    pub product: String,
    /// Data year (default: the latest year with trade data; stage shares then follow the
    /// default of `shares`). Not with --after, whose figures are the scenario's window.
    #[arg(long, value_name = "YYYY", value_parser = chokepoint_model::parse_data_year, conflicts_with = "after")]
    pub year: Option<i32>,
    /// Recompute supplier shares and reliance from a simulated control (scenario file).
    #[arg(long, value_name = "SCENARIO.toml")]
    pub after: Option<PathBuf>,
    /// With --after: number of Monte Carlo runs (at most 100,000; default 100, as `simulate`).
    #[arg(long, requires = "after", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub runs: Option<usize>,
    /// With --after: seed of the random streams (run i uses stream i; default 42, as
    /// `simulate`).
    #[arg(long, requires = "after")]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `chokepoint criticality`.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Criticality of rare earths by the EU CRM method (supply risk from \
governance-weighted HHI, import reliance, recycling and substitution; economic importance; \
thresholds SR >= 1 and EI >= 2.8) or a USGS-2022-style supply risk (disruption potential x \
trade exposure x economic vulnerability; threshold 0.40).\n\nInputs the data do not hold \
come from the parameter file (default: data/rare-earths/criticality_params.toml, shipped \
with sources). Every output lists each input as given, defaulted or missing; a score whose \
inputs are missing prints \"not computable: needs X\".",
    after_help = "Examples:\n  chokepoint criticality\n  chokepoint criticality --method \
usgs --year 2024\n  chokepoint criticality --params my_params.toml --format json"
)]
pub struct CriticalityArgs {
    /// Method: eu or usgs.
    #[arg(long, value_parser = parse_method, default_value = "eu")]
    pub method: MethodArg,
    /// Parameter file (TOML).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Data year of the stage shares (default: the latest each source covers).
    #[arg(long, value_name = "YYYY", value_parser = chokepoint_model::parse_data_year)]
    pub year: Option<i32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use clap::Parser;

    use super::*;

    #[test]
    fn year_is_four_digits_in_the_plausible_range_for_every_command() {
        for cmd in [
            vec!["shares", "--stage", "mining"],
            vec!["exposure", "--importer", "EU", "--product", "magnets"],
            vec!["criticality"],
        ] {
            for bad in ["65536", "-5", "1899", "2201", "20x5"] {
                let mut argv = vec!["chokepoint"];
                argv.extend(&cmd);
                let flag = format!("--year={bad}");
                argv.push(&flag);
                let e = Cli::try_parse_from(argv).unwrap_err().to_string();
                assert!(
                    e.contains("four digits from 1900 to 2200"),
                    "{cmd:?} {bad}: {e}"
                );
            }
        }
    }

    #[test]
    fn shares_requires_a_stage_and_defaults_the_rest() {
        assert!(Cli::try_parse_from(["chokepoint", "shares"]).is_err());
        let cli = Cli::try_parse_from(["chokepoint", "shares", "--stage", "mining"]).unwrap();
        let Command::Shares(a) = cli.command else {
            panic!("not shares")
        };
        assert_eq!(a.stage, StageArg::Mining);
        assert_eq!((a.year, a.source, a.edition), (None, None, None));
        assert_eq!(a.format, Format::Table);
    }

    #[test]
    fn shares_parses_every_option() {
        let cli = Cli::try_parse_from([
            "chokepoint",
            "shares",
            "--stage",
            "separation",
            "--year",
            "2023",
            "--source",
            "iea",
            "--edition",
            "MCS2025",
            "--format",
            "csv",
        ])
        .unwrap();
        let Command::Shares(a) = cli.command else {
            panic!("not shares")
        };
        assert_eq!(a.year, Some(2023));
        assert_eq!(a.source, Some(SourceArg::Iea));
        assert_eq!(a.edition.as_deref(), Some("MCS2025"));
        assert!(Cli::try_parse_from(["chokepoint", "shares", "--stage", "components"]).is_err());
    }

    #[test]
    fn exposure_needs_importer_and_product() {
        assert!(Cli::try_parse_from(["chokepoint", "exposure", "--importer", "EU"]).is_err());
        let cli = Cli::try_parse_from([
            "chokepoint",
            "exposure",
            "--importer",
            "EU",
            "--product",
            "magnets",
            "--after",
            "s.toml",
        ])
        .unwrap();
        let Command::Exposure(a) = cli.command else {
            panic!("not exposure")
        };
        assert_eq!(a.importer, "EU");
        assert_eq!(a.after, Some(PathBuf::from("s.toml")));
        assert_eq!((a.runs, a.seed), (None, None));
        // Runs and seed belong to the simulation of --after.
        let no_after = [
            "chokepoint",
            "exposure",
            "--importer",
            "EU",
            "--product",
            "magnets",
            "--runs",
            "8",
        ];
        assert!(Cli::try_parse_from(no_after).is_err());
    }

    #[test]
    fn criticality_defaults_to_the_eu_method() {
        let cli = Cli::try_parse_from(["chokepoint", "criticality"]).unwrap();
        let Command::Criticality(a) = cli.command else {
            panic!("not criticality")
        };
        assert_eq!(a.method, MethodArg::Eu);
        assert!(a.params.is_none());
        let cli = Cli::try_parse_from(["chokepoint", "criticality", "--method", "usgs"]).unwrap();
        let Command::Criticality(a) = cli.command else {
            panic!("not criticality")
        };
        assert_eq!(a.method, MethodArg::Usgs);
    }
}
