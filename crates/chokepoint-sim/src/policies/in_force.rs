//! The assumptions a policy scenario runs under, listed for its results: every number of
//! the bundled chain the data do not give, with the value used and whether the scenario
//! set it. A report's loss and halt dates follow from them (a 45-day magnet stock nobody
//! set), and neither `summary.json` nor the HTML report listed them (procurement review).

use serde::Serialize;

use super::Draw;
use super::dist::ParamKind;
use super::scenario::PolicyScenario;
use crate::network::assumptions::ASSUMPTIONS;

/// One assumption as the runs used it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssumptionInForce {
    /// Key, as in `[assumptions]` and `chokepoint network describe`.
    pub key: String,
    /// Unit of the value.
    pub unit: String,
    /// The value (the central one of a distribution, which each run draws from).
    pub value: f64,
    /// `default` (the table's, `docs/scenario.md`) or `scenario` (its `[assumptions]`).
    pub set_by: &'static str,
    /// The distribution the runs draw it from, when the scenario gives one.
    pub distribution: Option<String>,
}

/// Every assumption of the table with what `scenario` makes of it, in table order.
pub fn assumptions_in_force(scenario: &PolicyScenario) -> Vec<AssumptionInForce> {
    let central = Draw::central(scenario).assumptions;
    ASSUMPTIONS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let given = scenario.assumptions.iter().find(|(k, _)| *k == i);
            AssumptionInForce {
                key: a.key.to_string(),
                unit: a.unit.to_string(),
                value: central.0[i],
                set_by: if given.is_some() {
                    "scenario"
                } else {
                    "default"
                },
                distribution: given.and_then(|(_, p)| describe(&p.kind)),
            }
        })
        .collect()
}

/// A distribution in words ("triangular 0.5 / 0.7 / 0.9"); `None` for a fixed value.
fn describe(kind: &ParamKind) -> Option<String> {
    match kind {
        ParamKind::Fixed(_) => None,
        ParamKind::Uniform { min, max } => Some(format!("uniform {min} to {max}")),
        ParamKind::Triangular { min, mode, max } => Some(format!(
            "triangular {min} / {mode} / {max} (min / mode / max)"
        )),
        ParamKind::Normal { mean, sd } => Some(format!("normal, mean {mean}, sd {sd}")),
        ParamKind::LogNormal { mu, sigma } => Some(format!(
            "lognormal, mu {mu}, sigma {sigma} (of the logarithm)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::chain::REGIONS;
    use crate::policies::scenario::ScenarioFile;

    #[test]
    fn defaults_and_the_scenarios_values_are_told_apart() {
        let toml = "[chain]\nstart = \"2025-04-01\"\ndays = 30\n[assumptions]\n\
                    inventory_days_defense = 90\n\
                    non_china_magnet_japan_share = { dist = \"triangular\", min = 0.5, mode = 0.6, max = 0.9 }\n\
                    [[export_control]]\nname = \"c\"\nexporter = \"CHN\"\nproducts = [\"magnets\"]\n\
                    destinations = \"all\"\nstart = \"2025-04-04\"\napproval_share = 0.5\n";
        let regions: Vec<String> = REGIONS.iter().map(|r| r.to_string()).collect();
        let s = ScenarioFile::parse(std::path::Path::new("s.toml"), toml)
            .unwrap()
            .check(&regions)
            .unwrap();
        let all = assumptions_in_force(&s);
        assert_eq!(all.len(), ASSUMPTIONS.len());
        let get = |k: &str| all.iter().find(|a| a.key == k).unwrap();
        assert_eq!(get("inventory_days_defense").value, 90.0);
        assert_eq!(get("inventory_days_defense").set_by, "scenario");
        assert_eq!(get("inventory_days_defense").distribution, None);
        let split = get("non_china_magnet_japan_share");
        assert_eq!((split.value, split.set_by), (0.6, "scenario"));
        assert!(
            split
                .distribution
                .as_deref()
                .unwrap()
                .starts_with("triangular 0.5 / 0.6 / 0.9")
        );
        let stock = get("inventory_days_ev_traction_motors");
        assert_eq!((stock.value, stock.set_by), (30.0, "default"));
    }
}
