//! The one error type of the HTTP layer and its mapping to status codes.
//!
//! Client mistakes (4xx) carry the store's or engine's own message, which already says what
//! was wrong and how to fix it; they are not logged as errors. Internal failures (5xx) give the
//! client a generic message with an incident number and log the details on the server.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chokepoint_sim::SimError;
use chokepoint_store::{ArgumentSyntax, StoreError};
use serde::Serialize;

/// "invalid period: …", unless the message says so already ("invalid period `x`: …" read
/// "invalid period: invalid period `x`: …"; web review).
fn bad_request_text(field: &str, message: &str) -> String {
    if message.starts_with(&format!("invalid {field}")) {
        message.to_string()
    } else {
        format!("invalid {field}: {message}")
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A query parameter or body field is invalid (400).
    #[error("{}", bad_request_text(field, message))]
    BadRequest {
        /// The parameter or field at fault.
        field: String,
        /// What is wrong with it and what is accepted.
        message: String,
    },
    /// The request body is not valid JSON (or TOML) for this endpoint (400).
    #[error("malformed request body: {message}")]
    MalformedBody {
        /// The parser's message, with line and column where it gives them.
        message: String,
    },
    /// No such resource (404).
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The request body is larger than the server accepts (413).
    #[error("request body too large: the limit is {limit_bytes} bytes")]
    BodyTooLarge {
        /// The configured limit.
        limit_bytes: usize,
    },
    /// A simulation bigger than the server accepts (413).
    #[error(
        "simulation too large: {runs} runs x {per_run} simulation(s) per run x {days} days x \
         {nodes} nodes = {cells} cells; the limit is {limit} (lower runs or days, or run it \
         with the CLI){}",
        if *per_run > 1 {
            "; each run is repeated: without each new plant, to measure what it changed, or \
             (post-shock exposure) at other values of the assumption the importer's own \
             output rests on"
        } else {
            ""
        }
    )]
    SimulationTooLarge {
        /// Monte Carlo runs asked for.
        runs: u64,
        /// Simulations per run (new plants' paired runs, a sensitivity's reruns).
        per_run: u64,
        /// Simulated days.
        days: u64,
        /// Network nodes (region x sector).
        nodes: u64,
        /// The product of the three.
        cells: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The scenario parses but is not valid (422).
    #[error("invalid scenario: {message}")]
    InvalidScenario {
        /// The engine's explanation.
        message: String,
    },
    /// Too many simulations are running already (429).
    #[error("busy: {running} simulations are running (limit {limit}); retry later")]
    Busy {
        /// Simulations running now.
        running: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Missing or wrong bearer token (401).
    #[error("missing or wrong bearer token: send `Authorization: Bearer <token>`")]
    Unauthorized,
    /// The capability behind this endpoint is not available in this build or data dir (503).
    #[error("unavailable: {what}")]
    Unavailable {
        /// What is missing and how to get it.
        what: String,
    },
    /// The store failed; user errors map to 400, the rest to 500.
    #[error(transparent)]
    Store(StoreError),
    /// The engine failed; user errors map to 422, the rest to 500.
    #[error(transparent)]
    Sim(SimError),
    /// Our bug or an environment failure (500); the details go to the log only.
    #[error("internal error: {context}")]
    Internal {
        /// What was being done, for the log.
        context: String,
    },
}

impl From<StoreError> for ApiError {
    /// A bad argument names the query parameter as a URL writes it (`threshold`, not
    /// `--threshold`); every other store error keeps its own message.
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Argument(a) => {
                ApiError::bad_request(a.argument(), a.message(ArgumentSyntax::Query))
            }
            other => ApiError::Store(other),
        }
    }
}

