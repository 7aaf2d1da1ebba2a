//! Tests of `warehouse`.

use super::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A query over its memory budget is the user's to reshape (exit 2), and says how.
#[test]
fn a_query_out_of_memory_is_a_user_error_that_says_how_to_fix_it() {
    let e = classify_run_error(
        Path::new("."),
        DataFusionError::ResourcesExhausted("sort".into()),
    );
    assert!(e.is_user_error());
    let text = e.to_string();
    assert!(text.contains("4 GiB") && text.contains("LIMIT"), "{text}");
}

/// `sql_head` returns the first rows and says whether there were more.
#[test]
fn the_head_of_a_query_says_when_rows_were_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let rt = rt();
    let wh = rt.block_on(Warehouse::open(dir.path())).unwrap();
    let query = "SELECT a.period FROM trade a, trade b";
    let (batches, more) = rt.block_on(wh.sql_head(query, 7)).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 7);
    assert!(more);
    let (batches, more) = rt
        .block_on(wh.sql_head("SELECT 1 AS x UNION ALL SELECT 2", 2))
        .unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
    assert!(!more);
}

/// The row limit is not put above an `EXPLAIN` (which must be the root of its plan).
#[test]
fn the_head_of_an_explain_is_its_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let rt = rt();
    let wh = rt.block_on(Warehouse::open(dir.path())).unwrap();
    for query in [
        "EXPLAIN SELECT count(*) FROM trade",
        "EXPLAIN ANALYZE SELECT count(*) FROM trade",
        "EXPLAIN VERBOSE SELECT count(*) FROM trade",
    ] {
        let (batches, _) = rt.block_on(wh.sql_head(query, 100)).unwrap();
        let rows = batches.iter().map(RecordBatch::num_rows).sum::<usize>();
        assert!(rows >= 1, "{query}");
    }
    let (batches, more) = rt
        .block_on(wh.sql_head("EXPLAIN VERBOSE SELECT count(*) FROM trade", 2))
        .unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
    assert!(more);
}

#[test]
fn first_open_loads_every_bundled_table() {
    let dir = tempfile::tempdir().unwrap();
    rt().block_on(async {
        let wh = Warehouse::open(dir.path()).await.unwrap();
        for t in TABLES {
            let b = wh.sql(&format!("SELECT count(*) AS n FROM {t}")).await.unwrap();
            let rows = crate::json::batches_to_json_rows(&b);
            assert!(rows[0]["n"].as_i64().unwrap() > 10, "{t}");
        }
        // A second open reuses the files.
        let again = Warehouse::open(dir.path()).await.unwrap();
        let b = again
            .sql("SELECT quantity_t FROM trade WHERE period = '2025-05' AND product = 'rare-earths' AND flow = 'export'")
            .await
            .unwrap();
        assert_eq!(crate::json::batches_to_json_rows(&b)[0]["quantity_t"], 5864.6);
    });
}

/// A damaged bundled part is rebuilt on open; a damaged ingested part is named, with
/// the files to ingest again, as a user error (it failed every command with a bare
/// "Corrupt footer", exit 1).
#[test]
fn a_damaged_part_is_rebuilt_when_bundled_and_named_when_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let rt = rt();
    rt.block_on(Warehouse::open(dir.path())).unwrap();
    let trade = dir.path().join("warehouse/trade");
    std::fs::write(trade.join("bundled.parquet"), "not parquet").unwrap();
    std::fs::remove_file(dir.path().join("warehouse/production/bundled.parquet")).unwrap();
    let wh = rt.block_on(Warehouse::open(dir.path())).unwrap();
    let b = rt
        .block_on(wh.sql("SELECT count(*) AS n FROM production"))
        .unwrap();
    assert!(
        crate::json::batches_to_json_rows(&b)[0]["n"]
            .as_i64()
            .unwrap()
            > 10
    );
    let part = trade.join("ingest-20250101T000000Z-1.parquet");
    std::fs::write(&part, "PAR1 cut short").unwrap();
    let record = ingest::IngestRecord {
        id: "20250101T000000Z-1".into(),
        created: "2025-01-01T00:00:00Z".into(),
        files: vec![ingest::FileReport {
            path: "exports-2024.csv".into(),
            ..Default::default()
        }],
    };
    std::fs::write(
        part.with_extension("json"),
        serde_json::to_string(&record).unwrap(),
    )
    .unwrap();
    let e = rt.block_on(Warehouse::open(dir.path())).unwrap_err();
    let text = e.to_string();
    assert!(e.is_user_error(), "{text}");
    assert!(
        text.contains("ingest-20250101T000000Z-1.parquet")
            && text.contains("move it out")
            && text.contains("exports-2024.csv"),
        "{text}"
    );
}

