//! `POST /api/simulate`, `GET /api/runs/{id}` and the run's charts.
//!
//! A scenario comes as TOML (`Content-Type: application/toml`, overrides in the query string)
//! or as JSON (`{"name": …}` for a library scenario, `{"toml": "…"}`, or `{"scenario": {…}}`,
//! with the overrides as extra fields). The run starts in the background; the answer is
//! `202 Accepted` with the id to poll.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::charts::{self, Axis, FanChart, LineChart, LineSeries};
use crate::extract::{Body, Query, parse_json};
use crate::runs::{Overrides, RunReport, RunView, ScenarioFormat, SimulationSize, Simulator};
use crate::{ApiError, AppState};

/// A JSON simulation request: exactly one of `name`, `toml`, `scenario`, plus overrides.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// A library scenario (see `GET /api/scenarios`).
    pub name: Option<String>,
    /// A scenario file's text.
    pub toml: Option<String>,
    /// A scenario as a JSON object (same structure as the TOML file).
    // `Option<Object>`: with a bare `Object` the schema listed `scenario` as required,
    // contradicting "exactly one of name, toml, scenario".
    #[schema(value_type = Option<Object>)]
    pub scenario: Option<serde_json::Value>,
    /// Monte Carlo runs.
    #[schema(minimum = 1, maximum = 100000)]
    pub runs: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Simulated days.
    #[schema(minimum = 1, maximum = 36500)]
    pub days: Option<u64>,
    /// Licence approval share (0–1) for every export control.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub approval_share: Option<f64>,
}

/// The answer to `POST /api/simulate`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Run id.
    pub id: String,
    /// Where to poll.
    pub status_url: String,
    /// Size of the run.
    pub size: SimulationSize,
}

fn is_toml(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/toml") || v.starts_with("text/plain"))
}

/// Most Monte Carlo runs one request may ask for, as the CLI's `--runs`.
pub const MAX_RUNS: u64 = 100_000;

fn check_overrides(o: &Overrides) -> Result<(), ApiError> {
    // A share outside 0–1 is a value the scenario's checks refuse (422, as README says and
    // as `days` above the horizon is), not a malformed request: it is checked here too,
    // because a scenario without export controls would never meet it.
    if let Some(share) = o.approval_share
        && !(0.0..=1.0).contains(&share)
    {
        return Err(ApiError::InvalidScenario {
            message: format!(
                "approval_share: {share} is outside 0 to 1 (0 = no licences, 1 = all approved)"
            ),
        });
    }
    // The CLI's range (`--runs 1..=100000`); the size limit (runs x days x nodes) applies too.
    if let Some(runs) = o.runs
        && !(1..=MAX_RUNS).contains(&runs)
    {
        return Err(ApiError::bad_request(
            "runs",
            format!("{runs} is outside 1 to {MAX_RUNS}, the range `simulate --runs` takes"),
        ));
    }
    // `days` is written into the scenario and meets its horizon check, so 0 is a 422 naming
    // `chain.days` exactly as 36,501 is; it is not checked here.
    Ok(())
}

/// The scenario of a request body, as `POST /api/simulate` and `POST /api/exposure/after`
/// take it: TOML text (`Content-Type: application/toml`, overrides from the query string) or
/// a JSON request (a library `name`, `toml` text or a `scenario` object, its override fields
/// before the query's). The overrides are checked.
pub(crate) fn read_scenario(
    simulator: &dyn Simulator,
    headers: &HeaderMap,
    body: &[u8],
    query: Overrides,
) -> Result<(String, ScenarioFormat, Overrides), ApiError> {
    let (text, format, overrides) = scenario_of(simulator, headers, body, query)?;
    check_overrides(&overrides)?;
    Ok((text, format, overrides))
}

fn scenario_of(
    simulator: &dyn Simulator,
    headers: &HeaderMap,
    body: &[u8],
    query: Overrides,
) -> Result<(String, ScenarioFormat, Overrides), ApiError> {
    if is_toml(headers) {
        let text = std::str::from_utf8(body)
            .map_err(|e| ApiError::MalformedBody {
                message: format!("TOML body is not UTF-8: {e}"),
            })?
            .to_string();
        return Ok((text, ScenarioFormat::Toml, query));
    }
    let req: SimulateRequest = parse_json(body)?;
    // The same setting in the body and in the query: one of them was silently dropped (the
    // body won; adversarial review), as a repeated query parameter is refused.
    for (name, twice) in [
        ("runs", req.runs.is_some() && query.runs.is_some()),
        ("seed", req.seed.is_some() && query.seed.is_some()),
        ("days", req.days.is_some() && query.days.is_some()),
        (
            "approval_share",
            req.approval_share.is_some() && query.approval_share.is_some(),
        ),
    ] {
        if twice {
            return Err(ApiError::bad_request(
                name,
                format!("{name} is given in the query and in the JSON body; give it once"),
            ));
        }
    }
    let overrides = Overrides {
        runs: req.runs.or(query.runs),
        seed: req.seed.or(query.seed),
        days: req.days.or(query.days),
        approval_share: req.approval_share.or(query.approval_share),
    };
    Ok(match (req.name, req.toml, req.scenario) {
        (Some(name), None, None) => {
            let doc = simulator
                .scenario(&name)
                .ok_or_else(|| ApiError::NotFound {
                    what: format!("scenario `{name}`; GET /api/scenarios lists the library"),
                })?;
            (doc.toml, ScenarioFormat::Toml, overrides)
        }
        (None, Some(toml), None) => (toml, ScenarioFormat::Toml, overrides),
        (None, None, Some(json)) => (json.to_string(), ScenarioFormat::Json, overrides),
        _ => {
            return Err(ApiError::bad_request(
                "body",
                "give exactly one of `name` (library scenario), `toml` (file text) or \
                 `scenario` (JSON object)",
            ));
        }
    })
}

