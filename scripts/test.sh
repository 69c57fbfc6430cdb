#!/usr/bin/env bash
# Every check and test of CivicBuy, in the order that fails fastest:
#   1. lint and types: ruff (check + format), mypy
#   2. Django checks: makemigrations --check, check --fail-level WARNING, translations compile
#   3. pytest on SQLite (the whole suite, real-browser tests included), warnings are errors, in two runs: the
#      analytics engine's and operator commands' tests, and the rest; and at the same time
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
run "ruff check" $BIN/ruff check setup.py src tests benchmarks scripts
run "ruff format" $BIN/ruff format --check --quiet setup.py src tests benchmarks scripts
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

# Three pytest runs, independent of each other (own database, data folder, cache and temporary folder), in two
# lanes side by side so that both cores work: in the background the database tests on PostgreSQL, then the
# analytics engine's and operator commands' tests on SQLite (output printed at the end); in front, the rest on
# SQLite with the real-browser tests, printed live. Measured on 2 cores (this script, installed checkout): the
# PostgreSQL run beside the whole SQLite suite, 1,041 s; the browser tests as a third run from the start, 1,130 s,
# and 1,028 s with the analytics tests after the PostgreSQL run. The machine's speed varies by more than these
# differences; the suite is CPU-bound, so less work helps and more runs do not.
# The operator-command tests (real `civicbuy` processes on copies of one prepared site, no test database) go to
# the background lane so that both lanes take about as long.
operator_tests=(tests/cli/test_backup.py tests/cli/test_cli.py tests/api/test_schemathesis.py)
logged=()  # "name:stem" of each background run, in the order their output is printed
logged_run() {  # log stem, command...: run a pytest, keeping its output and exit status for later
  local stem=$1; shift
  "$@" >"$workdir/$stem.log" 2>&1
  echo $? >"$workdir/$stem.rc"
}

step "pytest in the background: PostgreSQL, then the analytics engine and the operator commands"
if pg_url=$(scripts/ensure-postgres.sh); then
  echo "Using $pg_url for the database tests; the output of the background runs follows the SQLite run"
  logged+=("pytest (PostgreSQL):pytest-pg")
else
  pg_url=""
  failures+=("PostgreSQL could not be started")
fi
logged+=("pytest (analytics engine and operator commands, SQLite):pytest-analytics")
set -m  # the lane gets its own process group, so that the exit trap stops its pytest too, not only the subshell
(
  if [ -n "$pg_url" ]; then
    logged_run pytest-pg env DATABASE_URL="$pg_url" CIVICBUY_DATA_DIR="$workdir/data-pg" \
      CIVICBUY_CACHE_DIR="$workdir/cache-pg" $BIN/pytest -m "not e2e and not spark" --ignore=tests/analytics \
      --database-tests-only --basetemp "$workdir/pytest-pg"
  fi
  logged_run pytest-analytics env -u DATABASE_URL CIVICBUY_DATA_DIR="$workdir/data-analytics" \
    CIVICBUY_CACHE_DIR="$workdir/cache-analytics" $BIN/pytest -p no:randomly tests/analytics "${operator_tests[@]}" \
    --basetemp "$workdir/pytest-analytics"
) &
lane_pid=$!
set +m
trap 'kill -- -"$lane_pid" 2>/dev/null; rm -rf "$workdir"' EXIT

step "pytest on SQLite (all but the background lane's), browser tests included"
run "pytest (SQLite)" env -u DATABASE_URL $BIN/pytest -p no:randomly --ignore=tests/analytics \
  "${operator_tests[@]/#/--ignore=}" --basetemp "$workdir/pytest-sqlite"

wait "$lane_pid"
for entry in "${logged[@]}"; do
  name=${entry%%:*}
  stem=${entry##*:}
  step "$name (output of the background run)"
  cat "$workdir/$stem.log" 2>/dev/null
  [ "$(cat "$workdir/$stem.rc" 2>/dev/null)" = "0" ] || failures+=("$name")
done

if [ ${#failures[@]} -gt 0 ]; then
  printf '\nFailed steps:\n'; printf ' - %s\n' "${failures[@]}"
  exit 1
fi
printf '\nAll checks and tests passed.\n'
