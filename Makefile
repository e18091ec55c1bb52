# Co-production Panels: `make run` serves the demo, `make test` runs every test.
# Needs Python 3.11+ (with venv) and Node.js 20+; the browser tests also need
# Debian's chromium package, which `make test` installs when run as root.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
SECRET_FILE := instance/secret_key

.PHONY: setup run test test-fast lint frontend chromium bench clean

setup: $(VENV)/.installed panels/static/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

panels/static/.built: node_modules/.installed scripts/build-frontend.mjs $(wildcard frontend/*)
	node scripts/build-frontend.mjs
	touch $@

frontend: panels/static/.built

$(SECRET_FILE):
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

# Serve the demo on http://127.0.0.1:5000 (SQLite in instance/, demo data, passwords printed),
# with one background worker beside it; stopping the app (Ctrl-C) stops the worker too.
run: setup $(SECRET_FILE)
	SECRET_KEY=$$(cat $(SECRET_FILE)) FLASK_DEBUG=$${FLASK_DEBUG:-1} $(BIN)/panels demo
	@export SECRET_KEY=$$(cat $(SECRET_FILE)) FLASK_DEBUG=$${FLASK_DEBUG:-1}; \
	$(BIN)/panels worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/panels run --host 127.0.0.1 --port 5000

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)); \
	  else \
	    echo "Chromium is needed for the browser tests: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

# The whole suite: unit, integration and browser tests. Set TEST_DATABASE_URL to run on PostgreSQL.
test: setup chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# Lint, format check and type check: the gate CI runs before the tests.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy representativeness panels models

bench: setup
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules panels/static *.egg-info
