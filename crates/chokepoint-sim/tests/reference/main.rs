//! Validation against BoARIO 0.7.2: every reference run of `data/runs/` (copied from
//! the shared ARIO reference) is re-run from its TOML equivalent in `scenarios/` and
//! every record compared (ARIO_SPEC.md §10 acceptance test).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bitexact;
mod controls;
mod derived;
mod properties;
mod runs;

use std::path::{Path, PathBuf};

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/data")
}

/// Reads a reference CSV: header, then rows whose first `skip` columns are labels.
pub fn read_csv(path: &Path, skip: usize) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .skip(skip)
        .map(str::to_string)
        .collect();
    let rows = rdr
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .skip(skip)
                .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Largest relative difference, with an absolute floor of 1 (so values below 1 are
/// compared absolutely); NaN equals NaN.
pub fn max_rel_diff(ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len());
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| {
            if a.is_nan() && b.is_nan() || a == b {
                0.0
            } else if a.is_nan() || b.is_nan() {
                f64::INFINITY
            } else {
                (a - b).abs() / a.abs().max(b.abs()).max(1.0)
            }
        })
        .fold(0.0, f64::max)
}
