# CivicBuy: two commands for a fresh machine.
#   make run   installs what is missing, prepares the database, content and demo data, serves on :8000
#   make test  installs what is missing and runs every check and test
# `make install` is what both depend on; it is idempotent and quick when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install run test lint system-deps python-deps frontend messages clean help

help:
	@echo "make run    - serve CivicBuy on http://127.0.0.1:$(PORT) (installs what is missing first)"
	@echo "make test   - run every check and test (installs what is missing first)"
	@echo "make install, make lint, make clean"

install: system-deps python-deps frontend messages

system-deps:
	@scripts/install-system-deps.sh

python-deps: $(VENV)/.installed

# setup.py compiles the modules in its NATIVE_MODULES to C extensions (mypyc): a change to one must rebuild, or the
# stale build runs. The list is read from setup.py, so that it is kept in one place.
NATIVE := $(shell grep -o 'src/civicbuy/[a-z_/]*\.py' setup.py)
$(VENV)/.installed: requirements/dev.txt pyproject.toml setup.py $(NATIVE)
	@command -v $(PYTHON) >/dev/null || { echo "Error: $(PYTHON) is needed (CivicBuy runs on Python 3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

frontend: src/civicbuy/static/civicbuy/build/.built

node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

src/civicbuy/static/civicbuy/build/.built: node_modules/.installed frontend/build.mjs $(wildcard frontend/scss/*.scss)
	@npm run --silent build
	@touch $@

messages: python-deps
	@$(BIN)/python scripts/compile_messages.py

run: install
	@$(BIN)/civicbuy setup
	@$(BIN)/civicbuy serve --port $(PORT)

test: install
	@scripts/test.sh

lint: install
	@scripts/test.sh --lint-only

clean:
	rm -rf $(VENV) node_modules src/civicbuy/static/civicbuy/build var build
	find src -name "*.so" -delete
