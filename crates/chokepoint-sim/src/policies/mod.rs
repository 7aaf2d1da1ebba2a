//! Policy instruments on the dated timeline, and their compilation to step indices.
//!
//! A [`PolicyScenario`] holds instruments with possibly uncertain
//! parameters. [`Draw`] fixes one value per parameter (one Monte Carlo run, or the central
//! values), and [`Plan::compile`] turns the dated instruments into step-indexed ones that the
//! daily chain model ([`crate::network::flow`]) reads each step without dates or strings:
//!
//! ```text
//!  scenario.toml ──check──► PolicyScenario ──draw(rng)──► Draw ──compile──► Plan ──► flow::run
//! ```

pub mod dist;
pub mod in_force;
pub mod licence;
pub mod scenario;

use rand::Rng;

use crate::date::Date;
use crate::network::assumptions::{AssumptionValues, Key};
use scenario::PolicyScenario;

/// One value for every parameter of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    /// Assumption values (defaults with the scenario's overrides).
    pub assumptions: AssumptionValues,
    /// Per export control: approval share, delay days, monthly quota.
    pub controls: Vec<(f64, usize, Option<f64>)>,
    /// Per suspension: approval share and delay days while suspended.
    pub suspensions: Vec<(f64, usize)>,
    /// Per capacity shock: capacity factor.
    pub capacity_shocks: Vec<f64>,
    /// Per demand shock: demand factor.
    pub demand_shocks: Vec<f64>,
    /// Per new-supply project: t/yr, commissioning delay days, ramp-up months.
    pub new_supply: Vec<(f64, f64, f64)>,
    /// Per substitution: share, lag days, ramp days.
    pub substitutions: Vec<(f64, f64, f64)>,
}

impl Draw {
    /// The central value of every parameter (a deterministic single run).
    pub fn central(s: &PolicyScenario) -> Draw {
        Draw::make(s, &mut |p: &dist::Param| p.central())
    }

    /// One random draw. Parameters are drawn in file order, so a seed gives the same draw
    /// whatever else runs in parallel.
    pub fn sample<R: Rng + ?Sized>(s: &PolicyScenario, rng: &mut R) -> Draw {
        Draw::make(s, &mut |p: &dist::Param| p.sample(rng))
    }

    fn make(s: &PolicyScenario, f: &mut dyn FnMut(&dist::Param) -> f64) -> Draw {
        let mut assumptions = AssumptionValues::default();
        for (i, p) in &s.assumptions {
            assumptions.0[*i] = f(p);
        }
        let days = |v: f64| v.round().max(0.0) as usize;
        Draw {
            assumptions,
            controls: s
                .controls
                .iter()
                .map(|c| {
                    let a = f(&c.approval_share);
                    let d = days(f(&c.delay_days));
                    (a, d, c.quota_t_per_month.as_ref().map(&mut *f))
                })
                .collect(),
            suspensions: s
                .suspensions
                .iter()
                .map(|x| (f(&x.approval_share), days(f(&x.delay_days))))
                .collect(),
            capacity_shocks: s
                .capacity_shocks
                .iter()
                .map(|x| f(&x.capacity_factor))
                .collect(),
            demand_shocks: s
                .demand_shocks
                .iter()
                .map(|x| f(&x.demand_factor))
                .collect(),
            new_supply: s
                .new_supply
                .iter()
                .map(|x| {
                    let c = f(&x.capacity_t_per_year);
                    let d = f(&x.commissioning_delay_days);
                    (c, d, f(&x.ramp_up_months))
                })
                .collect(),
            substitutions: s
                .substitutions
                .iter()
                .map(|x| {
                    let sh = f(&x.share);
                    let lag = f(&x.lag_days);
                    (sh, lag, f(&x.ramp_days))
                })
                .collect(),
        }
    }
}

/// A step interval `[start, end)`; steps may be negative (before the simulation starts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steps {
    /// First step.
    pub start: i64,
    /// First step after the end (`i64::MAX` when open).
    pub end: i64,
}

impl Steps {
    fn new(sim_start: Date, start: Date, end: Option<Date>) -> Steps {
        Steps {
            start: start.days_since(sim_start),
            end: end.map_or(i64::MAX, |e| e.days_since(sim_start)),
        }
    }

    /// Whether step `t` lies inside.
    pub fn contains(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }
}

/// How a monthly quota becomes available to licences over its calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuotaRelease {
    /// All of it from the month's first day: requests are licensed in full until it is used
    /// up (a first-come quota). Under a tight quota the buyers' restocking orders take it in
    /// the first half of the month, and output halts until the next (docs/controls.md).
    #[default]
    FirstCome,
    /// Pro rata over the month's days: by day `d` of a `D`-day month at most `d / D` of the
    /// quota is licensed, room left unused carrying over to the month's later days (an
    /// authority that paces its approvals).
    Even,
}

