//! Tests of the exposure report, its totals and notes.

use super::notes::{cross_year_note, value_only_note};
use super::totals::importer_total;
use super::*;
use crate::ArgumentError;

#[test]
fn products_map_to_stages() {
    assert_eq!(stage_of_product("magnets"), Some(Stage::Magnets));
    assert_eq!(stage_of_product("8505.11"), Some(Stage::Magnets));
    assert_eq!(stage_of_product("rare-earths"), Some(Stage::Separation));
    assert_eq!(stage_of_product("284690"), Some(Stage::Separation));
    assert_eq!(stage_of_product("2805.30"), Some(Stage::Metal));
    assert_eq!(stage_of_product("mining"), Some(Stage::Mining));
    assert_eq!(stage_of_product("graphite"), None);
    // The chain's one HS rule: a sibling line of a stage's heading is no stage.
    assert_eq!(stage_of_product("8505.20"), None);
    assert_eq!(stage_of_product("8505"), Some(Stage::Magnets));
}

#[test]
fn importer_codes_are_checked() {
    assert_eq!(parse_importer("EU"), Ok(Importer::Eu));
    assert_eq!(parse_importer("usa"), Ok(Importer::Country("USA".into())));
    assert!(parse_importer("840").is_err());
    assert!(parse_importer("U-A").is_err());
    assert_eq!(parse_importer("s19"), Ok(Importer::Country("S19".into())));
    assert!(parse_importer("Europe").is_err());
}

fn fact(reporter: &str, partner: &str, flow: &str, period: &str, q: f64) -> TradeFact {
    let p: chokepoint_model::Period = period.parse().unwrap();
    let (first, last) = p.months();
    let months = match p {
        chokepoint_model::Period::Year(_) => 12,
        _ if first.year != last.year => 0,
        _ => p.month_count() as u32,
    };
    TradeFact {
        year: p.year(),
        months,
        first_month: u32::from(first.month),
        reporter: reporter.into(),
        partner: partner.into(),
        flow: flow.into(),
        quantity_t: q,
        is_derived: false,
        period: period.into(),
        first_year: first.year,
    }
}

/// The bloc's imports: each member's world row less its imports from other members,
/// plus members that report partners but no world row (the oracle's cases p6 and p13).
#[test]
fn eu_imports_leave_out_trade_between_members_and_keep_members_without_a_world_row() {
    let p6 = [
        fact("DEU", "CHN", "import", "2023", 1000.0),
        fact("DEU", "FRA", "import", "2023", 800.0),
        fact("FRA", "CHN", "import", "2023", 500.0),
        fact("FRA", "JPN", "import", "2023", 400.0),
        fact("FRA", "DEU", "import", "2023", 300.0),
        fact("DEU", "WLD", "import", "2023", 1800.0),
        fact("FRA", "WLD", "import", "2023", 1200.0),
    ];
    let t = importer_total(&Importer::Eu, &p6, 2023, "import").unwrap();
    assert_eq!(t.total_t, 1900.0);
    assert!(
        t.notes[0].contains("less 1100.0 t of trade between members"),
        "{:?}",
        t.notes
    );
    // Two members of 27: their total is a lower bound of the EU's, and the note says so
    // (one member's file stood in for the EU without a word).
    assert!(
        t.notes[0].contains("only 2 of the 27 member states report")
            && t.notes[0].contains("a lower bound of the EU's"),
        "{:?}",
        t.notes
    );
    let p13 = [
        fact("DEU", "CHN", "import", "2023", 500.0),
        fact("DEU", "JPN", "import", "2023", 500.0),
        fact("DEU", "WLD", "import", "2023", 2000.0),
        fact("ITA", "CHN", "import", "2023", 900.0),
    ];
    assert_eq!(
        importer_total(&Importer::Eu, &p13, 2023, "import")
            .unwrap()
            .total_t,
        2900.0
    );
    // The bloc's own aggregate, where it reports, is taken alone.
    let mut with_euu = p13.to_vec();
    with_euu.push(fact("EUU", "WLD", "import", "2023", 2500.0));
    assert_eq!(
        importer_total(&Importer::Eu, &with_euu, 2023, "import")
            .unwrap()
            .total_t,
        2500.0
    );
    // A world row below the partners' sum gives way to it, with a note.
    let low = [
        fact("DEU", "CHN", "import", "2023", 1000.0),
        fact("DEU", "JPN", "import", "2023", 300.0),
        fact("DEU", "WLD", "import", "2023", 1000.0),
    ];
    let deu = Importer::Country("DEU".into());
    let t = importer_total(&deu, &low, 2023, "import").unwrap();
    assert_eq!(t.total_t, 1300.0);
    assert!(
        t.notes[0].contains("below the sum of its partners"),
        "{:?}",
        t.notes
    );
}

