#!/usr/bin/env bash
# Throughput of one product read, `GET /api/v1/clients/{client_id}/products/{product_id}`, as a
# client user and as an admin (staff also pay the tenancy query: does the client exist?), beside
# the /healthz baseline measured in the same run. Written to compare builds before and after
# "one pooled connection per request" (authentication, tenancy and the handler share one).
#
# Data: one client with 1000 products, one client user and one admin user, inserted directly and
# with the `user create` CLI. Load: wrk on loopback, bounded in time. Each run has its own port
# and database and removes both on exit.
#
# Usage: bench/product_read.sh [BIN]
#   BIN                 binary to measure (default: target/release/fulfillment-ops, built if missing)
#   SECS=10 CONNS=16    seconds per route, wrk connections
#   WARMUP=2            unmeasured seconds of product reads before the measured routes
#   DATABASE_POOL_SIZE  passed to the server (its default: 10)
#   PORT, LABEL         listen port (default: derived from the shell's pid), name in the RESULT line
# Prints a table, then one `RESULT` line (label, pool, then req/s and ratio per route) to collect.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start product_read 18200 16 "${1:-}"
client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" -c "INSERT INTO products (client_id, sku, name, current_stock, unit_cost)
  SELECT '$client', 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, g % 200, 1.25 FROM generate_series(1, 1000) g"
product=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM products WHERE sku = 'SKU-00500'")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
"$bin" user create --email admin@example.com --password 'bench password 123' --role admin >/dev/null

bench_serve
client_token=$(login client@example.com)
admin_token=$(login admin@example.com)
path="/api/v1/clients/$client/products/$product"
for t in "$client_token" "$admin_token"; do
  curl -fs -o /dev/null -H "Authorization: Bearer $t" "$u$path" || { echo "GET $path failed" >&2; exit 1; }
done

[ "$warmup" -gt 0 ] && measure "$warmup" "$u$path" -H "Authorization: Bearer $admin_token" >/dev/null
read -r h_rps h_p50 h_p99 h_bad h_err < <(measure "$secs" "$u/healthz")
read -r c_rps c_p50 c_p99 c_bad c_err < <(measure "$secs" "$u$path" -H "Authorization: Bearer $client_token")
read -r a_rps a_p50 a_p99 a_bad a_err < <(measure "$secs" "$u$path" -H "Authorization: Bearer $admin_token")

ratio() { awk -v a="$1" -v h="$h_rps" 'BEGIN{printf "%.4f", a/h}'; }
printf '%-36s %8s %8s %8s %8s %8s %8s\n' route req/s p50_ms p99_ms non2xx sockerr "vs base"
row() { printf '%-36s %8s %8s %8s %8s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$(ratio "$2")"; }
row "GET /healthz (baseline)" "$h_rps" "$h_p50" "$h_p99" "$h_bad" "$h_err"
row "GET .../products/{id} as client user" "$c_rps" "$c_p50" "$c_p99" "$c_bad" "$c_err"
row "GET .../products/{id} as admin" "$a_rps" "$a_p50" "$a_p99" "$a_bad" "$a_err"
echo "($label: $conns connections, ${secs}s per route, pool $pool; wrk, server and PostgreSQL share $(nproc) cores)"
echo "RESULT $label pool=$pool healthz=$h_rps client=$c_rps client_ratio=$(ratio "$c_rps")" \
  "client_p50=$c_p50 client_p99=$c_p99 admin=$a_rps admin_ratio=$(ratio "$a_rps")" \
  "admin_p50=$a_p50 admin_p99=$a_p99 non2xx=$((h_bad + c_bad + a_bad)) sockerr=$((h_err + c_err + a_err))"
