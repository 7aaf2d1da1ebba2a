//! `chokepoint criticality`: EU and USGS-style criticality scores from the warehouse's
//! stage shares and the parameter file, with every input marked given, defaulted or missing.

use std::path::Path;

use chokepoint_store::indicators::Figure;
use chokepoint_store::indicators::criticality::{LowerBound, ThresholdStatus, Verdict};
use chokepoint_store::indicators::params::{InputStatus, Resolved};
use chokepoint_store::indicators::report::criticality::{Assessment, assessment, load_params};

use super::facts;
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
    // A lower bound says so in its note, with its upper bound; the status of a thresholded
    // score comes from the library's one rule (a lower bound below its threshold is
    // inconclusive, not "below threshold").
    let note = |f: &Figure, bound: Option<&LowerBound>| match (f, bound) {
        (Figure::NotComputable { not_computable }, _) => not_computable.clone(),
        (Figure::Value(_), Some(b)) => b.note.clone(),
        (Figure::Value(_), None) => String::new(),
    };
    let score = |t: &mut Table,
                 name: &str,
                 stage: &str,
                 f: &Figure,
                 bound: Option<&LowerBound>,
                 threshold: Option<f64>| {
        let status = match (f.value(), threshold) {
            (_, Some(th)) => ThresholdStatus::of(f, bound, th).word(),
            (Some(_), None) => "computed",
            (None, None) => "not computable",
        };
        t.push(vec![
            "score".into(),
            name.into(),
            stage.into(),
            fig(f),
            Cell::opt_float(threshold, 2),
            status.into(),
            note(f, bound).into(),
        ]);
    };
    let (params, supplies, missing, inputs, verdict, scores): (_, _, _, _, _, Vec<Score>) = match a
    {
        Assessment::Eu {
            params,
            supplies,
            missing_stages,
            result,
        } => {
            let th = Some(result.supply_risk_threshold);
            let mut scores: Vec<Score> = Vec::new();
            for s in &result.stages {
                scores.extend([
                    (
                        "hhi_wgi_t_global",
                        s.stage.as_str(),
                        Figure::Value(s.hhi_wgi_t_global),
                        s.hhi_wgi_t_global_bound.as_ref(),
                        None,
                    ),
                    (
                        "hhi_wgi_t_eu",
                        s.stage.as_str(),
                        Figure::Value(s.hhi_wgi_t_eu),
                        s.hhi_wgi_t_eu_bound.as_ref(),
                        None,
                    ),
                    supply_risk(&s.stage, &s.supply_risk, s.supply_risk_bound.as_ref(), th),
                ]);
            }
            scores.extend([
                supply_risk(
                    "bottleneck",
                    &result.supply_risk,
                    result.supply_risk_bound.as_ref(),
                    th,
                ),
                (
                    "economic_importance",
                    "",
                    result.economic_importance.clone(),
                    None,
                    Some(result.economic_importance_threshold),
                ),
            ]);
            (
                params,
                supplies,
                missing_stages,
                &result.inputs,
                &result.critical,
                scores,
            )
        }
        Assessment::Usgs {
            params,
            supplies,
            missing_stages,
            result,
            ..
        } => {
            let th = Some(result.supply_risk_threshold);
            let mut scores: Vec<Score> = Vec::new();
            for s in &result.stages {
                scores.extend([
                    (
                        "disruption_potential",
                        s.stage.as_str(),
                        Figure::Value(s.disruption_potential),
                        s.disruption_potential_bound.as_ref(),
                        None,
                    ),
                    supply_risk(&s.stage, &s.supply_risk, s.supply_risk_bound.as_ref(), th),
                ]);
            }
            scores.extend([
                (
                    "trade_exposure",
                    "",
                    result.trade_exposure.clone(),
                    None,
                    None,
                ),
                (
                    "economic_vulnerability",
                    "",
                    result.economic_vulnerability.clone(),
                    None,
                    None,
                ),
                supply_risk(
                    "bottleneck",
                    &result.supply_risk,
                    result.supply_risk_bound.as_ref(),
                    th,
                ),
            ]);
            (
                params,
                supplies,
                missing_stages,
                &result.inputs,
                &result.critical,
                scores,
            )
        }
    };
    for (name, stage, f, bound, threshold) in &scores {
        score(&mut t, name, stage, f, *bound, *threshold);
    }
    if let Assessment::Eu { result, .. } = a {
        for c in &result.caveats {
            t.push(vec![
                "caveat".into(),
                "supply_risk".into(),
                "".into(),
                Cell::Null,
                Cell::Null,
                "".into(),
                Cell::Long(c.clone()),
            ]);
        }
    }
    t.push(vec![
        "verdict".into(),
        "critical".into(),
        "".into(),
        Cell::Null,
        Cell::Null,
        verdict_word(verdict).into(),
        match verdict {
            Verdict::NotComputable(why) | Verdict::Inconclusive(why) => why.clone().into(),
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
        t.push(input_row(r));
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
        Verdict::Inconclusive(_) => "inconclusive",
    }
}

fn input_row(r: &Resolved) -> Vec<Cell> {
    vec![
        "input".into(),
        r.name.clone().into(),
        "".into(),
        Cell::opt_float(r.value, 3),
        Cell::Null,
        status_word(r.status).into(),
        Cell::Long(r.note.clone()),
    ]
}

/// A score row of the table: (name, stage, figure, bound, threshold), in print order.
type Score<'r> = (
    &'r str,
    &'r str,
    Figure,
    Option<&'r LowerBound>,
    Option<f64>,
);

/// The supply-risk row both methods give per stage and for the bottleneck.
fn supply_risk<'r>(
    stage: &'r str,
    f: &Figure,
    bound: Option<&'r LowerBound>,
    threshold: Option<f64>,
) -> Score<'r> {
    ("supply_risk", stage, f.clone(), bound, threshold)
}
