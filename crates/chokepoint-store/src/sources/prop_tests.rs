//! Property test: no input makes a reader panic; every line is a record, a skip or a
//! reject with a reason.

use std::path::Path;

use proptest::prelude::*;

use super::{InputFormat, Row, TradeReader};

const HEADERS: [&str; 3] = [
    super::comtrade::HEADER,
    "t,i,j,k,v,q",
    "period,reporter_iso3,partner_iso3,flow,hs_code,product,quantity_t,value_usd",
];

fn read_all(path: &Path, countries: &Path) {
    for format in [
        None,
        Some(InputFormat::Comtrade),
        Some(InputFormat::Baci),
        Some(InputFormat::Tidy),
    ] {
        // The serial reader and the parallel scan (what ingest runs) both take the input.
        if let Ok(mut r) = TradeReader::open(path, format, Some(countries)) {
            let mut n = 0;
            while let Some(line) = r.next_line() {
                if let Row::Reject { reason, .. } = &line.row {
                    assert!(!reason.is_empty());
                }
                n += 1;
                assert!(n < 10_000, "reader must end");
            }
        }
        if let Ok(r) = TradeReader::open(path, format, Some(countries)) {
            let scanned = r.scan(
                || (),
                |_, line| {
                    if let Row::Reject { reason, .. } = &line.row {
                        assert!(!reason.is_empty());
                    }
                },
                |_, _| Ok(()),
            );
            // Only a read error can end a scan early, and a temp file reads fine.
            assert!(scanned.is_ok());
        }
    }
}

/// Cells that look like the real thing, plus hostile ones.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("0".to_string()),
        Just("X".to_string()),
        Just("W00".to_string()),
        Just("202505".to_string()),
        Just("2025-01..2025-02".to_string()),
        Just("850511".to_string()),
        Just("NaN".to_string()),
        Just("\"a, b\"".to_string()),
        Just("Côte d'Ivoire".to_string()),
        "[0-9]{1,12}",
        "-?[0-9]{1,6}\\.[0-9]{0,3}",
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, &bytes).unwrap();
        let cc = dir.path().join("country_codes.csv");
        std::fs::write(&cc, &bytes).unwrap();
        read_all(&p, &cc);
    }

    #[test]
    fn arbitrary_rows_under_real_headers_never_panic(
        header in 0usize..3,
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..50), 0..20),
        crlf in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from(HEADERS[header]);
        text.push_str(eol);
        for r in &rows {
            text.push_str(&r.join(","));
            text.push_str(eol);
        }
        let p = dir.path().join("x.csv");
        std::fs::write(&p, text).unwrap();
        let cc = dir.path().join("country_codes.csv");
        std::fs::write(&cc, "country_code,country_iso3\n156,CHN\n0,WLD\n").unwrap();
        read_all(&p, &cc);
    }

    /// The serial reader (the `csv` crate and `drop_cr_before_lf`) and the parallel scan
    /// (the splitter and `drop_line_end_cr`) are two implementations of one rule for CRs,
    /// quotes and blank lines: on random tidy lines built from those, they give the same
    /// rows with the same line numbers, where no blank LF line makes the `csv` crate lag
    /// (there, the same kind of row for every line).
    #[test]
    fn the_serial_reader_and_the_scan_read_every_line_alike(
        lines in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    Just("2025-05".to_string()), Just("CHN".to_string()),
                    Just("export".to_string()), Just("magnets".to_string()),
                    Just("12".to_string()), Just(String::new()), Just("\r".to_string()),
                    Just("a\rb".to_string()), Just("\"x\"".to_string()),
                    Just("\"y\r\"".to_string()), Just("\"q\"\"q\"".to_string()),
                    Just("\"".to_string()), Just("\"two\nlines\"".to_string()),
                ],
                0..8,
            ),
            0..12,
        ),
        ends in proptest::collection::vec(prop_oneof![Just("\n"), Just("\r\n")], 12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from(HEADERS[2]);
        text.push('\n');
        for (cells, end) in lines.iter().zip(&ends) {
            text.push_str(&cells.join(","));
            text.push_str(end);
        }
        let p = dir.path().join("t.csv");
        std::fs::write(&p, &text).unwrap();
        let Ok(mut r) = TradeReader::open(&p, Some(InputFormat::Tidy), None) else {
            return Ok(());
        };
        let mut serial = Vec::new();
        while let Some(l) = r.next_line() {
            serial.push((l.line, format!("{:?}", l.row)));
        }
        let r = TradeReader::open(&p, Some(InputFormat::Tidy), None).unwrap();
        let mut parallel = Vec::new();
        r.scan(
            Vec::new,
            |acc: &mut Vec<(u64, String)>, l| acc.push((l.line, format!("{:?}", l.row))),
            |acc, _| {
                parallel.extend(acc);
                Ok(())
            },
        )
        .unwrap();
        // After a blank LF line the `csv` crate's line numbers lag, and a reject's reason
        // may name a line: there only what each line became is compared.
        let kinds = |v: &[(u64, String)]| {
            v.iter()
                .map(|x| x.1.split([' ', '(']).next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(kinds(&serial), kinds(&parallel), "{:?}", text);
        if !text.contains("\n\n") {
            prop_assert_eq!(serial, parallel, "{:?}", text);
        }
    }
}
