//! MRIO tables: the `pymrio.save_all()` text layout and the plain-CSV layout,
//! re-sorted the way BoARIO sorts them (ARIO_SPEC.md §1: regions, sectors and
//! final-demand categories each sorted lexicographically, region-major).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::SimError;

/// An MRIO table in BoARIO's sorted order, annual flows in the table's own unit.
///
/// Industries are indexed `region * n_sectors + sector`; final-demand columns
/// `region * n_categories + category`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mrio {
    /// Sorted region names.
    pub regions: Vec<String>,
    /// Sorted sector names (the same sectors in every region).
    pub sectors: Vec<String>,
    /// Sorted final-demand category names.
    pub fd_categories: Vec<String>,
    /// Intermediate flows Z, N × N row-major (row supplier, column client).
    pub z: Vec<f64>,
    /// Final demand Y, N × (regions · categories) row-major.
    pub y: Vec<f64>,
    /// Gross output x, N.
    pub x: Vec<f64>,
    /// Technical coefficients A = Z / x (column-wise), N × N.
    pub a: Vec<f64>,
}

/// A labelled table as read from disk, before sorting.
struct RawTable {
    path: PathBuf,
    cols: Vec<(String, String)>,
    rows: Vec<(String, String)>,
    /// The line of each row, for messages.
    lines: Vec<u64>,
    values: Vec<f64>,
}

impl Mrio {
    /// Builds an MRIO from arrays already in sorted region-major order; computes
    /// `A = Z · diag(1/x)` as pymrio does (1/0 taken as 0) and checks shapes.
    pub fn from_arrays(
        regions: Vec<String>,
        sectors: Vec<String>,
        fd_categories: Vec<String>,
        z: Vec<f64>,
        y: Vec<f64>,
        x: Vec<f64>,
    ) -> Result<Self, SimError> {
        let n = regions.len() * sectors.len();
        let nf = regions.len() * fd_categories.len();
        if n == 0 || fd_categories.is_empty() {
            return Err(SimError::Invalid(
                "an MRIO needs at least one region, one sector and one final-demand category"
                    .into(),
            ));
        }
        if z.len() != n * n || y.len() != n * nf || x.len() != n {
            return Err(SimError::Invalid(format!(
                "MRIO arrays do not match {} regions × {} sectors: Z has {} values (expected {}), \
                 Y {} (expected {}), x {} (expected {n})",
                regions.len(),
                sectors.len(),
                z.len(),
                n * n,
                y.len(),
                n * nf,
                x.len()
            )));
        }
        if let Some(v) = z.iter().chain(&y).chain(&x).find(|v| !v.is_finite()) {
            return Err(SimError::Invalid(format!(
                "MRIO arrays contain a non-finite value ({v})"
            )));
        }
        let a = coefficients(&z, &x);
        Ok(Mrio {
            regions,
            sectors,
            fd_categories,
            z,
            y,
            x,
            a,
        })
    }

    /// Number of industries (regions × sectors).
    pub fn n_industries(&self) -> usize {
        self.regions.len() * self.sectors.len()
    }

    /// The largest magnitude among the flows per step (the table's annual flows over
    /// `steps_per_year`) that the model derives from the table: gross output, final
    /// demand, and intermediate flows summed over supplier regions (|Z| summed, so that
    /// the bound holds whatever the signs).
    pub fn largest_flow(&self, steps_per_year: f64) -> f64 {
        let n = self.x.len();
        let (s, nr) = (self.sectors.len(), self.regions.len());
        let mut by_sector = vec![0.0_f64; s * n];
        for r in 0..nr {
            for p in 0..s {
                let row = &self.z[(r * s + p) * n..][..n];
                for (acc, v) in by_sector[p * n..][..n].iter_mut().zip(row) {
                    *acc += v.abs();
                }
            }
        }
        self.x
            .iter()
            .chain(&self.y)
            .chain(&by_sector)
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            / steps_per_year
    }

    /// `region|sector` label of every industry, in index order.
    pub fn industry_labels(&self) -> Vec<String> {
        self.regions
            .iter()
            .flat_map(|r| self.sectors.iter().map(move |s| format!("{r}|{s}")))
            .collect()
    }

