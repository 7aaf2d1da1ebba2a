use std::path::{Path, PathBuf};

use super::*;
use crate::model::{InventoryDays, Numerics, Storage};

fn mrio_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/data/test_mrio")
}

fn parse(body: &str) -> Result<Scenario, SimError> {
    let text = format!("[network]\nmrio = \"{}\"\n{body}", mrio_dir().display());
    Scenario::parse(Path::new("s.toml"), &text)
}

#[test]
fn defaults_are_boario_defaults() {
    let s = parse("").unwrap();
    assert_eq!(s.steps, 365);
    assert_eq!(s.params, ModelParams::default());
    assert!(s.events.is_empty());
}

/// A horizon beyond a century of days is a typo (1e11 steps wrote CSV until the disk
/// filled); the bounds are in the message.
#[test]
fn steps_beyond_a_century_are_refused() {
    for bad in ["0", "36501", "100000000000"] {
        let err = parse(&format!("[simulation]\nsteps = {bad}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("simulation.steps") && err.contains("1 to 36500"),
            "{err}"
        );
    }
    assert_eq!(
        parse("[simulation]\nsteps = 36500\n").unwrap().steps,
        36_500
    );
}

#[test]
fn impact_table_addresses_industries_by_label() {
    let s = parse(
        "[[event]]\nkind = \"arbitrary\"\nimpact = { \"reg1|food\" = 0.2, \"reg2|mining\" = 0.5 }\noccurrence = 3\n",
    )
    .unwrap();
    let mut impacts = s.events[0].impacts.clone();
    impacts.sort_by_key(|x| x.0);
    // reg1|food = 0·8 + 2, reg2|mining = 1·8 + 4.
    assert_eq!(impacts, vec![(2, 0.2), (12, 0.5)]);
    assert_eq!(s.events[0].duration, 1);
    assert_eq!(s.events[0].recovery_tau, 1.0);
}

#[test]
fn regions_and_sectors_lists_spread_a_scalar_impact() {
    let s = parse(
        "[[event]]\nkind = \"arbitrary\"\nregions = [\"reg1\", \"reg2\"]\nsectors = [\"food\", \"trade\"]\nimpact = 0.1\noccurrence = 3\n",
    )
    .unwrap();
    assert_eq!(s.events[0].impacts.len(), 4);
}

#[test]
fn inventory_dict_accepts_inf_and_needs_every_sector() {
    let s = parse(
        "[model]\ninventory_dict = { construction = 30, electricity = 30, food = 20, manufactoring = 60, mining = inf, other = \"inf\", trade = \"Infinity\", transport = 30 }\n",
    )
    .unwrap();
    let days = s.params.inventory_days.unwrap();
    assert_eq!(days[4], InventoryDays::Infinite);
    assert_eq!(days[5], InventoryDays::Infinite);
    assert_eq!(days[0], InventoryDays::Days(30.0));
    let err = parse("[model]\ninventory_dict = { food = 20 }\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing construction"), "{err}");
    assert!(err.contains("s.toml:4:"), "{err}");
}

#[test]
fn rebuilding_shares_must_sum_to_one() {
    let err = parse(
        "[[event]]\nkind = \"rebuild\"\nregion = \"reg1\"\nsector = \"food\"\nimpact = 10.0\noccurrence = 3\nrebuild_tau = 30\nrebuilding_sectors = { construction = 0.5 }\n",
    )
    .unwrap_err();
    assert!(err.is_user_error());
    assert!(err.to_string().contains("sum to 0.5"), "{err}");
}

#[test]
fn capital_impact_above_capital_is_rejected() {
    let err = parse(
        "[[event]]\nkind = \"recover\"\nregion = \"reg1\"\nsector = \"food\"\nimpact = 1e30\noccurrence = 3\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("event[0].impact") && err.contains("productive capital"),
        "{err}"
    );
}

