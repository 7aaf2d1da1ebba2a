//! `chokepoint serve`: refuses unprotected public addresses, serves on loopback, and stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

use crate::util::{Sandbox, china_export_args};

#[test]
fn non_loopback_without_token_is_refused_with_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["serve", "--addr", "0.0.0.0:0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--token"))
        .stderr(predicates::str::contains("--insecure-no-auth"));
}

#[test]
fn empty_token_is_refused_with_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["serve", "--addr", "127.0.0.1:0", "--token", ""])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--token is empty"));
}

/// A secret with spaces around it (an .env line) could never match what clients send.
#[test]
fn padded_token_is_refused_with_exit_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["serve", "--addr", "127.0.0.1:0", "--token", "s3cret "])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("begins or ends with whitespace"));
}

/// A running `chokepoint serve`, killed when dropped unless a test already stopped it: a
/// test that panicked before `terminate` left its server running (two were found after a
/// failed run).
pub struct Served(Child);

impl std::ops::Deref for Served {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Served {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `chokepoint serve` on a free port and returns the child and its base URL.
pub fn start_server(sb: &Sandbox, extra: &[&str]) -> (Served, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("chokepoint"))
        .current_dir(sb.path())
        .env("CHOKEPOINT_DATA_DIR", sb.data_dir())
        .env("RUST_LOG", "warn")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn chokepoint serve");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the address line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    (Served(child), url)
}

/// A minimal HTTP/1.1 GET; returns (status, body).
pub fn http_get(url: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut head = String::new();
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    http_request(url, "GET", path, &head, "")
}

/// A minimal HTTP/1.1 POST of `body` as `content_type`; returns (status, body).
pub fn http_post(url: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let head = format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    http_request(url, "POST", path, &head, body)
}

/// Sends one request (`headers`: complete header lines) on a fresh connection and reads the
/// answer to its end; returns (status, body).
fn http_request(url: &str, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
    let host = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{headers}\r\n{body}"
    );
    stream.write_all(req.as_bytes()).expect("send");
    let mut resp = String::new();
    stream.read_to_string(&mut resp).expect("read");
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(ok.success());
    child.wait().expect("wait for the server")
}

#[test]
fn serves_on_loopback_and_stops_cleanly_on_sigterm() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    let (status, body) = http_get(&url, "/api/health", &[]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""));
    let (status, body) = http_get(&url, "/", &[]);
    assert_eq!(status, 200);
    assert!(body.contains("chokepoint"));
    assert!(terminate(&mut child).success());
}

#[test]
fn token_protects_the_api() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &["--token", "t0ken"]);
    assert_eq!(http_get(&url, "/api/health", &[]).0, 401);
    assert_eq!(
        http_get(&url, "/api/health", &[("Authorization", "Bearer t0ken")]).0,
        200
    );
    assert!(terminate(&mut child).success());
}

#[test]
fn exposure_endpoints_answer_what_the_cli_prints_as_json() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    for (args, path) in [
        (
            &["shares", "--stage", "mining", "--year", "2024"][..],
            "/api/shares?stage=mining&year=2024",
        ),
        (
            &["shares", "--stage", "separation", "--source", "reported"][..],
            "/api/shares?stage=separation&source=reported",
        ),
        (
            &["shares", "--stage", "metal"][..],
            "/api/shares?stage=metal",
        ),
        (
            &["exposure", "--importer", "EU", "--product", "magnets"][..],
            "/api/exposure?importer=EU&product=magnets",
        ),
        (
            &[
                "exposure",
                "--importer",
                "usa",
                "--product",
                "mining",
                "--year",
                "2024",
            ][..],
            "/api/exposure?importer=usa&product=mining&year=2024",
        ),
        (&["criticality"][..], "/api/criticality"),
        (
            &["criticality", "--method", "usgs", "--year", "2024"][..],
            "/api/criticality?method=usgs&year=2024",
        ),
    ] {
        let out = sb
            .cmd()
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let (status, body) = http_get(&url, path, &[]);
        assert_eq!(status, 200, "{path}: {body}");
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(api, cli, "{path} differs from {args:?}");
    }
    assert!(terminate(&mut child).success());
}

