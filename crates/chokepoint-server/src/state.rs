//! Shared state of every handler: a cheap clone with the shared parts behind `Arc`.

use std::sync::Arc;
use std::time::Duration;

use crate::runs::{RunRegistry, Simulator};

/// Limits the server enforces; every one has a test.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body accepted, in bytes (JSON or TOML scenarios, SQL).
    pub max_body_bytes: usize,
    /// Largest simulation accepted: Monte Carlo runs x simulated days x network nodes.
    pub max_simulation_cells: u64,
    /// Simulations allowed to run at once; more get 429.
    pub max_concurrent_simulations: usize,
    /// Finished runs kept in memory for `GET /api/runs/{id}`; the oldest are dropped first.
    pub max_kept_runs: usize,
    /// Time allowed for one request (not for a simulation, which runs in the background).
    pub request_timeout: Duration,
    /// Time a connection has to send a request's headers once it is open (or idle between
    /// requests, where hyper times that too); then it is closed.
    pub header_timeout: Duration,
    /// Time allowed for one simulation before it is reported as failed.
    pub simulation_timeout: Duration,
    /// Requests handled at once; more wait in a queue (bounded by the request timeout).
    pub max_in_flight_requests: usize,
    /// Rows returned by `POST /api/sql` at most.
    pub max_sql_rows: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 256 * 1024,
            max_simulation_cells: 200_000_000,
            max_concurrent_simulations: 2,
            max_kept_runs: 64,
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(15),
            simulation_timeout: Duration::from_secs(600),
            max_in_flight_requests: 64,
            max_sql_rows: 10_000,
        }
    }
}

/// Everything a handler may use. Built once by the binary (or a test).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    limits: Limits,
    token: Option<String>,
    cors_origins: Vec<String>,
    simulator: Option<Arc<dyn Simulator>>,
    warehouse: Option<Arc<chokepoint_store::Warehouse>>,
    runs: RunRegistry,
}

impl AppState {
    /// A state with the given limits and nothing behind the data or simulation endpoints yet.
    pub fn new(limits: Limits) -> AppState {
        let runs = RunRegistry::new(&limits);
        AppState {
            inner: Arc::new(Inner {
                limits,
                token: None,
                cors_origins: Vec::new(),
                simulator: None,
                warehouse: None,
                runs,
            }),
        }
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::get_mut(&mut self.inner).expect("invariant: state is configured before it is shared")
    }

    /// Requires `Authorization: Bearer <token>` on every `/api` request.
    #[must_use]
    pub fn with_token(mut self, token: Option<String>) -> AppState {
        self.inner_mut().token = token;
        self
    }

    /// Origins whose pages may call the API from a browser (CORS); none by default.
    #[must_use]
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> AppState {
        self.inner_mut().cors_origins = origins;
        self
    }

    /// The origins allowed to call the API from a browser.
    pub fn cors_origins(&self) -> &[String] {
        &self.inner.cors_origins
    }

    /// The engine behind `POST /api/simulate`.
    #[must_use]
    pub fn with_simulator(mut self, simulator: Arc<dyn Simulator>) -> AppState {
        self.inner_mut().simulator = Some(simulator);
        self
    }

    /// The warehouse behind the monitor and SQL endpoints.
    #[must_use]
    pub fn with_warehouse(mut self, warehouse: Arc<chokepoint_store::Warehouse>) -> AppState {
        self.inner_mut().warehouse = Some(warehouse);
        self
    }

    /// The warehouse, or a 503 saying what is missing.
    pub fn warehouse(&self) -> Result<&chokepoint_store::Warehouse, crate::ApiError> {
        self.inner
            .warehouse
            .as_deref()
            .ok_or_else(|| crate::ApiError::Unavailable {
                what: "no warehouse is open in this server".into(),
            })
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The bearer token, when one is required.
    pub fn token(&self) -> Option<&str> {
        self.inner.token.as_deref()
    }

    /// The engine, or a 503 saying what is missing.
    pub fn simulator(&self) -> Result<&Arc<dyn Simulator>, crate::ApiError> {
        self.inner
            .simulator
            .as_ref()
            .ok_or_else(|| crate::ApiError::Unavailable {
                what: "the simulation engine is not available in this build".into(),
            })
    }

    /// The registry of simulation runs.
    pub fn runs(&self) -> &RunRegistry {
        &self.inner.runs
    }
}
