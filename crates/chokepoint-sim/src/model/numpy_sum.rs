//! Row sums in NumPy's exact summation order.
//!
//! BoARIO's overproduction rule relaxes only when scarcity is exactly `0.0`
//! (ARIO_SPEC.md §9 Q5), so the order in which a demand row is summed decides
//! discrete behaviour. BoARIO sums demand rows two ways: `np.einsum("ij->i")`
//! (total demand, §5.2) and `np.sum(axis=1)` (rationing shares, §5.5). Both orders
//! were checked against NumPy 2.2 on x86-64 (SSE baseline: 2 lanes of f64).

/// `np.einsum("i->", row)`: 2-lane accumulator, blocks of 8 values added as
/// `((a0 + a1) + (a2 + a3)) + acc`, the tail added pairwise, lanes summed last.
#[inline(always)]
pub fn einsum_sum(row: &[f64]) -> f64 {
    einsum_finish(
        einsum_blocks([0.0; 2], row),
        &row[row.len() - row.len() % 8..],
    )
}

/// The einsum accumulator after the whole blocks of 8 of `row` (the remainder is ignored).
/// A row whose prefix of length 8k is shared with another can reuse this state.
#[inline(always)]
pub fn einsum_blocks(mut acc: [f64; 2], row: &[f64]) -> [f64; 2] {
    for b in row.chunks_exact(8) {
        let a01 = [b[0] + b[2], b[1] + b[3]];
        let a23 = [b[4] + b[6], b[5] + b[7]];
        acc[0] += a01[0] + a23[0];
        acc[1] += a01[1] + a23[1];
    }
    acc
}

/// Finishes an einsum whose earlier whole blocks are in `acc`: the remaining blocks of
/// `rest`, then its tail pairwise, then the lanes.
#[inline(always)]
pub fn einsum_finish(acc: [f64; 2], rest: &[f64]) -> f64 {
    let mut acc = einsum_blocks(acc, rest);
    for pair in rest[rest.len() - rest.len() % 8..].chunks(2) {
        acc[0] += pair[0];
        acc[1] += pair.get(1).copied().unwrap_or(0.0);
    }
    acc[0] + acc[1]
}

/// [`einsum_finish`] over `head` (fewer than 8 values) followed by `rest`, as if they were
/// one slice, without joining them: the first block of 8 takes `head` and the start of
/// `rest`, and the blocks and remainder after it lie in `rest`.
#[inline(always)]
pub fn einsum_finish_split(acc: [f64; 2], head: &[f64], rest: &[f64]) -> f64 {
    let h = head.len();
    debug_assert!(h < 8);
    if h == 0 {
        return einsum_finish(acc, rest);
    }
    let mut joined = [0.0; 16];
    joined[..h].copy_from_slice(head);
    let take = (8 - h).min(rest.len());
    joined[h..h + take].copy_from_slice(&rest[..take]);
    if h + take < 8 {
        return einsum_finish(acc, &joined[..h + take]);
    }
    einsum_finish(einsum_blocks(acc, &joined[..8]), &rest[take..])
}

/// `np.sum(row)` for a contiguous row: NumPy's pairwise summation (blocks of at
/// most 128 values with 8 accumulators, split in halves rounded to 8 above that).
pub fn pairwise_sum(row: &[f64]) -> f64 {
    pairwise_in(pulp::Arch::new(), row)
}

fn pairwise_in(arch: pulp::Arch, row: &[f64]) -> f64 {
    let n = row.len();
    if n <= 128 {
        arch.dispatch(PairwiseLeaf(row))
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_in(arch, &row[..n2]) + pairwise_in(arch, &row[n2..])
    }
}

/// One leaf of the pairwise sum (at most 128 values), compiled for the widest SIMD the CPU
/// has: the eight accumulators are independent lanes, so the width does not change the bits.
struct PairwiseLeaf<'a>(&'a [f64]);

impl pulp::WithSimd for PairwiseLeaf<'_> {
    type Output = f64;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> f64 {
        leaf_sum(self.0)
    }
}

