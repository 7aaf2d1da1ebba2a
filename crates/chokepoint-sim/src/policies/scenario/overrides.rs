//! Overrides of a scenario's values from outside the file (the HTTP API's `days` and
//! `approval_share`). They are written into the parsed table *before* the checks, so an
//! overridden value meets exactly the checks and messages a value typed in the file would
//! (a horizon above the maximum, a control that would never act within it).

use super::ScenarioFile;

impl ScenarioFile {
    /// Sets `chain.days`.
    pub fn override_days(&mut self, days: u64) {
        let chain = self
            .table
            .entry("chain")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let toml::Value::Table(chain) = chain {
            // Above i64::MAX cannot be a horizon; the check refuses the saturated value.
            let days = i64::try_from(days).unwrap_or(i64::MAX);
            chain.insert("days".into(), toml::Value::Integer(days));
        }
    }

    /// Sets the `approval_share` of every `[[export_control]]` to a fixed value.
    pub fn override_approval_share(&mut self, share: f64) {
        if let Some(toml::Value::Array(controls)) = self.table.get_mut("export_control") {
            for c in controls {
                if let toml::Value::Table(c) = c {
                    c.insert("approval_share".into(), toml::Value::Float(share));
                }
            }
        }
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
        let e = check(|f| f.override_days(1)).unwrap_err();
        assert!(e.contains("export_control[0].start"), "{e}");
        assert!(e.contains("after the simulated days end"), "{e}");
        let e = check(|f| f.override_days(36_501)).unwrap_err();
        assert!(e.contains("chain.days"), "{e}");
        let e = check(|f| f.override_approval_share(1.5)).unwrap_err();
        assert!(e.contains("approval_share"), "{e}");
        let s = check(|f| {
            f.override_days(30);
            f.override_approval_share(0.1);
        })
        .unwrap();
        assert_eq!(s.days, 30);
        assert_eq!(s.controls[0].approval_share.central(), 0.1);
    }
}
