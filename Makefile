# The two commands of the Quick start: `make run` and `make test`. `make help` lists the others.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
LOCK := requirements.lock
PIP_TOOLS := pip-tools==7.6.2
# uv installs the lock: it downloads the wheels in parallel and keeps them in its own cache.
UV_PIN := uv==0.13.8
UV := $(BIN)/uv
UV_PIP := $(UV) pip --quiet

.PHONY: help run serve test test-browser test-postgres test-clock test-all install lock demo-data demo-snapshot messages screenshots production-check clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Refuse an old Python before any .venv exists, so that none is left half-made. The venv gets no pip
# (ensurepip alone takes several seconds): uv installs everything in it.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: Python 3.11 or newer is needed; '$(PYTHON)' is $$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo 'not found')." >&2; \
	  echo "       Run with a newer one, e.g. 'make PYTHON=python3.12 $(MAKECMDGOALS)'." >&2; \
	  exit 1; }
	$(PYTHON) -m venv --without-pip $(VENV)

# uv comes from PyPI through the interpreter's own pip (22.3 or newer, for --python); without one, through a
# pip that ensurepip first puts in .venv.
$(UV): | $(BIN)/python
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check $(UV_PIN) 2>/dev/null || { \
	  $(BIN)/python -m ensurepip >/dev/null && $(BIN)/python -m pip install --quiet --disable-pip-version-check $(UV_PIN); }

# Reinstall only when the pinned dependencies change: the lock first, then the project itself.
# --compile-bytecode writes the .pyc files up front as pip does (uv would leave them to the first
# import, and where PYTHONDONTWRITEBYTECODE is set every process would compile its imports again).
$(STAMP): $(LOCK) pyproject.toml | $(UV)
	$(UV_PIP) install --python $(BIN)/python --compile-bytecode -r $(LOCK)
	$(UV_PIP) install --python $(BIN)/python --no-deps -e .
	@$(UV) pip check --python $(BIN)/python >/dev/null 2>&1 || { $(UV) pip check --python $(BIN)/python; \
	  echo "error: $(LOCK) does not cover pyproject.toml's dependencies: run 'make lock'." >&2; exit 1; }
	touch $(STAMP)

# Local settings (DEBUG=1) for a new checkout; an existing .env is never overwritten.
.env:
	cp .env.example .env
	@echo "created .env from .env.example (DEBUG=1, for development)"

install: $(STAMP) .env ## create .venv from the lock file and a development .env

# Keeps the current pins where pyproject.toml still allows them; UPGRADE=1 moves every pin to the newest release.
lock: | $(UV) ## re-pin pyproject.toml's dependencies, test extras included, in requirements.lock (UPGRADE=1)
	$(UV_PIP) install --python $(BIN)/python $(PIP_TOOLS)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet $(if $(UPGRADE),--upgrade) --extra test --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

demo-data: install ## migrate and load the demo data into an empty directory
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data

# Built from the sources in a database of its own, so that the directory of `make run` is left alone.
SNAPSHOT_DB := $(CURDIR)/var/demo-snapshot.sqlite3
demo-snapshot: install ## rebuild fixtures/demo-snapshot.json.xz, the demo that `make run` loads, from fixtures/ and data/
	mkdir -p var && rm -f $(SNAPSHOT_DB)
	DATABASE_URL=sqlite:///$(SNAPSHOT_DB) $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=sqlite:///$(SNAPSHOT_DB) $(BIN)/python manage.py demo_snapshot
	rm -f $(SNAPSHOT_DB)

run: demo-data ## migrate, load the demo data, serve on HOST:PORT (default 127.0.0.1:8000)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# As production runs: DEBUG forced off (set in the environment, it wins over .env), so that settings
# refuse to start without SECRET_KEY and ALLOWED_HOSTS comes from the environment or .env; static
# files collected for WhiteNoise's manifest, the schema migrated, then gunicorn with gunicorn.conf.py.
# No .env is written: a server has none (README: Deployment), and one with DEBUG=1 left behind
# would turn DEBUG on for every later manage.py run there (a cron job).
serve: $(STAMP) ## serve as production does: DEBUG off, collectstatic, migrate, gunicorn on HOST:PORT (needs SECRET_KEY, ALLOWED_HOSTS)
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 HOST=$(HOST) PORT=$(PORT) exec $(BIN)/gunicorn --config gunicorn.conf.py communs.wsgi

# Tests run with DEBUG off, as in production and CI, whatever .env says.
PYTEST := DEBUG=$${DEBUG:-0} SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} $(BIN)/python -m pytest
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# The tests that compare dates (feeds, sitemap, calendar, availability, history, sync, the page
# cache keyed by the day), which `make test-clock` runs in the hour when UTC and Paris differ by a day.
CLOCK_TESTS := tests/site tests/funding tests/curation/test_history.py tests/curation/test_public_history.py \
  tests/curation/test_data_quality.py tests/api/test_sync.py tests/api/test_filters.py tests/test_cache.py

test: install ## the fast suite: every test but the browser's and PostgreSQL's own, on SQLite (PYTEST_ARGS="-k search" narrows it)
	$(PYTEST) -m "not browser and not postgres and not long" $(PYTEST_ARGS)

test-browser: install ## the tests that drive Debian's Chromium (Playwright): journeys, accessibility, hostile input
	$(PYTEST) -m browser $(PYTEST_ARGS)

test-postgres: install ## the fast suite on PostgreSQL (POSTGRES_TEST_URL, default the local server), with the tests marked postgres
	DATABASE_URL=$(POSTGRES_TEST_URL) $(PYTEST) -m "not browser" $(PYTEST_ARGS)

# Django keeps the site in Europe/Paris whatever TZ says; TZ moves the rest (the machine's own dates).
test-clock: install ## the tests that compare dates, at 23:30 UTC, under UTC+14 and then UTC-12
	TZ=Pacific/Kiritimati $(PYTEST) -m "not browser" --clock 23:30 $(CLOCK_TESTS) $(PYTEST_ARGS)
	TZ=Etc/GMT+12 $(PYTEST) -m "not browser" --clock 23:30 $(CLOCK_TESTS) $(PYTEST_ARGS)

test-all: test test-browser test-postgres test-clock ## every suite that CI runs, but the production check

# Needs GNU gettext (Debian's gettext package). French is the source language: see communs/translations.py.
messages: install ## re-extract the interface's strings into locale/ (French filled in, English to translate) and compile them
	$(BIN)/python manage.py translations

screenshots: install ## refresh docs/screenshots from the demo data
	SCREENSHOTS=1 DEBUG=$${DEBUG:-0} SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} $(BIN)/python -m pytest tests/browser/test_screenshots.py -q

# PRODUCTION_DATABASE_URL (default: database communs_production_check on the local PostgreSQL, dropped and
# recreated) and PRODUCTION_REDIS_URL (default redis://127.0.0.1:6379/15, flushed) pick the services.
production-check: install ## serve the site as deployed (PostgreSQL, collectstatic, gunicorn, DEBUG off) and test it in Chromium
	bash tests/production/run $(PYTEST_ARGS)

clean: ## remove .venv, the SQLite database and collected static files (.env stays)
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
