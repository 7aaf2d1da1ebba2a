//! Supply concentration: the Herfindahl–Hirschman index (HHI, 0–10,000) and the
//! concentration ratios CR1 and CR3, from country shares.
//!
//! Shares are fractions (0–1). When the known shares do not add up to the whole market
//! (a source names only China and Malaysia, say), the rest is *unattributed*: it is not
//! treated as one country, so the HHI over the known shares is a lower bound, and the
//! result says so through [`Concentration::coverage`].

use serde::Serialize;

/// Tolerance for shares that add up to slightly more than 1 through rounding in the source.
pub const SHARE_SUM_TOLERANCE: f64 = 0.02;

/// Unattributed remainder above which the HHI is reported as a lower bound (half a point).
pub const PARTIAL_COVERAGE_TOLERANCE: f64 = 0.005;

/// One supplier's share of a market.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupplierShare {
    /// Country code (or the source's group code such as `OTH`).
    pub country: String,
    /// Share as a fraction of the market (0–1).
    pub share: f64,
}

impl SupplierShare {
    /// A share for `country`.
    pub fn new(country: impl Into<String>, share: f64) -> SupplierShare {
        SupplierShare {
            country: country.into(),
            share,
        }
    }
}

/// Concentration measures of one market.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concentration {
    /// HHI on the 0–10,000 scale (shares in percent, squared and summed).
    pub hhi: f64,
    /// Largest single share (fraction).
    pub cr1: f64,
    /// The country holding the largest share.
    pub cr1_country: Option<String>,
    /// Sum of the three largest shares (fraction).
    pub cr3: f64,
    /// Sum of all known shares (fraction), at most 1; below 1 means part of the market is
    /// unattributed. Shares of a rounded total can sum a little above 1 (USGS rounds the
    /// countries and the world total separately): that is rounding, not more than the whole
    /// market, so coverage is capped at 1 and the raw sum is `shares_sum`.
    pub coverage: f64,
    /// The raw sum of the known shares (may exceed 1 by rounding, within the tolerance).
    pub shares_sum: f64,
    /// Number of suppliers with a positive share.
    pub suppliers: usize,
}

impl Concentration {
    /// True when the known shares leave more than [`PARTIAL_COVERAGE_TOLERANCE`]
    /// unattributed, so the HHI is a lower bound.
    pub fn is_partial(&self) -> bool {
        self.coverage < 1.0 - PARTIAL_COVERAGE_TOLERANCE
    }

    /// Upper bound of the HHI when the unattributed remainder could belong to one
    /// country: HHI + (100 · remainder)², a bound the caller can quote beside the lower one.
    pub fn hhi_upper_bound(&self) -> f64 {
        let rest = (1.0 - self.coverage).max(0.0);
        self.hhi + (100.0 * rest).powi(2)
    }

    /// The one wording of a partial-coverage warning, `None` when coverage is complete:
    /// "{named} 9.6 % of {whole}; HHI 92 is a lower bound (at most 8264 if the
    /// unattributed 90.4 % were one country)". `named` says who names the shares ("the
    /// source names", "the partners listed cover"), `whole` what they are shares of.
    pub fn lower_bound_note(&self, named: &str, whole: &str) -> Option<String> {
        self.is_partial().then(|| {
            format!(
                "{named} {:.1} % of {whole}; HHI {:.0} is a lower bound (at most {:.0} if the \
                 unattributed {:.1} % were one country)",
                100.0 * self.coverage,
                self.hhi,
                self.hhi_upper_bound(),
                100.0 * (1.0 - self.coverage).max(0.0)
            )
        })
    }

    /// True when the largest named share may not be the largest: the unattributed
    /// remainder is bigger than it and could be a single supplier.
    pub fn cr1_is_lower_bound(&self) -> bool {
        self.is_partial() && 1.0 - self.coverage > self.cr1
    }

    /// The one wording of that caveat, `None` when the largest named share is the
    /// largest: "USA 12.4 % may not be the largest supplier: the unattributed 87.6 % is
    /// more and could be one country".
    pub fn cr1_note(&self) -> Option<String> {
        self.cr1_is_lower_bound().then(|| {
            format!(
                "{} {:.1} % may not be the largest supplier: the unattributed {:.1} % is more \
                 and could be one country",
                self.cr1_country
                    .as_deref()
                    .unwrap_or("the largest named share"),
                100.0 * self.cr1,
                100.0 * (1.0 - self.coverage).max(0.0)
            )
        })
    }
}

