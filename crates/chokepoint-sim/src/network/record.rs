//! What one run of either engine records: per industry node its loss, demand, halts and
//! (optionally) daily output index, and per gated pair its monthly trade. The chain engine
//! ([`super::flow`]) and the MRIO engine ([`crate::montecarlo::mrio`]) both fill a
//! [`RunRecord`] built by [`RunRecord::new`], so the summaries read one shape.

/// What one run records.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// Daily output of each industry node relative to baseline (`days × n_industry_nodes`),
    /// empty when series recording is off.
    pub output_index: Vec<f32>,
    /// Production loss per industry node over the horizon: each day's shortfall
    /// `max(wanted − output, 0)` summed, where `wanted` is what the node wanted to make that
    /// day (`demand_t`'s daily part: on the chain the baseline or a demand shock's demand, on
    /// an MRIO the baseline). t of magnet use on the chain, table units on an MRIO.
    pub loss_t: Vec<f64>,
    /// Final demand not met per industry node. On the chain this is `loss_t` by
    /// construction: an industry node's output is the final use of the magnets, so what it
    /// fails to make is the final demand left unmet (the field stays for the schema). On an
    /// MRIO it is the final demand of the node's region for the node's product left unserved,
    /// a different figure.
    pub unmet_t: Vec<f64>,
    /// What each industry node wanted to make over the horizon, t of magnet use: its
    /// baseline, or the demand a demand shock set. The base of the loss as a share.
    pub demand_t: Vec<f64>,
    /// First day below 90 % of baseline.
    pub halt_day_90: Vec<Option<u32>>,
    /// First day below 50 % of baseline.
    pub halt_day_50: Vec<Option<u32>>,
    /// First day from which output stays at ≥ 95 % of baseline to the end of the horizon,
    /// after the last fall below 90 %; `None` when it never fell below 90 % or is not back
    /// (to stay) by the end.
    pub recovery_day_95: Vec<Option<u32>>,
    /// Days below 50 % of baseline, per industry node: a halt of two days and one of two
    /// months both set `halt_day_50`.
    pub days_below_50: Vec<u32>,
    /// Monthly sums per cross-border pair: `[month * trade_pairs.len() + slot] =
    /// [requested, licensed, delivered]`, t; read it with [`RunRecord::trade`].
    pub trade_monthly: Vec<[f64; 3]>,
    /// The (stage, exporter, importer) pairs recorded, sorted (see [`pair_index`](crate::network::flow::pair_index)).
    pub trade_pairs: Vec<usize>,
    /// Number of months in `trade_monthly`.
    pub months: usize,
    /// Output of each stage node (`region * N_STAGES + stage`) summed over the horizon, t:
    /// what the region made, new plants included (empty on MRIO networks).
    pub stage_output_t: Vec<f64>,
    /// Per new-supply entry of the plan, in its order: the stage node it adds to
    /// (`region * N_STAGES + stage`), the capacity it added over the horizon, t, and that
    /// node's baseline output over the horizon, t (its output is in `stage_output_t`).
    pub new_supply: Vec<NewSupplyRecord>,
}

/// What one new plant added, and the baseline of the node it joined (see
/// [`RunRecord::new_supply`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewSupplyRecord {
    /// Stage node: `region * N_STAGES + stage`.
    pub node: usize,
    /// Capacity added over the horizon (its ramp-up included), t.
    pub capacity_t: f64,
    /// The node's baseline output over the horizon, t.
    pub baseline_t: f64,
    /// The node's output over the horizon in the same draw without this plant, t (`None`
    /// until [`montecarlo::run_many`](crate::montecarlo::run_many) runs that pair).
    pub output_without_t: Option<f64>,
    /// Total production loss of the industry nodes in the same draw without this plant, t
    /// (`None` until `run_many` runs that pair).
    pub loss_without_t: Option<f64>,
    /// The node's output, and the total loss, in the same draw without every plant that
    /// changed nothing alone, when this one is one of two or more such (the same as without
    /// this one otherwise): two plants that stand in for each other change nothing alone.
    pub output_without_idle_t: Option<f64>,
    /// See `output_without_idle_t`.
    pub loss_without_idle_t: Option<f64>,
}

