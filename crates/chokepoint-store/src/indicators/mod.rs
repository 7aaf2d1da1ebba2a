//! Indicators computed from warehouse facts. Each returns plain `Serialize` rows: the
//! server turns them into JSON, the CLI into tables.
//!
//! Trade indicators share [`series`]: fetch one reporter/flow/product from the warehouse,
//! then apply the rules that keep sources from adding up (see there). Exposure indicators
//! (concentration, shares, exposure, criticality) are pure formulas over plain rows, checked
//! against hand-computed cases, fed by the queries in [`supply_facts`].

pub mod anomalies;
pub mod concentration;
mod cover;
pub mod criticality;
pub mod exposure;
pub mod params;
pub mod partners;
pub mod periods;
pub mod report;
pub mod series;
pub mod shares;
mod spans;
pub mod supply_facts;
pub mod trends;

pub use series::FlowQuery;

use std::fmt;

use serde::Serialize;

/// An indicator that could not be computed because inputs are missing.
///
/// Displayed as `not computable: needs X, Y`, the wording every command prints in place of a
/// number, so a missing input is never mistaken for a zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotComputable {
    /// The missing inputs, each named so the user knows what to add and where.
    pub needs: Vec<String>,
}

impl NotComputable {
    /// Missing `needs`.
    pub fn needs<S: Into<String>>(needs: impl IntoIterator<Item = S>) -> NotComputable {
        NotComputable {
            needs: needs.into_iter().map(Into::into).collect(),
        }
    }
}

impl NotComputable {
    /// As a [`Figure`].
    pub fn into_figure(self) -> Figure {
        Err(self).into()
    }
}

impl fmt::Display for NotComputable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not computable: needs {}", self.needs.join("; "))
    }
}

impl std::error::Error for NotComputable {}

/// A figure that is either a number or "not computable: needs …".
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    /// The computed value.
    Value(f64),
    /// Why there is no value.
    NotComputable {
        /// "not computable: needs …".
        not_computable: String,
    },
}

impl Figure {
    /// The value, if computed.
    pub fn value(&self) -> Option<f64> {
        match self {
            Figure::Value(v) => Some(*v),
            Figure::NotComputable { .. } => None,
        }
    }

    /// The text shown in tables: the number with `decimals` places, or the reason.
    pub fn display(&self, decimals: usize) -> String {
        match self {
            Figure::Value(v) => format!("{v:.decimals$}"),
            Figure::NotComputable { not_computable } => not_computable.clone(),
        }
    }
}

impl From<Result<f64, NotComputable>> for Figure {
    fn from(r: Result<f64, NotComputable>) -> Figure {
        match r {
            Ok(v) => Figure::Value(v),
            Err(e) => Figure::NotComputable {
                not_computable: e.to_string(),
            },
        }
    }
}

/// `2140.0` → "2,140", `8360.5` → "8,360.5": tonnes as analysts write them.
pub fn thousands(v: f64) -> String {
    let text = if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(2140.0), "2,140");
        assert_eq!(thousands(8360.5), "8,360.5");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }
}
