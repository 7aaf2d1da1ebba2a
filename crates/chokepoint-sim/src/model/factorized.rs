//! The factorised kernel of fast numerics ('alt' orders).
//!
//! Every order of supplier row i is O[i, j] = cr_i · z[i, j] · q[j] with q = need / Σ_r W of
//! its input sector p. Reassociating BoARIO's sums (which fast numerics allow) turns a row's
//! orders total into one dot product, taken while the row streams from memory, and the
//! sector's restocking into q ⊙ Σ_r z_r · (cr_r · x_r / t_r): one weighted sum of the rows,
//! taken with the next 'alt' weights Σ_r z_r · cr'_r, eight rows at a time while they are
//! still in L2. Nothing of O is stored.
//!
//! Export controls scale a few supplier rows per client region: O[i, j] then carries the
//! row's order weight and gate share of column j's region, and its next weights the next
//! order weight. Such rows (`EdgeFactors::row`) take their dot product region by region
//! and are delivered on their own, with the factors; every other row as above.

use super::Model;
use super::edge_factors::RowFactors;
use super::final_demand::FinalDemandRows;
use super::fused::{RowOut, RowSums, SectorPass};

impl SectorPass<'_> {
    /// The rows of input sector p in fast numerics, 'alt' orders (see the module
    /// documentation).
    #[inline(always)]
    pub(super) fn factorized(self, block: Option<&[f64]>) {
        let (m, t, p, capacity_factor) = (self.model, self.t, self.p, self.capacity_factor);
        let (restock, ws, outs) = (self.restock, self.ws, self.outs);
        let final_demand = self.final_demand;
        let (n, s, nr) = (m.n, m.n_sectors, m.n_regions);
        let book = &m.book;
        // In fast numerics the book holds 1 / Σ_r W (0 where the sum is 0).
        let (need, inv) = (&book.need[p * n..][..n], &book.ws[p * n..][..n]);
        let q = &mut self.row[..n];
        for ((q, &nd), &iv) in q.iter_mut().zip(need).zip(inv) {
            *q = nd * iv;
        }
        let q = &*q;
        restock.fill(0.0);
        ws.fill(0.0);
        let (restock, ws) = (&mut restock[..n], &mut ws[..n]);
        let mut sector = SectorRows {
            m,
            t,
            p,
            capacity_factor,
            final_demand,
            outs,
        };
        if let Some(block) = block {
            let mut coef = [(0.0, 0.0); ROW_GROUP];
            // A group of rows at a time: their dot products while they stream from
            // memory, then their deliveries while they are still in L2 (delivering the
            // whole sector afterwards reads its rows back from L3: 5–9 % slower per step,
            // measured).
            for r0 in (0..nr).step_by(ROW_GROUP) {
                let rows = ROW_GROUP.min(nr - r0);
                let group = &block[r0 * n..][..rows * n];
                let mut scaled = [None; ROW_GROUP];
                for (k, c) in coef.iter_mut().enumerate().take(rows) {
                    let z = &group[k * n..][..n];
                    let factors = sector.factors(r0 + k);
                    let zq = match factors {
                        None if m.fused_multiply_add => dot::<true>(z, q),
                        None => dot::<false>(z, q),
                        Some(f) => scaled_dot(&f, z, q, s),
                    };
                    *c = sector.finish(r0 + k, zq);
                    if let Some(f) = factors {
                        // Delivered below with its factors; nothing in the plain sums
                        // (0 · z adds +0).
                        scaled[k] = Some((f, *c));
                        *c = (0.0, 0.0);
                    }
                }
                if m.fused_multiply_add {
                    deliver_rows::<true>(group, n, &coef[..rows], restock, ws);
                } else {
                    deliver_rows::<false>(group, n, &coef[..rows], restock, ws);
                }
                for (k, row) in scaled.iter().enumerate().take(rows) {
                    if let Some((f, (d, w))) = row {
                        let z = &group[k * n..][..n];
                        scaled_deliver(f, z, (*d, *w), s, restock, ws);
                    }
                }
            }
        } else {
            // Sparse rows: the same sums over their non-zero entries only.
            for r in 0..nr {
                let row = m.z.row(super::slot_of(p, s, nr) + r);
                let factors = sector.factors(r);
                let mut zq = 0.0;
                match factors {
                    None => row.for_each(|j, v| zq += v * q[j]),
                    Some(f) => row.for_each(|j, v| zq += v * q[j] * f.order(j / s)),
                }
                let (d, w) = sector.finish(r, zq);
                match factors {
                    None => row.for_each(|j, v| {
                        restock[j] += v * d;
                        ws[j] += v * w;
                    }),
                    Some(f) => row.for_each(|j, v| {
                        restock[j] += v * (d * f.order(j / s));
                        ws[j] += v * (w * f.next(j / s));
                    }),
                }
            }
        }
        for (d, &qv) in restock.iter_mut().zip(q) {
            *d *= qv;
        }
    }
}

