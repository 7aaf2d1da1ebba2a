//! Tests of the sources module: formats, line ends, serial and parallel readers.

use super::*;

fn h(cols: &str) -> Vec<String> {
    cols.split(',').map(str::to_string).collect()
}

#[test]
fn detects_each_format_from_its_header() {
    assert_eq!(
        InputFormat::detect(&h("typeCode,freqCode,flowCode,cmdCode")),
        Some(InputFormat::Comtrade)
    );
    assert_eq!(
        InputFormat::detect(&h("t,i,j,k,v,q")),
        Some(InputFormat::Baci)
    );
    assert_eq!(
        InputFormat::detect(&h(
            "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd"
        )),
        Some(InputFormat::Tidy)
    );
    assert_eq!(InputFormat::detect(&h("a,b,c")), None);
    assert_eq!(
        InputFormat::detect(&h("typeCode,freqCode,flowCode,qty")),
        Some(InputFormat::Comtrade)
    );
}

/// A comma appended to every line of a CRLF file (`\r,\n`, header included) is one
/// empty trailing cell, not a second record of two cells on every line.
#[test]
fn a_comma_after_the_cr_of_every_line_is_an_empty_last_cell() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/comtrade_chn_850511.csv");
    let text = std::fs::read_to_string(fixture).unwrap();
    let mut quirky = String::new();
    for line in text.lines() {
        quirky.push_str(line);
        quirky.push_str("\r,\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ct.csv");
    std::fs::write(&p, quirky).unwrap();
    let data_lines: Vec<u64> = (2..=text.lines().count() as u64).collect();
    let serial = read_serial_and_parallel(&p);
    assert_eq!(serial.iter().map(|l| l.0).collect::<Vec<_>>(), data_lines);
    assert!(
        serial.iter().all(|l| !matches!(l.1, Row::Reject { .. })),
        "{serial:?}"
    );
}

/// The rows of a Comtrade file by the parallel scan (what ingest runs), checked equal
/// to the serial reader's. The `csv` crate numbers a record after a blank LF line by the
/// line its read started on, so line numbers are compared only without those (a blank
/// CRLF line is a record the serial reader skips itself, and numbers right).
fn read_serial_and_parallel(p: &Path) -> Vec<(u64, Row)> {
    let mut serial = Vec::new();
    let mut r = TradeReader::open(p, None, None).unwrap();
    assert_eq!(r.format(), InputFormat::Comtrade);
    while let Some(l) = r.next_line() {
        serial.push((l.line, l.row));
    }
    let r = TradeReader::open(p, None, None).unwrap();
    let mut parallel = Vec::new();
    r.scan(
        Vec::new,
        |acc: &mut Vec<(u64, Row)>, l| acc.push((l.line, l.row)),
        |acc, _| {
            parallel.extend(acc);
            Ok(())
        },
    )
    .unwrap();
    let rows = |v: &[(u64, Row)]| v.iter().map(|l| l.1.clone()).collect::<Vec<_>>();
    assert_eq!(rows(&serial), rows(&parallel));
    let text = std::fs::read(p).unwrap();
    if !text.windows(2).any(|w| w == b"\n\n") {
        assert_eq!(serial, parallel);
    }
    parallel
}

/// A stray CR inside an unquoted cell (a name pasted from another system) is text, in
/// LF and CRLF files alike: the row reads as it would without it. It cut the line in
/// two ("20 cells where the header has 47: the line is cut short"). Blank CRLF lines
/// are still no rows.
#[test]
fn a_stray_cr_inside_a_cell_stays_in_it() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/comtrade_chn_850511.csv");
    let text = std::fs::read_to_string(fixture).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.csv");
    std::fs::write(&clean, &text).unwrap();
    let expected = read_serial_and_parallel(&clean);
    assert!(expected.iter().all(|l| !matches!(l.1, Row::Reject { .. })));
    for eol in ["\n", "\r\n"] {
        let mut stray = String::new();
        for (k, line) in text.lines().enumerate() {
            // `Rep. of\rKorea` and `World\r`: inside a cell and ending one.
            stray.push_str(
                &line
                    .replace("Rep. of ", "Rep. of\r")
                    .replace(",World,", ",World\r,"),
            );
            stray.push_str(eol);
            if k == 2 {
                stray.push_str(eol); // a blank line, numbered past
            }
        }
        let p = dir.path().join("stray.csv");
        std::fs::write(&p, stray).unwrap();
        let got = read_serial_and_parallel(&p);
        let rows = |v: &[(u64, Row)]| v.iter().map(|l| l.1.clone()).collect::<Vec<_>>();
        assert_eq!(rows(&got), rows(&expected), "{eol:?}");
        let lines: Vec<u64> = got.iter().map(|l| l.0).collect();
        let want: Vec<u64> = expected.iter().map(|l| l.0 + u64::from(l.0 > 3)).collect();
        assert_eq!(lines, want, "{eol:?}");
    }
}

#[test]
fn line_numbers_are_right_for_lf_and_crlf_files() {
    let dir = tempfile::tempdir().unwrap();
    for (name, eol) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let text = [
            "period,reporter_iso3,partner_iso3,flow,product,quantity_t",
            "2025-05,CHN,WLD,export,magnets,1",
            "2025-06,CHN,WLD,export,magnets,x",
        ]
        .join(eol)
            + eol;
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let mut r = TradeReader::open(&p, None, None).unwrap();
        assert_eq!(r.next_line().unwrap().line, 2, "{name}");
        let bad = r.next_line().unwrap();
        assert_eq!(bad.line, 3, "{name}");
        assert!(matches!(bad.row, Row::Reject { .. }));
        assert!(r.next_line().is_none());
    }
}
