//! Z0 (per step) and the supplier shares Z / Σ_reg Z, stored dense or sparse.
//!
//! A step streams Z0 once from memory, so its bytes bound a step on large tables. Many real
//! MRIO tables are mostly zeros; sparse storage keeps each row as sorted (column, value)
//! pairs, 12 bytes per non-zero entry instead of 8 per entry, and the kernels visit only
//! those entries.
//!
//! Exact numerics keep BoARIO's bits on sparse storage: on a zero entry of Z0 every order
//! is +0.0 (needs are never negative: a negative need is an error), and adding +0.0 to
//! a sum of non-negative terms changes nothing, so deliveries and weight sums may skip
//! the entry where BoARIO adds it; the row sums, whose order decides discrete steps
//! (Q5), run in NumPy's order on the row of O rebuilt in cache. Negative entries could
//! make a sum −0.0 where BoARIO's is +0.0, so a table with any is always stored dense.

use crate::SimError;

use super::Numerics;
use super::big_array::BigArray;

/// Non-zero entries handled together by the sparse kernels: gathered into arrays of this
/// length so that their arithmetic runs on full SIMD lanes, then scattered.
pub(crate) const GATHER: usize = 64;

/// How Z0 is stored (scenario key `model.storage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// Sparse when at most [`Storage::auto_threshold`] of the entries are non-zero and
    /// none is negative, else dense.
    #[default]
    Auto,
    /// N × N arrays.
    Dense,
    /// Non-zero entries per row (an error for a table with negative entries).
    Sparse,
}

impl Storage {
    /// Share of non-zero entries at or below which [`Storage::Auto`] stores Z0 sparse.
    /// Measured with `ario_bench --density` at N = 2,500 (docs/engine.md, Storage): sparse
    /// steps break even near 0.15 in exact numerics (denser rows are still summed over
    /// every column, in NumPy's order) and near 0.3 in fast numerics; sparse storage takes
    /// less memory below about 0.8 (20 bytes per non-zero entry for Z0 and the supplier
    /// shares, 16 per entry dense).
    pub fn auto_threshold(numerics: Numerics) -> f64 {
        match numerics {
            Numerics::Exact => 0.15,
            Numerics::Fast => 0.25,
        }
    }
}

/// One row of Z0 (or of the supplier shares).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ZRow<'a> {
    Dense(&'a [f64]),
    /// The non-zero entries: `vals[k]` is in column `cols[k]`, columns ascending.
    Sparse {
        cols: &'a [u32],
        vals: &'a [f64],
    },
}

#[derive(Debug, Clone)]
enum Layout {
    Dense {
        z: BigArray<f64>,
        dist: BigArray<f64>,
    },
    Sparse {
        /// Row `slot` holds entries `start[slot]..start[slot + 1]`.
        start: Vec<usize>,
        cols: BigArray<u32>,
        z: BigArray<f64>,
        dist: BigArray<f64>,
    },
}

/// Z0 and Z / Σ_reg Z with rows in slot order (see [`super::slot_of`]). Read-only once
/// built and shared between clones of a model: a Monte Carlo builds the model once and
/// clones it per draw, without copying its two largest arrays.
#[derive(Debug, Clone)]
pub(crate) struct ZStore {
    n: usize,
    layout: std::sync::Arc<Layout>,
}

