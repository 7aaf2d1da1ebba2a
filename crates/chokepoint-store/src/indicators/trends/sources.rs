//! Changes whose two ends come from different sources, and year-to-date totals summed
//! across sources. Precedence takes one source per period and partner, so a file a user
//! ingests for some months sits beside the bundled figures of others: a month-on-month,
//! year-on-year or YTD change can then compare two sources, which may differ in coverage
//! (one HS line of a group against the group's total) and definitions. The formats review
//! found such changes printed without a word (-55 % to -85 % y/y, +760 % m/m, a Comtrade
//! YTD against a BACI year). They stay computed, name the other source, and a note says
//! what they compare and how to keep to one source.

use std::collections::BTreeMap;

use super::TrendRow;
pub(super) use crate::indicators::spans::other_source;
use crate::indicators::spans::sources_of;

/// The rows with a change against another source, or a YTD over several, grouped for one
/// note each.
#[derive(Default)]
pub(super) struct CrossSource {
    /// (the row's source, the changes and their base's source) → the rows' periods.
    compared: BTreeMap<(String, String), Vec<String>>,
    /// The sources summed → the rows' periods.
    summed: BTreeMap<String, Vec<String>>,
}

impl CrossSource {
    pub(super) fn record(&mut self, r: &TrendRow) {
        // A YTD's own sources are its months', which need not be the row's.
        let ytd = r.ytd_sources.as_deref().unwrap_or(&r.source);
        let changes: Vec<String> = [
            ("mom_pct".to_string(), &r.mom_base_source),
            ("yoy_pct".to_string(), &r.yoy_base_source),
            (
                format!("ytd_yoy_pct (ytd of {ytd})"),
                &r.ytd_yoy_base_source,
            ),
        ]
        .into_iter()
        .filter_map(|(name, base)| base.as_ref().map(|b| format!("{name} against {b}")))
        .collect();
        if !changes.is_empty() {
            self.compared
                .entry((r.source.clone(), changes.join(", ")))
                .or_default()
                .push(r.period.clone());
        }
        if let Some(sources) = &r.ytd_sources {
            self.summed
                .entry(sources.clone())
                .or_default()
                .push(r.period.clone());
        }
    }

    pub(super) fn notes(self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .compared
            .into_iter()
            .map(|((source, changes), periods)| {
                format!(
                    "{} ({source}): {changes}: the two sources may differ in coverage (a \
                     file can hold a few HS lines of a group whose other figures are its \
                     whole total) and in definitions, so the change may be the sources' \
                     difference; `--source {}` keeps to one source",
                    periods.join(", "),
                    sources_of(&source).next().unwrap_or(&source)
                )
            })
            .collect();
        notes.extend(self.summed.into_iter().map(|(sources, periods)| {
            format!(
                "ytd_t of {} adds months from several sources ({sources}), which may differ \
                 in coverage; `--source` keeps to one",
                periods.join(", ")
            )
        }));
        notes
    }
}

#[cfg(test)]
mod tests {
    use chokepoint_model::{Flow, Frequency, Iso3};

    use super::super::{TrendQuery, compute};
    use crate::indicators::series::{FlowQuery, Observation};

    fn obs(period: &str, q: f64, source: &str) -> Observation {
        Observation {
            source: source.into(),
            ..super::super::tests::obs(period, q)
        }
    }

    /// Formats review: one HS line ingested for March–May stood in for the bundled group
    /// total; y/y -55 % to -85 %, June m/m +760 %, a YTD of both, with nothing said. The
    /// changes stay, each names the other source, and the notes say what they compare.
    #[test]
    fn changes_between_two_sources_name_the_other_source() {
        let mut data: Vec<Observation> = (1..=6)
            .map(|m| obs(&format!("2024-{m:02}"), 100.0, "bundled"))
            .collect();
        data.extend([
            obs("2025-01", 100.0, "bundled"),
            obs("2025-02", 100.0, "comtrade"),
            obs("2025-03", 100.0, "comtrade"),
            obs("2025-04", 100.0, "bundled"),
        ]);
        let q = TrendQuery {
            flow: FlowQuery {
                reporter: Iso3::CHINA,
                flow: Flow::Export,
                product: "rare-earths".into(),
                partner: None,
                source: None,
            },
            from: Some("2025-01".parse().unwrap()),
            to: None,
            frequency: Frequency::Monthly,
        };
        let r = compute(&data, &q);
        let row = |p: &str| r.rows.iter().find(|r| r.period == p).unwrap();
        let jan = row("2025-01");
        assert_eq!(jan.other_sources(), None, "one source throughout");
        let feb = row("2025-02");
        assert_eq!(feb.mom_base_source.as_deref(), Some("bundled"));
        assert_eq!(feb.yoy_base_source.as_deref(), Some("bundled"));
        assert_eq!(feb.ytd_sources.as_deref(), Some("bundled+comtrade"));
        assert_eq!(feb.ytd_yoy_base_source.as_deref(), Some("bundled"));
        let mar = row("2025-03");
        assert_eq!(mar.mom_base_source, None, "comtrade against comtrade");
        let apr = row("2025-04");
        assert_eq!(apr.mom_base_source.as_deref(), Some("comtrade"));
        assert_eq!(apr.yoy_base_source, None);
        let notes = r.notes.join("\n");
        assert!(
            notes.contains("2025-02, 2025-03 (comtrade): yoy_pct against bundled")
                || notes.contains("(comtrade): mom_pct against bundled"),
            "{notes}"
        );
        assert!(notes.contains("--source comtrade"), "{notes}");
        assert!(
            notes.contains("adds months from several sources (bundled+comtrade)"),
            "{notes}"
        );
        // Within one source nothing is said.
        let one: Vec<Observation> = data
            .iter()
            .cloned()
            .map(|o| Observation {
                source: "bundled".into(),
                ..o
            })
            .collect();
        let r = compute(&one, &q);
        assert!(r.rows.iter().all(|r| r.other_sources().is_none()));
        assert!(
            !r.notes.iter().any(|n| n.contains("sources")),
            "{:?}",
            r.notes
        );
    }
}
