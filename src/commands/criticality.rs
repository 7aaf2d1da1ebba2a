//! `chokepoint criticality`: EU and USGS-style criticality scores from the warehouse's
//! stage shares and the parameter file, with every input marked given, defaulted or missing.

use std::path::Path;

use chokepoint_store::indicators::Figure;
use chokepoint_store::indicators::criticality::Verdict;
use chokepoint_store::indicators::params::{InputStatus, Resolved};
use chokepoint_store::indicators::report::criticality::{Assessment, assessment, load_params};

use super::facts;
use super::shares::short;
use crate::cli::CriticalityArgs;
use crate::output::{Cell, Format, Table, print_json};

/// Runs `chokepoint criticality`.
pub fn run(data_dir: Option<&Path>, args: &CriticalityArgs) -> anyhow::Result<()> {
    let (params, origin) = load_params(args.params.as_deref())?;
    let loaded = facts::load(data_dir)?;
    let assessment = loaded.block_on(assessment(
        &loaded.facts,
        &params,
        &origin,
        args.method.into(),
        args.year,
    ))?;
    print(&assessment, args.format)
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
