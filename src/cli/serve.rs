//! Arguments of `chokepoint serve` and `chokepoint report`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `chokepoint serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default; another address needs --token or
    /// --insecure-no-auth. Port 0 picks a free port (printed on start).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub addr: SocketAddr,

    /// Require `Authorization: Bearer TOKEN` on every /api request. The dashboard takes it as
    /// `http://host:port/#token=TOKEN`.
    #[arg(
        long,
        env = "CHOKEPOINT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// Serve a non-loopback address without a token (only on a trusted network).
    #[arg(long)]
    pub insecure_no_auth: bool,

    /// Largest request body, in KiB.
    #[arg(long, default_value_t = 256, value_name = "KIB", value_parser = at_least_one())]
    pub max_body_kib: usize,

    /// Simulations allowed at once; more get HTTP 429.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = at_least_one())]
    pub max_simulations: usize,

    /// Largest simulation accepted: Monte Carlo runs x days x network nodes. Each cell is
    /// one day's output of one node, held as 4 bytes while the simulation runs (for its fan
    /// charts), so the default allows about 0.8 GB per simulation, times --max-simulations.
    #[arg(long, default_value_t = 200_000_000, value_name = "CELLS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_simulation_cells: u64,

    /// Time limit of one request, in seconds (simulations run in the background).
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,

    /// Seconds a connection has to send a request's headers once open; then it is closed
    /// (idle connections cannot hold the server's file descriptors).
    #[arg(long, default_value_t = 15, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Let pages from this origin (`https://portal.example.org`, scheme and host, no path)
    /// call the API from a browser (CORS); repeat for several. None by default: browsers
    /// then refuse cross-origin calls, and a portal needs a server-side proxy.
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub cors_origins: Vec<String>,
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing after.
fn parse_origin(text: &str) -> Result<String, String> {
    let t = text.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "`{text}` is not an origin: give scheme and host, e.g. https://portal.example.org"
            )
        })?;
    // Host and port as a browser writes them: ASCII letters, digits, dots and hyphens (an
    // internationalised name in its punycode form), or an IPv6 address in brackets; a port
    // from 1 to 65535. Anything else never matches what a browser sends, and CORS failed
    // without a word (code review: `é.example`, `:99999`, `user@host` were accepted).
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = if let Some(ip6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !ip6.is_empty()
            && ip6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if !host_ok || !port_ok {
        return Err(format!(
            "`{text}` is not an origin: give scheme and host (and port) only, e.g. \
             https://portal.example.org:8443 (an internationalised name in its xn-- form)"
        ));
    }
    // As a browser sends it: lower case, without the scheme's default port (re-check:
    // `http://Portal.example` and `http://portal.example:80` were kept as typed and never
    // matched).
    let lower = t.to_ascii_lowercase();
    let canonical = lower
        .strip_suffix(":80")
        .filter(|_| lower.starts_with("http://"))
        .or_else(|| {
            lower
                .strip_suffix(":443")
                .filter(|_| lower.starts_with("https://"))
        })
        .unwrap_or(&lower);
    Ok(canonical.to_string())
}

/// A limit of at least 1: 0 would refuse every request (a body of 0 KiB, no simulation).
fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
}

/// Arguments of `chokepoint report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,

    /// Where to write the HTML report.
    #[arg(long, default_value = "report.html", value_name = "FILE")]
    pub out: PathBuf,

    /// Also write every chart as a PNG file into this folder.
    #[arg(long, value_name = "DIR")]
    pub png: Option<PathBuf>,

    /// Monte Carlo runs (default 100, at most 100,000).
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=100_000))]
    pub runs: Option<u64>,

    /// Seed of the Monte Carlo streams (default 42).
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn serve_defaults_to_loopback_8080_without_auth() {
        let cli = Cli::try_parse_from(["chokepoint", "serve"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(args.addr.to_string(), "127.0.0.1:8080");
        assert!(args.token.is_none());
        assert!(!args.insecure_no_auth);
    }

    /// Re-check: an origin kept as typed (`http://Portal.example`, `…:80`) never matched
    /// what a browser sends, and CORS failed without a word.
    #[test]
    fn origins_are_kept_as_browsers_send_them() {
        for (given, kept) in [
            ("http://Portal.example", "http://portal.example"),
            ("http://portal.example:80", "http://portal.example"),
            ("https://portal.example:443/", "https://portal.example"),
            ("https://portal.example:8443", "https://portal.example:8443"),
            ("http://[::1]:8080", "http://[::1]:8080"),
        ] {
            assert_eq!(super::parse_origin(given).as_deref(), Ok(kept));
        }
        for bad in [
            "portal.example",
            "https://portal.example/app",
            "https://*.example",
            "https://é.example",
            "https://portal.example:99999",
            "https://portal.example:abc",
            "https://user:pw@portal.example",
        ] {
            assert!(super::parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serve_limits_are_at_least_one() {
        for flag in [
            "--max-body-kib",
            "--max-simulations",
            "--max-simulation-cells",
            "--request-timeout",
        ] {
            assert!(
                Cli::try_parse_from(["chokepoint", "serve", flag, "0"]).is_err(),
                "{flag} 0"
            );
            assert!(
                Cli::try_parse_from(["chokepoint", "serve", flag, "1"]).is_ok(),
                "{flag} 1"
            );
        }
    }

    #[test]
    fn serve_rejects_an_address_without_port() {
        assert!(Cli::try_parse_from(["chokepoint", "serve", "--addr", "0.0.0.0"]).is_err());
    }

    #[test]
    fn report_takes_scenario_out_and_png() {
        let cli = Cli::try_parse_from([
            "chokepoint",
            "report",
            "s.toml",
            "--out",
            "r.html",
            "--png",
            "charts",
        ])
        .unwrap();
        let Command::Report(args) = cli.command else {
            panic!("expected report");
        };
        assert_eq!(args.scenario.to_str(), Some("s.toml"));
        assert_eq!(args.out.to_str(), Some("r.html"));
        assert_eq!(args.png.as_deref().and_then(|p| p.to_str()), Some("charts"));
    }
}
