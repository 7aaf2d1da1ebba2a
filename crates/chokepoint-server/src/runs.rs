//! Simulation runs: the boundary to the engine, and the registry of runs in progress.
//!
//! The server does not know how a scenario is simulated. The binary hands it a [`Simulator`]
//! that parses and checks scenarios into a [`PreparedRun`]; the registry runs each prepared
//! run on the blocking thread pool (never on the async runtime), tracks its progress, enforces
//! the size, concurrency and time limits, and keeps the finished [`RunReport`] for
//! `GET /api/runs/{id}`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chokepoint_sim::SimError;
use chokepoint_sim::montecarlo::McSummary;
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use utoipa::ToSchema;

use crate::ApiError;
use crate::after::{AfterError, AfterReport, ExposureTarget, PreparedExposure};
use crate::state::Limits;

/// How a scenario's text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScenarioFormat {
    /// A scenario file as in `scenarios/*.toml`.
    Toml,
    /// The same structure as JSON.
    Json,
}

/// The main parameters the Scenario page lets a user change without editing the file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Monte Carlo runs.
    #[param(minimum = 1, maximum = 100000)]
    pub runs: Option<u64>,
    /// Seed of the Monte Carlo streams.
    pub seed: Option<u64>,
    /// Simulated days.
    #[param(minimum = 1, maximum = 36500)]
    pub days: Option<u64>,
    /// Share of requested export volume that licences approve, 0 to 1, for every export
    /// control in the scenario.
    #[param(minimum = 0.0, maximum = 1.0)]
    pub approval_share: Option<f64>,
}

/// How big a simulation is; the product is checked against the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SimulationSize {
    /// Monte Carlo runs.
    pub runs: u64,
    /// Simulations per run: 1, or more when each run is paired with runs without the
    /// scenario's new plants, to measure what they changed, or (post-shock exposure) rerun
    /// at other values of the assumption the importer's own output rests on.
    pub per_run: u64,
    /// Simulated days.
    pub days: u64,
    /// Network nodes (region x sector).
    pub nodes: u64,
}

impl SimulationSize {
    /// One simulation per run.
    pub fn new(runs: u64, days: u64, nodes: u64) -> SimulationSize {
        SimulationSize {
            runs,
            per_run: 1,
            days,
            nodes,
        }
    }

    /// Runs x simulations per run x days x nodes, saturating.
    pub fn cells(&self) -> u64 {
        self.runs
            .saturating_mul(self.per_run)
            .saturating_mul(self.days)
            .saturating_mul(self.nodes)
    }
}

/// A library scenario as listed by `GET /api/scenarios`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScenarioSummary {
    /// File stem, used in URLs.
    pub name: String,
    /// One-line description.
    pub title: String,
}

/// One library scenario with its source text.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScenarioDocument {
    /// File stem, used in URLs.
    pub name: String,
    /// One-line description.
    pub title: String,
    /// The TOML text.
    pub toml: String,
}

/// The engine, as the server sees it.
pub trait Simulator: Send + Sync + 'static {
    /// The scenario library.
    fn scenarios(&self) -> Vec<ScenarioSummary>;
    /// One library scenario, or `None` when there is none of that name.
    fn scenario(&self, name: &str) -> Option<ScenarioDocument>;
    /// Parses and checks a scenario with the overrides applied; errors say what and where.
    fn prepare(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
    ) -> Result<Box<dyn PreparedRun>, SimError>;
    /// The network the scenarios run on, as JSON (regions, sectors, edges).
    fn network(&self) -> Result<serde_json::Value, SimError>;
    /// Parses and checks a scenario (overrides applied) for the post-shock exposure of
    /// `target` (`POST /api/exposure/after`). Engines without it keep this default.
    fn prepare_exposure(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
        target: &ExposureTarget,
    ) -> Result<Box<dyn PreparedExposure>, AfterError> {
        let _ = (text, format, overrides, target);
        Err(AfterError::Unsupported)
    }
}

/// A checked scenario, ready to run.
pub trait PreparedRun: Send + 'static {
    /// The scenario's name.
    fn name(&self) -> &str;
    /// Its size, checked against the limit before it starts.
    fn size(&self) -> SimulationSize;
    /// Runs it (blocking, CPU-bound), reporting progress as Monte Carlo runs complete.
    fn run(self: Box<Self>, progress: &Progress) -> Result<RunReport, SimError>;
}

