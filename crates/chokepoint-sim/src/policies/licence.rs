//! The licence rule of an export control on one gated edge, written once for both engines:
//! the chain ([`crate::network::flow`]) licenses a volume, the MRIO engine
//! ([`crate::montecarlo::mrio`]) a share of the request its gate lets through.
//!
//! ```text
//!  licensed(t) = approval_share × requested(t − delay)   if t − delay ≥ control start
//!              = 0                                        otherwise (no licence granted yet)
//! ```
//!
//! Applications start with the control, so nothing is licensed during the first `delay`
//! days of a control, whether or not the simulation has a request history by then. A
//! request from before the simulation is the baseline request (the model starts in its
//! undisturbed state).

/// The terms of a control in force for one destination on one day
/// ([`super::ControlPlan::regime`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LicenceTerms {
    /// Share of each application approved.
    pub approval_share: f64,
    /// Days from application to licence.
    pub delay_days: usize,
    /// The control's first step (applications start there; may be negative).
    pub control_start: i64,
}

/// The volume licensed on day `t`: `approval_share` × the request of day `t − delay_days`,
/// 0 when that application would predate the control. `requested(d)` is the request of
/// day `d`; the caller gives the baseline request for `d < 0`.
pub fn licensed(terms: LicenceTerms, t: i64, requested: impl Fn(i64) -> f64) -> f64 {
    let applied = t - terms.delay_days as i64;
    if applied < terms.control_start {
        return 0.0;
    }
    terms.approval_share * requested(applied)
}

/// The share of day `t`'s request that [`licensed`] lets through when day `t`'s request is
/// not known yet (the MRIO engine sets its gates before the step that computes the
/// orders). The latest known request, of day `t − 1`, stands in for it, so every request
/// of the rule moves back one day: `approval_share × requested(t − 1 − delay) /
/// requested(t − 1)`, at most 1, and 0 whenever [`licensed`] licenses nothing, the control's
/// first `delay` days included. `requested(d)` is as for [`licensed`] (called only with
/// `d < t`).
pub fn licensed_share(terms: LicenceTerms, t: i64, requested: impl Fn(i64) -> f64) -> f64 {
    let volume = licensed(terms, t, |d| requested(d - 1));
    let latest = requested(t - 1);
    if volume <= 0.0 {
        0.0
    } else if latest <= 0.0 {
        // Nothing was requested lately: whatever comes is within the licence.
        1.0
    } else {
        (volume / latest).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests of days 0, 1, 2, …: 10, 20, 30, …; the baseline (days before 0) is 5.
    fn requested(d: i64) -> f64 {
        if d < 0 { 5.0 } else { 10.0 * (d + 1) as f64 }
    }

    fn terms(approval_share: f64, delay_days: usize, control_start: i64) -> LicenceTerms {
        LicenceTerms {
            approval_share,
            delay_days,
            control_start,
        }
    }

    /// One table of regimes through both views of the rule: the chain's volume and the
    /// MRIO's share of the latest known request. Columns: terms, day, chain volume, MRIO
    /// share.
    #[test]
    fn both_engines_license_by_the_same_rule() {
        let cases: &[(&str, LicenceTerms, i64, f64, f64)] = &[
            // In force from day 0 with a delay: nothing licensed until the first approvals,
            // day 0 included (the MRIO engine once licensed `approval_share` there).
            ("day 0, delay 30", terms(0.5, 30, 0), 0, 0.0, 0.0),
            ("day 29, delay 30", terms(0.5, 30, 0), 29, 0.0, 0.0),
            (
                "day 30, delay 30",
                terms(0.5, 30, 0),
                30,
                0.5 * 10.0,
                0.5 * 5.0 / 300.0,
            ),
            (
                "day 31, delay 30",
                terms(0.5, 30, 0),
                31,
                0.5 * 20.0,
                0.5 * 10.0 / 310.0,
            ),
            // No delay: a share of today's request (the MRIO: of the latest known).
            ("day 0, no delay", terms(0.5, 0, 0), 0, 0.5 * 10.0, 0.5),
            ("day 7, no delay", terms(0.3, 0, 0), 7, 0.3 * 80.0, 0.3),
            // Started before the simulation: applications from before day 0 were the
            // baseline requests.
            (
                "started day -40",
                terms(0.5, 30, -40),
                5,
                0.5 * 5.0,
                0.5 * 5.0 / 50.0,
            ),
            ("started day -10", terms(0.5, 30, -10), 5, 0.0, 0.0),
            // Started during the simulation.
            (
                "day 14, from 10",
                terms(1.0, 4, 10),
                14,
                110.0,
                100.0 / 140.0,
            ),
            ("day 13, from 10", terms(1.0, 4, 10), 13, 0.0, 0.0),
            // A full ban.
            ("approval 0", terms(0.0, 0, 0), 9, 0.0, 0.0),
        ];
        for (name, terms, t, chain, mrio) in cases {
            let volume = licensed(*terms, *t, requested);
            assert!(
                (volume - chain).abs() < 1e-12,
                "{name}: {volume} vs {chain}"
            );
            let share = licensed_share(*terms, *t, requested);
            assert!((share - mrio).abs() < 1e-12, "{name}: {share} vs {mrio}");
            // The share is the rule applied one day back, over the latest request.
            let back = licensed(*terms, *t, |d| requested(d - 1));
            assert!(
                (share - (back / requested(t - 1)).min(1.0)).abs() < 1e-12,
                "{name}"
            );
        }
    }

    #[test]
    fn no_requests_license_nothing_and_a_larger_old_request_licenses_all() {
        let zero = |_| 0.0;
        assert_eq!(licensed(terms(0.5, 3, 0), 10, zero), 0.0);
        assert_eq!(licensed_share(terms(0.5, 3, 0), 10, zero), 0.0);
        // Requests fell to 0 yesterday but the licence is for an earlier, larger one.
        let fell = |d: i64| if d >= 5 { 0.0 } else { 100.0 };
        assert_eq!(licensed_share(terms(0.5, 3, 0), 7, fell), 1.0);
    }
}
