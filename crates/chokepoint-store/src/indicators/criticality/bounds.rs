//! Lower bounds of scores from shares naming part of world output, the bottleneck over
//! stages, and the verdict against the thresholds.

use super::*;

/// A score computed from shares that name only part of world output, or over the stages
/// that have shares when one has none: the method's score is at least this value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LowerBound {
    /// The most the score can be: the unattributed rest of world output as one country with
    /// the default governance score and trade adjustment. `None` when nothing bounds it (a
    /// stage without shares).
    pub at_most: Option<f64>,
    /// Why the score is a lower bound: "lower bound: shares cover 12.4 % of world output; at
    /// most 3.887 if the unattributed 87.6 % were one country (scaled WGI 5.0, t 1.0)".
    pub note: String,
}

/// Where a score stands against its threshold, taking a [`LowerBound`] into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdStatus {
    /// The score (or its lower bound) reaches the threshold.
    AtOrAbove,
    /// The score, and its upper bound when it is a lower bound, is below the threshold.
    Below,
    /// A lower bound below the threshold whose upper bound reaches it (or is unknown):
    /// whether the threshold is reached is not established.
    Inconclusive,
    /// The score is missing.
    NotComputable,
}

impl ThresholdStatus {
    /// The one rule, for the verdict and every printed status.
    pub fn of(score: &Figure, bound: Option<&LowerBound>, threshold: f64) -> ThresholdStatus {
        match (score.value(), bound) {
            (None, _) => ThresholdStatus::NotComputable,
            (Some(v), _) if v >= threshold => ThresholdStatus::AtOrAbove,
            (Some(_), None) => ThresholdStatus::Below,
            (Some(_), Some(b)) if b.at_most.is_some_and(|m| m < threshold) => {
                ThresholdStatus::Below
            }
            (Some(_), Some(_)) => ThresholdStatus::Inconclusive,
        }
    }

    /// The words shown in tables.
    pub fn word(self) -> &'static str {
        match self {
            ThresholdStatus::AtOrAbove => "at or above threshold",
            ThresholdStatus::Below => "below threshold",
            ThresholdStatus::Inconclusive => "inconclusive: lower bound below threshold",
            ThresholdStatus::NotComputable => "not computable",
        }
    }
}

/// The part of world output a stage's shares leave unattributed, as
/// `(coverage, unattributed)`, when it is more than rounding
/// ([`Concentration::is_partial`](super::concentration::Concentration::is_partial)).
pub(super) fn unattributed(shares: &[SupplierShare]) -> Option<(f64, f64)> {
    // Shares that fail the check (above 1 in sum, negative) leave nothing unattributed to
    // bound; the warehouse's shares have passed it already.
    let c = concentration(shares).ok().filter(|c| c.is_partial())?;
    Some((c.coverage, (1.0 - c.coverage).max(0.0)))
}

/// "lower bound: shares cover 12.4 % of world output; at most 3.887 if the unattributed
/// 87.6 % were one country (scaled WGI 5.0, t 1.0)". `of` is what the shares divide
/// ("world output", "EU supply").
pub(super) fn partial_note(
    coverage: f64,
    of: &str,
    at_most: Option<f64>,
    assumption: &str,
) -> String {
    partial_note_of(&[(coverage, of)], at_most, assumption)
}

/// [`partial_note`] for a score built on several partial share sets (the EU supply risk on
/// both the world shares and the EU sourcing mix).
pub(super) fn partial_note_of(
    parts: &[(f64, &str)],
    at_most: Option<f64>,
    assumption: &str,
) -> String {
    let covers: Vec<String> = parts
        .iter()
        .map(|(c, of)| format!("{:.1} % of {of}", 100.0 * c))
        .collect();
    let rests: Vec<String> = parts
        .iter()
        .map(|(c, _)| format!("{:.1} %", 100.0 * (1.0 - c).max(0.0)))
        .collect();
    let (rest, one) = (
        rests.join(" and "),
        if parts.len() > 1 {
            "one country each"
        } else {
            "one country"
        },
    );
    let covers = covers.join(" and ");
    match at_most {
        Some(m) => format!(
            "lower bound: shares cover {covers}; at most {m:.3} if the unattributed {rest} \
             were {one} ({assumption})"
        ),
        None => format!("lower bound: shares cover {covers}; the unattributed {rest} is not in it"),
    }
}

