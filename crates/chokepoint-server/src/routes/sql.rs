//! `POST /api/sql`: one read-only SQL query over the warehouse, with a row limit.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::routing::post;
use axum::{Json, Router};
use chokepoint_store::{JsonRow, batches_to_json_rows};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{Body, parse_json};
use crate::{ApiError, AppState};

/// A query (or send the SQL itself with `Content-Type: text/plain`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// The SQL (DataFusion dialect); statements that change the warehouse are refused.
    pub query: String,
    /// Rows to return at most (capped by the server's limit).
    pub limit: Option<usize>,
}

/// The rows of a query.
#[derive(Debug, Serialize, ToSchema)]
pub struct SqlAnswer {
    /// One object per row, keyed by column name (as `chokepoint sql --format json`).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<JsonRow>,
    /// True when the query had more rows than `limit`.
    pub truncated: bool,
    /// The limit applied.
    pub limit: usize,
}

/// Runs one read-only query.
#[utoipa::path(post, path = "/api/sql", request_body = SqlRequest,
    responses((status = 200, body = SqlAnswer), (status = 400, body = crate::error::ErrorBody)))]
pub async fn sql(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<SqlAnswer>, ApiError> {
    let plain = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let req = if plain {
        SqlRequest {
            query: String::from_utf8(body.to_vec()).map_err(|e| ApiError::MalformedBody {
                message: format!("SQL is not UTF-8: {e}"),
            })?,
            limit: None,
        }
    } else {
        parse_json::<SqlRequest>(&body)?
    };
    let max = state.limits().max_sql_rows;
    let limit = req.limit.unwrap_or(max).min(max);
    let query = req.query.trim().trim_end_matches(';').trim();
    if query.is_empty() {
        return Err(ApiError::bad_request("query", "empty SQL"));
    }
    // The limit goes into the plan: a query with a huge result stops after `limit` rows.
    let (rows, truncated) = off_the_workers(state.warehouse()?, query, limit).await?;
    Ok(Json(SqlAnswer {
        rows,
        truncated,
        limit,
    }))
}

/// Plans and runs a query on a blocking thread, and converts its rows to JSON there. Why: DataFusion plans synchronously (constant
/// folding included), and a query that plans for long held an async worker, so that other
/// requests (`/api/health`) and the request timeout itself waited for it. The query is
/// dropped (cancelled at its next await point) when this future is, at the timeout.
async fn off_the_workers(
    warehouse: &chokepoint_store::Warehouse,
    query: &str,
    limit: usize,
) -> Result<(Vec<JsonRow>, bool), ApiError> {
    let (warehouse, query) = (warehouse.clone(), query.to_string());
    let runtime = tokio::runtime::Handle::current();
    // Closed when this future is dropped: the blocking thread then drops the query.
    let (_cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::task::spawn_blocking(move || {
        runtime.block_on(async move {
            tokio::select! {
                answer = warehouse.sql_head(&query, limit) => Some(answer.map(
                    |(batches, truncated)| (batches_to_json_rows(&batches), truncated),
                )),
                _ = cancelled => None,
            }
        })
    });
    match task.await {
        Ok(Some(answer)) => Ok(answer?),
        Ok(None) => Err(ApiError::internal("the query was cancelled")),
        Err(e) => Err(ApiError::internal(format!("the query task failed: {e}"))),
    }
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new().route("/sql", post(sql))
}
