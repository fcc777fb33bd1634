# The single entry point for every routine task. `make run` and `make test` are all a
# new user needs; both create .venv and install on first use.

SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
CONTENT_DIR ?= content
export CONTENT_DIR

# The first Python 3.11+ on PATH (override with PYTHON=/path/to/python3.x).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

INSTALLED := $(VENV)/.installed

.PHONY: install run serve test test-faults test-deploy test-long test-e2e bench lint format spec check-content export clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(INSTALLED) ## create .venv if needed and install the project with its dev extras

run: install ## serve CONTENT_DIR (default content/) on http://127.0.0.1:$(PORT), development server
	$(BIN)/flask --app api run --host 127.0.0.1 --port $(PORT)

serve: install ## the production server: granian, one worker per core (WORKERS), PORT, CONTENT_DIR
	PORT=$(PORT) $(BIN)/python -m api.serve

test: install ## run every test but the fault and deploy suites (the load test for 5 seconds; TEST_TIME_FACTOR scales the deadlines, default 5)
	$(BIN)/python -m pytest -m "not faults and not deploy"

test-faults: install ## the production server under load through faults (about 2 minutes)
	$(BIN)/python -m pytest -m faults -s -p no:cacheprovider

test-long: install ## the load test for 20 seconds
	LOAD_TEST_SECONDS=20 $(BIN)/python -m pytest -m load -s

test-deploy: install ## Varnish in front of two replicas while content changes (installs varnish, git)
	$(BIN)/python -m pytest -m deploy -s tests/system/deploy

test-e2e: install ## TypeScript client checks and the example front end in headless Chromium
	bash tests/system/e2e/run.sh

bench: install ## throughput (against nginx), start-up, latency, edits, feeds, search and export tables
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/edits.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/search_engines.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/events.py

lint: install ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

spec: install ## regenerate the committed OpenAPI document (and its examples, from content/) and the TS client's types
	$(BIN)/flask --app api content examples
	$(BIN)/flask --app api openapi write --format=json openapi/openapi.json
	@if command -v npm >/dev/null; then \
		cd clients/typescript && { [ -d node_modules ] || npm ci --silent; } && npm run --silent generate; \
	else echo "npm not found: run 'npm run generate' in clients/typescript (make test-e2e checks it)"; fi

check-content: install ## validate CONTENT_DIR like the server does
	$(BIN)/flask --app api content check

export: install ## the static export of CONTENT_DIR into OUT (make export OUT=/srv/api-export)
	@test -n "$(OUT)" || { echo "usage: make export OUT=<folder>"; exit 1; }
	$(BIN)/flask --app api content export $(OUT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
