#!/usr/bin/env bash
# Benchmarking (issue 12): the snapshot job for 1 000 clients x 100 products x 12 months of
# history, timed through the CLI (`jobs benchmark-snapshots`) and the admin route; then the
# client's view `GET /api/v1/clients/{client_id}/benchmark?period=` and the client user's
# aggregates list per request, beside the /healthz baseline measured in the same run.
#
# Data, generated in SQL: CLIENTS clients in six industries (plus three in a "niche" industry,
# too small for a cohort of their own), PRODUCTS products each (90 % with a unit cost), about 20
# counted orders of 2 lines per client and month, a stock reading per product every Monday
# (some at zero), a forecast per product and month; 95 % of the clients participate, with a
# declared size band (4 bands x 6 industries: cohorts of about 40). Load: wrk on loopback,
# bounded in time. Each run has its own port and database and removes both on exit.
#
# Usage: bench/benchmark_snapshots.sh [BIN]
#   BIN                 binary to measure (default: target/release/fulfillment-ops, built if missing)
#   CLIENTS=1000 PRODUCTS=100 MONTHS=12   the history's size
#   RUNS=3              timed job runs (CLI), median reported
#   SECS=10 CONNS=16    seconds per route, wrk connections
#   WARMUP=2            unmeasured seconds of view reads before the measured routes
#   DATABASE_POOL_SIZE  passed to the server (its default: 10)
#   PORT, LABEL         listen port (default: derived from the shell's pid), name in the RESULT line
# Prints the data's size, the job times, a table, then one `RESULT` line to collect.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start benchmark_snapshots 19700 16 "${1:-}"
clients=${CLIENTS:-1000}; products=${PRODUCTS:-100}; months=${MONTHS:-12}; runs=${RUNS:-3}
period=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)

t0=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
SET client_min_messages = warning;
CREATE TEMP TABLE b_clients AS
SELECT g AS n, gen_random_uuid() AS id,
       CASE WHEN g > $clients THEN 'niche'
            ELSE (ARRAY['apparel','beauty','electronics','food','home','sports'])[1 + g % 6] END
           AS industry
FROM generate_series(1, $clients + 3) g;
INSERT INTO clients (id, name, industry, created_at)
SELECT id, 'Bench client ' || n, industry, now() - interval '3 years' FROM b_clients;
INSERT INTO products (client_id, sku, name, current_stock, unit_cost, created_at)
SELECT c.id, 'SKU-' || p, 'Product ' || p, (c.n * 7 + p * 13) % 120,
       CASE WHEN p % 10 = 0 THEN NULL ELSE 1 + ((c.n + p) % 40) * 0.25 END,
       now() - interval '3 years'
FROM b_clients c, generate_series(1, $products) p;
ANALYZE products;
CREATE TEMP TABLE b_orders AS
SELECT gen_random_uuid() AS id, c.id AS client_id, c.n, k,
       (now() - interval '$months months') + (random() * interval '$months months') AS at,
       CASE WHEN random() < 0.05 THEN 'cancelled' WHEN random() < 0.05 THEN 'draft'
            ELSE 'submitted' END AS status
FROM b_clients c, generate_series(1, 20 * $months) k;
INSERT INTO order_requests (id, client_id, status, created_at, updated_at)
SELECT id, client_id, status, at, at FROM b_orders;
INSERT INTO order_request_items (order_request_id, product_id, quantity)
SELECT o.id, p.id, max(1 + (random() * 9)::int)
FROM b_orders o
CROSS JOIN LATERAL (VALUES (1 + (o.n * 31 + o.k * 17) % $products),
                           (1 + (o.n * 31 + o.k * 17 + 1 + o.k % GREATEST($products - 1, 1)) % $products)) pick (k)
JOIN products p ON p.client_id = o.client_id AND p.sku = 'SKU-' || pick.k
GROUP BY o.id, p.id;
INSERT INTO stock_levels (product_id, recorded_on, quantity)
SELECT p.id, d::date, GREATEST(0, abs(hashtext(p.id::text || ':' || w)) % 60 - 8)
FROM products p,
     LATERAL generate_series(0, ($months * 53) / 12) w,
     LATERAL (SELECT date_trunc('week', now() - interval '$months months') + w * interval '7 days' AS d) dd
