//! `[model]` of a scenario file: BoARIO's parameter names and defaults, checked at their
//! keys (tables per sector matched by name, psi-only keys warned about under `kind = "base"`).

use std::collections::BTreeMap;

use toml::Spanned;

use super::Ctx;
use super::raw::{self, NumOrText, RawTau};
use crate::SimError;
use crate::model::{InventoryDays, ModelKind, ModelParams, Numerics, OrderType, Storage};
use crate::network::Mrio;

fn sector_table<T: Clone>(
    cx: &Ctx<'_>,
    key: &str,
    table: &BTreeMap<String, Spanned<T>>,
    mrio: &Mrio,
    span: std::ops::Range<usize>,
) -> Result<Vec<Spanned<T>>, SimError> {
    for (name, v) in table {
        if !mrio.sectors.contains(name) {
            return cx.err(
                Some(v.span()),
                format!("{key}.{name}"),
                format!(
                    "unknown sector; expected one of {}",
                    mrio.sectors.join(", ")
                ),
            );
        }
    }
    let missing: Vec<&str> = mrio
        .sectors
        .iter()
        .filter(|s| !table.contains_key(*s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return cx.err(
            Some(span),
            key,
            format!("must give every sector; missing {}", missing.join(", ")),
        );
    }
    Ok(mrio
        .sectors
        .iter()
        .filter_map(|s| table.get(s).cloned())
        .collect())
}

pub(super) fn model_params(
    cx: &Ctx<'_>,
    m: raw::RawModel,
    mrio: &Mrio,
    warnings: &mut Vec<String>,
) -> Result<ModelParams, SimError> {
    let mut p = ModelParams::default();
    if let Some(v) = &m.kind {
        p.kind = cx.choice(
            v,
            "kind",
            "kind",
            &[("psi", ModelKind::Psi), ("base", ModelKind::Base)],
        )?;
    }
    if let Some(v) = &m.numerics {
        p.numerics = cx.choice(
            v,
            "numerics",
            "numerics",
            &[("exact", Numerics::Exact), ("fast", Numerics::Fast)],
        )?;
    }
    if let Some(v) = &m.storage {
        p.storage = cx.choice(
            v,
            "storage",
            "storage",
            &[
                ("auto", Storage::Auto),
                ("dense", Storage::Dense),
                ("sparse", Storage::Sparse),
            ],
        )?;
        let n = mrio.n_industries();
        let negative = mrio.z.iter().position(|z| *z < 0.0);
        if let (Storage::Sparse, Some(k)) = (p.storage, negative) {
            let label = |i: usize| {
                let s = mrio.sectors.len();
                format!("{}|{}", mrio.regions[i / s], mrio.sectors[i % s])
            };
            return cx.err(
                Some(v.span()),
                "model.storage",
                format!(
                    "sparse storage needs a table without negative entries in Z, and \
                     Z[{}, {}] = {}; use \"auto\" or \"dense\"",
                    label(k / n),
                    label(k % n),
                    mrio.z[k]
                ),
            );
        }
    }
    if let Some(v) = &m.order_type {
        p.order_type = cx.choice(
            v,
            "order_type",
            "order type",
            &[("alt", OrderType::Alt), ("noalt", OrderType::NoAlt)],
        )?;
    }
    let num =
        |v: &Option<Spanned<f64>>, key: &str, positive: bool| -> Result<Option<f64>, SimError> {
            match v {
                None => Ok(None),
                Some(s) if s.get_ref().is_finite() && (!positive || *s.get_ref() > 0.0) => {
                    Ok(Some(*s.get_ref()))
                }
                Some(s) => cx.err(
                    Some(s.span()),
                    format!("model.{key}"),
                    "must be a finite positive number",
                ),
            }
        };
    if let Some(v) = num(&m.alpha_base, "alpha_base", true)? {
        p.alpha_base = v;
    }
    if let Some(v) = num(&m.alpha_max, "alpha_max", true)? {
        p.alpha_max = v;
    }
    if p.alpha_max < p.alpha_base {
        // At the key the file sets: with the default α_max, the fault is α_base's.
        return match &m.alpha_max {
            Some(max) => cx.err(
                Some(max.span()),
                "model.alpha_max",
                format!("{} must be ≥ alpha_base ({})", p.alpha_max, p.alpha_base),
            ),
            None => cx.err(
                m.alpha_base.as_ref().map(|s| s.span()),
                "model.alpha_base",
                format!(
                    "{} is above alpha_max ({}, the default): lower it or set alpha_max",
                    p.alpha_base, p.alpha_max
                ),
            ),
        };
    }
    if let Some(v) = num(&m.alpha_tau, "alpha_tau", true)? {
        p.alpha_tau = v;
    }
    if let Some(v) = num(&m.main_inv_dur, "main_inv_dur", true)? {
        p.main_inv_dur = v;
    }
    if let Some(v) = num(&m.monetary_factor, "monetary_factor", true)? {
        p.monetary_factor = v;
    }
    if let Some(v) = num(&m.psi_param, "psi_param", false)? {
        if !(0.0..=1.0).contains(&v) {
            return cx.err(
                m.psi_param.as_ref().map(|s| s.span()),
                "model.psi_param",
                "must be between 0 and 1",
            );
        }
        p.psi = v;
    }
    if let Some(tau) = &m.inventory_restoration_tau {
        p.inventory_restoration_tau = match tau.get_ref() {
            RawTau::One(v) if *v >= 1.0 => vec![*v; mrio.sectors.len()],
            RawTau::One(_) => {
                return cx.err(
                    Some(tau.span()),
                    "model.inventory_restoration_tau",
                    "must be ≥ 1 step",
                );
            }
            RawTau::PerSector(plain) => {
                let t: BTreeMap<String, Spanned<f64>> = plain
                    .iter()
                    .map(|(k, v)| (k.clone(), Spanned::new(tau.span(), *v)))
                    .collect();
                let t = &t;
                let vals =
                    sector_table(cx, "model.inventory_restoration_tau", t, mrio, tau.span())?;
                let mut out = Vec::new();
                for v in vals {
                    if *v.get_ref() < 1.0 {
                        return cx.err(
                            Some(v.span()),
                            "model.inventory_restoration_tau",
                            "must be ≥ 1 step",
                        );
                    }
                    out.push(*v.get_ref());
                }
                out
            }
        };
    }
    if let Some(dict) = &m.inventory_dict {
        let vals = sector_table(
            cx,
            "model.inventory_dict",
            dict.get_ref(),
            mrio,
            dict.span(),
        )?;
        let mut out = Vec::new();
        // `vals` follow the table's sectors in order: a bad value is named by its sector.
        for (v, sector) in vals.iter().zip(&mrio.sectors) {
            out.push(match v.get_ref() {
                NumOrText::Num(d) if d.is_infinite() && *d > 0.0 => InventoryDays::Infinite,
                NumOrText::Num(d) if d.is_finite() && *d > 0.0 => InventoryDays::Days(*d),
                NumOrText::Text(t)
                    if ["inf", "Inf", "Infinity", "infinity"].contains(&t.as_str()) =>
                {
                    InventoryDays::Infinite
                }
                _ => {
                    return cx.err(
                        Some(v.span()),
                        format!("model.inventory_dict.{sector}"),
                        "must be a positive number of steps or \"inf\"",
                    );
                }
            });
        }
        p.inventory_days = Some(out);
    }
    if p.kind == ModelKind::Base {
        for (name, given) in [
            ("psi_param", m.psi_param.is_some()),
            (
                "inventory_restoration_tau",
                m.inventory_restoration_tau.is_some(),
            ),
        ] {
            if given {
                warnings.push(format!(
                    "{}: model.{name} is ignored under kind = \"base\"",
                    cx.path.display()
                ));
            }
        }
    }
    // The model's own checks (`ModelParams::check`, values that overflow this table), at
    // the key they name, so that the model refuses nothing the file was not told about.
    let n = mrio.n_industries();
    let checked = p
        .check(mrio.sectors.len(), n)
        .and_then(|()| p.check_headroom(mrio.largest_flow(p.steps_per_year), n));
    if let Err(SimError::Parameter { name, message }) = checked {
        let span = match name.as_str() {
            "alpha_base" => m.alpha_base.as_ref().map(|s| s.span()),
            "alpha_max" => m.alpha_max.as_ref().map(|s| s.span()),
            "alpha_tau" => m.alpha_tau.as_ref().map(|s| s.span()),
            "main_inv_dur" => m.main_inv_dur.as_ref().map(|s| s.span()),
            "psi_param" => m.psi_param.as_ref().map(|s| s.span()),
            "monetary_factor" => m.monetary_factor.as_ref().map(|s| s.span()),
            "inventory_dict" => m.inventory_dict.as_ref().map(|s| s.span()),
            "inventory_restoration_tau" => m.inventory_restoration_tau.as_ref().map(|s| s.span()),
            _ => None,
        };
        // A key the file does not set is at its default: say so, since it has no position.
        let message = if span.is_none() {
            format!("{message} (the default: the file does not set it)")
        } else {
            message
        };
        return cx.err(span, format!("model.{name}"), message);
    }
    checked?;
    Ok(p)
}