/// What the factorised kernel needs to finish the rows of one input sector.
struct SectorRows<'a> {
    m: &'a Model,
    t: usize,
    p: usize,
    capacity_factor: Option<&'a [f64]>,
    final_demand: FinalDemandRows<'a>,
    outs: &'a mut [RowOut],
}

impl<'a> SectorRows<'a> {
    /// The policy factors of row r of the sector, or `None` when it has none.
    #[inline(always)]
    fn factors(&self, r: usize) -> Option<RowFactors<'a>> {
        let m = self.m;
        RowFactors::of(&m.book, &m.weight_next, r * m.n_sectors + self.p)
    }

    /// Row r of the sector from its orders total Σ_j z · q (before cr): its state and final
    /// demand, and what one unit of z delivers (cr · x / t, nothing when t is 0) with the
    /// row's next 'alt' weight (its capacity ratio after this step).
    #[inline(always)]
    fn finish(&mut self, r: usize, zq: f64) -> (f64, f64) {
        let m = self.m;
        let (s, nr, nfd, tw) = (m.n_sectors, m.n_regions, m.n_fd, m.tail_width);
        let i = r * s + self.p;
        let cr = m.book.cr[i];
        let intermediate = cr * zq;
        // Final demand per consuming region (R values, not R·F); the tail row itself is
        // read only when it has reconstruction columns.
        let by_region = &m.fd_by_region[super::slot_of(i, s, nr) * nr..][..nr];
        let fd_total = sum(by_region);
        let rebuild = if tw > nfd {
            sum(&m.tail[i * tw + nfd..][..tw - nfd])
        } else {
            0.0
        };
        let total = intermediate + fd_total + rebuild;
        let sums = RowSums {
            demand: total,
            pairwise: total,
            intermediate,
            final_demand: fd_total,
            rebuild,
        };
        let out = m.row_state(self.t, i, sums, self.capacity_factor);
        self.final_demand
            .row_by_region(r, by_region, total, out.production);
        self.outs[r] = out;
        let deliver = if total != 0.0 {
            cr * (out.production / total)
        } else {
            0.0
        };
        (deliver, out.cr_next)
    }
}

/// Σ_j z · q · (weight · share) of column j's region for a row with policy factors `f`
/// (`s` columns per region).
#[inline(always)]
fn scaled_dot(f: &RowFactors, z: &[f64], q: &[f64], s: usize) -> f64 {
    let regions = z.chunks(s).zip(q.chunks(s));
    regions
        .enumerate()
        .map(|(r, (z, q))| f.order(r) * dot::<false>(z, q))
        .sum()
}

/// Delivers a row with policy factors `f`: z · d · (weight · share) into the restocking
/// sums and z · w · next weight into the next weight sums, region by region.
#[inline(always)]
fn scaled_deliver(
    f: &RowFactors,
    z: &[f64],
    (d, w): (f64, f64),
    s: usize,
    restock: &mut [f64],
    ws: &mut [f64],
) {
    let regions = z.chunks(s).zip(restock.chunks_mut(s).zip(ws.chunks_mut(s)));
    for (r, (z, (acc_d, acc_w))) in regions.enumerate() {
        let (d, w) = (d * f.order(r), w * f.next(r));
        for ((ad, aw), &zv) in acc_d.iter_mut().zip(acc_w.iter_mut()).zip(z) {
            *ad += zv * d;
            *aw += zv * w;
        }
    }
}

