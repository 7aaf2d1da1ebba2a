//! Every number of the bundled rare-earth chain that the data do not give, declared once.
//!
//! The table [`ASSUMPTIONS`] is the single source: `chokepoint network describe` lists it,
//! scenarios override entries by key in their `[assumptions]` table (a fixed number or a
//! distribution), and `docs/scenario.md` is generated from it by [`markdown_table`] (a test
//! keeps the file in sync).

/// One named assumption: key, unit, default, allowed range and why the default was chosen.
#[derive(Debug, Clone, Copy)]
pub struct Assumption {
    /// Key used in scenario files (`[assumptions]`) and in `network describe`.
    pub key: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// Default value.
    pub default: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Where the default comes from and why it is reasonable.
    pub reasoning: &'static str,
}

macro_rules! assumptions {
    ($( $variant:ident => $key:literal, $unit:literal, $default:expr, [$min:expr, $max:expr], $why:literal; )*) => {
        /// Index of an assumption in [`ASSUMPTIONS`] (and in an [`AssumptionValues`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Key {
            $(
                #[doc = $why]
                $variant,
            )*
        }

        /// The table of assumptions, in [`Key`] order.
        pub const ASSUMPTIONS: &[Assumption] = &[
            $( Assumption { key: $key, unit: $unit, default: $default, min: $min, max: $max, reasoning: $why }, )*
        ];
    };
}

