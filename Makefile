# getting-electricity (获得电力) — everything a developer or CI runs.
#
#   make demo    virtualenv + pinned dependencies, migrate, Ningxia demo data, serve on
#                http://127.0.0.1:8000 (prints the demo accounts)
#   make test    the whole test suite (pure, database, browser, Spark) on SQLite, or on
#                PostgreSQL when DATABASE_URL is set; PYTEST_ARGS selects, e.g.
#                make test PYTEST_ARGS='-m "not pure and not browser and not spark"'
#                (checks first for chromium and Java 17; CHECK_PREREQS=0 skips the check)
#   make lint    ruff check + ruff format --check + mypy + makemigrations --check
#   make bench   the performance benchmark (benchmarks/)
#
# make demo needs only Python 3.11+, pip and make (everything else goes into .venv); make test
# also needs chromium and Java 17+ (checked first, with the command that installs them).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
CHECK_PREREQS ?= 1
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install install-test demo serve test lint format bench clean

help:
	@sed -n '3,13p' Makefile | sed 's/^# \{0,1\}//'

# The virtualenv, created once; the stamp records which extras are installed and is redone when
# pyproject.toml (the pins) changes.
$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(VENV)/.installed-dev-spark: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	@touch $@ $(VENV)/.installed-dev

install: $(VENV)/.installed-dev
install-test: $(VENV)/.installed-dev-spark

# Migrates, loads the demo (idempotent), prints the demo accounts, then serves on HOST:PORT over
# plain http (loopback only; cookies without the Secure flag for this local demo).
demo: install
	$(BIN)/getelec demo --serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/getelec serve --host $(HOST) --port $(PORT)

# Spark tests run PySpark workers with the virtualenv's interpreter (not the system Python).
# First: chromium (browser tests) and Java 17+ (Spark tests) are there, or say how to install them.
test: install-test
	@if [ "$(CHECK_PREREQS)" != 0 ]; then scripts/check-test-prereqs; fi
	PYSPARK_PYTHON=$(abspath $(PY)) PYSPARK_DRIVER_PYTHON=$(abspath $(PY)) \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-test
	@if [ -f benchmarks/Makefile ]; then \
		$(MAKE) -C benchmarks PYTHON=$(abspath $(PY)) $(BENCH_ARGS); \
	else \
		echo "benchmarks/Makefile not found" >&2; exit 2; \
	fi

clean:
	rm -rf .pytest_cache .ruff_cache .mypy_cache build
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
