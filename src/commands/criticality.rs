//! `chokepoint criticality`: EU and USGS-style criticality scores from the warehouse's
//! stage shares and the parameter file, with every input marked given, defaulted or missing.

use std::path::{Path, PathBuf};

use chokepoint_model::Stage;
use chokepoint_store::indicators::criticality::{
    EuAssessment, StageSupply, UsgsAssessment, Verdict, eu_assessment, usgs_assessment,
};
use chokepoint_store::indicators::params::{CriticalityParams, InputStatus, Resolved};
use chokepoint_store::indicators::{Figure, NotComputable};
use serde::Serialize;

use super::facts::{self, Facts};
use super::shares::short;
use crate::cli::{CriticalityArgs, MethodArg, SourceArg};
use crate::output::{Cell, Format, Table, print_json};

/// The shipped parameter file, compiled in so the binary stands alone.
const SHIPPED_PARAMS: &str = include_str!("../../data/rare-earths/criticality_params.toml");

/// The assessment printed.
#[derive(Serialize)]
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

/// Runs `chokepoint criticality`.
pub fn run(data_dir: Option<&Path>, args: &CriticalityArgs) -> anyhow::Result<()> {
    let (params, origin) = load_params(args.params.as_deref())?;
    let facts = facts::load(data_dir)?;
    let assessment = compute(&facts, &params, &origin, args.method, args.year)?;
    print(&assessment, args.format)
}

/// The parameter file given, else the shipped one.
pub fn load_params(path: Option<&Path>) -> anyhow::Result<(CriticalityParams, String)> {
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
pub fn supplies(
    facts: &Facts,
    year: Option<i32>,
) -> anyhow::Result<(Vec<StageSupply>, Vec<String>)> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (name, stage, sources) in [
        ("extraction", Stage::Mining, &[SourceArg::Usgs][..]),
        (
            "processing",
            Stage::Separation,
            &[SourceArg::Iea, SourceArg::Reported][..],
        ),
    ] {
        let mut last: Option<NotComputable> = None;
        let mut found = None;
        for source in sources {
            match super::shares::compute(facts, stage, year, Some(*source), None)? {
                Ok(r) => {
                    found = Some(r);
                    break;
                }
                Err(nc) => last = Some(nc),
            }
        }
        match found {
            Some(r) => {
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
                        .map(|l| {
                            chokepoint_store::indicators::concentration::SupplierShare::new(
                                l.country_iso3.clone(),
                                l.share,
                            )
                        })
                        .collect(),
                });
            }
            None => missing.push(format!(
                "{name}: {}",
                last.map(|n| n.to_string()).unwrap_or_default()
            )),
        }
    }
    Ok((out, missing))
}

/// Computes the assessment.
pub fn compute(
    facts: &Facts,
    params: &CriticalityParams,
    origin: &str,
    method: MethodArg,
    year: Option<i32>,
) -> anyhow::Result<Assessment> {
    let (supplies, missing_stages) = supplies(facts, year)?;
    Ok(match method {
        MethodArg::Eu => Assessment::Eu {
            params: origin.to_string(),
            result: eu_assessment(params, &supplies),
            supplies,
            missing_stages,
        },
        MethodArg::Usgs => {
            let y = year
                .or_else(|| supplies.first().map(|s| s.year))
                .unwrap_or_default();
            Assessment::Usgs {
                params: origin.to_string(),
                year: y,
                result: usgs_assessment(params, &supplies, y),
                supplies,
                missing_stages,
            }
        }
    })
}

fn status_word(s: InputStatus) -> &'static str {
    match s {
        InputStatus::Given => "given",
        InputStatus::Defaulted => "defaulted",
        InputStatus::Missing => "missing",
    }
}