WHERE d <= now();
INSERT INTO demand_forecasts (product_id, period, forecast_units)
SELECT p.id, (date_trunc('month', now()) - m * interval '1 month')::date, round((random() * 4.4)::numeric, 2)
FROM products p, generate_series(0, $months - 1) m;
INSERT INTO benchmark_participation (client_id, is_participating, industry, size_band, cohort, opted_in_at)
SELECT c.id, c.n % 20 <> 0, c.industry, b.band, c.industry || '/' || b.band, now()
FROM b_clients c,
     LATERAL (SELECT (ARRAY['small','medium','large','enterprise'])[1 + (c.n / 6) % 4] AS band) b;
ANALYZE;
SQL
t1=$(date +%s.%N)
count() { psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM $1"; }
echo "data: $(count clients) clients, $(count products) products, $(count order_requests) orders," \
  "$(count order_request_items) lines, $(count stock_levels) stock readings," \
  "$(count demand_forecasts) forecasts, $(count 'benchmark_participation WHERE is_participating') participants" \
  "(generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s)"

job_times=()
for _ in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$bin" jobs benchmark-snapshots --period "$period" >"$tmp/job.out"
  e=$(date +%s.%N)
  job_times+=("$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", b-a}')")
done
job_median=$(printf '%s\n' "${job_times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
echo "job ($period), $runs runs: ${job_times[*]} s (median $job_median s)"
cat "$tmp/job.out"

participant=$(psql -qtA "$DATABASE_URL" -c \
  "SELECT client_id FROM benchmark_participation WHERE is_participating AND cohort = 'food/medium' LIMIT 1")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$participant" >/dev/null
"$bin" user create --email admin@example.com --password 'bench password 123' --role admin >/dev/null

bench_serve
admin_token=$(login admin@example.com)
s=$(date +%s.%N)
curl -fs -o "$tmp/api_job.json" -X POST -H "Authorization: Bearer $admin_token" \
  -H 'content-type: application/json' -d "{\"period\":\"$period\"}" "$u/api/v1/admin/benchmarks/snapshots" \
  || { echo "POST /api/v1/admin/benchmarks/snapshots failed" >&2; exit 1; }
e=$(date +%s.%N)
api_job=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", b-a}')
echo "job through POST /api/v1/admin/benchmarks/snapshots: $api_job s"

token=$(login client@example.com)
auth="Authorization: Bearer $token"
view="/api/v1/clients/$participant/benchmark?period=$period"
list="/api/v1/benchmarks/snapshots?period=$period"
curl -fs -H "$auth" "$u$view" | grep -q '"percentiles":{' \
  || { echo "the participant's view has no percentiles" >&2; exit 1; }
curl -fs -o /dev/null -H "$auth" "$u$list" || { echo "GET $list failed" >&2; exit 1; }

[ "$warmup" -gt 0 ] && measure "$warmup" "$u$view" -H "$auth" >/dev/null
read -r h_rps h_p50 h_p99 h_bad h_err < <(measure "$secs" "$u/healthz")
read -r v_rps v_p50 v_p99 v_bad v_err < <(measure "$secs" "$u$view" -H "$auth")
read -r l_rps l_p50 l_p99 l_bad l_err < <(measure "$secs" "$u$list" -H "$auth")

ratio() { awk -v a="$1" -v h="$h_rps" 'BEGIN{printf "%.4f", a/h}'; }
printf '%-40s %8s %8s %8s %8s %8s %8s\n' route req/s p50_ms p99_ms non2xx sockerr "vs base"
row() { printf '%-40s %8s %8s %8s %8s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$(ratio "$2")"; }
row "GET /healthz (baseline)" "$h_rps" "$h_p50" "$h_p99" "$h_bad" "$h_err"
row "GET .../benchmark?period= (client)" "$v_rps" "$v_p50" "$v_p99" "$v_bad" "$v_err"
row "GET /benchmarks/snapshots (client)" "$l_rps" "$l_p50" "$l_p99" "$l_bad" "$l_err"
echo "($label: $conns connections, ${secs}s per route, pool $pool; wrk, server and PostgreSQL share $(nproc) cores)"
echo "RESULT $label clients=$clients products=$products months=$months job_median_s=$job_median" \
  "job_runs_s=$(IFS=,; echo "${job_times[*]}") api_job_s=$api_job healthz=$h_rps view=$v_rps view_ratio=$(ratio "$v_rps")" \
  "view_p50=$v_p50 view_p99=$v_p99 list=$l_rps list_ratio=$(ratio "$l_rps") list_p50=$l_p50 list_p99=$l_p99" \
  "non2xx=$((h_bad + v_bad + l_bad)) sockerr=$((h_err + v_err + l_err))"
