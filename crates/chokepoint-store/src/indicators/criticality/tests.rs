//! Tests of the criticality scores, bounds and verdicts.

use super::*;
use std::path::Path;

fn supply(stage: &str, shares: &[(&str, f64)]) -> StageSupply {
    StageSupply {
        stage: stage.into(),
        year: 2024,
        shares: shares
            .iter()
            .map(|(c, s)| SupplierShare::new(*c, *s))
            .collect(),
        basis: "test".into(),
    }
}

fn params(toml: &str) -> CriticalityParams {
    CriticalityParams::from_toml(toml, Path::new("t.toml")).unwrap()
}

#[test]
fn eu_supply_risk_hand_computed() {
    // HHI_GS 4, HHI_EU 2, IR 0.5: 4·0.25 + 2·0.75 = 2.5; ·(1−0.2)·0.9 = 1.8
    assert!((eu_supply_risk(4.0, 2.0, 0.5, 0.2, 0.9) - 1.8).abs() < 1e-12);
    // IR = 1 weighs global and EU sourcing equally.
    assert!((eu_supply_risk(4.0, 2.0, 1.0, 0.0, 1.0) - 3.0).abs() < 1e-12);
}

#[test]
fn eu_economic_importance_hand_computed() {
    // (0.5·100 + 0.5·50) / 200 · 10 · 0.9 = 3.375
    let ei = eu_economic_importance(&[(0.5, 100.0), (0.5, 50.0)], 200.0, 0.9).unwrap();
    assert!((ei - 3.375).abs() < 1e-12);
    assert!(eu_economic_importance(&[], 1.0, 1.0).is_err());
}

#[test]
fn usgs_supply_risk_is_zero_for_a_net_exporter() {
    assert_eq!(usgs_supply_risk(0.5, -0.3, 0.8), 0.0);
    assert!((usgs_supply_risk(0.5, 0.5, 0.8) - 0.2).abs() < 1e-12);
    assert!((usgs_disruption_potential(&[(0.5, 0.6), (0.5, 0.2)]) - 0.2).abs() < 1e-12);
}

#[test]
fn eu_assessment_reports_defaults_and_missing_inputs() {
    let p = params("[eu]\nimport_reliance_processing = 1.0\n");
    let a = eu_assessment(
        &p,
        &[
            supply("extraction", &[("CHN", 0.7), ("USA", 0.3)]),
            supply("processing", &[("CHN", 0.9)]),
        ],
        &[],
        &[],
    );
    // processing: HHI_WGI,t = 0.81·5·1 = 4.05 both global and EU (proxy); IR 1 → 4.05
    assert!((a.stages[1].supply_risk.value().unwrap() - 4.05).abs() < 1e-12);
    // extraction IR missing → stage and bottleneck not computable
    assert!(
        a.stages[0]
            .supply_risk
            .display(2)
            .contains("eu.import_reliance_extraction")
    );
    assert!(a.supply_risk.value().is_none());
    let status = |n: &str| a.inputs.iter().find(|r| r.name == n).unwrap().status;
    assert_eq!(status("governance.scaled.CHN"), InputStatus::Defaulted);
    assert_eq!(status("eu.import_reliance_processing"), InputStatus::Given);
    assert_eq!(
        status("eu.import_reliance_extraction"),
        InputStatus::Missing
    );
    assert_eq!(status("eu.sectors"), InputStatus::Missing);
    assert!(matches!(a.critical, Verdict::NotComputable(_)));
}

#[test]
fn eu_assessment_with_all_inputs_is_critical() {
    let p = params(
        "[governance.scaled]\nCHN = 6.0\n[eu]\nimport_reliance_extraction = 1.0\n\
         import_reliance_processing = 1.0\neol_rir = 0.1\n\
         largest_sector_value_added_meur = 200.0\n\
         [[eu.sectors]]\nnace = \"C29\"\nend_use_share = 1.0\nvalue_added_meur = 100.0\n",
    );
    let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[], &[]);
    // 1·6·1 = 6; IR 1 → 6; ·0.9 = 5.4.  EI = 100/200·10 = 5.
    assert!((a.supply_risk.value().unwrap() - 5.4).abs() < 1e-12);
    assert!((a.economic_importance.value().unwrap() - 5.0).abs() < 1e-12);
    assert_eq!(a.critical, Verdict::Critical);
}