/// The capital check is in table units: an `event_monetary_factor` above the model's
/// scales the impact up before it is compared (it was compared unscaled, and the run then
/// crashed at the occurrence with exit code 1).
#[test]
fn capital_impact_is_checked_after_the_event_monetary_factor() {
    let event = |extra: &str| {
        format!(
            "[[event]]\nkind = \"recover\"\nregion = \"reg3\"\nsector = \"mining\"\nimpact = 1e6\noccurrence = 3\n{extra}"
        )
    };
    // 1e6 of the table's units is within reg3|mining's capital (9.8e7)…
    assert!(parse(&event("")).is_ok());
    // …1e6 × 1e6 / 1e6 too, but 1e6 × 1e12 / 1e6 = 1e12 is not.
    assert!(parse(&event("event_monetary_factor = 1e6\n")).is_ok());
    let err = parse(&event("event_monetary_factor = 1e12\n"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("event[0].impact")
            && err.contains("reg3|mining")
            && err.contains("monetary_factor = 1000000)")
            && err.contains("s.toml:"),
        "{err}"
    );
}

/// A reconstruction stock that overflows (impact × rebuilding_factor, rounded to the
/// event's decimals) is an input error, not a crash a few steps in.
#[test]
fn rebuilding_factor_that_overflows_is_rejected() {
    let event = |factor: &str| {
        format!(
            "[[event]]\nkind = \"rebuild\"\nregion = \"reg3\"\nsector = \"mining\"\nimpact = 1e6\noccurrence = 3\nrebuild_tau = 30\nrebuilding_sectors = {{ construction = 1.0 }}\nrebuilding_factor = {factor}\n"
        )
    };
    assert!(parse(&event("2.0")).is_ok());
    let err = parse(&event("1e300")).unwrap_err();
    assert!(err.is_user_error());
    assert!(err.to_string().contains("would overflow"), "{err}");
}

#[test]
fn unknown_kind_lists_the_choices() {
    let err = parse("[model]\nkind = \"fancy\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("model.kind") && err.contains("\"psi\" or \"base\""),
        "{err}"
    );
}

#[test]
fn storage_defaults_to_auto_and_is_checked() {
    assert_eq!(parse("").unwrap().params.storage, Storage::Auto);
    for (text, want) in [("dense", Storage::Dense), ("sparse", Storage::Sparse)] {
        let toml = format!("[model]\nstorage = \"{text}\"\n");
        assert_eq!(parse(&toml).unwrap().params.storage, want);
    }
    let err = parse("[model]\nstorage = \"csr\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("model.storage") && err.contains("\"sparse\""),
        "{err}"
    );
}

#[test]
fn numerics_default_exact_and_fast_on_request() {
    assert_eq!(parse("").unwrap().params.numerics, Numerics::Exact);
    assert_eq!(
        parse("[model]\nnumerics = \"fast\"\n")
            .unwrap()
            .params
            .numerics,
        Numerics::Fast
    );
    let err = parse("[model]\nnumerics = \"quick\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("model.numerics") && err.contains("\"exact\" or \"fast\""),
        "{err}"
    );
}

