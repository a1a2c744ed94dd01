#!/usr/bin/env bash
# Heavy reads and the order write of issue 16 (items 2 and 3), each as a ratio measured in the
# same round:
#   - GET …/budgets/variance (12 budgets) and GET …/products/{id}/eoq against the by-id
#     product read GET …/products/{id} (goals: variance >= 0.12x, EOQ >= 0.3x);
#   - POST …/order-requests (2 items) against pgbench running the statements the endpoint
#     sends, prepared, in one transaction (goal >= 0.9x). Two pgbench scripts are measured
#     every round: the statements sent before issue 16 (bench/order_request_before.pgbench)
#     and now (the token's user lookup, then src/order_requests/insert_order.sql); compare a
#     build with the statements it sends.
#
# Data: seed-demo (CLIENTS x PRODUCTS, 12 months of orders, costs aggregated), then the first
# client's budgets replaced by 12 (ten client-wide months, a category quarter, a product
# across two months). One client user. Every build in the argument list is measured in every
# round, in turn (alternating rounds); the database is migrated by the last one.
#
# Usage: bench/heavy_reads.sh [BIN...]   (default: target/release/fulfillment-ops)
#   ROUNDS=3 SECS=10 CONNS=32 WARMUP=2   rounds, seconds per measurement, wrk connections and
#                                        pgbench clients, unmeasured seconds per build and round
#   CLIENTS=50 PRODUCTS=200              seed-demo size
#   DATABASE_POOL_SIZE                   passed to the server (its default: 10)
# Prints one line per build and round, then one RESULT line each.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(target/release/fulfillment-ops)
bench_start heavy_reads 18600 32 "${bins[-1]}"
rounds=${ROUNDS:-3}

"$bin" seed-demo --clients "${CLIENTS:-50}" --products-per-client "${PRODUCTS:-200}" \
  --months 12 --rng-seed 16 >"$tmp/seed.out" 2>&1 || { cat "$tmp/seed.out" >&2; exit 1; }
