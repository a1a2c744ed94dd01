#!/usr/bin/env bash
# Latency of filtered shipment lists, `GET /api/v1/clients/{client_id}/shipments?…`, for a
# client with 100 000 shipments (generated in SQL: four carriers, every status, a year of
# ship dates, a tenth of the open ones past their estimate), beside the /healthz baseline of
# the same run. Each list answers its first page (50) with the items attached.
#
# Usage: bench/shipment_list.sh [BIN]
#   BIN                 binary to measure (default: target/release/fulfillment-ops, built if missing)
#   SECS=10 CONNS=16    seconds per route, wrk connections
#   SHIPMENTS=100000    shipments of the client (another client holds as many, unseen)
#   DATABASE_POOL_SIZE  passed to the server (its default: 10)
# Prints a table (req/s, p50, p99, ratio to /healthz), then one `RESULT` line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_start shipment_list 18500 16 "${1:-}"
n=${SHIPMENTS:-100000}

client=$(psql -qtA "$DATABASE_URL" <<SQL | tail -1
INSERT INTO clients (name) VALUES ('Other');
INSERT INTO clients (name) VALUES ('Bench') RETURNING id;
SQL
)
psql -q "$DATABASE_URL" <<SQL
INSERT INTO products (client_id, sku, name, current_stock)
SELECT c.id, 'SKU-' || g, 'Product ' || g, 100 FROM clients c, generate_series(1, 100) g;
-- 1000 orders a client, 100 lines each (one per product), 100 units a line.
INSERT INTO order_requests (client_id, status, created_at)
SELECT c.id, 'approved', now() - (g || ' hours')::interval FROM clients c, generate_series(1, 1000) g;
INSERT INTO order_request_items (order_request_id, product_id, quantity)
SELECT o.id, p.id, 100 FROM order_requests o JOIN products p ON p.client_id = o.client_id;
-- n shipments a client: shipment g of order g % 1000, one item of one product.
CREATE TEMP TABLE s AS
SELECT c.id AS client_id, g,
       (ARRAY['ups','fedex','usps','dhl'])[1 + g % 4] AS carrier,
       (ARRAY['label_created','in_transit','in_transit','in_transit','out_for_delivery',
              'exception','delivered','delivered','delivered','delivered','returned_to_sender',
              'cancelled'])[1 + (g / 4) % 12] AS status,
       now() - ((g % 365) || ' days')::interval - ((g % 24) || ' hours')::interval AS shipped_at
FROM clients c, generate_series(1, $n) g;
WITH o AS (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY id) - 1 AS k
           FROM order_requests)
INSERT INTO shipments (order_request_id, client_id, carrier, tracking_number, status, shipped_at,
                       estimated_delivery_at, delivered_at, created_at)
SELECT o.id, s.client_id, s.carrier,
       CASE s.carrier WHEN 'ups' THEN '1Z' || lpad(s.g::text, 16, '0')
                      WHEN 'fedex' THEN lpad(s.g::text, 12, '0')
                      WHEN 'usps' THEN lpad(s.g::text, 22, '0')
                      ELSE lpad(s.g::text, 10, '0') END,
       s.status, s.shipped_at,
       -- a tenth of the open ones are past their estimate (delayed)
       s.shipped_at + CASE WHEN s.g % 10 = 0 THEN interval '1 day' ELSE interval '400 days' END,
       CASE WHEN s.status = 'delivered' THEN s.shipped_at + interval '2 days' END,
       s.shipped_at
FROM s JOIN o ON o.client_id = s.client_id AND o.k = s.g % 1000;
INSERT INTO shipment_items (shipment_id, product_id, order_request_item_id, quantity)
SELECT sh.id, i.product_id, i.id, 1
FROM shipments sh
JOIN LATERAL (SELECT i.id, i.product_id FROM order_request_items i
              WHERE i.order_request_id = sh.order_request_id LIMIT 1) i ON true;
VACUUM ANALYZE;
SQL
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
echo "shipments of the client: $(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM shipments WHERE client_id = '$client'")," \
  "delayed: $(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM shipments WHERE client_id = '$client' AND status NOT IN ('delivered','returned_to_sender','cancelled') AND estimated_delivery_at < now()")"

bench_serve
token=$(login client@example.com)
from=$(date -u -d '-90 days' +%F); to=$(date -u -d '-60 days' +%F)
list="/api/v1/clients/$client/shipments"
queries=("" "?status=in_transit&carrier=ups" "?delayed=true" "?carrier=fedex&from=$from&to=$to"
  "?status=exception&delayed=true")
for q in "${queries[@]}"; do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$u$list$q" || { echo "GET $list$q failed" >&2; exit 1; }
done

[ "$warmup" -gt 0 ] && measure "$warmup" "$u$list" -H "Authorization: Bearer $token" >/dev/null
read -r h_rps h_p50 h_p99 h_bad h_err < <(measure "$secs" "$u/healthz")
printf '%-60s %8s %8s %8s %8s %8s %8s\n' route req/s p50_ms p99_ms non2xx sockerr "vs base"
row() { printf '%-60s %8s %8s %8s %8s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
  "$(awk -v a="$2" -v h="$h_rps" 'BEGIN{printf "%.4f", a/h}')"; }
row "GET /healthz (baseline)" "$h_rps" "$h_p50" "$h_p99" "$h_bad" "$h_err"
result="RESULT $label pool=$pool healthz=$h_rps healthz_p99=$h_p99"
for q in "${queries[@]}"; do
  read -r rps p50 p99 bad err < <(measure "$secs" "$u$list$q" -H "Authorization: Bearer $token")
  row "GET …/shipments${q:-}" "$rps" "$p50" "$p99" "$bad" "$err"
  result+=" [${q:-all}]=$rps/${p99}ms"
done
echo "($label: $conns connections, ${secs}s per route, pool $pool; wrk, server and PostgreSQL share $(nproc) cores)"
echo "$result"
