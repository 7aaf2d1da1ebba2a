//! Every route through `router()` without a socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{QUICK, get, json, post_json, send, state, wait_for_run};

#[tokio::test]
async fn health_reports_capabilities() {
    let (status, _, body) = get(&state(), "/api/health").await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["simulator"], true);
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let (status, _, body) = get(&state(), "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert!(v["openapi"].as_str().unwrap().starts_with('3'));
    for path in [
        "/api/health",
        "/api/openapi.json",
        "/api/scenarios",
        "/api/scenarios/{name}",
        "/api/network",
        "/api/simulate",
        "/api/runs/{id}",
        "/api/runs/{id}/charts/output.svg",
        "/api/runs/{id}/charts/licences.svg",
        "/api/trends",
        "/api/partners",
        "/api/anomalies",
        "/api/shares",
        "/api/exposure",
        "/api/exposure/after",
        "/api/criticality",
        "/api/charts/shares.svg",
        "/api/sql",
    ] {
        assert!(v["paths"].get(path).is_some(), "openapi lacks {path}");
    }
    // Web review: 401 everywhere but no security scheme, so generated clients sent no token;
    // and /api/sql listed no 413.
    assert_eq!(
        v["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(v["security"][1]["bearer"], serde_json::json!([]));
    assert!(
        v["paths"]["/api/sql"]["post"]["responses"]
            .get("413")
            .is_some()
    );
    // The words a parameter takes are listed (web review: plain strings), and an optional
    // one stays optional.
    let param = |path: &str, name: &str| {
        v["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{path} has no {name}"))
    };
    let flow = param("/api/trends", "flow");
    assert_eq!(flow["schema"]["enum"][0], "export", "{flow}");
    assert_eq!(flow["required"], true, "{flow}");
    let freq = param("/api/trends", "freq");
    assert_eq!(
        freq["schema"]["enum"],
        serde_json::json!(["M", "A"]),
        "{freq}"
    );
    assert_ne!(freq["required"], true, "{freq}");
    assert_eq!(
        param("/api/shares", "stage")["schema"]["enum"][3],
        "magnets"
    );
    assert_eq!(
        param("/api/criticality", "method")["schema"]["enum"][1],
        "usgs"
    );
}

/// The document listed only each handler's own answers: the 400 of the run charts without
/// their selection, the 503 of the request timeout and the 404 of an unknown library
/// scenario were missing, and `/api/simulate` declared a JSON body only.
#[tokio::test]
async fn openapi_lists_every_answer_and_both_bodies() {
    let (_, _, body) = get(&state(), "/api/openapi.json").await;
    let v = json(&body);
    for (path, item) in v["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes = &op["responses"];
            assert!(codes.get("503").is_some(), "{method} {path} lacks 503");
            assert!(codes.get("401").is_some(), "{method} {path} lacks 401");
            let takes_input = op["parameters"].as_array().is_some_and(|p| !p.is_empty())
                || op.get("requestBody").is_some();
            if takes_input {
                assert!(codes.get("400").is_some(), "{method} {path} lacks 400");
            }
        }
    }
    let simulate = &v["paths"]["/api/simulate"]["post"];
    assert!(simulate["responses"].get("404").is_some());
    let content = &simulate["requestBody"]["content"];
    assert!(content.get("application/json").is_some(), "{content}");
    assert!(content.get("application/toml").is_some(), "{content}");
    for name in ["runs", "days"] {
        let p = simulate["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap();
        assert_eq!(p["schema"]["minimum"], 1, "{p}");
    }
}

/// A JSON request gives exactly one of `name`, `toml`, `scenario`: none is required.
#[tokio::test]
async fn openapi_simulate_request_requires_none_of_its_alternatives() {
    let (_, _, body) = get(&state(), "/api/openapi.json").await;
    let v = json(&body);
    let schema = &v["components"]["schemas"]["SimulateRequest"];
    assert!(schema["properties"]["scenario"].is_object(), "{schema}");
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    assert!(required.is_empty(), "{schema}");
}

/// The spec lists only parameters the endpoint accepts: `after` (the CLI's `--after FILE`)
/// is refused by `GET /api/exposure`, so it must not be advertised there.
#[tokio::test]
async fn openapi_of_exposure_lists_its_parameters_and_not_after() {
    let (status, _, body) = get(&state(), "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    let params = v["paths"]["/api/exposure"]["get"]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no parameters for GET /api/exposure in {v}"));
    let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["importer", "product", "year"], "{params:?}");
}

