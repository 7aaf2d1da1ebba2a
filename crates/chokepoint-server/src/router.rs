//! The application: API routes under `/api`, the dashboard at `/`, and the layers that every
//! request passes through (tracing, JSON errors, timeout, concurrency cap, body limit).

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ErrorBody;
use crate::{ApiError, AppState, auth, dashboard, routes};

/// The whole application for `state`; tests call it with `oneshot`, `serve` puts it on a socket.
pub fn router(state: AppState) -> Router {
    let limits = state.limits().clone();
    // The token check covers the fallback too: an unknown `/api/...` path answered 404
    // without a token while known ones answered 401, which told a stranger which exist
    // (web review).
    let api = routes::api()
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    let cors = cors_layer(state.cors_origins());
    // Layers: the last added runs first. A request meets CORS (a preflight is answered
    // there, before the token check), tracing, then the JSON error rewriter, the timeout,
    // the concurrency cap (requests wait, they are not dropped), and the body limit right
    // before the handler.
    let app = Router::new()
        .nest("/api", api)
        .merge(dashboard::routes())
        .fallback(page_not_found)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(GlobalConcurrencyLimitLayer::new(
            limits.max_in_flight_requests,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), json_errors))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("-", MatchedPath::as_str);
            tracing::info_span!("request", method = %req.method(), route, path = %req.uri().path())
        }));
    match cors {
        Some(cors) => app.layer(cors).with_state(state),
        None => app.with_state(state),
    }
}

/// Cross-origin access for the given origins (`None` without any): the methods and headers
/// the API uses, and the response headers a client reads (notes, where a run is, when to
/// retry). Web review: a portal on another origin got 405 to its preflight.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if allowed.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
            .expose_headers([
                HeaderName::from_static("chokepoint-note"),
                HeaderName::from_static("chokepoint-notes"),
                header::LOCATION,
                header::RETRY_AFTER,
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::NotFound {
        what: format!(
            "no API endpoint at /api{}; GET /api/openapi.json lists them",
            uri.path()
        ),
    }
}

async fn page_not_found(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    // `/api/` itself falls outside the nested API router: still an API path to the user.
    let path = uri.path();
    if path == "/api/" || path.starts_with("/api/") {
        return ApiError::NotFound {
            what: format!("no API endpoint at {path}; GET /api/openapi.json lists them"),
        }
        .into_response();
    }
    // A browser asking for a page gets a page (web review: it got raw JSON); other clients
    // the JSON error body every endpoint gives.
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        let escaped = crate::charts::xml_escape(path);
        return (
            StatusCode::NOT_FOUND,
            // Nothing to load but itself (code review: the dashboard's headers were missing).
            [
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; frame-ancestors 'none'",
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            axum::response::Html(format!(
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <title>Not found · chokepoint</title></head><body><h1>Not found</h1>\
                 <p>There is no page at <code>{escaped}</code>. The dashboard starts at \
                 <a href=\"/\">/</a>.</p></body></html>\n"
            )),
        )
            .into_response();
    }
    ApiError::NotFound {
        what: format!("no page at {path}; the dashboard starts at /"),
    }
    .into_response()
}

/// Gives error responses produced by layers or by axum itself (413 from the body limit,
/// 405, the timeout's 503) the same JSON body as handler errors.
async fn json_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let runs_simulations = matches!(req.uri().path(), "/api/simulate" | "/api/exposure/after");
    let resp = next.run(req).await;
    let status = resp.status();
    // JSON bodies, and the page a browser gets for a page that does not exist, stay as they
    // are.
    let is_json_or_page = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json_or_page {
        return resp;
    }
    let limits = state.limits();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "request body too large: the limit is {} bytes",
            limits.max_body_bytes
        ),
        StatusCode::SERVICE_UNAVAILABLE => format!(
            "the request took longer than the server's limit of {} s; {}",
            limits.request_timeout.as_secs(),
            if runs_simulations {
                "lower runs or days"
            } else {
                "narrow the query"
            }
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            "method not allowed on this path; GET /api/openapi.json lists the methods".to_string()
        }
        s => s
            .canonical_reason()
            .unwrap_or("request failed")
            .to_lowercase(),
    };
    let mut out = (status, axum::Json(ErrorBody::new(status, message))).into_response();
    // Keep headers such as `Allow` and `WWW-Authenticate`.
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
