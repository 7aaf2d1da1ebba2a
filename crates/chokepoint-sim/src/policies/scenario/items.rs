//! The typed reading of one scenario table: each accessor checks a key and fails with the
//! file and the dotted key path.

use std::path::Path;

use super::super::dist::Param;
use crate::SimError;
use crate::date::Date;
use crate::network::chain::{Industry, STAGES};

/// What every table of one scenario file is checked against.
pub(super) struct Cx<'a> {
    pub(super) file: &'a Path,
    /// The file's text, to point errors at the line and column of their key.
    pub(super) text: &'a str,
    /// Sector names of an MRIO network; `None` for the rare-earth chain.
    pub(super) products: Option<&'a [String]>,
}

impl Cx<'_> {
    pub(super) fn product(&self, s: &str) -> Option<usize> {
        match self.products {
            Some(names) => names.iter().position(|n| n == s.trim()),
            None => stage_of_product(s),
        }
    }

    pub(super) fn unknown_product(&self, s: &str) -> String {
        match self.products {
            Some(names) => format!("unknown sector `{s}`; the MRIO has {}", names.join(", ")),
            None => unknown_product(s),
        }
    }
}

impl Cx<'_> {
    pub(super) fn err(&self, key: &str, message: &str) -> SimError {
        SimError::Scenario {
            path: self.file.to_path_buf(),
            location: chokepoint_model::toml_locate(self.text, key),
            key: key.to_string(),
            message: message.to_string(),
        }
    }
}

/// One table of the scenario with its key path, for error messages.
pub(super) struct Item<'a> {
    pub(super) cx: &'a Cx<'a>,
    pub(super) path: String,
    pub(super) table: &'a toml::Table,
}

