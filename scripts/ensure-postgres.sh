#!/usr/bin/env bash
# Prints a DATABASE_URL for a PostgreSQL server the tests can use, starting one if none answers.
# Order: $TEST_DATABASE_URL or $DATABASE_URL if set; a server on 127.0.0.1:5432; otherwise a private
# cluster started from Debian's postgresql package in /tmp (trust auth, port 54329), left running for
# the rest of the session so a second `make test` reuses it.
set -euo pipefail
url="${TEST_DATABASE_URL:-${DATABASE_URL:-}}"
if [ -n "$url" ]; then echo "$url"; exit 0; fi
if pg_isready -q -h 127.0.0.1 -p "${CIVICBUY_PG_PORT:-5432}" 2>/dev/null; then
  echo "postgres://postgres@127.0.0.1:${CIVICBUY_PG_PORT:-5432}/civicbuy"; exit 0
fi
port=54329
dir=/tmp/civicbuy-postgres
if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  echo "postgres://postgres@127.0.0.1:$port/civicbuy"; exit 0
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "Error: PostgreSQL is not installed (run scripts/install-system-deps.sh)" >&2; exit 1; }
run_as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ ! -s "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  run_as_postgres "$bindir/initdb -D $dir -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
fi
run_as_postgres "$bindir/pg_ctl -D $dir -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' -l $dir/server.log -w start >/dev/null"
echo "postgres://postgres@127.0.0.1:$port/civicbuy"
