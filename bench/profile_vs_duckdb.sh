#!/usr/bin/env bash
# The speed benchmark: `datastory scan` (read only), `datastory profile --json` and `datastory
# story --format json` against the DuckDB peer of ../shared/bench, on its generated files: the
# first 500 rows (size "500"), 1M and 10M rows, in one run. Prints
# seconds (median of REPS), MB/s and peak RSS side by side, the ratios, and then checks our
# numbers against exact answers from DuckDB (bench/check_against_duckdb.cjs).
#
# Usage: bench/profile_vs_duckdb.sh            (SIZES="500 1m 10m", REPS=3 by default; the
#                                               500-row file runs 11 times)
# Env:   SHARED_BENCH (default ../shared/bench), BENCH_DATA (default /tmp/bench-data),
#        PEERS_DIR (default /tmp/bench-peers), SIZES, REPS, CHECK=0 to skip the accuracy check
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
DATA="${BENCH_DATA:-/tmp/bench-data}"
PEERS_DIR="${PEERS_DIR:-/tmp/bench-peers}"
REPS="${REPS:-3}"
SIZES="${SIZES:-500 1m 10m}"
BIN="$ROOT/build/datastory"

[[ -x "$SHARED/run_peers.sh" ]] || { echo "missing $SHARED/run_peers.sh (set SHARED_BENCH)" >&2; exit 1; }
[[ -x "$BIN" ]] || { echo "missing $BIN: run make build" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "GNU time missing: scripts/install-deps.sh installs it" >&2; exit 1; }
csv_of() { echo "$DATA/rows_$1.csv"; }
for s in $SIZES; do
  [[ -s "$(csv_of "$s")" || $s == 500 ]] || "$SHARED/make_data.sh" "$DATA"
done
if [[ " $SIZES " == *" 500 "* && ! -s "$DATA/rows_500.csv" ]]; then
  [[ -s "$DATA/rows_100k.csv" ]] || "$SHARED/make_data.sh" "$DATA"
  head -n 501 "$DATA/rows_100k.csv" > "$DATA/rows_500.csv"
fi
[[ -d "$PEERS_DIR/node_modules/@duckdb/node-api" ]] || PEERS_DIR="$PEERS_DIR" "$SHARED/install_peers.sh"
export PEERS_DIR NODE_PATH="$PEERS_DIR/node_modules"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rss_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }

for s in $SIZES; do
  csv="$(csv_of "$s")"
  reps=$REPS
  [[ $s == 500 ]] && reps=11
  bytes=$(stat -c %s "$csv")
  rows=$(( $(wc -l < "$csv") - 1 ))
  out="/tmp/bench-results/datastory-$s-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$out"
  cat "$csv" > /dev/null
  PEERS="floor duckdb" RESULTS_DIR="$out/peers" "$SHARED/run_peers.sh" "$csv" "$reps" > "$out/peers.txt"

  ours() {  # ours TASK ARGS...: prints "task secs_med MB/s Mrows/s rss_MiB"
    local task=$1; shift
    local secs=() rss=0
    for ((r = 1; r <= reps; r++)); do
      # Wall time to the nanosecond clock (GNU time prints only hundredths), RSS from GNU time.
      local t0; t0=$(date +%s%N)
      /usr/bin/time -v -o "$out/ds-$task-$r.time" "$BIN" "$@" "$csv" > "$out/ds-$task-$r.out"
      secs+=("$(( $(date +%s%N) - t0 ))e-9")
      local k; k=$(rss_kb "$out/ds-$task-$r.time"); (( k > rss )) && rss=$k
    done
    local med; med=$(printf '%s\n' "${secs[@]}" | median)
    awk -v t="$task" -v s="$med" -v b="$bytes" -v n="$rows" -v r="$rss" -v runs="$reps" \
      'BEGIN {printf "%-9s %-9s %9.3f %9.1f %8.2f %8.0f %10.3f %5s\n", "datastory", t, s, b/1e6/s, n/1e6/s, r/1024, s, runs}'
  }
  {
    grep '^#' "$out/peers.txt"
    printf '%-9s %-9s %9s %9s %8s %8s %10s %5s\n' peer task secs_med MB/s Mrows/s rss_MiB proc_s_med runs
    grep -E '^(floor|duckdb) ' "$out/peers.txt" | awk '{printf "%-9s %-9s %9s %9s %8s %8s %10s %5s\n", $1,$2,$3,$4,$5,$6,$7,$8}'
    ours scan scan
    ours profile profile --json
    ours story story --format json
  } | tee "$out/summary.txt"
  awk -v size="$s" '$1=="duckdb" && $2=="parse" {dp=$3} $1=="duckdb" && $2=="profile" {dr=$3}
       $1=="datastory" && $2=="scan" {s=$3; sm=$4} $1=="datastory" && $2=="profile" {p=$3; rss=$6}
       $1=="datastory" && $2=="story" {st=$3; srss=$6}
       END {printf "ratios: profile %.2fx faster than duckdb profile (target >= 5x); scan %.2fx faster than duckdb parse; scan %.2f GB/s (target >= 1); profile peak RSS %d MiB (target <= 256)\n", dr/p, dp/s, sm/1000, rss;
            if (size == "500") printf "story: %.1f ms for 500 rows (target <= 20 ms; the seed platform took 45 s), %.2fx faster than duckdb profile; peak RSS %d MiB\n", st*1000, dr/st, srss;
            else printf "story: %.2f s, %.2fx the time of profile (target <= 1.5x), %.2fx faster than duckdb profile; peak RSS %d MiB (target <= 512)\n", st, st/p, dr/st, srss}' \
    "$out/summary.txt" | tee -a "$out/summary.txt"
  echo "# $(date -u +%Y-%m-%dT%H:%MZ), raw runs: $out"
  if [[ "${CHECK:-1}" != 0 && $s != 500 ]]; then
    echo "accuracy against DuckDB's exact answers ($csv):"
    node "$ROOT/bench/check_against_duckdb.cjs" "$csv" "$out/ds-profile-1.out" | tee "$out/check.txt" | grep -v '^ok' || true
    echo "  $(grep -c '^ok' "$out/check.txt") checks ok, $(grep -c '^FAIL' "$out/check.txt") failed"
  fi
  echo
done
