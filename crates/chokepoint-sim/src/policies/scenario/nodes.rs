//! Checks against the chain's nodes: a capacity shock on a region that does not produce the
//! stage, or a demand shock or substitution on industries that use no magnets there, runs
//! exactly as if it were absent. Like an instrument dated outside the horizon, it is a
//! mistake (a wrong region or industry), so it is refused with the nodes that exist.

use super::items::Cx;
use super::{PolicyScenario, ScenarioFile};
use crate::SimError;
use crate::montecarlo::NetworkInput;
use crate::network::assumptions::Key;
use crate::network::chain::{
    ChainFacts, ChainNetwork, END_USE_KEYS, Industry, N_INDUSTRIES, REGIONS, STAGES,
    end_use_share_from_data, named_end_use_shares,
};
use crate::policies::{Draw, Plan};

impl ScenarioFile {
    /// Checks a scenario of the rare-earth chain (`input`: the bundled chain's facts or a
    /// network file) against its regions and nodes. A node counts when the network has it
    /// under the central assumptions or in any of [`NODE_DRAWS`] random draws: with random
    /// assumptions (Japan's share of non-Chinese magnets up to 1, say) a node can be absent
    /// at the centre and present in most runs.
    pub fn check_chain(self, input: &NetworkInput) -> Result<PolicyScenario, SimError> {
        let regions: Vec<String> = match input {
            NetworkInput::Fixed(net) => net.regions.clone(),
            NetworkInput::Bundled(_) => REGIONS.iter().map(|r| r.to_string()).collect(),
        };
        let (file, text) = (self.file.clone(), self.text.clone());
        let scenario = self.check_with(&regions, None)?;
        let mut draws = vec![Draw::central(&scenario)];
        for i in 0..NODE_DRAWS {
            let mut rng = crate::montecarlo::run_rng(0, i);
            draws.push(Draw::sample(&scenario, &mut rng));
        }
        let nets = draws
            .iter()
            .map(|d| input.network(d))
            .collect::<Result<Vec<_>, _>>()?;
        let plans: Vec<Plan> = draws.iter().map(|d| Plan::compile(&scenario, d)).collect();
        let cx = Cx {
            file: &file,
            text: &text,
            products: None,
        };
        if let NetworkInput::Bundled(facts) = input {
            check_end_uses(&cx, &scenario, facts, &draws)?;
        }
        check_nodes(&cx, &scenario, &nets)?;
        let lag = draws[0]
            .assumptions
            .get(crate::network::assumptions::Key::ControlEnforcementLagDays);
        check_timing(&cx, &scenario, &nets, &plans, lag)?;
        Ok(scenario)
    }
}

