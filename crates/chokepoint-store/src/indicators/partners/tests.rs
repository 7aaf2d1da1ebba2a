//! Tests of `partners`.

use super::*;
use crate::schema::PeriodType;

fn obs(period: &str, partner: &str, q: f64) -> Observation {
    let p: Period = period.parse().unwrap();
    Observation {
        period_type: PeriodType::of(&p),
        period: p,
        partner_iso3: partner.into(),
        quantity_t: Some(q),
        quantity_is_partial: false,
        value_usd: None,
        source: "bundled".into(),
        is_derived: false,
        reported_yoy_pct: None,
        citation: None,
    }
}

/// China's magnet exports, July 2025, as bundled (SOURCES.md: Reuters, SCMP).
fn july_2025() -> Vec<Observation> {
    vec![
        obs("2025-07", "WLD", 5577.0),
        obs("2025-07", "DEU", 1116.0),
        obs("2025-07", "USA", 619.0),
        obs("2025-07", "EUU", 2140.0),
    ]
}

#[test]
fn the_eu_aggregate_is_reported_beside_the_ranking_not_dropped() {
    let r = rank(&july_2025(), "2025-07".parse().unwrap(), Measure::Quantity);
    let ranked: Vec<&str> = r.partners.iter().map(|p| p.partner_iso3.as_str()).collect();
    assert_eq!(ranked, ["DEU", "USA"], "EUU overlaps DEU: not ranked");
    assert_eq!(r.aggregates.len(), 1);
    let eu = &r.aggregates[0];
    assert_eq!(eu.partner_iso3, "EUU");
    // 2,140 / 5,577 = 38.37 %.
    assert!((eu.share_pct.unwrap() - 38.372_78).abs() < 1e-3);
    assert_eq!(
        eu.describe(Measure::Quantity),
        "EUU (European Union, aggregate of members) 2,140 t = 38.4 % of the world total; \
         not counted in HHI/top-N because it overlaps its members"
    );
    // Coverage and HHI stay over countries: (1116 + 619) / 5577 = 31.1 %.
    assert!((r.coverage_pct.unwrap() - 31.110_00).abs() < 1e-3);
}

#[test]
fn partial_coverage_makes_hhi_a_lower_bound_and_top3_needs_three_partners() {
    let r = rank(&july_2025(), "2025-07".parse().unwrap(), Measure::Quantity);
    assert!(r.hhi_is_lower_bound);
    assert_eq!(r.partners_listed, 2);
    assert_eq!(r.top3_share_pct, None, "two partners listed: no top-3");
    assert!(
        r.top1_is_lower_bound,
        "68.9 % unattributed could be one partner"
    );
    assert!(
        r.notes.iter().any(|n| n.starts_with(
            "the partners listed cover 31.1 % of the world total; HHI 524 is a lower bound"
        )),
        "{:?}",
        r.notes
    );
    // August 2025: only the USA (590 of 6,146 t) is listed.
    let aug = vec![obs("2025-08", "WLD", 6146.0), obs("2025-08", "USA", 590.0)];
    let r = rank(&aug, "2025-08".parse().unwrap(), Measure::Quantity);
    assert_eq!(r.hhi.map(f64::round), Some(92.0));
    assert!(r.hhi_is_lower_bound);
    assert!(r.hhi_upper_bound.unwrap() > 8_000.0);
    let full = vec![
        obs("2025-09", "A", 50.0),
        obs("2025-09", "B", 30.0),
        obs("2025-09", "C", 20.0),
    ];
    let r = rank(&full, "2025-09".parse().unwrap(), Measure::Quantity);
    assert!(!r.hhi_is_lower_bound && !r.top1_is_lower_bound);
    assert_eq!(r.top3_share_pct, Some(100.0));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn a_world_total_without_partners_is_zero_coverage_and_says_so() {
    let data = vec![
        obs("2025-06", "WLD", 7742.2),
        obs("2025-07", "WLD", 5994.3),
        obs("2025-07", "USA", 100.0),
    ];
    let r = rank(&data, "2025-06".parse().unwrap(), Measure::Quantity);
    let cov = r.coverage_pct.unwrap();
    assert!(cov == 0.0 && cov.is_sign_positive(), "{cov}");
    assert_eq!(format!("{cov:.1}"), "0.0");
    assert_eq!(
        r.notes,
        [
            "the world total for 2025-06 is 7,742.2 t, but there is no partner breakdown \
          for that period; partner rows exist for months 2025-07"
        ]
    );
}

/// A period with nothing at all still says where partner rows are, months and spans
/// apart (a year-to-date span listed among months read as one more month).
#[test]
fn an_empty_period_says_where_partner_rows_are() {
    let data = [
        obs("2024-07", "USA", 500.0),
        obs("2025-01..2025-06", "DEU", 3_000.0),
        obs("2025-05", "DEU", 700.0),
        obs("2025-05", "WLD", 5_000.0),
    ];
    let r = rank(&data, "2025".parse().unwrap(), Measure::Quantity);
    assert_eq!(
        r.notes,
        [
            "no partner rows for 2025; partner rows exist for months 2024-07, 2025-05 and \
             for years and other multi-month periods 2025-01..2025-06"
        ]
    );
    let none = rank(
        &[obs("2025-05", "WLD", 5_000.0)],
        "2025-04".parse().unwrap(),
        Measure::Quantity,
    );
    assert_eq!(
        none.notes,
        ["no partner rows for 2025-04 (nor for any other period of this flow)"]
    );
}

#[test]
fn partners_above_the_world_row_are_shares_of_their_sum() {
    let data = vec![
        obs("2025-07", "WLD", 100.0),
        obs("2025-07", "USA", 80.0),
        obs("2025-07", "JPN", 40.0),
    ];
    let r = rank(&data, "2025-07".parse().unwrap(), Measure::Quantity);
    assert_eq!(r.total_basis, "sum of partners");
    assert_eq!(r.total, Some(120.0));
    assert!(
        r.notes[0].contains("add up to 120.0 % of the world row"),
        "{:?}",
        r.notes
    );
}

/// One partner a little above the World row (rounding in the source): shares are of
/// the partners' sum, so the HHI and top share exist (they were dropped as "share
/// 1.0018 out of range").
#[test]
fn one_partner_slightly_above_the_world_row_keeps_its_hhi() {
    let p: Period = "2025-07".parse().unwrap();
    let r = rank(
        &[obs("2025-07", "WLD", 7.627), obs("2025-07", "CHN", 7.641)],
        p,
        Measure::Quantity,
    );
    assert_eq!(r.total_basis, "sum of partners");
    assert_eq!(r.hhi, Some(10_000.0));
    assert_eq!(r.top1_share_pct, Some(100.0));
    assert_eq!(r.partners_listed, 1);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("100.2 % of the world row") && n.contains("likely rounding")),
        "{:?}",
        r.notes
    );
}

