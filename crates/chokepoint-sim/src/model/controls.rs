//! Levers an outside policy layer sets each step. All neutral by default; neutral
//! controls leave results bit-identical to BoARIO (every lever is a multiplication
//! by 1.0 or a skipped branch).

/// Per-step multipliers and gated trade edges, passed to [`crate::Model::step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Controls {
    /// Multiplies each industry's production capacity xcap (len = n_industries); 1.0 neutral,
    /// > 1 allowed (new supply ramping up), 0 = shut.
    pub capacity_factor: Vec<f64>,
    /// Multiplies final demand addressed by consuming region r for product sector p, index
    /// r * n_sectors + p (len = n_regions * n_sectors); 1.0 neutral.
    pub final_demand_factor: Vec<f64>,
    /// Multiplies the technical coefficient a[p, j] (input sector p, client industry j), index
    /// p * n_industries + j; 1.0 neutral. Used for substitution (one input's share moves to another).
    pub input_factor: Vec<f64>,
    /// Gated trade edges (export controls), see [`Gate`].
    pub gates: Vec<Gate>,
}

/// One gated trade edge: exporter industry → importing region.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// Industry index (region, sector) of the exporter.
    pub supplier: usize,
    /// Importing region index.
    pub client_region: usize,
    /// Set by the policy before the step: share of the requested volume allowed through (0..=1).
    pub allowed_share: f64,
    /// Set by the policy: multiplier on the "alt" order weight W of this edge (clients switch
    /// away from a gated supplier); 1.0 neutral.
    pub order_weight: f64,
    /// Written by the engine each step: volume requested on this edge (orders of every industry of
    /// client_region + final demand of client_region addressed to `supplier`), model units/step.
    pub requested: f64,
    /// Written by the engine: volume delivered on this edge this step.
    pub delivered: f64,
}

impl Gate {
    /// A neutral gate on the edge `supplier` → `client_region`.
    pub fn new(supplier: usize, client_region: usize) -> Self {
        Gate {
            supplier,
            client_region,
            allowed_share: 1.0,
            order_weight: 1.0,
            requested: 0.0,
            delivered: 0.0,
        }
    }
}

impl Controls {
    /// Neutral controls for a model of `n_regions` × `n_sectors`.
    pub fn neutral(n_regions: usize, n_sectors: usize) -> Self {
        let n = n_regions * n_sectors;
        Controls {
            capacity_factor: vec![1.0; n],
            final_demand_factor: vec![1.0; n],
            input_factor: vec![1.0; n_sectors * n],
            gates: Vec::new(),
        }
    }

    /// Checks lengths and ranges against a model of `n_regions` × `n_sectors`.
    pub fn check(&self, n_regions: usize, n_sectors: usize) -> Result<(), String> {
        let n = n_regions * n_sectors;
        factors("final_demand_factor", &self.final_demand_factor, n)?;
        factors("input_factor", &self.input_factor, n_sectors * n)?;
        self.check_per_step(n_regions, n_sectors)
    }

    /// [`Controls::check`] without the final-demand and input factors: what a step must
    /// still check when those are the ones already written ([`AppliedLevers::matches`]),
    /// and so were checked then (the input factors alone are S × N values).
    pub(crate) fn check_per_step(&self, n_regions: usize, n_sectors: usize) -> Result<(), String> {
        let n = n_regions * n_sectors;
        factors("capacity_factor", &self.capacity_factor, n)?;
        for g in &self.gates {
            if g.supplier >= n || g.client_region >= n_regions {
                return Err(format!(
                    "gate {} → region {} is outside the model",
                    g.supplier, g.client_region
                ));
            }
            if !(0.0..=1.0).contains(&g.allowed_share) {
                return Err(format!(
                    "gate allowed_share {} is outside 0..=1",
                    g.allowed_share
                ));
            }
            if !g.order_weight.is_finite() || g.order_weight < 0.0 {
                return Err(format!(
                    "gate order_weight {} must be finite and ≥ 0",
                    g.order_weight
                ));
            }
        }
        Ok(())
    }
}

/// Checks that factor array `name` has `want` values, all finite and ≥ 0.
fn factors(name: &str, v: &[f64], want: usize) -> Result<(), String> {
    if v.len() != want {
        Err(format!("{name} has {} values, expected {want}", v.len()))
    } else if let Some(x) = v.iter().find(|x| !x.is_finite() || **x < 0.0) {
        Err(format!(
            "{name} contains {x}; factors must be finite and ≥ 0"
        ))
    } else {
        Ok(())
    }
}

/// The levers of [`Controls`] that a step writes into the model's final demand and
/// coefficients, as last written. A policy sets its controls before every step, but they
/// change only at a few dated steps (a licence, a truce); a step whose levers hold the same
/// bits skips rewriting the final demand (N × R·F) and the coefficients (S × N), and exact
/// numerics keep their input factors (`input_bounds`).
#[derive(Debug, Clone, Default)]
pub(crate) struct AppliedLevers {
    /// Whether the model's final demand and coefficients hold the levers below rather than
    /// the table's own (false before any controls and after a step without them).
    applied: bool,
    final_demand_factor: Vec<f64>,
    input_factor: Vec<f64>,
    /// (supplier, client region, allowed share) of each gate, in order.
    gates: Vec<(usize, usize, f64)>,
}

