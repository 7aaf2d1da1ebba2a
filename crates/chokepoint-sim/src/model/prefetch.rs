//! Software prefetch of the row the exact kernel rebuilds next.
//!
//! The exact kernel streams Z0 from memory row by row, and between the rows of a group it
//! computes on data already in cache (the group's deliveries, the row's state), during
//! which the hardware prefetcher, which follows the demand stream, fetches nothing.
//! Asking for the next row while the current one is rebuilt keeps memory busy: 6–15 % of
//! the exact fused pass at N = 2,500 (alternating steps in one process). The factorised
//! kernel of fast numerics is a pure stream that the hardware prefetcher already follows;
//! hints there cost 2–3 % and were left out. A hint only: it changes when cache lines
//! arrive, never what is computed (the reference runs keep their bits).

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

/// Prefetches `next[start..end]`, if `next` reaches that far (it is empty after the last
/// row of a block).
#[inline(always)]
pub(super) fn prefetch_span(next: &[f64], start: usize, end: usize) {
    if let Some(values) = next.get(start..end) {
        prefetch(values);
    }
}
