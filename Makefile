# The single entry point for every routine task. `make run` and `make test` are all a
# new user needs; both create .venv and install on first use.

SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin

# The first Python 3.11+ on PATH (override with PYTHON=/path/to/python3.x).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

SERVER_INSTALLED := $(VENV)/.installed-server
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install install-server run serve test test-faults test-deploy test-long test-e2e test-bench test-stackbit bench lint format spec check-content export docs docs-serve clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/' | expand -t 16

$(SERVER_INSTALLED): pyproject.toml | $(BIN)/python
	@echo "installing into $(VENV) (one to two minutes, first run only)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(INSTALLED): pyproject.toml $(SERVER_INSTALLED)
	@echo "installing the dev extras into $(VENV) (first run only)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install-server: $(SERVER_INSTALLED) ## create .venv if needed and install what the server needs

install: $(INSTALLED) ## install-server, plus the dev extras (tests, lint, client generator)

DOCS_INSTALLED := $(VENV)/.installed-docs

$(DOCS_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,docs]'
	@touch $@

run: install-server ## serve CONTENT_DIR (default content/) on http://127.0.0.1:PORT (default 5000), development server
	$(BIN)/python -m api.develop --host 127.0.0.1 $(if $(PORT),--port $(PORT))

serve: install-server ## the production server: granian, one worker per core (WORKERS), PORT, CONTENT_DIR
	$(if $(PORT),PORT=$(PORT)) $(BIN)/python -m api.serve

test: install ## every test but the fault, deploy and bench suites (TEST_TIME_FACTOR scales the deadlines, default 5)
	$(BIN)/python -m pytest -m "not faults and not deploy and not bench and not stackbit"

test-faults: install ## the production server under load through faults (about 2 minutes)
	$(BIN)/python -m pytest -m faults -s -p no:cacheprovider

test-long: install ## the load test for 20 seconds
	LOAD_TEST_SECONDS=20 $(BIN)/python -m pytest -m load -s

test-deploy: install ## Varnish in front of two replicas while content changes (installs varnish, git)
	$(BIN)/python -m pytest -m deploy -s tests/system/deploy

test-bench: install ## every bench/ script's --quick run (about a minute; installs wrk, nginx, hugo)
	$(BIN)/python -m pytest -m bench tests/system/test_bench_smoke.py

test-stackbit: install ## the sourcebit plugin against sourcebit's own npm packages, and its watch mode (installs them)
	cd tests/system/stackbit && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python -m pytest -m stackbit tests/system/stackbit

test-e2e: install ## TypeScript client checks and the example front end in headless Chromium
	bash tests/system/e2e/run.sh

bench: install ## every measuring script in bench/ with its defaults (about 35 minutes on 2 cores; bench/README.md)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/startup.py --hugo $(if $(BASELINE),--baseline $(BASELINE))
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/edits.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/search_engines.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/search_stemming.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/verbatim_memory.py
	$(BIN)/python bench/locales.py
	$(BIN)/python bench/writes.py

lint: install ## ruff check, format check, and the import contract (pyproject's [tool.importlinter])
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

spec: install ## regenerate the committed OpenAPI document (and its examples, from content/) and the TS client's types
	$(BIN)/python -m api.example_answers
	$(BIN)/flask --app api openapi write --format=json openapi/openapi.json
	@if command -v npm >/dev/null; then \
		cd clients/typescript && { [ -d node_modules ] || npm ci --silent; } && npm run --silent generate; \
	else echo "npm not found: run 'npm run generate' in clients/typescript (make test-e2e checks it)"; fi

check-content: install-server ## validate CONTENT_DIR like the server does (STRICT=1: warnings fail too)
	$(BIN)/flask --app api content check $(if $(STRICT),--strict)

export: install-server ## the static export of CONTENT_DIR into OUT (make export OUT=/srv/api-export)
	@test -n "$(OUT)" || { echo "usage: make export OUT=<folder>"; exit 1; }
	$(BIN)/flask --app api content export $(OUT)

# NO_MKDOCS_2_WARNING: Material prints a banner about MkDocs 2.0 on every build; it is not a build
# warning (--strict fails on those), only noise in the CI log.
docs: $(DOCS_INSTALLED) ## the manual: regenerate the configuration reference, build docs/ into site/ (strict)
	$(BIN)/python docs/generate_configuration.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(DOCS_INSTALLED) ## the manual on http://127.0.0.1:8000, rebuilt on every save
	$(BIN)/python docs/generate_configuration.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

clean: ## remove .venv and the caches
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info site