#[test]
fn eu_sourcing_mix_replaces_the_proxy_when_given() {
    let p = params(
        "[eu]\nimport_reliance_extraction = 0.5\n[eu.sourcing_extraction]\n\
         shares = { USA = 1.0 }\nsource = \"test\"\n[governance.scaled]\nUSA = 2.0\nCHN = 6.0\n",
    );
    let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[], &[]);
    assert!((a.stages[0].hhi_wgi_t_global - 6.0).abs() < 1e-12);
    assert!((a.stages[0].hhi_wgi_t_eu - 2.0).abs() < 1e-12);
    // 6·0.25 + 2·0.75 = 3
    assert!((a.supply_risk.value().unwrap() - 3.0).abs() < 1e-12);
}

/// `criticality --year 2019`: MCS2020 names only the USA (26,000 of 210,000 t) and the
/// processing stage has no shares. The SR 0.077 is a lower bound (at most ≈3.9 had the
/// unattributed 87.6 % been one country), so "below threshold" is not established and
/// the verdict is inconclusive, not "not critical".
#[test]
fn a_lower_bound_below_its_threshold_is_inconclusive_not_not_critical() {
    let p = params("[eu]\nimport_reliance_extraction = 0.98\n");
    let usa = 26_000.0 / 210_000.0;
    let missing = ["processing: not computable: needs separation shares for 2019".to_string()];
    let a = eu_assessment(&p, &[supply("extraction", &[("USA", usa)])], &missing, &[]);
    let stage = &a.stages[0];
    assert!((stage.supply_risk.value().unwrap() - 0.0766).abs() < 1e-4);
    // 5 · (0.1238² + 0.8762²) = 3.915 (IR 0.98 with the EU proxy: SR = HHI_WGI,t).
    let rest = 1.0 - usa;
    let upper = 5.0 * (usa * usa + rest * rest);
    let sr_bound = stage.supply_risk_bound.as_ref().unwrap();
    assert!((sr_bound.at_most.unwrap() - upper).abs() < 1e-9);
    assert!(
        sr_bound.note.starts_with(
            "lower bound: shares cover 12.4 % of world output; at most 3.915 if the \
             unattributed 87.6 % were one country"
        ),
        "{}",
        sr_bound.note
    );
    assert!(stage.hhi_wgi_t_global_bound.is_some());
    assert!(
        stage.hhi_wgi_t_eu_bound.is_some(),
        "the EU HHI is the global proxy"
    );
    assert_eq!(stage.supply_risk_status, ThresholdStatus::Inconclusive);
    // The bottleneck: a stage is missing, so nothing bounds it from above.
    let b = a.supply_risk_bound.as_ref().unwrap();
    assert_eq!(b.at_most, None);
    assert!(
        b.note.contains("the processing stage has no shares"),
        "{}",
        b.note
    );
    assert!(b.note.contains("12.4 %"), "{}", b.note);
    assert_eq!(a.supply_risk_status, ThresholdStatus::Inconclusive);
    let Verdict::Inconclusive(why) = &a.critical else {
        panic!("{:?}", a.critical)
    };
    assert!(
        why.starts_with("supply risk 0.077 is below the threshold 1.00 but a lower bound"),
        "{why}"
    );
    assert!(why.contains("processing"), "{why}");
    assert!(
        why.contains("economic importance not computable: needs eu.sectors"),
        "{why}"
    );
    // The same shares with both stages present still leave the SR unsettled.
    let a = eu_assessment(&p, &[supply("extraction", &[("USA", usa)])], &[], &[]);
    assert!(
        matches!(a.critical, Verdict::Inconclusive(_)),
        "{:?}",
        a.critical
    );
    assert_eq!(
        a.supply_risk_bound.as_ref().unwrap().at_most,
        stage.supply_risk_bound.as_ref().unwrap().at_most
    );
}

