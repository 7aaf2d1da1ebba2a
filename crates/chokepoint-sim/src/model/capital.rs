//! The productive capital of each industry (ARIO_SPEC.md §3), summed as BoARIO sums it.

use super::numpy_sum;
use super::params::ModelParams;
use crate::Mrio;

/// The productive capital of each industry (§3): the scenario's, or 4·VA with value added
/// VA = max(x − colsum(Z), 0). BoARIO takes the column sums with pandas'
/// `Z.sum(axis=0)` on the re-sorted table, whose block stores each column contiguously, so
/// NumPy sums every column pairwise ([`numpy_sum::pairwise_sum`]), not row after row. The
/// columns are gathered a block at a time (rows read in order, no N² strided reads).
pub(crate) fn productive_capital(mrio: &Mrio, params: &ModelParams) -> Vec<f64> {
    if let Some(k) = &params.productive_capital {
        return k.clone();
    }
    const BLOCK: usize = 64;
    let n = mrio.x.len();
    let mut col = vec![0.0; n];
    let mut block = vec![0.0; BLOCK * n];
    for j0 in (0..n).step_by(BLOCK) {
        let w = BLOCK.min(n - j0);
        for (i, row) in mrio.z.chunks_exact(n).enumerate() {
            for (k, &v) in row[j0..j0 + w].iter().enumerate() {
                block[k * n + i] = v;
            }
        }
        for (k, c) in col[j0..j0 + w].iter_mut().enumerate() {
            *c = numpy_sum::pairwise_sum(&block[k * n..(k + 1) * n]);
        }
    }
    mrio.x
        .iter()
        .zip(&col)
        .map(|(&x, &c)| 4.0 * (x - c).max(0.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::productive_capital;
    use crate::model::numpy_sum::pairwise_sum;
    use crate::model::{Model, ModelParams};
    use crate::network::synthetic::dense_mrio;

    /// Each column is summed as NumPy sums a contiguous column (pairwise: 8 accumulators,
    /// halves above 128 values), which is what pandas' `Z.sum(axis=0)` does in BoARIO; the
    /// scenario parser's capital is the model's.
    #[test]
    fn capital_is_four_times_value_added_from_pairwise_column_sums() {
        // 20 industries: past 8 values NumPy's pairwise order is not the sequential one.
        let mut mrio = dense_mrio(4, 5, 2, 5).unwrap();
        let n = mrio.x.len();
        // Mixed magnitudes and signs, so that any other order shows in the last bits.
        for (k, v) in mrio.z.iter_mut().enumerate() {
            if k % 7 == 3 {
                *v = -*v * 1e-3;
            } else if k % 5 == 1 {
                *v *= 1e-6;
            }
        }
        let column = |j: usize| (0..n).map(|i| mrio.z[i * n + j]).collect::<Vec<f64>>();
        let by_column: Vec<f64> = (0..n)
            .map(|j| 4.0 * (mrio.x[j] - pairwise_sum(&column(j))).max(0.0))
            .collect();
        let sequential: Vec<f64> = (0..n)
            .map(|j| 4.0 * (mrio.x[j] - column(j).iter().sum::<f64>()).max(0.0))
            .collect();
        assert_ne!(
            by_column, sequential,
            "the table does not tell the two orders apart"
        );
        let params = ModelParams::default();
        let capital = productive_capital(&mrio, &params);
        assert!(
            capital.iter().filter(|&&k| k > 0.0).count() > n / 2,
            "{capital:?}"
        );
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&capital), bits(&by_column));
        let model = Model::new(&mrio, params).unwrap();
        assert_eq!(bits(model.productive_capital()), bits(&capital));
    }
}
