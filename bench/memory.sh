#!/usr/bin/env bash
# Resident memory of the service (VmRSS and VmHWM from /proc/PID/status) idle, under reads and
# writes, during storms of sign-ins and 10 s after them, for one or more builds in one run.
# Written for issue 16 item 5 (goal: RSS <= 64 MB under every load, <= 32 MB idle again).
#
# Sign-in is throttled per (account, address) and per address (src/auth/throttle.rs), and wrk
# comes from one address: the server is started with both budgets raised so that every
# wrong password of the storm reaches Argon2 (that is what costs memory), as an attacker with
# many addresses would. The throttle's code is not changed.
#
# Phases per build (a fresh server each, same database):
#   idle   RSS 2 s after /readyz answers
#   load   peak RSS during SECS of product reads (by id and the page of 50) and order writes at
#          once, CONNS connections each; RSS at the end
#   storm  STORMS rounds of STORM_SECS of wrong passwords over STORM_CONNS connections, 1 s
#          apart: the peak over all rounds, and RSS 10 s after the last (the figure to compare
#          with the idle goal); sign-ins/s of the storms (each is an Argon2 verification)
#
# Usage: bench/memory.sh [BIN...]
#   BIN...                  builds to measure in turn (default target/release/fulfillment-ops)
#   SECS=10 CONNS=16        load phase
#   STORMS=3 STORM_SECS=5 STORM_CONNS=8
#   DATABASE_POOL_SIZE, PORT (see bench/lib.sh)
# Prints a table and one `RESULT` line per build (sizes in MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(target/release/fulfillment-ops)
storms=${STORMS:-3}; storm_secs=${STORM_SECS:-5}; storm_conns=${STORM_CONNS:-8}
bench_start memory 18900 16 "${bins[0]}"
export SIGN_IN_FAILURES_PER_ACCOUNT=1000000000 SIGN_IN_FAILURES_PER_ADDRESS=1000000000

client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" -c "INSERT INTO products (client_id, sku, name, current_stock, unit_cost, unit_price,
    reorder_cost, holding_cost_rate, last_cost_update)
  SELECT '$client', 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, g % 200, 1.25, 2.50, 30, 0.2500, now()
  FROM generate_series(1, 1000) g"
product=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM products WHERE sku = 'SKU-00500'")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null

cat >"$tmp/storm.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"client@example.com","password":"not the password at all"}'
LUA
cat >"$tmp/order.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"status":"submitted","items":[{"product_id":"' .. os.getenv("PRODUCT") .. '","quantity":1}]}'
LUA

kib() { awk -v k="$1" '/^'"$1"':/ {print $2}' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
sampler_start() { # samples VmRSS every 50 ms into $tmp/samples until sampler_stop
  : >"$tmp/samples"
  (while kill -0 "$pid" 2>/dev/null; do kib VmRSS >>"$tmp/samples" || true; sleep 0.05; done) &
  sampler=$!
}
sampler_stop() { # -> peak KiB of the samples
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  sort -n "$tmp/samples" | tail -1
}
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}'; }

printf '%-28s %8s %9s %9s %10s %10s %8s %9s %8s\n' build idle load_peak load_end storm_peak after_10s VmHWM "sign-in/s" "reads/s"
for b in "${bins[@]}"; do
  bin=$b; label=${LABEL:-$(basename "$bin")}
  bench_serve
  token=$(login client@example.com)
  sleep 2
  idle=$(kib VmRSS)

  sampler_start
  TOKEN=$token PRODUCT=$product wrk -t1 -c"$conns" -d"${secs}s" -s "$tmp/order.lua" \
    "$u/api/v1/clients/$client/order-requests" >"$tmp/writes" &
  writer=$!
  wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $token" \
    "$u/api/v1/clients/$client/products/$product" >"$tmp/reads" &
  reader=$!
  wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $token" \
    "$u/api/v1/clients/$client/products?limit=50" >"$tmp/pages"
  wait "$writer" "$reader"
  load_end=$(kib VmRSS)
  load_peak=$(sampler_stop)
  reads=$(( $(rps <"$tmp/reads") + $(rps <"$tmp/pages") ))

  sampler_start
  signins=0
  for _ in $(seq "$storms"); do
    r=$(wrk -t2 -c"$storm_conns" -d"${storm_secs}s" -s "$tmp/storm.lua" "$u/api/v1/auth/login" | rps)
    signins=$((signins + r))
    sleep 1
  done
  storm_peak=$(sampler_stop)
  sleep 10
  after=$(kib VmRSS)
  hwm=$(kib VmHWM)
  kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=

  printf '%-28s %8s %9s %9s %10s %10s %8s %9s %8s\n' "$label" "$(mib "$idle")" "$(mib "$load_peak")" \
    "$(mib "$load_end")" "$(mib "$storm_peak")" "$(mib "$after")" "$(mib "$hwm")" \
    "$((signins / storms))" "$reads"
  echo "RESULT $label idle=$(mib "$idle") load_peak=$(mib "$load_peak") load_end=$(mib "$load_end")" \
    "storm_peak=$(mib "$storm_peak") after_10s=$(mib "$after") hwm=$(mib "$hwm")" \
    "signin_rps=$((signins / storms)) read_rps=$reads" >>"$tmp/results"
done
echo "(MiB; load: $conns connections each of reads by id, pages of 50 and order writes, ${secs}s;" \
  "storms: $storms x ${storm_secs}s of wrong passwords over $storm_conns connections; pool $pool;" \
  "wrk, server and PostgreSQL share $(nproc) cores)"
cat "$tmp/results"