client=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM clients ORDER BY name, id LIMIT 1")
IFS='|' read -r product category < <(psql -qtA -F '|' "$DATABASE_URL" -c "
  SELECT p.id, p.category
  FROM products p
  WHERE p.client_id = '$client' AND p.archived_at IS NULL AND p.category IS NOT NULL
    AND p.unit_cost > 0 AND p.reorder_cost > 0 AND p.holding_cost_rate > 0
    AND EXISTS (SELECT 1 FROM order_request_items i WHERE i.product_id = p.id)
  ORDER BY p.sku LIMIT 1")
# The orders posted (by wrk and pgbench) name two other products, so the EOQ's demand (of
# $product) does not grow while the rounds run.
read -r order1 order2 < <(psql -qtA "$DATABASE_URL" -c "
  SELECT string_agg(id::text, ' ') FROM (SELECT id FROM products WHERE client_id = '$client'
    AND archived_at IS NULL AND id <> '$product' ORDER BY sku DESC LIMIT 2) p")
psql -q "$DATABASE_URL" <<SQL
DELETE FROM budgets WHERE client_id = '$client';
INSERT INTO budgets (client_id, period_start, period_end, budgeted_amount)
SELECT '$client', (date_trunc('month', now()) - make_interval(months => m))::date,
       (date_trunc('month', now()) - make_interval(months => m - 1))::date - 1, 30000
FROM generate_series(0, 9) m;
INSERT INTO budgets (client_id, category, period_start, period_end, budgeted_amount)
VALUES ('$client', \$\$${category}\$\$, (date_trunc('month', now()) - interval '5 months')::date + 9,
        (date_trunc('month', now()) - interval '2 months')::date + 8, 9000);
INSERT INTO budgets (client_id, product_id, period_start, period_end, budgeted_amount)
VALUES ('$client', '$product', (date_trunc('month', now()) - interval '3 months')::date + 14,
        (date_trunc('month', now()) - interval '1 month')::date + 13, 800);
VACUUM ANALYZE;
SQL
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
uid=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM users WHERE email = 'client@example.com'")
from=$(date -u -d "$(date -u +%Y-%m-01) -12 month" +%F)
today=$(date -u +%F)
by_id="$u/api/v1/clients/$client/products/$product"
variance="$u/api/v1/clients/$client/budgets/variance?from=$from&to=$today&as_of=$today"
eoq="$by_id/eoq?as_of=$today"
orders="$u/api/v1/clients/$client/order-requests"
export BENCH_BODY="{\"items\":[{\"product_id\":\"$order1\",\"quantity\":2},{\"product_id\":\"$order2\",\"quantity\":3}],\"notes\":\"bench\"}"

# The statements POST sends now: the token's user, then insert_order.sql (comments dropped,
# $n as pgbench variables).
{
  echo 'SELECT "users"."id", "users"."role", "users"."client_id", "users"."password_hash" FROM "users" WHERE ("users"."id" = :uid) LIMIT 1;'
  sed -e 's/--.*$//' -e 's/\$1/:client/g; s/\$2/:status/g; s/\$3/:notes/g; s/\$4/:uid/g' \
    -e 's/\$5/:products/g; s/\$6/:quantities/g' src/order_requests/insert_order.sql \
    | grep -v '^[[:space:]]*$'
  echo ';'
} >"$tmp/order_now.pgbench"
pgbench_tps() { # script -> TPS
  pgbench -n -M prepared -c "$conns" -j 2 -T "$secs" -f "$1" \
    -D uid="$uid" -D client="$client" -D status=submitted -D notes=bench \
    -D products="{$order1,$order2}" -D quantities='{2,3}' -D p1="$order1" -D p2="$order2" \
    "$DATABASE_URL" 2>&1 | awk '/^tps/ {print int($3); exit}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3f", a/b; else print "n/a" }'; }

printf '%-5s %-24s %8s %9s %6s %7s %6s %8s %8s %8s %6s %6s\n' round build by_id variance ratio eoq ratio \
  orders pg_then pg_now r_then r_now
for r in $(seq "$rounds"); do
  pg_then=$(pgbench_tps bench/order_request_before.pgbench)
  pg_now=$(pgbench_tps "$tmp/order_now.pgbench")
  for b in "${bins[@]}"; do
    bin=$b
    bench_serve
    token=$(login client@example.com)
    for url in "$by_id" "$variance" "$eoq"; do
      curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url" || { echo "GET $url failed" >&2; exit 1; }
    done
    export BENCH_TOKEN=$token
    [ "$warmup" -gt 0 ] && measure "$warmup" "$by_id" -H "Authorization: Bearer $token" >/dev/null
    read -r p_rps p_p50 p_p99 p_bad _ < <(measure "$secs" "$by_id" -H "Authorization: Bearer $token")
    read -r v_rps v_p50 v_p99 v_bad _ < <(measure "$secs" "$variance" -H "Authorization: Bearer $token")
    read -r e_rps e_p50 e_p99 e_bad _ < <(measure "$secs" "$eoq" -H "Authorization: Bearer $token")
    read -r o_rps o_p50 o_p99 o_bad _ < <(measure "$secs" "$orders" -s bench/order_request.lua)
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
    name=$b; [ ${#name} -le 24 ] || name=${name: -24}
    printf '%-5s %-24s %8s %9s %6s %7s %6s %8s %8s %8s %6s %6s\n' "$r" "$name" "$p_rps" \
      "$v_rps" "$(ratio "$v_rps" "$p_rps")" "$e_rps" "$(ratio "$e_rps" "$p_rps")" "$o_rps" \
      "$pg_then" "$pg_now" "$(ratio "$o_rps" "$pg_then")" "$(ratio "$o_rps" "$pg_now")"
    echo "RESULT round=$r bin=$b pool=$pool conns=$conns by_id=$p_rps by_id_p99=$p_p99" \
      "variance=$v_rps variance_ratio=$(ratio "$v_rps" "$p_rps") variance_p50=$v_p50 variance_p99=$v_p99" \
      "eoq=$e_rps eoq_ratio=$(ratio "$e_rps" "$p_rps") eoq_p99=$e_p99" \
      "orders=$o_rps orders_p50=$o_p50 orders_p99=$o_p99 pgbench_then=$pg_then pgbench_now=$pg_now" \
      "non2xx=$((p_bad + v_bad + e_bad + o_bad))" >>"$tmp/results"
  done
done
cat "$tmp/results"
echo "($conns connections, ${secs}s per measurement, pool $pool, $rounds rounds; wrk, servers, pgbench and PostgreSQL share $(nproc) cores)"
