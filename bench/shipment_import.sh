#!/usr/bin/env bash
# The NDJSON import, `POST /api/v1/clients/{client_id}/shipments/import`, of 100 000 shipments
# with 10 events each (1 000 000 events; label, 7 transit scans, out for delivery, delivered),
# generated in SQL into a file and streamed with curl: rows per second, then the same file a
# second time (everything unchanged or duplicate: the idempotent pass).
#
# Usage: bench/shipment_import.sh [BIN]
#   BIN          binary to measure (default: target/release/fulfillment-ops, built if missing)
#   SHIPMENTS=100000 EVENTS=10   shipments in the file, events per shipment
# Prints both passes, then one `RESULT` line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start shipment_import 18600 1 "${1:-}"
n=${SHIPMENTS:-100000}; per=${EVENTS:-10}
orders=$(( (n + 99) / 100 ))

client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" <<SQL
INSERT INTO products (client_id, sku, name, current_stock)
SELECT '$client', 'SKU-' || lpad(g::text, 3, '0'), 'Product ' || g, 100 FROM generate_series(0, 99) g;
INSERT INTO order_requests (client_id, status)
SELECT '$client', 'approved' FROM generate_series(1, $orders);
INSERT INTO order_request_items (order_request_id, product_id, quantity)
SELECT o.id, p.id, 1 FROM order_requests o CROSS JOIN products p;
ANALYZE;
SQL
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null

file=$tmp/import.ndjson
t0=$(date +%s%3N)
PGOPTIONS='-c TimeZone=UTC' psql -qtA "$DATABASE_URL" >"$file" <<SQL
WITH o AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM order_requests),
     p AS (SELECT id, row_number() OVER (ORDER BY sku) - 1 AS k FROM products)
SELECT json_build_object(
         'order_request_id', o.id, 'carrier', 'ups',
         'tracking_number', '1Z' || lpad(g::text, 16, '0'), 'service_level', 'ground',
         'shipped_at', t.t0,
         'items', json_build_array(json_build_object('product_id', p.id, 'quantity', 1)),
         'events', (SELECT json_agg(json_build_object(
                        'status', x.st, 'event_time', t.t0 + e * interval '3 hours',
                        'location', 'Hub ' || (g + e) % 97, 'description', 'scan ' || e,
                        'raw', json_build_object('code', x.st, 'seq', e)) ORDER BY e)
                    FROM generate_series(1, $per) e,
                    LATERAL (SELECT CASE WHEN e = 1 THEN 'label_created'
                                         WHEN e = $per THEN 'delivered'
                                         WHEN e = $per - 1 THEN 'out_for_delivery'
                                         ELSE 'in_transit' END AS st) x))::text
FROM generate_series(0, $n - 1) g
JOIN o ON o.k = g / 100
JOIN p ON p.k = g % 100
CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01' + (g || ' minutes')::interval AS t0) t;
SQL
echo "generated $(wc -l <"$file") lines, $(( $(stat -c %s "$file") / 1048576 )) MiB, in $(( $(date +%s%3N) - t0 )) ms"

bench_serve
token=$(login client@example.com)
run() { # -> "ms report"
  local t0 out
  t0=$(date +%s%3N)
  out=$(curl -fsS -X POST -T "$file" -H "Authorization: Bearer $token" \
    -H 'content-type: application/x-ndjson' "$u/api/v1/clients/$client/shipments/import")
  echo "$(( $(date +%s%3N) - t0 )) $out"
}
field() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" <<<"$2"; }
read -r ms1 report1 < <(run)
read -r ms2 report2 < <(run)
events1=$(field events_created "$report1"); ships1=$(field shipments_created "$report1")
dups2=$(field events_duplicate "$report2"); same2=$(field shipments_unchanged "$report2")
rate() { awk -v r="$1" -v ms="$2" 'BEGIN{printf "%.0f", r * 1000 / ms}'; }
echo "first import:  $ms1 ms: $ships1 shipments and $events1 events created: $(rate "$events1" "$ms1") events/s, $(rate "$ships1" "$ms1") shipments/s"
echo "second import: $ms2 ms: $same2 shipments unchanged, $dups2 events duplicate: $(rate "$dups2" "$ms2") events/s"
echo "errors: $(grep -o '"errors":\[[^]]*\]' <<<"$report1" | head -c 300)"
echo "in the database: $(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM shipment_events") events," \
  "$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM shipments WHERE status = 'delivered'") shipments delivered"
echo "($label: curl, server and PostgreSQL share $(nproc) cores)"
echo "RESULT $label first_ms=$ms1 events=$events1 events_per_s=$(rate "$events1" "$ms1") second_ms=$ms2 duplicates=$dups2 dup_events_per_s=$(rate "$dups2" "$ms2")"