/// Why shares cannot be turned into a concentration measure.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// A share is negative, above 1 or not a number.
    #[error("share of {country} is {share}, expected a fraction between 0 and 1")]
    OutOfRange {
        /// The supplier.
        country: String,
        /// The value found.
        share: f64,
    },
    /// The shares add up to more than the whole market.
    #[error("shares add up to {sum:.4}, more than 1 (+{SHARE_SUM_TOLERANCE} rounding tolerance)")]
    SumAboveOne {
        /// The sum found.
        sum: f64,
    },
    /// A market total must be positive to turn quantities into shares.
    #[error("market total is {total}, expected a positive quantity")]
    NonPositiveTotal {
        /// The total found.
        total: f64,
    },
}

/// HHI on the 0–10,000 scale from fractional shares: Σ (100·sᵢ)².
///
/// ```
/// use chokepoint_store::indicators::concentration::hhi;
/// assert_eq!(hhi(&[1.0]), 10_000.0);
/// assert!((hhi(&[0.5, 0.5]) - 5_000.0).abs() < 1e-9);
/// ```
pub fn hhi(shares: &[f64]) -> f64 {
    // A fold from +0.0: `Sum for f64` starts at -0.0, and no shares printed as "HHI -0".
    shares
        .iter()
        .map(|s| (100.0 * s).powi(2))
        .fold(0.0, |a, b| a + b)
}

/// Checks the shares and computes HHI, CR1, CR3 and coverage.
pub fn concentration(shares: &[SupplierShare]) -> Result<Concentration, ShareError> {
    for s in shares {
        if !(0.0..=1.0).contains(&s.share) {
            return Err(ShareError::OutOfRange {
                country: s.country.clone(),
                share: s.share,
            });
        }
    }
    let shares_sum: f64 = shares.iter().map(|s| s.share).fold(0.0, |a, b| a + b);
    if shares_sum > 1.0 + SHARE_SUM_TOLERANCE {
        return Err(ShareError::SumAboveOne { sum: shares_sum });
    }
    let mut sorted: Vec<&SupplierShare> = shares.iter().filter(|s| s.share > 0.0).collect();
    sorted.sort_by(|a, b| b.share.total_cmp(&a.share));
    let values: Vec<f64> = sorted.iter().map(|s| s.share).collect();
    Ok(Concentration {
        hhi: hhi(&values),
        cr1: values.first().copied().unwrap_or(0.0),
        cr1_country: sorted.first().map(|s| s.country.clone()),
        cr3: values.iter().take(3).fold(0.0, |a, b| a + b),
        coverage: shares_sum.min(1.0),
        shares_sum,
        suppliers: values.len(),
    })
}

