#!/usr/bin/env bash
# A rolling restart behind a real load balancer: three replicas of the release build on one
# database, HAProxy (Debian's haproxy package, installed when missing) in front with
# deploy/haproxy.cfg, write load (POST order requests, CONNS connections) through it for the
# whole run, and each replica restarted in turn with SIGTERM (it turns unready, serves on for
# SHUTDOWN_DRAIN, stops; then starts again). Prints the requests that failed (non-201 answers
# and socket errors; goal 0) and the acknowledged writes missing from the database (goal 0).
#
#   bench/rolling_restart.sh        CONNS (16), DRAIN (SHUTDOWN_DRAIN, 5s), BIN as in bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_start rolling 24000 16
drain=${DRAIN:-5s}
command -v haproxy >/dev/null || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q haproxy >/dev/null
}

# The data: a client, its user, a product.
"$bin" user create --email admin@rolling.example --role admin --password 'bench password 123' >/dev/null
declare -A pids=()
start_replica() { # n
  LISTEN_ADDR=127.0.0.1:$((port + $1)) INSTANCE_ID=replica-$1 SHUTDOWN_DRAIN=$drain \
    TRUST_FORWARDED_FOR=true MIGRATE_ON_STARTUP=verify "$bin" serve >>"$tmp/replica-$1.log" 2>&1 &
  pids[$1]=$!
  for _ in $(seq 200); do
    curl -fs "http://127.0.0.1:$((port + $1))/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "replica $1 never became ready" >&2; cat "$tmp/replica-$1.log" >&2; exit 1
}
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -n "${hpid:-}" ] && kill "$hpid" 2>/dev/null || true
  wait 2>/dev/null || true
  bench_cleanup
}
trap stop_all EXIT
for n in 1 2 3; do start_replica $n; done
LISTEN=127.0.0.1:$port API1_ADDR=127.0.0.1:$((port + 1)) API2_ADDR=127.0.0.1:$((port + 2)) \
  API3_ADDR=127.0.0.1:$((port + 3)) haproxy -db -f deploy/haproxy.cfg >"$tmp/haproxy.log" 2>&1 &
hpid=$!
for _ in $(seq 100); do curl -fs "$u/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

token=$(login admin@rolling.example)
client=$(curl -fs -X POST "$u/api/v1/clients" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' -d '{"name":"Rolling","industry":"retail"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
product=$(curl -fs -X POST "$u/api/v1/clients/$client/products" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' -d '{"sku":"R-1","name":"Roller","current_stock":5}' | sed -E 's/^\{"id":"([^"]+)".*/\1/')

# Load for the whole run; restarts begin after 3 s, one replica after the other.
secs=$((3 + 3 * 12 + 3))
TOKEN=$token PRODUCT=$product wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/rolling_restart.lua \
  "$u/api/v1/clients/$client/order-requests" >"$tmp/wrk.out" 2>&1 &
wpid=$!
sleep 3
for n in 1 2 3; do
  t0=$(date +%s.%N)
  kill -TERM "${pids[$n]}"; wait "${pids[$n]}" 2>/dev/null || true
  start_replica "$n"
  printf 'replica %d restarted in %.1f s\n' "$n" "$(echo "$(date +%s.%N) - $t0" | bc)"
  sleep 3
done
wait "$wpid" || true
result=$(grep RESULT "$tmp/wrk.out" || { cat "$tmp/wrk.out" >&2; exit 1; })
created=$(sed -E 's/.*created=([0-9]+).*/\1/' <<<"$result")
stored=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM order_requests")
lost=$((created > stored ? created - stored : 0))
echo "$result"
echo "acknowledged writes: $created; in the database: $stored; lost: $lost"
