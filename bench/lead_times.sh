#!/usr/bin/env bash
# Lead-time recalculation at scale, and the reorder-alert list per request.
#
# For each scale P (products; 10 x P counted order lines over the last 120 days, 1000 products
# a client, two thirds with their own lead times, a third of the clients with defaults):
#   psql:  the bare statement, src/lead_times/recalculate.sql, PREPAREd and EXECUTEd for every
#          client (as the job runs it, with its work_mem), timed by psql's \timing; each run
#          (psql and job) after an untimed VACUUM, as a nightly run finds the tables;
#   job:   `fulfillment-ops jobs recalculate-lead-times` (the same statement through
#          diesel-async, plus process start and connect), wall clock;
#   each scale in its own database, RUNS rounds alternating the scales, medians per scale;
#   api:   `POST /api/v1/clients/{id}/lead-times/recalculate` for one client (1000 products),
#          against the same statement for that client in psql.
# Goals: job <= 1.5 x psql; the largest scale's time <= 1.1 x (scale ratio) x the smallest's.
# Then GET …/reorder-alerts?within_days=14 of one client, wrk against /healthz.
#
# Usage: bench/lead_times.sh [BIN]
#   SCALES="10000 100000"   products per scale, smallest first (10x apart for the goal;
#                           "100000 1000000" is the issue's 10x, about 11 million rows)
#   RUNS=3 SECS=10 CONNS=16 timing runs; wrk seconds and connections
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start lead_times 18700 16 "${1:-}"
scales=${SCALES:-10000 100000}; runs=${RUNS:-3}
stmt=src/lead_times/recalculate.sql

generate() { # products
  local p=$1 clients=$(( $1 / 1000 )) lines=$(( $1 * 10 ))
  psql -q "$DATABASE_URL" <<SQL
SET client_min_messages = warning;
TRUNCATE product_timing_inputs, order_request_transitions, order_request_items, order_requests,
         products, users, clients CASCADE;
INSERT INTO clients (name, default_supplier_lead_days, default_shipping_lead_days,
                     default_processing_lead_days, default_safety_buffer_days)
SELECT 'Client ' || lpad(c::text, 5, '0'),
       CASE WHEN c % 3 = 0 THEN 10 END, CASE WHEN c % 3 = 0 THEN 4 END,
       CASE WHEN c % 3 = 0 THEN 1 END, CASE WHEN c % 3 = 0 THEN 2 END
FROM generate_series(1, $clients) c;
INSERT INTO products (client_id, sku, name, current_stock, supplier_lead_days,
                      shipping_lead_days, processing_lead_days, safety_buffer_days, lead_time_source)
SELECT c.id, 'SKU-' || lpad(g::text, 4, '0'), 'Product ' || g, (g * 37) % 500,
       CASE WHEN g % 3 <> 0 THEN 5 + g % 20 END, CASE WHEN g % 3 <> 0 THEN 3 END,
       CASE WHEN g % 3 <> 0 THEN 1 END, CASE WHEN g % 3 <> 0 THEN g % 5 END,
       CASE WHEN g % 3 <> 0 THEN 'supplier' END
FROM clients c, generate_series(1, 1000) g;
-- Orders of 10 lines, 100 per client per 1000 products... spread over 120 days; one in 20
-- is a draft or cancelled (not demand).
INSERT INTO order_requests (client_id, status, created_at)
SELECT c.id, CASE WHEN g % 20 = 0 THEN 'draft' WHEN g % 20 = 1 THEN 'cancelled' ELSE 'approved' END,
       now() - ((g * 7919) % (120 * 24) || ' hours')::interval
FROM clients c, generate_series(1, $lines / 10 / $clients) g;
INSERT INTO order_request_items (order_request_id, product_id, quantity)
SELECT o.id, p.id, 1 + (k * 13) % 9
FROM (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY id) AS n FROM order_requests) o
CROSS JOIN generate_series(0, 9) k
JOIN products p ON p.client_id = o.client_id
 AND p.sku = 'SKU-' || lpad((1 + (o.n * 10 + k * 97) % 1000)::text, 4, '0');
