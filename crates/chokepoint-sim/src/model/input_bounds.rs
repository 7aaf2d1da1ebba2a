//! What each industry's inventories allow (§5.4), taken per step in one contiguous pass
//! over the S × N inventories instead of visiting column j of them (S values N apart) in
//! the fused pass.
//!
//! §5.4 cuts an industry's production to x_opt · min(stock / c, 1) over its relevant
//! inputs, with c = ((x_opt·a)·ψ)·κ. An input binds only where its stock is below c.
//!
//! * Fast numerics take the production as min(x_opt, stock / (a·ψ·κ)) over the inputs, the
//!   same up to rounding.
//! * Exact numerics must round as BoARIO does, so they only skip the inputs: each input
//!   gets a bound a few units in the last place below stock / (a·ψ·κ), at or below which it
//!   provably does not bind ([`exact_input_bound`]). A row whose x_opt is at or below the
//!   smallest bound of its inputs produces x_opt with the same bits as §5.4 would give; any
//!   other row (an input that binds or nearly does, odd values) visits its inputs as §5.4
//!   computes them (`Model::row_state`). At N = 2,500 this replaced a transpose of the
//!   inventories that took 0.5–0.7 ms of an 8 ms step.

use rayon::prelude::*;

use super::Model;

/// Columns per task at least: the task's bounds stay in L1 or L2 while the S rows pass.
const MIN_COLUMNS: usize = 256;

/// The safety margin of the exact bounds, 2⁻⁴⁷ relative (see [`exact_input_bound`]).
const MARGIN: f64 = 1.0 - 32.0 * f64::EPSILON;

impl Model {
    /// `stock_limit[j]`: in fast numerics min over the relevant inputs p of industry j of
    /// stock[p, j] / (a[p, j]·ψ·κ_p) (κ: the inventory constraint, 0 for infinite
    /// inventories), the production its inventories allow; in exact numerics the smallest
    /// [`exact_input_bound`] of its inputs.
    pub(super) fn stock_limits(&mut self) {
        let exact = !self.book.fast;
        if exact && !self.input_factors_fresh {
            self.refresh_input_factors();
        }
        let (n, s, psi) = (self.n, self.n_sectors, self.psi);
        let mut limit = std::mem::take(&mut self.stock_limit);
        let m = &*self;
        let arch = pulp::Arch::new();
        // One task per thread: the pass is bound by fetching the S × N arrays, and longer
        // runs of each row fetch faster (N = 2,500: 0.22–0.29 ms against 0.34–0.44 in
        // tasks of 256 columns).
        let columns = n.div_ceil(rayon::current_num_threads()).max(MIN_COLUMNS);
        limit
            .par_chunks_mut(columns)
            .enumerate()
            .for_each(|(b, out)| {
                let j0 = b * columns;
                out.fill(f64::INFINITY);
                for p in 0..s {
                    let at = p * n + j0..p * n + j0 + out.len();
                    let stock = &m.stock[at.clone()];
                    if exact {
                        let factors = &m.input_factors[at];
                        arch.dispatch(ExactBounds {
                            out,
                            stock,
                            factors,
                        });
                        continue;
                    }
                    let kappa = m.inv_constraint[p];
                    let inputs = stock
                        .iter()
                        .zip(&m.tech_eff[at.clone()])
                        .zip(&m.is_input[at]);
                    for (l, ((&stock, &a), &relevant)) in out.iter_mut().zip(inputs) {
                        let c = (a * psi) * kappa;
                        let allows = if relevant && c != 0.0 {
                            stock / c
                        } else {
                            f64::INFINITY
                        };
                        *l = l.min(allows);
                    }
                }
            });
        self.stock_limit = limit;
    }

    /// Exact numerics: [`input_factor`] of every (input, industry), from the coefficients
    /// as the policy levers left them (refreshed when they change).
    fn refresh_input_factors(&mut self) {
        let (n, psi) = (self.n, self.psi);
        let mut factors = std::mem::take(&mut self.input_factors);
        factors.resize(self.n_sectors * n, f64::NAN);
        factors
            .par_chunks_mut(n)
            .zip(self.tech_eff.par_chunks(n))
            .zip(self.is_input.par_chunks(n))
            .zip(self.inv_constraint.par_iter())
            .for_each(|(((out, tech), relevant), &kappa)| {
                for ((f, &a), &relevant) in out.iter_mut().zip(tech).zip(relevant) {
                    *f = input_factor(a, relevant, psi, kappa);
                }
            });
        self.input_factors = factors;
        self.input_factors_fresh = true;
    }
}