    /// Loads an MRIO folder: either `pymrio.save_all()` output (`Z.txt`, `Y.txt`,
    /// `x.txt`, optional `A.txt`, tab-separated with two header rows) or the plain
    /// CSV layout (`Z.csv`, `Y.csv`, `x.csv`, optional `A.csv`, columns `region|sector`).
    /// When A is present it is used as is (BoARIO uses pymrio's A); it must agree with
    /// Z / x to 1e-8 as BoARIO checks.
    pub fn load(dir: &Path) -> Result<Self, SimError> {
        // Present, even where it cannot be read (a link loop was "no Z.txt or Z.csv
        // found"): reading it then names the file and the cause.
        let present = |name: &str| dir.join(name).symlink_metadata().is_ok();
        let (ext, delim) = if present("Z.txt") {
            ("txt", b'\t')
        } else if present("Z.csv") {
            ("csv", b',')
        } else {
            return Err(SimError::MrioShape {
                path: dir.to_path_buf(),
                message: "no Z.txt (pymrio save_all layout) or Z.csv (plain CSV layout) found; \
                          point `network.mrio` at the folder holding the tables"
                    .into(),
            });
        };
        let file = |name: &str| dir.join(format!("{name}.{ext}"));
        for (name, what) in [("Y", "final demand"), ("x", "gross output")] {
            if !file(name).exists() {
                return Err(SimError::MrioShape {
                    path: dir.to_path_buf(),
                    message: format!(
                        "no {name}.{ext} ({what}) beside Z.{ext}: the table needs Z, Y and x \
                         (pymrio's save_all writes all three once calc_all has run)"
                    ),
                });
            }
        }
        let z = read_table(&file("Z"), delim, ext == "txt")?;
        let y = read_table(&file("Y"), delim, ext == "txt")?;
        let x = read_table(&file("x"), delim, false)?;
        let a = if file("A").is_file() {
            Some(read_table(&file("A"), delim, ext == "txt")?)
        } else {
            None
        };
        assemble(dir, z, y, x, a)
    }
}

fn coefficients(z: &[f64], x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let recip: Vec<f64> = x
        .iter()
        .map(|&v| if v == 0.0 { 0.0 } else { 1.0 / v })
        .collect();
    let mut a = vec![0.0; n * n];
    for (arow, zrow) in a.chunks_exact_mut(n).zip(z.chunks_exact(n)) {
        for ((av, zv), rv) in arow.iter_mut().zip(zrow).zip(&recip) {
            *av = zv * rv;
        }
    }
    a
}

fn file_err(path: &Path, line: u64, message: impl Into<String>) -> SimError {
    SimError::MrioFile {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a table with two index columns (region, sector). `two_header_rows`: the
/// pymrio layout (region row, then sector/category row, then an optional row of
/// index names); otherwise one header row whose labels are `region|sector`.
fn read_table(path: &Path, delim: u8, two_header_rows: bool) -> Result<RawTable, SimError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(source) => SimError::Io {
                path: path.to_path_buf(),
                source,
            },
            other => file_err(path, 0, format!("{other:?}")),
        })?;
    let mut records = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            file_err(path, line, e.to_string())
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        records.push((line, rec));
    }
    // A header of one or two cells holding `;`: a file separated by semicolons (a
    // spreadsheet's CSV in some locales), which the plain layout does not read.
    let semicolons = records
        .first()
        .is_some_and(|(_, r)| r.len() <= 2 && r.iter().any(|c| c.contains(';')));
    let mut it = records.into_iter().peekable();
    let cols: Vec<(String, String)> = if two_header_rows {
        let (l1, first) = it.next().ok_or_else(|| file_err(path, 1, "empty file"))?;
        let (_, second) = it
            .next()
            .ok_or_else(|| file_err(path, l1 + 1, "missing second header row"))?;
        if first.len() != second.len() {
            return Err(file_err(
                path,
                l1,
                "the two header rows have different lengths",
            ));
        }
        let cols = first
            .iter()
            .zip(second.iter())
            .skip(2)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        // pymrio writes a third row naming the index columns, with empty value cells.
        if let Some((_, rec)) = it.peek()
            && rec.iter().skip(2).all(|c| c.trim().is_empty())
        {
            it.next();
        }
        cols
    } else {
        let (l1, head) = it.next().ok_or_else(|| file_err(path, 1, "empty file"))?;
        head.iter()
            .skip(2)
            .map(|label| match label.split_once('|') {
                Some((r, s)) => Ok((r.to_string(), s.to_string())),
                // A single value column (x): keep its name as the label.
                None => Ok((String::new(), label.to_string())),
            })
            .collect::<Result<_, SimError>>()
            .map_err(|e: SimError| file_err(path, l1, e.to_string()))?
    };
    if cols.is_empty() {
        return Err(file_err(
            path,
            1,
            if semicolons {
                "no value columns after the two index columns (region, sector): the file is \
                 separated by semicolons; save it with commas (tabs for the pymrio layout)"
            } else {
                "no value columns after the two index columns (region, sector)"
            },
        ));
    }
    // The pymrio layout has regions on line 1 and sectors on line 2.
    let sector_line = if two_header_rows { 2 } else { 1 };
    for (region, sector) in &cols {
        check_label(path, (1, sector_line), region, sector)?;
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut values = Vec::new();
    for (line, rec) in it {
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rec.len() != cols.len() + 2 {
            return Err(file_err(
                path,
                line,
                format!(
                    "row has {} fields, expected {} (2 index columns + {} values)",
                    rec.len(),
                    cols.len() + 2,
                    cols.len()
                ),
            ));
        }
        check_label(path, (line, line), &rec[0], &rec[1])?;
        rows.push((rec[0].to_string(), rec[1].to_string()));
        lines.push(line);
        for (k, cell) in rec.iter().skip(2).enumerate() {
            let v: f64 = cell.trim().parse().map_err(|_| {
                file_err(
                    path,
                    line,
                    format!("column {}: `{cell}` is not a number", k + 3),
                )
            })?;
            if !v.is_finite() {
                return Err(file_err(
                    path,
                    line,
                    format!("column {}: value `{cell}` is not finite", k + 3),
                ));
            }
            values.push(v);
        }
    }
    if rows.is_empty() {
        return Err(file_err(
            path,
            1,
            "no data rows after the header: the table is empty (was it cut short when copied?)",
        ));
    }
    Ok(RawTable {
        path: path.to_path_buf(),
        cols,
        rows,
        lines,
        values,
    })
}

