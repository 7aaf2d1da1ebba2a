//! The HTTP API and web dashboard over the store and the engine: `chokepoint serve`.
//!
//! This crate answers HTTP; the numbers come from `chokepoint-store` (trade flows, shares,
//! exposure, SQL) and, through the [`Simulator`] boundary, from `chokepoint-sim`. It also draws
//! the charts ([`charts`], SVG via plotters) that the dashboard and the HTML report show.
//!
//! Routes (all JSON unless noted; errors are JSON `{status, error, message}`):
//!
//! | route | what |
//! |---|---|
//! | `GET /` , `/monitor`, `/exposure`, `/scenario` | dashboard pages (HTML) |
//! | `GET /assets/{name}` | embedded CSS and JavaScript |
//! | `GET /api/health` | liveness and capabilities |
//! | `GET /api/openapi.json` | the OpenAPI document |
//! | `GET /api/trends`, `/api/partners`, `/api/anomalies` | the trade monitor (CLI flags as parameters) |
//! | `GET /api/charts/{trends,partners}.svg` | monitor charts (SVG) |
//! | `GET /api/shares`, `/api/exposure`, `/api/criticality` | exposure reports (CLI flags as parameters) |
//! | `GET /api/charts/shares.svg` | a stage's country shares with the CRMA 65 % line (SVG) |
//! | `POST /api/sql` | one read-only query, row-limited |
//! | `GET /api/scenarios`, `/api/scenarios/{name}` | the scenario library |
//! | `GET /api/network` | the simulated network |
//! | `POST /api/exposure/after` | post-shock exposure after a chain scenario (JSON or TOML body) |
//! | `POST /api/simulate` | start a Monte Carlo run (JSON or TOML body) → `202` + run id |
//! | `GET /api/runs/{id}` | status, progress, results |
//! | `GET /api/runs/{id}/charts/{output,licences}.svg` | fan chart, licences chart (SVG) |
//!
//! Start it with `chokepoint serve --addr 127.0.0.1:8080`; a non-loopback address needs
//! `--token` or `--insecure-no-auth`.
//!
//! ```
//! use chokepoint_server::{AppState, Limits, router};
//! let app = router(AppState::new(Limits::default()));
//! # let _ = app;
//! ```

pub mod after;
pub mod auth;
pub mod charts;
pub mod dashboard;
mod error;
mod extract;
pub mod router;
pub mod routes;
pub mod runs;
mod state;

use std::future::Future;
use std::net::SocketAddr;

pub use error::{ApiError, ChartError, ErrorBody, ServeError};
pub use router::router;
pub use runs::{PreparedRun, Progress, RunReport, Simulator};
pub use state::{AppState, Limits};

/// Binds `addr`, after checking it is safe to listen there with this authentication setup.
pub async fn bind(
    addr: SocketAddr,
    token: Option<&str>,
    insecure_no_auth: bool,
) -> Result<tokio::net::TcpListener, ServeError> {
    auth::check_listen(addr, token, insecure_no_auth)?;
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Connections served at once: past it, the server accepts no more until one closes (they
/// wait in the kernel's queue), so idle sockets cannot take every file descriptor.
pub const MAX_CONNECTIONS: usize = 512;

/// Connections one address may hold at once; more are closed as they arrive, so one client
/// holding idle sockets cannot take the shared [`MAX_CONNECTIONS`] from the others (600 of
/// them kept every request waiting 12 s; adversarial re-check).
pub const MAX_CONNECTIONS_PER_PEER: usize = 64;

/// Open connections per peer address; a [`PeerSlot`] gives its place back when dropped.
#[derive(Clone, Default)]
struct Peers(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>);

/// One connection's place among its peer's.
struct PeerSlot(Peers, std::net::IpAddr);

impl Peers {
    /// A place for a connection from `ip`, or `None` when it holds its share already.
    fn join(&self, ip: std::net::IpAddr) -> Option<PeerSlot> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(ip).or_default();
        if *n >= MAX_CONNECTIONS_PER_PEER {
            return None;
        }
        *n += 1;
        Some(PeerSlot(self.clone(), ip))
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut open = (self.0)
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.1) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish (each is bounded by the request timeout). Each connection has the
/// header timeout of [`Limits`] to send its headers, and at most [`MAX_CONNECTIONS`] are
/// open. `axum::serve` sets no timer, so no such timeout applied: a connection that sent
/// nothing, or half a request line, stayed open past 150 s, and 20,000 of them took every
/// file descriptor the server had (adversarial review).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let header_timeout = state.limits().header_timeout;
    let app = router(state);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let peers = Peers::default();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            // Shutdown first: it is polled every turn, whatever else is ready.
            biased;
            () = &mut shutdown => break,
            slot = std::sync::Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // the semaphore is never closed
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was accepted:
                    // not fatal to the server; pause so that a full table can drain.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Past its share the connection is closed at once (dropped here), its slot freed.
        let Some(peer_slot) = peers.join(peer.ip()) else {
            continue;
        };
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(header_timeout);
        let connection = http.serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(app.clone()),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop((slot, peer_slot));
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM: the signals a terminal or a service manager sends.
///
/// The handlers are installed when this is called (inside the runtime), not when the
/// future is first polled: a SIGTERM sent as soon as the server answered, before its
/// accept loop had polled the future, met the default action and killed the process
/// (a CI run under load; exit status "signal 15" instead of 0).
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let installed = [
        tokio::signal::unix::SignalKind::interrupt(),
        tokio::signal::unix::SignalKind::terminate(),
    ]
    .map(|kind| match tokio::signal::unix::signal(kind) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for a shutdown signal");
            None
        }
    });
    async move {
        #[cfg(unix)]
        {
            let [mut interrupt, mut terminate] = installed;
            // A signal that could not be listened for never comes.
            async fn wait(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = wait(&mut interrupt) => {},
                () = wait(&mut terminate) => {},
            }
        }
        #[cfg(not(unix))]
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

#[cfg(test)]
mod peer_tests {
    use super::*;

    /// One address holds at most its share of connections; a closed one frees a place, and
    /// other addresses are not affected.
    #[test]
    fn one_peer_cannot_hold_more_than_its_share_of_connections() {
        let peers = Peers::default();
        let a: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let b: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let mut held: Vec<PeerSlot> = (0..MAX_CONNECTIONS_PER_PEER)
            .map(|_| peers.join(a).unwrap())
            .collect();
        assert!(peers.join(a).is_none());
        assert!(peers.join(b).is_some());
        held.pop();
        assert!(peers.join(a).is_some());
    }
}