/// What the exact bound of one input needs besides its stock: 1 / ((a·ψ)·κ) rounded, where
/// every factor and intermediate is normal and small enough for [`exact_input_bound`]'s
/// argument; −1 where the input never binds (not relevant, or a or κ is 0, so that c is 0
/// for any finite x); NaN where no bound can be shown (negative, subnormal or huge values).
pub(super) fn input_factor(a: f64, relevant: bool, psi: f64, kappa: f64) -> f64 {
    if !relevant || a == 0.0 || kappa == 0.0 {
        return -1.0;
    }
    let a_psi = a * psi;
    let m = a_psi * kappa;
    let recip = 1.0 / m;
    let normal = |v: f64| v.is_finite() && v >= f64::MIN_POSITIVE;
    // κ and ψ·κ not tiny: x·a and x·a·ψ then stay below about stock · 10¹⁰, which the
    // bound keeps finite (a stock of at most 10²⁹⁰).
    let moderate = (1e-10..=1e50).contains(&kappa) && psi * kappa >= 1e-10;
    if normal(a) && normal(a_psi) && normal(m) && normal(recip) && moderate {
        recip
    } else {
        f64::NAN
    }
}

/// The largest optimal production at which an input (its stock, and its
/// [`input_factor`] r) provably does not bind in §5.4 as BoARIO rounds it: for a normal x
/// at or below the bound, c = ((x·a)·ψ)·κ is 0 or at most the stock, so the input leaves x
/// as it is. +∞ where the input never binds (also for x = +∞: c is then +∞ against an
/// infinite stock, or NaN where a or κ is 0, which §5.4's test passes over), −∞ where no
/// bound can be shown.
///
/// Why it holds (u = 2⁻⁵³, every factor normal, as `input_factor` checks): m = (a·ψ)·κ
/// as rounded is at least aψκ(1 − u)², r = 1/m at most (1 + u)/m, and q = stock·r at most
/// (1 + u)²·stock/m; the bound q·(1 − 2⁻⁴⁷) adds 1 + u. So x ≤ bound gives
/// xaψκ ≤ stock·(1 + u)³(1 − 2⁻⁴⁷)/(1 − u)². c's three roundings add at most (1 + u)³ and,
/// where one underflows, less than 2⁻¹⁰⁷³·(4κ + 1). Together c ≤ stock·(1 + 9u)(1 − 64u) +
/// 2⁻¹⁰⁷³·(4κ + 1) < stock·(1 − 55u) + 2⁻⁹⁰⁰ ≤ stock, since κ ≤ 10⁵⁰ and the stock is at
/// least 10⁻²⁵⁰. No intermediate of c overflows: x·a ≤ about stock / (ψκ) and x·a·ψ ≤
/// about stock / κ, with ψκ, κ ≥ 10⁻¹⁰ and the stock at most 10²⁹⁰. An infinite stock is
/// never below c.
#[inline(always)]
pub(super) fn exact_input_bound(stock: f64, factor: f64) -> f64 {
    // Branch-free, so that the pass over the inventories vectorises.
    let q = stock * factor;
    let bound = q * MARGIN;
    // q ≥ 0 is false for NaN (no bound shown, or a NaN stock); a finite stock must give a
    // finite q (an overflow is not certified).
    let finite = (q <= f64::MAX) & (stock <= 1e290);
    let certified = (stock >= 1e-250) & (q >= 0.0) & (finite | (stock == f64::INFINITY));
    if factor < 0.0 {
        f64::INFINITY
    } else if certified {
        bound
    } else {
        f64::NEG_INFINITY
    }
}

/// One input's row of exact bounds folded into a column block's minima, compiled for the
/// widest SIMD the CPU has.
struct ExactBounds<'a> {
    out: &'a mut [f64],
    stock: &'a [f64],
    factors: &'a [f64],
}

impl pulp::WithSimd for ExactBounds<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        for (l, (&stock, &factor)) in self.out.iter_mut().zip(self.stock.iter().zip(self.factors)) {
            *l = l.min(exact_input_bound(stock, factor));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{exact_input_bound, input_factor};
    use crate::network::synthetic::dense_mrio;
    use crate::{Model, ModelKind, ModelParams};
    use proptest::prelude::*;

    /// A run in which inventories bind: half of industry 3's capacity lost for steps 2–40,
    /// 10 days of inventories. Production, capacity and inventories after each step, and the
    /// number of binding (input, industry) pairs.
    fn binding_run(kind: ModelKind, scan_all_inputs: bool) -> (Vec<Vec<u64>>, usize) {
        let mrio = dense_mrio(4, 5, 2, 11).unwrap();
        let params = ModelParams {
            kind,
            main_inv_dur: 10.0,
            ..ModelParams::default()
        };
        let mut model = Model::new(&mrio, params).unwrap();
        model.scan_all_inputs = scan_all_inputs;
        let n = model.n_industries();
        let (mut states, mut binding) = (Vec::new(), 0);
        for t in 0..80 {
            let mut delta = vec![0.0; n];
            if (2..40).contains(&t) {
                delta[3] = 0.5;
            }
            model.set_capacity_loss(&delta);
            model.step(t, None).unwrap();
            binding += model.limiting_pairs().unwrap_or(0);
            let state = [
                model.production(),
                model.production_capacity(),
                model.inventories(),
            ];
            states.push(
                state
                    .iter()
                    .flat_map(|v| v.iter().map(|x| x.to_bits()))
                    .collect(),
            );
        }
        (states, binding)
    }