impl ZStore {
    /// Stores `n` rows given by `row(slot, out)`, which writes Z0's row and its supplier
    /// shares (each of length `n`), with `nonzero` entries in all and `negative` set when
    /// any entry is below zero; [`Storage::Auto`] picks sparse storage at or below
    /// `threshold` non-zero entries.
    pub fn build(
        n: usize,
        storage: Storage,
        threshold: f64,
        nonzero: usize,
        negative: bool,
        mut row: impl FnMut(usize, &mut [f64], &mut [f64]),
    ) -> Result<ZStore, SimError> {
        let density = nonzero as f64 / (n * n).max(1) as f64;
        let sparse = match storage {
            Storage::Dense => false,
            Storage::Auto => !negative && density <= threshold,
            Storage::Sparse if negative => {
                return Err(SimError::Parameter {
                    name: "storage".into(),
                    message: "sparse storage needs a table without negative entries in Z; \
                              use storage = \"dense\" or \"auto\""
                        .into(),
                });
            }
            Storage::Sparse => true,
        };
        let layout = if sparse {
            if n > u32::MAX as usize {
                return Err(SimError::Parameter {
                    name: "storage".into(),
                    message: format!("{n} industries do not fit sparse column indices (u32)"),
                });
            }
            let (mut zr, mut dr) = (vec![0.0; n], vec![0.0; n]);
            let mut start = Vec::with_capacity(n + 1);
            // `nonzero` counts the entries that are not 0.0, so the arrays are filled
            // exactly (a shorter count would be caught by the indexing, never skipped).
            let (mut cols, mut z, mut dist) = (
                BigArray::<u32>::zeroed(nonzero),
                BigArray::<f64>::zeroed(nonzero),
                BigArray::<f64>::zeroed(nonzero),
            );
            let mut k = 0;
            start.push(0);
            for slot in 0..n {
                row(slot, &mut zr, &mut dr);
                for (j, (&v, &d)) in zr.iter().zip(&dr).enumerate() {
                    if v != 0.0 {
                        cols[k] = j as u32;
                        z[k] = v;
                        dist[k] = d;
                        k += 1;
                    }
                }
                start.push(k);
            }
            debug_assert_eq!(k, nonzero, "the non-zero count of Z0");
            Layout::Sparse {
                start,
                cols,
                z,
                dist,
            }
        } else {
            let (mut z, mut dist) = (BigArray::zeroed(n * n), BigArray::zeroed(n * n));
            for slot in 0..n {
                row(slot, &mut z[slot * n..][..n], &mut dist[slot * n..][..n]);
            }
            Layout::Dense { z, dist }
        };
        Ok(ZStore {
            n,
            layout: std::sync::Arc::new(layout),
        })
    }

    /// Whether the rows are stored sparse.
    pub fn is_sparse(&self) -> bool {
        matches!(*self.layout, Layout::Sparse { .. })
    }

    /// The dense rows `slots` (contiguous in memory), or `None` when stored sparse.
    #[inline(always)]
    pub fn dense_rows(&self, slots: std::ops::Range<usize>) -> Option<&[f64]> {
        match &*self.layout {
            Layout::Dense { z, .. } => Some(&z[slots.start * self.n..slots.end * self.n]),
            Layout::Sparse { .. } => None,
        }
    }

    /// Row `slot` of Z0.
    #[inline(always)]
    pub fn row(&self, slot: usize) -> ZRow<'_> {
        match self.with_shares(slot) {
            Shares::Dense { z, .. } => ZRow::Dense(z),
            Shares::Sparse { cols, z, .. } => ZRow::Sparse { cols, vals: z },
        }
    }

    /// Row `slot` of Z0 with the same row of the supplier shares Z / Σ_reg Z.
    #[inline(always)]
    pub fn with_shares(&self, slot: usize) -> Shares<'_> {
        let n = self.n;
        match &*self.layout {
            Layout::Dense { z, dist } => Shares::Dense {
                z: &z[slot * n..][..n],
                dist: &dist[slot * n..][..n],
            },
            Layout::Sparse {
                start,
                cols,
                z,
                dist,
            } => {
                let range = start[slot]..start[slot + 1];
                Shares::Sparse {
                    cols: &cols[range.clone()],
                    z: &z[range.clone()],
                    dist: &dist[range],
                }
            }
        }
    }

    /// Σ of Z0's stored entries (and, sparse, of their column indices), read in parallel
    /// in large contiguous chunks: the bytes a step must stream at the least, so that the
    /// time of this sum is the memory floor of a step.
    pub fn stream_sum(&self) -> f64 {
        use super::factorized::sum;
        use rayon::prelude::*;
        const CHUNK: usize = 1 << 16;
        match &*self.layout {
            Layout::Dense { z, .. } => z.par_chunks(CHUNK).map(sum).sum(),
            Layout::Sparse { cols, z, .. } => {
                let values: f64 = z.par_chunks(CHUNK).map(sum).sum();
                let columns: u64 = cols
                    .par_chunks(CHUNK)
                    .map(|c| c.iter().map(|&j| u64::from(j)).sum::<u64>())
                    .sum();
                values + columns as f64
            }
        }
    }

    /// Entry (`slot`, `j`) of the supplier shares.
    pub fn share(&self, slot: usize, j: usize) -> f64 {
        match self.with_shares(slot) {
            Shares::Dense { dist, .. } => dist[j],
            Shares::Sparse { cols, dist, .. } => {
                cols.binary_search(&(j as u32)).map_or(0.0, |k| dist[k])
            }
        }
    }
}

/// A row of Z0 and the same row of the supplier shares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shares<'a> {
    Dense {
        z: &'a [f64],
        dist: &'a [f64],
    },
    /// Non-zero entries of Z0 only (`z[k]`, `dist[k]` in column `cols[k]`).
    Sparse {
        cols: &'a [u32],
        z: &'a [f64],
        dist: &'a [f64],
    },
}