impl ApiError {
    /// Shorthand for a [`ApiError::BadRequest`].
    pub fn bad_request(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for an [`ApiError::Internal`].
    pub fn internal(context: impl Into<String>) -> ApiError {
        ApiError::Internal {
            context: context.into(),
        }
    }

    /// The HTTP status this error maps to; the one place that decides 4xx vs 5xx.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } | ApiError::MalformedBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::BodyTooLarge { .. } | ApiError::SimulationTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::InvalidScenario { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Busy { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(e) if e.is_user_error() => StatusCode::BAD_REQUEST,
            ApiError::Sim(e) if e.is_user_error() => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Store(_) | ApiError::Sim(_) | ApiError::Internal { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// An engine error: a scenario that is not TOML is a 400 (the request is malformed, as
/// a JSON body that does not parse is), one that parses but does not check a 422, on every
/// endpoint that takes a scenario.
impl From<SimError> for ApiError {
    fn from(e: SimError) -> ApiError {
        match e {
            SimError::Syntax { .. } => {
                ApiError::bad_request("scenario", format!("not valid TOML: {e}"))
            }
            e => ApiError::Sim(e),
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The HTTP status code, repeated for clients that only keep the body.
    pub status: u16,
    /// Short machine-readable kind, e.g. `bad_request`, `not_found`.
    pub error: String,
    /// What went wrong and how to fix it (generic for internal errors).
    pub message: String,
}

impl ErrorBody {
    /// A body for `status` with `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            status: status.as_u16(),
            error: kind(status).to_string(),
            message: message.into(),
        }
    }
}

/// A short snake_case name for a status code.
pub fn kind(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        413 => "too_large",
        415 => "unsupported_media_type",
        422 => "invalid_scenario",
        429 => "busy",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "error",
    }
}

static INCIDENTS: AtomicU64 = AtomicU64::new(1);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            // The client learns only that it is our fault; the log gets the detail, keyed by
            // an incident number the user can quote.
            let incident = INCIDENTS.fetch_add(1, Ordering::Relaxed);
            tracing::error!(incident, error = %self, "request failed");
            format!("internal error (incident {incident}); the server log has the details")
        } else {
            self.to_string()
        };
        let mut response = (status, Json(ErrorBody::new(status, message))).into_response();
        // When to try again (web review: a 429 said nothing of it): a simulation slot frees
        // when one ends, which the client cannot know; a few seconds is the usual wait.
        if status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A non-loopback address without authentication.
    #[error(
        "refusing to serve on {addr} without authentication: anyone on the network could use \
         the API; pass --token TOKEN (clients send `Authorization: Bearer TOKEN`), or \
         --insecure-no-auth if the network is trusted, or listen on 127.0.0.1"
    )]
    Unprotected {
        /// The address asked for.
        addr: std::net::SocketAddr,
    },
    /// `--token` given but empty.
    #[error("--token is empty; give a secret of at least one character")]
    EmptyToken,
    /// `--token` begins or ends with whitespace, which no client can send back.
    #[error(
        "--token begins or ends with whitespace (from an .env or EnvironmentFile line?), which \
         an Authorization header cannot carry, so every client would get 401: remove the spaces"
    )]
    PaddedToken,
    /// A `--token` holding a control character (a newline, a tab), which no HTTP header
    /// can carry: every client would get 401.
    #[error(
        "--token holds a control character (a newline or a tab, say), which an Authorization \
         header cannot carry, so every client would get 401: use printable characters only"
    )]
    ControlInToken,
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    /// True when the user can fix the cause (flags, address in use): exit code 2.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            ServeError::Unprotected { .. }
                | ServeError::EmptyToken
                | ServeError::PaddedToken
                | ServeError::ControlInToken
                | ServeError::Bind { .. }
        )
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The chart has no series or no finite value to show.
    #[error("chart `{title}` has no data to plot")]
    NoData {
        /// The chart's title.
        title: String,
    },
    /// Series of different lengths, or more labels than points.
    #[error("chart `{title}`: {message}")]
    Shape {
        /// The chart's title.
        title: String,
        /// What does not fit.
        message: String,
    },
    /// The drawing backend failed (a bug, not bad data).
    #[error("drawing the chart failed: {message}")]
    Drawing {
        /// The backend's message.
        message: String,
    },
}

impl From<ChartError> for ApiError {
    fn from(e: ChartError) -> ApiError {
        match e {
            ChartError::NoData { .. } | ChartError::Shape { .. } => ApiError::NotFound {
                what: e.to_string(),
            },
            ChartError::Drawing { .. } => ApiError::internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_are_4xx_and_internal_errors_5xx() {
        let user = ApiError::Store(StoreError::Invalid("unknown reporter `XXX`".into()));
        assert_eq!(user.status(), StatusCode::BAD_REQUEST);
        let scenario = ApiError::Sim(SimError::Invalid("bad".into()));
        assert_eq!(scenario.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            ApiError::internal("disk").status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            ApiError::Busy {
                running: 2,
                limit: 2
            }
            .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }

    #[test]
    fn internal_error_bodies_hide_details() {
        let resp = ApiError::internal("secret path /etc/x").into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        // The body is checked end to end in the router tests; here only the status matters.
    }

    #[test]
    fn error_types_are_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<ApiError>();
        check::<ServeError>();
        check::<ChartError>();
    }
}
