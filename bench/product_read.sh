#!/usr/bin/env bash
# Throughput of one product read, `GET /api/v1/clients/{client_id}/products/{product_id}`, as a
# client user and as an admin (staff also need "does the client exist?"), beside two baselines
# measured in the same run: /healthz, and pgbench -M prepared running the endpoint's SELECT
# (captured from pg_stat_activity, so it is the statement the server sends) at as many clients
# as wrk has connections, alone and after the token user's lookup (what a read cost before the
# user cache of issue 16). Issue 16's goal: client user req/s >= 0.35 x pgbench's SELECT TPS.
#
# Data: one client with 1000 products, one client user and one admin user, inserted directly and
# with the `user create` CLI. Load: wrk and pgbench on loopback, bounded in time. Each run has
# its own port and database and removes both on exit.
#
# Usage: bench/product_read.sh [BIN]
#   BIN                 binary to measure (default: target/release/fulfillment-ops, built if missing)
#   SECS=10 CONNS=16    seconds per measurement, wrk connections = pgbench clients
#   ROUNDS=1            rounds of all five measurements, alternated; medians printed
#   WARMUP=2            unmeasured seconds of product reads before the measured routes
#   DATABASE_POOL_SIZE  passed to the server (its default: 10)
#   PORT, LABEL         listen port (default: derived from the shell's pid), name in the RESULT line
# Prints a table per round and of the medians, then one `RESULT` line (label, pool, then req/s,
# ratios and latencies of the medians) to collect.
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

command -v pgbench >/dev/null || { echo "install pgbench (postgresql-contrib)" >&2; exit 1; }
# The endpoint's statement, as the server sent it.
select=$(captured_select "$u$path" "$client_token" '%FROM "products"%')
case $select in
  *'"products"."id" = $1'*'"products"."client_id" = $2'*'LIMIT $3'*) ;;
  *) echo "unexpected product SELECT: $select" >&2; exit 1 ;;
esac
select=${select//\$1/:product}; select=${select//\$2/:client}; select=${select//\$3/1}
# The user lookup of src/auth/principal.rs (load_user), as Diesel writes it.
lookup='SELECT "users"."id", "users"."role", "users"."client_id", "users"."password_hash" FROM "users" WHERE ("users"."id" = :user) LIMIT 1'
user=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM users WHERE email = 'client@example.com'")
printf '%s;\n' "$select" >"$tmp/select.sql"
printf '%s;\n%s;\n' "$lookup" "$select" >"$tmp/both.sql"
uid=$user
pg() { pgbench_tps "$1"; }

[ "$warmup" -gt 0 ] && measure "$warmup" "$u$path" -H "Authorization: Bearer $admin_token" >/dev/null
rounds=${ROUNDS:-1}
: >"$tmp/rounds"
printf '%-5s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n' round pg_sel pg_both healthz client \
  c_p50 c_p99 admin a_p99 "c/pg_sel" "c/health"
for r in $(seq "$rounds"); do
  s_tps=$(pg "$tmp/select.sql")
  b_tps=$(pg "$tmp/both.sql")
  read -r h_rps h_p50 h_p99 h_bad h_err < <(measure "$secs" "$u/healthz")
  read -r c_rps c_p50 c_p99 c_bad c_err < <(measure "$secs" "$u$path" -H "Authorization: Bearer $client_token")
  read -r a_rps a_p50 a_p99 a_bad a_err < <(measure "$secs" "$u$path" -H "Authorization: Bearer $admin_token")
  line="$s_tps $b_tps $h_rps $c_rps $c_p50 $c_p99 $a_rps $a_p99 $((h_bad + c_bad + a_bad)) $((h_err + c_err + a_err))"
  echo "$line" >>"$tmp/rounds"
  echo "$r $line" | awk '{printf "%-5s %8s %8s %8s %8s %8s %8s %8s %8s %8.3f %8.3f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $5/$2, $5/$4}'
done
# Medians per column (the mean of the middle two for an even count); errors summed.
read -r s_tps b_tps h_rps c_rps c_p50 c_p99 a_rps a_p99 bad err < <(awk '
  {for (i = 1; i <= NF; i++) v[i, NR] = $i} END {
    for (i = 1; i <= NF; i++) {
      if (i >= 9) { t = 0; for (j = 1; j <= NR; j++) t += v[i, j]; printf "%d ", t; continue }
      n = 0; for (j = 1; j <= NR; j++) a[++n] = v[i, j] + 0
      for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
      m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      printf "%s ", m
    }
    print ""
  }' "$tmp/rounds")
echo "median: pgbench SELECT $s_tps TPS, pgbench lookup+SELECT $b_tps TPS, /healthz $h_rps req/s"
echo "  client user $c_rps req/s (p50 $c_p50 ms, p99 $c_p99 ms): $(ratio "$c_rps" "$s_tps") x pgbench SELECT" \
  "(goal >= 0.35), $(ratio "$c_rps" "$b_tps") x lookup+SELECT, $(ratio "$c_rps" "$h_rps") x /healthz"
echo "  admin $a_rps req/s (p99 $a_p99 ms): $(ratio "$a_rps" "$s_tps") x pgbench SELECT"
echo "($label: $rounds rounds, $conns connections, ${secs}s per measurement, pool $pool; wrk, pgbench," \
  "server and PostgreSQL share $(nproc) cores)"
echo "RESULT $label pool=$pool rounds=$rounds pg_select=$s_tps pg_lookup_select=$b_tps healthz=$h_rps" \
  "client=$c_rps client_vs_pg=$(ratio "$c_rps" "$s_tps") client_vs_healthz=$(ratio "$c_rps" "$h_rps")" \
  "client_p50=$c_p50 client_p99=$c_p99 admin=$a_rps admin_vs_pg=$(ratio "$a_rps" "$s_tps")" \
  "admin_p99=$a_p99 non2xx=$bad sockerr=$err"
