//! Tests of `params`.

use super::*;

fn parse(s: &str) -> Result<CriticalityParams, StoreError> {
    CriticalityParams::from_toml(s, Path::new("p.toml"))
}

#[test]
fn bare_and_sourced_numbers_both_parse() {
    let p =
        parse("[eu]\neol_rir = 0.01\nsubstitution_sr = { value = 0.9, source = \"x\" }\n").unwrap();
    assert_eq!(p.eu.eol_rir.unwrap().value(), 0.01);
    assert_eq!(p.eu.substitution_sr.as_ref().unwrap().source(), Some("x"));
}

#[test]
fn syntax_errors_point_to_line_and_column() {
    let e = parse("[eu]\neol_rir = \n").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("p.toml:2:"), "{msg}");
    assert!(e.is_user_error());
}

#[test]
fn unknown_keys_are_rejected_with_their_name() {
    let e = parse("[eu]\neol_rri = 0.1\n").unwrap_err();
    assert!(e.to_string().contains("eol_rri"), "{e}");
}

#[test]
fn out_of_range_values_name_the_field() {
    let e = parse("[eu]\neol_rir = 1.5\n").unwrap_err();
    assert!(e.to_string().contains("eu.eol_rir"), "{e}");
    let e = parse("[usgs.net_import_reliance]\n\"20x4\" = 0.5\n").unwrap_err();
    assert!(e.to_string().contains("not a year"), "{e}");
}

#[test]
fn every_params_error_has_line_and_column_and_plain_words() {
    let e = parse("[eu]\nimport_reliance_extraction = 1.98\n").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("p.toml:2:30: eu.import_reliance_extraction = 1.98"),
        "{e}"
    );
    let e = parse("[eu]\neol_rir = \"high\"\n").unwrap_err().to_string();
    assert!(e.starts_with("p.toml:2:11:"), "{e}");
    assert!(
        e.contains("expected a number or { value = …, source ="),
        "{e}"
    );
    assert!(!e.contains("untagged"), "{e}");
    let e = parse("[eu]\neol_rir = { value = \"x\" }\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("p.toml:2:"), "{e}");
    let e = parse("[usgs.net_import_reliance]\n\"20x4\" = 0.5\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("p.toml:2:"), "{e}");
}

#[test]
fn country_keys_ignore_case_and_non_codes_are_refused() {
    let p = parse("[governance.scaled]\nchn = 4\n").unwrap();
    assert_eq!(p.governance.scaled["CHN"].value(), 4.0);
    let e = parse("[governance.scaled]\nCHN = 4\nZZZZ = 3\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("p.toml:3:"), "{e}");
    assert!(e.contains("governance.scaled.ZZZZ"), "{e}");
    let e = parse("[governance.scaled]\nCHN = 4\nchn = 3\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("given twice"), "{e}");
    let e = parse("[eu.trade_adjustment]\n156 = 1\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("eu.trade_adjustment.156"), "{e}");
}

#[test]
fn thresholds_must_be_finite_and_positive() {
    // NaN made every score "below threshold" and the verdict "not critical" (exit 0).
    for (toml, key, line_col) in [
        (
            "[thresholds]\neu_supply_risk = nan\n",
            "thresholds.eu_supply_risk",
            "p.toml:2:18:",
        ),
        (
            "[thresholds]\neu_supply_risk = inf\n",
            "thresholds.eu_supply_risk",
            "p.toml:2:18:",
        ),
        (
            "[thresholds]\neu_supply_risk = -1\n",
            "thresholds.eu_supply_risk",
            "p.toml:2:18:",
        ),
        (
            "[thresholds]\neu_supply_risk = 0\n",
            "thresholds.eu_supply_risk",
            "p.toml:2:18:",
        ),
        (
            "[thresholds]\neu_economic_importance = { value = nan, source = \"x\" }\n",
            "thresholds.eu_economic_importance",
            "p.toml:2:",
        ),
        (
            "[thresholds]\nusgs_supply_risk = 1.5\n",
            "thresholds.usgs_supply_risk",
            "p.toml:2:",
        ),
        (
            "[thresholds]\nusgs_supply_risk = -inf\n",
            "thresholds.usgs_supply_risk",
            "p.toml:2:",
        ),
        (
            "[governance]\ndefault_scaled = nan\n",
            "governance.default_scaled",
            "p.toml:2:",
        ),
        (
            "[eu]\ntrade_adjustment_default = 0\n",
            "eu.trade_adjustment_default",
            "p.toml:2:",
        ),
        (
            "[eu]\nlargest_sector_value_added_meur = nan\n",
            "eu.largest_sector_value_added_meur",
            "p.toml:2:",
        ),
    ] {
        let e = parse(toml).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with(line_col), "{toml}: {msg}");
        assert!(msg.contains(key) && msg.contains("out of range"), "{msg}");
        assert!(e.is_user_error(), "{msg}");
    }
    let p = parse("[thresholds]\neu_supply_risk = 1.0\nusgs_supply_risk = 0.4\n").unwrap();
    assert_eq!(p.thresholds.usgs_supply_risk.unwrap().value(), 0.4);
}

#[test]
fn shipped_file_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/rare-earths/criticality_params.toml");
    let p = CriticalityParams::load(&path).unwrap();
    assert_eq!(p.thresholds.eu_supply_risk.unwrap().value(), 1.0);
}

/// Values each in range can still be impossible together: parts of one whole adding up to
/// more than it, or a sector larger than the largest sector. Each is refused at its key.
#[test]
fn parts_of_one_whole_may_not_add_up_to_more_than_it() {
    let e = parse("[eu.sourcing_extraction]\nshares = { CHN = 0.9, AUS = 0.6, USA = 0.2 }\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("p.toml:2:") && e.contains("eu.sourcing_extraction.shares add up to 1.7000"),
        "{e}"
    );
    // Rounding in a source (1.01) passes.
    parse("[eu.sourcing_processing]\nshares = { CHN = 0.91, MYS = 0.1 }\n").unwrap();
    let sectors = "[eu]\nlargest_sector_value_added_meur = 100\n\
                   [[eu.sectors]]\nnace = \"C29\"\nend_use_share = 0.6\nvalue_added_meur = 80\n\
                   [[eu.sectors]]\nnace = \"C27\"\nend_use_share = 0.7\nvalue_added_meur = 90\n";
    let e = parse(sectors).unwrap_err().to_string();
    assert!(e.contains("end_use_share add up to 1.3000"), "{e}");
    let e = parse(&sectors.replace("0.7", "0.3").replace("= 90", "= 300"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("p.toml:10:") && e.contains("eu.sectors[1].value_added_meur = 300 is above"),
        "{e}"
    );
}
