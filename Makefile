# Sociale Kwaliteit Monitor. `make run` and `make test` each set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Threads per worker: one request's database waits overlap another's work.
THREADS ?= 4
# `make serve` keeps a generated SECRET_KEY here (git-ignored) when none is set.
SECRET_KEY_FILE ?= $(CURDIR)/.secret_key

.PHONY: help run serve test lint format migrate demo worker bench stop-db browser check-migrations clean

help:
	@echo "make run    – installeer, start database, laad demo, serveer op http://$(HOST):$(PORT)"
	@echo "make test   – installeer en draai alle tests (lint, migraties, pytest, browser)"
	@echo "make serve  – productiestart: migrate, collectstatic, gunicorn ($(WORKERS) workers) en de importworker, DEBUG uit"
	@echo "make bench  – prestatiemetingen, resultaten in benchmarks/results/"
	@echo "make lint | format | stop-db | clean"

# Development runs with DEBUG on (demo accounts, readable errors); every other start is
# production (`make serve`, or gunicorn started by hand). See docs/operations.md.
run test demo migrate worker bench check-migrations: export DEBUG := true
serve: export DEBUG := false

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@

migrate: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py load_demo --print-logins

# The import worker runs beside the web server; stopping `make run` (Ctrl-C) stops both.
# Static files are collected and served by whitenoise as in production (hashed, gzip and
# brotli, cached for a year): `runserver --nostatic` leaves them to its middleware.
run: export STATIC_COLLECTED := true
run: demo
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "De monitor draait op http://$(HOST):$(PORT)/  (stoppen: Ctrl-C)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py db_worker --interval 1 --no-reload & \
	  $(BIN)/python manage.py runserver --noreload --nostatic $(HOST):$(PORT)

# Production start on this machine: gunicorn serves the app (whitenoise the static files) and
# the import worker runs beside it; stopping (Ctrl-C) stops both. Without SECRET_KEY a key is
# generated once into $(SECRET_KEY_FILE). On 127.0.0.1 it answers over plain http, so the
# HTTPS redirect and secure cookies are off unless set; on any other HOST they are on.
serve: $(INSTALLED)
	@set -e; \
	if [ -z "$$SECRET_KEY" ]; then \
	  if [ ! -s "$(SECRET_KEY_FILE)" ]; then \
	    echo "Geen SECRET_KEY gezet: een nieuwe sleutel staat nu in $(SECRET_KEY_FILE)"; \
	    (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))' > "$(SECRET_KEY_FILE)"); \
	  fi; \
	  export SECRET_KEY_FILE="$(SECRET_KEY_FILE)"; \
	fi; \
	case "$(HOST)" in \
	  127.0.0.1|localhost|::1) local=1; \
	    export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SECURE_COOKIES="$${SECURE_COOKIES:-false}";; \
	  *) local=0;; \
	esac; \
	$(BIN)/python manage.py migrate --noinput --skip-checks -v 0; \
	$(BIN)/python manage.py createcachetable; \
	$(BIN)/python manage.py collectstatic --noinput -v 0; \
	if [ $$local = 1 ]; then \
	  echo "Lokaal over http: SECURE_SSL_REDIRECT=$$SECURE_SSL_REDIRECT, SECURE_COOKIES=$$SECURE_COOKIES (zie docs/operations.md)"; \
	  $(BIN)/python manage.py check --database default; \
	else \
	  $(BIN)/python manage.py check --deploy --database default; \
	fi; \
	echo "De monitor draait (DEBUG uit) op http://$(HOST):$(PORT)/  (stoppen: Ctrl-C)"; \
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py db_worker --no-reload & \
	$(BIN)/gunicorn socialquality.wsgi --workers $(WORKERS) --threads $(THREADS) --bind $(HOST):$(PORT) \
	  --no-control-socket --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1,::1}"

worker: migrate
	$(BIN)/python manage.py db_worker

# Browser tests need Chromium. Install it when missing and we may (root, as in CI).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Chromium ontbreekt: installeren met apt-get…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Chromium kon niet worden geïnstalleerd; browsertests worden overgeslagen."; \
	  else \
	    echo "Chromium ontbreekt en kan hier niet worden geïnstalleerd (geen root); browsertests worden overgeslagen."; \
	  fi; \
	fi

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: $(INSTALLED)
	$(BIN)/python manage.py makemigrations --check --dry-run

# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own test database and demo;
# `--dist load` hands every worker its tests in collection order, so each keeps the three groups
# of tests/conftest.py in order. The slowest tests are shown, so that CI says where time goes.
TEST_WORKERS ?= 2
test: $(INSTALLED) browser lint check-migrations
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load --durations=15

bench: migrate
	$(BIN)/python benchmarks/run.py

stop-db: $(INSTALLED)
	$(BIN)/python -c "from pathlib import Path; from socialquality.embedded_db import stop_embedded_server as s; print('gestopt' if s(Path('.pgdata').resolve()) else 'draaide niet')"

clean: stop-db
	rm -rf .pgdata staticfiles test-artifacts