/// A partner with a value but no tonnes is not a partner with 0 t: no share, listed
/// last, named in a note; and an empty HHI is 0, not "-0".
#[test]
fn a_partner_without_the_measure_has_no_share() {
    let p: Period = "2025-08".parse().unwrap();
    let value_only = Observation {
        quantity_t: None,
        value_usd: Some(5000.0),
        ..obs("2025-08", "JPN", 0.0)
    };
    let r = rank(
        &[obs("2025-08", "WLD", 10.0), value_only.clone()],
        p,
        Measure::Quantity,
    );
    assert_eq!(r.partners[0].partner_iso3, "JPN");
    assert_eq!(r.partners[0].share_pct, None);
    assert!(r.hhi.is_none_or(|h| h.is_sign_positive()), "{:?}", r.hhi);
    assert!(
        r.notes.iter().any(|n| n.contains("JPN has no tonnes")),
        "{:?}",
        r.notes
    );
    let r = rank(
        &[
            obs("2025-08", "WLD", 10.0),
            obs("2025-08", "KOR", 4.0),
            value_only,
        ],
        p,
        Measure::Quantity,
    );
    let order: Vec<&str> = r.partners.iter().map(|x| x.partner_iso3.as_str()).collect();
    assert_eq!(order, ["KOR", "JPN"]);
    assert_eq!(r.partners_listed, 1);
    assert_eq!(crate::indicators::concentration::hhi(&[]).to_string(), "0");
}

/// Review case: January–February published both as the combined period and as the year to
/// date (China's customs shape) listed each partner twice, doubled the total and rejected
/// the World row. One row per partner is ranked, the period's own over the YTD.
#[test]
fn a_combined_period_and_its_ytd_row_are_one_figure() {
    let mut rows = Vec::new();
    for (partner, q) in [("USA", 300.0), ("JPN", 100.0), ("WLD", 500.0)] {
        let combined = obs("2025-01..2025-02", partner, q);
        let mut ytd = combined.clone();
        ytd.period_type = PeriodType::Ytd;
        // A YTD row that disagreed would be the one left out.
        ytd.quantity_t = Some(q * 2.0);
        rows.extend([ytd, combined]);
    }
    let r = rank(
        &rows,
        "2025-01..2025-02".parse().unwrap(),
        Measure::Quantity,
    );
    let ranked: Vec<(&str, Option<f64>)> = r
        .partners
        .iter()
        .map(|p| (p.partner_iso3.as_str(), p.quantity_t))
        .collect();
    assert_eq!(ranked, [("USA", Some(300.0)), ("JPN", Some(100.0))]);
    assert_eq!(r.total, Some(500.0));
    assert_eq!(r.total_basis, "world row");
    assert!((r.hhi.unwrap() - 4000.0).abs() < 1e-9, "{:?}", r.hhi);
    assert!((r.top1_share_pct.unwrap() - 60.0).abs() < 1e-9);
}

