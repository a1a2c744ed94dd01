# Shared by the read benchmarks (bench/product_read.sh, bench/dashboard_read.sh): source it,
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