/// Starts a simulation.
#[utoipa::path(post, path = "/api/simulate",
    request_body(description = "a JSON request, or a scenario file's text with Content-Type \
                                application/toml (overrides then in the query string)",
        content((SimulateRequest = "application/json"), (String = "application/toml"))),
    params(Overrides),
    responses(
        (status = 202, body = Accepted),
        (status = 400, description = "bad overrides or body; scenario not TOML", body = crate::error::ErrorBody),
        (status = 404, description = "no library scenario of that name", body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody),
        (status = 422, description = "the scenario parses but does not check", body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn simulate(
    State(state): State<AppState>,
    Query(query): Query<Overrides>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let simulator = Arc::clone(state.simulator()?);
    let (text, format, overrides) = read_scenario(simulator.as_ref(), &headers, &body, query)?;
    // Parsing and checking a scenario is quick but may build the network; off the workers.
    let prepared =
        tokio::task::spawn_blocking(move || simulator.prepare(&text, format, &overrides))
            .await
            .map_err(|e| ApiError::internal(format!("prepare task: {e}")))??;
    let entry = state.runs().submit(prepared)?;
    let view = entry.view();
    let accepted = Accepted {
        status_url: format!("/api/runs/{}", view.id),
        id: view.id,
        size: view.size,
    };
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, accepted.status_url.clone())],
        Json(accepted),
    )
        .into_response())
}

fn find(state: &AppState, id: &str) -> Result<Arc<crate::runs::RunEntry>, ApiError> {
    state.runs().get(id).ok_or_else(|| ApiError::NotFound {
        what: state.runs().why_not_found(id),
    })
}

/// Status, progress and (when finished) results of a run.
#[utoipa::path(get, path = "/api/runs/{id}",
    params(("id" = String, Path, description = "run id from POST /api/simulate")),
    responses((status = 200, body = RunView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    Ok(Json(find(&state, &id)?.view()))
}

fn finished(state: &AppState, id: &str) -> Result<Arc<RunReport>, ApiError> {
    let view = find(state, id)?.view();
    view.result.ok_or_else(|| ApiError::NotFound {
        what: format!("results of run `{id}`: it is {:?}", view.status).to_lowercase(),
    })
}

/// Which output series to chart.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutputSelection {
    /// Region code.
    pub region: String,
    /// Industry name.
    pub industry: String,
}

/// An SVG response.
pub fn svg(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Fan chart of one region x industry output over the runs.
#[utoipa::path(get, path = "/api/runs/{id}/charts/output.svg",
    params(("id" = String, Path, description = "run id"), OutputSelection),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = crate::error::ErrorBody)))]
pub async fn output_chart(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(sel): Query<OutputSelection>,
) -> Result<Response, ApiError> {
    let report = finished(&state, &id)?;
    Ok(svg(output_svg(&report, &sel.region, &sel.industry)?))
}

/// The fan chart of one output series of a finished run (also used by the HTML report).
pub fn output_svg(report: &RunReport, region: &str, industry: &str) -> Result<String, ApiError> {
    let series = report
        .outputs
        .iter()
        .find(|s| s.region == region && s.industry == industry)
        .ok_or_else(|| {
            // What there is, so a client can fix its choice (web review: the 404 listed
            // nothing).
            let mut regions: Vec<&str> = report.outputs.iter().map(|s| s.region.as_str()).collect();
            regions.sort_unstable();
            regions.dedup();
            let mut industries: Vec<&str> =
                report.outputs.iter().map(|s| s.industry.as_str()).collect();
            industries.sort_unstable();
            industries.dedup();
            ApiError::NotFound {
                what: format!(
                    "output series {region} x {industry} in this run; its regions: {}; its \
                     industries: {}",
                    regions.join(", "),
                    industries.join(", ")
                ),
            }
        })?;
    let since = format!("days since {}", report.summary.start);
    Ok(charts::fan_chart(&FanChart {
        title: format!("{region} {industry}: output, {} runs", report.summary.runs),
        x_description: since,
        unit: series.unit.clone(),
        x: series.day.iter().map(|d| f64::from(*d)).collect(),
        p5: series.p5.clone(),
        p50: series.p50.clone(),
        p95: series.p95.clone(),
        reference: series
            .unit
            .starts_with('%')
            .then(|| ("pre-shock output".to_string(), 100.0)),
    })?)
}

