//! `chokepoint sql` and `POST /api/sql` on queries that must be refused, not crash.

use predicates::prelude::*;

use crate::serve::{http_get, http_post, start_server, terminate};
use crate::util::Sandbox;

/// `n` terms `term(i)` joined by `sep`.
fn chain(n: usize, term: impl Fn(usize) -> String, sep: &str) -> String {
    (0..n).map(term).collect::<Vec<_>>().join(sep)
}

fn ors(n: usize) -> String {
    let terms = chain(n, |i| format!("partner_iso3 = 'X{i:02}'"), " OR ");
    format!("SELECT count(*) AS n FROM trade WHERE {terms}")
}

fn unions(n: usize) -> String {
    chain(n, |_| "SELECT 1 AS x".into(), " UNION ALL ")
}

/// Left-deep chains used to overflow the planner's stack and abort the process.
#[test]
fn too_deep_queries_are_exit_2_and_say_how_to_rewrite_them() {
    let sb = Sandbox::new();
    let plus = format!("SELECT {}", chain(20_000, |_| "1".into(), "+"));
    for sql in [ors(400), plus, unions(1_000)] {
        sb.cmd()
            .args(["sql", &sql])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("too deep or too large to plan"))
            .stderr(predicate::str::contains("more than 64 levels deep"))
            .stderr(predicate::str::contains("col IN ("));
    }
    // Just under the limit still runs.
    let out = sb.stdout_of(&["sql", &ors(60), "--format", "csv"]);
    assert_eq!(out, "n\n0\n");
    let out = sb.stdout_of(&[
        "sql",
        &format!("SELECT count(*) AS n FROM ({})", unions(60)),
        "--format",
        "csv",
    ]);
    assert_eq!(out, "n\n60\n");
}

/// Over HTTP the same queries are a 400, and the server lives on.
#[test]
fn the_server_refuses_too_deep_queries_and_keeps_answering() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    for sql in [ors(300), unions(1_000)] {
        let (status, body) = http_post(&url, "/api/sql", "text/plain", &sql);
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("too deep or too large to plan"), "{body}");
    }
    let (status, body) = http_post(&url, "/api/sql", "text/plain", &ors(60));
    assert_eq!(status, 200, "{body}");
    let (status, _) = http_get(&url, "/api/health", &[]);
    assert_eq!(status, 200);
    terminate(&mut child);
}

/// A string function that would build gigabytes is refused (it used to hold an async worker
/// while planning, so that the server stopped answering); the CLI refuses it too.
#[test]
fn huge_strings_are_refused_and_the_server_keeps_answering() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["sql", "SELECT length(repeat('x', 100000000)) AS n"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "repeat() could build a string of more than 1 MiB",
        ));
    let (mut child, url) = start_server(&sb, &[]);
    for sql in [
        "SELECT repeat('x', 2000000000)",
        "SELECT lpad('x', 2000000000)",
    ] {
        let (status, body) = http_post(&url, "/api/sql", "text/plain", sql);
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("more than 1 MiB"), "{body}");
    }
    let (status, body) = http_post(
        &url,
        "/api/sql",
        "text/plain",
        "SELECT repeat('ab', 3) AS r",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("ababab"), "{body}");
    let (status, _) = http_get(&url, "/api/health", &[]);
    assert_eq!(status, 200);
    terminate(&mut child);
}

/// `EXPLAIN ANALYZE` and `EXPLAIN VERBOSE` answer over HTTP as in the CLI (the row limit was
/// put above them: a 500).
#[test]
fn explain_answers_over_http() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    for sql in [
        "EXPLAIN ANALYZE SELECT count(*) FROM trade",
        "EXPLAIN VERBOSE SELECT count(*) FROM trade",
        "EXPLAIN SELECT count(*) FROM trade",
    ] {
        let (status, body) = http_post(&url, "/api/sql", "text/plain", sql);
        assert_eq!(status, 200, "{sql}: {body}");
        assert!(body.contains("plan_type"), "{sql}: {body}");
    }
    terminate(&mut child);
}

/// An unknown table names the warehouse's tables and how to see their columns.
#[test]
fn an_unknown_table_lists_the_tables() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["sql", "SELECT * FROM nosuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown table `nosuch`"))
        .stderr(predicate::str::contains(
            "end_uses, export_controls, hs_codes, production, stage_shares, trade",
        ))
        .stderr(predicate::str::contains("DESCRIBE trade"));
}