/// The bottleneck's bound: a lower bound when a stage is one, or when a stage has no
/// shares (it could be the highest). `stages` are (name, score, bound); `missing` the
/// stages without shares ("processing: not computable: needs …").
pub(super) fn bottleneck_bound(
    bottleneck: &Figure,
    stages: &[(&str, &Figure, Option<&LowerBound>)],
    missing: &[String],
) -> Option<LowerBound> {
    bottleneck.value()?;
    let bounded: Vec<&(&str, &Figure, Option<&LowerBound>)> =
        stages.iter().filter(|(_, _, b)| b.is_some()).collect();
    if bounded.is_empty() && missing.is_empty() {
        return None;
    }
    // Every stage present: the highest stage upper bound; a stage missing: unbounded.
    let at_most = if missing.is_empty() {
        stages.iter().try_fold(f64::NEG_INFINITY, |m, (_, f, b)| {
            let top = match b {
                Some(b) => b.at_most?,
                None => f.value()?,
            };
            Some(m.max(top))
        })
    } else {
        None
    };
    let mut parts = vec!["lower bound: the highest of the stages computed".to_string()];
    for m in missing {
        let (stage, why) = m.split_once(": ").unwrap_or((m.as_str(), ""));
        parts.push(format!(
            "the {stage} stage has no shares and could be higher ({why})"
        ));
    }
    for (stage, _, b) in bounded {
        if let Some(b) = b {
            parts.push(format!(
                "{stage}: {}",
                b.note.trim_start_matches("lower bound: ")
            ));
        }
    }
    if let Some(m) = at_most {
        parts.push(format!("the bottleneck at most {m:.3}"));
    }
    Some(LowerBound {
        at_most,
        note: parts.join("; "),
    })
}

/// The highest of the stage figures; not computable if any stage is.
pub(super) fn bottleneck(figures: &[&Figure]) -> Figure {
    let mut needs = Vec::new();
    let mut best: Option<f64> = None;
    for f in figures {
        match f {
            Figure::Value(v) => best = Some(best.map_or(*v, |b| b.max(*v))),
            Figure::NotComputable { not_computable } => {
                // Stages usually miss the same inputs: name each once.
                for need in not_computable
                    .trim_start_matches("not computable: needs ")
                    .split("; ")
                {
                    if !needs.iter().any(|n| n == need) {
                        needs.push(need.to_string());
                    }
                }
            }
        }
    }
    match (best, needs.is_empty()) {
        (Some(v), true) => Figure::Value(v),
        (None, true) => NotComputable::needs(["supply shares of at least one stage"]).into_figure(),
        _ => NotComputable::needs(needs).into_figure(),
    }
}

/// A stage of either method, as the bottleneck reads it: its name, supply risk and bound.
pub(super) trait StageScore {
    fn stage_score(&self) -> (&str, &Figure, Option<&LowerBound>);
}

/// The bottleneck of the stages' supply risks (the highest; not computable if any stage is)
/// and its bound ([`bottleneck_bound`]); `missing` the stages without shares.
pub(super) fn stage_bottleneck<S: StageScore>(
    stages: &[S],
    missing: &[String],
) -> (Figure, Option<LowerBound>) {
    let scores: Vec<_> = stages.iter().map(StageScore::stage_score).collect();
    let figure = bottleneck(&scores.iter().map(|(_, f, _)| *f).collect::<Vec<_>>());
    let bound = bottleneck_bound(&figure, &scores, missing);
    (figure, bound)
}

/// Critical when every score reaches its threshold. One threshold established as missed
/// decides "not critical", whatever else is missing; a lower bound below its threshold
/// establishes nothing, so then the verdict is inconclusive (naming that score and anything
/// missing), and a missing score without either makes it not computable.
pub(super) fn verdict(scores: &[(&str, &Figure, Option<&LowerBound>, f64)]) -> Verdict {
    let mut needs = Vec::new();
    let mut unsettled = Vec::new();
    let mut below = false;
    for (name, f, bound, t) in scores {
        match ThresholdStatus::of(f, *bound, *t) {
            ThresholdStatus::AtOrAbove => {}
            ThresholdStatus::Below => below = true,
            ThresholdStatus::Inconclusive => unsettled.push(format!(
                "{name} {} is below the threshold {t:.2} but a {}",
                f.display(3),
                bound.map_or("lower bound", |b| b.note.as_str())
            )),
            ThresholdStatus::NotComputable => needs.push((*name, f.display(0))),
        }
    }
    if below {
        Verdict::NotCritical
    } else if !unsettled.is_empty() {
        unsettled.extend(needs.iter().map(|(name, why)| format!("{name} {why}")));
        Verdict::Inconclusive(unsettled.join("; "))
    } else if !needs.is_empty() {
        let whys: Vec<&str> = needs.iter().map(|(_, why)| why.as_str()).collect();
        Verdict::NotComputable(whys.join("; "))
    } else {
        Verdict::Critical
    }
}
