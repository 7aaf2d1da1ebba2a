//! The instruments of a policy scenario, one reader per `[[table]]`: each checks its
//! entries' keys, regions, stages and dates and returns them ready to run.

use super::items::Item;
use super::{CapacityShock, DemandShock, ExportControl, NewSupply, Substitution, Suspension};
use crate::SimError;
use crate::date::Date;
use crate::policies::QuotaRelease;
use crate::policies::dist::Param;

/// The simulated days, `[first, after)`.
pub(super) type Horizon = (Date, Date);

/// `[[export_control]]` entries: names are unique, and a control acts on exports only
/// (the exporter is never its own destination).
pub(super) fn controls(
    items: Vec<Item<'_>>,
    regions: &[String],
    horizon: Horizon,
) -> Result<Vec<ExportControl>, SimError> {
    let mut controls: Vec<ExportControl> = Vec::new();
    for it in items {
        it.only(&[
            "name",
            "exporter",
            "products",
            "destinations",
            "except",
            "start",
            "end",
            "approval_share",
            "delay_days",
            "quota_t_per_month",
            "quota_release",
            "note",
        ])?;
        let name = it.string("name")?;
        if controls.iter().any(|c| c.name == name) {
            return Err(it.err("name", &format!("control `{name}` is defined twice")));
        }
        let exporter = it.region("exporter", regions)?;
        let (start, end) = it.span(horizon)?;
        let mut destinations = it.regions_or_all("destinations", regions, true)?;
        if let Some(ex) = it.table.get("except") {
            for r in it.region_list(ex, "except", regions)? {
                destinations[r] = false;
            }
        }
        let listed = destinations.clone();
        destinations[exporter] = false; // a control acts on exports only
        if !destinations.contains(&true) {
            // Name what emptied the list: `except` removing every destination is not
            // "the exporter itself".
            let (key, why) = if listed.contains(&true) {
                (
                    "destinations",
                    "no destination but the exporter itself; a control acts on exports to \
                     other regions",
                )
            } else {
                (
                    "except",
                    "removes every destination, so the control covers no exports; narrow \
                     `except` or widen `destinations`",
                )
            };
            return Err(it.err(key, why));
        }
        controls.push(ExportControl {
            name,
            exporter,
            stages: it.products("products")?,
            destinations,
            start,
            end,
            approval_share: it.param("approval_share", 0.0, 1.0)?,
            delay_days: it
                .opt_param("delay_days", 0.0, 365.0)?
                .unwrap_or(Param::fixed(0.0, 0.0, 365.0)),
            quota_t_per_month: it.opt_param("quota_t_per_month", 0.0, 1e9)?,
            quota_release: match it.table.get("quota_release") {
                None => QuotaRelease::FirstCome,
                Some(_) => {
                    let v = it.string("quota_release")?;
                    QuotaRelease::parse(&v).ok_or_else(|| {
                        it.err(
                            "quota_release",
                            &format!("unknown `{v}`; expected one of first_come, even"),
                        )
                    })?
                }
            },
        });
    }
    Ok(controls)
}

/// `[[suspension]]` entries, each of a control defined above, within its dates and
/// destinations: one that can never act is refused.
pub(super) fn suspensions(
    items: Vec<Item<'_>>,
    regions: &[String],
    horizon: Horizon,
    controls: &[ExportControl],
) -> Result<Vec<Suspension>, SimError> {
    let mut suspensions = Vec::new();
    for it in items {
        it.only(&[
            "control",
            "destinations",
            "start",
            "end",
            "approval_share",
            "delay_days",
            "note",
        ])?;
        let name = it.string("control")?;
        let control = controls
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = controls.iter().map(|c| c.name.as_str()).collect();
                it.err(
                    "control",
                    &format!(
                        "no export control named `{name}`; defined: {}",
                        known.join(", ")
                    ),
                )
            })?;
        let (start, end) = it.span(horizon)?;
        if start < controls[control].start {
            return Err(it.err(
                "start",
                &format!(
                    "suspension starts {start}, before control `{name}` starts {}",
                    controls[control].start
                ),
            ));
        }
        if let Some(end) = controls[control].end
            && start >= end
        {
            return Err(it.err(
                "start",
                &format!(
                    "suspension starts {start}, when control `{name}` has ended ({end}), so \
                     it can never act; correct the date or the control's end"
                ),
            ));
        }
        let mut destinations = it.regions_or_all("destinations", regions, true)?;
        for (d, c) in destinations.iter_mut().zip(&controls[control].destinations) {
            *d &= *c;
        }
        if !destinations.contains(&true) {
            return Err(it.err(
                "destinations",
                &format!(
                    "none of these destinations is under control `{name}`, so this \
                     suspension can never act; name destinations the control covers"
                ),
            ));
        }
        suspensions.push(Suspension {
            control,
            destinations,
            start,
            end,
            approval_share: it
                .opt_param("approval_share", 0.0, 1.0)?
                .unwrap_or(Param::fixed(1.0, 0.0, 1.0)),
            delay_days: it
                .opt_param("delay_days", 0.0, 365.0)?
                .unwrap_or(Param::fixed(0.0, 0.0, 365.0)),
        });
    }
    Ok(suspensions)
}