/// NumPy's sum of one pairwise leaf (at most 128 values): sequential under 8 values, else
/// eight accumulators, combined as a tree, then the remainder in order. Inline, so that it
/// takes the SIMD width of its caller.
#[inline(always)]
pub fn leaf_sum(row: &[f64]) -> f64 {
    let n = row.len();
    if n < 8 {
        let mut res = 0.0;
        for v in row {
            res += v;
        }
        return res;
    }
    // The eight accumulators as two halves of four, so that each half is one vector
    // register under AVX2 (as eight scalars the compiler paired them across halves and
    // shuffled every block).
    let (mut lo, mut hi) = ([0.0_f64; 4], [0.0_f64; 4]);
    lo.copy_from_slice(&row[..4]);
    hi.copy_from_slice(&row[4..8]);
    let full = n - n % 8;
    for b in row[8..full].chunks_exact(8) {
        for k in 0..4 {
            lo[k] += b[k];
            hi[k] += b[4 + k];
        }
    }
    let (lo, hi) = std::hint::black_box((lo, hi));
    let mut res = ((lo[0] + lo[1]) + (lo[2] + lo[3])) + ((hi[0] + hi[1]) + (hi[2] + hi[3]));
    for v in &row[full..] {
        res += v;
    }
    res
}

/// One instruction of NumPy's pairwise sum of a row, flattened (see [`pairwise_program`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairwiseOp {
    /// Sum the leaf `row[start..start + len]` with [`leaf_sum`] and push it.
    Leaf { start: u32, len: u32 },
    /// Pop the right and the left partial sums, push left + right.
    Add,
}

/// NumPy's pairwise summation of `len` values as a post-order program: its leaves in row
/// order, each combination after both of its halves. A kernel that produces a row leaf by
/// leaf runs it with a small stack and gets `pairwise_sum`'s bits without a second pass
/// over the row and without recursion (which would leave the caller's SIMD context).
pub fn pairwise_program(len: usize) -> Vec<PairwiseOp> {
    fn emit(start: usize, len: usize, ops: &mut Vec<PairwiseOp>) {
        if len <= 128 {
            // Rows are far shorter than 2^32 values (an N × N table of f64 would not fit).
            ops.push(PairwiseOp::Leaf {
                start: start as u32,
                len: len as u32,
            });
        } else {
            let mut n2 = len / 2;
            n2 -= n2 % 8;
            emit(start, n2, ops);
            emit(start + n2, len - n2, ops);
            ops.push(PairwiseOp::Add);
        }
    }
    let mut ops = Vec::new();
    emit(0, len, &mut ops);
    ops
}

/// The partial sums of a [`pairwise_program`] being run: leaf sums are pushed, each `Add`
/// combines the last two (left + right), and the one sum left is the row's.
#[derive(Debug)]
pub struct PairwiseStack {
    /// At most the tree's depth + 1 sums at once: 40 covers rows of 2^32 values.
    sums: [f64; 40],
    len: usize,
}

impl Default for PairwiseStack {
    fn default() -> Self {
        PairwiseStack {
            sums: [0.0; 40],
            len: 0,
        }
    }
}

impl PairwiseStack {
    #[inline(always)]
    pub fn push(&mut self, leaf: f64) {
        self.sums[self.len] = leaf;
        self.len += 1;
    }

    #[inline(always)]
    pub fn add(&mut self) {
        self.len -= 1;
        self.sums[self.len - 1] += self.sums[self.len];
    }

    /// The row's sum, once the whole program has run.
    #[inline(always)]
    pub fn total(&self) -> f64 {
        self.sums[0]
    }
}

/// NumPy `allclose(a, b)` with rtol 1e-5 and atol 1e-8: NaN is never close,
/// infinities are close only to the same infinity.
#[cfg(test)]
pub fn allclose(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(&x, &y)| is_close(x, y))
}

