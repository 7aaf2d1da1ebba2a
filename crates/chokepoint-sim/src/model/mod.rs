//! The ARIO model: state and the equations of one step (ARIO_SPEC.md §3, §5),
//! exactly as BoARIO 0.7.2 computes them. No files, no clocks, no events: the
//! [`crate::Simulation`] applies events and owns the time loop.
//!
//! Storage is flat and allocated once. The demand matrix `E = [O | FD | RB]` of BoARIO
//! is never stored whole: O is rebuilt row by row from its factors (`orders`), FD and RB
//! form a small row-major "tail"; each row is laid out as BoARIO's `_entire_demand` row
//! before it is summed, so the sums follow NumPy's exact order (see `numpy_sum`).

mod big_array;
mod capital;
mod controls;
mod edge_factors;
mod factorized;
mod final_demand;
mod fused;
mod grouped;
mod input_bounds;
mod inventory;
pub(crate) mod numpy_sum;
mod orders;
pub(crate) mod params;
mod prefetch;
mod sparse;
mod sparse_sum;
mod step;
mod zstore;

pub(crate) use big_array::BigArray;
pub(crate) use capital::productive_capital;
use controls::AppliedLevers;
pub use controls::{Controls, Gate};
pub(crate) use params::readable;
pub use params::{InventoryDays, ModelKind, ModelParams, Numerics, OrderType};
pub use zstore::Storage;

use crate::SimError;
use crate::network::Mrio;
use orders::OrderBook;
use zstore::ZStore;

/// Below this share of production (annual Σ_reg Z vs per-step X0, Q13) an input
/// never constrains production; BoARIO's `TECHNOLOGY_THRESHOLD`.
const TECHNOLOGY_THRESHOLD: f64 = 1e-5;

/// ARIO state for one network; see the module docs.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) regions: Vec<String>,
    pub(crate) sectors: Vec<String>,
    pub(crate) n_regions: usize,
    pub(crate) n_sectors: usize,
    pub(crate) n_fd: usize,
    pub(crate) n: usize,
    pub(crate) params: ModelParams,
    // --- fixed, per step ---
    pub(crate) x0: Vec<f64>,
    /// Z per step and Z / Σ_reg Z (annual: fixed shares for order_type noalt and
    /// reconstruction, §7.4), dense or sparse, rows in slot order ([`slot_of`]): the rows
    /// of one input sector are contiguous, so each worker of the fused pass streams one
    /// block.
    pub(crate) z: ZStore,
    pub(crate) fd0: Vec<f64>,
    pub(crate) tech: Vec<f64>,
    pub(crate) is_input: Vec<bool>,
    pub(crate) inv_dur: Vec<f64>,
    pub(crate) inv_constraint: Vec<f64>,
    pub(crate) restoration: Vec<f64>,
    pub(crate) psi: f64,
    pub(crate) kappa: f64,
    pub(crate) capital: Vec<f64>,
    pub(crate) stock0: Vec<f64>,
    // --- dynamic ---
    /// Columns of the tail [FD | RB industry blocks | RB household blocks].
    pub(crate) tail_width: usize,
    pub(crate) n_blocks: usize,
    pub(crate) tail: Vec<f64>,
    pub(crate) book: OrderBook,
    /// The levers the final demand and `tech_eff` were last written with, if any.
    pub(crate) applied_levers: AppliedLevers,
    pub(crate) tech_eff: Vec<f64>,
    pub(crate) alpha: Vec<f64>,
    pub(crate) production: Vec<f64>,
    pub(crate) stock: Vec<f64>,
    pub(crate) delta: Vec<f64>,
    pub(crate) xcap: Vec<f64>,
    pub(crate) demand: Vec<f64>,
    pub(crate) demand_pairwise: Vec<f64>,
    pub(crate) intermediate_demand_tot: Vec<f64>,
    pub(crate) final_demand_tot: Vec<f64>,
    pub(crate) rebuild_demand_tot: Vec<f64>,
    pub(crate) rebuild_prod_tot: Vec<f64>,
    pub(crate) final_demand_undist: Vec<f64>,
    pub(crate) final_demand_unmet: Vec<f64>,
    pub(crate) rebuild_prod: Vec<f64>,
    pub(crate) limiting: usize,
    // --- scratch, allocated once ---
    pub(crate) restock: Vec<f64>,
    /// What is left of each final-demand entry of a row after delivery (S × R·F, scratch).
    pub(crate) fd_left: Vec<f64>,
    /// min(D, xcap) per industry when orders are placed (scratch, N).
    pub(crate) x_opt: Vec<f64>,
    pub(crate) need_next: Vec<f64>,
    pub(crate) ws_next: Vec<f64>,
    pub(crate) cr_next: Vec<f64>,
    pub(crate) weight_next: edge_factors::EdgeFactors,
    /// Unmet final demand per (input sector, consuming region), S × R (scratch).
    pub(crate) unmet_by_sector: Vec<f64>,
    /// Undistributed final demand per industry in slot order (scratch).
    pub(crate) undist_by_slot: Vec<f64>,
    pub(crate) gate_rows: Vec<(usize, f64, f64)>,
    /// One row of E per chunk of rows, for the row sums (allocated once).
    pub(crate) scratch: Vec<f64>,
    pub(crate) n_chunks: usize,
    /// Two rows of E per input sector for the fused pass's row-by-row and sparse kernels
    /// (the factorised kernel keeps its sector's N weights q there), S × 2 × (N + tail).
    pub(crate) sector_rows: Vec<f64>,
    pub(crate) row_out: Vec<fused::RowOut>,
    /// NumPy's pairwise tree over a row of E (N + tail), flattened for the grouped kernel.
    pub(crate) pairwise_ops: Vec<numpy_sum::PairwiseOp>,
    /// Per-thread rows of E for the grouped kernel.
    pub(crate) group_scratch: grouped::GroupScratch,
    /// Fast numerics: each industry's final demand summed per consuming region (N × R, in
    /// slot order), and whether it matches the current final demand.
    pub(crate) fd_by_region: Vec<f64>,
    pub(crate) fd_by_region_fresh: bool,
    /// Whether the SIMD context the kernels run in has fused multiply-add (fast numerics
    /// use it).
    pub(crate) fused_multiply_add: bool,
    /// The production each industry's inventories allow, min over its relevant inputs of
    /// stock / (a·ψ·κ) (fast numerics), or the certified bound below which none binds
    /// (exact numerics) (N; refreshed at the start of each step, `input_bounds`).
    pub(crate) stock_limit: Vec<f64>,
    /// Exact numerics: `input_bounds::input_factor` per (input, industry), S × N (empty in
    /// fast numerics and until the first step), and whether it matches the current
    /// coefficients.
    pub(crate) input_factors: Vec<f64>,
    pub(crate) input_factors_fresh: bool,
    pub(crate) row_stats: Vec<[f64; 5]>,
    /// Tests only: every dense row through the general kernel (`row_by_row`), to check the
    /// specialised kernels against it.
    pub(crate) general_kernel_only: bool,
    /// Tests only: every row visits all its inputs in §5.4 (no `input_bounds` shortcut).
    pub(crate) scan_all_inputs: bool,
}