/// End-use shares a scenario sets must act and hold together: a share the bundled data give
/// (EV traction, consumer electronics) is the data's, so a key for it would be ignored
/// without a word; and the named shares may not add up to more than 1 (the rest is
/// `other`) in the central or any checked draw: 0.9 for wind and for industrial motors were
/// scaled down to 0.41 each, and the data's EV share from 7 % to 3 %, without a word.
fn check_end_uses(
    cx: &Cx<'_>,
    s: &PolicyScenario,
    facts: &ChainFacts,
    draws: &[Draw],
) -> Result<(), SimError> {
    let given: Vec<Key> = END_USE_KEYS
        .iter()
        .map(|(_, k)| *k)
        .filter(|k| s.assumptions.iter().any(|(idx, _)| *idx == *k as usize))
        .collect();
    let Some(first) = given.first() else {
        return Ok(());
    };
    for (ind, key) in END_USE_KEYS {
        if let (true, Some(v)) = (given.contains(&key), end_use_share_from_data(facts, ind)) {
            return Err(cx.err(
                &format!("assumptions.{}", key.spec().key),
                &format!(
                    "the bundled data give {}'s share of magnet demand ({:.1} %, end_uses.csv), \
                     and the chain uses it: this key applies only to industries the data give \
                     no share for; leave it out",
                    ind.as_str(),
                    100.0 * v
                ),
            ));
        }
    }
    for (i, d) in draws.iter().enumerate() {
        let shares = named_end_use_shares(facts, &d.assumptions);
        let sum: f64 = shares.iter().sum();
        if sum > 1.0 + 1e-9 {
            let parts: Vec<String> = END_USE_KEYS
                .iter()
                .zip(shares)
                .map(|((ind, key), v)| {
                    let from = if end_use_share_from_data(facts, *ind).is_some() {
                        "data"
                    } else if given.contains(key) {
                        "this file"
                    } else {
                        "default"
                    };
                    format!("{} {v:.3} ({from})", ind.as_str())
                })
                .collect();
            return Err(cx.err(
                &format!("assumptions.{}", first.spec().key),
                &format!(
                    "the named industries' shares of magnet demand add up to {sum:.3}{}: {}; \
                     they may add up to at most 1 (the rest is `other`), so lower the shares \
                     this file sets",
                    if i == 0 { "" } else { " in a random draw" },
                    parts.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Random draws (besides the central one) in which a node may exist for an instrument on it
/// to be accepted.
pub const NODE_DRAWS: usize = 16;

/// `nets[0]` is the central network, named in the messages; the others are draws.
fn check_nodes(cx: &Cx<'_>, s: &PolicyScenario, nets: &[ChainNetwork]) -> Result<(), SimError> {
    let Some(net) = nets.first() else {
        return Ok(());
    };
    let produces = |r: usize, p: usize| nets.iter().any(|n| n.production(r, p) > 0.0);
    let uses = |r: usize, i: usize| {
        nets.iter()
            .any(|n| n.industry_demand_t_per_day[r * N_INDUSTRIES + i] > 0.0)
    };
    for (k, c) in s.capacity_shocks.iter().enumerate() {
        if !produces(c.region, c.stage) {
            return Err(cx.err(
                &format!("capacity_shock[{k}].region"),
                &format!(
                    "{} produces no {} in the chain, so this shock can never act; regions \
                     and the stages they produce: {}",
                    net.regions[c.region],
                    STAGES[c.stage],
                    producers(net, &produces)
                ),
            ));
        }
    }
    let hit_users = |regions: &[bool], industries: &[bool]| {
        (0..net.n_regions())
            .any(|r| regions[r] && (0..industries.len()).any(|i| industries[i] && uses(r, i)))
    };
    let shocks = s
        .demand_shocks
        .iter()
        .map(|d| ("demand_shock", &d.regions, &d.industries));
    let subs = s
        .substitutions
        .iter()
        .map(|d| ("substitution", &d.regions, &d.industries));
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for (kind, regions, industries) in shocks.chain(subs) {
        let k = seen.entry(kind).or_default();
        if !hit_users(regions, industries) {
            let names = |mask: &[bool], name: &dyn Fn(usize) -> String| {
                (0..mask.len())
                    .filter(|&i| mask[i])
                    .map(name)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(cx.err(
                &format!("{kind}[{k}].region"),
                &format!(
                    "no magnet use by {} in {} in the chain, so this {kind} can never act; \
                     regions and the industries that use magnets there: {}",
                    names(industries, &|i| Industry::ALL[i].as_str().to_string()),
                    names(regions, &|r| net.regions[r].clone()),
                    users(net, &uses)
                ),
            ));
        }
        *k += 1;
    }
    Ok(())
}

/// Instruments whose drawn dates leave them no simulated day (in the central draw and in
/// every random one): a control that ends within the enforcement lag, a suspension over
/// before its control bites, new supply
/// commissioned or substitution arriving after the horizon; and a control on an exporter
/// that produces none of its products (nor gets new supply of them).
fn check_timing(
    cx: &Cx<'_>,
    s: &PolicyScenario,
    nets: &[ChainNetwork],
    plans: &[Plan],
    central_lag_days: f64,
) -> Result<(), SimError> {
    let days = s.days as f64;
    for (ci, c) in s.controls.iter().enumerate() {
        let in_force = plans.iter().any(|p| {
            let st = p.controls[ci].steps;
            st.start < st.end && (st.start as f64) < days
        });
        if !in_force {
            // Goods in the pipeline clear for the enforcement lag after the start: the
            // control bites only after it, which is after its end or after the last
            // simulated day.
            let last = s.start.plus_days(s.days as i64 - 1);
            let (key, what) = match c.end {
                Some(end) if end <= last => (
                    "end",
                    format!("it ends {end}, before it bites; move the end later"),
                ),
                _ => (
                    "start",
                    format!(
                        "it would bite after the simulated days end ({last}); start it \
                         earlier or lengthen chain.days"
                    ),
                ),
            };
            return Err(cx.err(
                &format!("export_control[{ci}].{key}"),
                &format!(
                    "goods in the pipeline clear for `control_enforcement_lag_days` \
                     ({central_lag_days:.0} days at the centre) after the control starts, and \
                     {what} or shorten the lag: it can never act"
                ),
            ));
        }
        let makes = c.stages.iter().any(|&p| {
            nets.iter().any(|n| n.production(c.exporter, p) > 0.0)
                || s.new_supply
                    .iter()
                    .any(|x| x.region == c.exporter && x.stage == p)
        });
        if !makes {
            let net = &nets[0];
            return Err(cx.err(
                &format!("export_control[{ci}].exporter"),
                &format!(
                    "{} produces none of the controlled products in the chain, so this \
                     control can never act; regions and the stages they produce: {}",
                    net.regions[c.exporter],
                    producers(net, &|r, p| nets.iter().any(|n| n.production(r, p) > 0.0))
                ),
            ));
        }
    }
    // A suspension acts only while its control does: one that ends before the control
    // bites (within the enforcement lag) ran exactly as if absent.
    for (si, x) in s.suspensions.iter().enumerate() {
        let k = s.suspensions[..si]
            .iter()
            .filter(|y| y.control == x.control)
            .count();
        let acts = plans.iter().any(|p| {
            let c = &p.controls[x.control];
            c.suspensions.get(k).is_some_and(|(st, _, _, _)| {
                st.start.max(c.steps.start) < st.end.min(c.steps.end).min(s.days as i64)
            })
        });
        if !acts {
            return Err(cx.err(
                &format!("suspension[{si}].end"),
                &format!(
                    "control `{}` bites only after `control_enforcement_lag_days` \
                     ({central_lag_days:.0} days at the centre) from its start, and this \
                     suspension is over by then (or after the simulated days): it can never \
                     act; move its dates later or shorten the lag",
                    s.controls[x.control].name
                ),
            ));
        }
    }
    let after_horizon = |first: &dyn Fn(&Plan) -> f64| plans.iter().all(|p| first(p) >= days);
    for i in 0..s.new_supply.len() {
        if after_horizon(&|p| p.new_supply[i].2) {
            return Err(cx.err(
                &format!("new_supply[{i}].commissioning"),
                "commissioning plus `commissioning_delay_days` falls after the simulated days \
                 in every draw, so this new supply can never act; lengthen chain.days or \
                 correct the date",
            ));
        }
    }
    for i in 0..s.substitutions.len() {
        if after_horizon(&|p| p.substitutions[i].from) {
            return Err(cx.err(
                &format!("substitution[{i}].start"),
                "start plus `lag_days` falls after the simulated days in every draw, so this \
                 substitution can never act; lengthen chain.days or correct the date",
            ));
        }
    }
    Ok(())
}

/// `CHN (mining, separation, …); USA (mining); …`
fn producers(net: &ChainNetwork, produces: &dyn Fn(usize, usize) -> bool) -> String {
    listing(net, STAGES.len(), &|r, p| {
        produces(r, p).then_some(STAGES[p])
    })
}

/// `CHN (ev_traction_motors, …); EU (…); …`
fn users(net: &ChainNetwork, uses: &dyn Fn(usize, usize) -> bool) -> String {
    listing(net, Industry::ALL.len(), &|r, i| {
        uses(r, i).then_some(Industry::ALL[i].as_str())
    })
}

fn listing(
    net: &ChainNetwork,
    n: usize,
    name: &dyn Fn(usize, usize) -> Option<&'static str>,
) -> String {
    (0..net.n_regions())
        .filter_map(|r| {
            let names: Vec<&str> = (0..n).filter_map(|x| name(r, x)).collect();
            (!names.is_empty()).then(|| format!("{} ({})", net.regions[r], names.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::chain::tests::sample_facts;

    fn check(instrument: &str) -> Result<PolicyScenario, SimError> {
        let text = format!("[chain]\nstart = \"2025-04-01\"\ndays = 60\n{instrument}");
        ScenarioFile::parse(std::path::Path::new("s.toml"), &text)?
            .check_chain(&NetworkInput::Bundled(sample_facts()))
    }

    fn refused(instrument: &str) -> String {
        check(instrument).unwrap_err().to_string()
    }

    /// Instruments whose drawn timing leaves them no simulated day (horizon 2025-04-01 to
    /// 2025-05-30), and a control on an exporter that makes none of its products.
    #[test]
    fn instruments_timed_out_of_the_horizon_are_refused() {
        let control = |dates: &str| {
            format!(
                "[[export_control]]\nname = \"c\"\nexporter = \"CHN\"\nproducts = [\"magnets\"]\n\
                 destinations = \"all\"\n{dates}approval_share = 0\n"
            )
        };
        let e = refused(&control("start = \"2025-04-04\"\nend = \"2025-04-10\"\n"));
        assert!(
            e.contains("export_control[0].end") && e.contains("before it bites"),
            "{e}"
        );
        let e = refused(&control("start = \"2025-05-25\"\n"));
        assert!(
            e.contains("export_control[0].start") && e.contains("can never act"),
            "{e}"
        );
        assert!(check(&control("start = \"2025-04-04\"\n")).is_ok());
        let e = refused(
            "[[new_supply]]\nregion = \"AUS\"\nstage = \"mining\"\ncapacity_t_per_year = 1000\n\
             commissioning = \"2025-05-20\"\ncommissioning_delay_days = 30\n",
        );
        assert!(
            e.contains("new_supply[0].commissioning`") && e.contains("falls after"),
            "{e}"
        );
        let e = refused(
            "[[export_control]]\nname = \"c\"\nexporter = \"KOR\"\nproducts = [\"mining\"]\n\
             destinations = \"all\"\nstart = \"2025-04-04\"\napproval_share = 0\n",
        );
        assert!(
            e.contains("export_control[0].exporter") && e.contains("produces none"),
            "{e}"
        );
    }

    #[test]
    fn instruments_that_can_never_act_are_refused_with_location_and_nodes() {
        let e = refused(
            "[[capacity_shock]]\nregion = \"USA\"\nstage = \"magnets\"\nstart = \"2025-04-10\"\n\
             capacity_factor = 0.5\n",
        );
        assert!(e.contains("s.toml:5:"), "{e}");
        assert!(e.contains("capacity_shock[0].region"), "{e}");
        assert!(e.contains("USA produces no magnets"), "{e}");
        assert!(
            e.contains("CHN (mining, separation, metal, magnets)"),
            "{e}"
        );

        let e = refused(
            "[[demand_shock]]\nregion = \"AUS\"\nindustry = \"defense\"\nstart = \"2025-04-10\"\n\
             demand_factor = 2\n",
        );
        assert!(e.contains("demand_shock[0].region"), "{e}");
        assert!(e.contains("no magnet use by defense in AUS"), "{e}");

        let e = refused(
            "[[substitution]]\nregion = \"EU\"\nindustry = \"wind_turbines\"\nshare = 0.5\n\
             start = \"2099-01-01\"\n",
        );
        assert!(e.contains("substitution[0].start"), "{e}");
        assert!(e.contains("can never act"), "{e}");

        let e = refused(
            "[[new_supply]]\nregion = \"USA\"\nstage = \"magnets\"\ncapacity_t_per_year = 1000\n\
             commissioning = \"2099-01-01\"\n",
        );
        assert!(
            e.contains("new_supply[0].commissioning`") && e.contains("can never act"),
            "{e}"
        );
        assert!(e.contains("2025-05-30"), "{e}");
    }

    #[test]
    fn instruments_on_existing_nodes_pass() {
        check(
            "[[capacity_shock]]\nregion = \"CHN\"\nstage = \"magnets\"\nstart = \"2025-04-10\"\n\
             capacity_factor = 0.5\n[[demand_shock]]\nregion = \"all\"\nindustry = \"defense\"\n\
             start = \"2025-04-10\"\ndemand_factor = 2\n",
        )
        .unwrap();
    }

    /// A node absent under the central assumptions but present in most draws is accepted:
    /// with Japan's share of non-Chinese magnets between 0.5 and 1 (mode 1), the EU makes
    /// magnets in nearly every run.
    #[test]
    fn a_node_present_in_draws_counts() {
        check(
            "[assumptions]\nnon_china_magnet_japan_share = { dist = \"triangular\", min = 0.5, \
             mode = 1.0, max = 1.0 }\n[[capacity_shock]]\nregion = \"EU\"\nstage = \"magnets\"\n\
             start = \"2025-05-01\"\ncapacity_factor = 0.5\n",
        )
        .unwrap();
    }
}