/// A lower bound is enough when it reaches the threshold, and so is an upper bound
/// below it; complete shares carry no bound.
#[test]
fn a_lower_bound_decides_when_either_bound_does() {
    let p = params("[thresholds]\neu_supply_risk = 2.0\n[eu]\nimport_reliance_extraction = 1.0\n");
    // Three producers of 30 % each: 3 · 0.09 · 5 = 1.35, at most 1.35 + 0.01 · 5 = 1.40.
    let thin = [("USA", 0.3), ("AUS", 0.3), ("BRA", 0.3)];
    let a = eu_assessment(&p, &[supply("extraction", &thin)], &[], &[]);
    assert!((a.supply_risk_bound.as_ref().unwrap().at_most.unwrap() - 1.40).abs() < 1e-9);
    assert_eq!(a.supply_risk_status, ThresholdStatus::Below);
    assert_eq!(a.critical, Verdict::NotCritical, "below even at most");
    // CHN 92 %, MYS 5 %: the lower bound 4.24 already reaches 2.0.
    let a = eu_assessment(
        &p,
        &[supply("extraction", &[("CHN", 0.92), ("MYS", 0.05)])],
        &[],
        &[],
    );
    assert_eq!(a.supply_risk_status, ThresholdStatus::AtOrAbove);
    assert!(
        matches!(a.critical, Verdict::NotComputable(ref w) if w == "not computable: needs eu.sectors")
    );
    let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[], &[]);
    assert!(a.stages[0].supply_risk_bound.is_none());
    assert!(a.supply_risk_bound.is_none());
}

/// The USGS disruption potential of partial shares is marked too, and so is the supply
/// risk built on it.
#[test]
fn usgs_disruption_potential_of_partial_shares_is_a_lower_bound() {
    let p = params(
        "[usgs]\neconomic_vulnerability = 1.0\n[usgs.net_import_reliance]\n\"2019\" = 1.0\n",
    );
    let usa = 26_000.0 / 210_000.0;
    let a = usgs_assessment(&p, &[supply("extraction", &[("USA", usa)])], &[], 2019);
    let s = &a.stages[0];
    let dp = s.disruption_potential_bound.as_ref().unwrap();
    let rest = 1.0 - usa;
    assert!((dp.at_most.unwrap() - 0.5 * (usa * usa + rest * rest)).abs() < 1e-9);
    assert!(dp.note.contains("governance risk 0.50"), "{}", dp.note);
    // SR 0.008, at most 0.391: below 0.40 even at most, so established.
    assert_eq!(s.supply_risk_status, ThresholdStatus::Below);
    assert_eq!(a.critical, Verdict::NotCritical);
    // Against 0.30 the upper bound reaches the threshold: not established.
    let p = params(
        "[thresholds]\nusgs_supply_risk = 0.3\n[usgs]\neconomic_vulnerability = 1.0\n\
         [usgs.net_import_reliance]\n\"2019\" = 1.0\n",
    );
    let a = usgs_assessment(&p, &[supply("extraction", &[("USA", usa)])], &[], 2019);
    assert_eq!(
        a.stages[0].supply_risk_status,
        ThresholdStatus::Inconclusive
    );
    assert!(
        matches!(a.critical, Verdict::Inconclusive(_)),
        "{:?}",
        a.critical
    );
}

#[test]
fn usgs_assessment_needs_ev_and_names_it() {
    let p = params("[usgs.net_import_reliance]\n\"2024\" = 0.53\n");
    let a = usgs_assessment(
        &p,
        &[
            supply("extraction", &[("CHN", 1.0)]),
            supply("processing", &[("CHN", 0.9)]),
        ],
        &[],
        2024,
    );
    assert_eq!(a.trade_exposure, Figure::Value(0.53));
    // Both stages miss the same input: named once.
    assert_eq!(
        a.supply_risk.display(2),
        "not computable: needs usgs.economic_vulnerability"
    );
    assert!(
        a.supply_risk
            .display(2)
            .contains("usgs.economic_vulnerability")
    );
    let p = params(
        "[usgs]\neconomic_vulnerability = 0.5\n[usgs.net_import_reliance]\n\"2024\" = 0.53\n",
    );
    let a = usgs_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[], 2024);
    // DP = 1·0.5 (default WGI 5 → 0.5); SR = 0.5·0.53·0.5 = 0.1325 < 0.40
    assert!((a.supply_risk.value().unwrap() - 0.1325).abs() < 1e-12);
    assert_eq!(a.critical, Verdict::NotCritical);
}

