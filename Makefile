# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install demo-data screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo-data: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo_data

run: demo-data
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} $(BIN)/python -m pytest $(PYTEST_ARGS)

screenshots: install
	SCREENSHOTS=1 SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} $(BIN)/python -m pytest tests/browser/test_screenshots.py -q

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
