//! Software prefetch of the part of Z0 the exact kernels read next.
//!
//! The exact kernel streams Z0 from memory row by row, and between the rows of a group it
//! computes on data already in cache (the group's deliveries, the row's state), during
//! which the hardware prefetcher, which follows the demand stream, fetches nothing.
//! Asking for the values [`AHEAD`] past those being rebuilt keeps memory busy; so does
//! asking for the next row's final-demand tail, which lies S rows further on in the tail
//! array (0.97–1.00 of the fused pass at N = 2,500 and 0.97–0.98 at N = 5,000, alternating
//! steps in one process; a tail three rows ahead was in between). The general kernel
//! (policy gates or order weights, 'noalt' orders) does the same under 'alt' orders: 0.89–0.92
//! of its fused pass at N = 2,500 with an export-control gate (`ario_bench --gate`, six
//! windows); all of the next row at once, as the row starts, was slower (1.04–1.07). A hint
//! only: it changes
//! when cache lines arrive, never what is computed (the reference runs keep their bits).
//! The factorised kernel of fast numerics is a pure stream that the hardware prefetcher
//! already follows; hints there cost 2–3 % and were left out.

/// How far ahead of the values being rebuilt the exact kernel prefetches: two leaves of
/// NumPy's pairwise sum (2 KiB). Against one whole row ahead (itself 0.85–0.90 of the fused
/// pass without hints), 0.96–0.99 at N = 2,500 (twelve windows of 100 steps,
/// alternating in one process) and 0.96–1.00 at N = 5,000; 1 KiB and 3–8 KiB ahead were
/// in between, two rows ahead worse.
pub(super) const AHEAD: usize = 256;

/// Values per span where a kernel has no pairwise leaves to follow (the general kernel):
/// one leaf's worth.
pub(super) const SPAN: usize = 128;

/// Asks for the cache lines holding `values` (one hint per eight f64, a 64-byte line) to
/// be loaded into every cache level. A no-op off x86-64.
#[inline(always)]
fn prefetch(values: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    for v in values.iter().step_by(8) {
        safe_arch::prefetch_t0(v);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}

/// Prefetches `values[start..end]` if `values` reaches that far (near the end of a block
/// it does not: nothing is asked for there).
#[inline(always)]
pub(super) fn prefetch_span(values: &[f64], start: usize, end: usize) {
    if let Some(span) = values.get(start..end) {
        prefetch(span);
    }
}

/// Row r's start in its sector's `block` (rows of `n`) plus [`AHEAD`]: the slice whose
/// spans a kernel prefetches as it rebuilds the same spans of row r (empty near the end).
#[inline(always)]
pub(super) fn ahead_of_row(block: &[f64], r: usize, n: usize) -> &[f64] {
    block.get(r * n + AHEAD..).unwrap_or_default()
}

impl super::Model {
    /// Prefetches the final-demand tail of the row after industry `i` in its sector: S rows
    /// further on in the tail, a jump the hardware prefetcher does not follow (nothing
    /// after the sector's last row).
    #[inline(always)]
    pub(super) fn prefetch_next_tail(&self, i: usize) {
        let (s, tw) = (self.n_sectors, self.tail_width);
        prefetch_span(&self.tail, (i + s) * tw, (i + s + 1) * tw);
    }
}

#[cfg(test)]
mod tests {
    use super::prefetch_span;

    /// Spans past the end (the last rows of a block, the tail after the last row) ask for
    /// nothing instead of panicking.
    #[test]
    fn spans_past_the_end_are_skipped() {
        let values = [1.0; 20];
        prefetch_span(&values, 0, 20);
        prefetch_span(&values, 16, 24);
        prefetch_span(&values, 40, 48);
        prefetch_span(&[], 0, 8);
    }
}