impl Model {
    /// Builds the model from an MRIO table (ARIO_SPEC.md §3).
    pub fn new(mrio: &Mrio, params: ModelParams) -> Result<Self, SimError> {
        let n_regions = mrio.regions.len();
        let n_sectors = mrio.sectors.len();
        let n = n_regions * n_sectors;
        let n_fd = n_regions * mrio.fd_categories.len();
        params.check(n_sectors, n)?;
        let phi = 1.0 / params.steps_per_year;
        let region_sum = |m: &[f64], width: usize| {
            // Σ_reg: sum the rows of each sector over regions, in region order.
            let mut out = vec![0.0; n_sectors * width];
            for r in 0..n_regions {
                for p in 0..n_sectors {
                    let row = &m[(r * n_sectors + p) * width..][..width];
                    for (o, v) in out[p * width..][..width].iter_mut().zip(row) {
                        *o += v;
                    }
                }
            }
            out
        };
        let z_c = region_sum(&mrio.z, n);
        let tech = region_sum(&mrio.a, n);
        let x0: Vec<f64> = mrio.x.iter().map(|v| v * phi).collect();
        let fd0: Vec<f64> = mrio.y.iter().map(|v| v * phi).collect();
        params.check_headroom(mrio.largest_flow(params.steps_per_year), n)?;
        // Slot `slot` holds industry row i = r·S + p with slot = p·R + r.
        // One pass over Z: how many entries are stored sparse, and whether any is negative.
        let (nonzero, negative) = mrio.z.iter().fold((0, false), |(count, neg), &v| {
            (count + usize::from(v != 0.0), neg || v < 0.0)
        });
        let threshold = Storage::auto_threshold(params.numerics);
        let z = ZStore::build(
            n,
            params.storage,
            threshold,
            nonzero,
            negative,
            |slot, out, dist| {
                let i = industry_of_slot(slot, n_sectors, n_regions);
                debug_assert_eq!(slot_of(i, n_sectors, n_regions), slot);
                let p = i % n_sectors;
                for (j, &z) in mrio.z[i * n..][..n].iter().enumerate() {
                    out[j] = z * phi;
                    let v = z / z_c[p * n + j];
                    dist[j] = if v.is_finite() { v } else { 0.0 };
                }
            },
        )?;
        let capital = productive_capital(mrio, &params);
        let inv: Vec<f64> = match &params.inventory_days {
            None => vec![params.main_inv_dur; n_sectors],
            Some(days) => days
                .iter()
                .map(|d| match d {
                    InventoryDays::Days(v) => *v,
                    InventoryDays::Infinite => f64::INFINITY,
                })
                .collect(),
        };
        // Q14: a target of at most one step is silently raised to 2 steps.
        let inv_dur: Vec<f64> = inv
            .iter()
            .map(|&v| if v <= 1.0 { 2.0 } else { v })
            .collect();
        let inv_constraint: Vec<f64> = inv_dur
            .iter()
            .map(|&v| if v.is_infinite() { 0.0 } else { v })
            .collect();
        let restoration: Vec<f64> = params
            .restoration_taus(n_sectors)
            .iter()
            .map(|t| 1.0 / t)
            .collect();
        let psi = match params.kind {
            ModelKind::Psi => params.psi,
            ModelKind::Base => 1.0,
        };
        // Q13: annual Σ_reg Z compared with 1e-5 × per-step X0, as BoARIO does.
        let is_input: Vec<bool> = (0..n_sectors * n)
            .map(|k| z_c[k] > x0[k % n] * TECHNOLOGY_THRESHOLD)
            .collect();
        let mut stock0 = vec![0.0; n_sectors * n];
        for p in 0..n_sectors {
            for j in 0..n {
                let v = (x0[j] * tech[p * n + j]) * inv_dur[p];
                if v < 0.0 {
                    // BoARIO stops at its first step on such a table (a negative inventory);
                    // it is the table's fault, so say so before any step.
                    let (r, s) = (j / n_sectors, j % n_sectors);
                    return Err(SimError::Invalid(format!(
                        "the MRIO gives {}|{} a negative initial inventory of {} inputs ({v}): \
                         its flows of {} from all regions sum to a negative value in Z; ARIO \
                         needs them non-negative",
                        mrio.regions[r], mrio.sectors[s], mrio.sectors[p], mrio.sectors[p]
                    )));
                }
                stock0[p * n + j] = if v.is_nan() { f64::INFINITY } else { v };
            }
        }
        let tail = fd0.clone();
        // Row chunks for the parallel row sums: about 64 rows each, at most 64 chunks.
        let n_chunks = n.div_ceil(64).clamp(1, 64);
        let kappa = 1.0 / params.alpha_tau;
        let alpha = vec![params.alpha_base; n];
        let mut model = Model {
            regions: mrio.regions.clone(),
            sectors: mrio.sectors.clone(),
            n_regions,
            n_sectors,
            n_fd,
            n,
            x0: x0.clone(),
            z,
            fd0,
            tech: tech.clone(),
            is_input,
            inv_dur,
            inv_constraint,
            restoration,
            psi,
            kappa,
            capital,
            stock: stock0.clone(),
            stock0,
            tail_width: n_fd,
            n_blocks: 0,
            tail,
            book: OrderBook::new(
                n,
                n_sectors,
                n_regions,
                params.order_type == OrderType::Alt,
                params.numerics == Numerics::Fast,
            ),
            applied_levers: AppliedLevers::default(),
            tech_eff: tech,
            alpha,
            production: x0.clone(),
            delta: vec![0.0; n],
            xcap: x0.clone(),
            demand: vec![0.0; n],
            demand_pairwise: vec![0.0; n],
            intermediate_demand_tot: vec![0.0; n],
            final_demand_tot: vec![0.0; n],
            rebuild_demand_tot: vec![0.0; n],
            rebuild_prod_tot: vec![0.0; n],
            final_demand_undist: vec![0.0; n],
            final_demand_unmet: vec![0.0; n],
            rebuild_prod: Vec::new(),
            limiting: 0,
            restock: vec![0.0; n_sectors * n],
            fd_left: vec![0.0; n_sectors * n_fd.max(1)],
            x_opt: vec![0.0; n],
            need_next: vec![0.0; n_sectors * n],
            ws_next: vec![0.0; n_sectors * n],
            cr_next: vec![1.0; n],
            weight_next: edge_factors::EdgeFactors::new(n, n_regions),
            unmet_by_sector: vec![0.0; n_sectors * n_regions],
            undist_by_slot: vec![0.0; n],
            gate_rows: Vec::new(),
            scratch: vec![0.0; n_chunks * (n + n_fd)],
            n_chunks,
            sector_rows: vec![0.0; n_sectors * 2 * (n + n_fd)],
            row_out: vec![fused::RowOut::default(); n],
            pairwise_ops: numpy_sum::pairwise_program(n + n_fd),
            group_scratch: grouped::GroupScratch::new(n + n_fd),
            stock_limit: vec![f64::INFINITY; n],
            // Filled at the first step, after the table's arrays are freed (not at the peak).
            input_factors: Vec::new(),
            input_factors_fresh: false,
            fused_multiply_add: fused_multiply_add(),
            fd_by_region: vec![0.0; n * n_regions],
            fd_by_region_fresh: false,
            row_stats: vec![[0.0; 5]; n],
            general_kernel_only: false,
            scan_all_inputs: false,
            params,
        };
        model.refresh_demand_totals(true);
        Ok(model)
    }

