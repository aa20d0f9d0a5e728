# Sales Workbench. `make help` lists the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/sample
OUT ?= reports
JOBS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup test test-fast lint format sample notebooks docs translations reports lab bench clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	# rfc3987-syntax compiles a grammar on every `import nbformat` (+1.4 s per start)
	-$(BIN)/python -m pip uninstall -q -y rfc3987-syntax
	touch $(STAMP)

## setup: create .venv and install the workbench with its test tools (done once)
setup: $(STAMP)

## test: set everything up and run the whole test suite (lint included), slowest 15 listed
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --durations=15

## test-fast: the suite without notebooks, the browser and slow tests (a quick check while editing)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not notebook and not browser and not slow"

## lint: ruff check and format check
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/ruff format --check src tests benchmarks

## format: apply ruff's formatting
format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

## sample: regenerate the sample department in data/sample (seeded, deterministic)
sample: $(STAMP)
	$(BIN)/workbench sample --out data/sample

## translations: gather the strings people read into the catalogues; then translate the new (empty) entries
translations: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o build/workbench.pot src/workbench
	$(BIN)/pybabel -q update -i build/workbench.pot -d src/workbench/locale -D workbench --no-wrap -N --ignore-obsolete --ignore-pot-creation-date

## reports: render every manager's report for the latest full month of DATA into OUT (ARGS=--force re-renders)
reports: $(STAMP)
	$(BIN)/workbench report --data $(DATA) --latest-month --jobs $(JOBS) --out $(OUT) $(ARGS)

## notebooks: re-execute the committed notebooks in place on the sample department
notebooks: $(STAMP)
	$(BIN)/workbench notebooks

## docs: regenerate docs/metrics.md from the metric definitions
docs: $(STAMP)
	$(BIN)/workbench definitions --out docs/metrics.md

## lab: start JupyterLab on the project's environment with the notebooks
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

## bench: print speed and memory figures (benchmarks/)
bench: $(STAMP)
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## clean: remove generated reports and caches (keeps .venv)
clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
