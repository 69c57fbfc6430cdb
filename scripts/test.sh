#!/usr/bin/env bash
# Every check and test of CivicBuy, in the order that fails fastest:
#   1. lint and types: ruff (check + format), mypy
#   2. Django checks: makemigrations --check, check --fail-level WARNING, translations compile
#   3. pytest on SQLite (whole suite, browser tests included), warnings are errors, and at the same time
#   4. pytest on PostgreSQL (the tests that use the database, again: `--database-tests-only`), with a server
#      found or started here
# `--lint-only` stops after step 2.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
failures=()
step() { printf '\n== %s\n' "$1"; }
run() { local name=$1; shift; "$@" || failures+=("$name"); }

workdir=$(mktemp -d /tmp/civicbuy-test.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
export CIVICBUY_DATA_DIR="$workdir/data"
export CIVICBUY_CACHE_DIR="$workdir/cache"  # the engine's query cache: never the user's ~/.cache
export PYTHONDONTWRITEBYTECODE=1
unset DATABASE_URL_FOR_SQLITE

step "ruff"
run "ruff check" $BIN/ruff check src tests benchmarks scripts
run "ruff format" $BIN/ruff format --check --quiet src tests benchmarks scripts
step "mypy"
run "mypy" $BIN/mypy src/civicbuy
step "django checks"
run "makemigrations --check" env -u DATABASE_URL $BIN/civicbuy manage makemigrations --check --dry-run --verbosity 1
run "check" env -u DATABASE_URL $BIN/civicbuy manage check --fail-level WARNING
run "compilemessages" $BIN/python scripts/compile_messages.py
run "assessment model" $BIN/civicbuy assessment validate src/civicbuy/assessment/model/maturity-model.yaml --links-from src/civicbuy/content/packs

if [ "${1:-}" = "--lint-only" ]; then
  [ ${#failures[@]} -eq 0 ] && exit 0
  printf 'Failed: %s\n' "${failures[@]}"; exit 1
fi

# The two pytest runs are independent (own database, data folder and temporary folder), so they run side by
# side: the PostgreSQL run in the background with its output kept for after the SQLite run, which prints live.
# On 2 cores this takes about the time of the longer run instead of the sum of both.
step "pytest on PostgreSQL (started in the background)"
pg_pid=""
if pg_url=$(scripts/ensure-postgres.sh); then
  echo "Using $pg_url; its output follows the SQLite run"
  (
    env DATABASE_URL="$pg_url" CIVICBUY_DATA_DIR="$workdir/data-pg" CIVICBUY_CACHE_DIR="$workdir/cache-pg" \
      $BIN/pytest -m "not e2e and not spark" --ignore=tests/analytics --database-tests-only --basetemp "$workdir/pytest-pg" \
      >"$workdir/pytest-pg.log" 2>&1
    echo $? >"$workdir/pytest-pg.rc"
  ) &
  pg_pid=$!
  trap 'kill -- $pg_pid 2>/dev/null; rm -rf "$workdir"' EXIT
else
  failures+=("PostgreSQL could not be started")
fi

step "pytest on SQLite"
run "pytest (SQLite)" env -u DATABASE_URL $BIN/pytest -p no:randomly --basetemp "$workdir/pytest-sqlite"

if [ -n "$pg_pid" ]; then
  step "pytest on PostgreSQL (output of the background run)"
  wait "$pg_pid"
  cat "$workdir/pytest-pg.log"
  [ "$(cat "$workdir/pytest-pg.rc" 2>/dev/null)" = "0" ] || failures+=("pytest (PostgreSQL)")
fi

if [ ${#failures[@]} -gt 0 ]; then
  printf '\nFailed steps:\n'; printf ' - %s\n' "${failures[@]}"
  exit 1
fi
printf '\nAll checks and tests passed.\n'