assumptions! {
    InventoryDaysSeparation => "inventory_days_separation", "days of input use", 60.0, [1.0, 730.0],
        "Ore/concentrate stock held by separation plants. Concentrate ships in bulk a few times a year; two months of feed is a common working stock. No figure in the bundled data.";
    InventoryDaysMetal => "inventory_days_metal", "days of input use", 45.0, [1.0, 730.0],
        "Oxide stock held by metal/alloy makers. Assumed one and a half months; no figure in the bundled data.";
    InventoryDaysMagnets => "inventory_days_magnets", "days of input use", 45.0, [1.0, 730.0],
        "Metal/alloy stock held by magnet makers. Assumed one and a half months; no figure in the bundled data.";
    InventoryDaysEvTraction => "inventory_days_ev_traction_motors", "days of input use", 30.0, [1.0, 730.0],
        "Magnet stock of EV traction-motor makers. Automotive supply chains run lean. Assumed one month; no figure in the bundled data. The value was chosen with press reports of European auto-parts line stoppages in late May and June 2025 in mind, which no bundled source records: the dates at which the model's EV-traction output falls follow from this assumption and are not a validation against those stoppages.";
    InventoryDaysWind => "inventory_days_wind_turbines", "days of input use", 60.0, [1.0, 730.0],
        "Magnet stock of wind-generator makers: project-based, larger batches bought ahead. Assumed two months.";
    InventoryDaysElectronics => "inventory_days_consumer_electronics", "days of input use", 30.0, [1.0, 730.0],
        "Magnet stock of consumer-electronics component makers: small magnets, fast turnover. Assumed one month.";
    InventoryDaysDefense => "inventory_days_defense", "days of input use", 120.0, [1.0, 730.0],
        "Magnet stock of defense suppliers: qualified parts bought in long lots and strategic stocks. Assumed four months.";
    InventoryDaysIndustrial => "inventory_days_industrial_motors", "days of input use", 45.0, [1.0, 730.0],
        "Magnet stock of industrial-motor, pump and appliance makers. Assumed one and a half months.";
    InventoryDaysOther => "inventory_days_other", "days of input use", 45.0, [1.0, 730.0],
        "Magnet stock of all other users. Assumed one and a half months.";
    ProductionCutInventoryShare => "production_cut_inventory_share", "share of target stock", 0.1, [0.0, 1.0],
        "ARIO psi: production is cut only once an input stock falls below this share of its target (inventory days x use). 0.1 means plants run normally on their buffer and cut output in the last tenth of it.";
    RestoreDays => "restore_days", "days", 30.0, [1.0, 365.0],
        "Time over which a buyer orders back the gap between its target and actual stock (ARIO tau_inv). One month is the usual restocking cycle.";
    SwitchingDays => "switching_days", "days", 120.0, [1.0, 3650.0],
        "Time constant with which buyers move orders toward suppliers that deliver (ARIO alt weights, extended), and qualify producers they did not buy from (or new plants) while their usual suppliers fail them. Qualifying a new magnet or alloy supplier (automotive PPAP) takes months; four months is the assumed mean.";
    SpareCapacityShare => "spare_capacity_share", "share of baseline output", 0.10, [0.0, 5.0],
        "Extra output any producer can reach above its baseline when orders exceed it (ARIO alpha_max - 1); what a producer can sell to buyers it did not serve at baseline. Ten percent is typical plant slack; the bundled data have no utilisation figures.";
    ControlEnforcementLagDays => "control_enforcement_lag_days", "days", 14.0, [0.0, 120.0],
        "Days after a control's start during which shipments already contracted, declared or in transit still clear customs. China's magnet exports were 2,628 t in April 2025 (china_exports_monthly.csv; a derived figure, May's reported 1,238 t divided by one minus its -52.9 % month-on-month change, not a reported one), about 54 % of the 2024 monthly rate, although licences were required from 4 April: about two weeks of normal flow.";
    SeparationRecovery => "separation_recovery", "t oxide per t REO in concentrate", 0.90, [0.05, 1.0],
        "Share of rare-earth oxide in concentrate recovered as separated oxide. Assumed 90 %; no figure in the bundled data.";
    MetalYield => "metal_yield", "t metal per t oxide (REO basis)", 0.95, [0.05, 1.0],
        "Yield of oxide-to-metal reduction on an REO basis. Assumed 95 %.";
    MagnetReContent => "magnet_re_content", "t rare-earth metal per t magnet", 0.30, [0.05, 1.0],
        "Rare-earth mass fraction of an NdFeB magnet: about 30 % (end_uses.csv, Heim & Vander Wal 2023, Minerals 13(10):1274).";
    MagnetYield => "magnet_yield", "t finished magnet per t alloy charged", 0.80, [0.05, 1.0],
        "Share of alloy that ends up in finished sintered magnets after grinding and machining losses. Assumed 80 %.";
    ChinaDomesticMagnetShare => "china_domestic_magnet_share", "share of China's magnet output", 0.75, [0.0, 0.99],
        "Share of China's NdFeB output used inside China; the rest is exported: 58,152 t in 2024 by Adamas' annual figure, which also counts permanent-magnet alloys (the monthly customs series is tariff line 85051110 alone). Assumed three quarters: the bundled data give exports and China's 90-94 % share of world magnet output, not its total output.";
    NonChinaMagnetJapanShare => "non_china_magnet_japan_share", "share of non-China magnet output", 0.92, [0.0, 1.0],
        "Share of the magnet output outside China made in Japan (which stands for every maker outside China and the EU); the rest is made in the EU. North America and Europe together make under 2,000 t of NdFeB magnets a year (end_uses.csv, Adamas Intelligence), so the EU makes at most 8 % of the chain's roughly 24,000 t outside China: 0.92 is the most EU output that figure allows.";
    EndUseWindShare => "end_use_wind_share", "share of magnet demand", 0.10, [0.0, 1.0],
        "Share of magnet demand from wind turbines, used when the data give no figure. Assumed 10 %.";
    EndUseDefenseShare => "end_use_defense_share", "share of magnet demand", 0.03, [0.0, 1.0],
        "Share of magnet demand from defense, used when the data give no figure. Assumed 3 %.";
    EndUseIndustrialShare => "end_use_industrial_motors_share", "share of magnet demand", 0.25, [0.0, 1.0],
        "Share of magnet demand from industrial motors, pumps, robots and appliances, used when the data give no figure. Assumed 25 %.";
    EndUseEvShare => "end_use_ev_traction_share", "share of magnet demand", 0.07, [0.0, 1.0],
        "Share of magnet demand from EV traction motors when the data give no figure (IEA: 7 % of magnet rare-earth demand in 2023, end_uses.csv).";
    EndUseElectronicsShare => "end_use_consumer_electronics_share", "share of magnet demand", 0.30, [0.0, 1.0],
        "Share of magnet demand from consumer electronics when the data give no figure (almost 30 % of NdFeB demand, end_uses.csv).";
}