    /// Builds the model from in-memory arrays (annual flows, region-major sorted order),
    /// e.g. a network assembled from warehouse facts in tonnes per year.
    #[allow(clippy::too_many_arguments)]
    pub fn from_arrays(
        regions: Vec<String>,
        sectors: Vec<String>,
        fd_categories: Vec<String>,
        z: Vec<f64>,
        y: Vec<f64>,
        x: Vec<f64>,
        params: ModelParams,
    ) -> Result<Self, SimError> {
        let mrio = Mrio::from_arrays(regions, sectors, fd_categories, z, y, x)?;
        Model::new(&mrio, params)
    }

    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.n_regions
    }
    /// Number of sectors (products).
    pub fn n_sectors(&self) -> usize {
        self.n_sectors
    }
    /// Number of industries (regions × sectors).
    pub fn n_industries(&self) -> usize {
        self.n
    }
    /// Region names (sorted).
    pub fn regions(&self) -> &[String] {
        &self.regions
    }
    /// Sector names (sorted).
    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }
    /// `region|sector` labels in industry order.
    pub fn industry_labels(&self) -> Vec<String> {
        self.regions
            .iter()
            .flat_map(|r| self.sectors.iter().map(move |s| format!("{r}|{s}")))
            .collect()
    }
    /// Σ of Z0's stored entries, read in parallel as a step reads them: timing it gives the
    /// memory floor of a step (`examples/ario_bench.rs` reports it next to the step time).
    pub fn z0_stream_sum(&self) -> f64 {
        self.z.stream_sum()
    }
    /// Whether Z0 is stored sparse (see [`Storage`]).
    pub fn sparse_storage(&self) -> bool {
        self.z.is_sparse()
    }
    /// The parameters the model was built with.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }
    /// Initial production per step, X0.
    pub fn x0(&self) -> &[f64] {
        &self.x0
    }
    /// Productive capital K per industry (table units).
    pub fn productive_capital(&self) -> &[f64] {
        &self.capital
    }
    /// Realised production of the last step.
    pub fn production(&self) -> &[f64] {
        &self.production
    }
    /// Production capacity X0·(1−Δ)·α (× capacity factor) of the last step.
    pub fn production_capacity(&self) -> &[f64] {
        &self.xcap
    }
    /// Overproduction factor α of the last step.
    pub fn overproduction(&self) -> &[f64] {
        &self.alpha
    }
    /// Unmet final demand per (consuming region, product), index r·S + p.
    pub fn final_demand_unmet(&self) -> &[f64] {
        &self.final_demand_unmet
    }
    /// Final demand not delivered, per supplier industry.
    pub fn final_demand_undist(&self) -> &[f64] {
        &self.final_demand_undist
    }
    /// Final demand addressed to each industry this step.
    pub fn final_demand_tot(&self) -> &[f64] {
        &self.final_demand_tot
    }
    /// Orders received by each industry this step.
    pub fn intermediate_demand_tot(&self) -> &[f64] {
        &self.intermediate_demand_tot
    }
    /// Reconstruction demand addressed to each industry this step.
    pub fn rebuild_demand_tot(&self) -> &[f64] {
        &self.rebuild_demand_tot
    }
    /// Reconstruction deliveries of each industry this step.
    pub fn rebuild_prod_tot(&self) -> &[f64] {
        &self.rebuild_prod_tot
    }
    /// Total demand D addressed to each industry this step.
    pub fn total_demand(&self) -> &[f64] {
        &self.demand
    }
    /// Inventories, S × N row-major (input p, industry j); +inf for infinite inventories.
    pub fn inventories(&self) -> &[f64] {
        &self.stock
    }
    /// Initial inventories S0.
    pub fn initial_inventories(&self) -> &[f64] {
        &self.stock0
    }
    /// Aggregated technical coefficients a = Σ_reg A (S × N).
    pub fn technical_coefficients(&self) -> &[f64] {
        &self.tech
    }
    /// Input-relevance mask (S × N), Q13.
    pub fn input_mask(&self) -> &[bool] {
        &self.is_input
    }
    /// Capacity-loss share Δ used in the last step.
    pub fn capacity_loss(&self) -> &[f64] {
        &self.delta
    }
    /// Number of (input, industry) pairs whose inventory constrained production last step;
    /// `None` in fast numerics, whose production rule takes each industry's tightest input
    /// without visiting the others (see `Model::stock_limits`).
    pub fn limiting_pairs(&self) -> Option<usize> {
        (!self.book.fast).then_some(self.limiting)
    }

    /// Sets the capacity-loss share Δ for the next step (events, §5.1).
    pub fn set_capacity_loss(&mut self, delta: &[f64]) {
        self.delta.copy_from_slice(delta);
    }

    /// Adds one reconstruction block of N + R·F columns to the demand matrix (an event
    /// entered the rebuilding status, §7.4); returns the block id.
    pub fn add_rebuild_block(&mut self) -> usize {
        let (n, nfd) = (self.n, self.n_fd);
        let old = self.tail_width;
        let new = old + n + nfd;
        let mut tail = vec![0.0; n * new];
        for i in 0..n {
            // FD and the industry columns of earlier blocks keep their place; household
            // columns (all zero: no household damage) follow the industry blocks.
            let keep = nfd + self.n_blocks * n;
            tail[i * new..][..keep].copy_from_slice(&self.tail[i * old..][..keep]);
        }
        self.tail = tail;
        self.tail_width = new;
        self.n_blocks += 1;
        self.rebuild_prod = vec![0.0; n * (new - nfd)];
        self.scratch = vec![0.0; self.n_chunks * (n + new)];
        self.sector_rows = vec![0.0; self.n_sectors * 2 * (n + new)];
        self.pairwise_ops = numpy_sum::pairwise_program(n + new);
        self.group_scratch = grouped::GroupScratch::new(n + new);
        self.n_blocks - 1
    }

    /// Writes the reconstruction demand of block `id`: N × N, row supplier, column
    /// affected industry (§7.4 step 1).
    pub fn set_rebuild_demand(&mut self, id: usize, demand: &[f64]) {
        let (n, w) = (self.n, self.tail_width);
        let off = self.n_fd + id * n;
        for i in 0..n {
            self.tail[i * w + off..][..n].copy_from_slice(&demand[i * n..][..n]);
        }
    }

    /// Reconstruction deliveries of block `id` in the last step, N × N.
    pub fn rebuild_delivered(&self, id: usize, out: &mut [f64]) {
        let n = self.n;
        let w = self.tail_width - self.n_fd;
        for i in 0..n {
            out[i * n..][..n].copy_from_slice(&self.rebuild_prod[i * w + id * n..][..n]);
        }
    }

    /// Share of supplier industry `i` = (r, p) in industry `j`'s purchases of product p
    /// (annual Z), used to address reconstruction demand (§7.4).
    pub fn supplier_share(&self, i: usize, j: usize) -> f64 {
        self.z.share(slot_of(i, self.n_sectors, self.n_regions), j)
    }
}

/// Whether `pulp`'s dispatch runs the kernels with hardware fused multiply-add: x86-64
/// with AVX2 and FMA (its `V3` level, or above), or AArch64.
fn fused_multiply_add() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        pulp::x86::V3::try_new().is_some()
    }
    #[cfg(target_arch = "aarch64")]
    {
        true
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

/// Storage slot of industry row `i` = r·S + p in Z0 and the supplier shares: p·R + r, so that the R rows
/// of input sector p, which the fused pass reads one after another, are contiguous.
pub(crate) fn slot_of(i: usize, n_sectors: usize, n_regions: usize) -> usize {
    (i % n_sectors) * n_regions + i / n_sectors
}

/// The industry row stored at `slot` (the inverse of [`slot_of`]).
pub(crate) fn industry_of_slot(slot: usize, n_sectors: usize, n_regions: usize) -> usize {
    (slot % n_regions) * n_sectors + slot / n_regions
}
