#!/usr/bin/env bash
# Throughput and p99 of the product read (client user) and of an order write (POST
# .../order-requests, 2 items) against DATABASE_POOL_SIZE, in alternating rounds, one server per
# pool size on the same database. Written for issue 16 item 6 (choose the default pool size).
#
# Usage: bench/pool_size.sh [BIN]
#   BIN                  build (default target/release/fulfillment-ops)
#   SIZES="5 10 20 40"   pool sizes
#   SECS=8 CONNS=32      seconds and wrk connections per route
#   ROUNDS=2             rounds (each visits every size once, in turn); medians are printed
# Prints one line per round and size, then one `RESULT` line per size.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
sizes=${SIZES:-5 10 20 40}; rounds=${ROUNDS:-2}; SECS=${SECS:-8}
bench_start pool_size 19300 32 "${1:-}"
client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" -c "INSERT INTO products (client_id, sku, name, current_stock, unit_cost)
  SELECT '$client', 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 1000000, 1.25 FROM generate_series(1, 1000) g"
product=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM products WHERE sku = 'SKU-00500'")
second=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM products WHERE sku = 'SKU-00501'")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
cat >"$tmp/order.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"status":"submitted","items":[{"product_id":"' .. os.getenv("PRODUCT") ..
  '","quantity":1},{"product_id":"' .. os.getenv("SECOND") .. '","quantity":2}]}'
LUA
for r in $(seq "$rounds"); do
  for size in $sizes; do
    export DATABASE_POOL_SIZE=$size
    bench_serve
    token=$(login client@example.com)
    measure "$warmup" "$u/api/v1/clients/$client/products/$product" -H "Authorization: Bearer $token" >/dev/null
    read -r r_rps _ r_p99 r_bad _ < <(measure "$secs" "$u/api/v1/clients/$client/products/$product" \
      -H "Authorization: Bearer $token")
    read -r w_rps _ w_p99 w_bad _ < <(TOKEN=$token PRODUCT=$product SECOND=$second \
      measure "$secs" "$u/api/v1/clients/$client/order-requests" -s "$tmp/order.lua")
    kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=
    echo "round $r pool=$size read_rps=$r_rps read_p99_ms=$r_p99 write_rps=$w_rps write_p99_ms=$w_p99 non2xx=$((r_bad + w_bad))" \
      | tee -a "$tmp/rounds"
  done
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "medians of $rounds rounds ($conns connections, ${secs}s per route; wrk, server and PostgreSQL share $(nproc) cores):"
for size in $sizes; do
  col() { grep " pool=$size " "$tmp/rounds" | sed -E "s/.* $1=([0-9.]+).*/\1/" | median; }
  echo "RESULT pool=$size read_rps=$(col read_rps) read_p99_ms=$(col read_p99_ms)" \
    "write_rps=$(col write_rps) write_p99_ms=$(col write_p99_ms)"
done
