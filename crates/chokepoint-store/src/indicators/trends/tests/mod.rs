//! Tests of the trend indicators.

use chokepoint_model::{Flow, Iso3};

use crate::schema::PeriodType;

use super::*;

mod periods;

pub(super) fn obs(period: &str, q: f64) -> Observation {
    let p: Period = period.parse().unwrap();
    Observation {
        period_type: PeriodType::of(&p),
        period: p,
        partner_iso3: "WLD".into(),
        quantity_t: Some(q),
        quantity_is_partial: false,
        value_usd: None,
        source: "bundled".into(),
        is_derived: false,
        reported_yoy_pct: None,
        citation: None,
    }
}

fn typed(period: &str, q: f64, t: PeriodType) -> Observation {
    Observation {
        period_type: t,
        ..obs(period, q)
    }
}

fn row<'a>(rows: &'a [TrendRow], period: &str) -> &'a TrendRow {
    rows.iter()
        .find(|r| r.period == period)
        .unwrap_or_else(|| panic!("no row {period}"))
}

fn query() -> TrendQuery {
    TrendQuery {
        flow: FlowQuery {
            reporter: Iso3::CHINA,
            flow: Flow::Export,
            product: "rare-earths".into(),
            partner: None,
            source: None,
        },
        from: None,
        to: None,
        frequency: Frequency::Monthly,
    }
}

#[test]
fn combined_jan_feb_counts_in_ytd_and_blocks_mom() {
    let data = vec![
        obs("2024-01..2024-02", 100.0),
        obs("2024-03", 50.0),
        obs("2025-01", 60.0),
        obs("2025-02", 60.0),
        obs("2025-03", 55.0),
    ];
    let rows = compute(&data, &query()).rows;
    let mar24 = rows.iter().find(|r| r.period == "2024-03").unwrap();
    assert_eq!(mar24.mom_pct, None, "no MoM after a combined period");
    assert_eq!(mar24.ytd_t, Some(150.0));
    let feb25 = rows.iter().find(|r| r.period == "2025-02").unwrap();
    assert_eq!(feb25.mom_pct, Some(0.0));
    assert_eq!(
        feb25.yoy_pct, None,
        "Feb alone has no year-earlier single month"
    );
    let mar25 = rows.iter().find(|r| r.period == "2025-03").unwrap();
    assert!((mar25.yoy_pct.unwrap() - 10.0).abs() < 1e-9);
    assert!((mar25.ytd_yoy_pct.unwrap() - 16.666_666_666).abs() < 1e-6);
}

#[test]
fn ytd_falls_back_to_reported_cumulative_rows_only_when_months_are_missing() {
    let mut data = vec![obs("2025-05", 10.0)];
    let mut ytd = obs("2025-01..2025-05", 40.0);
    ytd.period_type = PeriodType::Ytd;
    data.push(ytd);
    let rows = compute(&data, &query()).rows;
    assert_eq!(rows.len(), 1, "YTD rows are not periods of the series");
    assert_eq!(rows[0].ytd_t, Some(40.0));
}

/// China's rare-earth exports as bundled (SOURCES.md): 2023 has a Jan–Jul YTD, single
/// months from August and the annual total; 2024 single months after Jan–Feb.
fn rare_earths_2023_2024() -> Vec<Observation> {
    let mut d = vec![
        typed("2023-01..2023-07", 31662.0, PeriodType::Ytd),
        obs("2023-08", 4775.0),
        obs("2023-09", 3935.0),
        typed("2023-01..2023-10", 44662.0, PeriodType::Ytd),
        obs("2023-11", 4206.0),
        obs("2023-12", 3439.0),
        obs("2023", 52306.0),
        obs("2024-01..2024-02", 8774.0),
        typed("2024-01..2024-08", 38755.0, PeriodType::Ytd),
    ];
    let months = [
        4709.5, 4566.0, 6217.0, 4829.0, 4937.0, 4723.0, 4181.0, 4753.0, 4416.0, 3326.0,
    ];
    for (k, q) in months.iter().enumerate() {
        d.push(obs(&format!("2024-{:02}", k + 3), *q));
    }
    d
}

