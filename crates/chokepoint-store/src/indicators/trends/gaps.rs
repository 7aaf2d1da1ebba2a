//! Months a monthly series skips: named in a note, with what the reported year-to-date
//! totals imply they held together.
//!
//! Why: China publishes January and February together most years, and the bundled series
//! miss months where no report gave a figure. A table that jumps from 2025-01 to 2025-04
//! reads as continuous, and a blank MoM beside April had no explanation; yet the YTD
//! through May (19,132 t) pins what February and March held together (8,909 t).

use chokepoint_model::YearMonth;

use super::super::spans::{Figures, Step, jan};
use super::TrendQuery;

/// One note per run of months that no figure of the series covers (neither a month nor a
/// combined period) between its first and last figure, within the months asked, in order;
/// each says what the year-to-date totals imply for it where they can. The series' own
/// bounds, not the rows shown, decide what is a gap: `--from 2024-01` on a series with
/// figures before it names a missing January 2024 too.
pub(super) fn skipped_months(figures: &Figures, steps: &[Step], q: &TrendQuery) -> Vec<String> {
    let mut covered: Vec<(i64, i64)> = steps
        .iter()
        .map(|s| {
            let (a, b) = s.period.months();
            (a.index(), b.index())
        })
        .collect();
    covered.sort_unstable();
    // The months asked, as [lo, past): gaps are clipped to them.
    let (lo, past) = (
        q.from.map_or(i64::MIN, |m| m.index()),
        q.to.map_or(i64::MAX, |m| m.index().saturating_add(1)),
    );
    let mut notes = Vec::new();
    let mut next = None::<i64>;
    for (a, b) in covered {
        if let Some(n) = next
            && a.min(past) > n.max(lo)
        {
            let (n, a) = (n.max(lo), a.min(past));
            // A run across a year end is told year by year: a YTD total implies months of
            // its own year only.
            let mut start = n;
            while start < a {
                let end = (a - 1).min(start - start.rem_euclid(12) + 11);
                notes.push(note(figures, start, end));
                start = end + 1;
            }
        }
        next = Some(next.map_or(b + 1, |n: i64| n.max(b + 1)));
    }
    notes
}

fn month(index: i64) -> YearMonth {
    YearMonth {
        year: index.div_euclid(12) as i32,
        month: (index.rem_euclid(12) + 1) as u8,
    }
}

fn note(figures: &Figures, first: i64, last: i64) -> String {
    let (a, b) = (month(first), month(last));
    let months = if first == last {
        format!("{a} has")
    } else {
        format!("{a} to {b} have")
    };
    let implied = implied_total(figures, first, last)
        .map(|i| {
            format!(
                "; the year-to-date total through {} implies {} t for {}{}{}",
                i.through,
                super::super::thousands((i.total * 10.0).round() / 10.0),
                if first == last { "it" } else { "them together" },
                if i.derived {
                    " (built on a figure the dataset derived from a published change)"
                } else {
                    ""
                },
                i.other_publication
                    .map(|p| format!(
                        "; that total is from a publication none of its months cites ({p}), \
                         whose scope may differ from theirs, so this is no figure of the \
                         months' own scope"
                    ))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        "{months} no figure in this series (no source gave one), so the rows skip {}: the \
         change over the month after is not computed{implied}",
        if first == last { "it" } else { "them" }
    )
}

/// What the months `first..=last` (one year) held together by difference: the earliest
/// total from January through a month at or after `last` (a reported year to date), less
/// the figures of the months around the gap. `None` when the year's totals do not allow it,
/// or when the figures from January to that month come from more than one source: a YTD
/// holds its own source's months, so one source's total less another's months is no
/// figure at all (8,875 t instead of 8,909 once an ingested file replaced two months).
/// Also says whether a derived figure went into it, and names the total's publication
/// when the months do not share it.
fn implied_total(figures: &Figures, first: i64, last: i64) -> Option<Implied> {
    let start = jan(month(first).year).index();
    let december = start + 11;
    (last..=december).find_map(|end| {
        let through = figures.span(start, end)?;
        // Only a reported year-to-date can cover months without figures.
        let source = through.reported_by.as_ref()?;
        let within = (start, 0)..=(end, i64::MAX);
        let one_source = figures
            .monthly
            .range(within.clone())
            .chain(figures.cumulative.range(within))
            .filter(|((s, len), _)| s + len - 1 <= end)
            .all(|(_, step)| step.source == *source);
        if !one_source {
            return None;
        }
        // The figures around the gap (none when it starts in January or ends at `end`).
        let around = |a: i64, b: i64| match a <= b {
            true => figures.span(a, b).map(|t| (t.quantity_t, t.derived)),
            false => Some((0.0, false)),
        };
        let (before, before_derived) = around(start, first - 1)?;
        let (after, after_derived) = around(last + 1, end)?;
        let total = through.quantity_t - before - after;
        let derived = through.derived || before_derived || after_derived;
        (total >= 0.0).then(|| Implied {
            total,
            through: month(end),
            derived,
            other_publication: other_publication(figures, start, end),
        })
    })
}

/// The publication of the year-to-date total through `end` when none of the months from
/// January to `end` cites it: a total from another publication may not have the months'
/// scope (the bundled 2024 magnet year, 58,152 t from Adamas Intelligence, counts magnet
/// alloys as well as the tariff line of the months, so the 10,374 t it implies for
/// November–December 2024 is no figure of that line).
fn other_publication(figures: &Figures, start: i64, end: i64) -> Option<String> {
    let total = figures.cumulative.get(&(start, end - start + 1))?;
    let cited = total.citation.as_deref()?;
    let citations: Vec<&str> = figures
        .monthly
        .range((start, 0)..=(end, i64::MAX))
        .filter_map(|(_, s)| s.citation.as_deref())
        .collect();
    // Months that cite nothing (an ingested file) say nothing of their publication: no note
    // (code review: it fired on a tidy ingest without citations).
    if citations.is_empty() {
        return None;
    }
    let months_cite = citations
        .iter()
        .any(|c| c.split("; ").any(|one| cited.split("; ").any(|t| t == one)));
    (!months_cite).then(|| cited.to_string())
}

/// What a year-to-date total implies for months without figures.
struct Implied {
    total: f64,
    /// The last month of the total.
    through: YearMonth,
    /// Whether a derived figure went into it.
    derived: bool,
    /// The total's publication, when no month of its span cites it.
    other_publication: Option<String>,
}
