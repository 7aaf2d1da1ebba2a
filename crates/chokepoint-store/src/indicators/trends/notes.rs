//! What the trend rows alone cannot say: reported year-to-date figures no row shows,
//! sums that leave out tonnes, and YTDs of one source beside months of another.

use std::collections::BTreeMap;

use chokepoint_model::{Period, YearMonth};

use super::incomplete::runs;
use super::{TrendQuery, TrendRow};
use crate::indicators::spans::{Figures, Step, jan};

/// Reported year-to-date figures that end in a month without a row of its own, so that no
/// row's `ytd_t` or `reported_ytd_yoy_pct` shows them: China's 8,360 t of magnets to the EU
/// in January–June 2025 (reported -22.4 % y/y) was nowhere in `trends --partner EUU`,
/// whose only monthly row is July.
pub(super) fn unshown_ytds(figures: &Figures, rows: &[TrendRow], q: &TrendQuery) -> Vec<String> {
    // The month each row ends in: a combined January–February row carries its YTD as well
    // as a February row would.
    let row_ends: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.period.parse::<Period>().ok())
        .map(|p| p.months().1.index())
        .collect();
    figures
        .cumulative
        .values()
        .filter(|s| matches!(s.period, Period::Months(..)))
        .filter(|s| {
            // Its last month asked for (inside --from/--to), yet without a row.
            let end = s.period.months().1.index();
            q.from.is_none_or(|f| end >= f.index())
                && q.to.is_none_or(|t| end <= t.index())
                && !row_ends.contains(&end)
        })
        .map(|s| {
            let yoy = s
                .reported_yoy_pct
                .map(|y| format!(", reported {y:+.1} % year on year"))
                .unwrap_or_default();
            format!(
                "{}: a reported year-to-date total of {} t{yoy} ({}) ends in a month without a \
                 monthly figure, so no row shows it",
                s.period,
                s.quantity_t
                    .map_or_else(|| "unknown".to_string(), crate::indicators::thousands),
                s.source
            )
        })
        .collect()
}

/// One note per set of partners whose value-only rows a sum over partners leaves out of
/// its tonnes, naming the periods: the level is then a lower bound, and a change against it
/// may be a gap in the data rather than in the trade.
pub(super) fn without_tonnes_notes<'a>(steps: impl Iterator<Item = &'a Step>) -> Vec<String> {
    let steps: Vec<&Step> = steps.collect();
    // The periods of each set of partners `partners_of` names, in order.
    let by_partners = |partners_of: fn(&Step) -> &Vec<String>| {
        let mut groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for s in steps.iter().filter(|s| !partners_of(s).is_empty()) {
            groups
                .entry(partners_of(s).clone())
                .or_default()
                .push(s.period.to_string());
        }
        groups
    };
    let without = by_partners(|s| &s.without_tonnes)
        .into_iter()
        .map(|(partners, periods)| {
            format!(
                "{}: no World row, and {} reported a value but no tonnes: quantity_t is the \
             other partners' sum, a lower bound, and changes to or from it may reflect the \
             missing tonnes rather than trade (ingest the partner's tonnes or the World row)",
                runs(&periods),
                partners.join(", ")
            )
        });
    let partial = by_partners(|s| &s.partial_tonnes)
        .into_iter()
        .map(|(partners, periods)| {
            format!(
                "{}: the tonnes of {} leave out HS lines reported with a value but no tonnes \
             (BACI's NA quantities): quantity_t is a lower bound, and changes to or from it \
             may reflect the missing tonnes rather than trade",
                runs(&periods),
                partners.join(", ")
            )
        });
    without.chain(partial).collect()
}

/// Reported year-to-date totals (and years) that their months do not add up to: `ytd_t` is
/// the months' sum wherever they cover the span (issue 2's rule), so a published total
/// that disagrees (a revision, months of a narrower scope, or a typo in a file) was
/// nowhere to be seen. Differences within rounding (half a tonne a month, or 0.5 %) are
/// not named.
pub(super) fn disagreeing_ytds(figures: &Figures, q: &TrendQuery) -> Vec<String> {
    figures
        .cumulative
        .iter()
        .filter(|((start, _), s)| {
            let (a, b) = s.period.months();
            *start == jan(a.year).index()
                && a.year == b.year
                && q.from.is_none_or(|f| b.index() >= f.index())
                && q.to.is_none_or(|t| b.index() <= t.index())
        })
        .filter_map(|(_, s)| {
            let reported = s.quantity_t?;
            let (a, b) = s.period.months();
            let months = figures.span(a.index(), b.index())?;
            if months.reported_by.is_some() {
                return None;
            }
            let gap = months.quantity_t - reported;
            let rounding = (0.5 * s.period.month_count() as f64).max(0.005 * reported.abs());
            (gap.abs() > rounding).then(|| {
                let apart = if reported == 0.0 {
                    String::new()
                } else {
                    format!(", {:+.1} %", gap / reported * 100.0)
                };
                format!(
                    "{}: the months add up to {} t ({}), but {} reported {} t for the same \
                     span{apart}: ytd_t is the months' sum; the difference may be revisions \
                     or a different scope",
                    s.period,
                    crate::indicators::thousands(months.quantity_t),
                    months.sources.join("+"),
                    s.source,
                    crate::indicators::thousands(reported),
                )
            })
        })
        .collect()
}

