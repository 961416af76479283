# The README's two commands: `make run` and `make test`. Both build .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export SE_CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: run test lint bench clean

$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run  ## the dashboard on the embedded SQLite default, with demo data
	$(BIN)/stratwatch serve

test: $(VENV)/.installed-test  ## lint, then every tier: unit, SQLite + PostgreSQL, Redis, browser
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(VENV)/.installed-test  ## benchmarks: printed, not asserted
	$(BIN)/python tests/benchmarks/bench_bulk_import.py
	$(BIN)/python tests/benchmarks/bench_cache.py
	$(BIN)/python tests/benchmarks/bench_metrics.py

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
