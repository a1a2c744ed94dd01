#!/usr/bin/env bash
# The service behind PgBouncer in transaction mode (docs/deployment.md): a private PgBouncer on
# a free port in front of the local PostgreSQL, the server's DATABASE_URL pointed at it, then
# product reads and order writes under concurrency; prints the answers by status and the
# errors the server logged (e.g. prepared statements PgBouncer older than 1.21 cannot route).
#
# Usage: bench/pgbouncer.sh [BIN]     (needs `pgbouncer` on PATH: apt-get install pgbouncer)
#   SECS=5 CONNS=16 DATABASE_POOL_SIZE=10   PGB_POOL=5 (server connections of PgBouncer)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
command -v pgbouncer >/dev/null || { echo "install pgbouncer (apt-get install pgbouncer)" >&2; exit 1; }
bench_start pgbouncer 19800 16 "${1:-}"
client=$(psql -qtA "$DATABASE_URL" -c "INSERT INTO clients (name) VALUES ('Bench') RETURNING id" | head -1)
psql -q "$DATABASE_URL" -c "INSERT INTO products (client_id, sku, name, current_stock, unit_cost)
  SELECT '$client', 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 1000000, 1.25 FROM generate_series(1, 100) g"
product=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM products WHERE sku = 'SKU-00050'")
"$bin" user create --email client@example.com --password 'bench password 123' --role client \
  --client-id "$client" >/dev/null
pgb_port=$((port + 1))
cat >"$tmp/pgbouncer.ini" <<INI
[databases]
$db = host=127.0.0.1 port=5432 dbname=$db
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgb_port
auth_type = trust
auth_file = $tmp/users.txt
pool_mode = transaction
default_pool_size = ${PGB_POOL:-5}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = $tmp/pgbouncer.log
pidfile = $tmp/pgbouncer.pid
unix_socket_dir =
INI
echo '"postgres" ""' >"$tmp/users.txt"
chmod 755 "$tmp"
pgb=(pgbouncer -d "$tmp/pgbouncer.ini")
# PgBouncer refuses to run as root: run it as the postgres (or nobody) user then.
if [ "$(id -u)" = 0 ]; then
  runas=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
  touch "$tmp/pgbouncer.log"; chown "$runas" "$tmp/pgbouncer.log"; chmod 777 "$tmp"
  pgb=(runuser -u "$runas" -- "${pgb[@]}")
fi
"${pgb[@]}"
trap 'kill "$(cat "$tmp/pgbouncer.pid" 2>/dev/null)" 2>/dev/null || true; bench_cleanup' EXIT
sleep 0.5
export DATABASE_URL="postgres://postgres@127.0.0.1:$pgb_port/$db" MIGRATE_ON_STARTUP=off
bench_serve
token=$(login client@example.com)
cat >"$tmp/order.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"status":"submitted","items":[{"product_id":"' .. os.getenv("PRODUCT") .. '","quantity":1}]}'
LUA
echo "PgBouncer $(pgbouncer --version | head -1 | awk '{print $2}'), transaction mode, ${PGB_POOL:-5} server connections"
read -r r_rps _ r_p99 r_bad _ < <(measure "$secs" "$u/api/v1/clients/$client/products/$product" -H "Authorization: Bearer $token")
read -r w_rps _ w_p99 w_bad _ < <(TOKEN=$token PRODUCT=$product measure "$secs" "$u/api/v1/clients/$client/order-requests" -s "$tmp/order.lua")
echo "RESULT pgbouncer read_rps=$r_rps read_p99_ms=$r_p99 read_non2xx=$r_bad write_rps=$w_rps write_p99_ms=$w_p99 write_non2xx=$w_bad"
echo "server errors logged: $(grep -c -i error "$tmp/server.log" || true)"
grep -i -o 'prepared statement[^"]*"[^"]*"[^,}]*' "$tmp/server.log" | sort | uniq -c | sort -rn | head -3 || true
