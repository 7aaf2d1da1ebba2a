//! A test double of the engine and small HTTP helpers.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use chokepoint_server::after::{AfterError, AfterReport, Band, ExposureTarget, PreparedExposure};
use chokepoint_server::runs::{
    FanSeries, ObservedMonth, Overrides, PreparedRun, Progress, RunReport, ScenarioDocument,
    ScenarioFormat, ScenarioSummary, SimulationSize, Simulator,
};
use chokepoint_server::{AppState, Limits};
use chokepoint_sim::SimError;
use chokepoint_sim::montecarlo::{EdgeMonth, IndustryOutcome, McSummary};
use chokepoint_store::indicators::exposure::Importer;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Releases runs of the `slow` scenario when opened.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn open(&self) {
        let (lock, cv) = &*self.0;
        *lock.lock().unwrap() = true;
        cv.notify_all();
    }

    fn wait(&self) {
        let (lock, cv) = &*self.0;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cv.wait(open).unwrap();
        }
    }
}

/// Scenarios are TOML with `name`, `runs`, `days`, `nodes`; `invalid = true` fails checking.
pub struct TestSimulator {
    pub gate: Gate,
    pub network_delay: Duration,
}

impl TestSimulator {
    pub fn new() -> TestSimulator {
        TestSimulator {
            gate: Gate::default(),
            network_delay: Duration::ZERO,
        }
    }
}

pub const QUICK: &str = "name = \"quick\"\nruns = 4\ndays = 3\nnodes = 2\n";
pub const SLOW: &str = "name = \"slow\"\nruns = 2\ndays = 3\nnodes = 2\n";

struct TestRun {
    name: String,
    size: SimulationSize,
    approval: f64,
    seed: u64,
    gate: Option<Gate>,
}

impl PreparedRun for TestRun {
    fn name(&self) -> &str {
        &self.name
    }
    fn size(&self) -> SimulationSize {
        self.size
    }
    fn run(self: Box<Self>, progress: &Progress) -> Result<RunReport, SimError> {
        if let Some(g) = &self.gate {
            g.wait();
        }
        for done in 1..=self.size.runs {
            progress.report(done, self.size.runs);
        }
        let day: Vec<u32> = (0..self.size.days as u32).collect();
        let p50: Vec<f64> = day.iter().map(|d| 100.0 - f64::from(*d) * 10.0).collect();
        let edge = |month: &str, requested: f64| EdgeMonth {
            stage: "magnets".into(),
            exporter: "CHN".into(),
            importer: "EU".into(),
            month: month.into(),
            requested_t: requested,
            licensed_t: requested * self.approval,
            delivered_t: requested * self.approval,
            licensed_t_p5: requested * self.approval,
            licensed_t_p95: requested * self.approval,
            delivered_t_p5: requested * self.approval,
            delivered_t_p95: requested * self.approval,
            baseline_t: Some(requested / 2.0),
        };
        Ok(RunReport {
            notes: Vec::new(),
            summary: McSummary {
                scenario: self.name.clone(),
                runs: self.size.runs as usize,
                seed: self.seed,
                start: "2025-04-04".into(),
                days: self.size.days as usize,
                industries: vec![IndustryOutcome {
                    region: "EU".into(),
                    industry: "automotive".into(),
                    baseline_t_per_day: 10.0,
                    loss_t: 5.0,
                    loss_pct: 16.7,
                    demand_t: 30.0,
                    loss_t_p5: 1.0,
                    loss_t_p95: 9.0,
                    unmet_t: 5.0,
                    halt_day_90: Some(1),
                    halt_day_50: Some(2),
                    recovery_day_95: None,
                    halt_date_90: Some("2025-04-05".into()),
                    halt_date_50: Some("2025-04-06".into()),
                    recovery_date_95: None,
                    halt_probability: 0.5,
                    days_below_50: 3.0,
                    below_90_probability: 1.0,
                    loss_pct_exceedance: vec![(5.0, 1.0)],
                }],
                edges: vec![edge("2025-04", 1000.0), edge("2025-05", 1100.0)],
                new_supply: Vec::new(),
                descriptions: chokepoint_sim::montecarlo::field_descriptions(),
                assumptions: Vec::new(),
            },
            outputs: vec![FanSeries {
                region: "EU".into(),
                industry: "automotive".into(),
                unit: "% of baseline output".into(),
                p5: p50.iter().map(|v| v - 5.0).collect(),
                p95: p50.iter().map(|v| v + 5.0).collect(),
                p50,
                day,
            }],
            // April derived (as in the bundled series), May reported.
            observed: vec![
                ObservedMonth {
                    exporter: "CHN".into(),
                    importer: "EU".into(),
                    stage: "magnets".into(),
                    month: "2025-04".into(),
                    tonnes: 900.0,
                    is_derived: true,
                },
                ObservedMonth {
                    exporter: "CHN".into(),
                    importer: "EU".into(),
                    stage: "magnets".into(),
                    month: "2025-05".into(),
                    tonnes: 700.0,
                    is_derived: false,
                },
            ],
            sources: vec!["test".into()],
        })
    }
}

impl Simulator for TestSimulator {
    fn scenarios(&self) -> Vec<ScenarioSummary> {
        vec![ScenarioSummary {
            name: "quick".into(),
            title: "a quick test scenario".into(),
        }]
    }

