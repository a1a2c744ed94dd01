#!/usr/bin/env bash
# Cold start (empty database: all six migrations applied) versus warm start (nothing pending,
# the lock-free fast path), both timed from exec to the first 200 from /readyz, in one run so
# the ratio is meaningful on a noisy machine.
#
# Usage: bench/startup.sh [runs]   (needs a release build and TEST_DATABASE_URL or a local
# PostgreSQL on 127.0.0.1:5432 with trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=${admin%/*}
bin=target/release/fulfillment-ops
[ -x "$bin" ] || cargo build --release --locked
port=18080

now_ms() { date +%s%3N; }

start_until_ready() { # db -> prints ms from exec to ready
  local db=$1 t0 pid
  t0=$(now_ms)
  DATABASE_URL="$base/$db" LISTEN_ADDR=127.0.0.1:$port SHUTDOWN_DRAIN=0 JWT_SECRET=bench-secret-0123456789-0123456789-xx \
    RUST_LOG=warn "$bin" serve >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
  echo $(( $(now_ms) - t0 ))
  kill -TERM "$pid"; wait "$pid" || true
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cold=(); warm=()
for i in $(seq "$runs"); do
  db="fo_bench_startup_$i"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  cold+=("$(start_until_ready "$db")")
  warm+=("$(start_until_ready "$db")")
  psql -q "$admin" -c "DROP DATABASE $db"
done
c=$(printf '%s\n' "${cold[@]}" | median)
w=$(printf '%s\n' "${warm[@]}" | median)
echo "cold start (6 migrations), median of $runs: ${c} ms   [${cold[*]}]"
echo "warm start (nothing pending), median of $runs: ${w} ms   [${warm[*]}]"
awk -v c="$c" -v w="$w" 'BEGIN { printf "ratio cold/warm: %.2f; migrations add %d ms\n", c/w, c-w }'