#[tokio::test]
async fn dashboard_pages_and_assets_are_served() {
    let s = state();
    for (path, title) in [
        ("/", "Monitor"),
        ("/monitor", "Monitor"),
        ("/exposure", "Exposure"),
        ("/scenario", "Scenario"),
    ] {
        let (status, resp, body) = get(&s, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            String::from_utf8(body)
                .unwrap()
                .contains(&format!("<title>{title}"))
        );
    }
    let (status, resp, _) = get(&s, "/assets/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let (status, resp, _) = get(&s, "/assets/style.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn path_traversal_finds_nothing() {
    let s = state();
    for path in [
        "/assets/../Cargo.toml",
        "/assets/../../../../etc/passwd",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/..%2fCargo.toml",
        "/assets/%2Fetc%2Fpasswd",
        "/assets/app.js/../../src/lib.rs",
        "/assets/",
        "/../../etc/passwd",
    ] {
        let (status, _, body) = get(&s, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains("root:") && !text.contains("[package]"),
            "{path}"
        );
        assert_eq!(json(&body)["status"], 404);
    }
}

#[tokio::test]
async fn unknown_api_path_is_json_404() {
    // `/api` and `/api/` alike (the second said "no page at /api/; the dashboard …").
    for path in ["/api/nothing-here", "/api", "/api/"] {
        let (status, _, body) = get(&state(), path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let v = json(&body);
        assert_eq!(v["error"], "not_found");
        let message = v["message"].as_str().unwrap();
        assert!(
            message.starts_with("not found: no API endpoint at /api"),
            "{path}: {message}"
        );
        assert!(message.contains("/api/openapi.json"), "{path}: {message}");
    }
}

#[tokio::test]
async fn wrong_method_is_json_405() {
    let (status, resp, body) = send(
        &state(),
        Request::delete("/api/health").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.headers().contains_key("allow"));
    assert_eq!(json(&body)["error"], "method_not_allowed");
}

#[tokio::test]
async fn scenario_library_lists_and_gets() {
    let s = state();
    let (status, _, body) = get(&s, "/api/scenarios").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)[0]["name"], "quick");
    let (status, _, body) = get(&s, "/api/scenarios/quick").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["toml"], QUICK);
    let (status, _, body) = get(&s, "/api/scenarios/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(json(&body)["message"].as_str().unwrap().contains("quick"));
}

#[tokio::test]
async fn network_is_described() {
    let (status, _, body) = get(&state(), "/api/network").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["regions"][1], "EU");
}