impl RunRecord {
    /// An empty record for `n_industry_nodes` nodes over `days` days and `months` calendar
    /// months, with monthly trade cells for `trade_pairs` (sorted, see [`pair_index`](crate::network::flow::pair_index)); the
    /// chain engine adds its stage outputs and new-supply entries.
    pub fn new(
        n_industry_nodes: usize,
        days: usize,
        months: usize,
        trade_pairs: Vec<usize>,
        record_series: bool,
    ) -> RunRecord {
        let n = n_industry_nodes;
        RunRecord {
            output_index: if record_series {
                Vec::with_capacity(days * n)
            } else {
                Vec::new()
            },
            loss_t: vec![0.0; n],
            unmet_t: vec![0.0; n],
            demand_t: vec![0.0; n],
            halt_day_90: vec![None; n],
            halt_day_50: vec![None; n],
            recovery_day_95: vec![None; n],
            days_below_50: vec![0; n],
            trade_monthly: vec![[0.0; 3]; months * trade_pairs.len()],
            trade_pairs,
            months,
            stage_output_t: Vec::new(),
            new_supply: Vec::new(),
        }
    }

    /// Records node `j`'s output relative to baseline on day `t`: the series (when kept),
    /// the first days below 90 % and 50 % and the recovery at 95 % (see
    /// [`RunRecord::recovery_day_95`]). Days must come in order.
    pub fn observe(&mut self, j: usize, t: usize, idx: f64, record_series: bool) {
        if record_series {
            self.output_index.push(idx as f32);
        }
        let day = Some(t as u32);
        if idx < 0.9 && self.halt_day_90[j].is_none() {
            self.halt_day_90[j] = day;
        }
        if idx < 0.5 {
            if self.halt_day_50[j].is_none() {
                self.halt_day_50[j] = day;
            }
            self.days_below_50[j] += 1;
        }
        // The recovery is the start of the stretch at ≥ 95 % that lasts to the end, after the
        // last fall below 90 %: a day below 95 % undoes any earlier one. The first return
        // once stood as the recovery, before a halt seven weeks later and seven more after.
        if idx < 0.95 {
            self.recovery_day_95[j] = None;
        } else if self.halt_day_90[j].is_some() && self.recovery_day_95[j].is_none() {
            self.recovery_day_95[j] = day;
        }
    }

    /// Requested, licensed and delivered tonnes of a (stage, exporter, importer) pair in
    /// month `m` (zero when the pair has no cross-border edge).
    pub fn trade(&self, m: usize, pair: usize) -> [f64; 3] {
        match self.trade_pairs.binary_search(&pair) {
            Ok(slot) => self
                .trade_monthly
                .get(m * self.trade_pairs.len() + slot)
                .copied()
                .unwrap_or([0.0; 3]),
            Err(_) => [0.0; 3],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Node 0's halt and recovery days after observing `days` in order.
    fn observed(days: &[f64]) -> (Option<u32>, Option<u32>, Option<u32>) {
        let mut r = RunRecord::new(1, days.len(), 1, Vec::new(), true);
        for (t, idx) in days.iter().enumerate() {
            r.observe(0, t, *idx, true);
        }
        assert_eq!(r.output_index.len(), days.len());
        (r.halt_day_90[0], r.halt_day_50[0], r.recovery_day_95[0])
    }

    #[test]
    fn recovery_is_the_return_after_the_last_fall_that_lasts_to_the_end() {
        // Halt, return, halt again (the monthly-quota cycle), return for good on day 6.
        let cycle = [1.0, 0.4, 0.97, 0.3, 0.96, 0.93, 0.99, 1.0];
        assert_eq!(observed(&cycle), (Some(1), Some(1), Some(6)));
        // Back above 95 % but below it again at the end: not recovered.
        assert_eq!(observed(&[0.8, 0.96, 0.94]), (Some(0), None, None));
        // Never below 90 %: nothing to recover from, even after a dip to 93 %.
        assert_eq!(observed(&[0.93, 1.0]), (None, None, None));
        // Recovered on the last day.
        assert_eq!(observed(&[1.0, 0.6, 0.95]), (Some(1), None, Some(2)));
    }
}
