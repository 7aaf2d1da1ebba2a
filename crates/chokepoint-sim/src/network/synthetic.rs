//! Synthetic MRIO tables (dense or sparse) for benchmarks and tests: reproducible from a
//! seed.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Mrio;
use crate::SimError;

/// A dense, balanced MRIO of `n_regions` × `n_sectors` with `n_fd_categories` final-demand
/// categories: every flow positive (domestic flows 5× larger), final demand about twice
/// the intermediate sales, and x = Z·1 + Y·1 so value added is positive.
pub fn dense_mrio(
    n_regions: usize,
    n_sectors: usize,
    n_fd_categories: usize,
    seed: u64,
) -> Result<Mrio, SimError> {
    synthetic_mrio(n_regions, n_sectors, n_fd_categories, 1.0, seed)
}

/// Like [`dense_mrio`] with about `density` of the entries of Z non-zero: every domestic
/// flow is kept (as in real tables, which are densest within a region) and each
/// international one with the probability that brings the whole table to `density`
/// (`density` = 1 gives exactly the table of [`dense_mrio`]).
pub fn synthetic_mrio(
    n_regions: usize,
    n_sectors: usize,
    n_fd_categories: usize,
    density: f64,
    seed: u64,
) -> Result<Mrio, SimError> {
    if !(density > 0.0 && density <= 1.0) {
        return Err(SimError::Parameter {
            name: "density".into(),
            message: format!("{density} is not a share in (0, 1]"),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = n_regions * n_sectors;
    let nf = n_regions * n_fd_categories;
    let domestic_share = 1.0 / n_regions.max(1) as f64;
    let keep_foreign = if density >= 1.0 || n_regions <= 1 {
        1.0
    } else {
        ((density - domestic_share) / (1.0 - domestic_share)).clamp(0.0, 1.0)
    };
    let mut z = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let domestic = i / n_sectors == j / n_sectors;
            let base: f64 = rng.random_range(0.1..1.0);
            let keep = domestic || keep_foreign >= 1.0 || rng.random::<f64>() < keep_foreign;
            z[i * n + j] = match (keep, domestic) {
                (false, _) => 0.0,
                (true, true) => 5.0 * base,
                (true, false) => base,
            };
        }
    }
    let per_cell = 2.0 * n as f64 / nf as f64;
    let y: Vec<f64> = (0..n * nf)
        .map(|_| per_cell * rng.random_range(0.5..1.5))
        .collect();
    let x: Vec<f64> = (0..n)
        .map(|i| z[i * n..][..n].iter().sum::<f64>() + y[i * nf..][..nf].iter().sum::<f64>())
        .collect();
    let names = |prefix: &str, k: usize, width: usize| -> Vec<String> {
        (0..k).map(|i| format!("{prefix}{i:0width$}")).collect()
    };
    let w = |k: usize| k.to_string().len();
    Mrio::from_arrays(
        names("reg", n_regions, w(n_regions)),
        names("sec", n_sectors, w(n_sectors)),
        names("fd", n_fd_categories, w(n_fd_categories)),
        z,
        y,
        x,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_table_and_balanced() {
        let a = dense_mrio(3, 4, 2, 7).unwrap();
        let b = dense_mrio(3, 4, 2, 7).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, dense_mrio(3, 4, 2, 8).unwrap());
        let n = a.n_industries();
        for j in 0..n {
            let col: f64 = (0..n).map(|i| a.z[i * n + j]).sum();
            assert!(col < a.x[j], "value added must be positive");
        }
        assert_eq!(a.regions[0], "reg0");
    }

    #[test]
    fn sparse_tables_have_the_density_asked_for() {
        let a = synthetic_mrio(10, 10, 2, 0.3, 7).unwrap();
        let n = a.n_industries();
        let nonzero = a.z.iter().filter(|v| **v != 0.0).count();
        let density = nonzero as f64 / (n * n) as f64;
        assert!((density - 0.3).abs() < 0.03, "{density}");
        assert!(
            (0..n).all(|i| a.z[i * n + i] > 0.0),
            "domestic flows are kept"
        );
        assert_eq!(
            synthetic_mrio(3, 4, 2, 1.0, 7).unwrap(),
            dense_mrio(3, 4, 2, 7).unwrap()
        );
        assert!(synthetic_mrio(3, 4, 2, 0.0, 7).is_err());
        assert!(synthetic_mrio(3, 4, 2, 1.5, 7).is_err());
    }
}
