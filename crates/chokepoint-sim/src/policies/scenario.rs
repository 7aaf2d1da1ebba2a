//! Policy scenario files (TOML) → a checked [`PolicyScenario`].
//!
//! Everything is validated here, at load, never mid-run: unknown keys, regions, stages,
//! industries and control names, dates out of order, shares outside [0, 1] and bad
//! distribution parameters all fail with the file and the dotted key (`export_control[0].
//! approval_share`); TOML syntax errors carry file:line:column.

use std::path::{Path, PathBuf};

use super::dist::Param;
use crate::SimError;
use crate::date::Date;
use crate::network::assumptions;
use crate::network::chain::{Industry, STAGES};

/// Top-level keys that mark a file as a policy scenario of the rare-earth chain.
pub const INSTRUMENT_KEYS: [&str; 6] = [
    "export_control",
    "suspension",
    "capacity_shock",
    "demand_shock",
    "new_supply",
    "substitution",
];

/// Whether a scenario text is a policy scenario (as opposed to an MRIO/ARIO scenario):
/// it has a `[chain]` table or any policy instrument.
pub fn is_policy_scenario(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| {
        t.contains_key("chain") || INSTRUMENT_KEYS.iter().any(|k| t.contains_key(*k))
    })
}

/// Where the network of a scenario comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkSource {
    /// The bundled rare-earth chain built from the warehouse.
    Bundled,
    /// A network file (as written by `chokepoint network export`), resolved against the
    /// scenario's folder.
    File(PathBuf),
}

/// An export licence regime on edges from one exporter.
#[derive(Debug, Clone)]
pub struct ExportControl {
    /// Name, referred to by suspensions.
    pub name: String,
    /// Exporter region index.
    pub exporter: usize,
    /// Covered traded stages (indices into [`STAGES`]).
    pub stages: Vec<usize>,
    /// Covered destination regions (`true` = needs a licence).
    pub destinations: Vec<bool>,
    /// First day in force.
    pub start: Date,
    /// Day it lapses, if any.
    pub end: Option<Date>,
    /// Share of requested volume approved.
    pub approval_share: Param,
    /// Days from request to licence.
    pub delay_days: Param,
    /// Cap on licensed tonnes per calendar month over all covered edges.
    pub quota_t_per_month: Option<Param>,
}

/// Lifts a control, fully or to a share, from a date, optionally until a date.
#[derive(Debug, Clone)]
pub struct Suspension {
    /// Index of the control in [`PolicyScenario::controls`].
    pub control: usize,
    /// Destinations it applies to (`true`); all of the control's by default.
    pub destinations: Vec<bool>,
    /// First day.
    pub start: Date,
    /// Day the control's own regime returns, if any.
    pub end: Option<Date>,
    /// Approval share while suspended (1 = lifted).
    pub approval_share: Param,
    /// Licence delay while suspended.
    pub delay_days: Param,
}

/// Multiplies a producer's capacity for a while.
#[derive(Debug, Clone)]
pub struct CapacityShock {
    /// Region index.
    pub region: usize,
    /// Stage index.
    pub stage: usize,
    /// First day.
    pub start: Date,
    /// Last day + 1, if any.
    pub end: Option<Date>,
    /// Factor on capacity (0.5 = half).
    pub capacity_factor: Param,
}

/// Multiplies final demand of industries for a while.
#[derive(Debug, Clone)]
pub struct DemandShock {
    /// Regions hit.
    pub regions: Vec<bool>,
    /// Industries hit.
    pub industries: Vec<bool>,
    /// First day.
    pub start: Date,
    /// Last day + 1, if any.
    pub end: Option<Date>,
    /// Factor on final demand.
    pub demand_factor: Param,
}

/// A new project adding capacity to a region's stage.
#[derive(Debug, Clone)]
pub struct NewSupply {
    /// Region index.
    pub region: usize,
    /// Stage index.
    pub stage: usize,
    /// Nameplate capacity, t/yr.
    pub capacity_t_per_year: Param,
    /// Planned commissioning date.
    pub commissioning: Date,
    /// Slippage after the planned date, days.
    pub commissioning_delay_days: Param,
    /// Months of linear ramp-up to nameplate.
    pub ramp_up_months: Param,
}

/// A share of the magnet needs of industries moving to a substitute after a lag.
#[derive(Debug, Clone)]
pub struct Substitution {
    /// Regions.
    pub regions: Vec<bool>,
    /// Industries.
    pub industries: Vec<bool>,
    /// Share of magnet use replaced at full effect.
    pub share: Param,
    /// Day the decision is taken.
    pub start: Date,
    /// Days before the substitute starts to arrive.
    pub lag_days: Param,
    /// Days of linear ramp to the full share after the lag.
    pub ramp_days: Param,
}

