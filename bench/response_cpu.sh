#!/usr/bin/env bash
# Service CPU per request (the server process's utime + stime from /proc/PID/stat over a fixed
# wrk run, divided by the requests served) of one product, the page of 50 and the page of 500,
# for one or more builds in alternating rounds. Written for issue 16 item 4 (goal: the page of
# 50 costs at most 3x one row). CPU time, not req/s, is the figure: wrk and PostgreSQL share
# the cores, and what the service itself spends is what serialization changes.
#
# Data: one client with 1000 products whose every column is filled (decimals, timestamps), one
# client user. Each build gets a fresh server on the same database.
#
# Usage: bench/response_cpu.sh [BIN...]
#   BIN...           builds (default target/release/fulfillment-ops)
#   SECS=8 CONNS=16  seconds and wrk connections per route
#   ROUNDS=3         alternating rounds (medians are printed)
# Prints one line per round and build, then the medians and one `RESULT` line per build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(target/release/fulfillment-ops)
rounds=${ROUNDS:-3}
SECS=${SECS:-8}
bench_start response_cpu 19600 16 "${bins[0]}"
client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" -c "INSERT INTO products (client_id, sku, name, category, current_stock, unit_cost,
    unit_price, reorder_cost, holding_cost_rate, cost_source, last_cost_update, supplier_lead_days,
    shipping_lead_days, processing_lead_days, safety_buffer_days, lead_time_source)
  SELECT '$client', 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 'Category ' || g % 7, g % 200,
    1.25 + g, 2.50 + g, 30, 0.2500, 'manual', now(), 10, 5, 2, 3, 'supplier'
  FROM generate_series(1, 1000) g"
product=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM products WHERE sku = 'SKU-00500'")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# -> "requests cpu_us_per_request p99_ms"
cpu_per_request() { # url
  local before after out
  before=$(cpu_ticks)
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $token" "$1")
  after=$(cpu_ticks)
  echo "$out" | awk -v b="$before" -v a="$after" -v hz="$hz" '
    /requests in/ {n=$1} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%d %.1f %.2f\n", n, (a - b) * 1e6 / hz / n, ms(p99)}'
}
path="/api/v1/clients/$client/products"
for r in $(seq "$rounds"); do
  for b in "${bins[@]}"; do
    bin=$b; label=$(basename "$bin")
    bench_serve
    token=$(login client@example.com)
    measure "$warmup" "$u$path" -H "Authorization: Bearer $token" >/dev/null
    read -r _ one one_p99 < <(cpu_per_request "$u$path/$product")
    read -r _ fifty fifty_p99 < <(cpu_per_request "$u$path?limit=50")
    read -r _ five five_p99 < <(cpu_per_request "$u$path?limit=500")
    kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=
    echo "round $r $label one_row_us=$one page50_us=$fifty page500_us=$five ratio50=$(awk -v a="$fifty" -v b="$one" 'BEGIN{printf "%.2f", a/b}')" \
      "p99_ms one=$one_p99 page50=$fifty_p99 page500=$five_p99" | tee -a "$tmp/rounds"
  done
done
echo "medians of $rounds rounds (service CPU µs per request; $conns connections, ${secs}s per route; wrk, server and PostgreSQL share $(nproc) cores):"
for b in "${bins[@]}"; do
  label=$(basename "$b")
  col() { grep " $label " "$tmp/rounds" | sed -E "s/.* $1=([0-9.]+).*/\1/" | median; }
  echo "RESULT $label one_row_us=$(col one_row_us) page50_us=$(col page50_us) page500_us=$(col page500_us) ratio50=$(col ratio50)"
done
