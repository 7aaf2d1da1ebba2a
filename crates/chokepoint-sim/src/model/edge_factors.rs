//! Policy factors per (supplier, client region) edge: the gates' licensed shares and the
//! order weights of export controls.
//!
//! Controls touch a few suppliers of N, so the factors are kept as an N × R array that is
//! 1.0 outside the rows set this step, plus the list of those rows: a step resets and
//! visits only them, and a kernel asks [`EdgeFactors::row`] whether a supplier row is
//! scaled at all (an unscaled row takes the unscaled loops; × 1.0 is exact, so both give
//! the same bits).

use super::orders::OrderBook;

/// N × R factors, 1.0 except on the rows listed (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct EdgeFactors {
    n_regions: usize,
    /// N × R once a factor is set (allocated then, kept afterwards); empty before.
    values: Vec<f64>,
    /// Rows holding a factor since the last [`EdgeFactors::clear`], in the order set.
    rows: Vec<usize>,
    /// `held[i]`: whether row i is among `rows`.
    held: Vec<bool>,
}

impl EdgeFactors {
    /// All-neutral factors for `n` suppliers and `n_regions` client regions.
    pub fn new(n: usize, n_regions: usize) -> Self {
        EdgeFactors {
            n_regions,
            values: Vec::new(),
            rows: Vec::new(),
            held: vec![false; n],
        }
    }

    /// Back to all 1.0, visiting only the rows that were set.
    pub fn clear(&mut self) {
        let nr = self.n_regions;
        for &i in &self.rows {
            self.values[i * nr..][..nr].fill(1.0);
            self.held[i] = false;
        }
        self.rows.clear();
    }

    /// Multiplies the factor of supplier `i` toward client region `r` by `f`.
    pub fn scale(&mut self, i: usize, r: usize, f: f64) {
        let nr = self.n_regions;
        self.hold(i);
        self.values[i * nr + r] *= f;
    }

    /// Row `i`'s factors per client region, or `None` when they are all 1.0 (not set).
    #[inline(always)]
    pub fn row(&self, i: usize) -> Option<&[f64]> {
        let nr = self.n_regions;
        self.held
            .get(i)
            .is_some_and(|&held| held)
            .then(|| &self.values[i * nr..][..nr])
    }

    /// The factor of supplier `i` toward client region `r`.
    pub fn get(&self, i: usize, r: usize) -> f64 {
        self.row(i).map_or(1.0, |row| row[r])
    }

    /// Makes these factors equal to `other`'s (same dimensions), visiting only the rows
    /// either has set.
    pub fn copy_from(&mut self, other: &EdgeFactors) {
        self.clear();
        let nr = self.n_regions;
        for &i in &other.rows {
            self.hold(i);
            self.values[i * nr..][..nr].copy_from_slice(&other.values[i * nr..][..nr]);
        }
    }

    /// Lists row `i` as set (allocating the array at the first row ever set).
    fn hold(&mut self, i: usize) {
        if self.values.is_empty() {
            self.values = vec![1.0; self.held.len() * self.n_regions];
        }
        if !self.held[i] {
            self.held[i] = true;
            self.rows.push(i);
        }
    }
}

/// One supplier row's policy factors per client region (`None`: all 1.0): the order
/// weight and gate share of this step's orders, and the order weight of the next.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowFactors<'a> {
    pub weight: Option<&'a [f64]>,
    pub gate: Option<&'a [f64]>,
    pub next: Option<&'a [f64]>,
}

impl<'a> RowFactors<'a> {
    /// Supplier row `i`'s factors in the order book and the next order weights, or `None`
    /// when it has none (the kernels then take their unscaled loops).
    #[inline(always)]
    pub fn of(book: &'a OrderBook, next: &'a EdgeFactors, i: usize) -> Option<Self> {
        let f = RowFactors {
            weight: book.weight.row(i),
            gate: book.gate.row(i),
            next: next.row(i),
        };
        (f.weight.is_some() || f.gate.is_some() || f.next.is_some()).then_some(f)
    }

    /// Weight × share toward client region `r` (fast numerics, which may reassociate;
    /// exact numerics apply them one after the other).
    #[inline(always)]
    pub fn order(&self, r: usize) -> f64 {
        self.weight.map_or(1.0, |w| w[r]) * self.gate.map_or(1.0, |g| g[r])
    }

    /// The next order weight toward client region `r`.
    #[inline(always)]
    pub fn next(&self, r: usize) -> f64 {
        self.next.map_or(1.0, |w| w[r])
    }
}

#[cfg(test)]
mod tests {
    use super::EdgeFactors;

    #[test]
    fn factors_are_one_outside_the_rows_set_and_clear_restores_them() {
        let mut f = EdgeFactors::new(5, 3);
        assert!(f.rows.is_empty());
        assert_eq!(f.row(2), None);
        f.scale(2, 1, 0.5);
        f.scale(2, 1, 0.5);
        f.scale(4, 0, 0.0);
        assert_eq!(f.rows, [2, 4]);
        assert_eq!(f.row(2), Some(&[1.0, 0.25, 1.0][..]));
        assert_eq!(f.get(4, 0), 0.0);
        assert_eq!(f.get(3, 0), 1.0);
        assert_eq!(f.row(3), None);
        let mut g = EdgeFactors::new(5, 3);
        g.scale(1, 2, 0.7);
        g.copy_from(&f);
        assert_eq!(g.row(1), None, "rows not in the source are reset");
        assert_eq!(g.row(2), f.row(2));
        assert_eq!(g.row(4), f.row(4));
        f.clear();
        assert!(f.rows.is_empty());
        assert_eq!(f.row(2), None);
        f.scale(0, 2, 0.3);
        assert_eq!(f.row(0), Some(&[1.0, 1.0, 0.3][..]));
        assert_eq!(f.get(2, 1), 1.0, "a cleared row is all 1.0 again");
        assert_eq!(f.values[2 * 3..][..3], [1.0; 3]);
    }
}