fn print(a: &Assessment, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(a)?;
        return Ok(());
    }
    let mut t = Table::new([
        "kind",
        "name",
        "stage",
        "value",
        "threshold",
        "status",
        "note",
    ]);
    let fig = |f: &Figure| f.value().map_or(Cell::Null, |v| Cell::float(v, 3));
    let note = |f: &Figure| match f {
        Figure::Value(_) => String::new(),
        Figure::NotComputable { not_computable } => not_computable.clone(),
    };
    let score = |t: &mut Table, name: &str, stage: &str, f: &Figure, threshold: Option<f64>| {
        let status = match (f.value(), threshold) {
            (Some(v), Some(th)) if v >= th => "at or above threshold",
            (Some(_), Some(_)) => "below threshold",
            (Some(_), None) => "computed",
            (None, _) => "not computable",
        };
        t.push(vec![
            "score".into(),
            name.into(),
            stage.into(),
            fig(f),
            Cell::opt_float(threshold, 2),
            status.into(),
            note(f).into(),
        ]);
    };
    let (params, supplies, missing, inputs, verdict) = match a {
        Assessment::Eu {
            params,
            supplies,
            missing_stages,
            result,
        } => {
            for s in &result.stages {
                score(
                    &mut t,
                    "hhi_wgi_t_global",
                    &s.stage,
                    &Figure::Value(s.hhi_wgi_t_global),
                    None,
                );
                score(
                    &mut t,
                    "hhi_wgi_t_eu",
                    &s.stage,
                    &Figure::Value(s.hhi_wgi_t_eu),
                    None,
                );
                score(
                    &mut t,
                    "supply_risk",
                    &s.stage,
                    &s.supply_risk,
                    Some(result.supply_risk_threshold),
                );
            }
            score(
                &mut t,
                "supply_risk",
                "bottleneck",
                &result.supply_risk,
                Some(result.supply_risk_threshold),
            );
            score(
                &mut t,
                "economic_importance",
                "",
                &result.economic_importance,
                Some(result.economic_importance_threshold),
            );
            (
                params,
                supplies,
                missing_stages,
                &result.inputs,
                &result.critical,
            )
        }
        Assessment::Usgs {
            params,
            supplies,
            missing_stages,
            result,
            ..
        } => {
            for s in &result.stages {
                score(
                    &mut t,
                    "disruption_potential",
                    &s.stage,
                    &Figure::Value(s.disruption_potential),
                    None,
                );
                score(
                    &mut t,
                    "supply_risk",
                    &s.stage,
                    &s.supply_risk,
                    Some(result.supply_risk_threshold),
                );
            }
            score(&mut t, "trade_exposure", "", &result.trade_exposure, None);
            score(
                &mut t,
                "economic_vulnerability",
                "",
                &result.economic_vulnerability,
                None,
            );
            score(
                &mut t,
                "supply_risk",
                "bottleneck",
                &result.supply_risk,
                Some(result.supply_risk_threshold),
            );
            (
                params,
                supplies,
                missing_stages,
                &result.inputs,
                &result.critical,
            )
        }
    };
    t.push(vec![
        "verdict".into(),
        "critical".into(),
        "".into(),
        Cell::Null,
        Cell::Null,
        verdict_word(verdict).into(),
        match verdict {
            Verdict::NotComputable(why) => why.clone().into(),
            _ => Cell::Null,
        },
    ]);
    for s in supplies {
        t.push(vec![
            "shares".into(),
            s.basis.clone().into(),
            s.stage.clone().into(),
            Cell::Null,
            Cell::Null,
            "given".into(),
            "from the warehouse".into(),
        ]);
    }
    for m in missing {
        t.push(vec![
            "shares".into(),
            "".into(),
            "".into(),
            Cell::Null,
            Cell::Null,
            "missing".into(),
            m.clone().into(),
        ]);
    }
    for r in inputs {
        t.push(input_row(r, format));
    }
    t.push(vec![
        "params".into(),
        params.clone().into(),
        "".into(),
        Cell::Null,
        Cell::Null,
        "".into(),
        "parameter file".into(),
    ]);
    t.print(format)?;
    Ok(())
}

fn verdict_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Critical => "critical",
        Verdict::NotCritical => "not critical",
        Verdict::NotComputable(_) => "not computable",
    }
}

fn input_row(r: &Resolved, format: Format) -> Vec<Cell> {
    vec![
        "input".into(),
        r.name.clone().into(),
        "".into(),
        Cell::opt_float(r.value, 3),
        Cell::Null,
        status_word(r.status).into(),
        short(&r.note, format).into(),
    ]
}
