#!/usr/bin/env bash
# The PostgreSQL server that scripts/run.sh and scripts/test.sh start when none answers (the
# "project cluster", see scripts/lib/postgres.sh). Only that cluster is ever touched: a server
# you run yourself, or Debian's own, is left alone.
#
#   scripts/postgres.sh status    where the project cluster of port ${FO_PG_PORT:-5432} lives, and
#                                 whether it runs
#   scripts/postgres.sh stop      stop it (the data stays; the next run.sh/test.sh starts it again)
#   scripts/postgres.sh remove    stop it and delete its data directory (every database in it)
#
# Run it as the same user that ran run.sh/test.sh: as root the cluster is
# /var/lib/postgresql/fulfillment-ops-<port> (run as the system user postgres), otherwise
# ~/.local/share/fulfillment-ops/pg-<port>.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib/postgres.sh
. "$root/scripts/lib/postgres.sh"

port=${FO_PG_PORT:-5432}
datadir=$(_fo_pg_datadir "$port")
action=${1:-status}

if [ ! -f "$datadir/PG_VERSION" ]; then
	_fo_pg_say "no project cluster for port $port ($datadir does not exist); nothing to $action"
	exit 0
fi
ver=$(cat "$datadir/PG_VERSION")
pg_ctl=${FO_PG_LIBDIR:-/usr/lib/postgresql}/$ver/bin/pg_ctl
if [ ! -x "$pg_ctl" ]; then pg_ctl=$(type -P pg_ctl || true); fi

running() { [ -n "$pg_ctl" ] && _fo_pg_as_owner "$pg_ctl" -D "$datadir" status >/dev/null 2>&1; }

case $action in
status)
	if running; then state=running; else state=stopped; fi
	_fo_pg_say "project cluster (PostgreSQL $ver) for port $port in $datadir: $state"
	;;
stop | remove)
	if running; then
		_fo_pg_say "stopping the project cluster in $datadir"
		_fo_pg_as_owner "$pg_ctl" -D "$datadir" stop -m fast >/dev/null
	fi
	if [ "$action" = remove ]; then
		_fo_pg_say "removing $datadir and every database in it"
		rm -rf -- "$datadir"
	fi
	;;
*)
	echo "usage: scripts/postgres.sh status|stop|remove" >&2
	exit 2
	;;
esac
