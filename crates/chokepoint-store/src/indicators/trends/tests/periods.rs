//! Notes on periods: combined and cross-year periods, incomplete years, skipped months.

use super::*;

/// A combined period beside the single months it spans (a user's Jan–Mar row): MoM is
/// against the single month before, wherever the combined row sorts, and the YTD adds the
/// months the table shows (differential runs against an independent implementation found
/// February without MoM and a YTD of 40 instead of 37).
#[test]
fn a_combined_period_over_single_months_does_not_hide_them() {
    let data = vec![
        obs("2025-01", 10.0),
        obs("2025-02", 12.0),
        obs("2025-03", 15.0),
        obs("2025-04", 9.0),
        obs("2025-01..2025-03", 40.0),
    ];
    let rows = compute(&data, &query()).rows;
    let feb = row(&rows, "2025-02");
    assert!((feb.mom_pct.unwrap() - 20.0).abs() < 1e-9, "{feb:?}");
    assert_eq!(row(&rows, "2025-03").ytd_t, Some(37.0));
    let apr = row(&rows, "2025-04");
    assert!((apr.mom_pct.unwrap() + 40.0).abs() < 1e-9, "{apr:?}");
    assert_eq!(apr.ytd_t, Some(46.0));
    // The combined row itself has no MoM.
    assert_eq!(row(&rows, "2025-01..2025-03").mom_pct, None);
}

/// A period across a year end is named in the notes of both years it touches (December
/// 2024 was neither listed nor missing).
#[test]
fn a_period_across_a_year_end_is_named_in_both_years() {
    let data = vec![
        obs("2024-10", 5.0),
        obs("2024-11", 5.0),
        obs("2024-12..2025-01", 9.0),
        obs("2025-02", 4.0),
    ];
    let q = TrendQuery {
        frequency: Frequency::Annual,
        ..query()
    };
    let years = compute(&data, &q).incomplete_years;
    let y2024 = years.iter().find(|y| y.year == 2024).unwrap();
    assert_eq!(
        y2024.monthly_periods,
        ["2024-10", "2024-11", "2024-12..2025-01"]
    );
    assert!(!y2024.missing_months.contains(&"2024-12".to_string()));
    let y2025 = years.iter().find(|y| y.year == 2025).unwrap();
    assert_eq!(y2025.monthly_periods, ["2024-12..2025-01", "2025-02"]);
}

/// Review case: without a World row, a partner that reported a value but no tonnes counted
/// as 0 t in the sum over partners, and March read as a 50 % fall with nothing said. The sum
/// stays the known partners' (BACI leaves `q` empty for some flows, and a year would
/// otherwise have no tonnes at all), and a note says it is a lower bound and why.
#[test]
fn a_value_only_partner_makes_the_sum_over_partners_a_lower_bound_said_in_a_note() {
    let mut all = Vec::new();
    for m in ["2025-01", "2025-02", "2025-03", "2025-04"] {
        for partner in ["USA", "DEU"] {
            let mut o = obs(m, 100.0);
            o.partner_iso3 = partner.into();
            o.value_usd = Some(1.0e6);
            if partner == "DEU" && m == "2025-03" {
                o.quantity_t = None;
            }
            all.push(o);
        }
    }
    let report = compute(&all, &query());
    let rows = &report.rows;
    assert_eq!(row(rows, "2025-02").quantity_t, Some(200.0));
    let march = row(rows, "2025-03");
    assert_eq!(march.quantity_t, Some(100.0));
    assert_eq!(march.value_usd, Some(2.0e6), "the value is known");
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    let note = &report.notes[0];
    assert!(
        note.starts_with("2025-03: no World row, and DEU reported a value but no tonnes"),
        "{note}"
    );
    assert!(note.contains("a lower bound"), "{note}");
}

/// Review case: a combined period across a year end got the YTD of its last month (January
/// 2025 alone) when that month was also there singly. It has no YTD, as documented.
#[test]
fn a_period_across_a_year_end_has_no_ytd() {
    // The USA's single months and Japan's one row across the year end: no World row, so
    // each period's total is the sum over its partners.
    let mut all: Vec<Observation> = [
        ("2023-11", 10.0),
        ("2023-12", 20.0),
        ("2024-01", 30.0),
        ("2024-11", 10.0),
        ("2024-12", 20.0),
        ("2025-01", 30.0),
    ]
    .into_iter()
    .map(|(m, q)| Observation {
        partner_iso3: "USA".into(),
        ..obs(m, q)
    })
    .collect();
    all.push(Observation {
        partner_iso3: "JPN".into(),
        ..obs("2024-11..2025-01", 90.0)
    });
    let report = compute(&all, &query());
    let r = row(&report.rows, "2024-11..2025-01");
    assert_eq!(r.quantity_t, Some(90.0));
    assert_eq!(r.ytd_t, None, "January 2025 alone is not this period's YTD");
    assert_eq!(r.ytd_yoy_pct, None);
    // Within a year, the YTD is still there.
    let jan = row(&report.rows, "2025-01");
    assert_eq!(jan.ytd_t, Some(30.0));
    assert_eq!(jan.ytd_yoy_pct, Some(0.0));
}

