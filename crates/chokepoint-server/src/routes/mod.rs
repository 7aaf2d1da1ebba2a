//! API routes, one module per resource; each exports `fn routes() -> Router<AppState>`.

pub mod exposure;
pub mod exposure_after;
pub mod health;
pub mod monitor;
pub mod notes;
pub mod openapi;
pub mod runs;
pub mod scenarios;
pub mod schemas;
pub mod sql;

use axum::Router;

use crate::AppState;

/// Every `/api` route (without the `/api` prefix; the router nests them).
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(scenarios::routes())
        .merge(runs::routes())
        .merge(monitor::routes())
        .merge(exposure::routes())
        .merge(exposure_after::routes())
        .merge(sql::routes())
}
