//! Policy factors per (supplier, client region) edge: the gates' licensed shares and the
//! order weights of export controls.
//!
//! Controls touch a few suppliers of N, so the factors are kept as an N × R array that is
//! 1.0 outside the rows set this step, plus the list of those rows: a step resets and
//! visits only them, and a kernel asks [`EdgeFactors::row`] whether a supplier row is
//! scaled at all (an unscaled row takes the unscaled loops; × 1.0 is exact, so both give
//! the same bits).

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
