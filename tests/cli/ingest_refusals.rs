//! `chokepoint ingest` refusing what it cannot read as its format says: each named at its
//! file, line and column, exit 2, the warehouse unchanged.

use predicates::prelude::*;

use crate::ingest::{fixture, snapshot, trade_rows};
use crate::util::{Sandbox, china_export_args};

#[test]
fn malformed_file_fails_with_file_and_line_and_leaves_the_warehouse_unchanged() {
    let sb = Sandbox::new();
    sb.cmd().arg("sources").assert().success();
    let before = snapshot(&sb.data_dir().join("warehouse"));
    let bad = fixture("comtrade_malformed.csv");
    sb.cmd()
        .arg("ingest")
        .arg(fixture("tidy_china_magnets.csv"))
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("comtrade_malformed.csv:5"))
        // The column by position too, as a spreadsheet counts them: netWgt is the 38th.
        .stderr(predicate::str::contains("(column 38, `netWgt`)"))
        .stderr(predicate::str::contains("--skip-bad"));
    assert_eq!(snapshot(&sb.data_dir().join("warehouse")), before);
}

/// A rejects file that would overwrite an input or a warehouse part, or whose folder is
/// missing, is refused before anything is read or stored.
#[test]
fn rejects_never_overwrite_an_input_or_the_warehouse() {
    let sb = Sandbox::new();
    sb.cmd().arg("sources").assert().success();
    let input = sb.path().join("in.csv");
    std::fs::copy(fixture("comtrade_malformed.csv"), &input).unwrap();
    let original = std::fs::read(&input).unwrap();
    let before = snapshot(&sb.data_dir().join("warehouse"));
    let part = sb.data_dir().join("warehouse/trade/bundled.parquet");
    let missing = sb.path().join("no-such-folder/rejects.csv");
    for (target, why) in [
        (&input, "inputs"),
        (&part, "inside the data directory"),
        (&missing, "does not exist"),
    ] {
        sb.cmd()
            .arg("ingest")
            .arg(&input)
            .arg("--skip-bad")
            .arg("--rejects")
            .arg(target)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    assert_eq!(std::fs::read(&input).unwrap(), original);
    assert_eq!(snapshot(&sb.data_dir().join("warehouse")), before);
    let tmp: Vec<_> = std::fs::read_dir(sb.data_dir().join("tmp"))
        .unwrap()
        .collect();
    assert!(tmp.is_empty(), "staged files left behind: {tmp:?}");
}

/// A Comtrade file without `cmdCode` is named as such (it was "cannot tell the file
/// format"), and a row without any period says so (it showed `-00`).
#[test]
fn comtrade_problems_are_named() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(fixture("comtrade_chn_850511.csv")).unwrap();
    let no_cmd = sb.write("no_cmd.csv", &text.replacen(",cmdCode,", ",commodity,", 1));
    sb.cmd()
        .arg("ingest")
        .arg(&no_cmd)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cmdCode"))
        .stderr(predicate::str::contains("cannot tell").not());
    // Blank refYear, refMonth and period (columns 4–6) in the first data row.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    for c in &mut cells[3..6] {
        c.clear();
    }
    lines[1] = cells.join(",");
    let no_period = sb.write("no_period.csv", &(lines.join("\n") + "\n"));
    sb.cmd()
        .arg("ingest")
        .arg(&no_period)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no_period.csv:2"))
        .stderr(predicate::str::contains("refYear/refMonth"));
}

#[test]
fn unknown_header_names_the_formats_and_exits_2() {
    let sb = Sandbox::new();
    let f = sb.write("odd.csv", "a,b,c\n1,2,3\n");
    sb.cmd()
        .arg("ingest")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Comtrade+").and(predicate::str::contains("BACI")));
    sb.cmd().arg("ingest").arg("missing.csv").assert().code(2);
}

/// Files that are not comma-separated UTF-8 text, and folders, are named for what they
/// are, with exit 2, whether or not --format is given.
#[test]
fn utf16_semicolon_files_and_folders_are_named_for_what_they_are() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(fixture("comtrade_chn_850511.csv")).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let u16_path = sb.path().join("u16.csv");
    std::fs::write(&u16_path, utf16).unwrap();
    let semi = sb.write("semi.csv", &text.replace(',', ";"));
    let folder = sb.path().join("downloads");
    std::fs::create_dir(&folder).unwrap();
    for (path, why) in [
        (&u16_path, "is UTF-16 text; save it as UTF-8 CSV"),
        (&semi, "separated by semicolons"),
        (&folder, "is a folder, not a file"),
    ] {
        for format in [None, Some("comtrade")] {
            let mut cmd = sb.cmd();
            cmd.arg("ingest").arg(path);
            if let Some(f) = format {
                cmd.args(["--format", f]);
            }
            cmd.assert().code(2).stderr(predicate::str::contains(why));
        }
    }
}

/// A negative figure is reported at its own column: `value_usd`, not `quantity_t`.
#[test]
fn a_negative_value_is_reported_at_value_usd() {
    let sb = Sandbox::new();
    let f = sb.write(
        "negval.csv",
        "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd\n\
         2023,DEU,CHN,import,850511,5,-100\n",
    );
    sb.cmd()
        .arg("ingest")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "negval.csv:2: negative value: `-100` (column 7, `value_usd`)",
        ));
}

/// F1: a numeric HS column exported as `850511.0` was stored as `08505110` (fruit), exit 0.
/// Every reader and `--product` now refuse it with the line and a hint; nothing is stored.
#[test]
fn hs_codes_written_as_decimal_numbers_are_refused_everywhere() {
    let sb = Sandbox::new();
    let bundled = trade_rows(&sb);
    let tidy = sb.write(
        "float.csv",
        "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd\n\
         2023-01,CHN,JPN,export,8505.11,10,\n\
         2023-01,CHN,JPN,export,850511.0,10,\n",
    );
    sb.cmd()
        .arg("ingest")
        .arg(&tidy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("float.csv:3"))
        .stderr(predicate::str::contains(
            "`850511.0` is an HS code written as a decimal number",
        ))
        .stderr(predicate::str::contains("without decimals"));
    let comtrade = std::fs::read_to_string(fixture("comtrade_chn_850511.csv")).unwrap();
    let mut lines = comtrade.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap().replacen(",850511,", ",850511.0,", 1);
    assert!(
        row.contains(",850511.0,"),
        "fixture row without cmdCode 850511: {row}"
    );
    let ct = sb.write("ct.csv", &format!("{header}\n{row}\n"));
    sb.cmd()
        .arg("ingest")
        .arg(&ct)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ct.csv:2"))
        .stderr(predicate::str::contains("without decimals"));
    sb.cmd()
        .args(china_export_args("trends", "850511.0", &[]))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("without decimals"));
    assert_eq!(trade_rows(&sb), bundled);
}

/// F20: a pipe (`cat f | chokepoint ingest /dev/stdin`) was read twice and blamed an empty
/// header; it is refused as a pipe, and a redirected file still works.
#[cfg(unix)]
#[test]
fn a_pipe_is_refused_as_such_and_a_redirected_file_is_read() {
    use std::io::Write;
    let sb = Sandbox::new();
    let text = "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd\n\
                2014-03,CHN,USA,export,850511,100,\n";
    let mut child = sb
        .std_cmd()
        .args(["ingest", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The refusal may come before the write: a closed pipe is no failure here.
    let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/dev/stdin is a pipe"), "{stderr}");
    let file = sb.write("in.csv", text);
    let out = sb
        .std_cmd()
        .args(["ingest", "/dev/stdin"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("committed ingest"));
}