/// A checked policy scenario.
#[derive(Debug, Clone)]
pub struct PolicyScenario {
    /// The file it came from.
    pub file: PathBuf,
    /// First simulated day.
    pub start: Date,
    /// Number of simulated days.
    pub days: usize,
    /// Where the network comes from.
    pub network: NetworkSource,
    /// Overridden assumptions (index into the table, value).
    pub assumptions: Vec<(usize, Param)>,
    /// Export controls.
    pub controls: Vec<ExportControl>,
    /// Suspensions of controls.
    pub suspensions: Vec<Suspension>,
    /// Capacity shocks.
    pub capacity_shocks: Vec<CapacityShock>,
    /// Demand shocks.
    pub demand_shocks: Vec<DemandShock>,
    /// New supply projects.
    pub new_supply: Vec<NewSupply>,
    /// Substitutions.
    pub substitutions: Vec<Substitution>,
}

/// A parsed but not yet checked scenario file.
pub struct ScenarioFile {
    file: PathBuf,
    table: toml::Table,
}

impl ScenarioFile {
    /// Reads and parses a scenario file.
    pub fn read(path: &Path) -> Result<ScenarioFile, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        ScenarioFile::parse(path, &text)
    }

    /// Parses scenario text (syntax only).
    pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, SimError> {
        let table =
            toml::from_str::<toml::Table>(text).map_err(|e| syntax_error(path, text, &e))?;
        Ok(ScenarioFile {
            file: path.to_path_buf(),
            table,
        })
    }

    /// The network the scenario asks for.
    pub fn network_source(&self) -> Result<NetworkSource, SimError> {
        let cx = Cx { file: &self.file };
        match self.table.get("chain").and_then(|c| c.get("network")) {
            None => Ok(NetworkSource::Bundled),
            Some(toml::Value::String(s)) if s == "bundled" => Ok(NetworkSource::Bundled),
            Some(toml::Value::String(s)) => {
                let base = self.file.parent().unwrap_or(Path::new("."));
                Ok(NetworkSource::File(base.join(s)))
            }
            Some(_) => Err(cx.err("chain.network", "expected \"bundled\" or a file path")),
        }
    }

    /// Checks the scenario against the network's regions.
    pub fn check(self, regions: &[String]) -> Result<PolicyScenario, SimError> {
        let network = self.network_source()?;
        let cx = Cx { file: &self.file };
        let allowed_top = ["chain", "assumptions"];
        for key in self.table.keys() {
            if !allowed_top.contains(&key.as_str()) && !INSTRUMENT_KEYS.contains(&key.as_str()) {
                return Err(cx.err(
                    key,
                    &format!(
                        "unknown section; expected one of chain, assumptions, {}",
                        INSTRUMENT_KEYS.join(", ")
                    ),
                ));
            }
        }
        let empty = toml::Table::new();
        let chain = match self.table.get("chain") {
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err(cx.err("chain", "expected a table")),
            None => &empty,
        };
        let t = Item {
            cx: &cx,
            path: "chain".into(),
            table: chain,
        };
        t.only(&["start", "days", "network"])?;
        let start = t.date("start")?;
        let days = t.opt_num("days", 1.0, 36_500.0)?.unwrap_or(365.0) as usize;

        let mut assumptions = Vec::new();
        if let Some(v) = self.table.get("assumptions") {
            let tab = v
                .as_table()
                .ok_or_else(|| cx.err("assumptions", "expected a table"))?;
            for (k, v) in tab {
                let key = format!("assumptions.{k}");
                let (idx, spec) = assumptions::find(k).ok_or_else(|| {
                    cx.err(
                        &key,
                        "unknown assumption; `chokepoint network describe` lists them",
                    )
                })?;
                let p = Param::from_toml(v, spec.min, spec.max).map_err(|m| cx.err(&key, &m))?;
                assumptions.push((idx, p));
            }
        }

        let list = |name: &str| -> Result<Vec<Item<'_>>, SimError> {
            match self.table.get(name) {
                None => Ok(Vec::new()),
                Some(toml::Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let path = format!("{name}[{i}]");
                        v.as_table()
                            .map(|table| Item {
                                cx: &cx,
                                path: path.clone(),
                                table,
                            })
                            .ok_or_else(|| cx.err(&path, "expected a table ([[…]] entry)"))
                    })
                    .collect(),
                Some(_) => Err(cx.err(name, &format!("expected [[{name}]] entries"))),
            }
        };

        let mut controls: Vec<ExportControl> = Vec::new();
        for it in list("export_control")? {
            it.only(&[
                "name",
                "exporter",
                "products",
                "destinations",
                "except",
                "start",
                "end",
                "approval_share",
                "delay_days",
                "quota_t_per_month",
                "note",
            ])?;
            let name = it.string("name")?;
            if controls.iter().any(|c| c.name == name) {
                return Err(it.err("name", &format!("control `{name}` is defined twice")));
            }
            let exporter = it.region("exporter", regions)?;
            let (start, end) = it.span()?;
            let mut destinations = it.regions_or_all("destinations", regions, true)?;
            if let Some(ex) = it.table.get("except") {
                for r in it.region_list(ex, "except", regions)? {
                    destinations[r] = false;
                }
            }
            destinations[exporter] = false; // a control acts on exports only
            controls.push(ExportControl {
                name,
                exporter,
                stages: it.products("products")?,
                destinations,
                start,
                end,
                approval_share: it.param("approval_share", 0.0, 1.0)?,
                delay_days: it
                    .opt_param("delay_days", 0.0, 365.0)?
                    .unwrap_or(Param::fixed(0.0, 0.0, 365.0)),
                quota_t_per_month: it.opt_param("quota_t_per_month", 0.0, 1e9)?,
            });
        }

        let mut suspensions = Vec::new();
        for it in list("suspension")? {
            it.only(&[
                "control",
                "destinations",
                "start",
                "end",
                "approval_share",
                "delay_days",
                "note",
            ])?;
            let name = it.string("control")?;
            let control = controls
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = controls.iter().map(|c| c.name.as_str()).collect();
                    it.err(
                        "control",
                        &format!(
                            "no export control named `{name}`; defined: {}",
                            known.join(", ")
                        ),
                    )
                })?;
            let (start, end) = it.span()?;
            if start < controls[control].start {
                return Err(it.err(
                    "start",
                    &format!(
                        "suspension starts {start}, before control `{name}` starts {}",
                        controls[control].start
                    ),
                ));
            }
            let mut destinations = it.regions_or_all("destinations", regions, true)?;
            for (d, c) in destinations.iter_mut().zip(&controls[control].destinations) {
                *d &= *c;
            }
            suspensions.push(Suspension {
                control,
                destinations,
                start,
                end,
                approval_share: it
                    .opt_param("approval_share", 0.0, 1.0)?
                    .unwrap_or(Param::fixed(1.0, 0.0, 1.0)),
                delay_days: it
                    .opt_param("delay_days", 0.0, 365.0)?
                    .unwrap_or(Param::fixed(0.0, 0.0, 365.0)),
            });
        }

        let mut capacity_shocks = Vec::new();
        for it in list("capacity_shock")? {
            it.only(&["region", "stage", "start", "end", "capacity_factor", "note"])?;
            let (start, end) = it.span()?;
            capacity_shocks.push(CapacityShock {
                region: it.region("region", regions)?,
                stage: it.stage("stage")?,
                start,
                end,
                capacity_factor: it.param("capacity_factor", 0.0, 10.0)?,
            });
        }

        let mut demand_shocks = Vec::new();
        for it in list("demand_shock")? {
            it.only(&[
                "region",
                "industry",
                "start",
                "end",
                "demand_factor",
                "note",
            ])?;
            let (start, end) = it.span()?;
            demand_shocks.push(DemandShock {
                regions: it.regions_or_all("region", regions, true)?,
                industries: it.industries("industry")?,
                start,
                end,
                demand_factor: it.param("demand_factor", 0.0, 10.0)?,
            });
        }

        let mut new_supply = Vec::new();
        for it in list("new_supply")? {
            it.only(&[
                "region",
                "stage",
                "capacity_t_per_year",
                "commissioning",
                "commissioning_delay_days",
                "ramp_up_months",
                "note",
            ])?;
            new_supply.push(NewSupply {
                region: it.region("region", regions)?,
                stage: it.stage("stage")?,
                capacity_t_per_year: it.param("capacity_t_per_year", 0.0, 1e8)?,
                commissioning: it.date("commissioning")?,
                commissioning_delay_days: it
                    .opt_param("commissioning_delay_days", 0.0, 3650.0)?
                    .unwrap_or(Param::fixed(0.0, 0.0, 3650.0)),
                ramp_up_months: it
                    .opt_param("ramp_up_months", 0.0, 120.0)?
                    .unwrap_or(Param::fixed(12.0, 0.0, 120.0)),
            });
        }

        let mut substitutions = Vec::new();
        for it in list("substitution")? {
            it.only(&[
                "region",
                "industry",
                "share",
                "start",
                "lag_days",
                "ramp_days",
                "note",
            ])?;
            substitutions.push(Substitution {
                regions: it.regions_or_all("region", regions, true)?,
                industries: it.industries("industry")?,
                share: it.param("share", 0.0, 1.0)?,
                start: it.date("start")?,
                lag_days: it
                    .opt_param("lag_days", 0.0, 3650.0)?
                    .unwrap_or(Param::fixed(0.0, 0.0, 3650.0)),
                ramp_days: it
                    .opt_param("ramp_days", 0.0, 3650.0)?
                    .unwrap_or(Param::fixed(90.0, 0.0, 3650.0)),
            });
        }

        Ok(PolicyScenario {
            file: self.file.clone(),
            start,
            days,
            network,
            assumptions,
            controls,
            suspensions,
            capacity_shocks,
            demand_shocks,
            new_supply,
            substitutions,
        })
    }
}