/// Columns per block in [`deliver_rows`]: two accumulator rows of this many f64 stay in L1
/// next to four rows of Z0.
const COLUMN_BLOCK: usize = 512;

/// Rows per group in [`SectorPass::factorized`]; a multiple of 4 (rows are delivered four
/// at a time, so the sums keep one order whatever the group).
const ROW_GROUP: usize = 8;

/// Adds Σ_k rows[k] · coef[k].0 to `acc_d` and Σ_k rows[k] · coef[k].1 to `acc_w`, in
/// column blocks that keep the accumulators in L1, four rows at a time.
#[inline(always)]
fn deliver_rows<const FMA: bool>(
    rows: &[f64],
    n: usize,
    coef: &[(f64, f64)],
    acc_d: &mut [f64],
    acc_w: &mut [f64],
) {
    for j0 in (0..n).step_by(COLUMN_BLOCK) {
        let len = COLUMN_BLOCK.min(n - j0);
        let (acc_d, acc_w) = (&mut acc_d[j0..][..len], &mut acc_w[j0..][..len]);
        let z = |r: usize| &rows[r * n + j0..][..len];
        let mut quads = coef.chunks_exact(4);
        for (g, quad) in quads.by_ref().enumerate() {
            let [(d0, w0), (d1, w1), (d2, w2), (d3, w3)] = [quad[0], quad[1], quad[2], quad[3]];
            let r = 4 * g;
            let (z0, z1, z2, z3) = (z(r), z(r + 1), z(r + 2), z(r + 3));
            for j in 0..len {
                let (a, b, c, e) = (z0[j], z1[j], z2[j], z3[j]);
                let d = madd::<FMA>(a, d0, acc_d[j]);
                acc_d[j] = madd::<FMA>(e, d3, madd::<FMA>(c, d2, madd::<FMA>(b, d1, d)));
                let w = madd::<FMA>(a, w0, acc_w[j]);
                acc_w[j] = madd::<FMA>(e, w3, madd::<FMA>(c, w2, madd::<FMA>(b, w1, w)));
            }
        }
        let done = coef.len() - quads.remainder().len();
        for (k, &(d, w)) in quads.remainder().iter().enumerate() {
            for ((ad, aw), &zv) in acc_d.iter_mut().zip(acc_w.iter_mut()).zip(z(done + k)) {
                *ad = madd::<FMA>(zv, d, *ad);
                *aw = madd::<FMA>(zv, w, *aw);
            }
        }
    }
}

/// Σ a·b with sixteen partial sums of fused multiply-adds, so that the loop vectorises
/// (fast numerics only).
#[inline(always)]
fn dot<const FMA: bool>(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 16];
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let (ra, rb) = (a16.remainder(), b16.remainder());
    for (x, y) in a16.zip(b16) {
        for k in 0..16 {
            acc[k] = madd::<FMA>(x[k], y[k], acc[k]);
        }
    }
    let mut total: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    for v in acc {
        total += v;
    }
    total
}

/// a·b + c, as one fused multiply-add where the CPU has it (`FMA`: half the operations,
/// and no less accurate; 1.3 % of the fast fused pass at N = 2,500, alternating steps in
/// one process). Without hardware FMA, `mul_add` would be a slow library call.
#[inline(always)]
fn madd<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Σ a with eight partial sums, so that the loop vectorises (fast numerics, and sums whose
/// order does not matter).
#[inline(always)]
pub(super) fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 8];
    let a8 = a.chunks_exact(8);
    let mut total: f64 = a8.remainder().iter().sum();
    for x in a8 {
        for k in 0..8 {
            acc[k] += x[k];
        }
    }
    for v in acc {
        total += v;
    }
    total
}
