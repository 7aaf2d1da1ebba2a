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

mod instruments;
mod items;
mod nodes;
mod overrides;
pub use items::stage_of_product;
use items::{Cx, Item};

/// Top-level keys that mark a file as a policy scenario of the rare-earth chain.
pub const INSTRUMENT_KEYS: [&str; 6] = [
    "export_control",
    "suspension",
    "capacity_shock",
    "demand_shock",
    "new_supply",
    "substitution",
];

/// Top-level tables of an MRIO/ARIO scenario.
pub const ARIO_KEYS: [&str; 4] = ["network", "model", "simulation", "event"];

/// Whether a scenario text is a policy scenario (as opposed to an MRIO/ARIO scenario): the
/// one rule `simulate`, `report`, `calibrate`, `exposure --after` and the server share.
///
/// A file is ARIO only if it is valid TOML with an ARIO table (`[network]`, `[model]`,
/// `[simulation]`, `[[event]]`) and no `[chain]` table or policy instrument. Everything
/// else is read as a policy scenario, whose parser names what is wrong. Why: a policy
/// scenario with one bad value (`days = 99999999999999999999`) is not valid TOML, and
/// was read as ARIO, which said "unknown field `chain`" at the `[chain]` header instead
/// of naming the value; an empty file asked for ARIO's `[network]` in `simulate` and for
/// `chain.start` everywhere else.
pub fn is_policy_scenario(text: &str) -> bool {
    match toml::from_str::<toml::Table>(text) {
        Err(_) => true,
        Ok(t) => {
            t.contains_key("chain")
                || INSTRUMENT_KEYS.iter().any(|k| t.contains_key(*k))
                || !ARIO_KEYS.iter().any(|k| t.contains_key(*k))
        }
    }
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
    /// Covered traded stages (indices into [`STAGES`](crate::network::chain::STAGES)).
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
    /// How the monthly quota becomes available over the month.
    pub quota_release: crate::policies::QuotaRelease,
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
    text: String,
    table: toml::Table,
}

impl ScenarioFile {
    /// Reads and parses a scenario file.
    pub fn read(path: &Path) -> Result<ScenarioFile, SimError> {
        let text = crate::read_text(path)?;
        ScenarioFile::parse(path, &text)
    }

    /// Parses scenario text (syntax only).
    pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, SimError> {
        let table =
            toml::from_str::<toml::Table>(text).map_err(|e| syntax_error(path, text, &e))?;
        Ok(ScenarioFile {
            file: path.to_path_buf(),
            text: text.to_string(),
            table,
        })
    }

    /// The ARIO model parameters of a scenario on an MRIO network: its `[model]` table,
    /// with the keys, defaults and checks of an ARIO scenario file (`docs/engine.md`), and
    /// non-fatal remarks. BoARIO's defaults when there is none.
    pub fn model_params(
        &self,
        mrio: &crate::Mrio,
    ) -> Result<(crate::ModelParams, Vec<String>), SimError> {
        let (params, mut warnings) = crate::scenario::model_table(&self.file, &self.text, mrio)?;
        let model = self.table.get("model").and_then(|m| m.as_table());
        if model.is_some_and(|m| m.contains_key("monetary_factor")) {
            warnings.push(format!(
                "{}: `model.monetary_factor` only scales the impacts of ARIO events; a policy \
                 scenario has none, so it is ignored",
                self.file.display()
            ));
        }
        Ok((params, warnings))
    }

    /// The `chain.network` value when it is anything but the bundled network, as written,
    /// without looking at the file system: a server refuses it before any path is tried,
    /// so that its answer cannot tell a remote client which paths exist.
    pub fn network_other_than_bundled(&self) -> Option<String> {
        match self.table.get("chain").and_then(|c| c.get("network")) {
            None => None,
            Some(toml::Value::String(s)) if s == "bundled" => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        }
    }

    /// The network the scenario asks for.
    pub fn network_source(&self) -> Result<NetworkSource, SimError> {
        let cx = Cx {
            file: &self.file,
            text: &self.text,
            products: None,
        };
        match self.table.get("chain").and_then(|c| c.get("network")) {
            None => Ok(NetworkSource::Bundled),
            Some(toml::Value::String(s)) if s == "bundled" => Ok(NetworkSource::Bundled),
            Some(toml::Value::String(s)) => {
                let path = crate::scenario::relative_base(&self.file).join(s);
                if !path.exists() {
                    return Err(cx.err(
                        "chain.network",
                        &format!(
                            "{} does not exist; give a network file or an MRIO folder, \
                             relative to the scenario file, or \"bundled\"",
                            path.display()
                        ),
                    ));
                }
                Ok(NetworkSource::File(path))
            }
            Some(_) => Err(cx.err("chain.network", "expected \"bundled\" or a file path")),
        }
    }

