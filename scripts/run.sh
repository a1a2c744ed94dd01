#!/usr/bin/env bash
# The project's run command.
#
#   scripts/run.sh [fulfillment-ops arguments...]     (default: serve)
#   scripts/run.sh migrate status
#
# Reads .env from the repository root (variables already set in the environment win). Without
# DATABASE_URL it makes PostgreSQL answer on 127.0.0.1:${FO_PG_PORT:-5432} (see
# scripts/lib/postgres.sh) and uses the database fulfillment_ops there. Without ADMIN_TOKEN or
# JWT_SECRET it generates them once and keeps them in .env, so they stay the same across runs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
envfile=$root/.env
# shellcheck source=scripts/lib/postgres.sh
. "$root/scripts/lib/postgres.sh"

say() { printf 'fulfillment-ops: %s\n' "$*" >&2; }

# First non-empty value of each key in .env (what was exported, or would have been).
declare -A dotenv=()

# KEY=VALUE lines, optionally `export KEY=VALUE`, '#' comments, 'single' or "double" quoted
# values (\" and \\ escapes). No ${VAR} expansion. Never overrides a variable already set.
load_dotenv() {
	local file=$1 line key val n=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%$'\r'}
		line=${line#"${line%%[![:space:]]*}"}
		[[ -z $line || $line == \#* ]] && continue
		if [[ $line =~ ^export[[:space:]]+(.*)$ ]]; then line=${BASH_REMATCH[1]}; fi
		if ! [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=[[:space:]]*(.*)$ ]]; then
			say "warning: $file:$n: not KEY=VALUE, ignored"
			continue
		fi
		key=${BASH_REMATCH[1]}
		val=${BASH_REMATCH[2]}
		if [[ $val =~ ^\"(([^\"\\]|\\.)*)\"[[:space:]]*(#.*)?$ ]]; then
			val=${BASH_REMATCH[1]}
			val=${val//\\\"/\"}
			val=${val//\\\\/\\}
		elif [[ $val =~ ^\'([^\']*)\'[[:space:]]*(#.*)?$ ]]; then
			val=${BASH_REMATCH[1]}
		else
			val=${val%%[[:space:]]#*}
			val=${val%"${val##*[![:space:]]}"}
		fi
		if [ -n "$val" ] && [ -z "${dotenv[$key]:-}" ]; then dotenv[$key]=$val; fi
		if [ -z "${!key+set}" ]; then export "$key=$val"; fi
	done <"$file"
}

# Put KEY=VALUE in .env (created with mode 600), replacing empty KEY= lines.
save_to_dotenv() {
	local key=$1 val=$2 tmp
	if [ ! -e "$envfile" ]; then
		(umask 077 && : >"$envfile")
	elif grep -Eq "^[[:space:]]*(export[[:space:]]+)?${key}[[:space:]]*=" "$envfile"; then
		tmp=$(mktemp)
		grep -Ev "^[[:space:]]*(export[[:space:]]+)?${key}[[:space:]]*=" "$envfile" >"$tmp" || true
		cat "$tmp" >"$envfile"
		rm -f "$tmp"
	fi
	# Do not glue the new line onto a last line without a newline.
	if [ -s "$envfile" ] && [ -n "$(tail -c 1 "$envfile")" ]; then echo >>"$envfile"; fi
	printf '%s=%s\n' "$key" "$val" >>"$envfile"
}

random_secret() {
	# 32 random bytes as 64 hex characters (ADMIN_TOKEN needs 16+, JWT_SECRET 32+).
	head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'
}

# Make KEY set: from the environment, else from .env, else generated and saved to .env
# (then generated=1).
generated=0
ensure_secret() {
	local key=$1
	generated=0
	# .env.example's placeholders (change-me…) in .env are replaced, never used: the server
	# refuses them anyway. A placeholder exported by hand is left for the server to refuse.
	if [[ ${dotenv[$key]:-} == [Cc][Hh][Aa][Nn][Gg][Ee]-[Mm][Ee]* && ${!key:-} == "${dotenv[$key]}" ]]; then
		say "replacing the .env.example placeholder of $key in $envfile"
		unset "$key"
		dotenv[$key]=
	fi
	if [ -n "${!key:-}" ]; then return 0; fi
	if [ -n "${dotenv[$key]:-}" ]; then
		export "$key=${dotenv[$key]}"
		return 0
	fi
	export "$key=$(random_secret)"
	save_to_dotenv "$key" "${!key}"
	generated=1
}

if [ -f "$envfile" ]; then load_dotenv "$envfile"; fi

if [ -z "${DATABASE_URL:-}" ]; then
	ensure_postgres
	ensure_database fulfillment_ops
	export DATABASE_URL="postgres://postgres@127.0.0.1:$FO_PG_PORT/fulfillment_ops"
fi

ensure_secret ADMIN_TOKEN
if [ "$generated" = 1 ]; then say "generated ADMIN_TOKEN=$ADMIN_TOKEN (stored in $envfile)"; fi
ensure_secret JWT_SECRET
if [ "$generated" = 1 ]; then say "generated JWT_SECRET (stored in $envfile)"; fi

if ! command -v cargo >/dev/null 2>&1; then
	say "error: cargo is not installed (https://rustup.rs)"
	exit 1
fi
cd "$root"
exec cargo run --release --locked -- "${@:-serve}"
