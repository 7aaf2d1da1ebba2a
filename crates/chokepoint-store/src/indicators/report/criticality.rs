//! The criticality report: EU and USGS-style criticality scores from the warehouse's stage
//! shares and the parameter file, with every input marked given, defaulted or missing.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chokepoint_model::Stage;
use serde::Serialize;

use super::Facts;
use super::shares::{SharesQuery, shares_report};
use crate::StoreError;
use crate::indicators::concentration::SupplierShare;
use crate::indicators::criticality::{
    EuAssessment, StageSupply, UsgsAssessment, eu_assessment, usgs_assessment,
};
use crate::indicators::params::CriticalityParams;
use crate::indicators::shares::ShareSource;

/// The shipped parameter file, compiled in so the binary and the server stand alone.
pub const SHIPPED_PARAMS: &str =
    include_str!("../../../../../data/rare-earths/criticality_params.toml");

/// Criticality methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// EU CRM method: supply risk and economic importance (SR >= 1, EI >= 2.8).
    #[default]
    Eu,
    /// USGS 2022 method: disruption potential x trade exposure x economic vulnerability.
    Usgs,
}

impl FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Method, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eu" => Ok(Method::Eu),
            "usgs" => Ok(Method::Usgs),
            _ => Err(format!("unknown method `{s}`; expected eu or usgs")),
        }
    }
}

/// The assessment, as `--format json` prints it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Assessment {
    /// EU CRM method.
    Eu {
        /// Where the parameters come from.
        params: String,
        /// Global shares used per stage.
        supplies: Vec<StageSupply>,
        /// Stages whose shares are missing.
        missing_stages: Vec<String>,
        /// The scores.
        #[serde(flatten)]
        result: EuAssessment,
    },
    /// USGS 2022 style.
    Usgs {
        /// Where the parameters come from.
        params: String,
        /// Data year of the trade exposure.
        year: i32,
        /// Global shares used per stage.
        supplies: Vec<StageSupply>,
        /// Stages whose shares are missing.
        missing_stages: Vec<String>,
        /// The scores.
        #[serde(flatten)]
        result: UsgsAssessment,
    },
}

/// The parameter file given, else the shipped one.
pub fn load_params(path: Option<&Path>) -> Result<(CriticalityParams, String), StoreError> {
    Ok(match path {
        Some(p) => (CriticalityParams::load(p)?, p.display().to_string()),
        None => {
            let origin = PathBuf::from("data/rare-earths/criticality_params.toml (built in)");
            (
                CriticalityParams::from_toml(SHIPPED_PARAMS, &origin)?,
                origin.display().to_string(),
            )
        }
    })
}

/// Global shares of extraction (USGS mine production) and processing (IEA, else any
/// reported source) for `year` (each stage's latest when none).
pub async fn supplies(
    facts: &Facts,
    year: Option<i32>,
) -> Result<(Vec<StageSupply>, Vec<String>), StoreError> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (name, stage, source) in [
        ("extraction", Stage::Mining, Some(ShareSource::Usgs)),
        // The stage's default source: the IEA, else another named source for the year
        // (the rule `shares` and `exposure` use too).
        ("processing", Stage::Separation, None),
    ] {
        let q = SharesQuery {
            year,
            source,
            ..SharesQuery::stage(stage)
        };
        match shares_report(facts, &q).await? {
            Ok(r) => {
                let s = r.shares;
                out.push(StageSupply {
                    stage: name.into(),
                    year: s.year,
                    basis: format!(
                        "{} {} shares {}{}",
                        s.source.as_str(),
                        stage,
                        s.year,
                        s.edition.map(|e| format!(" ({e})")).unwrap_or_default()
                    ),
                    shares: s
                        .shares
                        .iter()
                        .map(|l| SupplierShare::new(l.country_iso3.clone(), l.share))
                        .collect(),
                });
            }
            Err(nc) => missing.push(format!("{name}: {nc}")),
        }
    }
    Ok((out, missing))
}

/// Computes the assessment by `method` with `params` (read from `origin`), on the stage
/// shares of `year` (each stage's latest when none).
pub async fn assessment(
    facts: &Facts,
    params: &CriticalityParams,
    origin: &str,
    method: Method,
    year: Option<i32>,
) -> Result<Assessment, StoreError> {
    let (supplies, missing_stages) = supplies(facts, year).await?;
    Ok(match method {
        Method::Eu => {
            // Measures in force by the assessed year (the stages' latest data year when none
            // is asked): a 2025 licence does not describe 2022's supply.
            let through = year.or_else(|| supplies.iter().map(|s| s.year).max());
            let restrictions = facts.rare_earth_restrictions(through).await?;
            let result = eu_assessment(params, &supplies, &missing_stages, &restrictions);
            Assessment::Eu {
                params: origin.to_string(),
                result,
                supplies,
                missing_stages,
            }
        }
        Method::Usgs => {
            let y = year
                .or_else(|| supplies.first().map(|s| s.year))
                .unwrap_or_default();
            Assessment::Usgs {
                params: origin.to_string(),
                year: y,
                result: usgs_assessment(params, &supplies, &missing_stages, y),
                supplies,
                missing_stages,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_and_refuse_others() {
        assert_eq!("EU".parse::<Method>(), Ok(Method::Eu));
        assert_eq!("usgs".parse::<Method>(), Ok(Method::Usgs));
        assert!("jrc".parse::<Method>().unwrap_err().contains("eu or usgs"));
    }

    #[test]
    fn the_shipped_parameters_load() {
        let (_, origin) = load_params(None).unwrap();
        assert!(origin.contains("built in"), "{origin}");
    }
}
