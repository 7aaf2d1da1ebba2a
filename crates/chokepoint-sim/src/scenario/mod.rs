//! Scenario files (TOML) → a checked [`Scenario`]: network, model parameters with
//! BoARIO's names and defaults, horizon and events. Every error names the file,
//! the key and, from the TOML parser's spans, the line:column.
//!
//! ```toml
//! [network]
//! mrio = "path/to/folder"      # relative to the scenario file
//! [model]
//! kind = "psi"                 # "psi" | "base"
//! order_type = "alt"           # "alt" | "noalt"
//! [simulation]
//! steps = 365
//! [[event]]
//! kind = "arbitrary"           # "arbitrary" | "recover" | "rebuild"
//! region = "reg3"
//! sector = "mining"
//! impact = 0.3
//! occurrence = 10
//! duration = 90
//! recovery_tau = 30
//! ```

mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::events::{Event, EventKind, RecoveryFunction};
use crate::model::{InventoryDays, ModelKind, ModelParams, Numerics, OrderType, Storage};
use crate::network::Mrio;
use crate::{Model, SimError, Simulation};
use raw::{NumOrText, RawEvent, RawImpact, RawScenario, RawTau};

/// The longest horizon a scenario (ARIO steps, or policy `chain.days`) may ask for: a
/// century of daily steps (the records of every step are kept, and a larger number is a
/// typo).
pub(crate) const MAX_STEPS: i64 = 36_500;

/// A checked scenario: the network, the model parameters, the horizon and the events.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario file.
    pub path: PathBuf,
    /// The MRIO folder (resolved against the scenario file's folder).
    pub mrio_path: PathBuf,
    /// The network.
    pub mrio: Mrio,
    /// Model parameters.
    pub params: ModelParams,
    /// Number of steps.
    pub steps: usize,
    /// Checked events.
    pub events: Vec<Event>,
    /// Non-fatal remarks (e.g. psi parameters ignored under `kind = "base"`).
    pub warnings: Vec<String>,
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    /// The text as `T`; a syntax or type error at its line:column, named `key`.
    fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, SimError> {
        toml::from_str(self.text).or_else(|e| {
            let msg = e.message().trim().to_string();
            self.err(e.span(), key, msg)
        })
    }

    /// The option of `[model] key` named by `value` (`what` names it in the error).
    fn choice<T: Copy>(
        &self,
        value: &Spanned<String>,
        key: &str,
        what: &str,
        options: &[(&str, T)],
    ) -> Result<T, SimError> {
        let name = value.get_ref().as_str();
        if let Some((_, v)) = options.iter().find(|(o, _)| *o == name) {
            return Ok(*v);
        }
        let quoted: Vec<String> = options.iter().map(|(o, _)| format!("\"{o}\"")).collect();
        let expected = match quoted.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        self.err(
            Some(value.span()),
            format!("model.{key}"),
            format!("unknown {what} `{name}`; expected {expected}"),
        )
    }

    fn err<T>(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, SimError> {
        Err(SimError::Scenario {
            path: self.path.to_path_buf(),
            location: span.map(|s| chokepoint_model::line_column(self.text, s.start)),
            key: key.into(),
            message: message.into(),
        })
    }
}

/// The folder that relative paths in scenario file `path` resolve against: the file's own,
/// or the current folder for a scenario read from standard input or another descriptor or
/// pipe (`/dev/stdin`, whose own folder would be `/dev`). Files under `/dev/shm` or
/// `/proc/self/cwd` keep their folder.
pub(crate) fn relative_base(path: &Path) -> &Path {
    // A descriptor's path (`/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N`), which may name a
    // regular file (a here-string's), or anything that is not a regular file (a pipe).
    let descriptor = path == Path::new("/dev/stdin")
        || path.starts_with("/dev/fd")
        || (path.starts_with("/proc") && path.parent().is_some_and(|p| p.ends_with("fd")));
    let streamed = descriptor || std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    match path.parent() {
        Some(folder) if !streamed => folder,
        _ => Path::new("."),
    }
}

