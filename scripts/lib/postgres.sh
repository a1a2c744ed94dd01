# shellcheck shell=bash
#
# PostgreSQL for development and tests. Sourced by scripts/test.sh and scripts/run.sh.
#
#   ensure_postgres        make a server answer on 127.0.0.1:${FO_PG_PORT:-5432}, then export
#                            FO_PG_HOST, FO_PG_PORT   where it answers
#                            FO_PG_ADMIN_URL          postgres://postgres@127.0.0.1:$port/postgres
#                            FO_PSQL, FO_PG_DUMP      client binaries at least as new as the server
#                                                     when one is installed
#                            FO_PG_SERVER_VERSION     e.g. 15.14
#                            FO_PG_DATA               data directory, when it is the project cluster
#   ensure_database NAME   create database NAME on FO_PG_ADMIN_URL unless it exists
#   find_pg_dump [URL]     print the newest pg_dump installed (no set-up, no install); warns when
#                          it is older than the server at URL
#
# What ensure_postgres does:
#   * something already answers on 127.0.0.1:$port -> use it, as user postgres without a
#     password (trust). Callers that already have a URL (TEST_DATABASE_URL, DATABASE_URL) do
#     not call ensure_postgres at all.
#   * nothing answers -> install Debian's `postgresql` when no server binaries are found in
#     /usr/lib/postgresql/*/bin (apt-get, as root or through sudo), then create once and start
#     a cluster owned by the project:
#       root:      /var/lib/postgresql/fulfillment-ops-$port, run as the system user postgres
#       otherwise: ${XDG_DATA_HOME:-$HOME/.local/share}/fulfillment-ops/pg-$port, run as you
#     It listens on 127.0.0.1:$port only, with trust authentication, its unix socket in the
#     data directory and its log in <data dir>/postgresql.log.
#     Stop it:  pg_ctl -D <data dir> stop   (as its owner; /usr/lib/postgresql/<ver>/bin/pg_ctl)
#
# Every message goes to stderr; nothing is printed when all is fine except one line naming the
# server in use. Safe under `set -euo pipefail`; functions return non-zero on failure.
# FO_PG_LIBDIR (default /usr/lib/postgresql) is where versioned server/client binaries live.

_fo_pg_say() { printf 'fulfillment-ops: %s\n' "$*" >&2; }
_fo_pg_err() { printf 'fulfillment-ops: error: %s\n' "$*" >&2; }

_fo_pg_is_root() { [ "${EUID:-$(id -u)}" -eq 0 ]; }

# -- versions and binaries ----------------------------------------------------------------------

