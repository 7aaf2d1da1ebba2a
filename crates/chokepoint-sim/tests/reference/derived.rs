//! The test MRIO's initial arrays (`derived_*.csv`) against BoARIO's.

use chokepoint_sim::{Model, ModelParams, Mrio};

use crate::{data_dir, max_rel_diff, read_csv};

fn model() -> Model {
    let mrio = Mrio::load(&data_dir().join("test_mrio")).unwrap();
    Model::new(&mrio, ModelParams::default()).unwrap()
}

#[test]
fn technical_coefficients_match_boario() {
    let (_, rows) = read_csv(
        &data_dir().join("test_mrio/derived_tech_mat_by_input.csv"),
        1,
    );
    let want: Vec<f64> = rows.concat();
    assert_eq!(max_rel_diff(model().technical_coefficients(), &want), 0.0);
}

#[test]
fn initial_inventories_match_boario() {
    let (_, rows) = read_csv(&data_dir().join("test_mrio/derived_inputs_stock_0.csv"), 1);
    assert_eq!(
        max_rel_diff(model().initial_inventories(), &rows.concat()),
        0.0
    );
}

#[test]
fn input_mask_matches_boario() {
    let (_, rows) = read_csv(
        &data_dir().join("test_mrio/derived_threshold_not_input.csv"),
        1,
    );
    let want: Vec<bool> = rows.concat().iter().map(|v| *v == 1.0).collect();
    assert_eq!(model().input_mask(), want.as_slice());
}

#[test]
fn supplier_shares_match_boario() {
    let (_, rows) = read_csv(&data_dir().join("test_mrio/derived_Z_distrib.csv"), 2);
    let m = model();
    let n = rows.len();
    let ours: Vec<f64> = (0..n * n).map(|k| m.supplier_share(k / n, k % n)).collect();
    assert_eq!(max_rel_diff(&ours, &rows.concat()), 0.0);
}

#[test]
fn industry_vectors_match_boario() {
    let (head, rows) = read_csv(
        &data_dir().join("test_mrio/derived_industry_vectors.csv"),
        2,
    );
    let m = model();
    let col = |name: &str| -> Vec<f64> {
        let k = head.iter().position(|h| h == name).unwrap();
        rows.iter().map(|r| r[k]).collect()
    };
    assert_eq!(max_rel_diff(m.x0(), &col("X_0_per_step")), 0.0);
    assert!(max_rel_diff(m.productive_capital(), &col("productive_capital")) < 1e-14);
    assert_eq!(
        max_rel_diff(m.final_demand_tot(), &col("final_demand_tot_0_per_step")),
        0.0
    );
    assert_eq!(
        max_rel_diff(
            m.intermediate_demand_tot(),
            &col("intermediate_demand_tot_0_per_step")
        ),
        0.0
    );
}

#[test]
fn pymrio_text_layout_loads_like_the_sorted_csv() {
    let txt = Mrio::load(&data_dir().join("pymrio_test_txt")).unwrap();
    let csv = Mrio::load(&data_dir().join("test_mrio")).unwrap();
    assert_eq!(txt.regions, csv.regions);
    assert_eq!(txt.sectors, csv.sectors);
    assert_eq!(txt.fd_categories, csv.fd_categories);
    assert_eq!(max_rel_diff(&txt.z, &csv.z), 0.0);
    assert_eq!(max_rel_diff(&txt.y, &csv.y), 0.0);
    assert_eq!(max_rel_diff(&txt.x, &csv.x), 0.0);
    assert!(max_rel_diff(&txt.a, &csv.a) < 1e-15);
}
