//! Tests of the MRIO loader.

mod largest_flow_tests {
    use crate::network::synthetic::dense_mrio;

    /// Whichever of X, Y and Z summed over supplier regions is largest sets the bound.
    #[test]
    fn largest_flow_sees_output_final_demand_and_regional_sums() {
        let mut mrio = dense_mrio(2, 2, 1, 3).unwrap();
        mrio.x.iter_mut().for_each(|v| *v = 1.0);
        mrio.y.iter_mut().for_each(|v| *v = 1.0);
        mrio.z.iter_mut().for_each(|v| *v = 0.5);
        assert_eq!(mrio.largest_flow(1.0), 1.0);
        // Column 3 of sector 1 in both regions (rows 1 and 3): |−3| + 4 = 7.
        mrio.z[4 + 3] = -3.0;
        mrio.z[3 * 4 + 3] = 4.0;
        assert_eq!(mrio.largest_flow(1.0), 7.0);
        mrio.y[2] = 730.0;
        assert_eq!(mrio.largest_flow(365.0), 2.0);
    }
}

mod given_a_tests {
    use std::path::Path;

    use super::super::Mrio;

    /// An A.csv that disagrees with Z / x names the cell by its industries' labels.
    #[test]
    fn a_disagreeing_a_names_the_cell_by_label() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/data/test_mrio");
        let dir = std::env::temp_dir().join(format!("chokepoint-given-a-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["Z.csv", "Y.csv", "x.csv", "A.csv"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        let a = std::fs::read_to_string(dir.join("A.csv")).unwrap();
        let mut lines: Vec<String> = a.lines().map(String::from).collect();
        let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
        cells[3] = "0.5".into(); // row reg1|construction, column reg1|electricity
        lines[1] = cells.join(",");
        std::fs::write(dir.join("A.csv"), lines.join("\n") + "\n").unwrap();
        let err = Mrio::load(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            err.contains("A[reg1|construction, reg1|electricity] = 0.5"),
            "{err}"
        );
    }
}

mod totals_tests {
    use std::path::{Path, PathBuf};

    use super::super::Mrio;

