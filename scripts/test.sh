#!/usr/bin/env bash
# Every check and test of CivicBuy, in the order that fails fastest:
#   1. lint and types: ruff (check + format), mypy
#   2. Django checks: makemigrations --check, check --fail-level WARNING, translations compile
#   3. pytest on SQLite (the whole suite), warnings are errors, in two runs side by side: the real-browser tests
#      (`-m e2e`) and the rest; and at the same time
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

# Three pytest runs, independent of each other (own database, data folder, cache and temporary folder), side by
# side so that both cores work: the real-browser tests on SQLite and the database tests on PostgreSQL in the
# background, their output kept for after the rest of the suite on SQLite, which prints live. One pytest process
# left a core idle most of the time (its tests wait on one core, or on the servers and browsers they start).
background_names=()
background_pids=()
background() {  # name, log stem, command...: run a pytest in the background
  local name=$1 stem=$2; shift 2
  ( "$@" >"$workdir/$stem.log" 2>&1; echo $? >"$workdir/$stem.rc" ) &
  background_names+=("$name:$stem")
  background_pids+=($!)
}
trap 'for pid in "${background_pids[@]}"; do kill -- "$pid" 2>/dev/null; done; rm -rf "$workdir"' EXIT

step "pytest on PostgreSQL and the browser tests (started in the background)"
if pg_url=$(scripts/ensure-postgres.sh); then
  echo "Using $pg_url for the database tests; their output follows the SQLite run"
  background "pytest (PostgreSQL)" pytest-pg env DATABASE_URL="$pg_url" CIVICBUY_DATA_DIR="$workdir/data-pg" \
    CIVICBUY_CACHE_DIR="$workdir/cache-pg" $BIN/pytest -m "not e2e and not spark" --ignore=tests/analytics \
    --database-tests-only --basetemp "$workdir/pytest-pg"
else
  failures+=("PostgreSQL could not be started")
fi
background "pytest (browser tests)" pytest-e2e env -u DATABASE_URL CIVICBUY_DATA_DIR="$workdir/data-e2e" \
  CIVICBUY_CACHE_DIR="$workdir/cache-e2e" $BIN/pytest -p no:randomly -m e2e --basetemp "$workdir/pytest-e2e"

step "pytest on SQLite (all but the browser tests)"
run "pytest (SQLite)" env -u DATABASE_URL $BIN/pytest -p no:randomly -m "not e2e" --basetemp "$workdir/pytest-sqlite"

for index in "${!background_pids[@]}"; do
  name=${background_names[$index]%%:*}
  stem=${background_names[$index]##*:}
  wait "${background_pids[$index]}"
  step "$name (output of the background run)"
  cat "$workdir/$stem.log"
  [ "$(cat "$workdir/$stem.rc" 2>/dev/null)" = "0" ] || failures+=("$name")
done

if [ ${#failures[@]} -gt 0 ]; then
  printf '\nFailed steps:\n'; printf ' - %s\n' "${failures[@]}"
  exit 1
fi
printf '\nAll checks and tests passed.\n'