/// `[[capacity_shock]]` entries.
pub(super) fn capacity_shocks(
    items: Vec<Item<'_>>,
    regions: &[String],
    horizon: Horizon,
) -> Result<Vec<CapacityShock>, SimError> {
    let mut capacity_shocks = Vec::new();
    for it in items {
        it.only(&["region", "stage", "start", "end", "capacity_factor", "note"])?;
        let (start, end) = it.span(horizon)?;
        capacity_shocks.push(CapacityShock {
            region: it.region("region", regions)?,
            stage: it.stage("stage")?,
            start,
            end,
            capacity_factor: it.param("capacity_factor", 0.0, 10.0)?,
        });
    }
    Ok(capacity_shocks)
}

/// `[[demand_shock]]` entries (all regions when `region` is absent).
pub(super) fn demand_shocks(
    items: Vec<Item<'_>>,
    regions: &[String],
    horizon: Horizon,
) -> Result<Vec<DemandShock>, SimError> {
    let mut demand_shocks = Vec::new();
    for it in items {
        it.only(&[
            "region",
            "industry",
            "start",
            "end",
            "demand_factor",
            "note",
        ])?;
        let (start, end) = it.span(horizon)?;
        demand_shocks.push(DemandShock {
            regions: it.regions_or_all("region", regions, true)?,
            industries: it.industries("industry")?,
            start,
            end,
            demand_factor: it.param("demand_factor", 0.0, 10.0)?,
        });
    }
    Ok(demand_shocks)
}

/// `[[new_supply]]` entries: new mines and plants, commissioned on a simulated day or
/// before.
pub(super) fn new_supply(
    items: Vec<Item<'_>>,
    regions: &[String],
    horizon: Horizon,
) -> Result<Vec<NewSupply>, SimError> {
    let mut new_supply = Vec::new();
    for it in items {
        it.only(&[
            "region",
            "stage",
            "capacity_t_per_year",
            "commissioning",
            "commissioning_delay_days",
            "ramp_up_months",
            "note",
        ])?;
        new_supply.push(NewSupply {
            region: it.region("region", regions)?,
            stage: it.stage("stage")?,
            capacity_t_per_year: it.param("capacity_t_per_year", 0.0, 1e8)?,
            commissioning: it.date_in_horizon("commissioning", horizon)?,
            commissioning_delay_days: it
                .opt_param("commissioning_delay_days", 0.0, 3650.0)?
                .unwrap_or(Param::fixed(0.0, 0.0, 3650.0)),
            ramp_up_months: it
                .opt_param("ramp_up_months", 0.0, 120.0)?
                .unwrap_or(Param::fixed(12.0, 0.0, 120.0)),
        });
    }
    Ok(new_supply)
}

/// `[[substitution]]` entries, starting on a simulated day or before.
pub(super) fn substitutions(
    items: Vec<Item<'_>>,
    regions: &[String],
    horizon: Horizon,
) -> Result<Vec<Substitution>, SimError> {
    let mut substitutions = Vec::new();
    for it in items {
        it.only(&[
            "region",
            "industry",
            "share",
            "start",
            "lag_days",
            "ramp_days",
            "note",
        ])?;
        substitutions.push(Substitution {
            regions: it.regions_or_all("region", regions, true)?,
            industries: it.industries("industry")?,
            share: it.param("share", 0.0, 1.0)?,
            start: it.date_in_horizon("start", horizon)?,
            lag_days: it
                .opt_param("lag_days", 0.0, 3650.0)?
                .unwrap_or(Param::fixed(0.0, 0.0, 3650.0)),
            ramp_days: it
                .opt_param("ramp_days", 0.0, 3650.0)?
                .unwrap_or(Param::fixed(90.0, 0.0, 3650.0)),
        });
    }
    Ok(substitutions)
}