/// Review case: years covered by figures that cross a year end got "nothing for ;" (an
/// empty list), and a year wholly inside a long period was not told of it.
#[test]
fn annual_notes_name_every_figure_of_a_year_and_never_an_empty_list() {
    let mut all: Vec<Observation> = (1..=11)
        .map(|m| obs(&format!("2024-{m:02}"), 10.0))
        .collect();
    all.push(obs("2024-12..2025-01", 30.0));
    all.push(obs("2025-02", 20.0));
    all.push(obs("2025-03", 20.0));
    all.push(Observation {
        partner_iso3: "DEU".into(),
        ..obs("2024-12..2026-03", 15.0)
    });
    let mut q = query();
    q.frequency = Frequency::Annual;
    let report = compute(&all, &q);
    let notes: Vec<String> = report
        .incomplete_years
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes.iter().all(|n| !n.contains("nothing for ;")),
        "{notes:?}"
    );
    assert!(notes[0].contains("cross a year end"), "{}", notes[0]);
    assert!(notes[1].contains("2024-12..2026-03"), "{}", notes[1]);
    assert!(
        notes[2].contains("nothing for 2026-04 to 2026-12"),
        "{}",
        notes[2]
    );
}

/// Analyst review: China's 8,360 t of magnets to the EU in January–June 2025 (a reported
/// YTD, -22.4 % y/y) was nowhere in `trends --partner EUU`, whose only monthly row is July.
/// A YTD ending in a month without a row is named in a note, unless that month lies outside
/// the range asked for.
#[test]
fn a_ytd_ending_in_a_month_without_a_row_is_named() {
    let mut h1 = typed("2025-01..2025-06", 8360.0, PeriodType::Ytd);
    h1.reported_yoy_pct = Some(-22.4);
    let all = vec![h1, obs("2025-07", 2140.0)];
    let report = compute(&all, &query());
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    assert!(
        report.notes[0].starts_with(
            "2025-01..2025-06: a reported year-to-date total of 8,360 t, reported -22.4 % year on year"
        ),
        "{}",
        report.notes[0]
    );
    let mut q = query();
    q.to = Some("2025-05".parse().unwrap());
    let notes = compute(&all, &q).notes;
    assert!(
        notes.iter().all(|n| !n.contains("year-to-date")),
        "{notes:?}"
    );
}

/// Code review: a combined January–February row carries its YTD, yet the note said "no row
/// shows it" for every Jan–Feb YTD (China's customs publish both).
#[test]
fn a_ytd_carried_by_a_combined_row_is_not_named() {
    let all = vec![
        obs("2025-01..2025-02", 500.0),
        typed("2025-01..2025-02", 500.0, PeriodType::Ytd),
        obs("2025-03", 300.0),
    ];
    let report = compute(&all, &query());
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

/// Code review: under `--freq A` a year tiled from a month that left out a value-only
/// partner's tonnes lost the lower-bound note.
#[test]
fn an_annual_sum_of_a_lower_bound_month_says_so() {
    let mut all = Vec::new();
    for m in 1..=12 {
        for partner in ["USA", "JPN"] {
            let mut o = obs(&format!("2024-{m:02}"), 100.0);
            o.partner_iso3 = partner.into();
            o.value_usd = Some(1.0);
            if partner == "JPN" && m == 5 {
                o.quantity_t = None;
            }
            all.push(o);
        }
    }
    let mut q = query();
    q.frequency = Frequency::Annual;
    let report = compute(&all, &q);
    assert_eq!(row(&report.rows, "2024").quantity_t, Some(2300.0));
    assert!(row(&report.rows, "2024").quantity_is_lower_bound);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("2024: no World row, and JPN")),
        "{:?}",
        report.notes
    );
}

