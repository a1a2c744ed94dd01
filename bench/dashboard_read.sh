#!/usr/bin/env bash
# Throughput of the two reads every page load makes, `GET /api/v1/me/dashboard` (the effective
# layout: default, latest, or the role's starter) and `GET /api/v1/me/preferences`, beside the
# /healthz baseline measured in the same run (issue 13's goal: at least 0.5x its requests/s).
#
# Data: one operator user (`user create` CLI) with 5 saved layouts of 8 widgets (one default)
# and saved preferences, through the API. Load: wrk on loopback, bounded in time. Each run has
# its own port and database and removes both on exit.
#
# Usage: bench/dashboard_read.sh [BIN]
#   BIN                 binary to measure (default: target/release/fulfillment-ops, built if missing)
#   SECS=10 CONNS=32    seconds per route, wrk connections
#   WARMUP=2            unmeasured seconds of dashboard reads before the measured routes
#   DATABASE_POOL_SIZE  passed to the server (its default: 10)
#   PORT, LABEL         listen port (default: derived from the shell's pid), name in the RESULT line
# Prints a table, then one `RESULT` line to collect.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start dashboard_read 19000 32 "${1:-}"
"$bin" user create --email operator@example.com --password 'bench password 123' --role operator \
  >/dev/null

bench_serve
token=$(login operator@example.com)
auth="Authorization: Bearer $token"
widgets='['
for i in 0 1 2 3 4 5 6 7; do
  widgets="$widgets{\"id\":\"w$i\",\"type\":\"kpi_tile\",\"x\":$(( (i % 4) * 6 )),\"y\":$(( i / 4 * 3 )),\"w\":6,\"h\":3,\"config\":{\"metric\":\"m$i\"}}"
  [ $i -lt 7 ] && widgets="$widgets,"
done
widgets="$widgets]"
for n in 1 2 3 4 5; do
  id=$(curl -fs -X POST -H "$auth" -H 'content-type: application/json' \
    -d "{\"name\":\"Layout $n\",\"widgets\":$widgets}" "$u/api/v1/me/layouts" \
    | sed -E 's/^\{"id":"([^"]+)".*/\1/')
done
curl -fs -o /dev/null -X POST -H "$auth" "$u/api/v1/me/layouts/$id/default"
curl -fs -o /dev/null -X PATCH -H "$auth" -H 'content-type: application/json' \
  -d '{"color_scheme":"dark","timezone":"Europe/Berlin","realtime":{"refresh_interval_seconds":15}}' \
  "$u/api/v1/me/preferences"
for p in /api/v1/me/dashboard /api/v1/me/preferences; do
  curl -fs -o /dev/null -H "$auth" "$u$p" || { echo "GET $p failed" >&2; exit 1; }
done
curl -fs -H "$auth" "$u/api/v1/me/dashboard" | grep -q '"source":"default"' \
  || { echo "the dashboard is not the default layout" >&2; exit 1; }

[ "$warmup" -gt 0 ] && measure "$warmup" "$u/api/v1/me/dashboard" -H "$auth" >/dev/null
read -r h_rps h_p50 h_p99 h_bad h_err < <(measure "$secs" "$u/healthz")
read -r d_rps d_p50 d_p99 d_bad d_err < <(measure "$secs" "$u/api/v1/me/dashboard" -H "$auth")
read -r p_rps p_p50 p_p99 p_bad p_err < <(measure "$secs" "$u/api/v1/me/preferences" -H "$auth")

ratio() { awk -v a="$1" -v h="$h_rps" 'BEGIN{printf "%.4f", a/h}'; }
printf '%-30s %8s %8s %8s %8s %8s %8s\n' route req/s p50_ms p99_ms non2xx sockerr "vs base"
row() { printf '%-30s %8s %8s %8s %8s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$(ratio "$2")"; }
row "GET /healthz (baseline)" "$h_rps" "$h_p50" "$h_p99" "$h_bad" "$h_err"
row "GET /api/v1/me/dashboard" "$d_rps" "$d_p50" "$d_p99" "$d_bad" "$d_err"
row "GET /api/v1/me/preferences" "$p_rps" "$p_p50" "$p_p99" "$p_bad" "$p_err"
echo "($label: $conns connections, ${secs}s per route, pool $pool; wrk, server and PostgreSQL share $(nproc) cores)"
echo "RESULT $label pool=$pool healthz=$h_rps dashboard=$d_rps dashboard_ratio=$(ratio "$d_rps")" \
  "dashboard_p50=$d_p50 dashboard_p99=$d_p99 preferences=$p_rps preferences_ratio=$(ratio "$p_rps")" \
  "preferences_p50=$p_p50 preferences_p99=$p_p99 non2xx=$((h_bad + d_bad + p_bad)) sockerr=$((h_err + d_err + p_err))"
