//! `GET /api/scenarios`, `GET /api/scenarios/{name}` and `GET /api/network`: the scenario
//! library and the network scenarios run on.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::runs::{ScenarioDocument, ScenarioSummary};
use crate::{ApiError, AppState};

/// The scenario library.
#[utoipa::path(get, path = "/api/scenarios",
    responses((status = 200, body = [ScenarioSummary]), (status = 503, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ScenarioSummary>>, ApiError> {
    Ok(Json(state.simulator()?.scenarios()))
}

/// One library scenario with its TOML text.
#[utoipa::path(get, path = "/api/scenarios/{name}",
    params(("name" = String, Path, description = "scenario name, as listed by /api/scenarios")),
    responses((status = 200, body = ScenarioDocument), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ScenarioDocument>, ApiError> {
    let sim = state.simulator()?;
    sim.scenario(&name).map(Json).ok_or_else(|| {
        let known: Vec<String> = sim.scenarios().into_iter().map(|s| s.name).collect();
        ApiError::NotFound {
            what: format!(
                "scenario `{name}`; the library has: {}",
                if known.is_empty() {
                    "(none)".to_string()
                } else {
                    known.join(", ")
                }
            ),
        }
    })
}

/// The network: regions, sectors and edges the engine simulates.
#[utoipa::path(get, path = "/api/network",
    responses((status = 200, body = Object), (status = 503, body = crate::error::ErrorBody)))]
pub async fn network(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let sim = std::sync::Arc::clone(state.simulator()?);
    // Building the network may read files; keep it off the async workers.
    let value = tokio::task::spawn_blocking(move || sim.network())
        .await
        .map_err(|e| ApiError::internal(format!("network task: {e}")))??;
    Ok(Json(value))
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scenarios", get(list))
        .route("/scenarios/{name}", get(get_one))
        .route("/network", get(network))
}
