#!/usr/bin/env bash
# A connection flood against one replica: N (default 20 000) TCP sockets that never send a
# byte, held open, while /healthz, /readyz and an API read are timed; then the same three
# once the flood is gone. Prints the figures (docs/benchmarks.md, "Connection flood").
#
#   bench/connection_flood.sh                    (release build; BIN=... for another)
#   SOCKETS=20000 HOLD=15 bench/connection_flood.sh
#
# The flood is python (plain non-blocking sockets, 10 000 per process, each process with its
# open-file limit raised to the hard limit). The server runs with the shell's limit (raised
# when allowed): beyond MAX_CONNECTIONS (default: that limit − pool − 128) it answers or
# closes by its own rules (MAX_CONNECTIONS, HEADER_READ_TIMEOUT), which is what is measured.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

sockets=${SOCKETS:-20000}
hold=${HOLD:-15}
ulimit -n "$((sockets + 4096))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "open-file limit: $(ulimit -n)"

# bench_start needs wrk only for `measure`, which this does not use.
if ! command -v wrk >/dev/null; then wrk() { :; }; fi
bench_start flood 24000 1
export HEADER_READ_TIMEOUT=${HEADER_READ_TIMEOUT:-10s}
bench_serve
auth=(-H "Authorization: Bearer $ADMIN_TOKEN")

probe() { # label -> times of /healthz, /readyz and an API read (/admin/jobs: a query) in ms
  local out=()
  for path in /healthz /readyz /admin/jobs; do
    local r
    r=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "${auth[@]}" "$u$path" || echo "000 5")
    read -r code t <<<"$r"
    if [ "$code" = 200 ]; then out+=("$(awk -v t="$t" 'BEGIN{printf "%.1f", t*1000}')"); else out+=("HTTP$code"); fi
  done
  printf '%-28s healthz %8s ms  readyz %8s ms  api %8s ms\n' "$1" "${out[0]}" "${out[1]}" "${out[2]}"
}

probe "before the flood"
cat >"$tmp/flood.py" <<'PY'
import resource, socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1024), hard))
socks, failed, started = [], 0, time.time()
for _ in range(n):
    try:
        s = socket.socket()
    except OSError:
        failed += 1
        continue
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    except OSError:
        failed += 1
        s.close()
        continue
    socks.append(s)
print(f"opened {len(socks)} sockets ({failed} failed) in {time.time() - started:.1f}s", flush=True)
time.sleep(hold)
closed = 0
for s in socks:
    try:
        if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print(f"after {hold:.0f}s: {closed} of {len(socks)} closed by the server", flush=True)
PY
# Each process holds at most 10 000 (the open-file limit is per process and may not be raisable).
procs=$(((sockets + 9999) / 10000))
flood=()
for i in $(seq "$procs"); do
  python3 "$tmp/flood.py" "$port" "$((sockets / procs))" "$hold" >"$tmp/flood.$i.log" 2>&1 &
  flood+=($!)
done
sleep 3
for i in 1 2 3; do
  probe "during the flood ($i)"
  established=$(ss -Htn state established "( dport = :$port )" 2>/dev/null | wc -l)
  echo "  client sockets still established: $established"
  sleep 3
done
for p in "${flood[@]}"; do wait "$p" || echo "a flood process failed"; done
cat "$tmp"/flood.*.log
probe "after the flood"