/// Review question: where the World row falls short of the partners, shares are of their
/// sum, but the EU aggregate's share was still of the rejected row.
#[test]
fn the_aggregate_share_is_of_the_same_total_as_the_partners() {
    let rows = vec![
        obs("2025-05", "WLD", 100.0),
        obs("2025-05", "USA", 80.0),
        obs("2025-05", "DEU", 40.0),
        obs("2025-05", "EUU", 60.0),
    ];
    let r = rank(&rows, "2025-05".parse().unwrap(), Measure::Quantity);
    assert_eq!(r.total, Some(120.0));
    assert_eq!(r.total_basis, "sum of partners");
    assert!((r.aggregates[0].share_pct.unwrap() - 50.0).abs() < 1e-9);
    assert!(
        r.aggregates[0]
            .describe(Measure::Quantity)
            .contains("= 50.0 % of the partners' sum (the world row falls short of them)"),
        "{}",
        r.aggregates[0].describe(Measure::Quantity)
    );
    // Without a World row a sum over countries is no base for a bloc: no share.
    let no_world: Vec<Observation> = rows.into_iter().skip(1).collect();
    let r = rank(&no_world, "2025-05".parse().unwrap(), Measure::Quantity);
    assert_eq!(r.aggregates[0].share_pct, None);
}

/// Monitor review: with no World row and a partner without tonnes, "partners listed cover
/// 100 %" held by construction; the coverage is not measurable then.
#[test]
fn coverage_is_not_measurable_when_a_partner_amount_is_unknown() {
    let mut deu = obs("2025-05", "DEU", 0.0);
    deu.quantity_t = None;
    deu.value_usd = Some(300.0);
    let rows = vec![obs("2025-05", "USA", 10.0), obs("2025-05", "JPN", 5.0), deu];
    let r = rank(&rows, "2025-05".parse().unwrap(), Measure::Quantity);
    assert_eq!(r.total_basis, "sum of partners");
    assert_eq!(r.coverage_pct, None);
    // With a World row the coverage is of it, and measurable.
    let mut with_world = rows.clone();
    with_world.push(obs("2025-05", "WLD", 20.0));
    let r = rank(&with_world, "2025-05".parse().unwrap(), Measure::Quantity);
    assert!((r.coverage_pct.unwrap() - 75.0).abs() < 1e-9);
}

/// Code review: OTH ranked as a partner (top-1 70 %, HHI 5,800 as exact). It is reported
/// beside the ranking with its share; the countries cover 30 %, so the HHI is a lower bound.
#[test]
fn a_residual_group_is_reported_beside_the_ranking() {
    let period = "2023".parse().unwrap();
    for with_world in [true, false] {
        let mut rows = vec![obs("2023", "CHN", 300.0), obs("2023", "OTH", 700.0)];
        if with_world {
            rows.push(obs("2023", "WLD", 1_000.0));
        }
        let r = rank(&rows, period, Measure::Quantity);
        let ranked: Vec<&str> = r.partners.iter().map(|p| p.partner_iso3.as_str()).collect();
        assert_eq!(ranked, ["CHN"]);
        assert_eq!(r.total, Some(1_000.0));
        assert!((r.coverage_pct.unwrap() - 30.0).abs() < 1e-9);
        assert!(r.hhi_is_lower_bound && r.top1_is_lower_bound);
        let oth = &r.aggregates[0];
        assert_eq!(oth.kind, PartnerKind::Residual);
        assert!((oth.share_pct.unwrap() - 70.0).abs() < 1e-9);
        assert!(
            oth.describe(Measure::Quantity)
                .starts_with("OTH (others, countries not named) 700 t = 70.0 % of the"),
            "{}",
            oth.describe(Measure::Quantity)
        );
    }
}

/// Formats review: a World row from one source and partner rows from another were divided
/// without a word. The note names the World row's source and each other source's partners.
#[test]
fn partners_from_another_source_than_the_world_row_are_named() {
    let from = |partner: &str, q: f64, source: &str| Observation {
        source: source.into(),
        ..obs("2025-07", partner, q)
    };
    let rows = vec![
        from("WLD", 5_577.0, "bundled"),
        from("DEU", 1_116.0, "comtrade"),
        from("USA", 619.0, "comtrade"),
        from("KOR", 400.0, "bundled"),
    ];
    let r = rank(&rows, "2025-07".parse().unwrap(), Measure::Quantity);
    let note = r
        .notes
        .iter()
        .find(|n| n.starts_with("the world row is from bundled"))
        .unwrap_or_else(|| panic!("no source note in {:?}", r.notes));
    assert!(note.contains("DEU, USA from comtrade"), "{note}");
    assert!(!note.contains("KOR"), "{note}");
    // One source throughout: no note.
    let r = rank(&july_2025(), "2025-07".parse().unwrap(), Measure::Quantity);
    assert!(!r.notes.iter().any(|n| n.contains("the world row is from")));
}