impl Item<'_> {
    pub(super) fn err(&self, key: &str, message: &str) -> SimError {
        self.cx.err(&format!("{}.{key}", self.path), message)
    }

    pub(super) fn only(&self, allowed: &[&str]) -> Result<(), SimError> {
        match self.table.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.err(
                k,
                &format!("unknown key; expected one of {}", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    pub(super) fn string(&self, key: &str) -> Result<String, SimError> {
        match self.table.get(key) {
            Some(toml::Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.err(key, "expected a string")),
            None => Err(self.err(key, "missing")),
        }
    }

    pub(super) fn date(&self, key: &str) -> Result<Date, SimError> {
        let s = match self.table.get(key) {
            Some(toml::Value::String(s)) => s.clone(),
            Some(toml::Value::Datetime(d)) => d.to_string(),
            Some(_) => return Err(self.err(key, "expected a date \"YYYY-MM-DD\"")),
            None => return Err(self.err(key, "missing; expected a date \"YYYY-MM-DD\"")),
        };
        s.parse()
            .map_err(|e: crate::date::DateError| self.err(key, &e.to_string()))
    }

    /// `start` and the optional `end` of an instrument, which must overlap the simulated
    /// days `[first, after)`: one that never acts is a mistake (a date typed wrong, or a
    /// horizon too short), as an ARIO event outside its horizon is.
    pub(super) fn span(
        &self,
        (first, after): (Date, Date),
    ) -> Result<(Date, Option<Date>), SimError> {
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
        self.not_after_horizon("start", start, after)?;
        if let Some(end) = end
            && end <= first
        {
            return Err(self.err(
                "end",
                &format!(
                    "ends {end}, before the simulation starts ({first}); move chain.start \
                     or correct the date"
                ),
            ));
        }
        Ok((start, end))
    }

    /// A date an instrument starts acting (`start`, `commissioning`), which must fall on a
    /// simulated day or before: one after the last simulated day can never act.
    pub(super) fn date_in_horizon(
        &self,
        key: &str,
        (_, after): (Date, Date),
    ) -> Result<Date, SimError> {
        let date = self.date(key)?;
        self.not_after_horizon(key, date, after)?;
        Ok(date)
    }

    fn not_after_horizon(&self, key: &str, date: Date, after: Date) -> Result<(), SimError> {
        let last = after.plus_days(-1);
        if date > last {
            return Err(self.err(
                key,
                &format!(
                    "{key} {date} is after the simulated days end ({last}), so it can never \
                     act; lengthen chain.days or correct the date"
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn opt_num(&self, key: &str, lo: f64, hi: f64) -> Result<Option<f64>, SimError> {
        // An integer is shown as written: `9223372036854775807` read as an f64 was shown
        // as 9.223372036854776e18.
        let (v, shown) = match self.table.get(key) {
            None => return Ok(None),
            Some(toml::Value::Integer(i)) => (*i as f64, i.to_string()),
            Some(toml::Value::Float(f)) => (*f, crate::model::readable(*f)),
            Some(_) => return Err(self.err(key, "expected a number")),
        };
        if !(lo..=hi).contains(&v) {
            return Err(self.err(key, &format!("{shown} is outside [{lo}, {hi}]")));
        }
        Ok(Some(v))
    }

    pub(super) fn param(&self, key: &str, lo: f64, hi: f64) -> Result<Param, SimError> {
        self.opt_param(key, lo, hi)?
            .ok_or_else(|| self.err(key, "missing"))
    }

    pub(super) fn opt_param(&self, key: &str, lo: f64, hi: f64) -> Result<Option<Param>, SimError> {
        self.table
            .get(key)
            .map(|v| Param::from_toml(v, lo, hi).map_err(|m| self.err(key, &m)))
            .transpose()
    }

    pub(super) fn region_code(
        &self,
        key: &str,
        code: &str,
        regions: &[String],
    ) -> Result<usize, SimError> {
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

    pub(super) fn region(&self, key: &str, regions: &[String]) -> Result<usize, SimError> {
        let s = self.string(key)?;
        self.region_code(key, &s, regions)
    }

    pub(super) fn region_list(
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
    pub(super) fn regions_or_all(
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

    pub(super) fn industries(&self, key: &str) -> Result<Vec<bool>, SimError> {
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

    pub(super) fn stage(&self, key: &str) -> Result<usize, SimError> {
        let s = self.string(key)?;
        self.cx
            .product(&s)
            .ok_or_else(|| self.err(key, &self.cx.unknown_product(&s)))
    }

    pub(super) fn products(&self, key: &str) -> Result<Vec<usize>, SimError> {
        let items: Vec<String> = match self.table.get(key) {
            Some(toml::Value::String(s)) => vec![s.clone()],
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect(),
            Some(_) => return Err(self.err(key, "expected a list of stage names or HS codes")),
            None => return Err(self.err(key, "missing; e.g. products = [\"magnets\", \"metal\"]")),
        };
        if items.is_empty() {
            return Err(self.err(key, "empty; list at least one, e.g. [\"magnets\"]"));
        }
        let mut stages = Vec::new();
        for s in &items {
            let st = self
                .cx
                .product(s)
                .ok_or_else(|| self.err(key, &self.cx.unknown_product(s)))?;
            if !stages.contains(&st) {
                stages.push(st);
            }
        }
        stages.sort_unstable();
        Ok(stages)
    }
}

/// HS headings of the rare-earth chain and the stage they belong to (hs_codes.csv).
/// The traded stage of a product given as a stage name or an HS code (`8505.11`).
pub fn stage_of_product(s: &str) -> Option<usize> {
    if let Some(i) = STAGES.iter().position(|st| *st == s.trim()) {
        return Some(i);
    }
    if let Ok(stage) = s.parse::<chokepoint_model::Stage>() {
        return STAGES.iter().position(|st| *st == stage.as_str());
    }
    let hs = s.parse::<chokepoint_model::HsCode>().ok()?;
    let stage = chokepoint_model::Stage::of_rare_earth_hs(&hs)?;
    STAGES.iter().position(|st| *st == stage.as_str())
}

fn unknown_product(s: &str) -> String {
    format!(
        "unknown product `{s}`; expected a stage ({}) or a rare-earth HS code (2530.90, 2612.20, 2846, 2805.30, 3606.90, 7202.99, 8505.11, or a line within one)",
        STAGES.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::stage_of_product;

    /// A code names a stage within its rare-earth line or as the heading above it; a
    /// sibling line of the same heading names none (it had controlled magnets).
    #[test]
    fn hs_codes_name_a_stage_only_within_or_above_its_rare_earth_line() {
        for (code, stage) in [
            ("8505.11", Some(3)),
            ("8505111000", Some(3)),
            ("8505", Some(3)),
            ("2846.90", Some(1)),
            ("2805.30", Some(2)),
            ("2530.90", Some(0)),
            ("magnets", Some(3)),
            ("8505.20", None),
            ("8505.19", None),
            ("8505.99", None),
            ("2805.11", None),
        ] {
            assert_eq!(stage_of_product(code), stage, "{code}");
        }
    }
}