/// Rows the annual figures cannot hold are named, not dropped in silence.
#[test]
fn cross_year_and_value_only_rows_are_named() {
    let deu = Importer::Country("DEU".into());
    let facts = [
        fact("DEU", "CHN", "import", "2023-01..2024-03", 1500.0),
        fact("DEU", "JPN", "import", "2023", 1000.0),
    ];
    for year in [2023, 2024] {
        let note = cross_year_note(&deu, &facts, year).unwrap();
        assert!(
            note.contains("DEU import CHN 2023-01..2024-03 1500.0 t"),
            "{note}"
        );
    }
    assert_eq!(cross_year_note(&deu, &facts, 2025), None);
    let value_only = [fact("DEU", "JPN", "import", "2023", 0.0)];
    let note = value_only_note(&deu, &value_only, 2023).unwrap();
    assert!(note.ends_with("DEU import JPN 2023"), "{note}");
    assert_eq!(value_only_note(&deu, &value_only, 2024), None);
}

#[test]
fn missing_suppliers_serialise_as_the_reason() {
    let r = ExposureReport {
        importer: "BRA".into(),
        product: "magnets".into(),
        stage: Some(Stage::Magnets),
        year: None,
        suppliers: Err(NotComputable::needs(["trade rows"])),
        reliance_inputs: RelianceInputs::default(),
        import_reliance: Figure::Value(0.5),
        reliance: None,
        crma: Vec::new(),
        notes: Vec::new(),
    };
    let v = r.to_json().unwrap();
    assert_eq!(
        v["suppliers"]["not_computable"],
        "not computable: needs trade rows"
    );
}

/// China reports the EU as a whole for January–July (a Jan–Jun YTD and July) and Germany
/// alone for June, July and September: the EU's mirror imports are the bloc's rows plus
/// Germany's September, the one month the bloc's rows leave uncovered, with a note that
/// September is one member's figure (the review's 10,500 t instead of 11,788 t).
#[test]
fn eu_mirror_imports_take_member_rows_in_months_the_bloc_rows_leave_uncovered() {
    let rows = [
        fact("CHN", "EUU", "export", "2025-01..2025-06", 8360.0),
        fact("CHN", "EUU", "export", "2025-07", 2140.0),
        fact("CHN", "DEU", "export", "2025-06", 900.0),
        fact("CHN", "DEU", "export", "2025-07", 950.0),
        fact("CHN", "DEU", "export", "2025-09", 1288.0),
    ];
    let by = super::totals::by_partner(&Importer::Eu, &rows, 2025).unwrap();
    assert_eq!(by.basis, "mirror");
    let chn = &by.quantities["CHN"];
    assert_eq!(chn.quantity_t, 8360.0 + 2140.0 + 1288.0);
    assert_eq!(chn.months, vec![1, 2, 3, 4, 5, 6, 7, 9]);
    assert_eq!(by.notes.len(), 1, "{:?}", by.notes);
    assert!(
        by.notes[0].contains(
            "CHN's exports to the EU in Sep are its rows for 1 of the 27 member states (DEU)"
        ),
        "{:?}",
        by.notes
    );
    // A member's row straddling a bloc month goes whole, with a note.
    let mut straddle = rows.to_vec();
    straddle.push(fact("CHN", "ITA", "export", "2025-07..2025-08", 300.0));
    let by = super::totals::by_partner(&Importer::Eu, &straddle, 2025).unwrap();
    assert_eq!(by.quantities["CHN"].quantity_t, 8360.0 + 2140.0 + 1288.0);
    assert!(
        by.notes
            .iter()
            .any(|n| n.contains("row for ITA over 2025-07..2025-08 is left out")),
        "{:?}",
        by.notes
    );
    // A year with member-state rows only is one member's figure, and says so.
    let only_deu = [fact("CHN", "DEU", "export", "2024-09", 1007.0)];
    let by = super::totals::by_partner(&Importer::Eu, &only_deu, 2024).unwrap();
    assert_eq!(by.quantities["CHN"].quantity_t, 1007.0);
    assert!(
        by.notes[0].starts_with("CHN's exports to the EU are its rows for 1 of the 27"),
        "{:?}",
        by.notes
    );
    // Another importer's mirror rows are taken as they are, without a note.
    let usa = [fact("CHN", "USA", "export", "2025-09", 300.0)];
    let by = super::totals::by_partner(&Importer::Country("USA".into()), &usa, 2025).unwrap();
    assert!(by.notes.is_empty());
}

/// The world total and the remainder groups are partner codes, never importers.
#[test]
fn group_codes_are_not_importers() {
    for code in ["WLD", "wld", "ROW", "OTH"] {
        let e = parse_importer(code).unwrap_err();
        assert!(
            matches!(e, ArgumentError::ImporterGroup { .. }),
            "{code}: {e:?}"
        );
        assert!(e.to_string().contains("not an importer"), "{e}");
    }
    assert_eq!(parse_importer("EUU"), Ok(Importer::Eu));
    // On the simulated chain the rest of the world is a region that imports (`exposure
    // --after --importer ROW`); the world total is still no importer there.
    assert_eq!(
        parse_chain_importer("row"),
        Ok(Importer::Country("ROW".into()))
    );
    assert!(parse_chain_importer("WLD").is_err());
}
