//! Every limit: body size, simulation size, concurrent simulations, request timeout, and the
//! bearer token.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chokepoint_server::Limits;

use crate::support::{
    SLOW, TestSimulator, get, json, post_json, send, state, state_with, wait_for_run,
};

#[tokio::test]
async fn oversized_body_is_413() {
    let limits = Limits {
        max_body_bytes: 1024,
        ..Limits::default()
    };
    let s = state_with(limits, TestSimulator::new());
    let big = format!("{{\"toml\": \"{}\"}}", "x".repeat(4096));
    let (status, _, body) = send(&s, post_json("/api/simulate", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let v = json(&body);
    assert_eq!(v["error"], "too_large");
    assert!(v["message"].as_str().unwrap().contains("1024"), "{v}");
}

#[tokio::test]
async fn too_large_simulation_is_413_before_it_starts() {
    let limits = Limits {
        max_simulation_cells: 100,
        ..Limits::default()
    };
    let s = state_with(limits, TestSimulator::new());
    let (status, _, body) = send(
        &s,
        post_json("/api/simulate", r#"{"name": "quick", "runs": 1000}"#),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let msg = json(&body)["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("1000 runs") && msg.contains("limit is 100"),
        "{msg}"
    );
}

#[tokio::test]
async fn simulations_beyond_the_concurrency_limit_get_429() {
    let limits = Limits {
        max_concurrent_simulations: 1,
        ..Limits::default()
    };
    let sim = TestSimulator::new();
    let gate = sim.gate.clone();
    let s = state_with(limits, sim);
    let slow = serde_json::json!({ "toml": SLOW }).to_string();
    let (status, _, body) = send(&s, post_json("/api/simulate", &slow)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let first = json(&body)["id"].as_str().unwrap().to_string();
    let (_, _, running) = get(&s, &format!("/api/runs/{first}")).await;
    assert_eq!(json(&running)["status"], "running");

    let (status, resp, body) = send(&s, post_json("/api/simulate", &slow)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json(&body)["error"], "busy");
    // Web review: a 429 said nothing of when to try again.
    assert_eq!(resp.headers()["retry-after"], "5");

    gate.open();
    assert_eq!(wait_for_run(&s, &first).await["status"], "succeeded");
    // The permit is back: a new run is accepted.
    let (status, _, _) = send(&s, post_json("/api/simulate", &slow)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn slow_requests_time_out_with_503() {
    let limits = Limits {
        request_timeout: Duration::from_millis(20),
        ..Limits::default()
    };
    let mut sim = TestSimulator::new();
    sim.network_delay = Duration::from_millis(500);
    let s = state_with(limits, sim);
    let (status, _, body) = get(&s, "/api/network").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(json(&body)["message"].as_str().unwrap().contains("limit"));
}

/// A query that computes for minutes in joins without a condition (144⁵ rows summed) is
/// cancelled at the request timeout: its joins yield to the runtime, so the timeout can fire
/// (it could not, and the query ran on after the client had gone).
#[tokio::test]
async fn a_long_query_is_cancelled_at_the_request_timeout() {
    let limits = Limits {
        request_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let warehouse = chokepoint_store::Warehouse::open(dir.path()).await.unwrap();
    let s = state_with(limits, TestSimulator::new()).with_warehouse(std::sync::Arc::new(warehouse));
    let query = "SELECT sum(a.quantity_t * b.quantity_t + c.quantity_t - d.quantity_t + \
                 e.quantity_t) AS s FROM trade a, trade b, trade c, trade d, trade e";
    let started = std::time::Instant::now();
    let (status, _, body) = send(
        &s,
        post_json(
            "/api/sql",
            &serde_json::json!({ "query": query }).to_string(),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn token_is_required_on_api_but_not_on_pages() {
    let s = state_with(Limits::default(), TestSimulator::new()).with_token(Some("s3cret".into()));
    let (status, resp, body) = get(&s, "/api/health").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    assert_eq!(json(&body)["error"], "unauthorized");

    let wrong = Request::get("/api/health")
        .header("authorization", "Bearer nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, wrong).await.0, StatusCode::UNAUTHORIZED);

    let right = Request::get("/api/health")
        .header("authorization", "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, right).await.0, StatusCode::OK);

    // An unknown API path is a 401 too without the token, as a known one is (web review:
    // 404 against 401 told which exist); with it, a 404.
    assert_eq!(
        get(&s, "/api/no-such-thing").await.0,
        StatusCode::UNAUTHORIZED
    );
    let unknown = Request::get("/api/no-such-thing")
        .header("authorization", "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, unknown).await.0, StatusCode::NOT_FOUND);

    // A browser asking for a page that does not exist gets a page, not JSON (web review).
    let page = Request::get("/nope%3Cb%3E")
        .header("accept", "text/html,application/xhtml+xml")
        .body(Body::empty())
        .unwrap();
    let (status, resp, body) = send(&s, page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains("/nope%3Cb%3E") && body.contains("<a href=\"/\">"),
        "{body}"
    );

    // Pages and assets hold no data; they stay public so the browser can load them.
    assert_eq!(get(&s, "/scenario").await.0, StatusCode::OK);
    assert_eq!(get(&s, "/assets/app.js").await.0, StatusCode::OK);
}

#[tokio::test]
async fn old_finished_runs_are_dropped_beyond_the_kept_limit() {
    let limits = Limits {
        max_kept_runs: 2,
        ..Limits::default()
    };
    let s = state_with(limits, TestSimulator::new());
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (status, _, body) = send(&s, post_json("/api/simulate", r#"{"name": "quick"}"#)).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let id = json(&body)["id"].as_str().unwrap().to_string();
        wait_for_run(&s, &id).await;
        ids.push(id);
    }
    assert_eq!(
        get(&s, &format!("/api/runs/{}", ids[0])).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&s, &format!("/api/runs/{}", ids[2])).await.0,
        StatusCode::OK
    );
}

/// Web review: a portal on another origin got 405 to its preflight and could not call the
/// API from a browser, token or not. With `--cors-origin` its origin may, before the token
/// check; other origins still may not, and without the option nothing changes.
#[tokio::test]
async fn allowed_origins_may_call_the_api_from_a_browser() {
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/trends")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .body(Body::empty())
            .unwrap()
    };
    let s = state()
        .with_token(Some("s3cret".into()))
        .with_cors_origins(vec!["https://portal.example".into()]);
    let (status, resp, _) = send(&s, preflight("https://portal.example")).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://portal.example"
    );
    let (_, resp, _) = send(&s, preflight("https://elsewhere.example")).await;
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    // A real request from the portal gets the header, and may read the notes.
    let req = Request::builder()
        .uri("/api/health")
        .header("origin", "https://portal.example")
        .header("authorization", "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    let (status, resp, _) = send(&s, req).await;
    assert_eq!(status, StatusCode::OK);
    let exposed = resp.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("chokepoint-note"), "{exposed}");
    // Without the option: no CORS headers at all.
    let (_, resp, _) = send(&state(), preflight("https://portal.example")).await;
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

/// Web review: the dashboard's pages had no security headers. They say what a page may load
/// (its own scripts only), and that no other site may frame it.
#[tokio::test]
async fn pages_carry_a_content_security_policy() {
    let (status, resp, _) = get(&state(), "/monitor").await;
    assert_eq!(status, StatusCode::OK);
    let policy = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
}
