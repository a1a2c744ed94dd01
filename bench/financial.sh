#!/usr/bin/env bash
# Financial figures at scale: seed-demo with 1000 clients x 100 products x 12 months
# (100 000 products, ~1 040 000 order lines), then
#   1. `jobs aggregate-costs` for last month and for the current month (all clients), timed;
#   2. GET …/budgets/variance for one client holding 200 budgets, timed with wrk against the
#      /healthz baseline of the same run.
# Usage: bench/financial.sh [clients] [products-per-client]   (defaults 1000 100)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}; per=${2:-100}
admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=${admin%/*}
bin=target/release/fulfillment-ops
[ -x "$bin" ] || cargo build --release --locked
db=fo_bench_financial; port=18083
psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
export DATABASE_URL="$base/$db" LISTEN_ADDR=127.0.0.1:$port SHUTDOWN_DRAIN=0 RUST_LOG=warn \
  JWT_SECRET=bench-secret-0123456789-0123456789-xx ADMIN_TOKEN=bench-admin-token-0123456789
trap 'kill -TERM ${pid:-0} 2>/dev/null; wait ${pid:-0} 2>/dev/null; psql -q "$admin" -c "DROP DATABASE IF EXISTS $db"' EXIT

t0=$(date +%s%3N)
"$bin" seed-demo --clients "$clients" --products-per-client "$per" --months 12 >"${TMPDIR:-/tmp}/fo-seed.out"
head -1 "${TMPDIR:-/tmp}/fo-seed.out"
echo "seed-demo: $(( $(date +%s%3N) - t0 )) ms"
psql -q "$DATABASE_URL" -c "VACUUM ANALYZE" >/dev/null

last=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
this=$(date -u +%Y-%m)
for period in "$last" "$this" "$last"; do
  t0=$(date +%s%3N)
  "$bin" jobs aggregate-costs --period "$period"
  echo "  jobs aggregate-costs --period $period: $(( $(date +%s%3N) - t0 )) ms"
done

client=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM clients ORDER BY name LIMIT 1")
# 200 budgets: 20 products x 10 consecutive months (distinct scopes, no overlaps)
psql -q "$DATABASE_URL" -c "
  INSERT INTO budgets (client_id, product_id, period_start, period_end, budgeted_amount)
  SELECT '$client', p.id, (date_trunc('month', now()) - (m || ' months')::interval)::date,
         (date_trunc('month', now()) - ((m - 1) || ' months')::interval - interval '1 day')::date,
         100 + m * 10
  FROM (SELECT id FROM products WHERE client_id = '$client' ORDER BY sku LIMIT 20) p,
       generate_series(0, 9) m"
echo "budgets of the client: $(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM budgets WHERE client_id = '$client'")"
for m in $(seq 0 11); do
  "$bin" jobs aggregate-costs --period "$(date -u -d "$(date -u +%Y-%m-01) -$m month" +%Y-%m)" >/dev/null
done

"$bin" user create --email bench-admin@example.com --password 'bench admin password' --role admin >/dev/null
"$bin" serve >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
token=$(curl -fs -X POST -H 'content-type: application/json' \
  -d '{"email":"bench-admin@example.com","password":"bench admin password"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
from=$(date -u -d "$(date -u +%Y-%m-01) -12 month" +%F); to=$(date -u +%F)
url="http://127.0.0.1:$port/api/v1/clients/$client/budgets/variance?from=$from&to=$to"
curl -fs -H "Authorization: Bearer $token" "$url" -o /dev/null -w "variance (200 budgets), one request: %{time_total}s\n" || true
measure() { wrk -t1 -c4 -d5s --latency "$@" | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p=$2} END {print r, p}'; }
read -r h_rps h_p50 < <(measure "http://127.0.0.1:$port/healthz")
read -r v_rps v_p50 < <(measure -H "Authorization: Bearer $token" "$url")
echo "healthz baseline: $h_rps req/s (p50 $h_p50); variance: $v_rps req/s (p50 $v_p50); ratio $(awk -v a="$v_rps" -v b="$h_rps" 'BEGIN{printf "%.4f", a/b}')"
