//! Overrides of a scenario's values from outside the file (the HTTP API's `days` and
//! `approval_share`). They are written into the parsed table *before* the checks, so an
//! overridden value meets exactly the checks and messages a value typed in the file would
//! (a horizon above the maximum, a control that would never act within it).

use super::{INSTRUMENT_KEYS, ScenarioFile};
use crate::date::Date;
use crate::scenario::MAX_STEPS;

impl ScenarioFile {
    /// Sets `chain.days`: the first `days` days of the scenario. An instrument that starts
    /// (or is commissioned) after them cannot act in so short a run, so it is left out,
    /// not refused as it would be in a file: the dashboard's "simulated days" asks for the
    /// beginning of a scenario. Returns a note per instrument left out.
    pub fn override_days(&mut self, days: u64) -> Vec<String> {
        let chain = self
            .table
            .entry("chain")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(chain) = chain else {
            return Vec::new();
        };
        // Above i64::MAX cannot be a horizon; the check refuses the saturated value.
        let horizon = i64::try_from(days).unwrap_or(i64::MAX);
        chain.insert("days".into(), toml::Value::Integer(horizon));
        let start = chain
            .get("start")
            .and_then(toml::Value::as_str)
            .and_then(|s| s.parse::<Date>().ok());
        let Some(start) = start.filter(|_| horizon <= MAX_STEPS) else {
            // The checks report a missing start or a horizon above the maximum.
            return Vec::new();
        };
        let after = start.plus_days(horizon);
        let mut notes = Vec::new();
        for key in INSTRUMENT_KEYS {
            let Some(toml::Value::Array(items)) = self.table.get_mut(key) else {
                continue;
            };
            let mut index = 0;
            items.retain(|item| {
                let at = index;
                index += 1;
                let begins = ["start", "commissioning"]
                    .into_iter()
                    .find_map(|k| item.get(k)?.as_str()?.parse::<Date>().ok());
                match begins {
                    Some(date) if date >= after => {
                        let name = item.get("name").and_then(toml::Value::as_str);
                        notes.push(format!(
                            "{key}[{at}]{} begins {date}, after the {days} simulated days \
                             (to {}): left out of this run",
                            name.map_or(String::new(), |n| format!(" ({n})")),
                            after.plus_days(-1)
                        ));
                        false
                    }
                    _ => true,
                }
            });
        }
        notes
    }

    /// Sets the `approval_share` of every `[[export_control]]` to a fixed value.
    ///
    /// Returns a note when the scenario has no export control for it to apply to: the
    /// override was dropped without a word (adversarial review).
    pub fn override_approval_share(&mut self, share: f64) -> Option<String> {
        let mut applied = 0;
        if let Some(toml::Value::Array(controls)) = self.table.get_mut("export_control") {
            for c in controls {
                if let toml::Value::Table(c) = c {
                    c.insert("approval_share".into(), toml::Value::Float(share));
                    applied += 1;
                }
            }
        }
        (applied == 0).then(|| {
            format!(
                "approval_share = {share} applies to no instrument: the scenario has no \
                 [[export_control]]"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::NetworkInput;
    use crate::network::chain::tests::sample_facts;

    const TEXT: &str = "[chain]\nstart = \"2025-04-01\"\ndays = 120\n\
        [[export_control]]\nname = \"c\"\nexporter = \"CHN\"\nproducts = [\"magnets\"]\n\
        destinations = \"all\"\nstart = \"2025-04-04\"\napproval_share = 0.3\n";

    fn check(f: impl FnOnce(&mut ScenarioFile)) -> Result<super::super::PolicyScenario, String> {
        let mut file = ScenarioFile::parse(std::path::Path::new("s.toml"), TEXT).unwrap();
        f(&mut file);
        file.check_chain(&NetworkInput::Bundled(sample_facts()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn overrides_meet_the_checks_of_the_file() {
        // The first day only: the control, from day 4 on, is left out with a note.
        let mut notes = Vec::new();
        let s = check(|f| notes = f.override_days(1)).unwrap();
        assert!(s.controls.is_empty());
        assert_eq!(
            notes,
            [
                "export_control[0] (c) begins 2025-04-04, after the 1 simulated days (to \
              2025-04-01): left out of this run"
            ]
        );
        let e = check(|f| {
            f.override_days(36_501);
        })
        .unwrap_err();
        assert!(e.contains("chain.days"), "{e}");
        let e = check(|f| {
            f.override_approval_share(1.5);
        })
        .unwrap_err();
        assert!(e.contains("approval_share"), "{e}");
        let s = check(|f| {
            assert!(f.override_days(30).is_empty());
            assert_eq!(f.override_approval_share(0.1), None);
        })
        .unwrap();
        assert_eq!(s.days, 30);
        assert_eq!(s.controls[0].approval_share.central(), 0.1);
        // A scenario without a control: the override applies to nothing, and says so.
        let mut none = ScenarioFile::parse(
            std::path::Path::new("d.toml"),
            "[chain]\nstart = \"2025-04-01\"\ndays = 30\n",
        )
        .unwrap();
        let note = none.override_approval_share(0.5).unwrap();
        assert!(note.contains("no [[export_control]]"), "{note}");
    }
}
