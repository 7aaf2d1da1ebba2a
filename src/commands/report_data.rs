//! What data a report was computed from, for its "Data" section: the customs months it
//! compares the runs with (by source), the chain's baseline, every table of the warehouse
//! with its source and ingest, and when it was written. Web review: a report compared the
//! runs with a month from the reviewer's own ingest and named neither the ingest nor any
//! customs source.

use std::path::Path;

use chokepoint_model::YearMonth;

use super::chain_facts::{self, ObservedMonth};

/// The lines of the "Data" section, in order.
pub fn data_provenance(
    data_dir: Option<&Path>,
    baseline: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let o = super::warehouse::open(data_dir)?;
    let observed = chain_facts::observed_magnet_exports(&chain_facts::Facts::new(&o))?;
    if !observed.is_empty() {
        out.push(format!(
            "China's monthly magnet exports to the world, which the runs are compared with: {}",
            runs_by_source(&observed).join("; ")
        ));
    }
    out.extend(baseline.iter().cloned());
    for r in o.runtime.block_on(o.warehouse.sources())? {
        let ingest = if r.ingest_id == r.source {
            String::new()
        } else {
            format!(", ingest {}", r.ingest_id)
        };
        let span = match (&r.period_from, &r.period_to) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        };
        out.push(format!(
            "table {}: {} rows from {}{ingest}{span}: {}",
            r.table, r.rows, r.source, r.provenance
        ));
    }
    Ok(out)
}

/// Runs of consecutive months with the same source: "2024-02 to 2024-10 from bundled"; a
/// month without a figure ends a run, so "to" never spans a gap.
fn runs_by_source(months: &[ObservedMonth]) -> Vec<String> {
    let mut runs: Vec<(YearMonth, YearMonth, &str)> = Vec::new();
    for m in months {
        match runs.last_mut() {
            Some((_, last, source))
                if *source == m.source.as_str() && last.plus_months(1) == m.month =>
            {
                *last = m.month;
            }
            _ => runs.push((m.month, m.month, m.source.as_str())),
        }
    }
    runs.into_iter()
        .map(|(first, last, source)| {
            if first == last {
                format!("{first} from {source}")
            } else {
                format!("{first} to {last} from {source}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_told_in_runs_of_one_source() {
        let m = |month: u8, source: &str| ObservedMonth {
            month: YearMonth::new(2025, month).unwrap(),
            tonnes: 1.0,
            is_derived: false,
            source: source.into(),
        };
        let months = [
            m(1, "bundled"),
            m(2, "bundled"),
            m(3, "tidy"),
            m(4, "bundled"),
            m(6, "bundled"),
        ];
        assert_eq!(
            runs_by_source(&months),
            [
                "2025-01 to 2025-02 from bundled",
                "2025-03 from tidy",
                "2025-04 from bundled",
                "2025-06 from bundled"
            ]
        );
    }
}