# Is version $1 (e.g. 15 or 9.6) newer than $2?
_fo_pg_vgt() {
	[ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

# The newest $FO_PG_LIBDIR/<version>/bin holding executable $1; prints nothing when none does.
_fo_pg_newest_bindir() {
	local tool=$1 dir ver best="" bestver=""
	for dir in "${FO_PG_LIBDIR:-/usr/lib/postgresql}"/*/bin; do
		[ -x "$dir/$tool" ] || continue
		ver=${dir%/bin}
		ver=${ver##*/}
		if [ -z "$best" ] || _fo_pg_vgt "$ver" "$bestver"; then
			best=$dir
			bestver=$ver
		fi
	done
	if [ -n "$best" ]; then printf '%s\n' "$best"; fi
}

# Version of a PostgreSQL binary as it reports it ("15.14", "9.6.24"); empty when unknown.
_fo_pg_tool_version() {
	local out
	out=$("$1" --version 2>/dev/null | head -n 1) || true
	if [[ $out =~ \)\ ([0-9]+(\.[0-9]+)*) ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; fi
}

# A version ("15", "15.14", "9.6.24") as a major scaled like server_version_num
# (15.14 -> 150000, 9.6.24 -> 90600); 0 when empty.
_fo_pg_version_vnum() {
	local major minor rest
	[ -n "$1" ] || {
		printf '0\n'
		return 0
	}
	major=${1%%.*}
	rest=${1#"$major"}
	rest=${rest#.}
	minor=${rest%%.*}
	if [ "$major" -ge 10 ]; then
		printf '%s\n' $((major * 10000))
	else
		printf '%s\n' $((major * 10000 + ${minor:-0} * 100))
	fi
}

# Major version of a binary on that scale; 0 when it cannot be told.
_fo_pg_tool_vnum() {
	_fo_pg_version_vnum "$(_fo_pg_tool_version "$1")"
}

# server_version_num -> the same scale as _fo_pg_tool_vnum (150014 -> 150000).
_fo_pg_server_vnum_major() {
	if [ "$1" -ge 100000 ]; then
		printf '%s\n' $(($1 - $1 % 10000))
	else
		printf '%s\n' $(($1 - $1 % 100))
	fi
}

# Path of the client tool $1 to use against a server of major $2 (scaled, 0 = unknown): the one
# on PATH unless it is older than the server and the newest $FO_PG_LIBDIR/*/bin has a newer one.
# Prints nothing when the tool is not installed at all.
_fo_pg_pick_tool() {
	local tool=$1 server=${2:-0} onpath libdir lib="" pathv=0 libv=0
	onpath=$(type -P "$tool" || true)
	libdir=$(_fo_pg_newest_bindir "$tool")
	if [ -n "$libdir" ]; then lib=$libdir/$tool; fi
	if [ -n "$onpath" ]; then pathv=$(_fo_pg_tool_vnum "$onpath"); fi
	if [ -n "$lib" ]; then libv=$(_fo_pg_tool_vnum "$lib"); fi
	if [ -n "$onpath" ] && [ "$pathv" -ge "$server" ]; then
		printf '%s\n' "$onpath"
	elif [ -n "$lib" ] && { [ -z "$onpath" ] || [ "$libv" -gt "$pathv" ]; }; then
		printf '%s\n' "$lib"
	elif [ -n "$onpath" ]; then
		printf '%s\n' "$onpath"
	fi
}

# Directory with postgres, initdb and pg_ctl for a new cluster: the newest $FO_PG_LIBDIR/*/bin,
# else (not Debian) the directory of an initdb on PATH. Prints nothing when there is none.
_fo_pg_server_bindir() {
	local dir initdb
	dir=$(_fo_pg_newest_bindir postgres)
	if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
		printf '%s\n' "$dir"
		return 0
	fi
	initdb=$(type -P initdb || true)
	if [ -n "$initdb" ]; then
		dir=$(dirname "$initdb")
		if [ -x "$dir/postgres" ] && [ -x "$dir/pg_ctl" ]; then printf '%s\n' "$dir"; fi
	fi
}

# -- probing ------------------------------------------------------------------------------------

# Does anything accept TCP connections on 127.0.0.1:$1?
# shellcheck disable=SC2016 # $1 is the inner bash's argument
_fo_pg_port_open() {
	if command -v timeout >/dev/null 2>&1; then
		timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
	else
		bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
	fi
}

# pg_isready's verdict on 127.0.0.1:$1: 0 accepting, 1 rejecting (starting up), 2 no answer.
# Without pg_isready: 0 when the port is open, else 2.
_fo_pg_probe() {
	local isready
	isready=$(_fo_pg_pick_tool pg_isready 0)
	if [ -n "$isready" ]; then
		"$isready" -q -h 127.0.0.1 -p "$1" -t 3 && return 0
		return $?
	fi
	_fo_pg_port_open "$1" && return 0
	return 2
}

# Wait up to $2 seconds for 127.0.0.1:$1 to accept connections.
_fo_pg_wait_ready() {
	local port=$1 tries=$(($2 * 2)) rc
	while :; do
		rc=0
		_fo_pg_probe "$port" || rc=$?
		[ "$rc" -eq 0 ] && return 0
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.5
	done
}

# -- privileges ---------------------------------------------------------------------------------

# Run a command as root: directly when root, else through sudo (never prompting without a tty).
_fo_pg_as_root() {
	if _fo_pg_is_root; then
		"$@"
	elif [ -t 0 ]; then
		sudo -- "$@"
	else
		sudo -n -- "$@"
	fi
}

# apt-get install the packages given, as root or through sudo.
_fo_pg_apt_install() {
	if ! command -v apt-get >/dev/null 2>&1; then
		_fo_pg_err "PostgreSQL is needed ($*) but apt-get is not available: install PostgreSQL" \
			"yourself, or set TEST_DATABASE_URL / DATABASE_URL to a server you have"
		return 1
	fi
	if ! _fo_pg_is_root && ! command -v sudo >/dev/null 2>&1; then
		_fo_pg_err "PostgreSQL is needed ($*) but you are not root and sudo is not available;" \
			"as root, run: apt-get update && apt-get install -y $*"
		return 1
	fi
	_fo_pg_say "installing $* with apt-get$(_fo_pg_is_root || printf ' (through sudo)')"
	if ! _fo_pg_as_root env DEBIAN_FRONTEND=noninteractive apt-get update >&2; then
		_fo_pg_err "apt-get update failed (see above)"
		if ! _fo_pg_is_root && [ ! -t 0 ]; then
			_fo_pg_err "without a terminal sudo cannot ask for a password; as root, run:" \
				"apt-get update && apt-get install -y $*"
		fi
		return 1
	fi
	if ! _fo_pg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2; then
		_fo_pg_err "apt-get install -y $* failed (see above)"
		return 1
	fi
}

# Install the server. Debian's packages would also create and start a "main" cluster on the
# first free port (5432 by default, the port we are about to take, with password
# authentication on TCP); a drop-in in createcluster.d turns that off for this install only.
_fo_pg_install_server() {
	local dropdir=/etc/postgresql-common/createcluster.d rc=0 made_dir="" wrote=""
	local dropin=$dropdir/zz-fulfillment-ops-no-main-cluster.conf
	if command -v apt-get >/dev/null 2>&1 && { _fo_pg_is_root || command -v sudo >/dev/null 2>&1; }; then
		if [ ! -d "$dropdir" ]; then made_dir=1; fi
		if _fo_pg_as_root mkdir -p "$dropdir" &&
			printf '%s\n' "# Temporary, written by fulfillment-ops scripts/lib/postgres.sh while it installs postgresql." \
				"create_main_cluster = false" | _fo_pg_as_root tee "$dropin" >/dev/null; then
			wrote=1
		else
			_fo_pg_say "warning: could not write $dropin; the package may create its own cluster"
		fi
	fi
	_fo_pg_apt_install postgresql || rc=$?
	if [ -n "$wrote" ]; then
		_fo_pg_as_root rm -f "$dropin" || _fo_pg_say "warning: could not remove $dropin"
		if [ -n "$made_dir" ]; then _fo_pg_as_root rmdir "$dropdir" 2>/dev/null || true; fi
	fi
	return "$rc"
}

# Run a command as the owner of the project cluster: postgres when we are root (PostgreSQL
# refuses to run as root), else ourselves. From / so that postgres can stat its cwd.
_fo_pg_as_owner() {
	if ! _fo_pg_is_root; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && su -s /bin/bash postgres -c "$(printf '%q ' "$@")")
	fi
}

_fo_pg_ensure_postgres_user() {
	id -u postgres >/dev/null 2>&1 && return 0
	if ! command -v useradd >/dev/null 2>&1; then
		_fo_pg_err "the system user postgres does not exist and useradd is not available to create it"
		return 1
	fi
	_fo_pg_say "creating the system user postgres"
	if getent group postgres >/dev/null 2>&1; then
		useradd --system --gid postgres --home-dir /var/lib/postgresql --shell /bin/bash postgres
	else
		useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
	fi || {
		_fo_pg_err "could not create the system user postgres"
		return 1
	}
}

# In a subshell about to start the server: close every descriptor above stderr (the lock, a
# CI runner's pipes...), which the server would otherwise hold open for as long as it runs.
_fo_pg_close_fds() {
	local fd n
	for fd in /proc/"$BASHPID"/fd/*; do
		n=${fd##*/}
		if [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 2 ] && [ "$n" -ne 255 ]; then
			eval "exec $n>&-" 2>/dev/null || true
		fi
	done
	return 0
}

# -- the project cluster ------------------------------------------------------------------------

# Set by _fo_pg_start_cluster: how the server came to answer, for the summary line.
_FO_PG_ORIGIN=""

# The project cluster's data directory for port $1; fails when there is nowhere to put it.
_fo_pg_datadir() {
	if _fo_pg_is_root; then
		printf '%s\n' "/var/lib/postgresql/fulfillment-ops-$1"
	elif [ -n "${XDG_DATA_HOME:-}" ] || [ -n "${HOME:-}" ]; then
		printf '%s\n' "${XDG_DATA_HOME:-$HOME/.local/share}/fulfillment-ops/pg-$1"
	else
		_fo_pg_err "neither XDG_DATA_HOME nor HOME is set: nowhere to put the PostgreSQL data directory"
		return 1
	fi
}

_fo_pg_start_cluster() {
	local port=$1 datadir parent bindir ver lockfd="" rc=0
	datadir=$(_fo_pg_datadir "$port") || return 1
	parent=$(dirname "$datadir")

	# Which binaries: those of the existing cluster's version, else the newest installed.
	if [ -f "$datadir/PG_VERSION" ]; then
		ver=$(cat "$datadir/PG_VERSION")
		bindir=${FO_PG_LIBDIR:-/usr/lib/postgresql}/$ver/bin
		if [ ! -x "$bindir/postgres" ]; then
			bindir=$(_fo_pg_server_bindir)
			if [ -z "$bindir" ] || [ "$(_fo_pg_tool_vnum "$bindir/pg_ctl")" -ne "$(_fo_pg_version_vnum "$ver")" ]; then
				_fo_pg_err "$datadir was created by PostgreSQL $ver, whose server is not installed:" \
					"install postgresql-$ver, or remove that directory to start afresh"
				return 1
			fi
		fi
	else
		bindir=$(_fo_pg_server_bindir)
		if [ -z "$bindir" ]; then
			_fo_pg_say "no PostgreSQL server on 127.0.0.1:$port and none installed"
			_fo_pg_install_server || return 1
			bindir=$(_fo_pg_server_bindir)
			if [ -z "$bindir" ]; then
				_fo_pg_err "postgresql is installed but no server binaries were found in" \
					"${FO_PG_LIBDIR:-/usr/lib/postgresql}/*/bin"
				return 1
			fi
		fi
	fi

	if _fo_pg_is_root; then
		_fo_pg_ensure_postgres_user || return 1
		if [ ! -d "$parent" ]; then
			install -d -m 755 -o postgres -g postgres "$parent" || return 1
		fi
	else
		mkdir -p "$parent" || return 1
	fi

	# One creator/starter at a time (say run.sh and test.sh started together). The lock is on
	# the parent directory, so nothing is left behind; the server does not inherit it (see
	# _fo_pg_close_fds).
	if command -v flock >/dev/null 2>&1 && exec {lockfd}<"$parent"; then
		if ! flock -w 300 "$lockfd"; then
			exec {lockfd}<&-
			_fo_pg_err "timed out waiting for another process setting up PostgreSQL in $parent"
			return 1
		fi
	fi
	_fo_pg_start_cluster_locked "$port" "$datadir" "$bindir" || rc=$?
	if [ -n "$lockfd" ]; then exec {lockfd}<&-; fi
	[ "$rc" -eq 0 ] || return "$rc"
	export FO_PG_DATA=$datadir
}

_fo_pg_start_cluster_locked() {
	local port=$1 datadir=$2 bindir=$3 log out sockdir status=0
	log=$datadir/postgresql.log

	# Someone else may have started it while we waited for the lock.
	if _fo_pg_port_open "$port"; then
		_FO_PG_ORIGIN="started by another process"
		_fo_pg_wait_ready "$port" 60 || {
			_fo_pg_err "a server on 127.0.0.1:$port does not accept connections; see $log"
			return 1
		}
		return 0
	fi

	if [ ! -f "$datadir/PG_VERSION" ]; then
		if [ -d "$datadir" ] && [ -n "$(ls -A "$datadir")" ]; then
			_fo_pg_err "$datadir exists but holds no PostgreSQL cluster; remove it and run again"
			return 1
		fi
		_fo_pg_say "creating a PostgreSQL $(_fo_pg_tool_version "$bindir/postgres") cluster in $datadir"
		if _fo_pg_is_root; then
			install -d -m 700 -o postgres -g postgres "$datadir" || return 1
		fi
		# C.UTF-8 where the C library has it (any Debian), else the plain C locale.
		local locale=C
		if locale -a 2>/dev/null | grep -ixE 'c\.utf-?8' >/dev/null; then locale=C.UTF-8; fi
		if ! out=$(_fo_pg_as_owner "$bindir/initdb" -D "$datadir" -U postgres --auth=trust \
			-E UTF8 --locale="$locale" 2>&1); then
			printf '%s\n' "$out" >&2
			_fo_pg_err "initdb failed (output above)"
			return 1
		fi
		# A socket path longer than 107 bytes is refused: then TCP only.
		sockdir=$datadir
		if [ $((${#datadir} + ${#port} + 10)) -gt 107 ]; then sockdir=""; fi
		if ! printf '%s\n' "" \
			"# fulfillment-ops (scripts/lib/postgres.sh): a development cluster, local only." \
			"listen_addresses = '127.0.0.1'" \
			"port = $port" \
			"unix_socket_directories = '${sockdir//\'/\'\'}'" >>"$datadir/postgresql.conf"; then
			_fo_pg_err "could not write $datadir/postgresql.conf"
			return 1
		fi
		_FO_PG_ORIGIN="project cluster $datadir, created and started"
	else
		_FO_PG_ORIGIN="project cluster $datadir, started"
	fi

	# Already running (starting up, recovering)? Then only wait for it.
	_fo_pg_as_owner "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1 || status=$?
	if [ "$status" -ne 0 ]; then
		_fo_pg_say "starting PostgreSQL on 127.0.0.1:$port (log: $log)"
		status=0
		(_fo_pg_close_fds && _fo_pg_as_owner "$bindir/pg_ctl" -D "$datadir" -l "$log" -w -t 120 start \
			>/dev/null 2>&1) || status=$?
		if [ "$status" -ne 0 ]; then
			_fo_pg_err "PostgreSQL did not start; the end of $log:"
			tail -n 20 "$log" >&2 2>/dev/null || true
			return 1
		fi
	fi
	if ! _fo_pg_wait_ready "$port" 60; then
		_fo_pg_err "PostgreSQL in $datadir does not answer on 127.0.0.1:$port; see $log"
		tail -n 20 "$log" >&2 2>/dev/null || true
		return 1
	fi
}

# -- clients ------------------------------------------------------------------------------------

# psql ($FO_PSQL) against $_FO_PG_URL, else FO_PG_ADMIN_URL: no psqlrc, never a password prompt,
# unaligned tuples only, stop at the first error.
_fo_pg_psql() {
	PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "${FO_PSQL:-psql}" -X -w -q -A -t \
		-v ON_ERROR_STOP=1 -d "${_FO_PG_URL:-$FO_PG_ADMIN_URL}" "$@"
}

# Install clients when missing, check the server takes user postgres, export FO_PSQL,
# FO_PG_DUMP and FO_PG_SERVER_VERSION.
_fo_pg_setup_clients() {
	local port=$1 psql dump vnum major errf out dumpv
	psql=$(_fo_pg_pick_tool psql 0)
	dump=$(_fo_pg_pick_tool pg_dump 0)
	if [ -z "$psql" ] || [ -z "$dump" ]; then
		_fo_pg_say "psql or pg_dump is missing"
		_fo_pg_apt_install postgresql-client || return 1
		psql=$(_fo_pg_pick_tool psql 0)
		dump=$(_fo_pg_pick_tool pg_dump 0)
		if [ -z "$psql" ] || [ -z "$dump" ]; then
			_fo_pg_err "postgresql-client is installed but psql or pg_dump is still not found"
			return 1
		fi
	fi

	errf=$(mktemp) || return 1
	if ! vnum=$(FO_PSQL=$psql _fo_pg_psql -c 'SHOW server_version_num' 2>"$errf"); then
		_fo_pg_err "a server answers on 127.0.0.1:$port but user postgres cannot connect without" \
			"a password: $(tr '\n' ' ' <"$errf")"
		_fo_pg_err "point the scripts at it with TEST_DATABASE_URL / DATABASE_URL, or pick a free" \
			"port for a project cluster, e.g. FO_PG_PORT=55432"
		rm -f "$errf"
		return 1
	fi
	rm -f "$errf"
	out=$(FO_PSQL=$psql _fo_pg_psql -c 'SHOW server_version') || return 1
	major=$(_fo_pg_server_vnum_major "$vnum")

	psql=$(_fo_pg_pick_tool psql "$major")
	dump=$(_fo_pg_pick_tool pg_dump "$major")
	dumpv=$(_fo_pg_tool_vnum "$dump")
	if [ "$dumpv" -lt "$major" ]; then
		# pg_dump refuses to dump a newer server. Debian names the client of a given major
		# postgresql-client-<major> (from apt.postgresql.org for majors Debian does not ship).
		local pkg=postgresql-client-$((major / 10000))
		if command -v apt-cache >/dev/null 2>&1 &&
			apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			_fo_pg_say "pg_dump ($dump) is older than the server (${out%% *})"
			if _fo_pg_apt_install "$pkg"; then
				psql=$(_fo_pg_pick_tool psql "$major")
				dump=$(_fo_pg_pick_tool pg_dump "$major")
				dumpv=$(_fo_pg_tool_vnum "$dump")
			fi
		fi
		if [ "$dumpv" -lt "$major" ]; then
			_fo_pg_say "warning: $dump is older than the server (${out%% *}) and will refuse to dump" \
				"it; install $pkg (https://wiki.postgresql.org/wiki/Apt)"
		fi
	fi
	export FO_PSQL=$psql FO_PG_DUMP=$dump FO_PG_SERVER_VERSION=${out%% *}
}

# -- public -------------------------------------------------------------------------------------

ensure_postgres() {
	local port=${FO_PG_PORT:-5432} rc=0 datadir
	if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
		_fo_pg_err "FO_PG_PORT must be a TCP port number, not '$port'"
		return 1
	fi
	_FO_PG_ORIGIN=""
	unset FO_PG_DATA

	if _fo_pg_port_open "$port"; then
		# Something listens: a server that may still be starting, or not PostgreSQL at all.
		_fo_pg_probe "$port" || rc=$?
		if [ "$rc" -eq 1 ]; then
			_fo_pg_wait_ready "$port" 60 || rc=$?
		fi
		if [ "$rc" -ne 0 ]; then
			_fo_pg_err "something listens on 127.0.0.1:$port but does not answer as PostgreSQL;" \
				"stop it or pick another port with FO_PG_PORT"
			return 1
		fi
		_FO_PG_ORIGIN="already running"
		datadir=$(_fo_pg_datadir "$port" 2>/dev/null) || datadir=""
		if [ -n "$datadir" ] && [ -f "$datadir/postmaster.pid" ]; then
			_FO_PG_ORIGIN="project cluster $datadir, already running"
			export FO_PG_DATA=$datadir
		fi
	else
		_fo_pg_start_cluster "$port" || return 1
	fi

	export FO_PG_HOST=127.0.0.1 FO_PG_PORT=$port
	export FO_PG_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
	_fo_pg_setup_clients "$port" || return 1
	_fo_pg_say "using PostgreSQL $FO_PG_SERVER_VERSION on 127.0.0.1:$port ($_FO_PG_ORIGIN)"
}

ensure_database() {
	local name=${1:-} count
	if [ -z "$name" ]; then
		_fo_pg_err "ensure_database: which database?"
		return 1
	fi
	if [ -z "${FO_PG_ADMIN_URL:-}" ]; then
		_fo_pg_err "ensure_database: FO_PG_ADMIN_URL is not set (call ensure_postgres first)"
		return 1
	fi
	# psql interpolates :'var' / :"var" only in scripts, hence stdin rather than -c.
	count=$(_fo_pg_psql -v "dbname=$name" <<<"SELECT count(*) FROM pg_database WHERE datname = :'dbname';") ||
		return 1
	[ "$count" = 0 ] || return 0
	if ! _fo_pg_psql -v "dbname=$name" <<<'CREATE DATABASE :"dbname";' >/dev/null; then
		# Lost a race with another creator?
		count=$(_fo_pg_psql -v "dbname=$name" <<<"SELECT count(*) FROM pg_database WHERE datname = :'dbname';") ||
			return 1
		if [ "$count" != 1 ]; then
			_fo_pg_err "could not create database $name"
			return 1
		fi
		return 0
	fi
	_fo_pg_say "created database $name"
}

find_pg_dump() {
	local url=${1:-} psql vnum major=0 dump
	psql=$(_fo_pg_pick_tool psql 0)
	if [ -n "$url" ] && [ -n "$psql" ] &&
		vnum=$(FO_PSQL=$psql _FO_PG_URL=$url _fo_pg_psql -c 'SHOW server_version_num' 2>/dev/null) &&
		[[ $vnum =~ ^[0-9]+$ ]]; then
		major=$(_fo_pg_server_vnum_major "$vnum")
	fi
	# The newest one installed: pg_dump reads older servers, never newer ones.
	dump=$(_fo_pg_pick_tool pg_dump 1000000)
	if [ -z "$dump" ]; then
		_fo_pg_say "warning: pg_dump is not installed (apt-get install postgresql-client)"
		return 0
	fi
	if [ "$major" -gt 0 ] && [ "$(_fo_pg_tool_vnum "$dump")" -lt "$major" ]; then
		_fo_pg_say "warning: $dump is older than the test server and will refuse to dump it"
	fi
	printf '%s\n' "$dump"
}
