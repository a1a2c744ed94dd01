#!/usr/bin/env bash
# Issue 16's Node baselines: the two product reads of one build against a minimal Node
# (Fastify + pg) server, bench/node/server.js, on the same database in the same rounds.
#
# The Node server does the database work the service does without its caches: per request the
# token's payload decoded but not verified (the issue's "no JWT check"), the token's user read
# (the service's own user SELECT, which it sends only on a cache miss) and checked, then the
# product SELECT the service sends, captured here from pg_stat_activity and passed to Node
# verbatim (prepared, as the service's are). Its pool has the service's size. Both servers
# must answer the same JSON for both URLs (compared after jq -S) before anything is measured.
#
# Per round, in turn (ratios are computed within the round, medians printed):
#   by_id   GET …/products/{id} as a client user, the service, then Node   goal: ours >= 3x Node
#   page    GET …/products?limit=50, the service, then Node                goal: ours >= 4x Node
#
# Data: bench/lib.sh heavy_world (seed-demo CLIENTS x PRODUCTS with 12 months of orders, one
# client user). Node's dependencies: `npm ci --omit=dev` in bench/node when node_modules is
# missing (fastify and pg, pinned by bench/node/package-lock.json).
#
# Usage: bench/node_baseline.sh [BIN]   (default target/release/fulfillment-ops, built if missing)
#   ROUNDS=3 SECS=10 CONNS=32 WARMUP=2   rounds, seconds per measurement, wrk connections,
#                                        unmeasured seconds of each of the four reads first
#   CLIENTS=50 PRODUCTS=200              seed-demo size
#   DATABASE_POOL_SIZE                   both servers' pool (the service's default: 10)
#   NODE_PORT                            Node's port (default: the service's + 1000)
# Prints one line per round, the table of medians, and one RESULT line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start node_baseline 19400 32 "${1:-}"
rounds=${ROUNDS:-3}
node_port=${NODE_PORT:-$((port + 1000))}
n="http://127.0.0.1:$node_port"
command -v node >/dev/null || { echo "install Node.js (20 or later)" >&2; exit 1; }
if curl -s -o /dev/null "$n/healthz"; then echo "port $node_port is already taken" >&2; exit 1; fi
if [ ! -d bench/node/node_modules ]; then
  (cd bench/node && npm ci --omit=dev --no-audit --no-fund >/dev/null)
fi
node_pid=
stop_node() {
  if [ -n "$node_pid" ]; then kill -TERM "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  node_pid=
}
trap 'stop_node; bench_cleanup' EXIT

heavy_world
page="$u/api/v1/clients/$client/products?limit=50"
bench_serve
token=$(login client@example.com)
for url in "$by_id" "$page"; do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url" || { echo "GET $url failed" >&2; exit 1; }
done
by_id_sql=$(captured_select "$by_id" "$token" '%FROM "products" WHERE (("products"."id" = $1)%')
case $by_id_sql in
  *'"products"."id" = $1'*'"products"."client_id" = $2'*'LIMIT $3') ;;
  *) echo "unexpected by-id SELECT: $by_id_sql" >&2; exit 1 ;;
esac
page_sql=$(captured_select "$page" "$token" '%FROM "products"%ORDER BY "products"."sku"%')
case $page_sql in
  *'"products"."client_id" = $1'*'"products"."archived_at" IS NULL'*'ORDER BY "products"."sku" ASC LIMIT $2') ;;
  *) echo "unexpected page SELECT: $page_sql" >&2; exit 1 ;;
esac

PORT=$node_port PRODUCT_SQL=$by_id_sql PAGE_SQL=$page_sql node bench/node/server.js >"$tmp/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 200); do
  curl -fs "$n/healthz" >/dev/null 2>&1 && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$tmp/node.log" >&2; exit 1; }
  sleep 0.05
done
node_by_id=${by_id/#$u/$n}
node_page=${page/#$u/$n}
auth=(-H "Authorization: Bearer $token")
same() { # ours node -> fails unless both answer 200 and the same JSON, key order aside
  curl -fs "${auth[@]}" "$1" | jq -S . >"$tmp/ours.json" || { echo "GET $1 failed" >&2; exit 1; }
  curl -fs "${auth[@]}" "$2" | jq -S . >"$tmp/node.json" || { echo "GET $2 failed: $(cat "$tmp/node.log")" >&2; exit 1; }
  diff -u "$tmp/ours.json" "$tmp/node.json" >&2 || { echo "Node's body of $2 differs from ours" >&2; exit 1; }
}
same "$by_id" "$node_by_id"
same "$page" "$node_page"
[ "$(jq '.data | length' "$tmp/ours.json")" = 50 ] || { echo "the page has fewer than 50 products" >&2; exit 1; }
if [ "$warmup" -gt 0 ]; then
  for url in "$by_id" "$node_by_id" "$page" "$node_page"; do measure "$warmup" "$url" "${auth[@]}" >/dev/null; done
fi

cols="by_id by_id_p99 node_by_id node_by_id_p99 page page_p99 node_page node_page_p99 non2xx"
: >"$tmp/rounds"
echo "round $cols"
for r in $(seq "$rounds"); do
  read -r b_rps _ b_p99 b_bad _ < <(measure "$secs" "$by_id" "${auth[@]}")
  read -r nb_rps _ nb_p99 nb_bad _ < <(measure "$secs" "$node_by_id" "${auth[@]}")
  read -r l_rps _ l_p99 l_bad _ < <(measure "$secs" "$page" "${auth[@]}")
  read -r nl_rps _ nl_p99 nl_bad _ < <(measure "$secs" "$node_page" "${auth[@]}")
  line="$b_rps $b_p99 $nb_rps $nb_p99 $l_rps $l_p99 $nl_rps $nl_p99 $((b_bad + nb_bad + l_bad + nl_bad))"
  echo "$line" >>"$tmp/rounds"
  echo "$r $line"
done
stop_node
kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=

r_by_id=$(f3 "$(per_round by_id node_by_id)"); r_page=$(f3 "$(per_round page node_page)")
echo
echo "| work ($conns connections) | fulfillment-ops | Node (Fastify + pg, user read, no JWT check) | ratio | goal |"
echo "|---|---|---|---|---|"
echo "| GET …/products/{id} (client user token) | $(col by_id) req/s, p99 $(col by_id_p99) ms | $(col node_by_id) req/s, p99 $(col node_by_id_p99) ms | ${r_by_id}× | ≥ 3× |"
echo "| GET …/products?limit=50 | $(col page) req/s, p99 $(col page_p99) ms | $(col node_page) req/s, p99 $(col node_page_p99) ms | ${r_page}× | ≥ 4× |"
echo
echo "($label against node $(node -v): $rounds rounds, $conns connections, ${secs}s per measurement, pool $pool each;" \
  "non-2xx $(awk '{t += $NF} END {print t + 0}' "$tmp/rounds"); wrk, both servers and PostgreSQL share $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "RESULT $label rounds=$rounds by_id=$(col by_id) node_by_id=$(col node_by_id) by_id_vs_node=$r_by_id" \
  "page=$(col page) node_page=$(col node_page) page_vs_node=$r_page"