/// A TOML parse error as a [`SimError::Syntax`] with 1-based line and column.
pub(crate) fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> SimError {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    SimError::Syntax {
        file: path.to_path_buf(),
        line,
        column,
        message: e.message().to_string(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Cx<'a> {
    file: &'a Path,
}

impl Cx<'_> {
    fn err(&self, key: &str, message: &str) -> SimError {
        SimError::Scenario {
            file: self.file.to_path_buf(),
            key: key.to_string(),
            message: message.to_string(),
        }
    }
}

/// One table of the scenario with its key path, for error messages.
struct Item<'a> {
    cx: &'a Cx<'a>,
    path: String,
    table: &'a toml::Table,
}

impl Item<'_> {
    fn err(&self, key: &str, message: &str) -> SimError {
        self.cx.err(&format!("{}.{key}", self.path), message)
    }

    fn only(&self, allowed: &[&str]) -> Result<(), SimError> {
        match self.table.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.err(
                k,
                &format!("unknown key; expected one of {}", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    fn string(&self, key: &str) -> Result<String, SimError> {
        match self.table.get(key) {
            Some(toml::Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.err(key, "expected a string")),
            None => Err(self.err(key, "missing")),
        }
    }

    fn date(&self, key: &str) -> Result<Date, SimError> {
        let s = match self.table.get(key) {
            Some(toml::Value::String(s)) => s.clone(),
            Some(toml::Value::Datetime(d)) => d.to_string(),
            Some(_) => return Err(self.err(key, "expected a date \"YYYY-MM-DD\"")),
            None => return Err(self.err(key, "missing; expected a date \"YYYY-MM-DD\"")),
        };
        s.parse()
            .map_err(|e: crate::date::DateError| self.err(key, &e.to_string()))
    }

    fn span(&self) -> Result<(Date, Option<Date>), SimError> {
        let start = self.date("start")?;
        let end = match self.table.get("end") {
            None => None,
            Some(_) => Some(self.date("end")?),
        };
        if let Some(end) = end
            && end <= start
        {
            return Err(self.err("end", &format!("end {end} is not after start {start}")));
        }
        Ok((start, end))
    }

    fn opt_num(&self, key: &str, lo: f64, hi: f64) -> Result<Option<f64>, SimError> {
        let v = match self.table.get(key) {
            None => return Ok(None),
            Some(toml::Value::Integer(i)) => *i as f64,
            Some(toml::Value::Float(f)) => *f,
            Some(_) => return Err(self.err(key, "expected a number")),
        };
        if !(lo..=hi).contains(&v) {
            return Err(self.err(key, &format!("{v} is outside [{lo}, {hi}]")));
        }
        Ok(Some(v))
    }

    fn param(&self, key: &str, lo: f64, hi: f64) -> Result<Param, SimError> {
        self.opt_param(key, lo, hi)?
            .ok_or_else(|| self.err(key, "missing"))
    }

    fn opt_param(&self, key: &str, lo: f64, hi: f64) -> Result<Option<Param>, SimError> {
        self.table
            .get(key)
            .map(|v| Param::from_toml(v, lo, hi).map_err(|m| self.err(key, &m)))
            .transpose()
    }

    fn region_code(&self, key: &str, code: &str, regions: &[String]) -> Result<usize, SimError> {
        regions
            .iter()
            .position(|r| r == code.trim())
            .ok_or_else(|| {
                self.err(
                    key,
                    &format!(
                        "unknown region `{code}`; expected one of {}",
                        regions.join(", ")
                    ),
                )
            })
    }

    fn region(&self, key: &str, regions: &[String]) -> Result<usize, SimError> {
        let s = self.string(key)?;
        self.region_code(key, &s, regions)
    }

    fn region_list(
        &self,
        v: &toml::Value,
        key: &str,
        regions: &[String],
    ) -> Result<Vec<usize>, SimError> {
        match v {
            toml::Value::String(s) => Ok(vec![self.region_code(key, s, regions)?]),
            toml::Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    toml::Value::String(s) => self.region_code(key, s, regions),
                    _ => Err(self.err(key, "expected region codes")),
                })
                .collect(),
            _ => Err(self.err(key, "expected \"all\", a region code or a list of them")),
        }
    }

    /// `"all"` (or missing, when `default_all`), one code, or a list → a mask over regions.
    fn regions_or_all(
        &self,
        key: &str,
        regions: &[String],
        default_all: bool,
    ) -> Result<Vec<bool>, SimError> {
        match self.table.get(key) {
            None if default_all => Ok(vec![true; regions.len()]),
            None => Err(self.err(key, "missing")),
            Some(toml::Value::String(s)) if s == "all" => Ok(vec![true; regions.len()]),
            Some(v) => {
                let mut mask = vec![false; regions.len()];
                for r in self.region_list(v, key, regions)? {
                    mask[r] = true;
                }
                Ok(mask)
            }
        }
    }

    fn industries(&self, key: &str) -> Result<Vec<bool>, SimError> {
        let one = |s: &str| {
            Industry::parse(s).map(|i| i as usize).ok_or_else(|| {
                self.err(
                    key,
                    &format!(
                        "unknown industry `{s}`; expected all or one of {}",
                        Industry::names()
                    ),
                )
            })
        };
        let mut mask = vec![false; Industry::ALL.len()];
        match self.table.get(key) {
            None => return Ok(vec![true; mask.len()]),
            Some(toml::Value::String(s)) if s == "all" => return Ok(vec![true; mask.len()]),
            Some(toml::Value::String(s)) => mask[one(s)?] = true,
            Some(toml::Value::Array(a)) => {
                for x in a {
                    mask[one(x.as_str().unwrap_or(""))?] = true;
                }
            }
            Some(_) => return Err(self.err(key, "expected \"all\", an industry or a list")),
        }
        Ok(mask)
    }

    fn stage(&self, key: &str) -> Result<usize, SimError> {
        let s = self.string(key)?;
        stage_of_product(&s).ok_or_else(|| self.err(key, &unknown_product(&s)))
    }

    fn products(&self, key: &str) -> Result<Vec<usize>, SimError> {
        let items: Vec<String> = match self.table.get(key) {
            Some(toml::Value::String(s)) => vec![s.clone()],
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect(),
            Some(_) => return Err(self.err(key, "expected a list of stage names or HS codes")),
            None => return Err(self.err(key, "missing; e.g. products = [\"magnets\", \"metal\"]")),
        };
        let mut stages = Vec::new();
        for s in &items {
            let st = stage_of_product(s).ok_or_else(|| self.err(key, &unknown_product(s)))?;
            if !stages.contains(&st) {
                stages.push(st);
            }
        }
        stages.sort_unstable();
        Ok(stages)
    }
}

/// HS headings of the rare-earth chain and the stage they belong to (hs_codes.csv).
const HS_STAGES: [(&str, usize); 7] = [
    ("2530", 0),
    ("2612", 0),
    ("2846", 1),
    ("2805", 2),
    ("3606", 2),
    ("7202", 2),
    ("8505", 3),
];

/// The traded stage of a product given as a stage name or an HS code (`8505.11`).
pub fn stage_of_product(s: &str) -> Option<usize> {
    if let Some(i) = STAGES.iter().position(|st| *st == s.trim()) {
        return Some(i);
    }
    if let Ok(stage) = s.parse::<chokepoint_model::Stage>() {
        return STAGES.iter().position(|st| *st == stage.as_str());
    }
    let hs = s.parse::<chokepoint_model::HsCode>().ok()?;
    HS_STAGES
        .iter()
        .find(|(h, _)| hs.as_str().starts_with(h) || h.starts_with(hs.as_str()))
        .map(|(_, st)| *st)
}

fn unknown_product(s: &str) -> String {
    format!(
        "unknown product `{s}`; expected a stage ({}) or a rare-earth HS code (2530, 2612, 2846, 2805, 3606, 7202, 8505…)",
        STAGES.join(", ")
    )
}
