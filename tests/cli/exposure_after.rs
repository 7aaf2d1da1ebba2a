//! `exposure --after`: the post-shock exposure's verdicts and what they are measured against.

use crate::util::{Sandbox, repo_root};

fn json(sb: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    sb.json(&all)
}

/// Procurement review: the EU's metal suppliers in the chain are drawn from world
/// separation shares (no customs data by origin), and `--after` read "before FAIL, after
/// PASS" from them while `exposure` finds the stage not computable. They are an indicator.
#[test]
fn post_shock_crma_on_world_share_flows_is_an_indicator() {
    let sb = Sandbox::new();
    let april = repo_root().join("scenarios/april-2025-controls.toml");
    let v = json(
        &sb,
        &[
            "exposure",
            "--importer",
            "EU",
            "--product",
            "metal",
            "--after",
            april.to_str().unwrap(),
            "--runs",
            "4",
        ],
    );
    let crma = &v["crma"];
    assert_eq!(crma["base"], "global_shares_proxy", "{crma}");
    for at in ["before", "after_p5", "after_p50", "after_p95"] {
        assert_eq!(crma[at]["verdict"], "indicator", "{crma}");
    }
    let text = crma["text"].as_str().unwrap();
    assert!(
        text.starts_with("world-share indicator, not a CRMA test") && !text.contains("PASS"),
        "{text}"
    );
    assert!(
        v["notes"]
            .to_string()
            .contains("the chain's metal flows into EU are drawn from world output shares"),
        "{v}"
    );
}

/// Adversarial review: a scenario cutting demand to zero read as "consumption 99.7 % below
/// its baseline: a shortage". A shortage is measured against what buyers ordered.
#[test]
fn a_demand_cut_is_not_a_shortage() {
    let sb = Sandbox::new();
    let file = sb.write(
        "cut.toml",
        "[chain]\nstart = \"2025-04-01\"\ndays = 120\n[[demand_shock]]\nindustry = \"all\"\n\
         start = \"2025-04-01\"\ndemand_factor = 0\n",
    );
    let v = json(
        &sb,
        &[
            "exposure",
            "--importer",
            "EU",
            "--product",
            "magnets",
            "--after",
            file.to_str().unwrap(),
            "--runs",
            "2",
        ],
    );
    let notes = v["notes"].to_string();
    assert!(!notes.contains("measure a shortage"), "{notes}");
    let crma = &v["crma"];
    for at in ["after_p5", "after_p50", "after_p95"] {
        assert_eq!(
            crma[at]["short_of_supply"],
            serde_json::Value::Null,
            "{crma}"
        );
    }
    let wanted = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == "apparent_consumption_requested")
        .cloned()
        .unwrap();
    assert!(wanted["after_p50"].as_f64().unwrap() < 0.05 * wanted["before"].as_f64().unwrap());
}