    /// `e`, an error reading the network file or MRIO folder that `chain.network` names,
    /// as an error of that key: the file's own message (`/etc/passwd:1:32: key with no
    /// value`) did not say that the scenario had pointed there.
    pub fn network_error(&self, e: SimError) -> SimError {
        if !e.is_user_error() {
            return e;
        }
        let cx = Cx {
            file: &self.file,
            text: &self.text,
            products: None,
        };
        cx.err(
            "chain.network",
            &format!(
                "the network file or MRIO folder it names cannot be used: {e}; give a file \
                 written by `chokepoint network export`, an MRIO folder, or \"bundled\""
            ),
        )
    }

    /// Checks the scenario against the regions of the rare-earth chain (products are stage
    /// names or HS codes).
    pub fn check(self, regions: &[String]) -> Result<PolicyScenario, SimError> {
        self.check_with(regions, None)
    }

    /// Checks the scenario against a network's regions and, for an MRIO network, its sector
    /// names (`products`): products and stages must then be sector names, and only
    /// `export_control`, `suspension` and `capacity_shock` apply.
    pub fn check_with(
        self,
        regions: &[String],
        products: Option<&[String]>,
    ) -> Result<PolicyScenario, SimError> {
        let cx = Cx {
            file: &self.file,
            text: &self.text,
            products,
        };
        // An empty file is neither kind yet: say how each begins ("chain.start missing"
        // puzzled ARIO users).
        if self.table.is_empty() {
            return Err(cx.err(
                "chain",
                "the file sets nothing: a policy scenario begins with [chain] and start = \
                 \"YYYY-MM-DD\" (docs/controls.md), an ARIO scenario with [network] and mrio = \
                 \"folder\" (docs/engine.md)",
            ));
        }
        let network = self.network_source()?;
        if products.is_none() && self.table.contains_key("model") {
            return Err(cx.err(
                "model",
                "sets the ARIO parameters of an MRIO network (`chain.network` = a folder); \
                 the rare-earth chain's parameters are [assumptions]",
            ));
        }
        if products.is_some() {
            for key in ["demand_shock", "new_supply", "substitution"] {
                if self.table.contains_key(key) {
                    return Err(cx.err(
                        key,
                        "not supported on an MRIO network; use export_control, suspension or capacity_shock",
                    ));
                }
            }
        }
        let allowed_top = ["chain", "assumptions", "model"];
        // An ARIO disruption scenario given where a policy scenario is expected.
        if let Some(key) = ["network", "event", "simulation"]
            .into_iter()
            .find(|k| self.table.contains_key(*k) && !self.table.contains_key("chain"))
        {
            return Err(cx.err(
                key,
                "this is an ARIO disruption scenario ([network], [[event]]); run it with \
                 `chokepoint simulate FILE --out DIR`. This command takes policy scenarios \
                 ([chain] and instruments such as [[export_control]])",
            ));
        }
        // ARIO tables beside [chain]: the generic message said the file had none of them.
        if let Some(key) = ["network", "event", "simulation"]
            .into_iter()
            .find(|k| self.table.contains_key(*k))
        {
            return Err(cx.err(
                key,
                &format!(
                    "[{key}] belongs to ARIO scenarios, and this file is a policy scenario \
                     ([chain]); a policy scenario names its network with `chain.network` (a \
                     network file or an MRIO folder) and its shocks with instruments such as \
                     [[capacity_shock]]"
                ),
            ));
        }
        for key in self.table.keys() {
            if !allowed_top.contains(&key.as_str()) && !INSTRUMENT_KEYS.contains(&key.as_str()) {
                return Err(cx.err(
                    key,
                    &format!(
                        "unknown section; expected one of chain, assumptions, model (MRIO \
                         networks), {} in a policy scenario, or network, model, simulation, \
                         event in an ARIO scenario (this file has none of those, so it was read \
                         as a policy scenario)",
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
        let max_days = crate::scenario::MAX_STEPS as f64;
        let days = t.opt_num("days", 1.0, max_days)?.unwrap_or(365.0);
        if days.fract() != 0.0 {
            return Err(t.err("days", &format!("{days} is not a whole number of days")));
        }
        let days = days as usize;
        let horizon = (start, start.plus_days(days as i64));
        // Instrument dates stop at 2200 (`date.rs`); a horizon running past it would simulate
        // days no instrument could be dated in.
        let last = start.plus_days(days as i64 - 1);
        if last.year_month().year > 2200 {
            return Err(t.err(
                "days",
                &format!(
                    "the simulated days would run to {last}, past 2200-12-31, the last date an \
                     instrument can carry; shorten chain.days or move chain.start"
                ),
            ));
        }

        let mut assumptions = Vec::new();
        if let Some(v) = self.table.get("assumptions") {
            let tab = v
                .as_table()
                .ok_or_else(|| cx.err("assumptions", "expected a table"))?;
            for (k, v) in tab {
                let key = format!("assumptions.{k}");
                let (idx, spec) = assumptions::find(k).ok_or_else(|| {
                    let near = assumptions::nearest(k)
                        .map(|n| format!("did you mean `{n}`? "))
                        .unwrap_or_default();
                    cx.err(
                        &key,
                        &format!(
                            "unknown assumption; {near}`chokepoint network describe` lists them"
                        ),
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

        let controls = instruments::controls(list("export_control")?, regions, horizon)?;
        let suspensions =
            instruments::suspensions(list("suspension")?, regions, horizon, &controls)?;
        let capacity_shocks =
            instruments::capacity_shocks(list("capacity_shock")?, regions, horizon)?;
        let demand_shocks = instruments::demand_shocks(list("demand_shock")?, regions, horizon)?;
        let new_supply = instruments::new_supply(list("new_supply")?, regions, horizon)?;
        let substitutions = instruments::substitutions(list("substitution")?, regions, horizon)?;

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
    let (line, column) = e
        .span()
        .map_or((1, 1), |s| chokepoint_model::line_column(text, s.start));
    let mut message = e.message().trim().to_string();
    // The parser says "duplicate key" without saying which: it is the one at the position.
    if message == "duplicate key"
        && let Some(key) = e
            .span()
            .and_then(|s| chokepoint_model::key_token_at(text, s.start))
    {
        message = format!("duplicate key `{key}`: keep one");
    }
    // A number past TOML's 64-bit integers or floats: the parser says only "… value was too
    // large" or "floating-point number overflowed", without the key (ARIO review: `1e400`).
    let too_large_int = message.contains("value was too large");
    if too_large_int || message.contains("floating-point number overflowed") {
        // The key is what the error's line assigns (`duration = 184467…`).
        let key = text
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| format!("`{}` ", k.trim()))
            .unwrap_or_default();
        let limit = if too_large_int {
            "TOML integers end at 9223372036854775807"
        } else {
            "numbers end at about 1.8e308"
        };
        message = format!(
            "the number of {key}is too large: {limit}, and days, steps, shares and tonnes \
             here need far less; give the value meant"
        );
    }
    SimError::Syntax {
        file: path.to_path_buf(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod kind_tests {
    use super::is_policy_scenario;

    /// F7: a policy scenario that is not valid TOML was read as ARIO ("unknown field
    /// `chain`"), and an empty file asked for ARIO's `[network]` in `simulate` only.
    #[test]
    fn only_valid_toml_with_ario_tables_and_no_policy_ones_is_ario() {
        assert!(is_policy_scenario("[chain]\nstart = \"2025-04-01\"\n"));
        assert!(is_policy_scenario(
            "[chain]\ndays = 99999999999999999999\n[[export_control]]\nname = \"c\"\n"
        ));
        assert!(is_policy_scenario(""));
        assert!(is_policy_scenario("[[capacity_shock]]\nregion = \"CHN\"\n"));
        assert!(!is_policy_scenario(
            "[network]\nmrio = \"m\"\n[simulation]\nsteps = 60\n"
        ));
        assert!(!is_policy_scenario("[model]\nkind = \"ARIOPsi\"\n"));
    }
}

#[cfg(test)]
mod syntax_tests {
    use super::ScenarioFile;

    /// Adversarial review: `duration = 18446744073709551615` gave only "u64 value was too
    /// large", without the key or a fix.
    #[test]
    fn a_number_past_tomls_integers_names_its_key() {
        let text = "[chain]\nstart = \"2025-04-01\"\ndays = 18446744073709551615\n";
        let e = ScenarioFile::parse(std::path::Path::new("s.toml"), text)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("s.toml:3:") && e.contains("the number of `days` is too large"),
            "{e}"
        );
    }
}
