//! §5.5 for final demand, inside the fused pass: once row i's total t and production x
//! are known, what is left of each of its final-demand entries after delivery depends on
//! nothing else, and its tail row is still in L1. Doing it there instead of in a pass of
//! its own saves a second, strided read of the whole tail (as a pass of its own it took
//! 0.6–0.7 ms of a 7–8 ms fast step at N = 2,500; inside, the step is 0.2–0.3 ms shorter).

use super::numpy_sum::einsum_sum;

/// The final-demand results of the rows of one input sector p (rows (r, p), r in order).
pub(crate) struct FinalDemandRows<'a> {
    /// Scratch for one row's left values (R·F).
    pub left: &'a mut [f64],
    /// Unmet final demand per consuming region, summed over the supplier regions r in
    /// order, as BoARIO's fold (R; zeroed by [`FinalDemandRows::start`]).
    pub unmet: &'a mut [f64],
    /// Undistributed final demand of row (r, p) at index r.
    pub undist: &'a mut [f64],
    /// Final-demand categories per region.
    pub categories: usize,
    /// Fast numerics: multiply by x / t instead of dividing each entry by t.
    pub fast: bool,
}

impl FinalDemandRows<'_> {
    pub fn start(&mut self) {
        self.unmet.fill(0.0);
    }

    /// Row r of the sector: `fd` its final-demand entries, `t` its rationing total and
    /// `x` its production.
    #[inline(always)]
    pub fn row(&mut self, r: usize, fd: &[f64], t: f64, x: f64) {
        let left = &mut self.left[..fd.len()];
        if t != 0.0 && self.fast {
            let scale = x / t;
            for (l, &v) in left.iter_mut().zip(fd) {
                *l = v - v * scale;
            }
        } else if t != 0.0 {
            for (l, &v) in left.iter_mut().zip(fd) {
                *l = v - (v / t) * x;
            }
        } else {
            for (l, &v) in left.iter_mut().zip(fd) {
                *l = v - 0.0;
            }
        }
        self.undist[r] = einsum_sum(left);
        for (u, part) in self
            .unmet
            .iter_mut()
            .zip(left.chunks_exact(self.categories.max(1)))
        {
            *u += part.iter().fold(0.0, |acc, &v| acc + v);
        }
    }

    /// Fast numerics: row r from its final demand summed per consuming region (`by_region`),
    /// `t` its total and `x` its production: what is left of each region's demand is
    /// v − v·(x / t), the same up to rounding as summing the categories' leftovers.
    #[inline(always)]
    pub fn row_by_region(&mut self, r: usize, by_region: &[f64], t: f64, x: f64) {
        let scale = if t != 0.0 { x / t } else { 0.0 };
        let mut undist = 0.0;
        for (u, &v) in self.unmet.iter_mut().zip(by_region) {
            let left = v - v * scale;
            *u += left;
            undist += left;
        }
        self.undist[r] = undist;
    }
}
