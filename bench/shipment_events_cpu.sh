#!/usr/bin/env bash
# Where the time of `POST …/shipments/{id}/events` goes: CPU (user + system, from
# /proc/<pid>/stat) of the server and of its pooled PostgreSQL backends per request, and of
# pgbench and its backends per `pgbench -N` transaction, each sampled over the middle of a run
# (after 3 s, until 2 s before the end: the pool's connections that wrk's closing sockets cancel
# mid-transaction are dropped then, and would take their counts with them). Requests counted by
# the events stored in the window (every request a distinct scan). Same data and load as
# bench/shipment_events.sh. On a machine shared with other work these per-request costs move
# much less than throughput does.
#
# Usage: bench/shipment_events_cpu.sh [BIN]     (SECS=12, CONNS=32, SHIPMENTS=2000, PGBENCH=1)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-32}
SECS=${SECS:-12}
bench_start events_cpu 19100 32 "${1:-}"
n=${SHIPMENTS:-2000}
pgdb=fo_bench_pgbench_cpu_$$
trap 'bench_cleanup; psql -q "$admin" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true' EXIT

shipment_world "$n"
bench_serve
export BENCH_PATHS=$tmp/paths.lua BENCH_TOKEN=$(login client@example.com)

ticks() { # pids... -> clock ticks of user + system time
  local s=0 p t
  for p in "$@"; do
    # A backend may exit between the listing and the read: it counts 0.
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || t=0
    s=$((s + ${t:-0}))
  done
  echo "$s"
}
backends() { psql -qtA "$admin" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1' AND pid <> pg_backend_pid()"; }
hz=$(getconf CLK_TCK)
per() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN{printf "%.0f", t * 1e6 / hz / n}'; }

measure "$SECS" "$u" -s bench/shipment_events.lua >"$tmp/wrk.txt" &
wrk_pid=$!
sleep 3
pg=$(backends "$db")
count() { psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM shipment_events"; }
s0=$(ticks "$pid"); b0=$(ticks $pg); c0=$(count)
sleep $((SECS - 5))
s1=$(ticks "$pid"); b1=$(ticks $pg); c1=$(count)
wait "$wrk_pid"
read -r rps _ <"$tmp/wrk.txt"
reqs=$((c1 - c0))
echo "POST .../events: $rps req/s; per request: server $(per $((s1 - s0)) $reqs) us, PostgreSQL $(per $((b1 - b0)) $reqs) us CPU ($reqs requests sampled)"

if [ "${PGBENCH:-1}" = 1 ]; then
  psql -q "$admin" -c "CREATE DATABASE $pgdb" >/dev/null
  pgbench -q -i -s 10 "$base/$pgdb" >/dev/null 2>&1
  pgbench -N -c "$conns" -j 2 -T "$SECS" "$base/$pgdb" >"$tmp/pgbench.txt" 2>&1 &
  bench_pid=$!
  sleep 3
  pg=$(backends "$pgdb")
  hist() { psql -qtA "$base/$pgdb" -c "SELECT count(*) FROM pgbench_history"; }
  p0=$(ticks "$bench_pid"); b0=$(ticks $pg); c0=$(hist)
  sleep $((SECS - 5))
  p1=$(ticks "$bench_pid"); b1=$(ticks $pg); c1=$(hist)
  wait "$bench_pid"
  tps=$(awk '/^tps/ {print int($3); exit}' "$tmp/pgbench.txt")
  txns=$((c1 - c0))
  echo "pgbench -N: $tps TPS; per transaction: pgbench $(per $((p1 - p0)) $txns) us, PostgreSQL $(per $((b1 - b0)) $txns) us CPU ($txns transactions sampled)"
fi
echo "($label: ${SECS}s, pool $pool, $n shipments; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