/// Refuses a region or sector label holding `|`: it joins region and sector in every
/// record's column names and in the impact keys, so `a` + `x|y` and `a|x` + `y` would both
/// be `a|x|y`, two industries under one name.
/// `lines`: where the region and the sector label are.
fn check_label(path: &Path, lines: (u64, u64), region: &str, sector: &str) -> Result<(), SimError> {
    match [(region, lines.0), (sector, lines.1)]
        .into_iter()
        .find(|(l, _)| l.contains('|'))
    {
        Some((label, line)) => Err(file_err(
            path,
            line,
            format!(
                "label `{label}` holds `|`, which joins region and sector in the records' \
                 column names and the impact keys (`region|sector`); rename it"
            ),
        )),
        None => Ok(()),
    }
}

/// Sorted unique labels of one component and the position of each label.
fn sorted_index<'a>(
    labels: impl Iterator<Item = &'a str>,
) -> (Vec<String>, BTreeMap<String, usize>) {
    let set: std::collections::BTreeSet<&str> = labels.collect();
    let names: Vec<String> = set.into_iter().map(str::to_string).collect();
    let pos = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    (names, pos)
}

/// Maps each (region, item) label to its sorted region-major position; errors when
/// the labels are not a full regions × items product.
fn permutation(
    dir: &Path,
    table: &Path,
    what: &str,
    labels: &[(String, String)],
    regions: &BTreeMap<String, usize>,
    items: &BTreeMap<String, usize>,
) -> Result<Vec<usize>, SimError> {
    // Sized by the rows, not by regions × items: 10,000 rows with as many distinct
    // regions and sectors made a product of 10^8, and one string per missing pair.
    let n = regions.len().saturating_mul(items.len());
    let mut seen = std::collections::HashSet::with_capacity(labels.len());
    let mut perm = Vec::with_capacity(labels.len());
    for (r, s) in labels {
        let (Some(ri), Some(si)) = (regions.get(r), items.get(s)) else {
            return Err(SimError::MrioShape {
                path: dir.to_path_buf(),
                message: format!(
                    "{}: {what} `{r}|{s}` uses a region or label unknown elsewhere in the table",
                    table.display()
                ),
            });
        };
        let k = ri * items.len() + si;
        if !seen.insert(k) {
            return Err(SimError::MrioShape {
                path: dir.to_path_buf(),
                message: format!("{}: {what} `{r}|{s}` appears twice", table.display()),
            });
        }
        perm.push(k);
    }
    if labels.len() != n {
        // Name what is missing (`reg3|mining`), the first five of them; every label is
        // distinct and inside the product, so the count is a difference.
        let missing_count = n - labels.len();
        let shown = regions
            .iter()
            .flat_map(|(r, ri)| {
                items
                    .iter()
                    .map(move |(s, si)| (r, s, ri * items.len() + si))
            })
            .filter(|(_, _, k)| !seen.contains(k))
            .take(5)
            .map(|(r, s, _)| format!("{r}|{s}"))
            .collect::<Vec<_>>()
            .join(", ");
        let more = if missing_count > 5 {
            format!(" and {} more", missing_count - 5)
        } else {
            String::new()
        };
        return Err(SimError::MrioShape {
            path: dir.to_path_buf(),
            message: format!(
                "{}: {} {what}s, but {} regions × {} = {n}; every region must have the same \
                 {what}s, and these are missing: {shown}{more}",
                table.display(),
                labels.len(),
                regions.len(),
                items.len()
            ),
        });
    }
    Ok(perm)
}

