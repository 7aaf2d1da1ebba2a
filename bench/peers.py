#!/usr/bin/env python3
"""The peers' side of the bench: DuckDB and Polars on the same Comtrade+ file.

Usage: peers.py duckdb|polars ingest CSV OUT.parquet
       peers.py duckdb|polars yoy|hhi OUT.parquet

`ingest` maps the Comtrade+ columns to the canonical trade columns chokepoint stores
(World partner -> WLD, netWgt kg -> t, X/M -> export/import) and writes Parquet;
the queries run over that Parquet and print `n,checksum`, like chokepoint's.
"""
import re
import sys
from pathlib import Path

QUERIES = Path(__file__).with_name("queries.sql").read_text()


def query(name):
    m = re.search(r"-- name: %s\n(.*?;)" % name, QUERIES, re.S)
    return m.group(1).rstrip(";")


MAP_SQL = """
SELECT printf('%04d-%02d', refYear, refMonth) AS period, 'month' AS period_type,
       freqCode AS frequency, CAST(refYear AS INTEGER) AS year,
       printf('%04d-%02d', refYear, refMonth) AS period_start,
       printf('%04d-%02d', refYear, refMonth) AS period_end,
       reporterISO AS reporter_iso3,
       CASE WHEN partnerCode = 0 THEN 'WLD' ELSE partnerISO END AS partner_iso3,
       CASE flowCode WHEN 'X' THEN 'export' WHEN 'M' THEN 'import'
                     WHEN 'RX' THEN 're-export' ELSE 're-import' END AS flow,
       CAST(cmdCode AS VARCHAR) AS hs_code,
       COALESCE(netWgt, CASE WHEN qtyUnitCode = 8 THEN qty END) / 1000.0 AS quantity_t,
       CAST(primaryValue AS DOUBLE) AS value_usd
FROM read_csv('{csv}', header = true, all_varchar = false,
              types = {{'cmdCode': 'VARCHAR', 'partnerISO': 'VARCHAR', 'reporterISO': 'VARCHAR'}})
WHERE flowCode IN ('X', 'M', 'RX', 'RM')
"""


def duckdb_main(step, a, b=None):
    import duckdb
    con = duckdb.connect()
    if step == "ingest":
        con.execute(f"COPY ({MAP_SQL.format(csv=a)}) TO '{b}' (FORMAT parquet, COMPRESSION snappy)")
        print(con.execute(f"SELECT count(*) FROM '{b}'").fetchone()[0], "rows")
    else:
        con.execute(f"CREATE VIEW trade AS SELECT * FROM read_parquet('{a}')")
        n, c = con.execute(query(step)).fetchone()
        print(f"{n},{c}")


def polars_main(step, a, b=None):
    import polars as pl
    if step == "ingest":
        lf = pl.scan_csv(a, schema_overrides={"cmdCode": pl.Utf8, "partnerISO": pl.Utf8,
                                               "reporterISO": pl.Utf8})
        ym = pl.format("{}-{}", pl.col("refYear"), pl.col("refMonth").cast(pl.Utf8).str.zfill(2))
        out = (
            lf.filter(pl.col("flowCode").is_in(["X", "M", "RX", "RM"]))
            .select(
                ym.alias("period"),
                pl.lit("month").alias("period_type"),
                pl.col("freqCode").alias("frequency"),
                pl.col("refYear").cast(pl.Int32).alias("year"),
                ym.alias("period_start"),
                ym.alias("period_end"),
                pl.col("reporterISO").alias("reporter_iso3"),
                pl.when(pl.col("partnerCode") == 0).then(pl.lit("WLD"))
                  .otherwise(pl.col("partnerISO")).alias("partner_iso3"),
                pl.col("flowCode").replace_strict({"X": "export", "M": "import",
                                                    "RX": "re-export", "RM": "re-import"})
                  .alias("flow"),
                pl.col("cmdCode").alias("hs_code"),
                (pl.coalesce(pl.col("netWgt"),
                             pl.when(pl.col("qtyUnitCode") == 8).then(pl.col("qty")))
                 / 1000.0).alias("quantity_t"),
                pl.col("primaryValue").cast(pl.Float64).alias("value_usd"),
            )
        )
        out.sink_parquet(b, compression="snappy")
        print(pl.scan_parquet(b).select(pl.len()).collect().item(), "rows")
        return
    t = pl.scan_parquet(a)
    if step == "yoy":
        m = (t.filter((pl.col("flow") == "export") & (pl.col("partner_iso3") == "WLD")
                      & pl.col("hs_code").is_not_null() & (pl.col("frequency") == "M"))
             .with_columns(pl.col("period_start").str.slice(5, 2).alias("mon"))
             .group_by("reporter_iso3", "hs_code", "year", "mon").agg(pl.col("quantity_t").sum().alias("q")))
        prev = m.with_columns((pl.col("year") + 1).alias("year")).rename({"q": "qb"})
        j = m.join(prev, on=["reporter_iso3", "hs_code", "year", "mon"]).filter(pl.col("qb") > 0)
        r = j.select(pl.len().alias("n"), ((pl.col("q") / pl.col("qb") - 1) * 100).sum().round(3).alias("c")).collect()
    else:
        p = (t.filter((pl.col("flow") == "export") & (pl.col("partner_iso3") != "WLD")
                      & pl.col("hs_code").is_not_null())
             .group_by("reporter_iso3", "hs_code", "year", "partner_iso3").agg(pl.col("quantity_t").sum().alias("q")))
        tot = p.group_by("reporter_iso3", "hs_code", "year").agg(pl.col("q").sum().alias("tot"))
        h = (p.join(tot, on=["reporter_iso3", "hs_code", "year"]).filter(pl.col("tot") > 0)
             .group_by("reporter_iso3", "hs_code", "year")
             .agg(((pl.col("q") / pl.col("tot") * 100) ** 2).sum().alias("hhi")))
        r = h.select(pl.len().alias("n"), pl.col("hhi").sum().round(3).alias("c")).collect()
    print(f"{r['n'][0]},{r['c'][0]}")


if __name__ == "__main__":
    tool, step, *args = sys.argv[1:]
    {"duckdb": duckdb_main, "polars": polars_main}[tool](step, *args)
