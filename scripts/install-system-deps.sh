#!/usr/bin/env bash
# Installs the Debian packages CivicBuy needs when any is missing: Chromium (browser tests), gettext
# (translations), Pango/HarfBuzz and fonts (PDF reports), poppler-utils (PDF checks in tests), and
# the PostgreSQL server (only started by the tests when no server answers), and a C compiler with the Python
# headers (the install compiles the OCDS merger and the flattener with mypyc; see setup.py). Fast when all are
# present.
set -euo pipefail
packages=(chromium gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
          postgresql postgresql-contrib)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Node.js and npm (front-end build): Debian's packages, only when no node/npm is on the PATH already.
command -v npm >/dev/null || missing+=(nodejs npm)
# venv support for Debian's own Python (not needed by other Python builds, harmless there).
if [ -x /usr/bin/python3.11 ] && ! /usr/bin/python3.11 -c "import ensurepip" 2>/dev/null; then missing+=(python3.11-venv); fi
# A C compiler, and the headers of Debian's Python when that is the Python in use (other builds ship their own).
command -v cc >/dev/null || missing+=(gcc)
if [ -x /usr/bin/python3.11 ] && [ ! -e /usr/include/python3.11/Python.h ] \
   && [ "$(command -v "${PYTHON:-python3.11}")" = /usr/bin/python3.11 ]; then missing+=(python3.11-dev); fi
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Error: need root or sudo to install: ${missing[*]}"; exit 1; }
  sudo="sudo"
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
