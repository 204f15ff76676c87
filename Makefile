# Quick start: `make run` (installs everything, starts the main job) and `make test` (installs everything,
# runs every test). Both install the Debian packages and the virtualenv they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test deps lint unit integration e2e bench clean

deps: $(STAMP)
	@./scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

lint: deps
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache > /dev/null || $(BIN)/lint-imports --no-cache

unit: deps
	$(BIN)/pytest -q tests/unit $(PYTEST_ARGS)

integration: deps
	$(BIN)/pytest -q tests/integration $(PYTEST_ARGS)

e2e: deps
	$(BIN)/pytest -q tests/e2e $(PYTEST_ARGS)

test: deps lint
	$(BIN)/pytest -q -p no:cacheprovider --durations=30 tests $(PYTEST_ARGS)

run: deps
	PATH="$(CURDIR)/$(BIN):$$PATH" ./scripts/demo.sh

bench: deps
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
