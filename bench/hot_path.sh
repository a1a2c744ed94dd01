#!/usr/bin/env bash
# Issue 16's table in one invocation: the hot routes of one build against pgbench running the
# same SQL (prepared, -M prepared) in the same rounds, plus the RSS figures, then the ratios.
#
# Per round, in turn (ratios are computed within the round, medians printed):
#   pgbench     the by-id SELECT as the server sends it (captured from pg_stat_activity)
#   by_id       GET …/products/{id} as a client user          ratio to pgbench (goal >= 0.35)
#   page        GET …/products?limit=50                       req/s, and ratio to by_id
#   variance    GET …/budgets/variance (12 budgets)           ratio to by_id (goal >= 0.12)
#   eoq         GET …/products/{id}/eoq                       ratio to by_id (goal >= 0.3)
#   orders      POST …/order-requests (2 items)               ratio to pgbench (goal >= 0.9)
#   pgbench     src/order_requests/insert_order.sql: everything the endpoint sends (the token's
#               user comes from the cache; the statement is atomic alone, no BEGIN/COMMIT)
#   p99 at 64   by_id and page at 64 connections               (goal <= 20 ms)
# Then bench/memory.sh on the same build (its own server and data): RSS idle, under reads and
# writes, during sign-in storms and 10 s after (goals <= 64 MB, back <= 32 MB).
# The issue's Node (Fastify + pg) baselines of the by-id and page reads: bench/node_baseline.sh.
#
# Data: bench/lib.sh heavy_world (seed-demo CLIENTS x PRODUCTS with 12 months of orders, 12
# budgets for the first client, one client user).
#
# Usage: bench/hot_path.sh [BIN]   (default target/release/fulfillment-ops, built if missing)
#   ROUNDS=3 SECS=10 CONNS=32 WARMUP=2   rounds, seconds per measurement, wrk connections =
#                                        pgbench clients, unmeasured seconds of reads first
#   P99_CONNS=64                         connections of the p99 measurement
#   CLIENTS=50 PRODUCTS=200              seed-demo size
#   STORMS=3 (and memory.sh's variables) the memory phase; MEMORY=0 skips it
#   DATABASE_POOL_SIZE                   passed to the server (its default: 10)
# Prints one line per round, the table of medians, and one RESULT line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start hot_path 19300 32 "${1:-}"
rounds=${ROUNDS:-3}
p99_conns=${P99_CONNS:-64}
command -v pgbench >/dev/null || { echo "install pgbench (postgresql-contrib)" >&2; exit 1; }

heavy_world
page="$u/api/v1/clients/$client/products?limit=50"
bench_serve
token=$(login client@example.com)
for url in "$by_id" "$page" "$variance" "$eoq"; do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url" || { echo "GET $url failed" >&2; exit 1; }
done
select=$(captured_select "$by_id" "$token" '%FROM "products"%')
case $select in
  *'"products"."id" = $1'*'"products"."client_id" = $2'*'LIMIT $3'*) ;;
  *) echo "unexpected product SELECT: $select" >&2; exit 1 ;;
