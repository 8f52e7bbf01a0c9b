#!/usr/bin/env bash
# make bench-api: the platform under load, measured from outside (bench/api_bench.py says what).
# Uses the shared benchmark's generated files for the 1M-row and ~1 GB uploads.
# Env: BENCH_DATA (default /tmp/bench-data), SHARED_BENCH, RUNS=50, SECONDS=30, STREAMS=1000
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
DATA="${BENCH_DATA:-/tmp/bench-data}"
BIN="$ROOT/build/datastory"
[[ -x "$BIN" ]] || { echo "missing $BIN: run make build" >&2; exit 1; }
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 1; }
done
if [[ ! -s "$DATA/rows_1m.csv" || ! -s "$DATA/rows_10m.csv" ]]; then
  [[ -x "$SHARED/make_data.sh" ]] || { echo "missing $SHARED/make_data.sh (set SHARED_BENCH)" >&2; exit 1; }
  "$SHARED/make_data.sh" "$DATA"
fi
exec python3 "$ROOT/bench/api_bench.py" "$BIN" "$ROOT/examples/sales.csv" "$DATA/rows_1m.csv" \
  "$DATA/rows_10m.csv"
