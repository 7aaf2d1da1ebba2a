//! Trade periods summed to a year: which monthly, January-February, multi-month and
//! year-to-date figures make up a year's quantity on one trade edge without counting a month
//! twice, and which months they cover.

use serde::Serialize;

use super::cover::{Piece, best_cover};

/// One trade fact as the exposure queries need it: a year's (or part-year's) quantity on
/// one reporter → partner edge.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeFact {
    /// Calendar year of the period.
    pub year: i32,
    /// Months the period covers, from `first_month` on: 12 for a year, 2 for China's combined
    /// January-February, 1 for a month, the span for multi-month and year-to-date periods
    /// (6 for January-June); 0 when the span is unknown (never summed).
    pub months: u32,
    /// First month of the period (1 for a year).
    pub first_month: u32,
    /// Reporting country.
    pub reporter: String,
    /// Partner country (`WLD` for the total).
    pub partner: String,
    /// `import` or `export`, from the reporter's side.
    pub flow: String,
    /// Tonnes.
    pub quantity_t: f64,
    /// The dataset computed this figure from a published growth rate rather than taking it
    /// from a source.
    pub is_derived: bool,
    /// The period as the data give it (`2025-03`, `2023-01..2024-03`), for notes.
    pub period: String,
    /// Calendar year of the period's first month (before `year`, the last month's, for a
    /// period across a year end, which no one year sums).
    pub first_year: i32,
}

impl TradeFact {
    /// The first and last calendar month (1–12) of the period; `None` when the span is
    /// unknown or runs past December.
    pub fn span(&self) -> Option<(u32, u32)> {
        let last = self.first_month + self.months.checked_sub(1)?;
        (self.first_month >= 1 && last <= 12).then_some((self.first_month, last))
    }
}

/// A year's quantity on one edge and how much of the year the data cover.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnnualQuantity {
    /// Tonnes.
    pub quantity_t: f64,
    /// Months covered (12 = the whole year).
    pub months_covered: u32,
    /// The calendar months covered (1–12), ascending.
    pub months: Vec<u32>,
    /// A figure the dataset derived (from a published growth rate) went into the total.
    pub includes_derived: bool,
}

