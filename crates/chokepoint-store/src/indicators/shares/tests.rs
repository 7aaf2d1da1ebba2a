//! Tests of `shares`.

use super::*;

fn prod(year: i32, c: &str, v: f64, ed: &str) -> ProductionRow {
    ProductionRow {
        year,
        country_iso3: c.into(),
        stage: "mining".into(),
        metric: "mine_production".into(),
        value: Some(v),
        edition: ed.into(),
        source: format!("USGS {ed}"),
        source_type: "primary".into(),
    }
}

fn rep(year: i32, stage: &str, c: &str, s: f64, src: &str, basis: &str) -> StageShareRow {
    StageShareRow {
        year,
        stage: stage.into(),
        country_iso3: c.into(),
        share: s,
        source: src.into(),
        year_basis: basis.into(),
        is_derived: false,
    }
}

fn usgs_rows() -> Vec<ProductionRow> {
    vec![
        prod(2024, "CHN", 270_000.0, "MCS2025"),
        prod(2024, "AUS", 13_000.0, "MCS2025"),
        prod(2024, "WLD", 390_000.0, "MCS2025"),
        prod(2024, "CHN", 270_000.0, "MCS2026"),
        prod(2024, "AUS", 29_000.0, "MCS2026"),
        prod(2024, "OTH", 1_000.0, "MCS2026"),
        prod(2024, "WLD", 380_000.0, "MCS2026"),
        prod(2023, "WLD", 376_000.0, "MCS2025"),
    ]
}

#[test]
fn latest_edition_wins_unless_asked() {
    let s = usgs_mining_shares(&usgs_rows(), Some(2024), None).unwrap();
    assert_eq!(s.edition.as_deref(), Some("MCS2026"));
    assert!((s.shares[0].share - 270.0 / 380.0).abs() < 1e-12);
    assert_eq!(s.other_editions, vec!["MCS2025".to_string()]);
    assert!(s.notes.iter().any(|n| n.contains("OTH")));
    let old = usgs_mining_shares(&usgs_rows(), Some(2024), Some("mcs2025")).unwrap();
    assert!((old.shares[0].share - 270.0 / 390.0).abs() < 1e-12);
    assert!((old.shares[1].share - 13.0 / 390.0).abs() < 1e-12);
}

#[test]
fn latest_year_is_the_default_and_missing_years_are_named() {
    let s = usgs_mining_shares(&usgs_rows(), None, None).unwrap();
    assert_eq!(s.year, 2024);
    let e = usgs_mining_shares(&usgs_rows(), Some(2019), None).unwrap_err();
    assert!(
        e.to_string().starts_with("not computable: needs USGS"),
        "{e}"
    );
    assert!(
        usgs_mining_shares(&usgs_rows(), Some(2023), None).is_err(),
        "no countries"
    );
}

/// MCS2020 names only the USA for 2019 (26,000 of 210,000 t): the HHI is a lower bound
/// and the USA need not be the largest producer; both are said in the notes.
#[test]
fn a_partial_usgs_year_says_its_hhi_and_cr1_are_bounds() {
    let rows = vec![
        prod(2019, "USA", 26_000.0, "MCS2020"),
        prod(2019, "WLD", 210_000.0, "MCS2020"),
    ];
    let s = usgs_mining_shares(&rows, Some(2019), None).unwrap();
    assert!(s.concentration.is_partial());
    let joined = s.notes.join(" | ");
    assert!(
        joined.contains(
            "the source names 12.4 % of the world total; HHI 153 is a lower bound (at \
             most 7830 if the unattributed 87.6 % were one country)"
        ),
        "{joined}"
    );
    assert!(
        joined.contains("USA 12.4 % may not be the largest supplier"),
        "{joined}"
    );
    // A complete year has neither note.
    let rows = vec![
        prod(2024, "CHN", 270_000.0, "MCS2026"),
        prod(2024, "AUS", 110_000.0, "MCS2026"),
        prod(2024, "WLD", 380_000.0, "MCS2026"),
    ];
    let full = usgs_mining_shares(&rows, Some(2024), None).unwrap();
    assert!(
        !full.notes.iter().any(|n| n.contains("lower bound")),
        "{:?}",
        full.notes
    );
}

/// The years offered for a year without a USGS total come from the rows.
#[test]
fn a_missing_year_lists_the_years_the_data_have() {
    let mut rows = usgs_rows();
    rows.push(prod(2019, "WLD", 210_000.0, "MCS2020"));
    rows.push(prod(2019, "USA", 26_000.0, "MCS2020"));
    let e = usgs_mining_shares(&rows, Some(2015), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "not computable: needs USGS mine production with a world total for 2015 (the \
         warehouse has 2019, 2023-2024)"
    );
    let e = usgs_mining_shares(&[], Some(2015), None).unwrap_err();
    assert!(e.to_string().contains("the warehouse has none"), "{e}");
    assert_eq!(year_list(&[2019, 2021, 2022, 2023]), "2019, 2021-2023");
    assert_eq!(year_list(&[]), "");
}

