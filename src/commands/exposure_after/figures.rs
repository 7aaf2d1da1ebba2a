//! The figures of one run (or of the baseline): supplier shares, HHI, the CRMA share,
//! imports, reliance and apparent consumption, and their bands over runs.

use chokepoint_server::after::Band;
use chokepoint_sim::montecarlo::quantile;
use chokepoint_store::indicators::concentration::hhi;

pub(super) struct RunFigures {
    pub(super) shares: Vec<f64>,
    pub(super) hhi: f64,
    /// The largest third-country supplier's share of apparent consumption.
    pub(super) top_third_share: f64,
    pub(super) imports_t: f64,
    pub(super) reliance: f64,
    /// Apparent consumption: output + imports - exports, t.
    pub(super) consumption_t: f64,
}

/// The figures of each run: its baseline flows (before), what buyers requested under the
/// control, and what was delivered (after).
pub(super) struct Measured {
    pub(super) before: Vec<RunFigures>,
    pub(super) requested: Vec<RunFigures>,
    pub(super) after: Vec<RunFigures>,
}

/// A figure of every run, by the name the report gives it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Measure {
    Hhi,
    CrmaShare,
    Imports,
    Reliance,
    Consumption,
}

impl Measure {
    fn name(self) -> &'static str {
        match self {
            Measure::Hhi => "supplier_hhi",
            Measure::CrmaShare => "crma_top_third_country_share",
            Measure::Imports => "imports",
            Measure::Reliance => "import_reliance",
            Measure::Consumption => "apparent_consumption",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Measure::Hhi => "0-10000",
            Measure::CrmaShare | Measure::Reliance => "%",
            Measure::Imports | Measure::Consumption => "t",
        }
    }

    fn of(self, x: &RunFigures) -> f64 {
        match self {
            Measure::Hhi => x.hhi,
            Measure::CrmaShare => 100.0 * x.top_third_share,
            Measure::Imports => x.imports_t,
            Measure::Reliance => 100.0 * x.reliance,
            Measure::Consumption => x.consumption_t,
        }
    }

    /// Its band: `before` from the runs' baselines, after p5/p50/p95 from `after`.
    pub(super) fn band(self, before: &[RunFigures], after: &[RunFigures]) -> Band {
        self.band_named(self.name(), before, after)
    }

    /// Its band with the flows buyers ordered under the control as "after" (baseline plus
    /// restocking; without the control, orders are the baseline), named `…_requested`:
    /// `imports_requested`, and `apparent_consumption_requested`, what a shortage is
    /// measured against (a demand cut is not one).
    pub(super) fn requested_band(self, before: &[RunFigures], requested: &[RunFigures]) -> Band {
        self.band_named(&format!("{}_requested", self.name()), before, requested)
    }

    fn band_named(self, name: &str, before: &[RunFigures], after: &[RunFigures]) -> Band {
        let pick = |v: &[RunFigures]| v.iter().map(|x| self.of(x)).collect::<Vec<f64>>();
        band(name, None, &pick(before), &pick(after), self.unit())
    }
}

/// Below this share of its baseline, apparent consumption after the shock is a shortage:
/// lower shares and reliance then mean less supply, not a more diverse one.
pub(super) const SHORTAGE_BELOW: f64 = 0.95;

/// How far apparent consumption at a percentile of the runs (`at`: p5, p50 or p95) fell
/// below what buyers wanted, as a share, when it fell below [`SHORTAGE_BELOW`] of it. What
/// they wanted is the lesser of the baseline and what their orders under the scenario would
/// have made (`apparent_consumption_requested`): a demand cut lowers consumption without a
/// shortage (adversarial review: demand cut to 0 read as "99.7 % below, a shortage").
pub(super) fn shortage_at(bands: &[Band], at: fn(&Band) -> f64) -> Option<f64> {
    let c = bands.iter().find(|b| b.measure == "apparent_consumption")?;
    let wanted = bands
        .iter()
        .find(|b| b.measure == "apparent_consumption_requested")
        .map_or(c.before, |r| c.before.min(at(r)));
    let now = at(c);
    (wanted > 0.0 && now < SHORTAGE_BELOW * wanted).then(|| 1.0 - now / wanted)
}

