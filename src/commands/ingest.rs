//! `chokepoint ingest`: files into the warehouse, with a progress bar on a terminal.

use std::io::IsTerminal;
use std::path::Path;

use chokepoint_store::IngestOptions;
use chokepoint_store::sources::InputFormat;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{IngestArgs, IngestFormat, RetractArgs};
use crate::output::{Cell, Format, Table};

/// Runs the command.
pub fn run(data_dir: Option<&Path>, args: &IngestArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let options = IngestOptions {
        format: match args.format {
            IngestFormat::Auto => None,
            IngestFormat::Comtrade => Some(InputFormat::Comtrade),
            IngestFormat::Baci => Some(InputFormat::Baci),
            IngestFormat::Tidy => Some(InputFormat::Tidy),
        },
        baci_countries: args.baci_countries.clone(),
        skip_bad: args.skip_bad,
        rejects_path: Some(args.rejects.clone()),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let data_dir = o.warehouse.data_dir().display().to_string();
    let report = o.warehouse.ingest(&args.files, &options, &mut |p| {
        if p.waiting_for_other_ingest {
            // Said whether or not stderr is a terminal: a script that seems to hang should
            // find out why in its log.
            stderr_line!(
                "note: another ingest into {data_dir} is running; this one starts when it ends"
            );
            return;
        }
        if let Some(b) = &bar {
            b.set_length(p.bytes_total);
            b.set_position(p.bytes_done);
            b.set_message(format!("{} rows", p.rows));
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report?;
    let mut t = Table::new([
        "file",
        "format",
        "rows_read",
        "rows_stored",
        "rows_skipped",
        "rows_rejected",
        "status",
    ]);
    for f in &report.files {
        let skipped: u64 = f.skipped.values().sum();
        t.push(vec![
            Cell::Text(f.path.clone()),
            Cell::Text(f.format.clone()),
            Cell::Int(f.rows_read as i64),
            Cell::Int(f.rows_stored as i64),
            Cell::Int(skipped as i64),
            Cell::Int(f.rows_rejected as i64),
            Cell::Text(
                if f.already_ingested {
                    "already ingested"
                } else if f.rows_stored == 0 {
                    // Every row rejected or skipped: nothing of this file is in the warehouse.
                    "nothing stored"
                } else {
                    "stored"
                }
                .into(),
            ),
        ]);
    }
    t.print(Format::Table)?;
    for f in &report.files {
        for (why, n) in &f.skipped {
            println!("  {}: skipped {n} row(s): {why}", f.path);
        }
    }
    for f in &report.files {
        warn_of_conflicts(&f.path, &f.conflicts);
        note_codes_not_iso(&f.path, &f.codes_not_iso);
        if f.estimated_weights > 0 {
            stderr_line!(
                "note: {}: {} row{} take{} tonnes from a weight UN Comtrade estimated (its \
                 is…Estimated flag), not one the reporter gave; the trade table's `notes` \
                 column marks {} (`chokepoint sql \"SELECT … FROM trade WHERE notes = '{}'\"`)",
                f.path,
                f.estimated_weights,
                if f.estimated_weights == 1 { "" } else { "s" },
                if f.estimated_weights == 1 { "s" } else { "" },
                if f.estimated_weights == 1 {
                    "it"
                } else {
                    "them"
                },
                chokepoint_store::sources::comtrade::ESTIMATED_WEIGHT_NOTE
            );
        }
    }
    if let Some(p) = &report.rejects_path {
        println!("rejected rows and reasons written to {}", p.display());
    }
    match &report.ingest_id {
        Some(id) => println!("committed ingest {id}"),
        None => println!("nothing new to store; the warehouse is unchanged"),
    }
    Ok(())
}

/// Says on stderr which stored codes ISO 3166-1 does not list: a typo (`USB` for `USA`)
/// is stored as a country of its own and counted in every sum over partners, while a
/// source's area code (`S19`) is meant; only the user can tell them apart.
fn note_codes_not_iso(path: &str, codes: &std::collections::BTreeMap<String, u64>) {
    if codes.is_empty() {
        return;
    }
    let listed: Vec<String> = codes
        .iter()
        .take(10)
        .map(|(c, n)| format!("{c} ({n} row{})", if *n == 1 { "" } else { "s" }))
        .collect();
    let more = codes.len().saturating_sub(10);
    stderr_line!(
        "note: {path}: codes that are not ISO 3166-1 countries: {}{}. A source's own area \
         code (S19, \"Other Asia, n.e.s.\") is expected; a typo is stored as a country of its \
         own: `chokepoint retract` the ingest and ingest a corrected file",
        listed.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
}

/// Says on stderr which lines of a file repeat an earlier line's key with other figures:
/// both were stored, and nothing tells which one is right.
fn warn_of_conflicts(path: &str, c: &chokepoint_store::warehouse::ingest::Conflicts) {
    if c.lines > 0 {
        let pairs: Vec<String> = c
            .examples
            .iter()
            .map(|(first, later)| format!("{later} (as {first})"))
            .collect();
        let more = if c.lines > c.examples.len() as u64 {
            ", …"
        } else {
            ""
        };
        stderr_line!(
            "warning: {path}: {} line(s) repeat the period, partner, flow and product of an \
             earlier line with other figures: line {}{more}. Both were stored and either may \
             be used; remove the wrong lines and ingest the corrected file",
            c.lines,
            pairs.join(", line ")
        );
    }
    if c.earlier_file_lines > 0 {
        let pairs: Vec<String> = c
            .earlier_file_examples
            .iter()
            .map(|(file, earlier, line)| format!("{line} (as {file}:{earlier})"))
            .collect();
        let more = if c.earlier_file_lines > c.earlier_file_examples.len() as u64 {
            ", …"
        } else {
            ""
        };
        stderr_line!(
            "warning: {path}: {} line(s) give other figures for the period, partner, flow and \
             product of a line of an earlier file of this ingest: line {}{more}. This later \
             file's figures are used, as when the files are ingested one after the other",
            c.earlier_file_lines,
            pairs.join(", line ")
        );
    }
    if c.incomplete {
        stderr_line!(
            "note: {path}: more than {} distinct keys; lines after that were not checked for \
             conflicting repeats",
            chokepoint_store::warehouse::ingest::MAX_TRACKED_KEYS
        );
    }
}

/// Runs `chokepoint retract`.
pub fn retract(data_dir: Option<&Path>, args: &RetractArgs) -> anyhow::Result<()> {
    let o = super::warehouse::open(data_dir)?;
    let report = o.warehouse.retract(&args.ingest_id, &mut || {
        stderr_line!("waiting for another ingest into this data directory to finish");
    })?;
    let mut t = Table::new(["ingest_id", "file", "rows_stored"]);
    for f in &report.files {
        t.push(vec![
            report.ingest_id.as_str().into(),
            f.path.as_str().into(),
            Cell::Int(i64::try_from(f.rows_stored).unwrap_or(i64::MAX)),
        ]);
    }
    if report.files.is_empty() {
        t.push(vec![
            report.ingest_id.as_str().into(),
            Cell::Null,
            Cell::Null,
        ]);
    }
    if args.format == Format::Table {
        println!(
            "retracted ingest {}: its rows are gone from every table",
            report.ingest_id
        );
    }
    t.print(args.format)?;
    Ok(())
}
