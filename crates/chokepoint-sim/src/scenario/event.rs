//! `[[event]]` of a scenario file: the industries an event hits, its impact, timing and
//! recovery, checked against the table, the model and the horizon.

use toml::Spanned;

use super::Ctx;
use super::raw::{RawEvent, RawImpact};
use crate::SimError;
use crate::events::{Event, EventKind, RecoveryFunction};
use crate::model::{ModelParams, readable};
use crate::network::Mrio;

fn names_to_indices(
    cx: &Ctx<'_>,
    key: &str,
    one: &Option<Spanned<String>>,
    many: &Option<Spanned<Vec<String>>>,
    known: &[String],
) -> Result<Vec<usize>, SimError> {
    let noun = key.rsplit('.').next().unwrap_or(key);
    let (list, span): (Vec<String>, _) = match (one, many) {
        (Some(o), None) => (vec![o.get_ref().clone()], o.span()),
        (None, Some(m)) => (m.get_ref().clone(), m.span()),
        (Some(o), Some(_)) => {
            return cx.err(
                Some(o.span()),
                key,
                format!("give `{key}` or `{key}s`, not both"),
            );
        }
        (None, None) => return cx.err(None, key, format!("missing `{key}` (or `{key}s`)")),
    };
    let mut out = Vec::new();
    for name in list {
        match known.iter().position(|k| *k == name) {
            Some(i) => out.push(i),
            None => {
                return cx.err(
                    Some(span.clone()),
                    key,
                    format!(
                        "unknown {noun} `{name}`; expected one of {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// What events are checked against: the table, its `region|sector` labels and the
/// productive capital of its industries.
pub(super) struct Table<'a> {
    pub mrio: &'a Mrio,
    pub industries: &'a [String],
    pub capital: &'a [f64],
}

/// Keys an event kind does not use, as (key, the kinds that use it): given anyway they were
/// ignored without a word (`rebuild_tau` on an arbitrary event).
fn unused_keys(kind: &str, ev: &RawEvent) -> Vec<(&'static str, &'static str)> {
    let rebuild_only = [
        ("rebuild_tau", ev.rebuild_tau.is_some()),
        ("rebuilding_sectors", ev.rebuilding_sectors.is_some()),
        ("rebuilding_factor", ev.rebuilding_factor.is_some()),
    ];
    let mut out = Vec::new();
    if kind != "rebuild" {
        for (key, given) in rebuild_only {
            if given {
                out.push((key, "rebuild events"));
            }
        }
    }
    // A rebuild event recovers through reconstruction, not a recovery function.
    if kind == "rebuild" {
        for (key, given) in [
            ("recovery_tau", ev.recovery_tau.is_some()),
            ("recovery_function", ev.recovery_function.is_some()),
        ] {
            if given {
                out.push((key, "arbitrary and recover events"));
            }
        }
    }
    // An arbitrary event's impact is a share of capacity, not money.
    if kind == "arbitrary" && ev.event_monetary_factor.is_some() {
        out.push(("event_monetary_factor", "recover and rebuild events"));
    }
    out
}

pub(super) fn event(
    cx: &Ctx<'_>,
    k: usize,
    ev: RawEvent,
    table: &Table<'_>,
    params: &ModelParams,
    steps: usize,
    warnings: &mut Vec<String>,
) -> Result<Event, SimError> {
    for (unused, by) in unused_keys(ev.kind.get_ref(), &ev) {
        warnings.push(format!(
            "{}: event[{k}].{unused} is ignored: only {by} use it (this event's kind is \"{}\")",
            cx.path.display(),
            ev.kind.get_ref()
        ));
    }
    let Table {
        mrio,
        industries,
        capital,
    } = *table;
    let key = |f: &str| format!("event[{k}].{f}");
    let s = mrio.sectors.len();
    let kind_name = ev.kind.get_ref().as_str();
    let kind = match kind_name {
        "arbitrary" => EventKind::Arbitrary,
        "recover" => EventKind::Recover,
        "rebuild" => {
            let Some(tau) = &ev.rebuild_tau else {
                return cx.err(
                    Some(ev.kind.span()),
                    key("rebuild_tau"),
                    "a rebuild event needs `rebuild_tau` (steps)",
                );
            };
            // BoARIO's `rebuild_tau` is a whole number of steps (an int); `inf` is no time.
            let t = *tau.get_ref();
            if !t.is_finite() || t < 1.0 || t.fract() != 0.0 {
                return cx.err(
                    Some(tau.span()),
                    key("rebuild_tau"),
                    format!(
                        "{t} is not a whole number of steps ≥ 1 (BoARIO's rebuild_tau is an int)"
                    ),
                );
            }
            let Some(sectors) = &ev.rebuilding_sectors else {
                return cx.err(
                    Some(ev.kind.span()),
                    key("rebuilding_sectors"),
                    "a rebuild event needs `rebuilding_sectors = { sector = share, … }`",
                );
            };
            let mut list = Vec::new();
            for (name, share) in sectors.get_ref() {
                let Some(i) = mrio.sectors.iter().position(|x| x == name) else {
                    return cx.err(
                        Some(share.span()),
                        key(&format!("rebuilding_sectors.{name}")),
                        format!(
                            "unknown sector; expected one of {}",
                            mrio.sectors.join(", ")
                        ),
                    );
                };
                if share.get_ref().is_nan() || *share.get_ref() < 0.0 {
                    return cx.err(
                        Some(share.span()),
                        key(&format!("rebuilding_sectors.{name}")),
                        "shares must be ≥ 0",
                    );
                }
                list.push((i, *share.get_ref()));
            }
            // Their sum is checked with the event (`Event::check`), at this key.
            let factor = ev
                .rebuilding_factor
                .as_ref()
                .map(|f| *f.get_ref())
                .unwrap_or(1.0);
            EventKind::Rebuild {
                rebuild_tau: *tau.get_ref(),
                rebuilding_sectors: list,
                rebuilding_factor: factor,
            }
        }
        other => return cx.err(
            Some(ev.kind.span()),
            key("kind"),
            format!(
                "unknown event kind `{other}`; expected \"arbitrary\", \"recover\" or \"rebuild\""
            ),
        ),
    };
    let mut impacts = Vec::new();
    match &ev.impact {
        None => return cx.err(None, key("impact"), "missing `impact`"),
        Some(spanned) => match spanned.get_ref() {
            RawImpact::One(v) => {
                let regions =
                    names_to_indices(cx, &key("region"), &ev.region, &ev.regions, &mrio.regions)?;
                let sectors =
                    names_to_indices(cx, &key("sector"), &ev.sector, &ev.sectors, &mrio.sectors)?;
                for r in &regions {
                    for p in &sectors {
                        impacts.push((r * s + p, *v));
                    }
                }
            }
            RawImpact::PerIndustry(t) => {
                // The table names its industries: a `region` or `sector` beside it was
                // silently ignored, so the event hit other industries than the one named.
                let beside = [
                    ("region", ev.region.as_ref().map(|x| x.span())),
                    ("regions", ev.regions.as_ref().map(|x| x.span())),
                    ("sector", ev.sector.as_ref().map(|x| x.span())),
                    ("sectors", ev.sectors.as_ref().map(|x| x.span())),
                ];
                if let Some((name, span)) = beside.into_iter().find(|(_, s)| s.is_some()) {
                    return cx.err(
                        span,
                        key(name),
                        "the impact table names its industries (\"region|sector\" keys): \
                         remove this key, or give `impact` as one value for the listed \
                         industries",
                    );
                }
                for (label, v) in t {
                    let found = label.split_once('|').and_then(|(r, p)| {
                        Some((
                            mrio.regions.iter().position(|x| x == r)?,
                            mrio.sectors.iter().position(|x| x == p)?,
                        ))
                    });
                    let Some((r, p)) = found else {
                        return cx.err(
                            Some(spanned.span()),
                            key(&format!("impact.\"{label}\"")),
                            "unknown industry; keys are \"region|sector\"",
                        );
                    };
                    impacts.push((r * s + p, *v));
                }
            }
        },
    }
    let impact_span = ev.impact.as_ref().map(|i| i.span());
    let occurrence = *ev.occurrence.get_ref();
    // An event lasts a step at least and must end within the horizon, so it occurs by
    // step `steps - 1`; `occurrence = steps` passed here and then failed at `duration`, a
    // key the file did not have.
    let last = steps.saturating_sub(1);
    if occurrence < 1 || occurrence as u64 > last as u64 {
        return cx.err(
            Some(ev.occurrence.span()),
            key("occurrence"),
            format!(
                "{occurrence} is outside the horizon 1..={last} (an event lasts a step at \
                 least and must end by step {steps})"
            ),
        );
    }
    let duration = ev.duration.as_ref().map(|d| *d.get_ref()).unwrap_or(1);
    // Said apart: `duration = -5` once read "occurrence + duration = 5 must be within
    // the horizon", true of 5, with the real fault in a parenthesis.
    if duration < 1 {
        return cx.err(
            ev.duration.as_ref().map(|d| d.span()),
            key("duration"),
            format!("{duration} is not a duration: give 1 step or more"),
        );
    }
    // Compared without adding: a duration near i64::MAX overflowed the sum.
    if duration > steps as i64 - occurrence {
        return cx.err(
            ev.duration.as_ref().map(|d| d.span()),
            key("duration"),
            format!(
                "occurrence + duration = {} must be within the horizon of {steps} steps \
                 (duration ≥ 1)",
                i128::from(occurrence) + i128::from(duration)
            ),
        );
    }
    let recovery_tau = ev
        .recovery_tau
        .as_ref()
        .map(|d| *d.get_ref())
        .unwrap_or(1.0);
    if !recovery_tau.is_finite() || recovery_tau < 1.0 {
        return cx.err(
            ev.recovery_tau.as_ref().map(|d| d.span()),
            key("recovery_tau"),
            format!("{recovery_tau} is not a finite number of steps ≥ 1"),
        );
    }
    let recovery_function = match &ev.recovery_function {
        None => RecoveryFunction::Linear,
        Some(f) => match RecoveryFunction::parse(f.get_ref()) {
            Some(rf) => rf,
            None => {
                return cx.err(
                    Some(f.span()),
                    key("recovery_function"),
                    format!(
                        "unknown function; expected one of {}",
                        RecoveryFunction::NAMES.join(", ")
                    ),
                );
            }
        },
    };
    let emf = ev
        .event_monetary_factor
        .as_ref()
        .map(|f| *f.get_ref())
        .unwrap_or(params.monetary_factor);
    let event = Event {
        kind,
        impacts,
        occurrence: occurrence as usize,
        duration: duration as usize,
        recovery_tau,
        recovery_function,
        event_monetary_factor: emf,
    };
    // Impacts first, at their own key and position (`Event::check` repeats this unlocated).
    for &(i, v) in &event.impacts {
        if let Some(problem) = event.impact_problem(v, capital[i], params.monetary_factor) {
            return cx.err(
                impact_span.clone(),
                key("impact"),
                format!("{}: {problem}", industries[i]),
            );
        }
    }
    event
        .check(k, industries, s, steps, capital, params.monetary_factor)
        .or_else(|e| match e {
            // At the key at fault, where the file has it (a default has no position: the
            // event's `kind` line stands for it).
            // Not set on the event: it is the model's, and that is the key to change.
            SimError::Event {
                field: Some("event_monetary_factor"),
                message,
                ..
            } if ev.event_monetary_factor.is_none() => cx.err(
                Some(ev.kind.span()),
                key("event_monetary_factor"),
                format!(
                    "{message}; the event sets none, so it is model.monetary_factor ({}): set a \
                     monetary_factor ≥ 1, or the event's own event_monetary_factor",
                    readable(params.monetary_factor)
                ),
            ),
            SimError::Event {
                field: Some(field),
                message,
                ..
            } => {
                let span = match field {
                    "occurrence" => Some(ev.occurrence.span()),
                    "duration" => ev.duration.as_ref().map(|x| x.span()),
                    "recovery_tau" => ev.recovery_tau.as_ref().map(|x| x.span()),
                    "event_monetary_factor" => ev.event_monetary_factor.as_ref().map(|x| x.span()),
                    "rebuild_tau" => ev.rebuild_tau.as_ref().map(|x| x.span()),
                    "rebuilding_factor" => ev.rebuilding_factor.as_ref().map(|x| x.span()),
                    "rebuilding_sectors" => ev.rebuilding_sectors.as_ref().map(|x| x.span()),
                    _ => None,
                };
                cx.err(
                    Some(span.unwrap_or_else(|| ev.kind.span())),
                    key(field),
                    message,
                )
            }
            e => cx.err(Some(ev.kind.span()), format!("event[{k}]"), e.to_string()),
        })?;
    Ok(event)
}
