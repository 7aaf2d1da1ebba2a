//! `GET /api/health`: liveness and which capabilities this server has.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;

/// What the server can answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Version of chokepoint.
    pub version: String,
    /// Whether the simulation endpoints are backed by the engine.
    pub simulator: bool,
}

/// Liveness and capabilities.
#[utoipa::path(get, path = "/api/health", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        simulator: state.simulator().is_ok(),
    })
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}
