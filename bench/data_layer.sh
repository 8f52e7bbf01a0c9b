#!/usr/bin/env bash
# The data layer benchmark (bench/data_layer_bench.cc) with its servers: a throw-away
# PostgreSQL 15 cluster (pg_virtualenv) and moto_server on a free loopback port, checking
# Signature V4. Prints Store operations per second on both engines and blob MB/s on both
# backends. Usage: bench/data_layer.sh   (env: RUNS=5 OPS=2000 BLOB_MIB=64)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/build/data_layer_bench"
[[ -x "$BIN" ]] || { echo "missing $BIN: run make build" >&2; exit 1; }
command -v moto_server >/dev/null || { echo "moto_server missing: scripts/install-deps.sh" >&2; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
INITIAL_NO_AUTH_ACTION_COUNT=4 moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done
export DS_BENCH_S3_ENDPOINT="http://127.0.0.1:$port" DS_BENCH_S3_BUCKET=datastory-bench
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY < <(python3 "$ROOT/tests/py/s3_reference.py" \
  setup "$DS_BENCH_S3_ENDPOINT" "$DS_BENCH_S3_BUCKET")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

pg_virtualenv -v 15 sh -c 'createdb datastory_bench && DS_BENCH_POSTGRES=postgres:///datastory_bench "$0"' "$BIN"