    fn scenario(&self, name: &str) -> Option<ScenarioDocument> {
        (name == "quick").then(|| ScenarioDocument {
            name: "quick".into(),
            title: "a quick test scenario".into(),
            toml: QUICK.into(),
        })
    }

    fn prepare(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
    ) -> Result<Box<dyn PreparedRun>, SimError> {
        let value: serde_json::Value = match format {
            ScenarioFormat::Toml => {
                let t: toml::Value =
                    toml::from_str(text).map_err(|e| SimError::Invalid(e.to_string()))?;
                serde_json::to_value(t).unwrap()
            }
            ScenarioFormat::Json => {
                serde_json::from_str(text).map_err(|e| SimError::Invalid(e.to_string()))?
            }
        };
        if value.get("invalid").is_some() {
            return Err(SimError::Invalid("field `invalid` is not allowed".into()));
        }
        let num = |k: &str| {
            value
                .get(k)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1)
        };
        let name = value
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("unnamed")
            .to_string();
        Ok(Box::new(TestRun {
            gate: (name == "slow").then(|| self.gate.clone()),
            name,
            size: SimulationSize::new(
                overrides.runs.unwrap_or(num("runs")),
                overrides.days.unwrap_or(num("days")),
                num("nodes"),
            ),
            approval: overrides.approval_share.unwrap_or(0.5),
            seed: overrides.seed.unwrap_or(1),
        }))
    }

    fn network(&self) -> Result<serde_json::Value, SimError> {
        std::thread::sleep(self.network_delay);
        Ok(serde_json::json!({"regions": ["CHN", "EU"], "sectors": ["magnets"]}))
    }

    /// The scenario as for `prepare` (size, name, gate); the report echoes the request.
    fn prepare_exposure(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
        target: &ExposureTarget,
    ) -> Result<Box<dyn PreparedExposure>, AfterError> {
        if target.importer == Importer::Country("BRA".into()) {
            return Err(AfterError::Argument {
                parameter: "importer",
                message: "BRA is not a region of the test network".into(),
            });
        }
        let run = self.prepare(text, format, overrides)?;
        let name = run.name().to_string();
        Ok(Box::new(TestExposure {
            gate: (name == "slow").then(|| self.gate.clone()),
            size: run.size(),
            name,
            seed: overrides.seed.unwrap_or(1),
            target: target.clone(),
        }))
    }
}

struct TestExposure {
    name: String,
    size: SimulationSize,
    seed: u64,
    target: ExposureTarget,
    gate: Option<Gate>,
}

impl PreparedExposure for TestExposure {
    fn size(&self) -> SimulationSize {
        self.size
    }
    fn run(self: Box<Self>, progress: &Progress) -> Result<AfterReport, SimError> {
        if let Some(g) = &self.gate {
            g.wait();
        }
        progress.report(self.size.runs, self.size.runs);
        Ok(AfterReport {
            scenario: self.name,
            importer_region: self.target.importer.label().to_string(),
            stage: self.target.stage,
            runs: self.size.runs as usize,
            seed: self.seed,
            days: self.size.days as usize,
            start: "2025-04-01".into(),
            figures: vec![Band {
                measure: "imports".into(),
                region: None,
                before: 100.0,
                after_p5: 30.0,
                after_p50: 40.0,
                after_p95: 60.0,
                unit: "t".into(),
            }],
            crma: None,
            sensitivity: Vec::new(),
            notes: Vec::new(),
        })
    }
}

/// An engine that only implements what every engine must: no post-shock exposure.
pub struct MinimalSimulator(pub TestSimulator);

impl Simulator for MinimalSimulator {
    fn scenarios(&self) -> Vec<ScenarioSummary> {
        self.0.scenarios()
    }
    fn scenario(&self, name: &str) -> Option<ScenarioDocument> {
        self.0.scenario(name)
    }
    fn prepare(
        &self,
        text: &str,
        format: ScenarioFormat,
        overrides: &Overrides,
    ) -> Result<Box<dyn PreparedRun>, SimError> {
        self.0.prepare(text, format, overrides)
    }
    fn network(&self) -> Result<serde_json::Value, SimError> {
        self.0.network()
    }
}

pub fn state_with(limits: Limits, sim: TestSimulator) -> AppState {
    AppState::new(limits).with_simulator(Arc::new(sim))
}

/// A state over a real warehouse holding the bundled data, in a temporary folder that lives
/// as long as the returned guard.
pub async fn state_with_warehouse() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let warehouse = chokepoint_store::Warehouse::open(dir.path()).await.unwrap();
    (state().with_warehouse(Arc::new(warehouse)), dir)
}

pub fn state() -> AppState {
    state_with(Limits::default(), TestSimulator::new())
}

pub async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, Response<()>, Vec<u8>) {
    let resp = chokepoint_server::router(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, Response::from_parts(parts, ()), bytes)
}

pub async fn get(state: &AppState, uri: &str) -> (StatusCode, Response<()>, Vec<u8>) {
    send(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

pub fn post_json(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Polls a run until it is no longer running.
pub async fn wait_for_run(state: &AppState, id: &str) -> serde_json::Value {
    for _ in 0..2000 {
        let (status, _, body) = get(state, &format!("/api/runs/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let v = json(&body);
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("run {id} did not finish");
}