/// README: API bodies mirror `--format json`. Trends once differed (the CLI had a `derived`
/// string and rounded reals, the API five flags, `source` and full precision): the same
/// query must now give the same document, derived months, a partner and annual rows
/// included.
#[test]
fn monitor_endpoints_answer_what_the_cli_prints_as_json() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    let flow = "reporter=CHN&flow=export";
    for (args, path) in [
        (
            china_export_args(
                "trends",
                "magnets",
                &["--from", "2024-05", "--to", "2025-06"],
            ),
            format!("/api/trends?{flow}&product=magnets&from=2024-05&to=2025-06"),
        ),
        (
            china_export_args(
                "trends",
                "rare-earths",
                &["--from", "2025-01", "--to", "2025-06"],
            ),
            format!("/api/trends?{flow}&product=rare-earths&from=2025-01&to=2025-06"),
        ),
        (
            china_export_args("trends", "magnets", &["--partner", "EUU"]),
            format!("/api/trends?{flow}&product=magnets&partner=EUU"),
        ),
        (
            china_export_args("trends", "rare-earths", &["--freq", "A"]),
            format!("/api/trends?{flow}&product=rare-earths&freq=A"),
        ),
        (
            china_export_args("partners", "magnets", &["--period", "2025-07"]),
            format!("/api/partners?{flow}&product=magnets&period=2025-07"),
        ),
    ] {
        let cli = sb.json(&[&args[..], &["--format", "json"]].concat());
        let (status, body) = http_get(&url, &path, &[]);
        assert_eq!(status, 200, "{path}: {body}");
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(api, cli, "{path} differs from {args:?}");
        // Not two empty documents agreeing: the comparison covers real rows.
        assert!(
            api.as_array().is_none_or(|rows| !rows.is_empty()),
            "{path}: no rows"
        );
    }
    assert!(terminate(&mut child).success());
}

/// Web review: the server read the chain's facts once, at start: after an ingest its
/// simulations kept the bundled 2024 magnet total while its trends showed the new one. The
/// facts are read again when the warehouse changes.
#[test]
fn a_running_server_simulates_on_what_was_ingested_after_it_started() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &[]);
    let notes = || {
        let (status, body) = http_get(&url, "/api/network", &[]);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["notes"].to_string()
    };
    assert!(notes().contains("world total 2024 = 58152 t from source bundled"));
    let file = sb.write(
        "y2024.csv",
        "period,reporter_iso3,partner_iso3,flow,product,quantity_t\n\
         2024,CHN,WLD,export,magnets,60000\n",
    );
    sb.cmd()
        .args(["ingest", file.to_str().unwrap()])
        .assert()
        .success();
    let after = notes();
    assert!(
        after.contains("world total 2024 = 60000 t from source tidy"),
        "{after}"
    );
    // A part damaged after the start: its simulations answer in the store's words, naming
    // the file (code review: a bare 500 "internal error", and every request re-read it).
    let trade = sb.data_dir().join("warehouse").join("trade");
    let part = std::fs::read_dir(&trade)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ingest-"))
                && p.extension().is_some_and(|e| e == "parquet")
        })
        .unwrap();
    std::fs::write(&part, "PAR1 cut short").unwrap();
    let (status, body) = http_get(&url, "/api/network", &[]);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("cannot be read") && body.contains("ingest-"),
        "{body}"
    );
    assert!(terminate(&mut child).success());
}

/// Adversarial review: a connection that sent nothing, or half a request line, stayed open
/// past 150 s whatever `--request-timeout` was, and 20,000 of them took every file
/// descriptor. Now each has `--header-timeout` to send its headers; a request sent in time
/// on another connection is answered meanwhile.
#[test]
fn a_connection_that_sends_no_request_is_closed_after_the_header_timeout() {
    let sb = Sandbox::new();
    let (mut child, url) = start_server(&sb, &["--header-timeout", "1"]);
    let addr = url.trim_start_matches("http://");
    let mut silent = std::net::TcpStream::connect(addr).unwrap();
    let mut half = std::net::TcpStream::connect(addr).unwrap();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let (status, _) = http_get(&url, "/api/health", &[]);
    assert_eq!(status, 200);
    for stream in [&mut silent, &mut half] {
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let started = std::time::Instant::now();
        let mut buf = Vec::new();
        // The server closes the connection (EOF, or a reset after a timeout response).
        let _ = stream.read_to_end(&mut buf);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "still open after {:?}",
            started.elapsed()
        );
    }
    assert!(terminate(&mut child).success());
}