impl Key {
    /// The table row of this key.
    pub fn spec(self) -> &'static Assumption {
        &ASSUMPTIONS[self as usize]
    }
}

/// Looks an assumption up by its key.
pub fn find(key: &str) -> Option<(usize, &'static Assumption)> {
    ASSUMPTIONS.iter().enumerate().find(|(_, a)| a.key == key)
}

/// The assumption whose key is nearest a misspelt one (`inventory_days_industrial_motor`),
/// if one is near enough to be meant.
pub fn nearest(key: &str) -> Option<&'static str> {
    ASSUMPTIONS
        .iter()
        .map(|a| (strsim::jaro_winkler(key, a.key), a.key))
        .filter(|(score, _)| *score >= 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// One value per assumption, in [`Key`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumptionValues(pub Vec<f64>);

impl Default for AssumptionValues {
    fn default() -> Self {
        AssumptionValues(ASSUMPTIONS.iter().map(|a| a.default).collect())
    }
}

impl AssumptionValues {
    /// The value of one assumption.
    pub fn get(&self, key: Key) -> f64 {
        self.0[key as usize]
    }

    /// Sets one assumption (the caller has checked the range).
    pub fn set(&mut self, key: Key, value: f64) {
        self.0[key as usize] = value;
    }
}

/// The assumption table as Markdown: the body of `docs/scenario.md`.
pub fn markdown_table() -> String {
    let mut s = String::from(
        "# Scenario assumptions of the rare-earth chain\n\n\
         Generated from `crates/chokepoint-sim/src/network/assumptions.rs` (do not edit by hand;\n\
         run `chokepoint network describe --markdown > docs/scenario.md`). Every number the\n\
         bundled data do not give is listed here. Override any of them in a scenario's\n\
         `[assumptions]` table with a number or a distribution, e.g.\n\
         `inventory_days_ev_traction_motors = { dist = \"triangular\", min = 20, mode = 30, max = 60 }`.\n\n\
         | key | unit | default | range | reasoning |\n|---|---|---|---|---|\n",
    );
    for a in ASSUMPTIONS {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} – {} | {} |\n",
            a.key, a.unit, a.default, a.min, a.max, a.reasoning
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lie_in_their_ranges_and_keys_are_unique() {
        for (i, a) in ASSUMPTIONS.iter().enumerate() {
            assert!(a.min <= a.default && a.default <= a.max, "{}", a.key);
            assert!(
                ASSUMPTIONS[i + 1..].iter().all(|b| b.key != a.key),
                "{}",
                a.key
            );
        }
        assert_eq!(Key::MagnetYield.spec().key, "magnet_yield");
    }

    #[test]
    fn docs_scenario_md_is_in_sync_with_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scenario.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown_table(),
            "docs/scenario.md is stale; regenerate it with \
             `cargo run -- network describe --markdown > docs/scenario.md`"
        );
    }

    /// Procurement review: a misspelt assumption was refused without naming the one meant.
    #[test]
    fn a_misspelt_key_finds_the_one_meant_and_nonsense_finds_none() {
        assert_eq!(
            nearest("inventory_days_industrial_motor"),
            Some("inventory_days_industrial_motors")
        );
        assert_eq!(nearest("spare_capacity"), Some("spare_capacity_share"));
        assert_eq!(nearest("zzz"), None);
    }
}