/// An EU sourcing mix naming 90 % of EU supply leaves 10 % unattributed: the EU HHI and the
/// supply risk are lower bounds, with that rest as one country at the default governance
/// score (the review's 2025 case had no bound at all), and where the world shares are
/// partial too, the supply risk's bound counts both rests (2.3648, not 2.3384).
#[test]
fn a_partial_eu_sourcing_mix_makes_the_eu_hhi_and_supply_risk_lower_bounds() {
    let p = params(
        "[governance]\ndefault_scaled = 5.5\n[governance.scaled]\nCHN = 6.0\nAUS = 1.8\n\
         USA = 2.5\n[eu]\nimport_reliance_extraction = 0.98\neol_rir = 0.01\n\
         substitution_sr = 0.95\n[eu.trade_adjustment]\nCHN = 1.2\n\
         [eu.sourcing_extraction]\nshares = { CHN = 0.4, AUS = 0.3, USA = 0.2 }\n",
    );
    let whole = [("CHN", 0.7), ("AUS", 0.2), ("USA", 0.1)];
    let a = eu_assessment(&p, &[supply("extraction", &whole)], &[], &[]);
    let s = &a.stages[0];
    // 0.16·6·1.2 + 0.09·1.8 + 0.04·2.5 = 1.414; + 0.1²·5.5·1 = 1.469
    assert!((s.hhi_wgi_t_eu - 1.414).abs() < 1e-12);
    let eu_bound = s
        .hhi_wgi_t_eu_bound
        .as_ref()
        .expect("EU HHI is a lower bound");
    assert!((eu_bound.at_most.unwrap() - 1.469).abs() < 1e-12);
    assert!(
        eu_bound.note.contains("90.0 % of EU supply"),
        "{}",
        eu_bound.note
    );
    assert!(s.hhi_wgi_t_global_bound.is_none());
    let sr = s.supply_risk_bound.as_ref().expect("SR is a lower bound");
    let expected = eu_supply_risk(s.hhi_wgi_t_global, 1.469, 0.98, 0.01, 0.95);
    assert!((sr.at_most.unwrap() - expected).abs() < 1e-12);
    // World shares covering 95 % as well: both rests enter the supply risk's bound.
    let partial = [("CHN", 0.7), ("AUS", 0.15), ("USA", 0.1)];
    let a = eu_assessment(&p, &[supply("extraction", &partial)], &[], &[]);
    let s = &a.stages[0];
    let g_max = s.hhi_wgi_t_global_bound.as_ref().unwrap().at_most.unwrap();
    assert!((g_max - (s.hhi_wgi_t_global + 0.05 * 0.05 * 5.5)).abs() < 1e-12);
    let sr = s.supply_risk_bound.as_ref().unwrap();
    let expected = eu_supply_risk(g_max, 1.469, 0.98, 0.01, 0.95);
    assert!((sr.at_most.unwrap() - expected).abs() < 1e-12);
    assert!(
        sr.note
            .contains("95.0 % of world output and 90.0 % of EU supply"),
        "{}",
        sr.note
    );
}

/// Analyst review: China's t defaulted to "no export restriction" beside the tool's own
/// table of its licences in force. The default stays (the multipliers are unverified), and
/// its note names the measures; given values and other countries are left alone.
#[test]
fn a_defaulted_trade_adjustment_names_the_restrictions_in_force() {
    let input = |name: &str, status| Resolved {
        name: name.into(),
        value: Some(1.0),
        status,
        note: "no export restriction or EU trade agreement assumed (t = 1)".into(),
    };
    let mut inputs = vec![
        input("eu.trade_adjustment.CHN", InputStatus::Defaulted),
        input("eu.trade_adjustment.USA", InputStatus::Defaulted),
        input("eu.trade_adjustment.MMR", InputStatus::Given),
    ];
    let restrictions = vec![
        (
            "CHN".to_string(),
            "2025-04-04: export licence requirement".to_string(),
        ),
        ("MMR".to_string(), "2025-01-01: export ban".to_string()),
    ];
    assert_eq!(eu::flag_restrictions(&mut inputs, &restrictions), ["CHN"]);
    assert!(
        inputs[0]
            .note
            .contains("(2025-04-04: export licence requirement)")
    );
    assert!(inputs[0].note.contains("t = 1 understates its supply risk"));
    assert!(!inputs[1].note.contains("understates"));
    assert!(
        !inputs[2].note.contains("understates"),
        "a given value is the user's"
    );
}

