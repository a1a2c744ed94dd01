#!/usr/bin/env bash
# Throughput of `POST /api/v1/clients/{client_id}/shipments/{shipment_id}/events` (every request
# a distinct scan, spread over many shipments) at 32 connections, against `pgbench -N` at 32
# clients measured in the same run on the same PostgreSQL (goal: events >= 0.5 x pgbench TPS).
# Both commit one transaction per request/transaction with the server's default durability.
#
# Data: one client with 2000 shipments (SQL), one client user. pgbench: its own database,
# scale 10, removed on exit. Load: wrk with bench/shipment_events.lua on loopback.
#
# Usage: bench/shipment_events.sh [BIN]
#   BIN                 binary to measure (default: target/release/fulfillment-ops, built if missing)
#   SECS=10 CONNS=32    seconds per measurement, connections (wrk) and clients (pgbench)
#   SHIPMENTS=2000      shipments the scans are spread over
#   DATABASE_POOL_SIZE  passed to the server (default here: 32, one per connection)
# Prints the two figures and their ratio, then one `RESULT` line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-32}
bench_start shipment_events 18400 32 "${1:-}"
n=${SHIPMENTS:-2000}
pgdb=fo_bench_pgbench_$$
trap 'bench_cleanup; psql -q "$admin" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true' EXIT

shipment_world "$n"

bench_serve
token=$(login client@example.com)
first=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM shipments LIMIT 1")
curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"status":"in_transit","event_time":"2024-01-01T00:00:00Z"}' \
  "$u/api/v1/clients/$client/shipments/$first/events" || { echo "POST events failed" >&2; exit 1; }

psql -q "$admin" -c "CREATE DATABASE $pgdb" >/dev/null
pgbench -q -i -s 10 "$base/$pgdb" >/dev/null 2>&1
pg_tps=$(pgbench -N -c "$conns" -j 2 -T "$secs" "$base/$pgdb" 2>/dev/null \
  | awk '/^tps/ {print int($3); exit}')

export BENCH_PATHS=$tmp/paths.lua BENCH_TOKEN=$token
[ "$warmup" -gt 0 ] && measure "$warmup" "$u" -s bench/shipment_events.lua >/dev/null
read -r e_rps e_p50 e_p99 e_bad e_err < <(measure "$secs" "$u" -s bench/shipment_events.lua)
stored=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM shipment_events")
ratio=$(awk -v a="$e_rps" -v b="$pg_tps" 'BEGIN{printf "%.3f", a/b}')
printf '%-44s %8s\n' "pgbench -N, $conns clients (TPS)" "$pg_tps"
printf '%-44s %8s  p50 %s ms, p99 %s ms, non-2xx %s, socket errors %s\n' \
  "POST .../events, $conns connections (req/s)" "$e_rps" "$e_p50" "$e_p99" "$e_bad" "$e_err"
echo "ratio events/pgbench: $ratio (goal >= 0.5); events stored: $stored"
echo "($label: ${secs}s each, pool $pool, $n shipments; wrk, server, pgbench and PostgreSQL share $(nproc) cores)"
echo "RESULT $label pool=$pool pgbench_tps=$pg_tps events_rps=$e_rps ratio=$ratio p50=$e_p50 p99=$e_p99 non2xx=$e_bad sockerr=$e_err"
