#!/usr/bin/env bash
# Checks that the interactive API docs at /docs render in a real browser: builds the service,
# starts it on a scratch database, loads /docs/ in headless Chromium and counts the operations
# Swagger UI drew from /openapi.json. Installs Debian's chromium when it is missing (as root or
# through sudo). Exits non-zero when the page does not render.
#
#   scripts/check-docs-ui.sh
#
# Uses the PostgreSQL scripts/test.sh uses (127.0.0.1:${FO_PG_PORT:-5432}, set up when none
# answers) and a database fulfillment_ops_docs_check, dropped at the end.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib/postgres.sh
. "$root/scripts/lib/postgres.sh"
say() { printf 'check-docs-ui: %s\n' "$*" >&2; }

browser=$(type -P chromium || type -P chromium-browser || type -P google-chrome || true)
if [ -z "$browser" ]; then
	say "installing Debian's chromium"
	sudo=""
	if [ "${EUID:-$(id -u)}" -ne 0 ]; then sudo=sudo; fi
	$sudo apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >/dev/null
	browser=$(type -P chromium)
fi

ensure_postgres
db=fulfillment_ops_docs_check
ensure_database "$db"
cd "$root"
cargo build --locked -q
port=$((20000 + RANDOM % 20000))
DATABASE_URL="postgres://postgres@127.0.0.1:$FO_PG_PORT/$db" \
	JWT_SECRET=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n') \
	LISTEN_ADDR="127.0.0.1:$port" LOG_FORMAT=json RUST_LOG=warn \
	target/debug/fulfillment-ops serve &
server=$!
cleanup() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	"$FO_PSQL" "$FO_PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
	if target/debug/fulfillment-ops healthcheck --addr "127.0.0.1:$port" >/dev/null 2>&1; then break; fi
	sleep 0.1
done

profile=$(mktemp -d)
dom=$("$browser" --headless=new --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$profile" --virtual-time-budget=15000 --dump-dom \
	"http://127.0.0.1:$port/docs/" 2>/dev/null)
rm -rf "$profile"
operations=$(grep -o 'class="opblock opblock-' <<<"$dom" | wc -l)
documented=$(curl -fsS "http://127.0.0.1:$port/openapi.json" | grep -o '"operationId"' | wc -l)
title=$(grep -o 'fulfillment-ops' <<<"$dom" | head -n 1 || true)
if [ "$operations" -gt 0 ] && [ -n "$title" ]; then
	say "ok: /docs/ rendered $operations operations of $documented documented (browser: $("$browser" --version 2>/dev/null))"
else
	say "error: /docs/ did not render (operations drawn: $operations, title found: ${title:-no})"
	exit 1
fi