impl AnnualQuantity {
    /// The months covered as ranges, e.g. `Jan–Nov` or `Jan–Jun, Sep`.
    pub fn months_text(&self) -> String {
        month_ranges_text(&self.months)
    }
}

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Ascending months (1–12) as ranges: `[1, 2, 3, 7]` → `Jan–Mar, Jul`.
pub fn month_ranges_text(months: &[u32]) -> String {
    let name = |m: u32| {
        MONTH_NAMES
            .get(m.wrapping_sub(1) as usize)
            .copied()
            .unwrap_or("?")
    };
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < months.len() {
        let mut j = i;
        while j + 1 < months.len() && months[j + 1] == months[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            name(months[i]).to_string()
        } else {
            format!("{}–{}", name(months[i]), name(months[j]))
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Tonnes, and whether a derived figure is in them.
type Tonnes = (f64, bool);

/// Annual quantities per `key` (partner, reporter, …): the annual figure where the data have
/// one, else the sum over the monthly, January-February, multi-month and year-to-date
/// figures that together cover the most months without overlapping, with the months they
/// cover. A year-to-date figure stands in for the monthly rows inside it (never added to
/// them), so January-June plus July-November is January-November.
pub fn annual_quantities<K: Ord + Clone>(
    facts: &[(K, &TradeFact)],
) -> std::collections::BTreeMap<K, AnnualQuantity> {
    use std::collections::BTreeMap;
    // Per key, the annual figure and the quantities per period (first month, months), each
    // with whether a derived figure is in it: the same period can appear twice (e.g. two
    // products summed upstream) and is then one period with both tonnes.
    let mut annual: BTreeMap<K, Tonnes> = BTreeMap::new();
    let mut parts: BTreeMap<K, BTreeMap<(u32, u32), Tonnes>> = BTreeMap::new();
    for (k, f) in facts {
        let entry = if f.months >= 12 {
            annual.entry(k.clone()).or_default()
        } else if f.span().is_some() {
            parts
                .entry(k.clone())
                .or_default()
                .entry((f.first_month, f.months))
                .or_default()
        } else {
            continue;
        };
        entry.0 += f.quantity_t;
        entry.1 |= f.is_derived;
    }
    let mut out = BTreeMap::new();
    for (k, periods) in parts {
        let list: Vec<((u32, u32), Tonnes)> = periods.into_iter().collect();
        // The one rule for totals over several months (`cover`), within the calendar year.
        let pieces: Vec<Piece> = list
            .iter()
            .map(|&((first, len), (_, derived))| Piece {
                start: i64::from(first),
                len: i64::from(len),
                derived,
                fallback: false,
            })
            .collect();
        let chosen = best_cover(&pieces, 1, 12, false).unwrap_or_default();
        let quantity_t = chosen.iter().map(|&i| list[i].1.0).sum();
        let includes_derived = chosen.iter().any(|&i| list[i].1.1);
        let mut months: Vec<u32> = chosen
            .iter()
            .flat_map(|&i| {
                let (first, len) = list[i].0;
                first..first + len
            })
            .collect();
        months.sort_unstable();
        out.insert(
            k,
            AnnualQuantity {
                quantity_t,
                months_covered: months.len() as u32,
                months,
                includes_derived,
            },
        );
    }
    for (k, (q, derived)) in annual {
        out.insert(
            k,
            AnnualQuantity {
                quantity_t: q,
                months_covered: 12,
                months: (1..=12).collect(),
                includes_derived: derived,
            },
        );
    }
    out
}

/// [`annual_quantities`] per `(key, edge)` (edge: the other reporter or partner summed into
/// the key), then summed per key: each edge picks its own periods, so one edge's half-year
/// total and another's months are both counted, and neither twice. The months of a key are
/// those with a figure on at least one of its edges.
pub fn annual_quantities_over_edges<K: Ord + Clone, E: Ord + Clone>(
    facts: &[((K, E), &TradeFact)],
) -> std::collections::BTreeMap<K, AnnualQuantity> {
    let mut out: std::collections::BTreeMap<K, AnnualQuantity> = Default::default();
    for ((k, _), q) in annual_quantities(facts) {
        let e = out.entry(k).or_insert(AnnualQuantity {
            quantity_t: 0.0,
            months_covered: 0,
            months: Vec::new(),
            includes_derived: false,
        });
        e.quantity_t += q.quantity_t;
        e.includes_derived |= q.includes_derived;
        e.months.extend(q.months);
        e.months.sort_unstable();
        e.months.dedup();
        e.months_covered = e.months.len() as u32;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(months: u32, first_month: u32, q: f64) -> TradeFact {
        TradeFact {
            year: 2025,
            months,
            first_month,
            reporter: "CHN".into(),
            partner: "USA".into(),
            flow: "export".into(),
            quantity_t: q,
            is_derived: false,
            period: String::new(),
            first_year: 2025,
        }
    }

    /// A derived month marks the total it goes into, and a reported total of the same months
    /// wins over derived ones (the one rule of `cover`).
    #[test]
    fn derived_figures_mark_the_total_and_lose_to_reported_ones() {
        let mut jul = fact(1, 7, 591.0);
        jul.is_derived = true;
        let aug = fact(1, 8, 600.0);
        let a = annual_quantities(&[("USA", &jul), ("USA", &aug)]);
        assert!(a["USA"].includes_derived);
        assert_eq!(a["USA"].quantity_t, 1191.0);
        let jul_aug = fact(2, 7, 1190.0);
        let a = annual_quantities(&[("USA", &jul), ("USA", &aug), ("USA", &jul_aug)]);
        assert!(!a["USA"].includes_derived);
        assert_eq!(a["USA"].quantity_t, 1190.0);
    }

    #[test]
    fn annual_figure_wins_over_months_and_unknown_spans_are_skipped() {
        let jan_feb = fact(2, 1, 10.0);
        let mar = fact(1, 3, 5.0);
        let unknown = fact(0, 1, 99.0);
        let a = annual_quantities(&[("USA", &jan_feb), ("USA", &mar), ("USA", &unknown)]);
        assert_eq!(a["USA"].quantity_t, 15.0);
        assert_eq!(a["USA"].months_covered, 3);
        assert_eq!(a["USA"].months_text(), "Jan–Mar");
        let year = fact(12, 1, 100.0);
        let a = annual_quantities(&[("USA", &mar), ("USA", &year)]);
        assert_eq!(a["USA"].quantity_t, 100.0);
        assert_eq!(a["USA"].months_covered, 12);
    }

    #[test]
    fn a_year_to_date_total_stands_in_for_the_months_inside_it() {
        // The bundled China→USA magnet rows: Jan–Jun YTD 2,510 t, and months May–Nov.
        // May and June are inside the YTD total: Jan–Nov = 2,510 + Jul–Nov = 5,377 t.
        let ytd = fact(6, 1, 2510.0);
        let months: Vec<TradeFact> = [(5, 46.0), (6, 353.0), (7, 619.0), (8, 590.0)]
            .into_iter()
            .chain([(9, 420.0), (10, 656.0), (11, 582.0)])
            .map(|(m, q)| fact(1, m, q))
            .collect();
        let mut rows: Vec<(&str, &TradeFact)> = vec![("USA", &ytd)];
        rows.extend(months.iter().map(|f| ("USA", f)));
        let a = annual_quantities(&rows);
        assert_eq!(a["USA"].quantity_t, 5377.0);
        assert_eq!(a["USA"].months_covered, 11);
        assert_eq!(a["USA"].months_text(), "Jan–Nov");
        // The EU: H1 8,360 t plus July 2,140 t.
        let h1 = fact(6, 1, 8360.0);
        let jul = fact(1, 7, 2140.0);
        let a = annual_quantities(&[("EUU", &h1), ("EUU", &jul)]);
        assert_eq!(a["EUU"].quantity_t, 10_500.0);
        assert_eq!(a["EUU"].months_covered, 7);
    }

    #[test]
    fn overlapping_totals_are_never_added_and_the_widest_cover_wins() {
        // Jan–Jun and Jan–Sep overlap: only Jan–Sep, plus October.
        let h1 = fact(6, 1, 60.0);
        let q3 = fact(9, 1, 90.0);
        let oct = fact(1, 10, 10.0);
        let a = annual_quantities(&[("K", &h1), ("K", &q3), ("K", &oct)]);
        assert_eq!(a["K"].quantity_t, 100.0);
        assert_eq!(a["K"].months_text(), "Jan–Oct");
        // Mar–Aug against Jan–Apr + Jul–Dec: the two periods cover more months.
        let mid = fact(6, 3, 600.0);
        let early = fact(4, 1, 40.0);
        let late = fact(6, 7, 60.0);
        let a = annual_quantities(&[("K", &mid), ("K", &early), ("K", &late)]);
        assert_eq!(a["K"].quantity_t, 100.0);
        assert_eq!(a["K"].months_covered, 10);
        assert_eq!(a["K"].months_text(), "Jan–Apr, Jul–Dec");
        // The same month twice (two products) is one month with both tonnes.
        let a1 = fact(1, 7, 1.0);
        let a2 = fact(1, 7, 2.0);
        let a = annual_quantities(&[("K", &a1), ("K", &a2)]);
        assert_eq!((a["K"].quantity_t, a["K"].months_covered), (3.0, 1));
    }

    #[test]
    fn spans_past_december_cover_nothing() {
        assert_eq!(fact(6, 1, 1.0).span(), Some((1, 6)));
        assert_eq!(fact(3, 11, 1.0).span(), None);
        assert_eq!(fact(0, 1, 1.0).span(), None);
        assert_eq!(
            month_ranges_text(&[1, 2, 3, 7, 9, 10]),
            "Jan–Mar, Jul, Sep–Oct"
        );
    }

    #[test]
    fn edges_pick_their_own_periods_before_they_are_summed() {
        // Germany's H1 total and France's months, both to one key: 60 + 3 × 5, not one or
        // the other.
        let deu_h1 = fact(6, 1, 60.0);
        let fra: Vec<TradeFact> = (1..=3).map(|m| fact(1, m, 5.0)).collect();
        let mut rows: Vec<((&str, &str), &TradeFact)> = vec![(("CHN", "DEU"), &deu_h1)];
        rows.extend(fra.iter().map(|f| (("CHN", "FRA"), f)));
        let a = annual_quantities_over_edges(&rows);
        assert_eq!(a["CHN"].quantity_t, 75.0);
        assert_eq!(a["CHN"].months_text(), "Jan–Jun");
    }
}