/// Damaged data pages behind an intact footer: a bundled part is rebuilt on open, an
/// ingested one is named when a query reads it, with how to recover.
#[test]
fn damaged_data_pages_are_rebuilt_when_bundled_and_named_when_queried() {
    // The first page header follows the 4-byte magic; footer and page index are at
    // the end of the file and stay intact.
    fn damage_first_page(path: &Path) {
        let mut bytes = std::fs::read(path).unwrap();
        for b in &mut bytes[8..40] {
            *b ^= 0x5a;
        }
        std::fs::write(path, bytes).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let rt = rt();
    rt.block_on(Warehouse::open(dir.path())).unwrap();
    let trade = dir.path().join("warehouse/trade");
    let part = trade.join("ingest-20250101T000000Z-s00000001.parquet");
    std::fs::copy(trade.join("bundled.parquet"), &part).unwrap();
    damage_first_page(&trade.join("bundled.parquet"));
    // The bundled part is rebuilt and reads in full, as does the intact ingested one.
    let wh = rt.block_on(Warehouse::open(dir.path())).unwrap();
    let (_, mut rows) = rt.block_on(wh.sql_stream("SELECT * FROM trade")).unwrap();
    while let Some(batch) = rt.block_on(rows.next()) {
        batch.unwrap();
    }
    damage_first_page(&part);
    let wh = rt.block_on(Warehouse::open(dir.path())).unwrap();
    let e = rt
        .block_on(wh.sql("SELECT * FROM trade WHERE source = 'bundled'"))
        .unwrap_err();
    let text = e.to_string();
    assert!(e.is_user_error(), "{text}");
    assert!(
        text.contains("ingest-20250101T000000Z-s00000001.parquet") && text.contains("move it out"),
        "{text}"
    );
    let (_, mut rows) = rt.block_on(wh.sql_stream("SELECT * FROM trade")).unwrap();
    let mut failure = None;
    while let Some(batch) = rt.block_on(rows.next()) {
        if let Err(e) = batch {
            failure = Some(e);
            break;
        }
    }
    let text = failure
        .expect("the damaged part fails the stream")
        .to_string();
    assert!(
        text.contains("ingest-20250101T000000Z-s00000001.parquet"),
        "{text}"
    );
}

#[test]
fn sql_refuses_ddl_and_dml_and_reports_bad_columns_as_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    rt().block_on(async {
        let wh = Warehouse::open(dir.path()).await.unwrap();
        let e = wh.sql("CREATE TABLE x AS SELECT 1").await.unwrap_err();
        assert!(matches!(e, StoreError::ReadOnly { .. }), "{e}");
        let e = wh
            .sql("INSERT INTO trade SELECT * FROM trade")
            .await
            .unwrap_err();
        assert!(e.is_user_error(), "{e}");
        // An unknown table lists the session's tables and says how to see columns.
        let e = wh.sql("SELECT * FROM nosuch").await.unwrap_err();
        assert!(e.is_user_error(), "{e}");
        let text = e.to_string();
        assert!(text.starts_with("unknown table `nosuch`"), "{text}");
        for t in TABLES {
            assert!(text.contains(t), "{t}: {text}");
        }
        assert!(text.contains("DESCRIBE"), "{text}");
        let e = wh.sql("SELECT * FROM foo.nosuch").await.unwrap_err();
        assert!(e.to_string().contains("`datafusion.foo.nosuch`"), "{e}");
        let e = wh.sql("SELECT nope FROM trade").await.unwrap_err();
        assert!(
            matches!(e, StoreError::Query { .. }) && e.is_user_error(),
            "{e}"
        );
    });
}

/// A warehouse opened before another process's ingest (a running server, a CLI ingest)
/// sees the new part at its next query: DataFusion's list-files cache, on by default and
/// never expiring, kept the server on the parts it first listed.
#[test]
fn parts_committed_after_open_are_seen_by_the_next_query() {
    let dir = tempfile::tempdir().unwrap();
    let rt = rt();
    let count = |wh: &Warehouse| {
        let b = rt
            .block_on(wh.sql("SELECT count(*) AS n FROM trade WHERE source = 'tidy'"))
            .unwrap();
        crate::json::batches_to_json_rows(&b)[0]["n"]
            .as_i64()
            .unwrap()
    };
    let serving = rt.block_on(Warehouse::open(dir.path())).unwrap();
    assert_eq!(count(&serving), 0);
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t\n2019-01,USA,CHN,import,850511,100\n",
    )
    .unwrap();
    let other = rt.block_on(Warehouse::open(dir.path())).unwrap();
    other
        .ingest(&[csv], &Default::default(), &mut |_| {})
        .unwrap();
    assert_eq!(count(&serving), 1);
}