/// Which edge's licences to chart.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EdgeSelection {
    /// Exporting region.
    pub exporter: String,
    /// Importing region, or `WLD` for the exporter's total.
    pub importer: String,
    /// Supply-chain stage of the product, e.g. `magnets`.
    pub stage: String,
}

/// Licensed against requested exports per month on one edge.
#[utoipa::path(get, path = "/api/runs/{id}/charts/licences.svg",
    params(("id" = String, Path, description = "run id"), EdgeSelection),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = crate::error::ErrorBody)))]
pub async fn licences_chart(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(sel): Query<EdgeSelection>,
) -> Result<Response, ApiError> {
    let report = finished(&state, &id)?;
    Ok(svg(licences_svg(&report, &sel)?))
}

/// Orders (including restocking), licensed and delivered tonnes per month on one edge
/// (medians over the runs) with the baseline flow for reference, against the observed
/// customs series of that edge when the report has one; derived customs figures are a
/// series of their own, so they are not read as reported ones.
pub fn licences_svg(report: &RunReport, sel: &EdgeSelection) -> Result<String, ApiError> {
    let rows: Vec<_> = report
        .summary
        .edges
        .iter()
        .filter(|e| {
            e.exporter == sel.exporter && e.importer == sel.importer && e.stage == sel.stage
        })
        .collect();
    if rows.is_empty() {
        let mut edges: Vec<String> = report
            .summary
            .edges
            .iter()
            .map(|e| {
                format!(
                    "exporter={}&importer={}&stage={}",
                    e.exporter, e.importer, e.stage
                )
            })
            .collect();
        edges.sort();
        edges.dedup();
        return Err(ApiError::NotFound {
            what: format!(
                "licence series {} -> {} ({}) in this run; its edges: {}",
                sel.exporter,
                sel.importer,
                sel.stage,
                edges.join(", ")
            ),
        });
    }
    let observed: Vec<_> = report
        .observed
        .iter()
        .filter(|o| {
            o.exporter == sel.exporter && o.importer == sel.importer && o.stage == sel.stage
        })
        .collect();
    // The x axis spans the simulated months; customs months outside it are not shown.
    let months: Vec<String> = rows.iter().map(|e| e.month.clone()).collect();
    let pick = |f: &dyn Fn(&chokepoint_sim::montecarlo::EdgeMonth) -> f64| -> Vec<Option<f64>> {
        rows.iter().map(|e| Some(f(e))).collect()
    };
    let mut series = vec![
        LineSeries {
            label: "orders placed incl. restocking (simulated)".into(),
            values: pick(&|e| e.requested_t),
            axis: Axis::Primary,
        },
        LineSeries {
            label: "licensed (simulated)".into(),
            values: pick(&|e| e.licensed_t),
            axis: Axis::Primary,
        },
        LineSeries {
            label: "delivered (simulated)".into(),
            values: pick(&|e| e.delivered_t),
            axis: Axis::Primary,
        },
    ];
    if rows.iter().any(|e| e.baseline_t.is_some()) {
        series.push(LineSeries {
            label: "baseline flow (no controls)".into(),
            values: rows.iter().map(|e| e.baseline_t).collect(),
            axis: Axis::Primary,
        });
    }
    let customs = |derived: bool| -> Vec<Option<f64>> {
        months
            .iter()
            .map(|m| {
                observed
                    .iter()
                    .find(|o| &o.month == m && o.is_derived == derived)
                    .map(|o| o.tonnes)
            })
            .collect()
    };
    for (derived, label) in [
        (false, "customs exports (observed)"),
        (true, "customs exports (derived, not reported)"),
    ] {
        let values = customs(derived);
        if values.iter().any(Option::is_some) {
            series.push(LineSeries {
                label: label.into(),
                values,
                axis: Axis::Primary,
            });
        }
    }
    Ok(charts::line_chart(&LineChart {
        title: format!(
            "{} -> {} {}: orders, licences, deliveries (median of {} runs)",
            sel.exporter, sel.importer, sel.stage, report.summary.runs
        ),
        x_description: "month".into(),
        x_labels: months,
        unit: "tonnes per month".into(),
        secondary_unit: None,
        series,
    })?)
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/simulate", post(simulate))
        .route("/runs/{id}", get(get_run))
        .route("/runs/{id}/charts/output.svg", get(output_chart))
        .route("/runs/{id}/charts/licences.svg", get(licences_chart))
}
