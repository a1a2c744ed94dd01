#!/usr/bin/env bash
# The project's test command (.ci/run and the README call exactly this).
#
#   scripts/test.sh [cargo test arguments...]
#
# The integration tests need a PostgreSQL server and a role that may create databases (each
# test clones its own database from a migrated template). With TEST_DATABASE_URL set, that
# server is used as is; otherwise scripts/lib/postgres.sh makes one answer on
# 127.0.0.1:${FO_PG_PORT:-5432} (using a running one, or creating a project cluster) and the
# tests connect as its superuser postgres. DATABASE_URL is never used for tests.
# PG_DUMP is set to a pg_dump at least as new as the server when one is installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib/postgres.sh
. "$root/scripts/lib/postgres.sh"

# The tests build their own URLs from TEST_DATABASE_URL; a DATABASE_URL (the development
# database, perhaps from .env) must not leak into anything they start.
unset DATABASE_URL

if [ -n "${TEST_DATABASE_URL:-}" ]; then
	echo "fulfillment-ops: tests use TEST_DATABASE_URL as given" >&2
	if [ -z "${PG_DUMP:-}" ]; then
		dump=$(find_pg_dump "$TEST_DATABASE_URL")
		if [ -n "$dump" ]; then export PG_DUMP=$dump; fi
	fi
else
	ensure_postgres
	export TEST_DATABASE_URL=$FO_PG_ADMIN_URL
	export PG_DUMP=${PG_DUMP:-$FO_PG_DUMP}
fi

if ! command -v cargo >/dev/null 2>&1; then
	echo "fulfillment-ops: error: cargo is not installed (https://rustup.rs)" >&2
	exit 1
fi
cd "$root"
exec cargo test --locked "$@"
