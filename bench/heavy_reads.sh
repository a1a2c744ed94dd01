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

heavy_world
# The statements POST sent before the user cache: the token's user, then insert_order.sql.
{
  echo 'SELECT "users"."id", "users"."role", "users"."client_id", "users"."password_hash" FROM "users" WHERE ("users"."id" = :uid) LIMIT 1;'
  cat "$tmp/order_insert.pgbench"
} >"$tmp/order_now.pgbench"

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