/// A negative Z cell is refused at load whatever the storage (ARIO review: under `auto` the
/// table ran dense to the horizon, where BoARIO stops at step 0 with "Negative orders
/// computed"); the message names the cell.
#[test]
fn a_table_with_a_negative_z_cell_is_refused_whatever_the_storage() {
    // The test table with Z[reg1|construction, reg1|construction] made negative (A, which
    // is optional, would no longer agree with Z / x).
    let dir = std::env::temp_dir().join(format!("chokepoint-negative-z-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(mrio_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "A.csv" {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let z = std::fs::read_to_string(dir.join("Z.csv")).unwrap();
    let mut lines: Vec<String> = z.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
    fields[2] = "-1".into();
    lines[1] = fields.join(",");
    std::fs::write(dir.join("Z.csv"), lines.join("\n") + "\n").unwrap();
    let scenario = |storage: &str| {
        let text = format!(
            "[network]\nmrio = \"{}\"\n[model]\nstorage = \"{storage}\"\n",
            dir.display()
        );
        Scenario::parse(Path::new("s.toml"), &text)
    };
    let errors: Vec<String> = ["sparse", "auto", "dense"]
        .iter()
        .map(|s| scenario(s).unwrap_err().to_string())
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    for err in errors {
        assert!(
            err.contains("Z.csv:2:")
                && err.contains("reg1|construction's Z row holds -1 for reg1|construction"),
            "{err}"
        );
    }
}

/// Relative paths resolve against the scenario's folder, except for a scenario read from a
/// descriptor (`/dev/stdin` and the like), whose folder means nothing: there the current
/// folder. Ordinary files under `/dev/shm` or `/proc/self/cwd` keep their folder.
#[test]
fn relative_paths_resolve_against_the_scenario_folder_unless_it_is_streamed() {
    for (path, base) in [
        ("runs/a.toml", "runs"),
        ("a.toml", ""),
        ("/dev/shm/x/s.toml", "/dev/shm/x"),
        ("/proc/self/cwd/s.toml", "/proc/self/cwd"),
        ("/dev/stdin", "."),
        ("/dev/fd/0", "."),
        ("/proc/self/fd/0", "."),
    ] {
        assert_eq!(relative_base(Path::new(path)), Path::new(base), "{path}");
    }
}

/// F15: a type error or an unknown key named the key `(file)` and said `expected i64`; a
/// negative duration was reported as a sum "within the horizon".
#[test]
fn whole_file_errors_name_their_key_in_words() {
    let e = parse("[simulation]\nsteps = \"60\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("s.toml:4:9: `simulation.steps`"), "{e}");
    assert!(e.contains("expected a whole number"), "{e}");
    assert!(!e.contains("(file)") && !e.contains("i64"), "{e}");
    let e = parse("[model]\nfoo = 1\n").unwrap_err().to_string();
    assert!(e.contains("`model.foo`: unknown field `foo`"), "{e}");
    let e = parse(
        "[simulation]\nsteps = 60\n[[event]]\nkind = \"arbitrary\"\nregion = \"reg3\"\n\
         sector = \"mining\"\nimpact = 0.3\noccurrence = 10\nduration = -5\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("`event[0].duration`: -5 is not a duration"),
        "{e}"
    );
}

/// An event on the last step is refused at `occurrence` (it was refused at an unwritten
/// `duration`), and a huge duration is compared without overflowing the sum.
#[test]
fn event_timing_is_refused_at_the_key_at_fault_without_overflow() {
    let event = |timing: &str| {
        parse(&format!(
            "[simulation]\nsteps = 60\n[[event]]\nkind = \"arbitrary\"\nregion = \"reg3\"\n\
             sector = \"mining\"\nimpact = 0.3\n{timing}\n"
        ))
        .unwrap_err()
        .to_string()
    };
    let e = event("occurrence = 60");
    assert!(
        e.contains("`event[0].occurrence`: 60 is outside the horizon 1..=59"),
        "{e}"
    );
    let e = event("occurrence = 10\nduration = 9223372036854775807");
    assert!(
        e.contains("`event[0].duration`") && e.contains("= 9223372036854775817 must be within"),
        "{e}"
    );
}

/// An event's bad value is reported at its own key and line (it pointed at the event's
/// `kind` line as `event[0]`).
#[test]
fn event_errors_name_the_key_at_fault() {
    let rebuild = |extra: &str| {
        format!(
            "[[event]]\nkind = \"rebuild\"\nregion = \"reg3\"\nsector = \"mining\"\nimpact = 1e6\n\
             occurrence = 3\nrebuild_tau = 30\nrebuilding_sectors = {{ construction = 1.0 }}\n{extra}"
        )
    };
    for (extra, key) in [
        ("rebuilding_factor = -1\n", "`event[0].rebuilding_factor`"),
        (
            "event_monetary_factor = 0\n",
            "`event[0].event_monetary_factor`",
        ),
        ("recovery_tau = 0\n", "`event[0].recovery_tau`"),
    ] {
        let err = parse(&rebuild(extra)).unwrap_err().to_string();
        assert!(err.contains(key), "{extra}: {err}");
        // Two lines of [network] come first; the key is the body's last line.
        let line = rebuild(extra).lines().count() + 2;
        assert!(err.contains(&format!("s.toml:{line}:")), "{extra}: {err}");
    }
}

/// ARIO review: an impact table beside `region` silently overrode it (the event hit other
/// industries than the one named); it is refused at the key.
#[test]
fn an_impact_table_beside_region_or_sector_is_refused() {
    let err = parse(
        "[[event]]\nkind = \"arbitrary\"\nregion = \"reg3\"\nimpact = { \"reg1|food\" = 0.2 }\noccurrence = 3\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("s.toml:5:")
            && err.contains("event[0].region")
            && err.contains("names its industries"),
        "{err}"
    );
}

/// ARIO review: keys an event kind does not use were ignored without a word; they are
/// warned about, as psi-only keys under `kind = "base"` are.
#[test]
fn keys_an_event_kind_does_not_use_are_warned_about() {
    let s = parse(
        "[[event]]\nkind = \"arbitrary\"\nregion = \"reg1\"\nsector = \"food\"\nimpact = 0.2\noccurrence = 3\nrebuild_tau = 30\nevent_monetary_factor = 1000\n",
    )
    .unwrap();
    let w = s.warnings.join("\n");
    assert!(
        w.contains("event[0].rebuild_tau is ignored: only rebuild events use it (this event's kind is \"arbitrary\")"),
        "{w}"
    );
    assert!(
        w.contains("event[0].event_monetary_factor is ignored"),
        "{w}"
    );
    assert!(parse("[[event]]\nkind = \"arbitrary\"\nregion = \"reg1\"\nsector = \"food\"\nimpact = 0.2\noccurrence = 3\nrecovery_tau = 5\n")
        .unwrap()
        .warnings
        .is_empty());
}

/// ARIO review: BoARIO accepts rebuilding shares that sum to 1 within `np.isclose` (shares
/// written to seven places); they were refused beyond 1e-9.
#[test]
fn rebuilding_shares_sum_to_one_as_boario_checks_it() {
    let event = |shares: &str| {
        parse(&format!(
            "[[event]]\nkind = \"rebuild\"\nregion = \"reg1\"\nsector = \"mining\"\nimpact = 100\n\
             occurrence = 3\nrebuild_tau = 30\nrebuilding_sectors = {{ {shares} }}\n"
        ))
    };
    event("construction = 0.3333333, manufactoring = 0.3333333, trade = 0.3333333").unwrap();
    let err = event("construction = 0.5, manufactoring = 0.4999")
        .unwrap_err()
        .to_string();
    assert!(err.contains("shares sum to 0.9999"), "{err}");
}

/// ARIO review: an empty rebuilding table said "shares sum to -0"; it is named as empty.
#[test]
fn an_empty_rebuilding_table_is_named_as_such() {
    let err = parse(
        "[[event]]\nkind = \"rebuild\"\nregion = \"reg1\"\nsector = \"mining\"\nimpact = 100\n\
         occurrence = 3\nrebuild_tau = 30\nrebuilding_sectors = { }\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("rebuilding_sectors is empty"), "{err}");
    assert!(!err.contains("-0"), "{err}");
}

/// ARIO review: a model's `monetary_factor` below 1 was refused through an arbitrary
/// event, which never uses it, at a key the file does not have; a capital event that takes
/// it names the model's key.
#[test]
fn the_event_monetary_factor_is_checked_where_it_is_used_and_named_where_it_comes_from() {
    let arbitrary = "[[event]]\nkind = \"arbitrary\"\nregion = \"reg1\"\nsector = \"food\"\n\
                     impact = 0.2\noccurrence = 3\n";
    assert!(parse(&format!("[model]\nmonetary_factor = 0.5\n{arbitrary}")).is_ok());
    let recover = "[[event]]\nkind = \"recover\"\nregion = \"reg1\"\nsector = \"food\"\n\
                   impact = 100\noccurrence = 3\nrecovery_tau = 5\n";
    let err = parse(&format!("[model]\nmonetary_factor = 0.5\n{recover}"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the event sets none, so it is model.monetary_factor (0.5)"),
        "{err}"
    );
}

/// ARIO review: a block pasted twice ran without a word (its capital destroyed twice).
#[test]
fn a_repeated_event_is_warned_about() {
    let ev = "[[event]]\nkind = \"recover\"\nregion = \"reg1\"\nsector = \"food\"\n\
              impact = 100\noccurrence = 3\nrecovery_tau = 5\n";
    let s = parse(&format!("{ev}{ev}")).unwrap();
    assert_eq!(s.events.len(), 2);
    let w = s.warnings.join("\n");
    assert!(w.contains("event[1] repeats event[0] exactly"), "{w}");
    assert!(parse(ev).unwrap().warnings.is_empty());
}

/// ARIO review: a missing x.txt gave a bare "No such file"; the table's parts are named.
#[test]
fn a_table_without_its_gross_output_says_what_is_missing() {
    let dir = std::env::temp_dir().join(format!("chokepoint-no-x-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["Z.csv", "Y.csv"] {
        std::fs::copy(mrio_dir().join(f), dir.join(f)).unwrap();
    }
    let err = crate::network::Mrio::load(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        err.contains("no x.csv (gross output) beside Z.csv"),
        "{err}"
    );
}

/// ARIO review: serde called `[[network]]` and a TOML date "a map"; the message says what
/// was written and what to write.
#[test]
fn an_array_of_tables_and_a_date_are_named_as_written() {
    let err = Scenario::parse(Path::new("s.toml"), "[[network]]\nmrio = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "`[[network]]` makes a list of tables, and `network` is one table: write `[network]`"
        ),
        "{err}"
    );
    let err = parse(
        "[[event]]\nkind = \"arbitrary\"\nregion = \"reg1\"\nsector = \"food\"\nimpact = 0.2\n\
         occurrence = 2025-01-01\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("a date was written where a whole number is expected"),
        "{err}"
    );
}