impl Scenario {
    /// Reads and checks a scenario file, loading its MRIO.
    pub fn load(path: &Path) -> Result<Self, SimError> {
        let text = crate::read_text(path)?;
        Self::parse(path, &text)
    }

    /// Parses and checks scenario `text` as if read from `path` (relative MRIO paths resolve
    /// against `path`'s folder).
    pub fn parse(path: &Path, text: &str) -> Result<Self, SimError> {
        let cx = Ctx { path, text };
        let raw: RawScenario = cx.read("(file)")?;
        let Some(network) = raw.network else {
            return cx.err(
                None,
                "network.mrio",
                "missing [network] table with `mrio = \"folder\"`",
            );
        };
        let mrio_path = relative_base(path).join(network.mrio.get_ref());
        let mrio = Mrio::load(&mrio_path).map_err(|e| SimError::Scenario {
            path: path.to_path_buf(),
            location: Some(chokepoint_model::line_column(
                text,
                network.mrio.span().start,
            )),
            key: "network.mrio".into(),
            message: e.to_string(),
        })?;
        let mut warnings = Vec::new();
        let params = model_params(&cx, raw.model.unwrap_or_default(), &mrio, &mut warnings)?;
        let steps = match raw.simulation.and_then(|s| s.steps) {
            None => 365,
            Some(s) if (1..=MAX_STEPS).contains(s.get_ref()) => *s.get_ref() as usize,
            Some(s) => {
                return cx.err(
                    Some(s.span()),
                    "simulation.steps",
                    format!("must be from 1 to {MAX_STEPS} (a century of daily steps)"),
                );
            }
        };
        // The capital that bounds capital impacts, without building the model (twice the
        // table's size in memory, and seconds at N = 10,000): what the model would refuse,
        // `model_params` has checked at its key.
        let capital = crate::model::productive_capital(&mrio, &params);
        let mut events = Vec::new();
        let industries = mrio.industry_labels();
        for (k, ev) in raw.event.into_iter().enumerate() {
            let table = Table {
                mrio: &mrio,
                industries: &industries,
                capital: &capital,
            };
            events.push(event(&cx, k, ev, &table, &params, steps)?);
        }
        Ok(Scenario {
            path: path.to_path_buf(),
            mrio_path,
            mrio,
            params,
            steps,
            events,
            warnings,
        })
    }

    /// Builds the model and the simulation.
    pub fn simulation(&self) -> Result<Simulation, SimError> {
        let model = Model::new(&self.mrio, self.params.clone())?;
        Simulation::new(model, self.events.clone(), self.steps)
    }
}

/// The `[model]` table of scenario `text` read from `path` (other tables are not looked at),
/// checked against `mrio` as in an ARIO scenario: BoARIO's parameter names and defaults,
/// errors with file, key and line:column. Returns the parameters and non-fatal remarks.
/// Policy scenarios on an MRIO network take their model parameters from here.
pub fn model_table(
    path: &Path,
    text: &str,
    mrio: &Mrio,
) -> Result<(ModelParams, Vec<String>), SimError> {
    #[derive(serde::Deserialize)]
    struct ModelOnly {
        model: Option<raw::RawModel>,
    }
    let cx = Ctx { path, text };
    let raw: ModelOnly = cx.read("model")?;
    let mut warnings = Vec::new();
    let params = model_params(&cx, raw.model.unwrap_or_default(), mrio, &mut warnings)?;
    Ok((params, warnings))
}

/// A model parameter rejected when the model is built, as an error at `model.<name>` of
/// scenario file `path`; other errors unchanged.
pub fn in_model_table(path: &Path, e: SimError) -> SimError {
    match e {
        SimError::Parameter { name, message } => SimError::Scenario {
            path: path.to_path_buf(),
            location: None,
            key: format!("model.{name}"),
            message,
        },
        other => other,
    }
}

