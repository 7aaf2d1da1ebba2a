//! Who may listen where, and the bearer-token check on `/api`.
//!
//! Loopback needs no token. Any other address serves the whole network, so it needs a token
//! or an explicit `--insecure-no-auth`: forgetting the flag must not publish the API.

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ServeError;
use crate::{ApiError, AppState};

/// Checks that listening on `addr` is safe with this authentication setup.
pub fn check_listen(
    addr: SocketAddr,
    token: Option<&str>,
    insecure_no_auth: bool,
) -> Result<(), ServeError> {
    if let Some(t) = token
        && t.trim().is_empty()
    {
        return Err(ServeError::EmptyToken);
    }
    // Presented credentials are trimmed, so a padded secret could never match.
    if let Some(t) = token
        && t.trim() != t
    {
        return Err(ServeError::PaddedToken);
    }
    if token.is_some_and(|t| t.chars().any(char::is_control)) {
        return Err(ServeError::ControlInToken);
    }
    if addr.ip().is_loopback() || token.is_some() || insecure_no_auth {
        Ok(())
    } else {
        Err(ServeError::Unprotected { addr })
    }
}

/// Compares without stopping at the first difference, so response time does not reveal how
/// much of a guessed token was right.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: rejects `/api` requests without the right `Authorization: Bearer` header.
pub async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(expected) = state.token() {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_credentials);
        let ok = given.is_some_and(|g| same_secret(g.as_bytes(), expected.as_bytes()));
        if !ok {
            let mut resp = ApiError::Unauthorized.into_response();
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            return resp;
        }
    }
    next.run(req).await
}

/// The credentials of an `Authorization: Bearer …` value. The scheme name is
/// case-insensitive (RFC 9110 §11.1), so `bearer` and `BEARER` are accepted too.
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_with_a_control_character_is_refused_at_start() {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert!(matches!(
            check_listen(addr, Some("ab\ncd"), false),
            Err(ServeError::ControlInToken)
        ));
        assert!(check_listen(addr, Some("abcd"), false).is_ok());
    }

    #[test]
    fn a_token_padded_with_whitespace_is_refused_at_start() {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert!(matches!(
            check_listen(addr, Some("s3cret "), false),
            Err(ServeError::PaddedToken)
        ));
        assert!(check_listen(addr, Some("s3cret"), false).is_ok());
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_credentials("Bearer abc"), Some("abc"));
        assert_eq!(bearer_credentials("bearer abc "), Some("abc"));
        assert_eq!(bearer_credentials("BEARER  abc"), Some("abc"));
        assert_eq!(bearer_credentials("Basic abc"), None);
        assert_eq!(bearer_credentials("Bearerabc"), None);
    }

    #[test]
    fn loopback_needs_no_token() {
        assert!(check_listen("127.0.0.1:8080".parse().unwrap(), None, false).is_ok());
        assert!(check_listen("[::1]:8080".parse().unwrap(), None, false).is_ok());
    }

    #[test]
    fn non_loopback_without_token_is_refused() {
        let err = check_listen("0.0.0.0:8080".parse().unwrap(), None, false).unwrap_err();
        assert!(err.to_string().contains("--token"));
        assert!(err.is_user_error());
    }

    #[test]
    fn non_loopback_with_token_or_explicit_flag_is_allowed() {
        let addr: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(check_listen(addr, Some("s3cret"), false).is_ok());
        assert!(check_listen(addr, None, true).is_ok());
    }

    #[test]
    fn empty_token_is_refused() {
        assert!(check_listen("127.0.0.1:1".parse().unwrap(), Some(" "), false).is_err());
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
