#!/usr/bin/env bash
# Latency and throughput of operational routes against the release build, each beside the
# /healthz baseline measured in the same run (a route that does no I/O), so the ratio holds
# on a noisy machine. Load comes from wrk on loopback, bounded in time.
#
# Usage: bench/http.sh [seconds-per-route] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-16}
admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=${admin%/*}
bin=target/release/fulfillment-ops
[ -x "$bin" ] || cargo build --release --locked
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
port=18081; token=bench-admin-token-0123456789
db=fo_bench_http
psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
DATABASE_URL="$base/$db" LISTEN_ADDR=127.0.0.1:$port SHUTDOWN_DRAIN=0 ADMIN_TOKEN=$token \
  JWT_SECRET=bench-secret-0123456789-0123456789-xx RUST_LOG=warn "$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; psql -q "$admin" -c "DROP DATABASE IF EXISTS $db"' EXIT
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done

measure() { # path [header] -> "rps p50_ms p99_ms"
  local out
  out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${secs}s" --latency ${2:+-H "$2"} "http://127.0.0.1:$port$1")
  awk '/Requests\/sec/ {rps=$2}
       /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
       END {printf "%.0f %.2f %.2f\n", rps, ms(p50), ms(p99)}' <<<"$out"
}

read -r h_rps h_p50 h_p99 < <(measure /healthz)
read -r a_rps a_p50 a_p99 < <(measure /admin/migrations "Authorization: Bearer $token")
read -r r_rps r_p50 r_p99 < <(measure /readyz)
printf '%-20s %10s %10s %10s %12s\n' route req/s p50_ms p99_ms "rps vs base"
printf '%-20s %10s %10s %10s %12s\n' /healthz "$h_rps" "$h_p50" "$h_p99" 1.00
printf '%-20s %10s %10s %10s %12.3f\n' /admin/migrations "$a_rps" "$a_p50" "$a_p99" "$(awk -v a="$a_rps" -v h="$h_rps" 'BEGIN{print a/h}')"
printf '%-20s %10s %10s %10s %12.3f\n' /readyz "$r_rps" "$r_p50" "$r_p99" "$(awk -v a="$r_rps" -v h="$h_rps" 'BEGIN{print a/h}')"
echo "($conns connections, ${secs}s per route, pool size 10, 2 cores shared by wrk, server and PostgreSQL)"
