# Single entry point. `make run` and `make test` work on a fresh clone of a fresh machine:
# they install what is missing (uv, the Python packages, fonts, Chromium for browser tests).
SHELL := /bin/bash
PYTHON ?= python3.12
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
APT_RUN := fonts-dejavu-core fonts-liberation
APT_TEST := $(APT_RUN) chromium chromium-driver poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: uv-bootstrap run test lint format install install-dev system-deps system-deps-test demo clean

run: install system-deps
	DEBUG=1 $(UV) run --no-sync python manage.py migrate --noinput
	DEBUG=1 $(UV) run --no-sync python manage.py load_demo
	@echo "Application : http://$(HOST):$(PORT)/ (et un processus db_worker pour les tâches)"
	DEBUG=1 HOST=$(HOST) PORT=$(PORT) bash scripts/run-dev.sh $(UV) run --no-sync python

test: install-dev system-deps-test
	$(UV) run --no-sync pytest $(PYTEST_ARGS)

lint: install-dev
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	DEBUG=1 $(UV) run --no-sync python manage.py makemigrations --check --dry-run

format: install-dev
	$(UV) run --no-sync ruff format .
	$(UV) run --no-sync ruff check --fix .

uv-bootstrap:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet uv

install: uv-bootstrap
	$(UV) sync --locked --no-dev --python $(PYTHON)

install-dev: uv-bootstrap
	$(UV) sync --locked --python $(PYTHON)

# System packages from Debian (fonts for WeasyPrint; Chromium and poppler for the tests).
system-deps:
	@bash scripts/apt-ensure.sh $(APT_RUN)

system-deps-test:
	@bash scripts/apt-ensure.sh $(APT_TEST)

clean:
	rm -rf .venv staticfiles db.sqlite3
