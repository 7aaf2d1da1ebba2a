//! The scenario file as written, with spans for error locations.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub network: Option<RawNetwork>,
    pub model: Option<RawModel>,
    pub simulation: Option<RawSimulation>,
    #[serde(default)]
    pub event: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNetwork {
    pub mrio: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    pub kind: Option<Spanned<String>>,
    pub order_type: Option<Spanned<String>>,
    pub alpha_base: Option<Spanned<f64>>,
    pub alpha_max: Option<Spanned<f64>>,
    pub alpha_tau: Option<Spanned<f64>>,
    pub main_inv_dur: Option<Spanned<f64>>,
    pub psi_param: Option<Spanned<f64>>,
    pub inventory_restoration_tau: Option<Spanned<RawTau>>,
    pub monetary_factor: Option<Spanned<f64>>,
    pub inventory_dict: Option<Spanned<BTreeMap<String, Spanned<NumOrText>>>>,
    pub numerics: Option<Spanned<String>>,
    pub storage: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "a number of steps, or a table of them per sector"
)]
pub(super) enum RawTau {
    One(f64),
    // Untagged enums buffer their content, so inner values cannot carry spans.
    PerSector(BTreeMap<String, f64>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, expecting = "a number or a text such as \"inf\"")]
pub(super) enum NumOrText {
    Num(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSimulation {
    pub steps: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEvent {
    pub kind: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub regions: Option<Spanned<Vec<String>>>,
    pub sector: Option<Spanned<String>>,
    pub sectors: Option<Spanned<Vec<String>>>,
    pub impact: Option<Spanned<RawImpact>>,
    pub occurrence: Spanned<i64>,
    pub duration: Option<Spanned<i64>>,
    pub recovery_tau: Option<Spanned<f64>>,
    pub recovery_function: Option<Spanned<String>>,
    pub rebuild_tau: Option<Spanned<f64>>,
    pub rebuilding_sectors: Option<Spanned<BTreeMap<String, Spanned<f64>>>>,
    pub rebuilding_factor: Option<Spanned<f64>>,
    pub event_monetary_factor: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "a number (capacity share, or money destroyed for capital events), or a table of them per industry, e.g. { \"reg3|mining\" = 0.3 }"
)]
pub(super) enum RawImpact {
    One(f64),
    PerIndustry(BTreeMap<String, f64>),
}