/// One element of NumPy's `allclose`: `|x − y| ≤ 1e-8 + 1e-5·|y|` (not symmetric, as in NumPy).
/// NaN is never close; infinities are close only to the same infinity. As one expression
/// without branches: equal values are close (NumPy's test for infinities), otherwise the
/// tolerance decides, which needs a finite `y` (an infinite `x` against a finite `y` fails
/// it, and NaN fails every comparison); checked against NumPy's case-by-case rules.
#[inline(always)]
pub fn is_close(x: f64, y: f64) -> bool {
    (((x - y).abs() <= 1e-8 + 1e-5 * y.abs()) & y.is_finite()) | (x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn einsum_order_differs_from_sequential_on_cancellation() {
        // 1e16 + 1 - 1e16 loses the 1 sequentially; the lane split keeps it.
        let row = [1e16, 1.0, -1e16, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        // lanes: lane0 = (1e16 + -1e16) + (0 + 0) = 0, then + 1 (tail) = 1;
        // lane1 = (1 + 0) + (0 + 0) = 1.
        assert_eq!(einsum_sum(&row), 2.0);
    }

    #[test]
    fn shared_prefix_state_gives_the_same_sums() {
        let row: Vec<f64> = (0..37).map(|k| 1.0 / f64::from(k + 1)).collect();
        let prefix = einsum_blocks([0.0; 2], &row[..16]);
        assert_eq!(einsum_finish(prefix, &row[16..]), einsum_sum(&row));
        assert_eq!(einsum_finish(prefix, &row[16..21]), einsum_sum(&row[..21]));
    }

    /// Split at every place a row's orders can end (0–7 values past a whole block) and
    /// with tails shorter than a block: the bits of the joined slice.
    #[test]
    fn a_split_einsum_gives_the_bits_of_the_joined_row() {
        let row: Vec<f64> = (0..60).map(|k| 1.0 / f64::from(k + 3) - 0.1).collect();
        for len in 0..60 {
            for h in 0..8.min(len + 1) {
                let joined = einsum_finish([0.25, -0.5], &row[..len]);
                let split = einsum_finish_split([0.25, -0.5], &row[..h], &row[h..len]);
                assert_eq!(split.to_bits(), joined.to_bits(), "len {len}, head {h}");
            }
        }
    }

    #[test]
    fn pairwise_matches_plain_sum_on_exact_values() {
        let row: Vec<f64> = (0..300).map(f64::from).collect();
        assert_eq!(pairwise_sum(&row), 44850.0);
        assert_eq!(einsum_sum(&row), 44850.0);
    }

    /// Runs a pairwise program over `row` the way the exact grouped kernel does.
    fn run_program(ops: &[PairwiseOp], row: &[f64]) -> f64 {
        let mut stack = PairwiseStack::default();
        for op in ops {
            match *op {
                PairwiseOp::Leaf { start, len } => {
                    stack.push(leaf_sum(&row[start as usize..][..len as usize]));
                }
                PairwiseOp::Add => stack.add(),
            }
        }
        assert_eq!(stack.len, 1);
        stack.total()
    }

    #[test]
    fn pairwise_program_gives_the_bits_of_the_recursive_sum() {
        // Values of mixed magnitude so that any change of order shows in the last bits.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let row: Vec<f64> = (0..20_011)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = (x >> 11) as f64 / (1u64 << 53) as f64;
                if x.is_multiple_of(3) {
                    v * 1e6
                } else {
                    v - 0.5
                }
            })
            .collect();
        for len in (0..300).chain([1_000, 2_500, 2_600, 5_101, 10_007, 20_011]) {
            let ops = pairwise_program(len);
            let leaves = ops.iter().filter(|o| matches!(o, PairwiseOp::Leaf { .. }));
            let covered: u32 = leaves
                .map(|o| match o {
                    PairwiseOp::Leaf { len, .. } => *len,
                    PairwiseOp::Add => 0,
                })
                .sum();
            assert_eq!(covered as usize, len);
            let expected = pairwise_sum(&row[..len]);
            assert_eq!(
                run_program(&ops, &row[..len]).to_bits(),
                expected.to_bits(),
                "len {len}"
            );
        }
    }

    #[test]
    fn allclose_follows_numpy_rules() {
        assert!(allclose(
            &[f64::INFINITY, 1.0],
            &[f64::INFINITY, 1.0 + 1e-9]
        ));
        assert!(!allclose(&[f64::NAN], &[f64::NAN]));
        assert!(!allclose(&[f64::INFINITY], &[1.0]));
        assert!(!allclose(&[1.0], &[1.1]));
    }

    #[test]
    fn is_close_agrees_with_numpy_rules_on_special_values() {
        // NumPy's definition, one case at a time.
        let numpy = |x: f64, y: f64| {
            if x.is_nan() || y.is_nan() {
                false
            } else if x.is_infinite() || y.is_infinite() {
                x == y
            } else {
                (x - y).abs() <= 1e-8 + 1e-5 * y.abs()
            }
        };
        let values = [
            0.0,
            -0.0,
            1.0,
            1.0 + 1e-9,
            -1.0,
            1e-300,
            1e300,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            5e-9,
        ];
        for &x in &values {
            for &y in &values {
                assert_eq!(is_close(x, y), numpy(x, y), "{x} vs {y}");
            }
        }
    }
}