esac
select=${select//\$1/:product}; select=${select//\$2/:client}; select=${select//\$3/1}
printf '%s;\n' "$select" >"$tmp/select.pgbench"
export BENCH_TOKEN=$token
auth=(-H "Authorization: Bearer $token")
[ "$warmup" -gt 0 ] && measure "$warmup" "$by_id" "${auth[@]}" >/dev/null

cols="pg_sel by_id by_id_p99 page page_p99 variance variance_p99 eoq eoq_p99 orders orders_p99 pg_ord by_id64_p99 page64_p99 non2xx"
: >"$tmp/rounds"
echo "round $cols"
for r in $(seq "$rounds"); do
  pg_sel=$(pgbench_tps "$tmp/select.pgbench")
  read -r b_rps _ b_p99 b_bad _ < <(measure "$secs" "$by_id" "${auth[@]}")
  read -r l_rps _ l_p99 l_bad _ < <(measure "$secs" "$page" "${auth[@]}")
  read -r v_rps _ v_p99 v_bad _ < <(measure "$secs" "$variance" "${auth[@]}")
  read -r e_rps _ e_p99 e_bad _ < <(measure "$secs" "$eoq" "${auth[@]}")
  read -r o_rps _ o_p99 o_bad _ < <(measure "$secs" "$orders" -s bench/order_request.lua)
  pg_ord=$(pgbench_tps "$tmp/order_insert.pgbench")
  c=$conns; conns=$p99_conns
  read -r _ _ b64_p99 b64_bad _ < <(measure "$secs" "$by_id" "${auth[@]}")
  read -r _ _ l64_p99 l64_bad _ < <(measure "$secs" "$page" "${auth[@]}")
  conns=$c
  line="$pg_sel $b_rps $b_p99 $l_rps $l_p99 $v_rps $v_p99 $e_rps $e_p99 $o_rps $o_p99 $pg_ord $b64_p99 $l64_p99"
  line="$line $((b_bad + l_bad + v_bad + e_bad + o_bad + b64_bad + l64_bad))"
  echo "$line" >>"$tmp/rounds"
  echo "$r $line"
done
kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=

mem="n/a"
if [ "${MEMORY:-1}" != 0 ]; then
  mem=$(STORMS=${STORMS:-3} PORT= LABEL=memory bench/memory.sh "$bin" | grep '^RESULT' | tail -1)
fi
mget() { echo "$mem" | sed -nE "s/.* $1=([0-9.]+).*/\1/p"; }

r_by_id=$(f3 "$(per_round by_id pg_sel)"); r_page=$(f3 "$(per_round page by_id)")
r_var=$(f3 "$(per_round variance by_id)"); r_eoq=$(f3 "$(per_round eoq by_id)")
r_ord=$(f3 "$(per_round orders pg_ord)")
echo
echo "| work ($conns connections) | fulfillment-ops | baseline in the same run | ratio | goal |"
echo "|---|---|---|---|---|"
echo "| GET …/products/{id} (client user token) | $(col by_id) req/s, p99 $(col by_id_p99) ms | pgbench -M prepared, the endpoint's SELECT: $(col pg_sel) TPS | ${r_by_id}× | ≥ 0.35× |"
echo "| GET …/products?limit=50 | $(col page) req/s, p99 $(col page_p99) ms | by-id read | ${r_page}× | (Node: bench/node_baseline.sh) |"
echo "| POST …/order-requests (2 items) | $(col orders) req/s, p99 $(col orders_p99) ms | pgbench -M prepared, insert_order.sql: $(col pg_ord) TPS | ${r_ord}× | ≥ 0.9× |"
echo "| GET …/budgets/variance (12 budgets) | $(col variance) req/s, p99 $(col variance_p99) ms | by-id read | ${r_var}× | ≥ 0.12× |"
echo "| GET …/products/{id}/eoq | $(col eoq) req/s, p99 $(col eoq_p99) ms | by-id read | ${r_eoq}× | ≥ 0.3× |"
echo "| p99 at $p99_conns connections | by id $(col by_id64_p99) ms, page of 50 $(col page64_p99) ms | | | ≤ 20 ms |"
echo "| RSS under reads and writes (MiB) | peak $(mget load_peak), idle $(mget idle) | | | ≤ 64 MB |"
echo "| RSS after sign-in storms (MiB) | peak $(mget storm_peak), $(mget after_10s) after 10 s idle ($(mget signin_rps) sign-ins/s) | | | ≤ 64 MB, back to ≤ 32 MB |"
echo
echo "($label: $rounds rounds, $conns connections, ${secs}s per measurement, pool $pool; non-2xx $(awk '{t += $NF} END {print t + 0}' "$tmp/rounds");" \
  "wrk, pgbench, the server and PostgreSQL share $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "RESULT $label rounds=$rounds by_id=$(col by_id) pg_select=$(col pg_sel) by_id_vs_pg=$r_by_id" \
  "page=$(col page) page_vs_by_id=$r_page orders=$(col orders) pg_orders=$(col pg_ord) orders_vs_pg=$r_ord" \
  "variance_vs_by_id=$r_var eoq_vs_by_id=$r_eoq by_id_p99_64=$(col by_id64_p99) page_p99_64=$(col page64_p99)" \
  "rss_load_peak=$(mget load_peak) rss_storm_peak=$(mget storm_peak) rss_after_10s=$(mget after_10s)"
