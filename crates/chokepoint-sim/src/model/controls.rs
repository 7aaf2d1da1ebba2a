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
        let len = |name: &str, v: &[f64], want: usize| {
            if v.len() != want {
                Err(format!("{name} has {} values, expected {want}", v.len()))
            } else if let Some(x) = v.iter().find(|x| !x.is_finite() || **x < 0.0) {
                Err(format!(
                    "{name} contains {x}; factors must be finite and ≥ 0"
                ))
            } else {
                Ok(())
            }
        };
        len("capacity_factor", &self.capacity_factor, n)?;
        len("final_demand_factor", &self.final_demand_factor, n)?;
        len("input_factor", &self.input_factor, n_sectors * n)?;
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