#[tokio::test]
async fn simulate_runs_in_background_and_reports_results() {
    let s = state();
    let (status, resp, body) = send(
        &s,
        post_json(
            "/api/simulate",
            r#"{"name": "quick", "runs": 8, "approval_share": 0.25}"#,
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let accepted = json(&body);
    let id = accepted["id"].as_str().unwrap().to_string();
    assert_eq!(resp.headers()["location"], format!("/api/runs/{id}"));
    assert_eq!(accepted["size"]["runs"], 8);

    let run = wait_for_run(&s, &id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["progress"]["done"], 8);
    assert_eq!(run["progress"]["fraction"], 1.0);
    assert_eq!(run["result"]["edges"][0]["licensed_t"], 250.0);
    // The JSON says which customs figures are derived and what the summary fields mean.
    assert_eq!(run["result"]["observed"][0]["is_derived"], true);
    assert_eq!(run["result"]["observed"][1]["is_derived"], false);
    assert!(
        run["result"]["descriptions"]["halt_day_90"]
            .as_str()
            .unwrap()
            .contains("not a halt")
    );

    let (status, resp, body) = get(
        &s,
        &format!("/api/runs/{id}/charts/output.svg?region=EU&industry=automotive"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    let svg = String::from_utf8(body).unwrap();
    assert!(svg.contains("<polygon") && svg.contains("median"));

    let (status, _, body) = get(
        &s,
        &format!("/api/runs/{id}/charts/licences.svg?exporter=CHN&importer=EU&stage=magnets"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let svg = String::from_utf8(body).unwrap();
    assert!(svg.contains("licensed (simulated)"));
    // Orders are labelled as such (they include restocking), the baseline flow is there
    // for reference, and a derived customs figure is not drawn as an observed one.
    for label in [
        "orders placed incl. restocking (simulated)",
        "baseline flow (no controls)",
        "customs exports (observed)",
        "customs exports (derived, not reported)",
    ] {
        assert!(svg.contains(label), "{label}");
    }

    let (status, _, body) = get(
        &s,
        &format!("/api/runs/{id}/charts/output.svg?region=XX&industry=automotive"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The 404 lists what the run has (web review: it listed nothing).
    let message = json(&body)["message"].as_str().unwrap().to_string();
    assert!(message.contains("its regions: EU"), "{message}");
    let (status, _, body) = get(
        &s,
        &format!("/api/runs/{id}/charts/licences.svg?exporter=CHN&importer=EU&stage=magnet"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let message = json(&body)["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("its edges: exporter=CHN&importer=EU&stage=magnets"),
        "{message}"
    );
}

#[tokio::test]
async fn simulate_accepts_toml_with_query_overrides() {
    let s = state();
    let req = Request::post("/api/simulate?runs=3&seed=9")
        .header("content-type", "application/toml")
        .body(Body::from(QUICK))
        .unwrap();
    let (status, _, body) = send(&s, req).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = json(&body)["id"].as_str().unwrap().to_string();
    let run = wait_for_run(&s, &id).await;
    assert_eq!(run["result"]["runs"], 3);
    assert_eq!(run["result"]["seed"], 9);
}

#[tokio::test]
async fn simulate_accepts_a_json_scenario() {
    let s = state();
    let (status, _, body) = send(
        &s,
        post_json(
            "/api/simulate",
            r#"{"scenario": {"name": "inline", "runs": 2, "days": 2, "nodes": 1}}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let run = wait_for_run(&s, json(&body)["id"].as_str().unwrap()).await;
    assert_eq!(run["scenario"], "inline");
}

#[tokio::test]
async fn malformed_json_is_400_with_position() {
    let (status, _, body) = send(
        &state(),
        post_json("/api/simulate", "{\"name\": \"quick\",,}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v = json(&body);
    assert_eq!(v["error"], "bad_request");
    assert!(
        v["message"].as_str().unwrap().contains("line 1 column"),
        "{v}"
    );
}

#[tokio::test]
async fn unknown_json_field_is_400() {
    let (status, _, body) =
        send(&state(), post_json("/api/simulate", r#"{"nmae": "quick"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&body)["message"].as_str().unwrap().contains("nmae"));
}

#[tokio::test]
async fn ambiguous_request_is_400() {
    let (status, _, body) = send(
        &state(),
        post_json("/api/simulate", r#"{"name": "quick", "toml": "x = 1"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("exactly one")
    );
}

/// F14: README says a share outside 0–1 is a 422, as `days` above the horizon is; it was
/// a 400.
#[tokio::test]
async fn out_of_range_approval_share_is_422_as_readme_says() {
    let (status, _, body) = send(
        &state(),
        post_json(
            "/api/simulate",
            r#"{"name": "quick", "approval_share": 1.5}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("approval_share")
    );
}

#[tokio::test]
async fn bad_query_parameter_is_400() {
    let (status, _, body) = send(
        &state(),
        Request::post("/api/simulate?runs=many")
            .header("content-type", "application/toml")
            .body(Body::from(QUICK))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&body)["message"].as_str().unwrap().contains("runs"));
}

/// Adversarial review: `runs` in the body and in the query ran the body's without a word,
/// where a repeated query parameter is a 400.
#[tokio::test]
async fn a_setting_in_both_the_query_and_the_body_is_400() {
    let body = serde_json::json!({ "toml": QUICK, "runs": 3 }).to_string();
    let (status, _, answer) = send(&state(), post_json("/api/simulate?runs=5", &body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json(&answer)["message"]
            .as_str()
            .unwrap()
            .contains("runs is given in the query and in the JSON body"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn invalid_scenario_is_422() {
    let (status, _, body) = send(
        &state(),
        post_json(
            "/api/simulate",
            r#"{"toml": "name = \"x\"\ninvalid = true\n"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(&body)["message"].as_str().unwrap().contains("invalid"));
}

#[tokio::test]
async fn unknown_run_is_404() {
    let s = state();
    let (status, _, body) = get(&s, "/api/runs/run-999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let message = json(&body)["message"].as_str().unwrap().to_string();
    assert!(message.contains("run-999"), "{message}");
    // Web review: ids restarted at run-1 on every restart, so a stored id fetched another
    // simulation; each server's ids carry its start, and a stranger's id is named so.
    assert!(message.contains("not a run of this server"), "{message}");
    let (status, _, body) = send(
        &s,
        post_json(
            "/api/simulate",
            &serde_json::json!({ "toml": QUICK }).to_string(),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let id = json(&body)["id"].as_str().unwrap().to_string();
    assert!(
        id.starts_with("run-") && id.ends_with("-1") && id.len() > 6,
        "{id}"
    );
    // A number as this server never writes it is not one of its runs (re-check: `-0` and
    // `-01` read "finished and was dropped").
    for odd in ["0", "01"] {
        let other = format!("{}{odd}", id.strip_suffix('1').unwrap());
        let (_, _, body) = get(&s, &format!("/api/runs/{other}")).await;
        let message = json(&body)["message"].as_str().unwrap().to_string();
        assert!(!message.contains("dropped"), "{message}");
    }
    let unstarted = format!("{}2", id.strip_suffix('1').unwrap());
    let (status, _, body) = get(&s, &format!("/api/runs/{unstarted}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("this server has not started it"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[tokio::test]
async fn simulation_endpoints_without_engine_are_503() {
    let s = chokepoint_server::AppState::new(chokepoint_server::Limits::default());
    let (status, _, body) = get(&s, "/api/scenarios").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(&body)["error"], "unavailable");
}