impl QuotaRelease {
    /// From the scenario key's value (`first_come`, `even`).
    pub fn parse(s: &str) -> Option<QuotaRelease> {
        match s {
            "first_come" => Some(QuotaRelease::FirstCome),
            "even" => Some(QuotaRelease::Even),
            _ => None,
        }
    }

    /// The quota released by day `t` of its month: `month_fraction` is the share of the
    /// month's days up to and including `t` ([`Plan::month_fraction`]).
    pub fn released(self, quota: f64, month_fraction: f64) -> f64 {
        match self {
            QuotaRelease::FirstCome => quota,
            QuotaRelease::Even => quota * month_fraction,
        }
    }
}

/// An export control resolved to steps.
#[derive(Debug, Clone)]
pub struct ControlPlan {
    /// Exporter region.
    pub exporter: usize,
    /// Covered stages.
    pub stages: Vec<usize>,
    /// Covered destinations.
    pub destinations: Vec<bool>,
    /// When in force.
    pub steps: Steps,
    /// Approval share.
    pub approval_share: f64,
    /// Licence delay in days.
    pub delay_days: usize,
    /// Monthly quota, t.
    pub quota_t_per_month: Option<f64>,
    /// How the quota is released over the month.
    pub quota_release: QuotaRelease,
    /// Suspensions: when, for which destinations, approval share and delay.
    pub suspensions: Vec<(Steps, Vec<bool>, f64, usize)>,
}

impl ControlPlan {
    /// Approval share and delay for destination `r` at step `t` (`None` when not in force):
    /// the control's own, or those of the suspension in force ([`ControlPlan::suspension`]).
    pub fn regime(&self, t: i64, r: usize) -> Option<(f64, usize)> {
        if !self.steps.contains(t) || !self.destinations[r] {
            return None;
        }
        Some(match self.suspension(t, r) {
            Some((_, _, a, d)) => (*a, *d),
            None => (self.approval_share, self.delay_days),
        })
    }

    /// The licence terms for destination `r` at step `t` (`None` when not in force), for
    /// [`licence::licensed`] and [`licence::licensed_share`].
    pub fn licence_terms(&self, t: i64, r: usize) -> Option<licence::LicenceTerms> {
        self.regime(t, r)
            .map(|(approval_share, delay_days)| licence::LicenceTerms {
                approval_share,
                delay_days,
                control_start: self.steps.start,
            })
    }

    /// Whether the control's monthly quota binds destination `r` at step `t`: in force there
    /// and not suspended (a suspension replaces the control's terms, quota included).
    pub fn quota_binds(&self, t: i64, r: usize) -> bool {
        self.steps.contains(t) && self.destinations[r] && self.suspension(t, r).is_none()
    }

    /// The suspension in force for destination `r` at step `t`. Where several overlap, the
    /// one that started last (the latest decision) applies; on the same day, the more
    /// lenient (higher approval share, then shorter delay). Never the file's order.
    fn suspension(&self, t: i64, r: usize) -> Option<&(Steps, Vec<bool>, f64, usize)> {
        self.suspensions
            .iter()
            .filter(|(steps, dest, _, _)| steps.contains(t) && dest[r])
            .max_by(|a, b| {
                a.0.start
                    .cmp(&b.0.start)
                    .then(a.2.total_cmp(&b.2))
                    .then(b.3.cmp(&a.3))
            })
    }
}

/// All instruments of one draw, resolved to step indices and region/stage indices.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Number of steps.
    pub days: usize,
    /// First simulated day.
    pub start: Date,
    /// Export controls.
    pub controls: Vec<ControlPlan>,
    /// Capacity shocks: region, stage, steps, factor.
    pub capacity_shocks: Vec<(usize, usize, Steps, f64)>,
    /// Demand shocks: region mask, industry mask, steps, factor.
    pub demand_shocks: Vec<(Vec<bool>, Vec<bool>, Steps, f64)>,
    /// New supply: region, stage, first step, ramp-up days, t/day at nameplate.
    pub new_supply: Vec<(usize, usize, f64, f64, f64)>,
    /// Substitutions.
    pub substitutions: Vec<SubstitutionPlan>,
}

/// A substitution resolved to steps.
#[derive(Debug, Clone)]
pub struct SubstitutionPlan {
    /// Regions concerned.
    pub regions: Vec<bool>,
    /// Industries concerned.
    pub industries: Vec<bool>,
    /// First step with an effect (decision + lag).
    pub from: f64,
    /// Days of linear ramp to the full share.
    pub ramp_days: f64,
    /// Share of magnet use replaced at full effect.
    pub share: f64,
}

impl Plan {
    /// Calendar months the simulated days touch (the first and last may be partial): the
    /// months of the records' monthly trade and of quotas.
    pub fn months(&self) -> usize {
        let last = self.start.plus_days(self.days.saturating_sub(1) as i64);
        (last.year_month().index() - self.start.year_month().index() + 1).max(1) as usize
    }