impl ZRow<'_> {
    /// Calls `f(j, v)` for every entry that may be non-zero (all of a dense row).
    #[inline(always)]
    pub fn for_each(self, mut f: impl FnMut(usize, f64)) {
        match self {
            ZRow::Dense(row) => {
                for (j, &v) in row.iter().enumerate() {
                    f(j, v);
                }
            }
            ZRow::Sparse { cols, vals } => {
                for (&j, &v) in cols.iter().zip(vals) {
                    f(j as usize, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clone (a Monte Carlo draw's model) reads the same Z0 and shares, not a copy.
    #[test]
    fn clones_share_the_stored_arrays() {
        let (n, z) = table();
        for storage in [Storage::Dense, Storage::Sparse] {
            let a = store(storage, &z, n).unwrap();
            let b = a.clone();
            assert!(std::sync::Arc::ptr_eq(&a.layout, &b.layout), "{storage:?}");
            assert_eq!(a.stream_sum(), b.stream_sum());
        }
    }

    fn table() -> (usize, Vec<f64>) {
        // 4 × 4 with 5 non-zero entries.
        let z = vec![
            0.0, 2.0, 0.0, 0.0, //
            1.0, 0.0, 0.0, 3.0, //
            0.0, 0.0, 0.0, 0.0, //
            0.0, 0.5, 4.0, 0.0,
        ];
        (4, z)
    }

    fn store(storage: Storage, z: &[f64], n: usize) -> Result<ZStore, SimError> {
        let nonzero = z.iter().filter(|v| **v != 0.0).count();
        let negative = z.iter().any(|v| *v < 0.0);
        ZStore::build(n, storage, 0.15, nonzero, negative, |slot, zr, dr| {
            zr.copy_from_slice(&z[slot * n..][..n]);
            for (d, v) in dr.iter_mut().zip(zr.iter()) {
                *d = v / 10.0;
            }
        })
    }

    #[test]
    fn auto_picks_sparse_for_sparse_tables_and_dense_otherwise() {
        // 10 × 10 with its diagonal only: density 0.1.
        let diagonal: Vec<f64> = (0..100)
            .map(|k| if k % 11 == 0 { 1.0 } else { 0.0 })
            .collect();
        assert!(store(Storage::Auto, &diagonal, 10).unwrap().is_sparse());
        assert!(!store(Storage::Dense, &diagonal, 10).unwrap().is_sparse());
        assert!(Storage::auto_threshold(Numerics::Fast) > Storage::auto_threshold(Numerics::Exact));
        // 5 of 16 entries: above the threshold.
        let (n, z) = table();
        assert!(!store(Storage::Auto, &z, n).unwrap().is_sparse());
        let full = vec![1.0; 16];
        assert!(!store(Storage::Auto, &full, 4).unwrap().is_sparse());
        assert!(store(Storage::Sparse, &full, 4).unwrap().is_sparse());
    }

    #[test]
    fn sparse_rows_hold_exactly_the_non_zero_entries() {
        let (n, z) = table();
        let (sparse, dense) = (
            store(Storage::Sparse, &z, n).unwrap(),
            store(Storage::Dense, &z, n).unwrap(),
        );
        for slot in 0..n {
            let mut from_sparse = vec![0.0; n];
            sparse.row(slot).for_each(|j, v| from_sparse[j] = v);
            assert_eq!(from_sparse, z[slot * n..][..n].to_vec());
            for j in 0..n {
                assert_eq!(sparse.share(slot, j), dense.share(slot, j));
            }
        }
        let ZRow::Sparse { cols, .. } = sparse.row(1) else {
            panic!("sparse row expected");
        };
        assert_eq!(cols, &[0, 3]);
        assert!(sparse.dense_rows(0..1).is_none());
        assert_eq!(dense.dense_rows(1..2).unwrap(), &z[4..8]);
    }

    #[test]
    fn the_stream_sum_reads_every_stored_byte_once() {
        let (n, z) = table();
        // Dense: Σ Z0 = 10.5. Sparse: the same values plus their columns 1 + 0 + 3 + 1 + 2.
        assert_eq!(store(Storage::Dense, &z, n).unwrap().stream_sum(), 10.5);
        assert_eq!(
            store(Storage::Sparse, &z, n).unwrap().stream_sum(),
            10.5 + 7.0
        );
    }

    #[test]
    fn negative_entries_keep_the_table_dense() {
        let (n, mut z) = table();
        z[5] = -1.0;
        assert!(!store(Storage::Auto, &z, n).unwrap().is_sparse());
        let err = store(Storage::Sparse, &z, n).unwrap_err().to_string();
        assert!(err.contains("storage") && err.contains("negative"), "{err}");
    }
}
