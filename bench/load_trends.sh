#!/usr/bin/env bash
# Load test: 200 concurrent clients asking for trends over loopback, bounded in time.
#
#   bench/load_trends.sh [DURATION_SECS]      (default 15)
#
# Builds chokepoint (debug unless PROFILE=release), serves it on a free 127.0.0.1 port with a
# fresh data dir, warms the warehouse with one request, then runs wrk (Debian package `wrk`,
# installed when missing) with 200 connections for DURATION seconds. Prints the latency
# percentiles, the error counts, and one summary line:
#   load_trends: 200 connections, N requests, E errors, p50 X, p99 Y
# Exits non-zero when any request failed (socket error, timeout or non-2xx status).
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-15}"
profile="${PROFILE:-debug}"
path="${TRENDS_PATH:-/api/trends?reporter=CHN&flow=export&product=rare-earths&from=2025-01&to=2025-06}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [ "$profile" = release ]; then
  cargo build --locked --quiet --release --bin chokepoint
else
  cargo build --locked --quiet --bin chokepoint
fi
bin="${CARGO_TARGET_DIR:-target}/$profile/chokepoint"

work="$(mktemp -d /tmp/chokepoint-load.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

CHOKEPOINT_DATA_DIR="$work/data" RUST_LOG=warn "$bin" serve --addr 127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[0-9.:]*' "$work/server.out" || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then echo "server did not start:"; cat "$work/server.err"; exit 1; fi

# The first request loads the bundled data into the warehouse; it is not part of the measure.
status="$(curl -s -o "$work/warm.json" -w '%{http_code}' "$url$path" || true)"
if [ "$status" != 200 ]; then
  echo "warm-up request failed with HTTP $status:"; head -c 600 "$work/warm.json"; echo; exit 1
fi
echo "serving $url ($profile build); GET $path -> $(head -c 200 "$work/warm.json")..."

timeout $((duration + 30)) wrk -t2 -c200 -d"${duration}s" --timeout 10s --latency "$url$path" | tee "$work/wrk.txt"

requests="$(awk '/requests in/ {print $1}' "$work/wrk.txt")"
non2xx="$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$work/wrk.txt")"
socket="$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' "$work/wrk.txt")"
errors=$(( ${non2xx:-0} + ${socket:-0} ))
p50="$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")"
p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
echo "load_trends: 200 connections, ${requests} requests in ${duration}s, ${errors} errors, p50 ${p50}, p99 ${p99}"
[ "$errors" -eq 0 ]