    /// The share of its calendar month's days that have begun by step `t` (day 12 of a
    /// 30-day month: 12/30), for a quota released evenly over the month.
    pub fn month_fraction(&self, t: usize) -> f64 {
        let date = self.start.plus_days(t as i64);
        let (y, m, d) = date.ymd();
        let days_in_month = Date::from_ymd(y, m, 1)
            .map(|first| first.plus_months(1).days_since(first))
            .unwrap_or(30);
        f64::from(d) / days_in_month.max(1) as f64
    }

    /// The calendar month (0 = the first simulated one) of step `t`.
    pub fn month_of(&self, t: usize) -> usize {
        let month = self.start.plus_days(t as i64).year_month().index();
        (month - self.start.year_month().index()).max(0) as usize
    }

    /// Resolves a scenario's dated instruments with one draw of its parameters.
    pub fn compile(s: &PolicyScenario, d: &Draw) -> Plan {
        let st = |a: Date, b: Option<Date>| Steps::new(s.start, a, b);
        let lag = d.assumptions.get(Key::ControlEnforcementLagDays).round() as i64;
        // A control bites once goods already in the pipeline have cleared.
        let enforced = |a: Date, b: Option<Date>| {
            let mut steps = st(a, b);
            steps.start = (steps.start + lag).min(steps.end);
            steps
        };
        let controls = s
            .controls
            .iter()
            .zip(&d.controls)
            .enumerate()
            .map(|(ci, (c, (a, delay, quota)))| ControlPlan {
                exporter: c.exporter,
                stages: c.stages.clone(),
                destinations: c.destinations.clone(),
                steps: enforced(c.start, c.end),
                approval_share: *a,
                delay_days: *delay,
                quota_t_per_month: *quota,
                quota_release: c.quota_release,
                suspensions: s
                    .suspensions
                    .iter()
                    .zip(&d.suspensions)
                    .filter(|(x, _)| x.control == ci)
                    .map(|(x, (a, dl))| (st(x.start, x.end), x.destinations.clone(), *a, *dl))
                    .collect(),
            })
            .collect();
        let day = |date: Date| date.days_since(s.start) as f64;
        Plan {
            days: s.days,
            start: s.start,
            controls,
            capacity_shocks: s
                .capacity_shocks
                .iter()
                .zip(&d.capacity_shocks)
                .map(|(x, f)| (x.region, x.stage, st(x.start, x.end), *f))
                .collect(),
            demand_shocks: s
                .demand_shocks
                .iter()
                .zip(&d.demand_shocks)
                .map(|(x, f)| {
                    (
                        x.regions.clone(),
                        x.industries.clone(),
                        st(x.start, x.end),
                        *f,
                    )
                })
                .collect(),
            new_supply: s
                .new_supply
                .iter()
                .zip(&d.new_supply)
                .map(|(x, (cap, delay, months))| {
                    (
                        x.region,
                        x.stage,
                        day(x.commissioning) + delay,
                        months * 30.4375,
                        cap / 365.0,
                    )
                })
                .collect(),
            substitutions: s
                .substitutions
                .iter()
                .zip(&d.substitutions)
                .map(|(x, (share, lag, ramp))| SubstitutionPlan {
                    regions: x.regions.clone(),
                    industries: x.industries.clone(),
                    from: day(x.start) + lag,
                    ramp_days: *ramp,
                    share: *share,
                })
                .collect(),
        }
    }
}

/// Linear ramp from 0 at `from` to 1 at `from + ramp` (a step at `from` when `ramp` is 0).
pub fn ramp(t: f64, from: f64, ramp: f64) -> f64 {
    if t < from {
        0.0
    } else if ramp <= 0.0 {
        1.0
    } else {
        ((t - from) / ramp).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_even_quota_is_released_day_by_day_over_its_calendar_month() {
        let plan = |start: &str| Plan {
            days: 400,
            start: start.parse().unwrap(),
            controls: Vec::new(),
            capacity_shocks: Vec::new(),
            demand_shocks: Vec::new(),
            new_supply: Vec::new(),
            substitutions: Vec::new(),
        };
        let p = plan("2025-04-01");
        assert_eq!(p.month_fraction(0), 1.0 / 30.0);
        assert_eq!(p.month_fraction(29), 1.0);
        assert_eq!(p.month_fraction(30), 1.0 / 31.0); // 1 May
        assert_eq!(plan("2024-02-29").month_fraction(0), 1.0); // leap day
        assert_eq!(QuotaRelease::Even.released(3000.0, 0.5), 1500.0);
        assert_eq!(QuotaRelease::FirstCome.released(3000.0, 0.1), 3000.0);
        assert_eq!(QuotaRelease::default(), QuotaRelease::FirstCome);
        assert_eq!(QuotaRelease::parse("even"), Some(QuotaRelease::Even));
        assert_eq!(QuotaRelease::parse("weekly"), None);
    }
}
