//! Supply-chain stages of a mineral, from the mine to the using industry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A stage of the rare-earth (or any critical-mineral) chain, upstream first.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Ore and concentrate.
    Mining,
    /// Separation and refining into oxides and compounds.
    Separation,
    /// Metals and alloys.
    Metal,
    /// Permanent magnets (NdFeB, SmCo).
    Magnets,
    /// Components and using industries.
    Components,
}

const ALLOWED: &str = "mining, separation, metal, magnets, components";

impl Stage {
    /// All stages, upstream first.
    pub const ALL: [Stage; 5] = [
        Stage::Mining,
        Stage::Separation,
        Stage::Metal,
        Stage::Magnets,
        Stage::Components,
    ];

    /// The canonical name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Mining => "mining",
            Stage::Separation => "separation",
            Stage::Metal => "metal",
            Stage::Magnets => "magnets",
            Stage::Components => "components",
        }
    }

    /// The traded stage of an HS code of the rare-earth chain: a code within one of the
    /// chain's rare-earth lines (`hs_codes.csv`: China's ten-digit 8505111000) or the heading
    /// or subheading above one (8505). A sibling line of the same heading names none (8505.20
    /// is couplings and brakes, 8505.19 ferrite magnets, 2805.11 sodium): a four-digit prefix
    /// had made them controls of the chain's stages. The one rule for `simulate`'s products
    /// and `exposure`'s.
    pub fn of_rare_earth_hs(code: &crate::HsCode) -> Option<Stage> {
        const LINES: [(&str, Stage); 7] = [
            ("253090", Stage::Mining),
            ("261220", Stage::Mining),
            ("2846", Stage::Separation),
            ("280530", Stage::Metal),
            ("360690", Stage::Metal),
            ("720299", Stage::Metal),
            ("850511", Stage::Magnets),
        ];
        let c = code.as_str();
        LINES
            .iter()
            .find(|(line, _)| c.starts_with(line) || line.starts_with(c))
            .map(|(_, stage)| *stage)
    }

    /// Maps the stage labels the bundled sources use (`separation_refining`,
    /// `magnet_manufacturing`, `metal & alloy`, `refining (oxide)`, …) to a stage.
    pub fn from_source_label(label: &str) -> Option<Stage> {
        let l = label.to_ascii_lowercase();
        if l.starts_with("mining") || l.contains("ore/concentrate") {
            Some(Stage::Mining)
        } else if l.contains("magnet") {
            Some(Stage::Magnets)
        } else if l.contains("metal") || l.contains("alloy") {
            Some(Stage::Metal)
        } else if l.contains("separation") || l.contains("refining") || l.contains("processing") {
            Some(Stage::Separation)
        } else if l.contains("component") || l.contains("product") {
            Some(Stage::Components)
        } else {
            None
        }
    }
}

impl FromStr for Stage {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mining" | "mine" => Ok(Stage::Mining),
            "separation" | "refining" | "processing" => Ok(Stage::Separation),
            "metal" | "metals" | "alloy" => Ok(Stage::Metal),
            "magnets" | "magnet" => Ok(Stage::Magnets),
            "components" | "industries" => Ok(Stage::Components),
            _ => Err(ModelError::Stage {
                found: s.to_string(),
                allowed: ALLOWED,
            }),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_labels_map_to_stages() {
        assert_eq!(
            Stage::from_source_label("separation_refining"),
            Some(Stage::Separation)
        );
        assert_eq!(
            Stage::from_source_label("magnet_manufacturing"),
            Some(Stage::Magnets)
        );
        assert_eq!(
            Stage::from_source_label("metal & alloy"),
            Some(Stage::Metal)
        );
        assert_eq!(
            Stage::from_source_label("mining (ore/concentrate)"),
            Some(Stage::Mining)
        );
        assert!("magnet".parse::<Stage>().is_ok());
        assert!(format!("{}", "x".parse::<Stage>().unwrap_err()).contains("mining, separation"));
    }
}
