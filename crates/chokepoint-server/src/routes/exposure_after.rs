//! `POST /api/exposure/after`: an importer's exposure recomputed after an export-control
//! scenario of the rare-earth chain, as `chokepoint exposure --after FILE --format json`.
//!
//! The importer and product are query parameters (as `GET /api/exposure`); the scenario is
//! the body, taken as `POST /api/simulate` takes it (TOML, or JSON with a library `name`, a
//! `toml` text or a `scenario` object), with the same overrides (`runs`, `seed`, `days`,
//! `approval_share`) and the same size, concurrency and time limits. Unlike a simulation the
//! answer waits for the result: the report is small and a default run takes seconds.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use chokepoint_store::ArgumentSyntax;
use chokepoint_store::indicators::report::exposure::{parse_chain_importer, stage_of_product};
use serde::Deserialize;

use super::runs::read_scenario;
use crate::after::{AfterError, AfterReport, ExposureTarget};
use crate::extract::{Body, Query};
use crate::runs::Overrides;
use crate::{ApiError, AppState};

/// Parameters of `POST /api/exposure/after` (`chokepoint exposure --after`).
///
/// `runs`, `seed`, `days` and `approval_share` are [`Overrides`]' fields written out again:
/// `#[serde(flatten)]` does not work with `deny_unknown_fields`, which is what refuses a
/// misspelt parameter with a 400 naming it; the handler copies them into an `Overrides`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AfterParams {
    /// Importing region of the chain: ISO-3 or `EU` (the chain's regions are listed by
    /// `GET /api/network`).
    pub importer: String,
    /// A chain stage (`mining`, `separation`, `metal`, `magnets`) or an HS code or product
    /// name of one (`8505.11`, `rare_earth_permanent_magnets`).
    pub product: String,
    /// Monte Carlo runs (default 100, as the CLI).
    #[param(minimum = 1, maximum = 100000)]
    pub runs: Option<u64>,
    /// Seed of the Monte Carlo streams (default 42, as the CLI).
    pub seed: Option<u64>,
    /// Simulated days (default: the scenario's).
    #[param(minimum = 1, maximum = 36500)]
    pub days: Option<u64>,
    /// Share of requested export volume that licences approve, 0 to 1, for every export
    /// control in the scenario (default: the scenario's).
    #[param(minimum = 0.0, maximum = 1.0)]
    pub approval_share: Option<f64>,
}

/// An engine error as this endpoint reports it: a parameter that does not fit the chain and a
/// scenario that is not TOML are 400s naming the parameter; a scenario that parses but does
/// not check is a 422, as for `POST /api/simulate`.
fn after_error(e: AfterError) -> ApiError {
    match e {
        AfterError::Argument { parameter, message } => ApiError::bad_request(parameter, message),
        AfterError::Unsupported => ApiError::Unavailable {
            what: e.to_string(),
        },
        AfterError::Sim(e) => e.into(),
    }
}

/// Supplier shares, HHI, the CRMA check and import reliance of an importer recomputed from
/// the simulated flows of a chain scenario (p5/p50/p95 over runs), next to the same figures
/// without the control (`chokepoint exposure --after FILE --format json`).
#[utoipa::path(post, path = "/api/exposure/after",
    request_body(description = "the scenario as for POST /api/simulate: a JSON request, or \
                                a scenario file's text with Content-Type application/toml",
        content((super::runs::SimulateRequest = "application/json"),
                (String = "application/toml"))),
    params(AfterParams),
    responses(
        (status = 200, body = AfterReport),
        (status = 400, description = "bad importer, product, overrides or body; scenario not TOML or not of the chain", body = crate::error::ErrorBody),
        (status = 404, description = "no library scenario of that name", body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody),
        (status = 422, description = "the scenario parses but does not check", body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody),
        (status = 503, description = "no engine, or the time limit passed", body = crate::error::ErrorBody)))]
pub async fn exposure_after(
    State(state): State<AppState>,
    Query(p): Query<AfterParams>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<AfterReport>, ApiError> {
    let importer = parse_chain_importer(&p.importer)
        .map_err(|a| ApiError::bad_request(a.argument(), a.message(ArgumentSyntax::Query)))?;
    let stage = stage_of_product(&p.product).ok_or_else(|| {
        ApiError::bad_request(
            "product",
            format!(
                "{:?} is not a stage of the chain: give mining, separation, metal or magnets, \
                 or an HS code of one (e.g. 8505.11)",
                p.product
            ),
        )
    })?;
    let simulator = Arc::clone(state.simulator()?);
    let query = Overrides {
        runs: p.runs,
        seed: p.seed,
        days: p.days,
        approval_share: p.approval_share,
    };
    let (text, format, overrides) = read_scenario(simulator.as_ref(), &headers, &body, query)?;
    let target = ExposureTarget { importer, stage };
    // Checking a scenario may build the network: off the async workers.
    let prepared = tokio::task::spawn_blocking(move || {
        simulator.prepare_exposure(&text, format, &overrides, &target)
    })
    .await
    .map_err(|e| ApiError::internal(format!("prepare task: {e}")))?
    .map_err(after_error)?;
    Ok(Json(state.runs().run_exposure(prepared).await?))
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new().route("/exposure/after", post(exposure_after))
}
