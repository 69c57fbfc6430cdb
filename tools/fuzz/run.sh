#!/usr/bin/env bash
# Fuzz the OCDS readers and the content-pack reader with atheris for a fixed time each.
#   tools/fuzz/run.sh [SECONDS]   (default 300 per harness)
# atheris lives in its own environment (/tmp/fuzz-venv), never in the product's requirements; it sees the
# product through a .pth file pointing at .venv's site-packages and src/.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-300}
VENV=${FUZZ_VENV:-/tmp/fuzz-venv}
if [ ! -x "$VENV/bin/python" ]; then
  .venv/bin/python -m venv "$VENV"
  "$VENV/bin/pip" install --quiet atheris
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  printf '%s\n%s\n' "$PWD/.venv/lib/python3.11/site-packages" "$PWD/src" > "$site/civicbuy-venv.pth"
fi
out=$(mktemp -d /tmp/civicbuy-fuzz.XXXXXX)
mkdir -p "$out/ocds" "$out/packs"
shared=${CIVICBUY_SHARED_DIR:-../shared}/data/ocds-samples
find "$shared" -maxdepth 2 -type f \( -name '*.json' -o -name '*.jsonl' \) -size -64k -exec cp {} "$out/ocds/" \; 2>/dev/null || true
cp src/civicbuy/content/packs/cases/*.en.yaml "$out/packs/"  # a copy: libFuzzer adds to its corpus folder
for harness in ocds packs; do
  echo "== fuzz_$harness for ${SECONDS_EACH}s (corpus $out/$harness)"
  "$VENV/bin/python" "tools/fuzz/fuzz_$harness.py" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 \
    -artifact_prefix="$out/crash-$harness-" "$out/$harness" 2>&1 | grep -E "^#[0-9]+ +(DONE|pulse)|Done|ERROR|crash-|Exception" | tail -5
done
ls "$out"/crash-* 2>/dev/null && { echo "crashes found in $out"; exit 1; }
echo "no crashes; corpus in $out"