    /// The shortcut gives the bits of visiting every input, in a run where inputs bind.
    #[test]
    fn rows_below_their_bound_produce_what_the_full_test_gives() {
        for kind in [ModelKind::Psi, ModelKind::Base] {
            let (short, binding) = binding_run(kind, false);
            let (full, binding_full) = binding_run(kind, true);
            assert!(
                binding > 0,
                "{kind:?}: no input bound; the test would prove nothing"
            );
            assert_eq!(binding, binding_full, "{kind:?}");
            for (t, (a, b)) in short.iter().zip(&full).enumerate() {
                assert_eq!(a, b, "{kind:?} step {t}");
            }
        }
    }

    /// §5.4's test of one input as `Model::row_state` runs it: whether it leaves x as it
    /// is, and whether it counts as limiting.
    fn leaves_x(x: f64, stock: f64, a: f64, relevant: bool, psi: f64, kappa: f64) -> bool {
        let c = ((x * a) * psi) * kappa;
        if !relevant || c == 0.0 || (stock >= c && c > 0.0) {
            return true;
        }
        let limiting = stock < c;
        !limiting && x.min(x * (stock / c).min(1.0)) == x
    }

    fn bound(stock: f64, a: f64, relevant: bool, psi: f64, kappa: f64) -> f64 {
        exact_input_bound(stock, input_factor(a, relevant, psi, kappa))
    }

    /// Values across the whole range, special ones included.
    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => 1e-3..1e6_f64,
            2 => any::<f64>(),
            1 => prop::sample::select(vec![
                0.0, -0.0, 1.0, f64::MIN_POSITIVE, 5e-324, 1e-250, 1e50, 1e300, f64::MAX,
                f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -1.0,
            ]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Wherever x is at or below the bound (x normal or +∞), §5.4 leaves x as it is and
        /// counts no limiting input; x exactly at the bound and a few ulps around it included.
        #[test]
        fn no_input_binds_at_or_below_its_bound(
            stock in value(), a in value(), psi in prop_oneof![Just(1.0), 0.1..1.0_f64],
            kappa in prop_oneof![Just(0.0), 1e-3..1e4_f64, value()], relevant: bool,
            below in 0.0..1.0_f64,
        ) {
            let b = bound(stock, a, relevant, psi, kappa);
            prop_assert!(!b.is_nan());
            // +∞ included: `row_state` takes any x_opt ≥ the smallest normal at or below
            // the bound, and an infinite bound admits an infinite x_opt.
            let mut xs = vec![b, b * below, f64::MIN_POSITIVE, 1.0, 1e300, f64::INFINITY];
            if b.is_finite() {
                xs.extend([b.next_down(), b.next_up(), b.next_up().next_up()]);
            }
            for x in xs {
                if x >= f64::MIN_POSITIVE && x <= b {
                    prop_assert!(leaves_x(x, stock, a, relevant, psi, kappa),
                        "x {x} stock {stock} a {a} psi {psi} kappa {kappa} bound {b}");
                }
            }
        }

        /// The bound is tight: within a few parts in 10¹⁴ of stock / (a·ψ·κ) on ordinary
        /// values, so that it is the binding inputs, not the margin, that send rows to the
        /// full test.
        #[test]
        fn the_bound_is_tight_on_ordinary_values(
            stock in 1e-3..1e9_f64, a in 1e-6..1.0_f64, psi in 0.1..1.0_f64, kappa in 1.0..400.0_f64,
        ) {
            let b = bound(stock, a, true, psi, kappa);
            let exact = stock / ((a * psi) * kappa);
            prop_assert!(b <= exact && b >= exact * (1.0 - 1e-14), "{b} {exact}");
        }
    }

    #[test]
    fn inputs_that_never_bind_and_values_without_a_bound() {
        assert_eq!(bound(0.0, 0.5, false, 0.8, 90.0), f64::INFINITY);
        assert_eq!(bound(0.0, 0.0, true, 0.8, 90.0), f64::INFINITY);
        assert_eq!(bound(0.0, 0.5, true, 0.8, 0.0), f64::INFINITY);
        assert_eq!(bound(f64::INFINITY, 0.5, true, 0.8, 90.0), f64::INFINITY);
        for (stock, a) in [
            (0.0, 0.5),
            (-1.0, 0.5),
            (f64::NAN, 0.5),
            (1.0, -0.5),
            (1.0, 1e-320),
        ] {
            assert_eq!(
                bound(stock, a, true, 0.8, 90.0),
                f64::NEG_INFINITY,
                "{stock} {a}"
            );
        }
        // A quotient that overflows is not certified.
        assert_eq!(bound(1e300, 1e-300, true, 1.0, 1.0), f64::NEG_INFINITY);
    }
}