/// Shares of `total` from quantities per supplier (tonnes, values: any one unit).
///
/// The total is passed separately because a source's world total (USGS rounds it) need
/// not equal the sum of the listed countries.
pub fn shares_of_total(
    quantities: &[(String, f64)],
    total: f64,
) -> Result<Vec<SupplierShare>, ShareError> {
    if total.is_nan() || total <= 0.0 {
        return Err(ShareError::NonPositiveTotal { total });
    }
    Ok(quantities
        .iter()
        .map(|(c, q)| SupplierShare::new(c.clone(), q / total))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(c: &str, v: f64) -> SupplierShare {
        SupplierShare::new(c, v)
    }

    #[test]
    fn monopoly_has_hhi_ten_thousand() {
        let c = concentration(&[s("CHN", 1.0)]).unwrap();
        assert_eq!(c.hhi, 10_000.0);
        assert_eq!(c.cr1, 1.0);
        assert_eq!(c.cr3, 1.0);
        assert!(!c.is_partial());
    }

    #[test]
    fn n_equal_suppliers_give_ten_thousand_over_n() {
        let four: Vec<_> = ["A", "B", "C", "D"].iter().map(|c| s(c, 0.25)).collect();
        let c = concentration(&four).unwrap();
        assert!((c.hhi - 2_500.0).abs() < 1e-9);
        assert!((c.cr3 - 0.75).abs() < 1e-12);
        assert_eq!(c.suppliers, 4);
    }

    #[test]
    fn hand_computed_three_supplier_case() {
        // 60/30/10: 3600 + 900 + 100 = 4600; CR1 0.6 (A), CR3 1.0.
        let c = concentration(&[s("B", 0.3), s("A", 0.6), s("C", 0.1)]).unwrap();
        assert!((c.hhi - 4_600.0).abs() < 1e-9);
        assert_eq!(c.cr1_country.as_deref(), Some("A"));
        assert!((c.cr1 - 0.6).abs() < 1e-12);
    }

    #[test]
    fn rounding_above_the_total_caps_coverage_at_one() {
        // USGS 2024: countries 384,000 t against a rounded world total of 380,000 t.
        let c = concentration(&[
            SupplierShare::new("CHN", 270_000.0 / 380_000.0),
            SupplierShare::new("REST", 114_000.0 / 380_000.0),
        ])
        .unwrap();
        assert_eq!(c.coverage, 1.0);
        assert!((c.shares_sum - 384.0 / 380.0).abs() < 1e-12);
        assert!(!c.is_partial());
        assert_eq!(c.hhi_upper_bound(), c.hhi);
    }

    #[test]
    fn partial_coverage_gives_lower_and_upper_bounds() {
        // IEA separation 2023: CHN 92 %, MYS 5 %, 3 % unattributed.
        let c = concentration(&[s("CHN", 0.92), s("MYS", 0.05)]).unwrap();
        assert!((c.hhi - (8464.0 + 25.0)).abs() < 1e-9);
        assert!(c.is_partial());
        assert!((c.hhi_upper_bound() - (8489.0 + 9.0)).abs() < 1e-9);
        assert_eq!(
            c.lower_bound_note("the source names", "the market")
                .as_deref(),
            Some(
                "the source names 97.0 % of the market; HHI 8489 is a lower bound (at most \
                 8498 if the unattributed 3.0 % were one country)"
            )
        );
        assert!(!c.cr1_is_lower_bound(), "3 % unattributed cannot beat 92 %");
        assert_eq!(c.cr1_note(), None);
        let thin = concentration(&[s("USA", 0.096)]).unwrap();
        assert!(thin.cr1_is_lower_bound());
        assert_eq!(
            thin.cr1_note().as_deref(),
            Some(
                "USA 9.6 % may not be the largest supplier: the unattributed 90.4 % is more \
                 and could be one country"
            )
        );
        let full = concentration(&[s("CHN", 0.997)]).unwrap();
        assert!(!full.is_partial(), "rounding remainder is not a gap");
        assert_eq!(full.lower_bound_note("x", "y"), None);
    }

    #[test]
    fn rejects_out_of_range_and_oversized_shares() {
        assert!(matches!(
            concentration(&[s("X", -0.1)]),
            Err(ShareError::OutOfRange { .. })
        ));
        assert!(matches!(
            concentration(&[s("X", 0.7), s("Y", 0.7)]),
            Err(ShareError::SumAboveOne { .. })
        ));
        assert!(concentration(&[s("X", f64::NAN)]).is_err());
    }

    #[test]
    fn usgs_2024_mining_matches_the_methods_note() {
        // MCS2026, data year 2024, shares of the rounded world total 380,000 t REO.
        let q: Vec<(String, f64)> = [
            ("CHN", 270_000.0),
            ("USA", 45_500.0),
            ("AUS", 29_000.0),
            ("MMR", 27_000.0),
            ("THA", 2_100.0),
            ("RUS", 2_600.0),
            ("IND", 2_900.0),
            ("NGA", 1_500.0),
            ("MDG", 1_400.0),
            ("OTH", 1_000.0),
            ("BRA", 560.0),
            ("VNM", 300.0),
            ("MYS", 140.0),
        ]
        .iter()
        .map(|(c, v)| (c.to_string(), *v))
        .collect();
        let shares = shares_of_total(&q, 380_000.0).unwrap();
        let c = concentration(&shares).unwrap();
        assert!((c.cr1 - 0.7105).abs() < 1e-4);
        // criticality_methods.md §1 gives 0.530 on the 0–1 scale.
        assert!((c.hhi / 10_000.0 - 0.530).abs() < 0.001, "{}", c.hhi);
    }

    #[test]
    fn zero_total_is_an_error() {
        assert!(shares_of_total(&[("A".into(), 1.0)], 0.0).is_err());
    }
}
