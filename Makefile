# One entry point for a fresh machine: `make review` and `make test` set everything up.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
REPORT_DATE ?= 2022-06-01
OUT ?= out/sample

.PHONY: setup review test lint bench-dates

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

review: setup
	PREFECT_SERVER_ANALYTICS_ENABLED=false \
	$(BIN)/evidence-review review data/sample --out $(OUT) --report-date $(REPORT_DATE)

lint: setup
	$(BIN)/ruff check .

test: setup lint
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/pytest -q

bench-dates: setup
	$(BIN)/python bench/dates.py
