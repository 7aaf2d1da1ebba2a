//! `chokepoint criticality` on the bundled data: the EU and USGS scores, their inputs and
//! bounds, and bad parameter files.

use crate::exposure::{json, stdout};
use crate::util::Sandbox;

#[test]
fn eu_criticality_lists_defaulted_and_missing_inputs() {
    let sb = Sandbox::new();
    let text = stdout(&sb, &["criticality", "--format", "csv"]);
    // China's neutral trade adjustment names its licences in force (export_controls.csv).
    let chn_t = text
        .lines()
        .find(|l| l.starts_with("input,eu.trade_adjustment.CHN,"))
        .unwrap_or_default();
    assert!(
        chn_t.contains("2025-04-04: export licence requirement")
            && chn_t.contains("t = 1 understates its supply risk"),
        "{chn_t}"
    );
    // A technology export ban is not a restriction on the materials, and a 2025 licence
    // does not describe 2022 (code review).
    assert!(!chn_t.contains("technology"), "{chn_t}");
    // The scores say so too, where they are read (analyst review).
    assert!(
        text.lines().any(|l| l.starts_with("caveat,supply_risk,")
            && l.contains("supply risk understated: the trade adjustment t of CHN")),
        "{text}"
    );
    // And the stage scores China supplies are lower bounds with no upper one (a value below
    // the threshold would be inconclusive; these are above it).
    let separation = text
        .lines()
        .find(|l| l.starts_with("score,supply_risk,processing,"))
        .unwrap_or_default();
    assert!(
        separation.contains("at or above threshold")
            && separation.contains("nothing bounds the score from above"),
        "{separation}"
    );
    let in_2022 = stdout(&sb, &["criticality", "--year", "2022", "--format", "csv"]);
    assert!(
        !in_2022.contains("understates its supply risk") && !in_2022.contains("caveat,"),
        "{in_2022}"
    );
    assert!(
        text.contains("input,governance.scaled.CHN,,5.000,,defaulted"),
        "{text}"
    );
    assert!(text.contains("not computable: needs eu.sectors"), "{text}");
    assert!(
        text.contains("input,eu.import_reliance_processing,,1.000,,given"),
        "{text}"
    );
    // Supply risk is computed for both stages with the shipped parameters.
    assert!(
        text.lines()
            .any(|l| l.starts_with("score,supply_risk,processing,")
                && l.contains("at or above threshold")),
        "{text}"
    );
}

#[test]
fn usgs_criticality_uses_the_mcs_net_import_reliance() {
    let sb = Sandbox::new();
    let v = json(&sb, &["criticality", "--method", "usgs", "--year", "2024"]);
    assert_eq!(v["method"], "usgs");
    assert_eq!(v["trade_exposure"], 0.53);
    assert!(
        v["supply_risk"]["not_computable"]
            .as_str()
            .unwrap()
            .contains("usgs.economic_vulnerability")
    );
    let p = sb.write(
        "p.toml",
        "[usgs]\neconomic_vulnerability = 0.5\n[usgs.net_import_reliance]\n\"2024\" = 0.53\n",
    );
    let v = json(
        &sb,
        &[
            "criticality",
            "--method",
            "usgs",
            "--year",
            "2024",
            "--params",
            p.to_str().unwrap(),
        ],
    );
    assert!(v["supply_risk"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_parameter_file_points_to_line_and_column() {
    let sb = Sandbox::new();
    let p = sb.write("bad.toml", "[eu]\neol_rir = = 1\n");
    sb.cmd()
        .args(["criticality", "--params"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml:2:"));
    let p = sb.write("range.toml", "[eu]\neol_rir = 3.0\n");
    sb.cmd()
        .args(["criticality", "--params"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("eu.eol_rir = 3"));
}

/// 2019: MCS2020 names only the USA (12.4 % of the world total) and the processing stage
/// has no shares, so the supply risk is a lower bound below its threshold: inconclusive,
/// not "not critical".
#[test]
fn criticality_on_partial_2019_shares_is_inconclusive() {
    let sb = Sandbox::new();
    let v = json(&sb, &["criticality", "--year", "2019"]);
    let why = v["critical"]["inconclusive"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        why.contains("12.4 %") && why.contains("processing"),
        "{why}"
    );
    assert_eq!(v["supply_risk_status"], "inconclusive");
    assert!(
        v["stages"][0]["supply_risk_bound"]["note"]
            .as_str()
            .unwrap()
            .starts_with("lower bound: shares cover 12.4 % of world output; at most 3.915"),
        "{v}"
    );
    let v = json(&sb, &["shares", "--stage", "mining", "--year", "2019"]);
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("HHI 153 is a lower bound (at most 7830"),
        "{notes}"
    );
    assert!(
        notes.contains("USA 12.4 % may not be the largest supplier"),
        "{notes}"
    );
}

#[test]
fn a_nan_threshold_is_refused_at_its_line() {
    let sb = Sandbox::new();
    let p = sb.write("nan.toml", "[thresholds]\neu_supply_risk = nan\n");
    sb.cmd()
        .args(["criticality", "--params"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "nan.toml:2:18: thresholds.eu_supply_risk = NaN is out of range",
        ));
}