impl AppliedLevers {
    /// Whether `c` would write exactly what was last written.
    pub fn matches(&self, c: &Controls) -> bool {
        self.applied
            && same_bits(&self.final_demand_factor, &c.final_demand_factor)
            && same_bits(&self.input_factor, &c.input_factor)
            && self.gates.len() == c.gates.len()
            && self
                .gates
                .iter()
                .zip(&c.gates)
                .all(|(&(supplier, region, share), g)| {
                    (supplier, region) == (g.supplier, g.client_region)
                        && share.to_bits() == g.allowed_share.to_bits()
                })
    }

    /// Records the levers of `c` as written (reusing the buffers: no allocation once they
    /// have their size).
    pub fn record(&mut self, c: &Controls) {
        self.applied = true;
        self.final_demand_factor.clone_from(&c.final_demand_factor);
        self.input_factor.clone_from(&c.input_factor);
        self.gates.clear();
        let gates = c
            .gates
            .iter()
            .map(|g| (g.supplier, g.client_region, g.allowed_share));
        self.gates.extend(gates);
    }

    /// Whether the model's final demand and coefficients hold levers (a step without
    /// controls must then restore the table's own).
    pub fn is_applied(&self) -> bool {
        self.applied
    }

    /// The model's final demand and coefficients are the table's own again.
    pub fn forget(&mut self) {
        self.applied = false;
    }

    /// Levers are written but no controls match them: the next controlled step rewrites.
    #[cfg(test)]
    fn invalidate(&mut self) {
        self.final_demand_factor.clear();
        self.input_factor.clear();
    }
}

/// Bitwise equality: −0.0 and +0.0 differ (they can give zeros of different signs), and a
/// NaN equals itself. Compared 64 values at a time without an early exit inside a chunk,
/// so that the comparison vectorises (the input factors are S × N values, compared every
/// controlled step).
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.chunks(64).zip(b.chunks(64)).all(|(x, y)| {
            x.iter()
                .zip(y)
                .fold(0, |diff, (p, q)| diff | (p.to_bits() ^ q.to_bits()))
                == 0
        })
}

#[cfg(test)]
mod tests {
    use super::{Controls, Gate};
    use crate::network::synthetic::dense_mrio;
    use crate::{Model, ModelParams};

    #[test]
    fn same_bits_compares_every_value_bit_for_bit() {
        let a: Vec<f64> = (0..150).map(|k| k as f64 * 0.1).collect();
        assert!(super::same_bits(&a, &a.clone()));
        assert!(!super::same_bits(&a, &a[..149]));
        for k in [0, 63, 64, 149] {
            let mut b = a.clone();
            b[k] = f64::from_bits(b[k].to_bits() ^ 1);
            assert!(!super::same_bits(&a, &b), "value {k}");
        }
        assert!(!super::same_bits(&[0.0], &[-0.0]));
        assert!(super::same_bits(&[f64::NAN], &[f64::NAN]));
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// A step whose levers are those already written skips rewriting them; one that changes
    /// any of them (a gate's share, an input factor, a final-demand factor, or no controls at
    /// all) must still write them. Against a model whose record matches no controls before
    /// every step (so it rewrites everything, as without the skip), every step's state is
    /// bitwise the same.
    #[test]
    fn unchanged_levers_are_skipped_and_changed_ones_written() {
        let mrio = dense_mrio(3, 4, 2, 7).unwrap();
        let mut skipping = Model::new(&mrio, ModelParams::default()).unwrap();
        let mut rewriting = skipping.clone();
        let mut controls = Controls::neutral(3, 4);
        controls.gates.push(Gate::new(1, 2));
        for t in 0..14 {
            match t {
                3 => controls.gates[0].allowed_share = 0.5,
                6 => controls.input_factor[5] = 0.7,
                8 => controls.final_demand_factor[2] = 1.3,
                _ => {}
            }
            rewriting.applied_levers.invalidate();
            if (10..12).contains(&t) {
                skipping.step(t, None).unwrap();
                rewriting.step(t, None).unwrap();
                // Lifted controls: the table's own final demand and coefficients again.
                let (w, nfd) = (skipping.tail_width, skipping.n_fd);
                for (i, fd) in skipping.fd0.chunks_exact(nfd).enumerate() {
                    assert_eq!(bits(&skipping.tail[i * w..][..nfd]), bits(fd), "step {t}");
                }
                assert_eq!(bits(&skipping.tech_eff), bits(&skipping.tech), "step {t}");
            } else {
                skipping.step(t, Some(&mut controls.clone())).unwrap();
                rewriting.step(t, Some(&mut controls.clone())).unwrap();
            }
            assert_eq!(
                bits(skipping.production()),
                bits(rewriting.production()),
                "step {t}"
            );
            assert_eq!(bits(&skipping.tail), bits(&rewriting.tail), "step {t}");
            assert_eq!(
                bits(&skipping.tech_eff),
                bits(&rewriting.tech_eff),
                "step {t}"
            );
            assert_eq!(
                bits(skipping.inventories()),
                bits(rewriting.inventories()),
                "step {t}"
            );
        }
    }
}
