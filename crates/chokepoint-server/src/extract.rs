//! Extractors whose rejections have the same JSON error shape as every other error.

use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// Query parameters; unknown or malformed ones are a 400 naming the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(query_error(e)),
        }
    }
}

fn query_error(e: QueryRejection) -> ApiError {
    // The message looks like "Failed to deserialize query string: runs: invalid digit found
    // in string" (the parameter, then what is wrong), or without the parameter.
    let text = e.body_text();
    let detail = text.split_once(": ").map_or(text.as_str(), |(_, d)| d);
    let (name, why) = match detail.split_once(": ") {
        Some((name, why))
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            (Some(name), why)
        }
        _ => (None, detail),
    };
    // Said of the query string, naming the parameter in the message: "invalid period: this
    // endpoint does not take `period`" read as a bad value.
    if let Some((_, message)) = unknown_parameter(why) {
        return ApiError::bad_request("query string", message);
    }
    if let Some(missing) = why
        .strip_prefix("missing field `")
        .and_then(|r| r.split_once('`'))
        .map(|(name, _)| name)
    {
        return ApiError::bad_request("query string", format!("missing parameter `{missing}`"));
    }
    match name {
        Some(name) if why.contains("invalid digit") || why.contains("too large") => {
            ApiError::bad_request(name, format!("{why}: give a whole number"))
        }
        Some(name) => ApiError::bad_request(name, why.to_string()),
        None => ApiError::bad_request("query string", detail.to_string()),
    }
}

/// serde's "unknown field `x`, expected one of `a`, `b`" as the parameter and a message
/// that says what the endpoint takes: a parameter of another endpoint (`period` on
/// `/api/trends`) is refused by name, never ignored.
fn unknown_parameter(detail: &str) -> Option<(String, String)> {
    let rest = detail.strip_prefix("unknown field `")?;
    let (name, rest) = rest.split_once('`')?;
    let takes = rest
        .split_once("expected one of ")
        .map(|(_, list)| list)
        .or_else(|| rest.split_once("expected ").map(|(_, one)| one))
        .map_or_else(String::new, |list| {
            format!("; it takes {}", list.replace('`', ""))
        });
    Some((
        name.to_string(),
        format!("this endpoint does not take `{name}`{takes}"),
    ))
}

/// Parses one query parameter; the error is a 400 naming it.
pub fn parse_param<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| ApiError::bad_request(field, e.to_string()))
}

/// Parses an optional query parameter; absent is `None`. A blank one is refused, as the
/// CLI refuses `--source ""`: it was read as absent, so `source=` answered for every
/// source. (The dashboard leaves empty fields out of its queries.)
pub fn opt_param<T: std::str::FromStr>(
    field: &str,
    text: Option<&str>,
) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| {
        not_blank(field, Some(t))?;
        parse_param(field, t)
    })
    .transpose()
}

/// Refuses a parameter given with a blank value (`partner=`).
pub fn not_blank(field: &str, text: Option<&str>) -> Result<(), ApiError> {
    match text {
        Some(t) if t.trim().is_empty() => Err(ApiError::bad_request(
            field,
            format!("`{field}` is empty; give a value or leave the parameter out"),
        )),
        _ => Ok(()),
    }
}

/// The raw body, with the size limit reported as 413.
pub struct Body(pub axum::body::Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.limits().max_body_bytes;
        match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => Ok(Body(b)),
            Err(e) => Err(body_error(e, limit)),
        }
    }
}

fn body_error(e: BytesRejection, limit_bytes: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::BodyTooLarge { limit_bytes }
    } else {
        ApiError::MalformedBody {
            message: e.body_text(),
        }
    }
}

/// Parses a JSON body into `T`; syntax errors give line and column.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody {
        message: format!("JSON at line {} column {}: {e}", e.line(), e.column()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_parameter_is_named_with_the_ones_the_endpoint_takes() {
        let (name, message) =
            unknown_parameter("unknown field `period`, expected one of `reporter`, `flow`, `from`")
                .unwrap();
        assert_eq!(name, "period");
        assert_eq!(
            message,
            "this endpoint does not take `period`; it takes reporter, flow, from"
        );
        let (_, message) = unknown_parameter("unknown field `x`, expected `name`").unwrap();
        assert_eq!(message, "this endpoint does not take `x`; it takes name");
        assert!(unknown_parameter("runs: invalid digit found in string").is_none());
    }
}