/// Analyst review (partial item of the twentieth session): a supply risk below the
/// threshold with a restricting supplier's t defaulted read as "below threshold" and "not
/// critical", though the EU method would raise it. It is now a lower bound without an upper
/// one: inconclusive, never "not critical"; above the threshold it stays established; a t
/// set for that country settles it again.
#[test]
fn a_restricting_supplier_with_a_defaulted_t_makes_a_low_supply_risk_inconclusive() {
    let licence = vec![("CHN".to_string(), "2025-04-04: licences".to_string())];
    let base = "[eu]\nimport_reliance_extraction = 0.2\nsubstitution_sr = 0.3\n\
                largest_sector_value_added_meur = 100.0\n\
                [[eu.sectors]]\nnace = \"C29\"\nend_use_share = 1.0\nvalue_added_meur = 100.0\n";
    let shares = [("CHN", 0.6), ("USA", 0.4)];
    // HHI 0.36·5 + 0.16·5 = 2.6; SR 2.6 · 0.3 = 0.78 < 1; EI 10 ≥ 2.8.
    let a = eu_assessment(
        &params(base),
        &[supply("extraction", &shares)],
        &[],
        &licence,
    );
    let stage = &a.stages[0];
    assert!((stage.supply_risk.value().unwrap() - 0.78).abs() < 1e-12);
    assert_eq!(stage.supply_risk_status, ThresholdStatus::Inconclusive);
    let bound = stage.supply_risk_bound.as_ref().unwrap();
    assert_eq!(bound.at_most, None);
    assert!(
        bound.note.contains("trade adjustment of CHN is defaulted"),
        "{}",
        bound.note
    );
    assert_eq!(a.supply_risk_status, ThresholdStatus::Inconclusive);
    assert!(
        matches!(&a.critical, Verdict::Inconclusive(why) if why.contains("CHN")),
        "{:?}",
        a.critical
    );
    assert_eq!(a.caveats.len(), 1);
    assert!(a.caveats[0].contains("inconclusive"), "{}", a.caveats[0]);
    // Without the restriction: below, not critical.
    let a = eu_assessment(&params(base), &[supply("extraction", &shares)], &[], &[]);
    assert_eq!(a.supply_risk_status, ThresholdStatus::Below);
    assert_eq!(a.critical, Verdict::NotCritical);
    assert!(a.caveats.is_empty());
    // China's t set: the user's value settles it.
    let set = format!("{base}[eu.trade_adjustment]\nCHN = 1.1\n");
    let a = eu_assessment(
        &params(&set),
        &[supply("extraction", &shares)],
        &[],
        &licence,
    );
    assert_eq!(a.supply_risk_status, ThresholdStatus::Below);
    assert!(a.caveats.is_empty());
    // A supply risk at or above the threshold stays established: a higher t only raises it.
    let high = base.replace("substitution_sr = 0.3", "substitution_sr = 1.0");
    let a = eu_assessment(
        &params(&high),
        &[supply("extraction", &shares)],
        &[],
        &licence,
    );
    assert_eq!(a.supply_risk_status, ThresholdStatus::AtOrAbove);
    assert_eq!(a.critical, Verdict::Critical);
    // A restricting country that does not supply the stage changes nothing.
    let other = vec![("MMR".to_string(), "ban".to_string())];
    let a = eu_assessment(&params(base), &[supply("extraction", &shares)], &[], &other);
    assert_eq!(a.supply_risk_status, ThresholdStatus::Below);
}