#[test]
fn ytd_yoy_uses_any_figures_that_exactly_span_last_year() {
    let rows = compute(&rare_earths_2023_2024(), &query()).rows;
    // Aug: 38,755.5 (months) against 31,662 (Jan–Jul YTD) + 4,775 (Aug) = 36,437.
    let aug = row(&rows, "2024-08");
    assert_eq!(
        aug.ytd_t,
        Some(38755.5),
        "this year's months still come first"
    );
    assert!(
        (aug.ytd_yoy_pct.unwrap() - 6.362_76).abs() < 1e-3,
        "{aug:?}"
    );
    // Sep: 42,936.5 against 36,437 + 3,935 = 40,372.
    let sep = row(&rows, "2024-09");
    assert!(
        (sep.ytd_yoy_pct.unwrap() - 6.352_15).abs() < 1e-3,
        "{sep:?}"
    );
    // Dec: 55,431.5 against the 2023 annual 52,306 (not Jan–Oct + Nov + Dec = 52,307).
    let dec = row(&rows, "2024-12");
    assert_eq!(dec.ytd_t, Some(55431.5));
    assert!((dec.ytd_yoy_pct.unwrap() - (55431.5 / 52306.0 - 1.0) * 100.0).abs() < 1e-9);
    // Jan–Jul 2024 itself has no year-earlier single months but the YTD row spans it.
    let jul = row(&rows, "2024-07");
    assert!((jul.ytd_yoy_pct.unwrap() - (34032.5 / 31662.0 - 1.0) * 100.0).abs() < 1e-9);
}

/// A month-on-month change against a derived month says so: May 2025's −52.9 % compares
/// with April's 2,628 t, which the dataset backed out of that very change.
#[test]
fn mom_against_a_derived_month_is_flagged() {
    let mut april = obs("2025-04", 2628.0);
    april.is_derived = true;
    let data = vec![obs("2025-03", 4000.0), april, obs("2025-05", 1238.0)];
    let rows = compute(&data, &query()).rows;
    let may = row(&rows, "2025-05");
    assert!(may.mom_base_is_derived);
    assert_eq!(may.derived_tags(), ["mom base"]);
    let apr = row(&rows, "2025-04");
    assert!(!apr.mom_base_is_derived, "March is reported");
    assert_eq!(apr.derived_tags(), ["level"]);
}

#[test]
fn tiling_prefers_reported_over_derived_then_fewer_pieces() {
    let mut derived_aug = obs("2024-08", 5326.0);
    derived_aug.is_derived = true;
    let data = vec![
        typed("2024-01..2024-07", 32812.0, PeriodType::Ytd),
        derived_aug,
        typed("2025-01..2025-07", 27897.0, PeriodType::Ytd),
        typed("2025-01..2025-06", 22319.0, PeriodType::Ytd),
        obs("2025-07", 5577.0),
        obs("2025-08", 6146.0),
    ];
    let rows = compute(&data, &query()).rows;
    let aug = row(&rows, "2025-08");
    // Jan–Jul YTD + Aug (two pieces) rather than Jan–Jun + Jul + Aug (three).
    assert_eq!(aug.ytd_t, Some(27897.0 + 6146.0));
    assert!(!aug.ytd_includes_derived);
    assert!(aug.ytd_yoy_base_is_derived, "2024's August was derived");
    assert!(aug.yoy_base_is_derived);
    assert_eq!(aug.derived_tags(), ["yoy base", "ytd base"]);
}

#[test]
fn derived_levels_and_reported_rates_are_carried_to_the_rows() {
    let mut may24 = obs("2024-05", 4762.0);
    may24.is_derived = true;
    let mut may25 = obs("2025-05", 1238.0);
    may25.reported_yoy_pct = Some(-74.0);
    let mut ytd = typed("2025-01..2025-05", 19132.0, PeriodType::Ytd);
    ytd.reported_yoy_pct = Some(-14.5);
    let rows = compute(&[may24, may25, ytd], &query()).rows;
    let may = row(&rows, "2025-05");
    assert!((may.yoy_pct.unwrap() + 74.0).abs() < 0.05);
    assert_eq!(may.reported_yoy_pct, Some(-74.0));
    assert_eq!(may.reported_ytd_yoy_pct, Some(-14.5));
    assert!(
        may.yoy_base_is_derived,
        "circular: the base came from that -74 %"
    );
    assert!(row(&rows, "2024-05").is_derived);
}

