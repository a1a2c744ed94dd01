#!/usr/bin/env bash
# Throughput of sign-in and of a client's product list against the release build, beside the
# /healthz baseline measured in the same run. Data: one client with 1000 products and one
# client user, inserted directly. Load: wrk on loopback, bounded in time.
#
# Usage: bench/api.sh [seconds-per-route] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-16}
admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=${admin%/*}
bin=target/release/fulfillment-ops
[ -x "$bin" ] || cargo build --release --locked
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
port=18082; db=fo_bench_api; tmp=$(mktemp -d)
psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
export DATABASE_URL="$base/$db" LISTEN_ADDR=127.0.0.1:$port SHUTDOWN_DRAIN=0 RUST_LOG=warn \
  JWT_SECRET=bench-secret-0123456789-0123456789-xx ADMIN_TOKEN=bench-admin-token-0123456789
"$bin" migrate run >/dev/null 2>&1
client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" -c "INSERT INTO products (client_id, sku, name, current_stock, unit_cost)
  SELECT '$client', 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, g % 200, 1.25 FROM generate_series(1, 1000) g"
"$bin" user create --email bench@example.com --password 'bench password 123' --role client --client-id "$client" >/dev/null
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; psql -q "$admin" -c "DROP DATABASE IF EXISTS $db"; rm -rf "$tmp"' EXIT
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
token=$(curl -fs -X POST -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench password 123"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
cat >"$tmp/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"email":"bench@example.com","password":"bench password 123"}'
wrk.headers["Content-Type"] = "application/json"
LUA

measure() { # url [wrk args...] -> "rps p50_ms p99_ms non2xx"
  local url=$1; shift
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" "$url" | awk '
       /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF}
       /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
       END {printf "%.0f %.2f %.2f %d\n", rps, ms(p50), ms(p99), bad}'
}
u="http://127.0.0.1:$port"
read -r h_rps h_p50 h_p99 h_bad < <(measure "$u/healthz")
read -r l_rps l_p50 l_p99 l_bad < <(measure "$u/api/v1/auth/login" -s "$tmp/login.lua")
read -r p_rps p_p50 p_p99 p_bad < <(measure "$u/api/v1/clients/$client/products" -H "Authorization: Bearer $token")
read -r q_rps q_p50 q_p99 q_bad < <(measure "$u/api/v1/clients/$client/products?limit=500" -H "Authorization: Bearer $token")
printf '%-34s %8s %8s %8s %8s %10s\n' route req/s p50_ms p99_ms non2xx "vs base"
row() { printf '%-34s %8s %8s %8s %8s %10.4f\n' "$1" "$2" "$3" "$4" "$5" "$(awk -v a="$2" -v h="$h_rps" 'BEGIN{print a/h}')"; }
row "GET /healthz (baseline)" "$h_rps" "$h_p50" "$h_p99" "$h_bad"
row "POST /api/v1/auth/login" "$l_rps" "$l_p50" "$l_p99" "$l_bad"
row "GET …/products (50 per page)" "$p_rps" "$p_p50" "$p_p99" "$p_bad"
row "GET …/products?limit=500" "$q_rps" "$q_p50" "$q_p99" "$q_bad"
echo "($conns connections, ${secs}s per route, pool 10; wrk, server and PostgreSQL share 2 cores)"
