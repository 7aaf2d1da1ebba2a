//! `POST /api/exposure/after` through `router()`: parameters, body forms, errors, and the
//! limits it shares with `POST /api/simulate`. The numbers are the binary's (tests/cli).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chokepoint_server::{AppState, Limits};

use crate::support::{
    MinimalSimulator, QUICK, SLOW, TestSimulator, get, json, post_json, send, state, state_with,
    wait_for_run,
};

const EU_MAGNETS: &str = "/api/exposure/after?importer=EU&product=magnets";

fn post_toml(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/toml")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn openapi_documents_the_endpoint() {
    let (_, _, body) = get(&state(), "/api/openapi.json").await;
    let v = json(&body);
    let op = &v["paths"]["/api/exposure/after"]["post"];
    let names: Vec<&str> = op["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no parameters in {op}"))
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "importer",
            "product",
            "runs",
            "seed",
            "days",
            "approval_share"
        ]
    );
    let content = &op["requestBody"]["content"];
    assert!(content["application/json"].is_object(), "{op}");
    assert!(content["application/toml"].is_object(), "{op}");
    let ok = op["responses"]["200"].to_string();
    assert!(ok.contains("AfterReport"), "{ok}");
    for status in ["400", "413", "422", "429", "503"] {
        assert!(op["responses"][status].is_object(), "{status} in {op}");
    }
    assert!(v["components"]["schemas"]["AfterReport"].is_object());
}

#[tokio::test]
async fn answers_the_report_for_json_and_toml_bodies() {
    let s = state();
    let (status, _, body) = send(
        &s,
        post_json(
            &format!("{EU_MAGNETS}&runs=3"),
            r#"{"name": "quick", "seed": 9}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let v = json(&body);
    assert_eq!(v["scenario"], "quick");
    assert_eq!(v["importer_region"], "EUU");
    assert_eq!(v["stage"], "magnets");
    assert_eq!(v["runs"], 3);
    assert_eq!(v["seed"], 9);
    assert_eq!(v["figures"][0]["measure"], "imports");

    // TOML with the overrides in the query; an HS code names the stage.
    let (status, _, body) = send(
        &s,
        post_toml(
            "/api/exposure/after?importer=usa&product=8505.11&seed=5",
            QUICK,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!((v["runs"].as_u64(), v["seed"].as_u64()), (Some(4), Some(5)));
    assert_eq!(v["importer_region"], "USA");
}

#[tokio::test]
async fn bad_parameters_are_400_naming_them() {
    let s = state();
    for (uri, body, expected) in [
        (
            "/api/exposure/after?importer=U-A&product=magnets",
            r#"{"name": "quick"}"#,
            "invalid importer",
        ),
        (
            "/api/exposure/after?importer=BRA&product=magnets",
            r#"{"name": "quick"}"#,
            "invalid importer: BRA is not a region",
        ),
        (
            "/api/exposure/after?importer=EU&product=unobtainium",
            r#"{"name": "quick"}"#,
            "invalid product",
        ),
        (
            "/api/exposure/after?importer=EU&product=",
            r#"{"name": "quick"}"#,
            "invalid product",
        ),
        (
            "/api/exposure/after?importer=EU",
            r#"{"name": "quick"}"#,
            "product",
        ),
        (
            "/api/exposure/after?importer=EU&product=magnets&runs=0",
            r#"{"name": "quick"}"#,
            "invalid runs",
        ),
        (
            "/api/exposure/after?importer=EU&product=magnets&colour=red",
            r#"{"name": "quick"}"#,
            "colour",
        ),
        (
            EU_MAGNETS,
            r#"{"name": "quick", "toml": "x"}"#,
            "exactly one",
        ),
        (EU_MAGNETS, r#"{"name": "quick""#, "JSON at line 1"),
    ] {
        let (status, _, resp) = send(&s, post_json(uri, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri} {body}");
        let v = json(&resp);
        let message = v["message"].as_str().unwrap();
        assert!(message.contains(expected), "{uri} {body}: {message}");
    }
    // A scenario the engine refuses while checking it: 422, as for /api/simulate.
    let (status, _, _) = send(&s, post_toml(EU_MAGNETS, "invalid = true\n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn shares_the_size_and_concurrency_limits_of_simulations() {
    let limits = Limits {
        max_concurrent_simulations: 1,
        max_simulation_cells: 1000,
        ..Limits::default()
    };
    let sim = TestSimulator::new();
    let gate = sim.gate.clone();
    let s = state_with(limits, sim);
    let (status, _, body) = send(
        &s,
        post_json(&format!("{EU_MAGNETS}&runs=1000"), r#"{"name": "quick"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("1000 runs")
    );

    // A background simulation holds the only permit.
    let slow = serde_json::json!({ "toml": SLOW }).to_string();
    let (status, _, body) = send(&s, post_json("/api/simulate", &slow)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = json(&body)["id"].as_str().unwrap().to_string();
    let (status, _, body) = send(&s, post_json(EU_MAGNETS, r#"{"name": "quick"}"#)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json(&body)["error"], "busy");
    gate.open();
    assert_eq!(wait_for_run(&s, &id).await["status"], "succeeded");
    let (status, _, _) = send(&s, post_json(EU_MAGNETS, r#"{"name": "quick"}"#)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn engines_without_it_and_servers_without_engine_are_503() {
    let minimal = AppState::new(Limits::default())
        .with_simulator(Arc::new(MinimalSimulator(TestSimulator::new())));
    let none = AppState::new(Limits::default());
    for s in [minimal, none] {
        let (status, _, body) = send(&s, post_json(EU_MAGNETS, r#"{"name": "quick"}"#)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(json(&body)["error"], "unavailable");
    }
}

#[tokio::test]
async fn the_exposure_page_offers_it() {
    let s = state();
    let (_, _, page) = get(&s, "/exposure").await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("id=\"after-form\"") && page.contains("id=\"after-table\""),
        "{page}"
    );
    assert!(
        page.contains("<script src=\"/assets/exposure.js\">"),
        "{page}"
    );
    let (_, _, js) = get(&s, "/assets/exposure.js").await;
    assert!(
        String::from_utf8(js)
            .unwrap()
            .contains("\"/api/exposure/after?\"")
    );
}

#[tokio::test]
async fn a_run_past_the_simulation_time_limit_is_503_and_frees_its_permit() {
    let limits = Limits {
        simulation_timeout: std::time::Duration::from_millis(50),
        max_concurrent_simulations: 1,
        ..Limits::default()
    };
    let sim = TestSimulator::new();
    let gate = sim.gate.clone();
    let s = state_with(limits, sim);
    let slow = serde_json::json!({ "toml": SLOW }).to_string();
    let (status, _, body) = send(&s, post_json(EU_MAGNETS, &slow)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let message = json(&body)["message"].as_str().unwrap().to_string();
    assert!(message.contains("simulation time limit"), "{message}");
    // The engine still holds the permit until it returns: the limit counts CPU in use.
    let (status, _, _) = send(&s, post_json(EU_MAGNETS, r#"{"name": "quick"}"#)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    gate.open();
    for _ in 0..200 {
        let (status, _, _) = send(&s, post_json(EU_MAGNETS, r#"{"name": "quick"}"#)).await;
        if status == StatusCode::OK {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the permit was not released after the engine returned");
}