/// Code review: a flow with figures, none of them in `--from`/`--to`, was told "no trade
/// rows for reporter …"; a note says where its figures are.
#[test]
fn a_range_without_figures_says_where_they_are() {
    let all = vec![obs("2025-03", 10.0), obs("2025-05", 20.0)];
    let mut q = query();
    q.from = Some("2030-01".parse().unwrap());
    let report = compute(&all, &q);
    assert!(report.rows.is_empty());
    assert!(!report.found_nothing());
    assert_eq!(
        report.notes,
        ["no figures in the range asked; this flow has figures from 2025-03 to 2025-05"]
    );
    assert!(compute(&[], &query()).found_nothing());
}

/// Overlapping rows of two sources are both shown as published, with a note that their
/// sum counts the shared months twice. Dropping the losing source's World figure instead
/// left its months to a partial sum over partners (the re-review's July at 1,735 t of
/// 5,577).
#[test]
fn overlapping_rows_are_kept_and_named() {
    let mut user = obs("2024-11..2025-02", 5.0);
    user.source = "tidy".into();
    let data = vec![user, obs("2025-01", 6357.0), obs("2025-03", 5666.0)];
    let r = compute(&data, &query());
    assert!(r.rows.iter().any(|x| x.period == "2025-01"));
    assert!(r.rows.iter().any(|x| x.period == "2024-11..2025-02"));
    let notes: Vec<&String> = r
        .notes
        .iter()
        .filter(|n| n.contains("same months"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", r.notes);
    assert!(
        notes[0].contains("2024-11..2025-02 (tidy) and 2025-01 (bundled)")
            && notes[0].contains("--source"),
        "{}",
        notes[0]
    );
}

/// Months no row covers are named, a run across a year end year by year, and what a
/// reported YTD implies for them; a combined period covers its months (analyst review).
#[test]
fn skipped_months_are_named_with_what_the_ytd_implies() {
    let data = vec![
        obs("2024-11", 10.0),
        obs("2025-01..2025-02", 30.0),
        obs("2025-05", 5.0),
        typed("2025-01..2025-05", 50.0, PeriodType::Ytd),
        obs("2025-06", 7.0),
    ];
    let notes = compute(&data, &query()).notes;
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("2024-12 has no figure"), "{notes:?}");
    assert!(!notes[0].contains("implies"), "{notes:?}");
    // 50 − 30 (Jan–Feb) − 5 (May) = 15 for March and April.
    assert!(
        notes[1].starts_with("2025-03 to 2025-04 have no figure"),
        "{notes:?}"
    );
    assert!(
        notes[1].contains("the year-to-date total through 2025-05 implies 15 t for them together"),
        "{notes:?}"
    );
    // Months that cite nothing say nothing of their publication (code review: "from a
    // publication none of its months cites" fired on an ingest without citations).
    let mut cited_total = data.clone();
    cited_total[3].citation = Some("Adamas Intelligence".into());
    let notes = compute(&cited_total, &query()).notes;
    assert!(!notes[1].contains("scope may differ"), "{notes:?}");
    // With a month citing another publication, the note says so.
    cited_total[2].citation = Some("Reuters".into());
    let notes = compute(&cited_total, &query()).notes;
    assert!(notes[1].contains("scope may differ"), "{notes:?}");
    // A month from another source beside the YTD: one source's total less another's month
    // is no figure, so none is implied (re-review: 8,875 t for 8,909).
    let mut mixed = data.clone();
    mixed[2] = Observation {
        source: "comtrade".into(),
        ..obs("2025-05", 6.0)
    };
    let notes = compute(&mixed, &query()).notes;
    let gap = notes
        .iter()
        .find(|n| n.starts_with("2025-03 to 2025-04 have no figure"))
        .unwrap();
    assert!(!gap.contains("implies"), "{notes:?}");
}

/// A gap is told by the series' figures, not by the rows in range: with `--from` on the
/// missing month itself, the month is still named (re-review: a leading gap went unnamed).
#[test]
fn a_skipped_month_at_the_start_of_the_range_is_named() {
    let data = vec![obs("2025-01", 10.0), obs("2025-03", 30.0)];
    let mut q = query();
    q.from = YearMonth::new(2025, 2);
    let notes = compute(&data, &q).notes;
    assert!(
        notes.iter().any(|n| n.starts_with("2025-02 has no figure")),
        "{notes:?}"
    );
    // Outside the months asked, nothing.
    q.from = YearMonth::new(2025, 3);
    assert!(compute(&data, &q).notes.is_empty());
}
