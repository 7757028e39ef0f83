# Zhaotong plan indicator warehouse. Quick start: `make demo`, `make test`.
# Every target installs what a fresh machine lacks; a second run only checks stamps.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY_VERSION   := 3.11
VENV         := .venv
SS_VENV      := .venv-superset
# uv from PATH, else a private copy bootstrapped into .tools/ with the system Python
UV           := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV_COMPILE_BYTECODE := 1
# Trust the platform certificate store (package registries may sit behind a TLS-inspecting proxy).
export UV_SYSTEM_CERTS ?= 1
export ZTECO_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(ZTECO_HOME)/dagster
export ZTECO_DBT_TARGET ?= duckdb
ZTECO        := $(VENV)/bin/zteco
APT_PACKAGES := chromium fonts-noto-cjk
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup demo test lint unit bench clean distclean

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

# Pipeline environment, from the committed uv.lock.
$(VENV)/.stamp: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PY_VERSION)
	touch $@

# Superset in its own environment (it caps SQLAlchemy<2, pandas<2.2: see shared/STACK.md).
$(SS_VENV)/.stamp: dashboards/requirements.lock | $(UV)
	[ -x $(SS_VENV)/bin/python ] || $(UV) venv --quiet --python $(PY_VERSION) $(SS_VENV)
	$(UV) pip install --quiet --python $(SS_VENV)/bin/python -r dashboards/requirements.lock
	touch $@

# Debian packages for the browser tests and Chinese rendering (no browser downloads by test tools).
.apt.stamp:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  echo "installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@command -v chromium >/dev/null && fc-list | grep -qi 'Noto Sans CJK'
	touch $@

# dbt manifest, parsed once (Dagster loads it instead of parsing on every import).
dbt_project/target/manifest.json: $(VENV)/.stamp $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' 2>/dev/null | grep -v '/target/')
	mkdir -p $(ZTECO_HOME)
	$(VENV)/bin/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project
	touch $@

setup: $(VENV)/.stamp $(SS_VENV)/.stamp .apt.stamp dbt_project/target/manifest.json  ## install everything (idempotent)

demo: setup  ## generate the world, run the pipeline through Dagster, start Dagster UI + Superset
	$(ZTECO) world generate
	$(ZTECO) run
	$(ZTECO) serve

lint: setup  ## ruff + sqlfluff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint dbt_project/models --processes 2

test: setup lint  ## lint and every test, unit to end-to-end
	$(VENV)/bin/pytest

unit: setup  ## fast tests only
	$(VENV)/bin/pytest tests/unit

bench: setup  ## benchmarks: ZTECO_HOME/bench/report.json + a table (options: BENCH_ARGS="--size 12 --end 2020-12-31 --only backfill", docs/bench.md)
	$(VENV)/bin/python -m tests.bench.run $(BENCH_ARGS)

clean:  ## remove build output (keeps the data home)
	rm -rf dbt_project/target dbt_project/logs test-artifacts .pytest_cache

distclean: clean  ## also remove environments and the data home
	rm -rf $(VENV) $(SS_VENV) .tools .apt.stamp data