#[test]
fn a_partner_series_uses_that_partners_rows_even_for_a_bloc() {
    let mut eu = obs("2025-07", 2140.0);
    eu.partner_iso3 = "EUU".into();
    let mut q = query();
    q.flow.partner = Some("EUU".parse().unwrap());
    let rows = compute(&[eu], &q).rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].quantity_t, Some(2140.0));
}

#[test]
fn an_incomplete_year_is_named_with_the_months_it_has() {
    let mut data = vec![
        obs("2025-01", 6357.0),
        typed("2025-01..2025-11", 51440.0, PeriodType::Ytd),
    ];
    for m in 4..=11 {
        data.push(obs(&format!("2025-{m:02}"), 5000.0));
    }
    let mut q = query();
    q.frequency = Frequency::Annual;
    let r = compute(&data, &q);
    assert!(r.rows.is_empty());
    assert_eq!(r.incomplete_years.len(), 1);
    assert_eq!(
        r.incomplete_years[0].to_string(),
        "2025 is incomplete: no annual figure; monthly figures for 2025-01, \
         2025-04 to 2025-11; a reported year-to-date total through 2025-11 (51,440 t); \
         nothing for 2025-12"
    );
    // With December the year is complete: Jan–Nov YTD + December.
    data.push(obs("2025-12", 6000.0));
    let r = compute(&data, &q);
    assert_eq!(r.rows[0].quantity_t, Some(57440.0));
    assert!(r.incomplete_years.is_empty());
}

#[test]
fn a_published_total_beats_a_sum_of_months_with_derived_ones() {
    // 2024: Jan–Feb reported, March derived; the Jan–Mar YTD row is published.
    let mut mar = obs("2024-03", 4709.5);
    mar.is_derived = true;
    let data = vec![
        obs("2024-01..2024-02", 8774.0),
        mar,
        typed("2024-01..2024-03", 13484.0, PeriodType::Ytd),
    ];
    let rows = compute(&data, &query()).rows;
    let r = row(&rows, "2024-03");
    assert_eq!(r.ytd_t, Some(13484.0));
    assert!(!r.ytd_includes_derived);
    assert_eq!(r.derived_tags(), ["level"]);
}

/// A combined January–February figure next to single months: the months' run is written
/// "2025-02 to 2025-03", so it does not read as a combined period `2025-02..2025-03`.
#[test]
fn runs_of_months_do_not_look_like_combined_periods() {
    let periods: Vec<String> = ["2025-01..2025-02", "2025-02", "2025-03", "2025-05"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        runs(&periods),
        "2025-01..2025-02, 2025-02 to 2025-03, 2025-05"
    );
}

/// A user's month inside a bundled reported YTD: the YTD still holds the bundled month, and
/// a note says so; with the months from one source there is nothing to say.
#[test]
fn a_reported_ytd_beside_a_month_of_another_source_is_noted() {
    let user_january = Observation {
        source: "comtrade".into(),
        ..obs("2025-01", 2000.0)
    };
    let data = vec![
        user_january,
        typed("2025-01..2025-05", 19132.0, PeriodType::Ytd),
        obs("2025-05", 1238.0),
        typed("2025-01..2025-06", 22319.0, PeriodType::Ytd),
        obs("2025-06", 3188.0),
    ];
    let report = compute(&data, &query());
    assert_eq!(row(&report.rows, "2025-05").ytd_t, Some(19132.0));
    // The mixed YTD's note, then the months the rows skip.
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
    assert!(
        report.notes[1].starts_with("2025-02 to 2025-04 have no figure"),
        "{:?}",
        report.notes
    );
    let note = &report.notes[0];
    for want in [
        "2025-05 to 2025-06",
        "reported by bundled",
        "2025-01 from comtrade",
    ] {
        assert!(note.contains(want), "{want}: {note}");
    }
    let all_bundled = vec![
        obs("2025-01", 6357.0),
        typed("2025-01..2025-05", 19132.0, PeriodType::Ytd),
        obs("2025-05", 1238.0),
    ];
    // Only the months the rows skip are noted, not a mixed YTD.
    let notes = compute(&all_bundled, &query()).notes;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("2025-02 to 2025-04 have no figure"),
        "{notes:?}"
    );
}