/// Progress of one simulation, written by the engine thread and read by `GET /api/runs/{id}`.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    /// Records that `done` of `total` Monte Carlo runs are complete.
    pub fn report(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }

    /// True once the run has timed out; a cooperative engine may stop early.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn snapshot(&self) -> ProgressView {
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        ProgressView {
            done,
            total,
            fraction: if total == 0 {
                0.0
            } else {
                done as f64 / total as f64
            },
        }
    }
}

/// Percentile bands of one daily series over the Monte Carlo runs.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FanSeries {
    /// Region code (e.g. `EU`).
    pub region: String,
    /// Industry or sector name.
    pub industry: String,
    /// Unit of the values, e.g. `% of pre-shock output`.
    pub unit: String,
    /// Day index of each value (0 = scenario start).
    pub day: Vec<u32>,
    /// 5th percentile.
    pub p5: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
}

/// One observed monthly customs figure, shown against the simulated licences.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ObservedMonth {
    /// Exporting region.
    pub exporter: String,
    /// Importing region, `WLD` for all.
    pub importer: String,
    /// Supply-chain stage of the product.
    pub stage: String,
    /// Month, `YYYY-MM`.
    pub month: String,
    /// Tonnes exported according to customs.
    pub tonnes: f64,
    /// Whether the figure is derived (e.g. from a reported month-on-month change) rather
    /// than reported by customs: charts and tables mark it, since a fit to it is partly a
    /// fit to the assumption used to derive it.
    pub is_derived: bool,
}

/// What a finished simulation reports: the data behind the Scenario page and the report.
///
/// The summary fields are exactly those of `chokepoint simulate --format json` (per region x
/// industry losses and halt days in `industries`, per edge and month licensed vs requested
/// tonnes in `edges`); `outputs` adds the daily percentile bands for the fan charts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RunReport {
    /// The Monte Carlo summary, as the CLI prints it.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub summary: McSummary,
    /// Daily output bands by region x industry.
    pub outputs: Vec<FanSeries>,
    /// Customs series to compare the simulated exports with.
    pub observed: Vec<ObservedMonth>,
    /// Sources of the scenario's numbers (from its comments).
    pub sources: Vec<String>,
    /// What the request changed beyond its overrides: instruments left out because they
    /// begin after a shortened horizon (`days`).
    pub notes: Vec<String>,
}

/// Progress as shown to clients.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProgressView {
    /// Monte Carlo runs complete.
    pub done: u64,
    /// Monte Carlo runs in total (0 until the engine reports).
    pub total: u64,
    /// `done / total`.
    pub fraction: f64,
}

/// Life cycle of a run.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still computing.
    Running,
    /// Finished with results.
    Succeeded,
    /// Finished with an error (see `error`).
    Failed,
}

/// `GET /api/runs/{id}`: status, progress and, when finished, results or the error.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RunView {
    /// Run id.
    pub id: String,
    /// Scenario name.
    pub scenario: String,
    /// Where it is in its life cycle.
    pub status: RunStatus,
    /// Monte Carlo progress.
    pub progress: ProgressView,
    /// Size of the run.
    pub size: SimulationSize,
    /// Results, once succeeded.
    #[schema(value_type = Option<RunReport>)]
    pub result: Option<Arc<RunReport>>,
    /// What went wrong, once failed.
    pub error: Option<String>,
}

enum Outcome {
    Running,
    Succeeded(Arc<RunReport>),
    Failed(String),
}

/// One submitted run.
pub struct RunEntry {
    id: String,
    scenario: String,
    size: SimulationSize,
    progress: Arc<Progress>,
    outcome: Mutex<Outcome>,
}

impl RunEntry {
    fn outcome(&self) -> MutexGuard<'_, Outcome> {
        // A poisoned lock only means a panic elsewhere while holding it; the data is a plain
        // enum that is always valid, so keep serving it.
        self.outcome.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn finish(&self, result: Outcome) {
        let mut outcome = self.outcome();
        if matches!(*outcome, Outcome::Running) {
            *outcome = result;
        }
    }

