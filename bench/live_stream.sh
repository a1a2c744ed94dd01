#!/usr/bin/env bash
# Live updates (issue 14): STREAMS concurrent SSE streams on one replica receiving RATE
# events/s for SECS seconds — server memory per open stream, and the delivery latency from the
# writer's COMMIT to the client (p50/p99, sampled on SAMPLE streams) — then what the outbox
# costs a shipment-event write: the event path's statements with and without the outbox's two
# statements, the same run, the same concurrency.
#
# The events are written by pgbench with the statements of src/activity/record.rs (the
# outbox's transaction lock, one INSERT and pg_notify), their payload carrying
# clock_timestamp() taken just before COMMIT. Streams are one operator's (staff: every
# client's), read by bench/live_clients.py (Python standard library). The write-cost scripts
# replay what shipments::events::apply runs for one scan (lock the shipment, insert the event,
# the history-derived state statement, REFRESH_STATE) on 1 000 shipments, alternating
# statuses so every write changes the state; "with" adds the outbox statements.
#
# Usage: bench/live_stream.sh [BIN]
#   STREAMS=1000 RATE=100 SECS=20 SAMPLE=50 CONNS=8 (pgbench clients of the write-cost part)
#   WRITE_SECS=10   seconds per write-cost variant
# Prints the figures, then one RESULT line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
streams=${STREAMS:-1000}; rate=${RATE:-100}; sample=${SAMPLE:-50}; wsecs=${WRITE_SECS:-10}
export LIVE_MAX_STREAMS_PER_USER=$streams LIVE_MAX_STREAMS=$((streams + 10)) SCHEDULER=off
bench_start live_stream 19700 8 "${1:-}"
secs=${SECS:-20}
"$bin" user create --email operator@example.com --password 'bench password 123' --role operator \
  >/dev/null
client=$(psql -qAt "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id")
bench_serve
token=$(login operator@example.com)

cat >"$tmp/event.sql" <<SQL
BEGIN;
SELECT pg_advisory_xact_lock_shared(hashtextextended('fulfillment-ops activity_events', 0));
WITH ins AS (
    INSERT INTO activity_events (client_id, type, payload)
    VALUES ('$client', 'cost_tracking.aggregated',
            jsonb_build_object('period', '2025-01', 'products', 1,
                               'sent_at', extract(epoch FROM clock_timestamp())))
    RETURNING id)
SELECT pg_notify('activity_events', max(id)::text) FROM ins;
COMMIT;
SQL

python3 bench/live_clients.py --url "$u/api/v1/me/stream" --token "$token" --streams "$streams" \
  --sample "$sample" --secs "$((secs + 2))" --pid "$pid" --ready "$tmp/ready" >"$tmp/clients.json" &
clients=$!
for _ in $(seq 1200); do [ -f "$tmp/ready" ] && break; sleep 0.1; done
[ -f "$tmp/ready" ] || { echo "the streams did not open" >&2; exit 1; }
pgbench -n -c 2 -j 1 -R "$rate" -T "$secs" -f "$tmp/event.sql" "$DATABASE_URL" >"$tmp/gen.log" 2>&1
wait "$clients"
sent=$(psql -qAt "$DATABASE_URL" -c "SELECT count(*) FROM activity_events")
cat "$tmp/clients.json"

# The write cost: 1 000 shipments of one order, then the event path with and without the outbox.
psql -q "$DATABASE_URL" >/dev/null <<SQL
INSERT INTO order_requests (id, client_id, status) VALUES ('00000000-0000-0000-0000-00000000ffff', '$client', 'submitted');
INSERT INTO shipments (id, order_request_id, client_id, carrier, tracking_number)
SELECT lpad(to_hex(n), 32, '0')::uuid, '00000000-0000-0000-0000-00000000ffff', '$client', 'ups', 'BENCH' || n
FROM generate_series(1, 1000) n;
SQL
# The batch refresh as src/shipments/events/mod.rs composes it (REFRESH_STATE).
refresh=$({ cat src/shipments/events/refresh_state_head.sql src/shipments/events/status_rule.sql \
    src/shipments/events/state_write.sql
  echo "SELECT * FROM state"; } | grep -v '^--' | sed -e "s/\$1/ARRAY[lpad(to_hex(:n), 32, '0')::uuid]/g")
write_script() { # file with_outbox
  {
    echo '\set n random(1, 1000)'
    echo 'BEGIN;'
    echo "SELECT id FROM shipments WHERE id = lpad(to_hex(:n), 32, '0')::uuid FOR NO KEY UPDATE;"
    echo "INSERT INTO shipment_events (shipment_id, status, event_time, dedupe_key)"
    echo "VALUES (lpad(to_hex(:n), 32, '0')::uuid,"
    echo "        CASE WHEN random() < 0.5 THEN 'in_transit' ELSE 'out_for_delivery' END,"
    echo "        clock_timestamp(), md5(random()::text));"
    echo "$refresh"
    echo ';'
    if [ "$2" = with ]; then
      echo "SELECT pg_advisory_xact_lock_shared(hashtextextended('fulfillment-ops activity_events', 0));"
      echo "WITH ins AS (INSERT INTO activity_events (client_id, type, subject_id, payload)"
      echo "  VALUES ('$client', 'shipment.status_changed', lpad(to_hex(:n), 32, '0')::uuid,"
      echo "          '{\"from\": \"in_transit\", \"to\": \"out_for_delivery\"}') RETURNING id)"
      echo "SELECT pg_notify('activity_events', max(id)::text) FROM ins;"
    fi
    echo 'COMMIT;'
  } >"$1"
}
write_script "$tmp/without.sql" without
write_script "$tmp/with.sql" with
wcost() { # script -> "tps avg_latency_ms"
  pgbench -n -c "$conns" -j 2 -T "$wsecs" -f "$1" "$DATABASE_URL" 2>&1 | awk '
    /latency average/ {lat=$4} /^tps/ {tps=$3} END {printf "%.0f %.2f\n", tps, lat}'
}
read -r tps_without lat_without < <(wcost "$tmp/without.sql")
read -r tps_with lat_with < <(wcost "$tmp/with.sql")
python3 - "$tmp/clients.json" "$sent" "$tps_without" "$lat_without" "$tps_with" "$lat_with" "$label" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); sent = int(sys.argv[2])
tw, lw, t, l, label = sys.argv[3:8]
print(f"streams open: {c['streams'] - c['refused']}/{c['streams']} in {c['open_secs']} s; "
      f"server RSS {c['rss_before_kib']} KiB -> {c['rss_open_kib']} KiB = {c['kib_per_stream']} KiB per stream")
print(f"events written: {sent}; per stream received min {c['events_min']} max {c['events_max']}")
print(f"commit-to-client latency over {c['latency_samples']} samples: p50 {c['p50_ms']} ms, "
      f"p99 {c['p99_ms']} ms, max {c['max_ms']} ms")
print(f"shipment-event write: without outbox {tw} tps ({lw} ms avg), with outbox {t} tps ({l} ms avg)")
print(f"RESULT live_stream {label} streams={c['streams']} kib_per_stream={c['kib_per_stream']} "
      f"p50_ms={c['p50_ms']} p99_ms={c['p99_ms']} delivered_min={c['events_min']}/{sent} "
      f"write_tps_without={tw} write_tps_with={t} write_ms_without={lw} write_ms_with={l}")
PY