#[test]
fn secondary_rows_are_not_usgs() {
    let mut rows = usgs_rows();
    rows.push(ProductionRow {
        source_type: "secondary".into(),
        ..prod(2024, "MMR", 36_125.0, "Benchmark+USGS compilation")
    });
    let s = usgs_mining_shares(&rows, Some(2024), None).unwrap();
    assert!(s.shares.iter().all(|l| l.country_iso3 != "MMR"));
}

fn reported() -> Vec<StageShareRow> {
    let iea = "IEA Global Critical Minerals Outlook 2024 as reported by SEAISI";
    vec![
        rep(2023, "separation_refining", "CHN", 0.92, iea, "data_year"),
        rep(
            2023,
            "separation_refining",
            "CHN",
            0.85,
            "Kallanish",
            "publication_year",
        ),
        rep(2023, "separation_refining", "MYS", 0.05, iea, "data_year"),
        rep(
            2023,
            "separation_refining",
            "TOP3:CHN+MYS+AUS",
            0.98,
            iea,
            "data_year",
        ),
        rep(
            2024,
            "separation_refining",
            "CHN",
            0.91,
            "x (README attributes IEA; secondary)",
            "data_year",
        ),
        rep(
            2025,
            "separation_refining",
            "CHN",
            0.91,
            "IEA commentary",
            "publication_year",
        ),
        rep(
            2025,
            "separation_refining",
            "CHN",
            0.92,
            "IEA as cited by Automotive World",
            "publication_year",
        ),
        rep(
            2030,
            "separation_refining",
            "CHN",
            0.77,
            iea,
            "projection_base_case",
        ),
    ]
}

#[test]
fn iea_default_year_prefers_data_year_figures() {
    let s = reported_shares(&reported(), Stage::Separation, None, true).unwrap();
    assert_eq!(s.year, 2023);
    assert_eq!(s.shares.len(), 2);
    assert!((s.concentration.hhi - 8489.0).abs() < 1e-6);
    assert_eq!(s.group_figures[0].country_iso3, "TOP3:CHN+MYS+AUS");
    // Kallanish's 85 % stays visible for comparison.
    assert!(
        s.other_reports
            .iter()
            .any(|l| (l.share - 0.85).abs() < 1e-12)
    );
    assert!(s.notes.iter().any(|n| n.contains("lower bound")));
}

#[test]
fn duplicate_figures_keep_the_first_and_list_the_rest() {
    let s = reported_shares(&reported(), Stage::Separation, Some(2025), true).unwrap();
    assert_eq!(s.shares.len(), 1);
    assert!((s.shares[0].share - 0.91).abs() < 1e-12);
    assert_eq!(s.other_reports.len(), 1);
}

#[test]
fn any_source_includes_compilations_and_metal_is_not_computable() {
    let s = reported_shares(&reported(), Stage::Separation, Some(2024), false).unwrap();
    assert!((s.shares[0].share - 0.91).abs() < 1e-12);
    assert!(reported_shares(&reported(), Stage::Separation, Some(2024), true).is_err());
    let e = reported_shares(&reported(), Stage::Metal, None, false).unwrap_err();
    assert!(e.to_string().contains("no sourced country breakdown"));
}

#[test]
fn trade_shares_warn_about_a_single_exporter() {
    let s = trade_shares(Stage::Magnets, 2024, &[("CHN".into(), 58_000.0)], "t").unwrap();
    assert_eq!(s.concentration.hhi, 10_000.0);
    assert!(s.notes.iter().any(|n| n.contains("only one exporter")));
    let s = trade_shares(
        Stage::Magnets,
        2024,
        &[("CHN".into(), 75.0), ("JPN".into(), 25.0)],
        "t",
    )
    .unwrap();
    assert!((s.concentration.hhi - 6250.0).abs() < 1e-9);
    assert!(trade_shares(Stage::Magnets, 2024, &[], "t").is_err());
}

/// Procurement review: the 99 % heavy rare-earth figure was stored but no command showed
/// it. It is named beside the separation shares, never mixed into them.
#[test]
fn a_figure_for_part_of_a_stage_is_named_beside_its_shares() {
    let rows = vec![
        rep(2023, "separation_refining", "CHN", 0.92, "IEA", "data_year"),
        rep(
            2024,
            "separation_refining_heavy_REE",
            "CHN",
            0.99,
            "Lusa",
            "data_year",
        ),
    ];
    let s = reported_shares(&rows, Stage::Separation, None, false).unwrap();
    assert_eq!(s.shares.len(), 1);
    assert_eq!(s.year, 2023);
    assert!(
        s.notes
            .iter()
            .any(|n| n
                .starts_with("heavy_REE only (separation_refining_heavy_REE): CHN 99 % in 2024")),
        "{:?}",
        s.notes
    );
}