    /// The id clients poll with.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client's view of this run.
    pub fn view(&self) -> RunView {
        let (status, result, error) = match &*self.outcome() {
            Outcome::Running => (RunStatus::Running, None, None),
            Outcome::Succeeded(r) => (RunStatus::Succeeded, Some(Arc::clone(r)), None),
            Outcome::Failed(e) => (RunStatus::Failed, None, Some(e.clone())),
        };
        RunView {
            id: self.id.clone(),
            scenario: self.scenario.clone(),
            status,
            progress: self.progress.snapshot(),
            size: self.size,
            result,
            error,
        }
    }
}

/// This server's start in base 36: the seconds since 1970 with 22 random bits below them, so
/// that two servers started in the same second (a restart loop, two on one host, a container
/// whose server is always process 1) differ too (re-check and code review: seconds alone, and
/// then the process id, reissued ids after quick restarts).
fn server_epoch() -> String {
    use std::hash::{BuildHasher, Hasher};
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // A hasher seeded at random for this process: random bits without another dependency.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(secs);
    let random = hasher.finish() & 0x3f_ffff;
    let mut n = (secs << 22) | random;
    let mut digits = Vec::new();
    loop {
        let d = (n % 36) as u8;
        digits.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Marks a simulation cancelled when its request goes away.
struct CancelOnDrop(Arc<Progress>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancelled.store(true, Ordering::Relaxed);
    }
}

/// All runs this server has started, newest last.
pub struct RunRegistry {
    entries: Mutex<VecDeque<Arc<RunEntry>>>,
    /// This server's part of every run id: when it started, in base 36, so that ids are not
    /// reused after a restart (web review: a portal's stored `run-3` fetched another
    /// simulation's results after one).
    epoch: String,
    next_id: AtomicU64,
    permits: Arc<Semaphore>,
    max_concurrent: usize,
    max_kept: usize,
    max_cells: u64,
    timeout: Duration,
}

impl RunRegistry {
    /// An empty registry enforcing `limits`.
    pub fn new(limits: &Limits) -> RunRegistry {
        RunRegistry {
            entries: Mutex::new(VecDeque::new()),
            epoch: server_epoch(),
            next_id: AtomicU64::new(1),
            permits: Arc::new(Semaphore::new(limits.max_concurrent_simulations)),
            max_concurrent: limits.max_concurrent_simulations,
            max_kept: limits.max_kept_runs.max(1),
            max_cells: limits.max_simulation_cells,
            timeout: limits.simulation_timeout,
        }
    }

    fn entries(&self) -> MutexGuard<'_, VecDeque<Arc<RunEntry>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The run with this id, if it is still kept.
    pub fn get(&self, id: &str) -> Option<Arc<RunEntry>> {
        self.entries().iter().find(|e| e.id == id).cloned()
    }

    /// Checks the size limit and takes one of the concurrency permits (429 when none is
    /// free): what every simulation, in the background or not, must pass.
    fn admit(&self, size: SimulationSize) -> Result<OwnedSemaphorePermit, ApiError> {
        if size.cells() > self.max_cells {
            return Err(ApiError::SimulationTooLarge {
                runs: size.runs,
                per_run: size.per_run,
                days: size.days,
                nodes: size.nodes,
                cells: size.cells(),
                limit: self.max_cells,
            });
        }
        Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy {
                running: self.max_concurrent - self.permits.available_permits(),
                limit: self.max_concurrent,
            })
    }

    /// Runs a post-shock exposure to the end and returns its report: the same size and
    /// concurrency limits as [`RunRegistry::submit`], on the blocking pool, within the
    /// simulation time limit (the request time limit of the router applies as well, so the
    /// shorter one cuts it). Must be called from within the Tokio runtime.
    pub async fn run_exposure(
        &self,
        prepared: Box<dyn PreparedExposure>,
    ) -> Result<AfterReport, ApiError> {
        let permit = self.admit(prepared.size())?;
        let progress = Arc::new(Progress::default());
        let worker = Arc::clone(&progress);
        let task = tokio::task::spawn_blocking(move || {
            // Held until the engine returns, even when the client has gone: the limit counts
            // the CPU actually in use.
            let _permit = permit;
            prepared.run(&worker)
        });
        // Cancels cooperatively when the request is dropped (client gone, request timeout)
        // or the simulation time limit passes.
        let _cancel = CancelOnDrop(Arc::clone(&progress));
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(Ok(report))) => Ok(report),
            Ok(Ok(Err(e))) => Err(e.into()),
            Ok(Err(e)) => Err(ApiError::internal(format!("exposure task: {e}"))),
            Err(_) => Err(ApiError::Unavailable {
                what: format!(
                    "the simulation timed out after {} s (the server's simulation time limit); \
                     lower runs or days",
                    self.timeout.as_secs()
                ),
            }),
        }
    }

    /// Checks the size and concurrency limits, then starts `run` on the blocking pool.
    /// Must be called from within the Tokio runtime.
    pub fn submit(&self, run: Box<dyn PreparedRun>) -> Result<Arc<RunEntry>, ApiError> {
        let size = run.size();
        let permit = self.admit(size)?;
        let id = format!(
            "run-{}-{}",
            self.epoch,
            self.next_id.fetch_add(1, Ordering::Relaxed)
        );
        let entry = Arc::new(RunEntry {
            id,
            scenario: run.name().to_string(),
            size,
            progress: Arc::new(Progress::default()),
            outcome: Mutex::new(Outcome::Running),
        });
        self.keep(Arc::clone(&entry));

        let worker = Arc::clone(&entry);
        let started = Instant::now();
        tokio::task::spawn_blocking(move || {
            // The permit is held until the engine returns, even after a timeout, so the
            // concurrency limit counts the CPU actually in use.
            let _permit = permit;
            let result = run.run(&worker.progress);
            let outcome = match result {
                Ok(report) => Outcome::Succeeded(Arc::new(report)),
                Err(e) => {
                    // A run stopped after its timeout was already reported as timed out.
                    if matches!(e, SimError::Cancelled) {
                        tracing::info!(run = %worker.id, "simulation stopped after its time limit");
                    } else if !e.is_user_error() {
                        tracing::error!(run = %worker.id, error = %e, "simulation failed");
                    }
                    Outcome::Failed(e.to_string())
                }
            };
            tracing::info!(run = %worker.id, elapsed_ms = started.elapsed().as_millis() as u64, "simulation finished");
            worker.finish(outcome);
        });

        // The watcher holds the run weakly: a strong handle kept every finished report
        // alive for the whole time limit (546 MB after 719 quick runs), past the
        // `max_kept` runs the registry keeps.
        let watched = Arc::downgrade(&entry);
        let timeout = self.timeout;
        tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            let Some(watched) = watched.upgrade() else {
                return;
            };
            watched.progress.cancelled.store(true, Ordering::Relaxed);
            watched.finish(Outcome::Failed(format!(
                "timed out after {} s (the server's simulation time limit)",
                timeout.as_secs()
            )));
        });
        Ok(entry)
    }

    /// How many finished runs are kept (the oldest go first).
    pub fn max_kept(&self) -> usize {
        self.max_kept
    }

    /// Why no run has `id`: dropped (one of this server's, older than the kept ones), never
    /// started by it, or from before a restart.
    pub fn why_not_found(&self, id: &str) -> String {
        let issued = self.next_id.load(Ordering::Relaxed);
        // Only the number as this server writes it (`1`, not `01` or `0`) is one of its runs.
        let ours = id
            .strip_prefix("run-")
            .and_then(|rest| rest.split_once('-'))
            .filter(|(epoch, _)| *epoch == self.epoch)
            .and_then(|(_, n)| n.parse::<u64>().ok().filter(|v| v.to_string() == n));
        match ours {
            Some(0) => format!("run `{id}`: this server's runs are numbered from 1"),
            Some(n) if n < issued => format!(
                "run `{id}`: it finished and was dropped (the server keeps the last {} finished \
                 runs in memory)",
                self.max_kept
            ),
            Some(_) => format!("run `{id}`: this server has not started it"),
            None => format!(
                "run `{id}`: not a run of this server since it started (runs are kept in memory \
                 and gone after a restart; this server's ids begin `run-{}-`)",
                self.epoch
            ),
        }
    }

    fn keep(&self, entry: Arc<RunEntry>) {
        let mut entries = self.entries();
        entries.push_back(entry);
        while entries.len() > self.max_kept {
            // Drop the oldest finished run; running ones are few (bounded by the permits).
            let Some(pos) = entries
                .iter()
                .position(|e| !matches!(*e.outcome(), Outcome::Running))
            else {
                break;
            };
            entries.remove(pos);
        }
    }
}
