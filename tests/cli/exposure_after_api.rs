//! `POST /api/exposure/after` against the real engine: the same JSON as
//! `chokepoint exposure --after FILE --format json` for the same scenario, runs and seed, and
//! bad input as 400s that name the parameter.

use serde_json::Value;

use crate::serve::{http_get, http_post, start_server, terminate};
use crate::util::{Sandbox, repo_root};

fn library(name: &str) -> String {
    std::fs::read_to_string(repo_root().join(format!("scenarios/{name}.toml"))).unwrap()
}

#[test]
fn exposure_after_endpoint_answers_what_the_cli_prints_as_json() {
    let sb = Sandbox::new();
    // The report names its scenario: the CLI the file as given, the API the library name or
    // `request.toml`; the files are named so that both say the same.
    sb.write("april-2025-controls.toml", &library("april-2025-controls"));
    // Not a library text (a shorter window): the API calls it request.toml.
    let custom = library("us-only-ban").replace("days = 365", "days = 200");
    assert_ne!(custom, library("us-only-ban"));
    sb.write("request.toml", &custom);
    let (mut child, url) = start_server(&sb, &[]);
    let cases = [
        (
            ["EU", "magnets", "april-2025-controls.toml", "8", "7"],
            "/api/exposure/after?importer=EU&product=magnets&runs=8&seed=7",
            "application/json",
            r#"{"name": "april-2025-controls"}"#.to_string(),
        ),
        (
            ["usa", "8505.11", "request.toml", "8", "3"],
            "/api/exposure/after?importer=usa&product=8505.11",
            "application/json",
            serde_json::json!({"toml": custom, "runs": 8, "seed": 3}).to_string(),
        ),
        (
            ["EU", "metal", "request.toml", "8", "42"],
            "/api/exposure/after?importer=EU&product=metal&runs=8",
            "application/toml",
            custom.clone(),
        ),
    ];
    for ([importer, product, file, runs, seed], path, content_type, body) in cases {
        let args = [
            "exposure",
            "--importer",
            importer,
            "--product",
            product,
            "--after",
            file,
            "--runs",
            runs,
            "--seed",
            seed,
            "--format",
            "json",
        ];
        let cli = sb.json(&args);
        let (status, text) = http_post(&url, path, content_type, &body);
        assert_eq!(status, 200, "{path}: {text}");
        let api: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(api, cli, "{path} differs from {args:?}");
        // Not two empty documents agreeing: the runs and seed asked for, real figures.
        assert_eq!(api["runs"], runs.parse::<u64>().unwrap(), "{api}");
        assert_eq!(api["seed"], seed.parse::<u64>().unwrap(), "{api}");
        assert_eq!(api["scenario"], file, "{api}");
        let imports = api["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["measure"] == "imports")
            .unwrap_or_else(|| panic!("no imports row in {api}"));
        assert!(imports["before"].as_f64().unwrap() > 0.0, "{imports}");
    }
    // Another seed gives other draws: the seed reaches the engine.
    let (_, a) = http_post(
        &url,
        "/api/exposure/after?importer=EU&product=magnets&runs=8&seed=1",
        "application/json",
        r#"{"name": "april-2025-controls"}"#,
    );
    let (_, b) = http_post(
        &url,
        "/api/exposure/after?importer=EU&product=magnets&runs=8&seed=2",
        "application/json",
        r#"{"name": "april-2025-controls"}"#,
    );
    let figures = |t: &str| serde_json::from_str::<Value>(t).unwrap()["figures"].clone();
    assert_ne!(figures(&a), figures(&b));
    assert!(terminate(&mut child).success());
}

#[test]
fn exposure_after_bad_input_is_400_naming_the_parameter() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    let april = r#"{"name": "april-2025-controls"}"#;
    let json = "application/json";
    let toml = "application/toml";
    let q = "/api/exposure/after?importer=EU&product=magnets&runs=2";
    for (path, content_type, body, status, expected) in [
        (
            "/api/exposure/after?importer=BRA&product=magnets&runs=2",
            json,
            april.to_string(),
            400,
            "invalid importer: BRA is not a region of the chain",
        ),
        (
            "/api/exposure/after?importer=E1&product=magnets",
            json,
            april.to_string(),
            400,
            "invalid importer",
        ),
        (
            "/api/exposure/after?importer=EU&product=gold",
            json,
            april.to_string(),
            400,
            "invalid product: \"gold\" is not a stage of the chain",
        ),
        (
            "/api/exposure/after?product=magnets",
            json,
            april.to_string(),
            400,
            "importer",
        ),
        (
            q,
            toml,
            "[chain]\nstart = 2025-04-01x\n".to_string(),
            400,
            "invalid scenario: not valid TOML: request.toml:2:",
        ),
        (
            q,
            json,
            "{\"name\": \"april-2025-controls\"".to_string(),
            400,
            "JSON at line 1",
        ),
        (
            q,
            toml,
            "[model]\nsteps = 10\n".to_string(),
            400,
            "invalid scenario: request.toml is an MRIO/ARIO scenario",
        ),
        (
            q,
            toml,
            "[chain]\nnetwork = \"mrio\"\n".to_string(),
            400,
            "bundled rare-earth chain only",
        ),
        (
            "/api/exposure/after?importer=EU&product=magnets&runs=0",
            json,
            april.to_string(),
            400,
            "invalid runs",
        ),
        (
            q,
            json,
            r#"{"name": "no-such-scenario"}"#.to_string(),
            404,
            "no-such-scenario",
        ),
        // `days` meets the scenario's horizon check, 0 as 36,501 does.
        (
            "/api/exposure/after?importer=EU&product=magnets&days=0",
            json,
            april.to_string(),
            422,
            "`chain.days`: 0 is outside [1, 36500] (with the request's days = 0)",
        ),
        (
            "/api/exposure/after?importer=EU&product=magnets&runs=100000",
            json,
            april.to_string(),
            413,
            "simulation too large",
        ),
    ] {
        let (got, text) = http_post(&url, path, content_type, &body);
        assert_eq!(got, status, "{path} {body}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
        let message = v["message"].as_str().unwrap();
        assert!(message.contains(expected), "{path} {body}: {message}");
    }
    // The static endpoint points clients at this one.
    let (status, text) = http_get(
        &url,
        "/api/exposure?importer=EU&product=magnets&after=april-2025-controls",
        &[],
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("POST /api/exposure/after"), "{text}");
    assert!(terminate(&mut child).success());
}

/// The two scenario endpoints answer the same request errors with the same status: TOML
/// that does not parse was a 422 on `/api/simulate` and a 400 here; `runs` outside the
/// CLI's 1..=100,000 is a 400 on both; a shortened `days` that leaves the control out says
/// so in the notes here as in the run's notes (it was silent, and "after" equalled "before").
#[test]
fn scenario_endpoints_agree_on_errors_and_name_what_days_left_out() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    let after = "/api/exposure/after?importer=EU&product=magnets";
    for path in ["/api/simulate", after] {
        let (status, text) = http_post(&url, path, "application/toml", "this is = = not toml");
        assert_eq!(status, 400, "{path}: {text}");
        assert!(
            text.contains("not valid TOML: request.toml:1:"),
            "{path}: {text}"
        );
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, text) = http_post(
            &url,
            &format!("{path}{sep}runs=100001"),
            "application/json",
            r#"{"name": "april-2025-controls"}"#,
        );
        assert_eq!(status, 400, "{path}: {text}");
        assert!(
            text.contains("100001 is outside 1 to 100000"),
            "{path}: {text}"
        );
    }
    // A JSON scenario's error names the key, not a line of the TOML the server made of it.
    let (status, text) = http_post(
        &url,
        "/api/simulate",
        "application/json",
        r#"{"scenario": {"chain": {"start": "2025-04-01", "days": 30.5}}}"#,
    );
    assert_eq!(status, 422, "{text}");
    assert!(
        text.contains("request.json: `chain.days`") && !text.contains("request.json:2"),
        "{text}"
    );
    let (status, text) = http_post(
        &url,
        &format!("{after}&runs=3&days=2"),
        "application/json",
        r#"{"name": "april-2025-controls"}"#,
    );
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let notes = v["notes"].to_string();
    assert!(notes.contains("after the 2 simulated days"), "{notes}");
    assert!(notes.contains("left out of this run"), "{notes}");
    assert!(terminate(&mut child).success());
}

/// A simulation whose request timed out went on to its last run, holding the simulation
/// slot: new requests got 429 for a result nobody would read. Its runs now stop, and the
/// slot frees within a run or two.
#[test]
fn a_timed_out_simulation_frees_its_slot() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &["--request-timeout", "1", "--max-simulations", "1"]);
    let (status, text) = http_post(
        &url,
        // 1,500 runs x 3 (the EU's sensitivity to its assumed output) fit the size limit.
        "/api/exposure/after?importer=EU&product=magnets&runs=1500",
        "application/json",
        r#"{"name": "april-2025-controls"}"#,
    );
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("lower runs or days"), "{text}");
    let started = std::time::Instant::now();
    let accepted = loop {
        let (status, text) = http_post(
            &url,
            "/api/simulate?runs=1&days=30",
            "application/json",
            r#"{"name": "april-2025-controls"}"#,
        );
        if status == 202 {
            break true;
        }
        assert_eq!(status, 429, "{text}");
        if started.elapsed() > std::time::Duration::from_secs(10) {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(accepted, "the slot was still held 10 s after the timeout");
    assert!(terminate(&mut child).success());
}