fn assemble(
    dir: &Path,
    z: RawTable,
    y: RawTable,
    x: RawTable,
    a: Option<RawTable>,
) -> Result<Mrio, SimError> {
    let (regions, rpos) = sorted_index(z.rows.iter().map(|(r, _)| r.as_str()));
    let (sectors, spos) = sorted_index(z.rows.iter().map(|(_, s)| s.as_str()));
    let n = regions.len() * sectors.len();
    let zrow = permutation(dir, &z.path, "industry row", &z.rows, &rpos, &spos)?;
    let zcol = permutation(dir, &z.path, "industry column", &z.cols, &rpos, &spos)?;
    let (cats, cpos) = sorted_index(y.cols.iter().map(|(_, c)| c.as_str()));
    let yrow = permutation(dir, &y.path, "industry row", &y.rows, &rpos, &spos)?;
    let ycol = permutation(dir, &y.path, "final-demand column", &y.cols, &rpos, &cpos)?;
    let xrow = permutation(dir, &x.path, "industry row", &x.rows, &rpos, &spos)?;
    if x.cols.len() != 1 {
        return Err(SimError::MrioShape {
            path: dir.to_path_buf(),
            message: format!(
                "{}: expected one value column (gross output), found {}",
                x.path.display(),
                x.cols.len()
            ),
        });
    }
    let nf = regions.len() * cats.len();
    let scatter = |raw: &RawTable, rows: &[usize], cols: &[usize], width: usize| {
        let mut out = vec![0.0; n * width];
        let w = raw.cols.len();
        for (ri, &r) in rows.iter().enumerate() {
            for (ci, &c) in cols.iter().enumerate() {
                out[r * width + c] = raw.values[ri * w + ci];
            }
        }
        out
    };
    let zs = scatter(&z, &zrow, &zcol, n);
    let ys = scatter(&y, &yrow, &ycol, nf);
    let xs = scatter(&x, &xrow, &[0], 1);
    let mut mrio = Mrio::from_arrays(regions, sectors, cats, zs, ys, xs)?;
    check_totals(&mrio, (&z, &zrow), (&x, &xrow), (&y, &yrow))?;
    if let Some(a) = a {
        let arow = permutation(dir, &a.path, "industry row", &a.rows, &rpos, &spos)?;
        let acol = permutation(dir, &a.path, "industry column", &a.cols, &rpos, &spos)?;
        let given = scatter(&a, &arow, &acol, n);
        // BoARIO rejects an A that disagrees with Z / x (np.allclose, atol 1e-8).
        let bad = given
            .iter()
            .zip(&mrio.a)
            .position(|(g, c)| (g - c).abs() > 1e-8 + 1e-5 * c.abs());
        if let Some(k) = bad {
            let s = mrio.sectors.len();
            let label = |i: usize| format!("{}|{}", mrio.regions[i / s], mrio.sectors[i % s]);
            return Err(SimError::MrioShape {
                path: dir.to_path_buf(),
                message: format!(
                    "{}: A[{}, {}] = {} disagrees with Z / x = {}; remove A or recompute it",
                    a.path.display(),
                    label(k / n),
                    label(k % n),
                    given[k],
                    mrio.a[k]
                ),
            });
        }
        mrio.a = given;
    }
    Ok(mrio)
}

mod totals;

pub use totals::OutputGap;
use totals::check_totals;

#[cfg(test)]
mod tests;
