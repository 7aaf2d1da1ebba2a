//! The table's totals: gross outputs and demand totals ARIO cannot start from (refused),
//! and gross outputs off what the industries sell (found, for a warning).

use super::{Mrio, RawTable, file_err};
use crate::SimError;
use crate::model::readable;

/// Industries whose gross output is off their sales ([`Mrio::output_gaps`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputGap {
    /// How many industries are off.
    pub count: usize,
    /// The one furthest off.
    pub label: String,
    /// Its gross output.
    pub x: f64,
    /// What it sells (Z row + Y row).
    pub sales: f64,
    /// |x − sales| over the larger of the two.
    pub gap: f64,
}

impl Mrio {
    /// The industries whose gross output is off what they sell (Z row + Y row, pymrio's
    /// `calc_x`) by more than `tolerance` of the larger: how many, and the one furthest
    /// off with its x and its sales. Such a table starts out of balance, so that a run
    /// without any event drifts from its baseline.
    pub fn output_gaps(&self, tolerance: f64) -> Option<OutputGap> {
        let n = self.n_industries();
        let nf = self.y.len() / n.max(1);
        let labels = self.industry_labels();
        let mut worst: Option<OutputGap> = None;
        let mut count = 0;
        for (k, &x) in self.x.iter().enumerate() {
            let z_row: f64 = self.z[k * n..][..n].iter().sum();
            let y_row: f64 = self.y[k * nf..][..nf].iter().sum();
            let sales = z_row + y_row;
            let gap = (x - sales).abs() / x.abs().max(sales.abs());
            if gap > tolerance {
                count += 1;
                if worst.as_ref().is_none_or(|w| gap > w.gap) {
                    worst = Some(OutputGap {
                        count: 0,
                        label: labels[k].clone(),
                        x,
                        sales,
                        gap,
                    });
                }
            }
        }
        worst.map(|w| OutputGap { count, ..w })
    }
}

/// Refuses, at the line of the industry's row, gross outputs and demand totals that ARIO
/// cannot start from, instead of failing after the run starts (exit 1) or running a
/// collapse nobody asked for:
///
/// - a negative gross output (BoARIO raises on the negative capacity at step 0);
/// - an industry whose sales, its Z row plus its Y row, total less than zero: negative
///   final-demand cells ("changes in inventories") are normal and pass unchanged as in
///   BoARIO (ARIO_SPEC.md Q25), but a negative total is a negative order at step 0, which
///   BoARIO raises on too (Q20);
/// - a zero (or vanishing) gross output of an industry that sells: BoARIO takes 1/0 as 0
///   (§3) and runs, but that industry can then deliver nothing, and its clients' stocks
///   run dry until the whole economy falls to a fraction of its size. pymrio computes
///   x = Z·1 + Y·1, so such an x contradicts the table's own flows. An industry with zero
///   output that sells nothing (an empty sector, common in real tables) is kept, as
///   BoARIO keeps it.
pub(super) fn check_totals(
    mrio: &Mrio,
    (z, zrow): (&RawTable, &[usize]),
    (x, xrow): (&RawTable, &[usize]),
    (y, yrow): (&RawTable, &[usize]),
) -> Result<(), SimError> {
    let n = mrio.n_industries();
    let nf = mrio.y.len() / n;
    let labels = mrio.industry_labels();
    // The file line of industry `k`'s row in a table read in file order `rows`.
    let line_of = |raw: &RawTable, rows: &[usize], k: usize| {
        rows.iter()
            .position(|&r| r == k)
            .map_or(0, |ri| raw.lines[ri])
    };
    for (k, (label, &xk)) in labels.iter().zip(&mrio.x).enumerate() {
        let z_row: f64 = mrio.z[k * n..][..n].iter().sum();
        let y_row: f64 = mrio.y[k * nf..][..nf].iter().sum();
        let sales = z_row + y_row;
        let (xk_, sales_, z_row_, y_row_) = (
            readable(xk),
            readable(sales),
            readable(z_row),
            readable(y_row),
        );
        if xk < 0.0 {
            return Err(file_err(
                &x.path,
                line_of(x, xrow, k),
                format!(
                    "gross output of {label} is {xk_}; it must not be negative (its Z row plus \
                     Y row total {sales_}, which pymrio takes as x); correct x"
                ),
            ));
        }
        // A negative total that a negative Z cell makes is Z's to correct (a cell of
        // -1e12 was blamed on Y.csv; adversarial review): name the row and the cell.
        let z_cells = &mrio.z[k * n..][..n];
        if sales < 0.0 && z_row < 0.0 {
            let (col, worst) = z_cells
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map_or((0, 0.0), |(c, v)| (c, *v));
            return Err(file_err(
                &z.path,
                line_of(z, zrow, k),
                format!(
                    "{label} sells {sales_} in total (Z row {z_row_}, final demand {y_row_}): \
                     its Z row holds {} for {} (intermediate flows are not negative); correct \
                     that cell of Z",
                    readable(worst),
                    labels.get(col).map_or("?", String::as_str)
                ),
            ));
        }
        // One negative cell in a positive row: its order is a negative share of the need,
        // a negative delivery. BoARIO stops at step 0 ("Negative orders computed"); this ran
        // to the horizon without a word (ARIO review).
        if let Some((col, &v)) = z_cells.iter().enumerate().find(|(_, v)| **v < 0.0) {
            return Err(file_err(
                &z.path,
                line_of(z, zrow, k),
                format!(
                    "{label}'s Z row holds {} for {} (intermediate flows are not negative: its \
                     orders would be negative deliveries, and BoARIO stops at step 0 with \
                     \"Negative orders computed\"); correct that cell of Z, or set it to 0",
                    readable(v),
                    labels.get(col).map_or("?", String::as_str)
                ),
            ));
        }
        if sales < 0.0 {
            return Err(file_err(
                &y.path,
                line_of(y, yrow, k),
                format!(
                    "{label} sells {sales_} in total (Z row {z_row_}, final demand {y_row_}): \
                     negative final-demand cells are fine, but not a negative total, which would \
                     be a negative order from the first step; correct the final demand"
                ),
            ));
        }
        // `sales * 1e-9`: a gross output a billionth of what the industry sells is a zero
        // written otherwise (`1e-300` collapsed the economy as 0 did).
        if sales > 0.0 && xk <= sales * 1e-9 {
            return Err(file_err(
                &x.path,
                line_of(x, xrow, k),
                format!(
                    "gross output of {label} is {xk_}, but it sells {sales_} (Z row {z_row_}, final \
                     demand {y_row_}); an industry that produces nothing cannot deliver, and its \
                     clients would run out of inputs. x should be Z·1 + Y·1 (pymrio's calc_x): \
                     correct x, or remove the industry's flows"
                ),
            ));
        }
    }
    Ok(())
}