/// F2: `--format table` held the whole result (20 M rows took 2.8 GB and aborted). It
/// shows its first 10,000 rows and says on stderr how many more there were; JSON and CSV
/// give every row.
#[test]
fn the_table_is_capped_with_a_note_naming_the_rows_left_out() {
    let sb = Sandbox::new();
    let q = "SELECT value FROM generate_series(1, 10005)";
    let out = sb.cmd().args(["sql", q]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // Header, rule, then the rows.
    assert_eq!(stdout.lines().count(), 2 + 10_000, "{stderr}");
    assert!(
        stderr.contains("the table shows the first 10,000 rows; 5 more were not shown"),
        "{stderr}"
    );
    assert!(stderr.contains("--format csv"), "{stderr}");
    let json = sb.json(&["sql", q, "--format", "json"]);
    assert_eq!(json.as_array().map(Vec::len), Some(10_005));
    assert_eq!(json[10_004]["value"], 10_005);
    // At the cap exactly, nothing is left out and nothing is said.
    sb.cmd()
        .args(["sql", "SELECT value FROM generate_series(1, 10000)"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

/// A query without end (a recursive CTE that never stops) printed its table and then went
/// on counting the rows past the cap until Ctrl-C. The count stops after 10 s and says
/// there are at least that many.
#[test]
fn the_table_of_a_query_without_end_stops_counting_and_says_so() {
    let sb = Sandbox::new();
    let q = "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t";
    let out = sb.cmd().args(["sql", q]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stdout.lines().count(), 2 + 10_000, "{stderr}");
    assert!(stderr.contains("10,000 rows; at least "), "{stderr}");
    assert!(
        stderr.contains("counting stopped after 10 s; the query may not end"),
        "{stderr}"
    );
}

/// An untyped NULL printed as "" in JSON (its array has no validity buffer).
#[test]
fn an_untyped_null_is_json_null_and_an_empty_csv_cell() {
    let sb = Sandbox::new();
    let q = "SELECT NULL AS a, CAST(NULL AS DATE) AS d, '' AS e";
    let json = sb.json(&["sql", q, "--format", "json"]);
    assert_eq!(json, serde_json::json!([{"a": null, "d": null, "e": ""}]));
    assert_eq!(sb.stdout_of(&["sql", q, "--format", "csv"]), "a,d,e\n,,\n");
}

/// F10: `sql` rounded floats to six places in CSV (1e-7 became 0.000000) and to 12 digits
/// in JSON, and wrote booleans as strings; `/api/sql` did neither. CSV now keeps every
/// digit, and the CLI's JSON rows are the API's.
#[test]
fn sql_csv_and_json_keep_full_precision_and_match_the_api() {
    let sb = Sandbox::new();
    let q = "SELECT 1e-7 AS tiny, 1234.56789012345 AS mid, 0.1 + 0.2 AS f, true AS b, \
             CAST(1.1 AS FLOAT) AS f32, 3 AS i";
    let csv = sb.stdout_of(&["sql", q, "--format", "csv"]);
    assert_eq!(
        csv,
        "tiny,mid,f,b,f32,i\n1e-7,1234.56789012345,0.30000000000000004,true,1.100000023841858,3\n"
    );
    let cli = sb.json(&["sql", q, "--format", "json"]);
    let (mut child, url) = start_server(&sb, &[]);
    let (status, body) = http_post(&url, "/api/sql", "text/plain", q);
    terminate(&mut child);
    assert_eq!(status, 200, "{body}");
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(cli, api["rows"]);
    assert_eq!(cli[0]["b"], true);
    assert_eq!(cli[0]["f"], 0.30000000000000004);
}

/// A value past Arrow's 2 GiB offsets panics inside the engine; the query reports it as
/// its error (exit 2, the panic's text in it) and the panic's dump is not printed above it
/// (session 19 left the dump; it takes 0.1 s to reach).
#[test]
fn an_engine_panic_is_one_error_message() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "sql",
            "SELECT length(string_agg(repeat('x', 1000000), '')) AS n \
             FROM generate_series(1, 2200)",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.starts_with("error: the query failed inside the engine (offset overflow)"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// Code review: past the table's 10,000 rows `sql` counts the rest, and that read did not
/// catch the engine's panic (exit 101 and a dump): every read of the stream does now.
#[test]
fn an_engine_panic_after_the_table_is_one_error_message() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "sql",
            "SELECT CAST(x AS VARCHAR) AS s FROM generate_series(1, 20000) t(x) \
             UNION ALL SELECT CAST(length(string_agg(repeat('x', 1000000), '')) AS VARCHAR) \
             FROM (SELECT * FROM generate_series(1, 2200) ORDER BY 1 DESC)",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("the query failed inside the engine (offset overflow)"),
        "{stderr}"
    );
}
