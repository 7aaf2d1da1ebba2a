//! The monitor and SQL endpoints over a real warehouse holding the bundled data.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::{get, json, send, state_with_warehouse};

const FLOW: &str = "reporter=CHN&flow=export&product=rare-earths";

/// The `Chokepoint-Note` headers of a response, in order.
fn note_headers<B>(resp: &axum::http::Response<B>) -> Vec<&str> {
    resp.headers()
        .get_all("chokepoint-note")
        .iter()
        .map(|h| h.to_str().unwrap())
        .collect()
}

#[tokio::test]
async fn trends_mirror_the_cli_rows() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, _, body) = get(&s, &format!("/api/trends?{FLOW}&from=2025-01&to=2025-06")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let rows = json(&body);
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for key in [
        "period",
        "quantity_t",
        "value_usd",
        "mom_pct",
        "yoy_pct",
        "ytd_t",
        "ytd_yoy_pct",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }
    assert!(rows.iter().any(|r| r["period"] == "2025-05"));
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, _, body) = get(&s, "/api/trends?reporter=XXXX&flow=export&product=magnets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("reporter")
    );
    let (status, _, body) = get(&s, "/api/trends?reporter=CHN&flow=sideways&product=magnets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&body)["message"].as_str().unwrap().contains("flow"));
    // Web review: messages that said nothing of what to give, repeated themselves, echoed a
    // 20,000-character value, or called three characters not three.
    let long = "A".repeat(20_000);
    for (query, wanted) in [
        (
            format!("/api/anomalies?{FLOW}&threshold=abc"),
            "threshold must be a positive percentage (e.g. 30), got abc",
        ),
        (
            format!("/api/partners?{FLOW}&period=2025-09..2025-07"),
            "invalid period `2025-09..2025-07`",
        ),
        (
            format!("/api/trends?reporter={long}&flow=export&product=magnets"),
            "AAAAAAAAAA…",
        ),
        (
            "/api/trends?reporter=%C3%A9%C3%A9%C3%A9&flow=export&product=magnets".to_string(),
            "expected the ASCII letters of a code",
        ),
    ] {
        let (status, _, body) = get(&s, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let message = json(&body)["message"].as_str().unwrap().to_string();
        assert!(message.contains(wanted), "{message}");
        assert!(
            !message.contains("invalid period: invalid period"),
            "{message}"
        );
        assert!(message.len() < 1_000, "{}", message.len());
    }
    let (status, _, body) = get(&s, &format!("/api/trends?{FLOW}&frm=2025-01")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&body)["message"].as_str().unwrap().contains("frm"));
    // A parameter of another endpoint is refused, not ignored.
    for (path, extra, name) in [
        ("/api/trends", "period=2025-13", "period"),
        ("/api/partners", "partner=USA&period=2025-05", "partner"),
        ("/api/anomalies", "from=2025-01", "from"),
        ("/api/charts/trends.svg", "measure=value", "measure"),
    ] {
        let (status, _, body) = get(&s, &format!("{path}?{FLOW}&{extra}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}?{extra}");
        let message = json(&body)["message"].as_str().unwrap().to_string();
        assert!(
            message.contains(&format!("does not take `{name}`")),
            "{message}"
        );
    }
    let (status, _, body) = get(
        &s,
        "/api/trends?reporter=CHN&flow=export&product=unobtainium",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, _) = get(&s, "/api/partners?reporter=CHN&flow=export&product=magnets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Six bytes that are not ASCII ("u4🠊", percent-encoded) once panicked the month parser.
    let (status, _, body) = get(&s, &format!("/api/trends?{FLOW}&from=u4%F0%9F%A0%8A")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json(&body)["message"].as_str().unwrap().contains("from"));
}

#[tokio::test]
async fn partners_and_anomalies_answer() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, _, body) = get(
        &s,
        "/api/partners?reporter=CHN&flow=export&product=magnets&period=2025-05",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let v = json(&body);
    assert_eq!(v["period"], "2025-05");
    assert!(!v["partners"].as_array().unwrap().is_empty());
    let (status, _, body) = get(
        &s,
        "/api/anomalies?reporter=CHN&flow=export&product=magnets",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert!(json(&body).is_array());
    // The CLI's rule for the threshold, with the parameter named as a URL writes it.
    for bad in ["-5", "0", "NaN", "inf", "-inf"] {
        let url =
            format!("/api/anomalies?reporter=CHN&flow=export&product=magnets&threshold={bad}");
        let (status, _, body) = get(&s, &url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("threshold must be a positive percentage"),
            "{bad}: {text}"
        );
    }
}

/// Code review: `to` beside `period` was read and ignored; it is refused, `to` alone must
/// be a month, and reversed months are named as parameters, not as CLI flags.
#[tokio::test]
async fn partners_refuses_period_with_to_and_trends_names_parameters() {
    let (s, _dir) = state_with_warehouse().await;
    let base = "/api/partners?reporter=CHN&flow=export&product=magnets";
    let (status, _, body) = get(&s, &format!("{base}&period=2025-03&to=2025-01")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("not both"));
    let (status, _, body) = get(&s, &format!("{base}&to=2025")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, _) = get(&s, &format!("{base}&to=2025-05")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = get(
        &s,
        "/api/trends?reporter=CHN&flow=export&product=magnets&from=2025-06&to=2025-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("from=2025-06 is after to=2025-01") && !text.contains("--from"),
        "{text}"
    );
}

/// The API body is the CLI's `--format json`: the EU aggregate is reported beside the
/// ranking, and the HHI of a partial breakdown says it is a lower bound.
#[tokio::test]
async fn partners_report_the_eu_aggregate_and_the_hhi_bound() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, _, body) = get(
        &s,
        "/api/partners?reporter=CHN&flow=export&product=magnets&period=2025-07",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let v = json(&body);
    assert_eq!(v["aggregates"][0]["partner_iso3"], "EUU");
    assert_eq!(v["aggregates"][0]["quantity_t"], 2140.0);
    assert_eq!(v["hhi_is_lower_bound"], true);
    assert_eq!(v["top3_share_pct"], serde_json::Value::Null);
    let (status, _, body) = get(
        &s,
        "/api/trends?reporter=CHN&flow=export&product=magnets&partner=EUU",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rows = json(&body);
    assert_eq!(rows[0]["period"], "2025-07");
    assert_eq!(rows[0]["quantity_t"], 2140.0);
}

#[tokio::test]
async fn charts_are_svg_with_data() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, resp, body) = get(
        &s,
        "/api/charts/trends.svg?reporter=CHN&flow=export&product=magnets&from=2024-01&to=2025-06",
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
    assert!(
        svg.contains("year on year %") && svg.contains("tonnes") && !svg.contains("data-empty")
    );
    let (status, _, body) = get(
        &s,
        "/api/charts/partners.svg?reporter=CHN&flow=export&product=magnets&period=2025-05",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("<rect"));
}

#[tokio::test]
async fn sql_is_read_only_and_limited() {
    let (s, _dir) = state_with_warehouse().await;
    let req = |body: &str| {
        Request::post("/api/sql")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, _, body) = send(
        &s,
        req(r#"{"query": "SELECT period FROM trade", "limit": 3}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let v = json(&body);
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["truncated"], true);
    // A join without a condition has 144⁴ rows: the limit is part of the plan, so the
    // answer comes at once instead of the server computing (and holding) them all.
    let (status, _, body) = send(
        &s,
        req(r#"{"query": "SELECT a.period FROM trade a, trade b, trade c, trade d", "limit": 5}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let v = json(&body);
    assert_eq!(v["rows"].as_array().unwrap().len(), 5);
    assert_eq!(v["truncated"], true);
    let (status, _, body) = send(&s, req(r#"{"query": "DROP TABLE trade"}"#)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, _) = send(&s, req(r#"{"query": "SELECT nonsense FROM nowhere"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The partners chart names the EU aggregate beside its bars (a legend line, no bar: EUU
/// overlaps DEU), and a period with a world total but no breakdown says so instead of a
/// bare "no data".
#[tokio::test]
async fn partners_chart_names_aggregates_and_the_missing_breakdown() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, _, body) = get(
        &s,
        "/api/charts/partners.svg?reporter=CHN&flow=export&product=magnets&period=2025-07",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let svg = String::from_utf8(body).unwrap();
    assert!(
        svg.contains(
            "EUU (European Union, aggregate) 2,140 t = 38.4 % of world; no bar, not in HHI"
        ),
        "{svg}"
    );
    assert!(svg.contains("HHI 524, lower bound"), "{svg}");
    // Bars are DEU and USA only: plotters writes each label on a line of its own, and
    // EUU has none (it appears only inside the legend line above).
    let labels: Vec<&str> = svg.lines().map(str::trim).collect();
    assert!(labels.contains(&"DEU") && labels.contains(&"USA") && !labels.contains(&"EUU"));
    let (status, _, body) = get(
        &s,
        "/api/charts/partners.svg?reporter=CHN&flow=export&product=magnets&period=2025-04",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let svg = String::from_utf8(body).unwrap();
    assert!(svg.contains("no partner breakdown"), "{svg}");
}

/// `/api/trends` carries the same fields as the CLI's JSON (flags, `source`, `derived`),
/// and with `freq=A` the note the CLI writes to stderr comes as a header; the body stays an
/// array.
#[tokio::test]
async fn trends_carry_derived_tags_and_incomplete_years_as_headers() {
    let (s, _dir) = state_with_warehouse().await;
    let (status, _, body) = get(
        &s,
        "/api/trends?reporter=CHN&flow=export&product=magnets&from=2025-05&to=2025-05",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v[0]["derived"], "mom base; yoy base");
    assert_eq!(v[0]["mom_base_is_derived"], true);
    assert_eq!(v[0]["source"], "bundled");
    let (status, resp, body) = get(
        &s,
        "/api/trends?reporter=CHN&flow=export&product=magnets&freq=A&from=2025-01&to=2025-12",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(json(&body).is_array());
    let notes = note_headers(&resp);
    assert_eq!(
        notes,
        [
            "2025 is incomplete: no annual figure; monthly figures for 2025-01, \
          2025-04 to 2025-11; a reported year-to-date total through 2025-11 (51,440 t); \
          nothing for 2025-12; annual rows need a reported year or figures for all twelve \
          months (use freq=M for the months)"
        ]
    );
}

/// The CLI's "no trade rows" note came only on stderr: over HTTP an unknown reporter and a
/// real empty result were the same silent `[]`. It is now a `Chokepoint-Note` header.
#[tokio::test]
async fn a_flow_without_rows_says_so_in_a_note_header() {
    let (s, _dir) = state_with_warehouse().await;
    for path in [
        "/api/trends?reporter=BRA&flow=export&product=rare-earths",
        "/api/partners?reporter=BRA&flow=export&product=magnets&period=2025-05",
    ] {
        let (status, resp, _) = get(&s, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let notes = note_headers(&resp);
        assert_eq!(notes.len(), 1, "{path}: {notes:?}");
        assert!(
            notes[0].starts_with("no trade rows for reporter BRA, flow export"),
            "{notes:?}"
        );
        assert!(
            notes[0].contains("SELECT DISTINCT reporter_iso3"),
            "{notes:?}"
        );
    }
    let (_, resp, _) = get(&s, &format!("/api/trends?{FLOW}&from=2025-01&to=2025-06")).await;
    assert!(
        note_headers(&resp)
            .iter()
            .all(|n| !n.starts_with("no trade rows")),
        "{:?}",
        note_headers(&resp)
    );
}

/// A browser joins repeated `Chokepoint-Note` headers with ", ", and the notes hold commas:
/// `Chokepoint-Notes` carries the same notes, in order, as one JSON array (`[]` for none).
#[tokio::test]
async fn the_notes_header_is_a_json_array_of_the_note_headers() {
    let (s, _dir) = state_with_warehouse().await;
    let mut with_comma = false;
    for path in [
        "/api/trends?reporter=CHN&flow=export&product=magnets&freq=A&from=2025-01&to=2025-12",
        "/api/trends?reporter=BRA&flow=export&product=rare-earths",
        "/api/partners?reporter=BRA&flow=export&product=magnets&period=2025-05",
        "/api/anomalies?reporter=BRA&flow=export&product=magnets",
        "/api/trends?reporter=CHN&flow=export&product=rare-earths&from=2025-01&to=2025-06",
    ] {
        let (status, resp, _) = get(&s, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let all = resp
            .headers()
            .get("chokepoint-notes")
            .unwrap_or_else(|| panic!("{path}: no Chokepoint-Notes header"))
            .to_str()
            .expect("visible ASCII");
        let parsed: Vec<String> = serde_json::from_str(all).expect("a JSON array of strings");
        assert_eq!(parsed, note_headers(&resp), "{path}");
        with_comma |= parsed.iter().any(|n| n.contains(", "));
    }
    assert!(with_comma, "no note with a comma was compared");
}

/// The OpenAPI document listed the union of the three monitor commands' parameters on
/// every monitor endpoint; each now lists exactly those it takes.
#[tokio::test]
async fn each_monitor_endpoint_documents_only_its_own_parameters() {
    let (s, _dir) = state_with_warehouse().await;
    let (_, _, body) = get(&s, "/api/openapi.json").await;
    let doc = json(&body);
    let names = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}"))
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let common = ["reporter", "flow", "product", "source"];
    for (paths, own) in [
        (
            ["/api/trends", "/api/charts/trends.svg"].as_slice(),
            ["partner", "from", "to", "freq"].as_slice(),
        ),
        (
            ["/api/partners", "/api/charts/partners.svg"].as_slice(),
            ["period", "to", "measure"].as_slice(),
        ),
        (
            ["/api/anomalies"].as_slice(),
            ["partner", "threshold", "all"].as_slice(),
        ),
    ] {
        for path in paths {
            let mut got = names(path);
            got.sort();
            let mut want: Vec<String> = common.iter().chain(own).map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(got, want, "{path}");
        }
    }
    // Never-valid parameters are not offered.
    assert!(!names("/api/criticality").contains(&"params".to_string()));
}

/// Web review: the Criticality section could never give a verdict over HTTP: the shipped
/// parameters lack the sectors the EU method needs, and the server reads no parameter
/// files. The parameters can now be the body of `POST /api/criticality`, checked as
/// `--params FILE` is.
#[tokio::test]
async fn criticality_takes_its_parameters_as_a_body() {
    let (s, _dir) = state_with_warehouse().await;
    let post = |body: &str| {
        Request::post("/api/criticality?method=eu")
            .header("content-type", "application/toml")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let params = "[governance.scaled]\nCHN = 6.0\n[eu]\nimport_reliance_extraction = 1.0\n\
                  import_reliance_processing = 1.0\neol_rir = 0.1\n\
                  largest_sector_value_added_meur = 200.0\n\
                  [[eu.sectors]]\nnace = \"C29\"\nend_use_share = 1.0\nvalue_added_meur = 100.0\n";
    let (status, _, body) = send(&s, post(params)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains("needs eu.sectors"), "{text}");
    assert!(text.contains("request.toml"), "{text}");
    // The GET still says where parameters go.
    let (status, _, body) = get(&s, "/api/criticality?params=x.toml").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("POST /api/criticality"));
    // A malformed file is a 400 at its line.
    let (status, _, body) = send(&s, post("[eu\n")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("request.toml:1"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}