/// [`shortage_at`] the median.
pub(super) fn shortage(bands: &[Band]) -> Option<f64> {
    shortage_at(bands, |b| b.after_p50)
}

/// Imports of `stage` into region `r` per exporter, from `trade(exporter)` (tonnes over the
/// window; the importer's own slot is zero).
pub(super) fn imports_from(n: usize, r: usize, trade: impl Fn(usize) -> f64) -> Vec<f64> {
    (0..n)
        .map(|e| if e == r { 0.0 } else { trade(e) })
        .collect()
}

/// Shares, HHI, the CRMA share and reliance of one run (or of the baseline) from imports
/// per exporter, domestic output and exports over the window.
pub(super) fn figures(from: Vec<f64>, output: f64, exports: f64) -> RunFigures {
    let imports: f64 = from.iter().sum();
    // No imports: shares are undefined (NaN drops out of the percentiles), not zero.
    let shares: Vec<f64> = from
        .iter()
        .map(|q| if imports > 0.0 { q / imports } else { f64::NAN })
        .collect();
    // Apparent consumption of the stage in the region: the CRMA base (its benchmark is a
    // share of Union consumption, not of imports), and reliance's denominator.
    // A region that ships out all it makes and buys consumes nothing; the sum then leaves
    // a remainder of ±1e-12 t, and dividing by it gave a reliance of -4e17 %. Within
    // rounding of the flows it is zero (a real negative, exports drawn from stocks, stays).
    let consumption = match output + imports - exports {
        c if c.abs() <= 1e-9 * (output + imports + exports) => 0.0,
        c => c,
    };
    let top = from.iter().copied().fold(0.0, f64::max);
    RunFigures {
        hhi: if imports > 0.0 {
            hhi(&shares)
        } else {
            f64::NAN
        },
        top_third_share: if consumption > 0.0 {
            top / consumption
        } else {
            f64::NAN
        },
        imports_t: imports,
        reliance: if consumption > 0.0 {
            (imports - exports) / consumption
        } else {
            f64::NAN
        },
        consumption_t: consumption,
        shares,
    }
}

/// A figure's band: `before` the median of the baseline figures, after p5/p50/p95.
pub(super) fn band(
    measure: &str,
    region: Option<&str>,
    before: &[f64],
    after: &[f64],
    unit: &str,
) -> Band {
    let sorted = |v: &[f64]| {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (b, a) = (sorted(before), sorted(after));
    Band {
        measure: measure.into(),
        region: region.map(str::to_string),
        before: quantile(&b, 0.5),
        after_p5: quantile(&a, 0.05),
        after_p50: quantile(&a, 0.5),
        after_p95: quantile(&a, 0.95),
        unit: unit.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::figures;

    /// A region that exports all it makes consumes nothing: the rounding remainder of
    /// output − exports is zero, with no reliance and no CRMA share (it gave -4e17 %).
    #[test]
    fn consumption_zero_to_rounding_is_zero_and_measures_nothing() {
        let output = 0.1 + 0.2;
        let f = figures(vec![0.0, 0.0], output, 0.3);
        assert_eq!(f.consumption_t, 0.0);
        assert!(f.reliance.is_nan() && f.top_third_share.is_nan());
        // Exports drawn from stocks beyond output and imports are a real negative.
        let f = figures(vec![10.0, 0.0], 100.0, 150.0);
        assert_eq!(f.consumption_t, -40.0);
        assert!(f.reliance.is_nan());
        let f = figures(vec![30.0, 10.0], 60.0, 20.0);
        assert_eq!(f.consumption_t, 80.0);
        assert!((f.reliance - 0.25).abs() < 1e-15);
    }
}
