//! `chokepoint serve`: the HTTP API and dashboard on a socket until Ctrl-C or SIGTERM.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chokepoint_server::{Limits, ServeError};

use crate::cli::ServeArgs;
use crate::exit::UserError;

/// Logs go to stderr; `RUST_LOG` overrides the default of one line per request.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (tests) is harmless; keep the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn user_error(e: ServeError) -> anyhow::Error {
    if e.is_user_error() {
        UserError(e.to_string()).into()
    } else {
        e.into()
    }
}

/// Runs the server.
pub fn run(data_dir: Option<&Path>, args: &ServeArgs) -> anyhow::Result<()> {
    // Refuse an unprotected public address before doing any work.
    chokepoint_server::auth::check_listen(args.addr, args.token.as_deref(), args.insecure_no_auth)
        .map_err(user_error)?;
    if args.max_simulations == 0 {
        return Err(UserError("--max-simulations must be at least 1".into()).into());
    }
    init_tracing();
    let limits = Limits {
        max_body_bytes: args.max_body_kib.saturating_mul(1024),
        max_concurrent_simulations: args.max_simulations,
        max_simulation_cells: args.max_simulation_cells,
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        ..Limits::default()
    };
    let runtime = super::warehouse::runtime()?;
    let dir = super::warehouse::data_dir(data_dir);
    let warehouse = runtime
        .block_on(chokepoint_store::Warehouse::open(&dir))
        .with_context(|| format!("opening the warehouse in {}", dir.display()))?;
    let state = super::wiring::state(warehouse, limits, Some(&dir))?
        .with_token(args.token.clone())
        .with_cors_origins(args.cors_origins.clone());
    runtime.block_on(async {
        let listener =
            chokepoint_server::bind(args.addr, args.token.as_deref(), args.insecure_no_auth)
                .await
                .map_err(user_error)?;
        let local = listener.local_addr().context("reading the bound address")?;
        // Signals are listened for before anyone is told the address: a SIGTERM right after
        // must stop the server cleanly, not kill it.
        let shutdown = chokepoint_server::shutdown_signal();
        // Printed on stdout so scripts (and tests) can find the port when --addr ends in :0.
        println!("chokepoint: serving on http://{local}/ (Ctrl-C to stop)");
        chokepoint_server::serve(listener, state, shutdown)
            .await
            .map_err(user_error)
    })
}