    /// A copy of the test MRIO (without A) whose line `line` of `file` gets `edit`.
    fn edited(tag: &str, file: &str, line: usize, edit: impl Fn(&mut Vec<String>)) -> PathBuf {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/data/test_mrio");
        let dir =
            std::env::temp_dir().join(format!("chokepoint-totals-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["Z.csv", "Y.csv", "x.csv"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut cells: Vec<String> = lines[line - 1].split(',').map(String::from).collect();
        edit(&mut cells);
        lines[line - 1] = cells.join(",");
        std::fs::write(dir.join(file), lines.join("\n") + "\n").unwrap();
        dir
    }

    fn load_err(dir: &Path) -> String {
        let r = Mrio::load(dir);
        std::fs::remove_dir_all(dir).unwrap();
        match r {
            Ok(_) => panic!("{} loaded", dir.display()),
            Err(e) => e.to_string(),
        }
    }

    /// F19: these ran and failed at step 0 with exit 1 (negative x, negative demand total)
    /// or collapsed the economy without a word (x = 0 or 1e-300 beside the industry's sales).
    #[test]
    fn outputs_and_demand_totals_ario_cannot_start_from_are_refused_at_their_line() {
        for (tag, v, want) in [
            ("neg", "-5", "gross output of reg1|construction is -5"),
            (
                "zero",
                "0",
                "gross output of reg1|construction is 0, but it sells",
            ),
            (
                "tiny",
                "1e-300",
                "gross output of reg1|construction is 1e-300, but",
            ),
        ] {
            let dir = edited(tag, "x.csv", 2, |c| c[2] = v.into());
            let err = load_err(&dir);
            assert!(err.contains("x.csv:2: "), "{err}");
            assert!(err.contains(want), "{err}");
        }
        let dir = edited("y", "Y.csv", 2, |c| c[2] = "-1e9".into());
        let err = load_err(&dir);
        assert!(err.contains("Y.csv:2: reg1|construction sells -"), "{err}");
        assert!(err.contains("correct the final demand"), "{err}");
        // A negative Z cell that makes the total negative is Z's (it was blamed on Y.csv).
        let dir = edited("z", "Z.csv", 2, |c| c[3] = "-1e12".into());
        let err = load_err(&dir);
        assert!(err.contains("Z.csv:2: reg1|construction sells -"), "{err}");
        assert!(err.contains("correct that cell of Z"), "{err}");
    }

    /// A label holding `|` would share its column name with another industry (`a` + `x|y`
    /// and `a|x` + `y`), and a table without data rows is named as empty, not as one whose
    /// header names unknown labels (ARIO review).
    #[test]
    fn labels_with_the_separator_and_tables_without_rows_are_refused() {
        let dir = edited("pipe", "Z.csv", 2, |c| c[1] = "constr|uction".into());
        let err = load_err(&dir);
        assert!(
            err.contains("Z.csv:2: label `constr|uction` holds `|`"),
            "{err}"
        );
        let dir = edited("rows", "Z.csv", 1, |_| {});
        let header = std::fs::read_to_string(dir.join("Z.csv")).unwrap();
        let first = header.lines().next().unwrap().to_string();
        std::fs::write(dir.join("Z.csv"), first + "\n").unwrap();
        let err = load_err(&dir);
        assert!(
            err.contains("Z.csv:1: no data rows after the header"),
            "{err}"
        );
    }

    /// In the pymrio layout a sector label is on the second header line, and is named there.
    #[test]
    fn a_sector_label_with_the_separator_is_named_at_its_header_line() {
        let src =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/data/pymrio_test_txt");
        let dir = std::env::temp_dir().join(format!("chokepoint-pipe-txt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["Z.txt", "Y.txt", "x.txt"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        let z = std::fs::read_to_string(dir.join("Z.txt")).unwrap();
        std::fs::write(
            dir.join("Z.txt"),
            z.replacen("\tmining\t", "\tmi|ning\t", 1),
        )
        .unwrap();
        let err = load_err(&dir);
        assert!(err.contains("Z.txt:2: label `mi|ning` holds `|`"), "{err}");
    }

    /// A gross output off what the industry sells loads (the model can run it) but is
    /// found, so that the scenario can warn: a run without events drifted from its baseline
    /// without a word (ARIO review). The reference table is balanced.
    #[test]
    fn a_gross_output_off_its_sales_is_found() {
        let dir = edited("balanced", "x.csv", 2, |_| {});
        let mrio = Mrio::load(&dir).unwrap();
        assert_eq!(mrio.output_gaps(1e-9), None);
        std::fs::remove_dir_all(&dir).unwrap();
        let dir = edited("gap", "x.csv", 2, |c| {
            let v: f64 = c[2].parse().unwrap();
            c[2] = (v * 1.01).to_string();
        });
        let mrio = Mrio::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let gap = mrio.output_gaps(1e-6).unwrap();
        assert_eq!((gap.count, gap.label.as_str()), (1, "reg1|construction"));
        assert!((gap.gap - 0.01 / 1.01).abs() < 1e-9, "{gap:?}");
    }

    /// ARIO review: one negative Z cell in a row whose total stays positive ran to the
    /// horizon without a word, where BoARIO stops at step 0 ("Negative orders computed").
    /// It is refused at load, naming the cell.
    #[test]
    fn a_negative_z_cell_is_refused_with_its_cell() {
        let dir = edited("zcell", "Z.csv", 2, |c| c[3] = "-30".into());
        let e = load_err(&dir);
        assert!(e.contains("Z.csv:2:"), "{e}");
        assert!(e.contains("Z row holds -30 for"), "{e}");
        assert!(e.contains("Negative orders computed"), "{e}");
    }

    /// BoARIO's own cases still load: a negative final-demand cell whose row total stays
    /// positive (ARIO_SPEC.md Q25), and an industry with zero output that sells nothing
    /// (its A column is 0, as pymrio takes 1/0 as 0).
    #[test]
    fn negative_cells_and_empty_industries_still_load() {
        let dir = edited("ycell", "Y.csv", 2, |c| c[2] = "-1e6".into());
        assert!(Mrio::load(&dir).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
        let dir = edited("empty", "x.csv", 2, |c| c[2] = "0".into());
        for file in ["Z.csv", "Y.csv"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            let cells: Vec<String> = lines[1]
                .split(',')
                .enumerate()
                .map(|(i, c)| if i < 2 { c.to_string() } else { "0".into() })
                .collect();
            lines[1] = cells.join(",");
            std::fs::write(dir.join(file), lines.join("\n") + "\n").unwrap();
        }
        let mrio = Mrio::load(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let mrio = mrio.unwrap();
        assert_eq!(mrio.x[0], 0.0);
        assert!(mrio.a[..].chunks(mrio.x.len()).all(|row| row[0] == 0.0));
    }
}

mod shape_tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::super::permutation;

    /// ARIO review: a sector missing in one region gave only the counts ("47 industry
    /// rows, but 6 regions × 8 = 48"); the message names what is missing.
    #[test]
    fn a_missing_industry_is_named() {
        let regions: BTreeMap<String, usize> =
            [("reg1".to_string(), 0), ("reg2".to_string(), 1)].into();
        let items: BTreeMap<String, usize> =
            [("food".to_string(), 0), ("mining".to_string(), 1)].into();
        let labels: Vec<(String, String)> =
            [("reg1", "food"), ("reg1", "mining"), ("reg2", "mining")]
                .iter()
                .map(|(r, s)| (r.to_string(), s.to_string()))
                .collect();
        let err = permutation(
            Path::new("t"),
            Path::new("t/Z.csv"),
            "industry row",
            &labels,
            &regions,
            &items,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("these are missing: reg2|food"), "{err}");
    }
}

/// A table whose rows name as many regions and sectors as there are rows is refused by
/// its counts, without building the regions × sectors product: 10,000 such rows (130 KB)
/// asked for one string per missing pair, 10^8 of them, and aborted the process.
#[test]
fn a_table_far_from_a_full_product_is_refused_without_building_it() {
    let dir = std::env::temp_dir().join(format!("chokepoint-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: String = (0..10_000).map(|i| format!("r{i},s{i},0\n")).collect();
    std::fs::write(dir.join("Z.csv"), format!("region,sector,r0|s0\n{rows}")).unwrap();
    std::fs::write(dir.join("Y.csv"), format!("region,sector,r0|fd\n{rows}")).unwrap();
    let x: String = (0..10_000).map(|i| format!("r{i},s{i},1\n")).collect();
    std::fs::write(dir.join("x.csv"), format!("region,sector,indout\n{x}")).unwrap();
    let e = crate::Mrio::load(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        e.contains("10000 regions × 10000") && e.contains("and 99989995 more"),
        "{e}"
    );
}
