//! `GET /api/openapi.json`: the OpenAPI document, generated from the handlers' own types.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::AppState;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "chokepoint API",
        description = "Critical-mineral trade flows, exposure and export-control simulations. \
                       Query parameters mirror the CLI flags; bodies mirror `--format json`."
    ),
    paths(
        super::health::health,
        openapi,
        super::scenarios::list,
        super::scenarios::get_one,
        super::scenarios::network,
        super::runs::simulate,
        super::runs::get_run,
        super::runs::output_chart,
        super::runs::licences_chart,
        super::monitor::get_trends,
        super::monitor::get_partners,
        super::monitor::get_anomalies,
        super::monitor::trends_chart,
        super::monitor::partners_chart,
        super::exposure::get_shares,
        super::exposure::get_exposure,
        super::exposure_after::exposure_after,
        super::exposure::get_criticality,
        super::exposure::shares_chart,
        super::sql::sql,
    ),
    components(schemas(crate::error::ErrorBody, crate::after::AfterReport, crate::after::Band))
)]
pub struct ApiDoc;

/// The OpenAPI document of this server.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi))
}
