# One entry point for a fresh machine: `make review` and `make test` set everything up.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
REPORT_DATE ?= 2022-06-01
OUT ?= out/sample

.PHONY: setup system-deps review test lint bench-dates bench-extract bench-review

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,dask]'
	touch $@

# Tesseract (rus), LibreOffice Writer, poppler: OCR and old office formats. Needs root or sudo.
system-deps:
	bash scripts/install-system-deps.sh

review: setup system-deps
	PREFECT_SERVER_ANALYTICS_ENABLED=false \
	$(BIN)/evidence-review review data/sample --out $(OUT) --report-date $(REPORT_DATE)

lint: setup
	$(BIN)/ruff check .

test: setup lint system-deps
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/pytest -q

bench-dates: setup
	$(BIN)/python bench/dates.py

bench-extract: setup system-deps
	$(BIN)/python bench/extract.py

bench-review: setup
	$(BIN)/python bench/review.py
