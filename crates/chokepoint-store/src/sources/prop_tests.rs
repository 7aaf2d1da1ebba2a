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
}
