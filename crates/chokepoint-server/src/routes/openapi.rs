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
        super::exposure::post_criticality,
        super::exposure::shares_chart,
        super::sql::sql,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::after::AfterReport,
        crate::after::Band,
        crate::after::Sensitivity,
        crate::after::AfterCrma,
        crate::after::CrmaReading
    ))
)]
pub struct ApiDoc;

/// The document, with what any endpoint may answer besides its own responses (the
/// handlers list theirs): 400 for malformed input wherever there is input, 401 under
/// `--token`, 503 when the request timeout passes. Added here once, so no endpoint can
/// leave them out.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    let mut doc = ApiDoc::openapi();
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            let takes_input =
                op.parameters.as_ref().is_some_and(|p| !p.is_empty()) || op.request_body.is_some();
            let responses = &mut op.responses.responses;
            if takes_input {
                responses.entry("400".into()).or_insert_with(|| {
                    error("a parameter or the body is malformed or out of range; the message names it")
                });
            }
            responses.entry("401".into()).or_insert_with(|| {
                error("missing or wrong bearer token (servers started with --token)")
            });
            responses.entry("503".into()).or_insert_with(|| {
                error("the request took longer than the server's --request-timeout, or the engine is not available")
            });
            if op.request_body.is_some() {
                responses.entry("413".into()).or_insert_with(|| {
                    error("the body is larger than the server's --max-body-kib")
                });
            }
        }
    }
    // The bearer token (web review: 401 was listed everywhere, the scheme nowhere, so
    // generated clients sent no token). Optional: a loopback server runs without one.
    use utoipa::openapi::security::{
        HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    };
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`chokepoint serve --token TOKEN`: send `Authorization: Bearer TOKEN`; a \
                     server without --token needs none",
                    ))
                    .build(),
            ),
        );
    super::schemas::list_words(&mut doc);
    doc.security = Some(vec![
        SecurityRequirement::default(),
        SecurityRequirement::new("bearer", Vec::<String>::new()),
    ]);
    doc
}

/// The OpenAPI document of this server.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi))
}
