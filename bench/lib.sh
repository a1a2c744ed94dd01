# Shared by the benchmarks (product_read, dashboard_read, heavy_reads, hot_path, ...): source it,
# then call `bench_start NAME PORT_BASE DEFAULT_CONNS` (build if needed, a fresh database named
# fo_bench_NAME_<pid>, migrated, removed with the server on exit; exports DATABASE_URL and the
# server's settings), insert data, `bench_serve` (start and wait for /readyz), `login EMAIL`,
# `measure SECS URL [wrk args]`. Variables: bin secs conns warmup pool label admin base port db u
# tmp pid, read from the caller's BIN/SECS/CONNS/WARMUP/DATABASE_POOL_SIZE/PORT/LABEL.

bench_start() { # name port_base default_conns [bin]
  bin=${4:-${BIN:-target/release/fulfillment-ops}}
  secs=${SECS:-10}; conns=${CONNS:-$3}; warmup=${WARMUP:-2}
  pool=${DATABASE_POOL_SIZE:-10}
  label=${LABEL:-$(basename "$bin")}
  admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  base=${admin%/*}
  if [ ! -x "$bin" ]; then
    [ "$bin" = target/release/fulfillment-ops ] || { echo "no executable $bin" >&2; exit 1; }
    cargo build --release --locked
  fi
  command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
  port=${PORT:-$(($2 + $$ % 700))}
  db=fo_bench_$1_$$
  u="http://127.0.0.1:$port"
  if curl -s -o /dev/null "$u/healthz"; then echo "port $port is already taken" >&2; exit 1; fi
  tmp=$(mktemp -d)
  pid=
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  psql -q "$admin" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL="$base/$db" LISTEN_ADDR=127.0.0.1:$port SHUTDOWN_DRAIN=0 RUST_LOG=warn DATABASE_POOL_SIZE=$pool \
    JWT_SECRET=bench-secret-0123456789-0123456789-xx ADMIN_TOKEN=bench-admin-token-0123456789
  "$bin" migrate run >/dev/null 2>&1
}

bench_cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}

bench_serve() {
  "$bin" serve >"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    curl -fs "$u/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
    sleep 0.05
  done
}

login() { # email -> access token (every bench user's password is 'bench password 123')
  curl -fs -X POST -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"bench password 123\"}" \
    "$u/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

measure() { # seconds url [wrk args...] -> "rps p50_ms p99_ms non2xx socket_errors"
  local d=$1 url=$2; shift 2
  wrk -t2 -c"$conns" -d"${d}s" --latency "$@" "$url" | awk '
       /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF}
       /Socket errors/ {gsub(/,/, ""); err=$4+$6+$8+$10}
       /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
       END {printf "%.0f %.2f %.2f %d %d\n", rps, ms(p50), ms(p99), bad, err}'
}

median() { # numbers on stdin, one a line -> their median (the mean of the middle two for an even count)
  sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3f", a/b; else print "n/a" }'; }

captured_select() { # url token like-pattern -> the statement the server sent for url, as the pool
  # connection's last query (pg_stat_activity). The scheduler's jobs share the pool, so a
  # connection's last query may be theirs: GET and read again, up to 20 times.
  local s=
  for _ in $(seq 20); do
    curl -fs -o /dev/null -H "Authorization: Bearer $2" "$1"
    s=$(psql -qtA "$DATABASE_URL" -c "SELECT query FROM pg_stat_activity WHERE datname = current_database()
      AND application_name LIKE 'fulfillment-ops/pool/%' AND query LIKE '$3' LIMIT 1")
    [ -n "$s" ] && break
    sleep 0.1
  done
  echo "$s"
}

heavy_world() { # the data of bench/heavy_reads.sh and bench/hot_path.sh, with "$bin" migrated:
  # seed-demo (CLIENTS x PRODUCTS, 12 months), the first client's budgets replaced by 12 (ten
  # client-wide months, a category quarter, a product across two months), one client user
  # (client@example.com). Sets client product category order1 order2 uid today by_id variance
  # eoq orders, exports BENCH_BODY (2 items, for bench/order_request.lua) and writes
  # $tmp/order_insert.pgbench (src/order_requests/insert_order.sql with pgbench variables).
  "$bin" seed-demo --clients "${CLIENTS:-50}" --products-per-client "${PRODUCTS:-200}" \
    --months 12 --rng-seed 16 >"$tmp/seed.out" 2>&1 || { cat "$tmp/seed.out" >&2; exit 1; }
  client=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM clients ORDER BY name, id LIMIT 1")
  IFS='|' read -r product category < <(psql -qtA -F '|' "$DATABASE_URL" -c "
    SELECT p.id, p.category
    FROM products p
    WHERE p.client_id = '$client' AND p.archived_at IS NULL AND p.category IS NOT NULL
      AND p.unit_cost > 0 AND p.reorder_cost > 0 AND p.holding_cost_rate > 0
      AND EXISTS (SELECT 1 FROM order_request_items i WHERE i.product_id = p.id)
    ORDER BY p.sku LIMIT 1")
  # The orders posted (by wrk and pgbench) name two other products, so the EOQ's demand (of
  # $product) does not grow while the rounds run.
  read -r order1 order2 < <(psql -qtA "$DATABASE_URL" -c "
    SELECT string_agg(id::text, ' ') FROM (SELECT id FROM products WHERE client_id = '$client'
      AND archived_at IS NULL AND id <> '$product' ORDER BY sku DESC LIMIT 2) p")
  psql -q "$DATABASE_URL" <<SQL
DELETE FROM budgets WHERE client_id = '$client';
INSERT INTO budgets (client_id, period_start, period_end, budgeted_amount)
SELECT '$client', (date_trunc('month', now()) - make_interval(months => m))::date,
       (date_trunc('month', now()) - make_interval(months => m - 1))::date - 1, 30000
FROM generate_series(0, 9) m;
INSERT INTO budgets (client_id, category, period_start, period_end, budgeted_amount)
VALUES ('$client', \$\$${category}\$\$, (date_trunc('month', now()) - interval '5 months')::date + 9,
        (date_trunc('month', now()) - interval '2 months')::date + 8, 9000);
INSERT INTO budgets (client_id, product_id, period_start, period_end, budgeted_amount)
VALUES ('$client', '$product', (date_trunc('month', now()) - interval '3 months')::date + 14,
        (date_trunc('month', now()) - interval '1 month')::date + 13, 800);
VACUUM ANALYZE;
SQL
  "$bin" user create --email client@example.com --password 'bench password 123' --role client \
    --client-id "$client" >/dev/null
  uid=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM users WHERE email = 'client@example.com'")
  local from
  from=$(date -u -d "$(date -u +%Y-%m-01) -12 month" +%F)
  today=$(date -u +%F)
  by_id="$u/api/v1/clients/$client/products/$product"
  variance="$u/api/v1/clients/$client/budgets/variance?from=$from&to=$today&as_of=$today"
  eoq="$by_id/eoq?as_of=$today"
  orders="$u/api/v1/clients/$client/order-requests"
  export BENCH_BODY="{\"items\":[{\"product_id\":\"$order1\",\"quantity\":2},{\"product_id\":\"$order2\",\"quantity\":3}],\"notes\":\"bench\"}"
  { # comments dropped, $n as pgbench variables
    sed -e 's/--.*$//' -e 's/\$1/:client/g; s/\$2/:status/g; s/\$3/:notes/g; s/\$4/:uid/g' \
      -e 's/\$5/:products/g; s/\$6/:quantities/g' src/order_requests/insert_order.sql \
      | grep -v '^[[:space:]]*$'
    echo ';'
  } >"$tmp/order_insert.pgbench"
}

pgbench_tps() { # script [clients] -> TPS of pgbench -M prepared for $secs, with the variables of
  # heavy_world and product_read.sh that are set (:client :product :uid/:user :status :notes
  # :products :quantities :p1 :p2; pgbench refuses an empty -D)
  local vars=(-D status=submitted -D notes=bench -D quantities='{2,3}') v
  for v in client product; do [ -z "${!v:-}" ] || vars+=(-D "$v=${!v}"); done
  [ -z "${uid:-}" ] || vars+=(-D "uid=$uid" -D "user=$uid")
  [ -z "${order1:-}" ] || vars+=(-D "products={$order1,$order2}" -D "p1=$order1" -D "p2=$order2")
  pgbench -n -M prepared -c "${2:-$conns}" -j 2 -T "$secs" -f "$1" "${vars[@]}" "$DATABASE_URL" 2>&1 |
    awk '/^tps/ {print int($3); exit}'
}

# The world of the shipment-event benchmarks: one client with N shipments (one order, one
# product), a client user client@example.com, and $tmp/paths.lua listing each shipment's
# events path for bench/shipment_events.lua. Sets $client.
shipment_world() { # shipments
  local n=$1
  client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
  psql -q "$DATABASE_URL" <<SQL
INSERT INTO products (client_id, sku, name, current_stock) VALUES ('$client', 'SKU-1', 'Parcel', 0);
WITH o AS (INSERT INTO order_requests (client_id, status) VALUES ('$client', 'approved') RETURNING id)
INSERT INTO shipments (order_request_id, client_id, carrier, tracking_number)
SELECT o.id, '$client', 'ups', '1Z' || lpad(g::text, 16, '0') FROM o, generate_series(1, $n) g;
ANALYZE;
SQL
  "$bin" user create --email client@example.com --password 'bench password 123' --role client \
    --client-id "$client" >/dev/null
  {
    echo "paths = {"
    psql -qtA "$DATABASE_URL" -c "SELECT '\"/api/v1/clients/$client/shipments/' || id || '/events\",' FROM shipments"
    echo "}"
  } >"$tmp/paths.lua"
}

# Round tables: "$tmp/rounds" holds one line of numbers per round, in the columns named by
# "$cols" (bench/hot_path.sh, bench/node_baseline.sh).
col() { # name -> its median over the rounds
  local i; i=$(echo "$cols" | tr ' ' '\n' | grep -nx "$1" | cut -d: -f1)
  awk -v i="$i" '{print $i}' "$tmp/rounds" | median
}
per_round() { # a-name b-name -> the median over the rounds of a / b within each round
  local i j
  i=$(echo "$cols" | tr ' ' '\n' | grep -nx "$1" | cut -d: -f1)
  j=$(echo "$cols" | tr ' ' '\n' | grep -nx "$2" | cut -d: -f1)
  awk -v i="$i" -v j="$j" '$j > 0 {printf "%.4f\n", $i / $j}' "$tmp/rounds" | median
}
f3() { awk -v v="$1" 'BEGIN{ if (v == "n/a") print v; else printf "%.3f", v }'; }
