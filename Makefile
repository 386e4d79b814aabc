# RiskRadar — every target sets up what it needs first (idempotent, fast when already done).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3.11
VENV        := $(CURDIR)/.venv
PY          := $(VENV)/bin/python
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.riskradar-installed
# make test runs test files side by side (pytest-xdist, one file per process): most of a test's wall
# time is spent waiting on Airflow, dbt and server subprocesses, so 3 processes fit 2 cores
TEST_WORKERS ?= 3

export RISKRADAR_HOME      := $(CURDIR)
export RISKRADAR_DATA_DIR  ?= $(CURDIR)/data
export NLTK_DATA           := $(VENV)/nltk_data
export AIRFLOW_HOME        ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__EXECUTOR := LocalExecutor
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION := True
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK := False
export DBT_PROFILES_DIR    := $(CURDIR)/dbt_project
export PATH                := $(BIN):$(PATH)

.PHONY: help setup demo chromium postgres test test-fast bench lint docs airflow sample clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): pyproject.toml constraints.txt
	@echo "==> creating $(VENV) and installing the pinned stack (constraints.txt)"
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -E '^uv==' constraints.txt)"
	@$(BIN)/uv pip install --quiet --compile-bytecode --python $(PY) -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)  ## venv + pinned packages + offline NLTK data + Airflow home
	@$(BIN)/riskradar setup

sample: setup  ## generate the bundled synthetic feed corpus under data/sample_feeds
	@$(BIN)/riskradar sample

demo: setup  ## end-to-end run of every sample day through Airflow, docs sites, summary, brief screenshot
	@$(BIN)/riskradar demo
	@$(MAKE) --no-print-directory chromium || echo "(no Chromium: skipping the brief screenshot)"
	@$(PY) tools/screenshot.py --out $(RISKRADAR_DATA_DIR)/briefs/brief-screenshot.png

chromium:  ## headless Chromium + chromedriver: brief screenshot, Airflow UI browser test (Debian; root or sudo)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); echo "==> installing Debian chromium + chromium-driver"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium chromium-driver >/dev/null; \
	else echo "==> chromium/chromedriver missing and neither root nor sudo here: not installed" \
	  "(the Airflow UI browser test will skip; install Debian's chromium + chromium-driver)"; fi

postgres:  ## PostgreSQL server binaries: the dbt-on-PostgreSQL and Airflow-metadata-on-PostgreSQL tests (Debian; root or sudo)
	@if { command -v initdb && command -v pg_ctl; } >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); echo "==> installing Debian postgresql (server binaries)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    postgresql >/dev/null; \
	else echo "==> PostgreSQL (initdb/pg_ctl) missing and neither root nor sudo here: not installed" \
	  "(the PostgreSQL tests will skip; install Debian's postgresql)"; fi

test: setup chromium postgres  ## the whole test suite (unit, dbt, GX, DAG integrity, Airflow end to end, dbt and Airflow on PostgreSQL, UI in Chromium)
	@$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile tests

test-fast: setup  ## unit tests only
	@$(BIN)/pytest -q tests -m "not integration"

bench: setup  ## benchmarks (ingest, scoring, dbt, brief, whole pipeline at 10k/100k/1M a day; ~1 h): each target beside its measured figure and the ratio to bench/results/; never part of make test
	@set -e; for b in bench/bench_*.py; do echo "==> $$b"; $(PY) $$b; done

lint: setup  ## ruff (with Airflow AIR rules)
	@$(BIN)/ruff check plugins dags tests sample_data expectations bench

docs: setup  ## build the dbt docs site and GX Data Docs, then serve the dbt docs on :8081
	@$(BIN)/riskradar docs --serve

airflow: setup  ## airflow standalone on http://localhost:8080 with the project's Airflow home
	@$(BIN)/riskradar airflow-ui

clean:  ## remove generated data and the Airflow home (keeps .venv)
	rm -rf data .airflow dbt_project/target dbt_project/logs