VACUUM ANALYZE;
SQL
  echo "scale $p: $(psql -qtA "$DATABASE_URL" -c "SELECT (SELECT count(*) FROM clients) || ' clients, ' || (SELECT count(*) FROM products) || ' products, ' || (SELECT count(*) FROM order_request_items) || ' order lines'")"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Every timed run starts from a vacuumed table, as a nightly job finds it (autovacuum runs in
# the hours between): back-to-back runs would otherwise time the previous runs' dead row
# versions (each run rewrites every product row), which grow with the runs, not the data.
settle() {
  psql -qX "$DATABASE_URL" -c "VACUUM (ANALYZE) products, product_timing_inputs" >/dev/null
}

psql_ms() { # client-uuid-or-NULL [runs] -> median ms of the bare statement
  local client=$1
  for _ in $(seq "${2:-$runs}"); do
    settle
    # As the job runs it: every client's run sets work_mem for its transaction
    # (ALL_CLIENTS_WORK_MEM in src/lead_times/queries.rs); a client's run does not.
    local setup="SET work_mem = '256MB';"
    [ "$client" = NULL ] || setup=
    { echo "\\set QUIET on"; echo "$setup"; echo "PREPARE recalc(date, integer, uuid, uuid, integer) AS"; cat "$stmt"; echo ";"
      echo "\\timing on"; echo "EXECUTE recalc(current_date, 90, $client, NULL, 14);"
    } | psql -qtA "$DATABASE_URL" | awk '/^Time:/ {print $2}'
  done | median
}

job_ms() { # -> ms of one run of the job
  settle
  local t0; t0=$(date +%s%3N)
  "$bin" jobs recalculate-lead-times >/dev/null
  echo $(( $(date +%s%3N) - t0 ))
}

# Each scale in a database of its own (a copy of the migrated, empty one), then RUNS rounds
# that alternate the scales, so a change in the machine's load between scales (this machine
# is shared) weighs on both sides of the ratio alike.
declare -A P_MS J_MS DB_OF
for p in $scales; do
  DB_OF[$p]=${db}_$p
  psql -q "$admin" -c "CREATE DATABASE ${DB_OF[$p]} TEMPLATE $db" >/dev/null
  DATABASE_URL=$base/${DB_OF[$p]} generate "$p"
done
trap 'bench_cleanup; for d in "${DB_OF[@]}"; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done' EXIT
declare -A P_RUNS J_RUNS
for round in $(seq "$runs"); do
  for p in $scales; do
    export DATABASE_URL=$base/${DB_OF[$p]}
    ps=$(psql_ms NULL 1); js=$(job_ms)
    P_RUNS[$p]+="$ps "; J_RUNS[$p]+="$js "
    echo "  round $round, $p products: psql $ps ms, job $js ms"
  done
done
for p in $scales; do
  P_MS[$p]=$(printf '%s\n' ${P_RUNS[$p]} | median)
  J_MS[$p]=$(printf '%s\n' ${J_RUNS[$p]} | median)
  echo "  $p products, all clients: psql ${P_MS[$p]} ms, job ${J_MS[$p]} ms (medians), ratio $(awk -v a="${J_MS[$p]}" -v b="${P_MS[$p]}" 'BEGIN{printf "%.2f", a/b}')"
  last=$p
done
export DATABASE_URL=$base/${DB_OF[$last]}
first=${scales%% *}
if [ "$first" != "$last" ]; then
  echo "scaling ${first} -> ${last} products ($(( last / first ))x data): psql $(awk -v a="${P_MS[$last]}" -v b="${P_MS[$first]}" 'BEGIN{printf "%.2f", a/b}')x," \
    "job $(awk -v a="${J_MS[$last]}" -v b="${J_MS[$first]}" 'BEGIN{printf "%.2f", a/b}')x (goal <= $(awk -v r="$(( last / first ))" 'BEGIN{printf "%.1f", r * 1.1}')x)"
fi

client=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM clients WHERE default_supplier_lead_days IS NOT NULL ORDER BY name LIMIT 1")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
one_psql=$(psql_ms "'$client'")
bench_serve
token=$(login client@example.com)
api=$(for _ in $(seq "$runs"); do
  curl -fs -o /dev/null -X POST -H "Authorization: Bearer $token" \
    -w '%{time_total}\n' "$u/api/v1/clients/$client/lead-times/recalculate"
done | awk '{print $1 * 1000}' | median)
echo "one client (1000 products): psql $one_psql ms, POST …/lead-times/recalculate $api ms, ratio $(awk -v a="$api" -v b="$one_psql" 'BEGIN{printf "%.2f", a/b}')"

alerts="/api/v1/clients/$client/reorder-alerts?within_days=14"
echo "alerts of the client: $(curl -fs -H "Authorization: Bearer $token" "$u$alerts&limit=500" | grep -o '"product_id"' | wc -l) on the first page of 500"
[ "$warmup" -gt 0 ] && measure "$warmup" "$u$alerts" -H "Authorization: Bearer $token" >/dev/null
read -r h_rps h_p50 h_p99 _ _ < <(measure "$secs" "$u/healthz")
read -r a_rps a_p50 a_p99 a_bad a_err < <(measure "$secs" "$u$alerts" -H "Authorization: Bearer $token")
echo "GET /healthz: $h_rps req/s (p50 $h_p50 ms, p99 $h_p99 ms); GET …/reorder-alerts?within_days=14: $a_rps req/s (p50 $a_p50 ms, p99 $a_p99 ms, non-2xx $a_bad), ratio $(awk -v a="$a_rps" -v b="$h_rps" 'BEGIN{printf "%.4f", a/b}')"
echo "($label: $conns connections, ${secs}s, pool $pool; wrk, server and PostgreSQL share $(nproc) cores)"
echo "RESULT $label scales=\"$scales\" $(for p in $scales; do printf 'psql_%s=%s job_%s=%s ' "$p" "${P_MS[$p]}" "$p" "${J_MS[$p]}"; done)one_psql=$one_psql one_api=$api alerts_rps=$a_rps alerts_p99=$a_p99 healthz=$h_rps"
