//! Trade flow directions and reporting frequencies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Direction of a reported trade flow.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// Exports (Comtrade `X`).
    Export,
    /// Imports (Comtrade `M`).
    Import,
    /// Re-exports (Comtrade `RX`).
    ReExport,
    /// Re-imports (Comtrade `RM`).
    ReImport,
}

impl Flow {
    /// The canonical name used in tables and on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            Flow::Export => "export",
            Flow::Import => "import",
            Flow::ReExport => "re-export",
            Flow::ReImport => "re-import",
        }
    }
}

impl FromStr for Flow {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "export" | "exports" | "x" => Ok(Flow::Export),
            "import" | "imports" | "m" => Ok(Flow::Import),
            "re-export" | "reexport" | "re_export" | "rx" => Ok(Flow::ReExport),
            "re-import" | "reimport" | "re_import" | "rm" => Ok(Flow::ReImport),
            _ => Err(ModelError::Flow {
                found: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reporting frequency of a series.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
pub enum Frequency {
    /// Monthly (`M`); combined months such as China's January–February count as monthly.
    #[serde(rename = "M")]
    Monthly,
    /// Annual (`A`).
    #[serde(rename = "A")]
    Annual,
}

impl Frequency {
    /// `M` or `A`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Frequency::Monthly => "M",
            Frequency::Annual => "A",
        }
    }
}

impl FromStr for Frequency {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" | "MONTHLY" => Ok(Frequency::Monthly),
            "A" | "Y" | "ANNUAL" => Ok(Frequency::Annual),
            _ => Err(ModelError::Frequency {
                found: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