fn sector_table<T: Clone>(
    cx: &Ctx<'_>,
    key: &str,
    table: &BTreeMap<String, Spanned<T>>,
    mrio: &Mrio,
    span: std::ops::Range<usize>,
) -> Result<Vec<Spanned<T>>, SimError> {
    for (name, v) in table {
        if !mrio.sectors.contains(name) {
            return cx.err(
                Some(v.span()),
                format!("{key}.{name}"),
                format!(
                    "unknown sector; expected one of {}",
                    mrio.sectors.join(", ")
                ),
            );
        }
    }
    let missing: Vec<&str> = mrio
        .sectors
        .iter()
        .filter(|s| !table.contains_key(*s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return cx.err(
            Some(span),
            key,
            format!("must give every sector; missing {}", missing.join(", ")),
        );
    }
    Ok(mrio
        .sectors
        .iter()
        .filter_map(|s| table.get(s).cloned())
        .collect())
}

fn model_params(
    cx: &Ctx<'_>,
    m: raw::RawModel,
    mrio: &Mrio,
    warnings: &mut Vec<String>,
) -> Result<ModelParams, SimError> {
    let mut p = ModelParams::default();
    if let Some(v) = &m.kind {
        p.kind = cx.choice(
            v,
            "kind",
            "kind",
            &[("psi", ModelKind::Psi), ("base", ModelKind::Base)],
        )?;
    }
    if let Some(v) = &m.numerics {
        p.numerics = cx.choice(
            v,
            "numerics",
            "numerics",
            &[("exact", Numerics::Exact), ("fast", Numerics::Fast)],
        )?;
    }
    if let Some(v) = &m.storage {
        p.storage = cx.choice(
            v,
            "storage",
            "storage",
            &[
                ("auto", Storage::Auto),
                ("dense", Storage::Dense),
                ("sparse", Storage::Sparse),
            ],
        )?;
        let n = mrio.n_industries();
        let negative = mrio.z.iter().position(|z| *z < 0.0);
        if let (Storage::Sparse, Some(k)) = (p.storage, negative) {
            let label = |i: usize| {
                let s = mrio.sectors.len();
                format!("{}|{}", mrio.regions[i / s], mrio.sectors[i % s])
            };
            return cx.err(
                Some(v.span()),
                "model.storage",
                format!(
                    "sparse storage needs a table without negative entries in Z, and \
                     Z[{}, {}] = {}; use \"auto\" or \"dense\"",
                    label(k / n),
                    label(k % n),
                    mrio.z[k]
                ),
            );
        }
    }
    if let Some(v) = &m.order_type {
        p.order_type = cx.choice(
            v,
            "order_type",
            "order type",
            &[("alt", OrderType::Alt), ("noalt", OrderType::NoAlt)],
        )?;
    }
    let num =
        |v: &Option<Spanned<f64>>, key: &str, positive: bool| -> Result<Option<f64>, SimError> {
            match v {
                None => Ok(None),
                Some(s) if s.get_ref().is_finite() && (!positive || *s.get_ref() > 0.0) => {
                    Ok(Some(*s.get_ref()))
                }
                Some(s) => cx.err(
                    Some(s.span()),
                    format!("model.{key}"),
                    "must be a finite positive number",
                ),
            }
        };
    if let Some(v) = num(&m.alpha_base, "alpha_base", true)? {
        p.alpha_base = v;
    }
    if let Some(v) = num(&m.alpha_max, "alpha_max", true)? {
        p.alpha_max = v;
    }
    if p.alpha_max < p.alpha_base {
        return cx.err(
            m.alpha_max.as_ref().map(|s| s.span()),
            "model.alpha_max",
            "must be ≥ alpha_base",
        );
    }
    if let Some(v) = num(&m.alpha_tau, "alpha_tau", true)? {
        p.alpha_tau = v;
    }
    if let Some(v) = num(&m.main_inv_dur, "main_inv_dur", true)? {
        p.main_inv_dur = v;
    }
    if let Some(v) = num(&m.monetary_factor, "monetary_factor", true)? {
        p.monetary_factor = v;
    }
    if let Some(v) = num(&m.psi_param, "psi_param", false)? {
        if !(0.0..=1.0).contains(&v) {
            return cx.err(
                m.psi_param.as_ref().map(|s| s.span()),
                "model.psi_param",
                "must be between 0 and 1",
            );
        }
        p.psi = v;
    }
    if let Some(tau) = &m.inventory_restoration_tau {
        p.inventory_restoration_tau = match tau.get_ref() {
            RawTau::One(v) if *v >= 1.0 => vec![*v; mrio.sectors.len()],
            RawTau::One(_) => {
                return cx.err(
                    Some(tau.span()),
                    "model.inventory_restoration_tau",
                    "must be ≥ 1 step",
                );
            }
            RawTau::PerSector(plain) => {
                let t: BTreeMap<String, Spanned<f64>> = plain
                    .iter()
                    .map(|(k, v)| (k.clone(), Spanned::new(tau.span(), *v)))
                    .collect();
                let t = &t;
                let vals =
                    sector_table(cx, "model.inventory_restoration_tau", t, mrio, tau.span())?;
                let mut out = Vec::new();
                for v in vals {
                    if *v.get_ref() < 1.0 {
                        return cx.err(
                            Some(v.span()),
                            "model.inventory_restoration_tau",
                            "must be ≥ 1 step",
                        );
                    }
                    out.push(*v.get_ref());
                }
                out
            }
        };
    }
    if let Some(dict) = &m.inventory_dict {
        let vals = sector_table(
            cx,
            "model.inventory_dict",
            dict.get_ref(),
            mrio,
            dict.span(),
        )?;
        let mut out = Vec::new();
        for v in vals {
            out.push(match v.get_ref() {
                NumOrText::Num(d) if d.is_infinite() && *d > 0.0 => InventoryDays::Infinite,
                NumOrText::Num(d) if d.is_finite() && *d > 0.0 => InventoryDays::Days(*d),
                NumOrText::Text(t)
                    if ["inf", "Inf", "Infinity", "infinity"].contains(&t.as_str()) =>
                {
                    InventoryDays::Infinite
                }
                _ => {
                    return cx.err(
                        Some(v.span()),
                        "model.inventory_dict",
                        "must be a positive number of steps or \"inf\"",
                    );
                }
            });
        }
        p.inventory_days = Some(out);
    }
    if p.kind == ModelKind::Base {
        for (name, given) in [
            ("psi_param", m.psi_param.is_some()),
            (
                "inventory_restoration_tau",
                m.inventory_restoration_tau.is_some(),
            ),
        ] {
            if given {
                warnings.push(format!(
                    "{}: model.{name} is ignored under kind = \"base\"",
                    cx.path.display()
                ));
            }
        }
    }
    // The model's own checks (`ModelParams::check`, values that overflow this table), at
    // the key they name, so that the model refuses nothing the file was not told about.
    let n = mrio.n_industries();
    let checked = p
        .check(mrio.sectors.len(), n)
        .and_then(|()| p.check_headroom(mrio.largest_flow(p.steps_per_year), n));
    if let Err(SimError::Parameter { name, message }) = checked {
        let span = match name.as_str() {
            "alpha_base" => m.alpha_base.as_ref().map(|s| s.span()),
            "alpha_max" => m.alpha_max.as_ref().map(|s| s.span()),
            "alpha_tau" => m.alpha_tau.as_ref().map(|s| s.span()),
            "main_inv_dur" => m.main_inv_dur.as_ref().map(|s| s.span()),
            "psi_param" => m.psi_param.as_ref().map(|s| s.span()),
            "monetary_factor" => m.monetary_factor.as_ref().map(|s| s.span()),
            "inventory_dict" => m.inventory_dict.as_ref().map(|s| s.span()),
            "inventory_restoration_tau" => m.inventory_restoration_tau.as_ref().map(|s| s.span()),
            _ => None,
        };
        return cx.err(span, format!("model.{name}"), message);
    }
    checked?;
    Ok(p)
}

fn names_to_indices(
    cx: &Ctx<'_>,
    key: &str,
    one: &Option<Spanned<String>>,
    many: &Option<Spanned<Vec<String>>>,
    known: &[String],
) -> Result<Vec<usize>, SimError> {
    let noun = key.rsplit('.').next().unwrap_or(key);
    let (list, span): (Vec<String>, _) = match (one, many) {
        (Some(o), None) => (vec![o.get_ref().clone()], o.span()),
        (None, Some(m)) => (m.get_ref().clone(), m.span()),
        (Some(o), Some(_)) => {
            return cx.err(
                Some(o.span()),
                key,
                format!("give `{key}` or `{key}s`, not both"),
            );
        }
        (None, None) => return cx.err(None, key, format!("missing `{key}` (or `{key}s`)")),
    };
    let mut out = Vec::new();
    for name in list {
        match known.iter().position(|k| *k == name) {
            Some(i) => out.push(i),
            None => {
                return cx.err(
                    Some(span.clone()),
                    key,
                    format!(
                        "unknown {noun} `{name}`; expected one of {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// What events are checked against: the table, its `region|sector` labels and the
/// productive capital of its industries.
struct Table<'a> {
    mrio: &'a Mrio,
    industries: &'a [String],
    capital: &'a [f64],
}

fn event(
    cx: &Ctx<'_>,
    k: usize,
    ev: RawEvent,
    table: &Table<'_>,
    params: &ModelParams,
    steps: usize,
) -> Result<Event, SimError> {
    let Table {
        mrio,
        industries,
        capital,
    } = *table;
    let key = |f: &str| format!("event[{k}].{f}");
    let s = mrio.sectors.len();
    let kind_name = ev.kind.get_ref().as_str();
    let kind = match kind_name {
        "arbitrary" => EventKind::Arbitrary,
        "recover" => EventKind::Recover,
        "rebuild" => {
            let Some(tau) = &ev.rebuild_tau else {
                return cx.err(
                    Some(ev.kind.span()),
                    key("rebuild_tau"),
                    "a rebuild event needs `rebuild_tau` (steps)",
                );
            };
            if *tau.get_ref() < 1.0 {
                return cx.err(Some(tau.span()), key("rebuild_tau"), "must be ≥ 1 step");
            }
            let Some(sectors) = &ev.rebuilding_sectors else {
                return cx.err(
                    Some(ev.kind.span()),
                    key("rebuilding_sectors"),
                    "a rebuild event needs `rebuilding_sectors = { sector = share, … }`",
                );
            };
            let mut list = Vec::new();
            for (name, share) in sectors.get_ref() {
                let Some(i) = mrio.sectors.iter().position(|x| x == name) else {
                    return cx.err(
                        Some(share.span()),
                        key(&format!("rebuilding_sectors.{name}")),
                        format!(
                            "unknown sector; expected one of {}",
                            mrio.sectors.join(", ")
                        ),
                    );
                };
                if share.get_ref().is_nan() || *share.get_ref() < 0.0 {
                    return cx.err(
                        Some(share.span()),
                        key(&format!("rebuilding_sectors.{name}")),
                        "shares must be ≥ 0",
                    );
                }
                list.push((i, *share.get_ref()));
            }
            let total: f64 = list.iter().map(|(_, v)| v).sum();
            if (total - 1.0).abs() > 1e-9 {
                return cx.err(
                    Some(sectors.span()),
                    key("rebuilding_sectors"),
                    format!("shares sum to {total}; they must sum to 1"),
                );
            }
            let factor = ev
                .rebuilding_factor
                .as_ref()
                .map(|f| *f.get_ref())
                .unwrap_or(1.0);
            EventKind::Rebuild {
                rebuild_tau: *tau.get_ref(),
                rebuilding_sectors: list,
                rebuilding_factor: factor,
            }
        }
        other => return cx.err(
            Some(ev.kind.span()),
            key("kind"),
            format!(
                "unknown event kind `{other}`; expected \"arbitrary\", \"recover\" or \"rebuild\""
            ),
        ),
    };
    let mut impacts = Vec::new();
    match &ev.impact {
        None => return cx.err(None, key("impact"), "missing `impact`"),
        Some(spanned) => match spanned.get_ref() {
            RawImpact::One(v) => {
                let regions =
                    names_to_indices(cx, &key("region"), &ev.region, &ev.regions, &mrio.regions)?;
                let sectors =
                    names_to_indices(cx, &key("sector"), &ev.sector, &ev.sectors, &mrio.sectors)?;
                for r in &regions {
                    for p in &sectors {
                        impacts.push((r * s + p, *v));
                    }
                }
            }
            RawImpact::PerIndustry(t) => {
                for (label, v) in t {
                    let found = label.split_once('|').and_then(|(r, p)| {
                        Some((
                            mrio.regions.iter().position(|x| x == r)?,
                            mrio.sectors.iter().position(|x| x == p)?,
                        ))
                    });
                    let Some((r, p)) = found else {
                        return cx.err(
                            Some(spanned.span()),
                            key(&format!("impact.\"{label}\"")),
                            "unknown industry; keys are \"region|sector\"",
                        );
                    };
                    impacts.push((r * s + p, *v));
                }
            }
        },
    }
    let impact_span = ev.impact.as_ref().map(|i| i.span());
    let occurrence = *ev.occurrence.get_ref();
    if occurrence < 1 || occurrence as usize > steps {
        return cx.err(
            Some(ev.occurrence.span()),
            key("occurrence"),
            format!("{occurrence} is outside the horizon 1..={steps}"),
        );
    }
    let duration = ev.duration.as_ref().map(|d| *d.get_ref()).unwrap_or(1);
    if duration < 1 || (occurrence + duration) as usize > steps {
        return cx.err(
            ev.duration.as_ref().map(|d| d.span()),
            key("duration"),
            format!("occurrence + duration = {} must be within the horizon of {steps} steps (duration ≥ 1)", occurrence + duration),
        );
    }
    let recovery_tau = ev
        .recovery_tau
        .as_ref()
        .map(|d| *d.get_ref())
        .unwrap_or(1.0);
    if recovery_tau < 1.0 {
        return cx.err(
            ev.recovery_tau.as_ref().map(|d| d.span()),
            key("recovery_tau"),
            "must be ≥ 1 step",
        );
    }
    let recovery_function = match &ev.recovery_function {
        None => RecoveryFunction::Linear,
        Some(f) => match RecoveryFunction::parse(f.get_ref()) {
            Some(rf) => rf,
            None => {
                return cx.err(
                    Some(f.span()),
                    key("recovery_function"),
                    format!(
                        "unknown function; expected one of {}",
                        RecoveryFunction::NAMES.join(", ")
                    ),
                );
            }
        },
    };
    let emf = ev
        .event_monetary_factor
        .as_ref()
        .map(|f| *f.get_ref())
        .unwrap_or(params.monetary_factor);
    let event = Event {
        kind,
        impacts,
        occurrence: occurrence as usize,
        duration: duration as usize,
        recovery_tau,
        recovery_function,
        event_monetary_factor: emf,
    };
    // Impacts first, at their own key and position (`Event::check` repeats this unlocated).
    for &(i, v) in &event.impacts {
        if let Some(problem) = event.impact_problem(v, capital[i], params.monetary_factor) {
            return cx.err(
                impact_span.clone(),
                key("impact"),
                format!("{}: {problem}", industries[i]),
            );
        }
    }
    event
        .check(k, industries, s, steps, capital, params.monetary_factor)
        .or_else(|e| cx.err(Some(ev.kind.span()), format!("event[{k}]"), e.to_string()))?;
    Ok(event)
}

#[cfg(test)]
mod tests;
