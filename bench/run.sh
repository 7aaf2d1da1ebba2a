#!/usr/bin/env bash
# Peer bench: ingest a synthetic Comtrade+ file and run a YoY and a partner-HHI query with
# chokepoint, DuckDB and Polars on the same file, in the same run; prints wall time and
# peak memory (from /usr/bin/time -v) and chokepoint's ratio to the faster peer.
#
# Usage: [REPEAT=3] bench/run.sh [ROWS]   (default 10000000; the file is ~264 bytes a row)
# Needs: python3 (DuckDB and Polars are pip-installed into bench/.venv), /usr/bin/time.
# Uses target/release/chokepoint when present (build it with `cargo build --release`),
# else target/debug/chokepoint and says so; CHOKEPOINT_BIN or CARGO_TARGET_DIR point elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
OUT="bench/out"
mkdir -p "$OUT"

if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q duckdb polars
fi
PY=bench/.venv/bin/python

BIN="${CHOKEPOINT_BIN:-${CARGO_TARGET_DIR:-target}/release/chokepoint}"
if [ ! -x "$BIN" ]; then
  BIN=target/debug/chokepoint
  echo "note: no release build; using $BIN (unoptimised, not a fair comparison)" >&2
fi

CSV="$OUT/comtrade-$ROWS.csv"
if [ ! -f "$CSV" ]; then
  echo "generating $CSV" >&2
  "$PY" bench/gen_comtrade.py "$ROWS" "$CSV"
fi

query() { # name -> the query text from queries.sql
  awk -v n="-- name: $1" '$0==n {on=1; next} on && /^-- name:/ {exit} on {print}' bench/queries.sql
}

RESULTS="$OUT/results-$ROWS.tsv"
: > "$RESULTS"
DATA="$OUT/chokepoint-data"
fresh_warehouse() { # an empty data dir with the bundled tables loaded (not part of the timing)
  rm -rf "$DATA"
  "$BIN" --data-dir "$DATA" sources > /dev/null
}
# Each step runs REPEAT times (default 3) in its own process: the table keeps the fastest
# wall time (the least disturbed by other tenants of a shared machine) and the largest peak
# memory seen. chokepoint's ingest starts from a fresh warehouse each time (a second ingest
# of the same file would rightly store nothing).
REPEAT="${REPEAT:-3}"
measure() { # tool step command...
  local tool=$1 step=$2; shift 2
  local log="$OUT/$tool-$step.time" best_wall="" best_rss=0 wall rss
  for _ in $(seq 1 "$REPEAT"); do
    if [ "$tool" = chokepoint ] && [ "$step" = ingest ]; then fresh_warehouse; fi
    /usr/bin/time -v "$@" > "$OUT/$tool-$step.out" 2> "$log"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then best_wall=$wall; fi
    if [ "$rss" -gt "$best_rss" ]; then best_rss=$rss; fi
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$step" "$best_wall" "$best_rss" "$(tail -n 1 "$OUT/$tool-$step.out")" >> "$RESULTS"
}

rm -rf "$OUT"/duckdb.parquet "$OUT"/polars.parquet

measure chokepoint ingest "$BIN" --data-dir "$DATA" ingest "$CSV"
measure duckdb ingest "$PY" bench/peers.py duckdb ingest "$CSV" "$OUT/duckdb.parquet"
measure polars ingest "$PY" bench/peers.py polars ingest "$CSV" "$OUT/polars.parquet"
for q in yoy hhi; do
  measure chokepoint "$q" "$BIN" --data-dir "$DATA" sql "$(query $q | sed 's/;$//')" --format csv
  measure duckdb "$q" "$PY" bench/peers.py duckdb "$q" "$OUT/duckdb.parquet"
  measure polars "$q" "$PY" bench/peers.py polars "$q" "$OUT/polars.parquet"
done

echo
echo "rows: $ROWS   machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)   binary: $BIN"
printf '%-10s %-7s %9s %12s  %s\n' tool step wall_s peak_rss_mb result
awk -F'\t' '{printf "%-10s %-7s %9.2f %12.1f  %s\n", $1, $2, $3, $4/1024, $5}' "$RESULTS"
echo
echo "chokepoint / faster peer (time, peak memory):"
awk -F'\t' '
  {t[$1","$2]=$3; m[$1","$2]=$4}
  END {
    split("ingest yoy hhi", steps, " ")
    for (i=1; i<=3; i++) {
      s=steps[i]
      best = (t["duckdb,"s] < t["polars,"s]) ? "duckdb" : "polars"
      printf "  %-7s time %.2fx (vs %s)   memory %.2fx\n", s, t["chokepoint,"s]/t[best","s], best, m["chokepoint,"s]/m[best","s]
    }
  }' "$RESULTS"