/// Rows whose `ytd_t` is a reported figure of one source while months inside it are shown
/// from another, grouped by what they have in common, for one note per group.
#[derive(Default)]
pub(super) struct MixedYtds {
    /// (reporting source, the other months as "period from source") → the rows' periods.
    groups: BTreeMap<(String, Vec<String>), Vec<String>>,
}

impl MixedYtds {
    /// Records the row of `period` if a month of `first..=last` is shown from a source
    /// other than `reported_by`, whose cumulative figure its ytd_t is.
    pub(super) fn check(
        &mut self,
        figures: &Figures,
        period: Period,
        first: YearMonth,
        last: YearMonth,
        reported_by: &str,
    ) {
        let others: Vec<String> = figures
            .monthly
            .range((first.index(), 0)..=(last.index(), i64::MAX))
            .map(|(_, step)| step)
            .filter(|step| step.source != reported_by && step.quantity_t.is_some())
            .map(|step| format!("{} from {}", step.period, step.source))
            .collect();
        if !others.is_empty() {
            self.groups
                .entry((reported_by.to_string(), others))
                .or_default()
                .push(period.to_string());
        }
    }

    pub(super) fn notes(self) -> Vec<String> {
        self.groups
            .into_iter()
            .map(|((by, others), periods)| {
                format!(
                    "ytd_t of {} builds on the year-to-date total reported by {by}, which holds \
                     {by}'s own months, while the table shows {}: ytd_t and the months \
                     may not add up",
                    runs(&periods),
                    others.join(", ")
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chokepoint_model::{Flow, Frequency, Iso3};

    use super::super::{TrendQuery, compute};
    use crate::indicators::series::{FlowQuery, Observation};

    /// Formats review: with BACI's years only, monthly `trends` said "no trade rows" and
    /// sent the reader to look for a typo.
    #[test]
    fn annual_figures_only_say_so_in_monthly_steps() {
        let year = |y: &str, q: f64| Observation {
            source: "baci".into(),
            ..super::super::tests::obs(y, q)
        };
        let q = TrendQuery {
            flow: FlowQuery {
                reporter: "JPN".parse::<Iso3>().unwrap(),
                flow: Flow::Import,
                product: "850511".into(),
                partner: None,
                source: None,
            },
            from: None,
            to: None,
            frequency: Frequency::Monthly,
        };
        let r = compute(&[year("2023", 5870.2), year("2024", 4395.6)], &q);
        assert!(r.rows.is_empty());
        assert!(
            r.notes
                .iter()
                .any(|n| n.starts_with("this flow has annual figures only (2023, 2024)")),
            "{:?}",
            r.notes
        );
        assert!(!r.found_nothing());
    }

    /// Formats review: a reported year-to-date total its months did not add up to was
    /// nowhere to be seen. Rounding (24,826.7 t of months against a reported 24,827) is
    /// not named; a real gap is, with both figures and their sources.
    #[test]
    fn a_reported_ytd_its_months_do_not_add_up_to_is_noted() {
        let ytd = |period: &str, q: f64| Observation {
            period_type: crate::schema::PeriodType::Ytd,
            source: "china-customs".into(),
            ..super::super::tests::obs(period, q)
        };
        let month = super::super::tests::obs;
        let q = TrendQuery {
            flow: FlowQuery {
                reporter: "CHN".parse::<Iso3>().unwrap(),
                flow: Flow::Export,
                product: "magnets".into(),
                partner: None,
                source: None,
            },
            from: None,
            to: None,
            frequency: Frequency::Monthly,
        };
        let months = [month("2025-01", 100.0), month("2025-02", 120.0)];
        let named = |reported: f64| {
            let mut data = months.to_vec();
            data.push(ytd("2025-01..2025-02", reported));
            compute(&data, &q)
                .notes
                .into_iter()
                .filter(|n| n.contains("the months add up to"))
                .collect::<Vec<_>>()
        };
        assert!(named(220.4).is_empty(), "rounding is not named");
        let notes = named(250.0);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "2025-01..2025-02: the months add up to 220 t (bundled), but china-customs \
                 reported 250 t for the same span, -12.0 %"
            ),
            "{}",
            notes[0]
        );
    }
}
