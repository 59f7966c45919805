# Sociale Kwaliteit Monitor. `make run` and `make test` each set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint format migrate demo worker bench stop-db browser check-migrations clean

help:
	@echo "make run    – installeer, start database, laad demo, serveer op http://$(HOST):$(PORT)"
	@echo "make test   – installeer en draai alle tests (lint, migraties, pytest, browser)"
	@echo "make bench  – prestatiemetingen, resultaten in benchmarks/results/"
	@echo "make lint | format | stop-db | clean"

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
run: demo
	@echo ""
	@echo "De monitor draait op http://$(HOST):$(PORT)/  (stoppen: Ctrl-C)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py db_worker --interval 1 & \
	  $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

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

test: $(INSTALLED) browser lint check-migrations
	$(BIN)/python -m pytest

bench: migrate
	$(BIN)/python benchmarks/run.py

stop-db: $(INSTALLED)
	$(BIN)/python -c "from pathlib import Path; from socialquality.embedded_db import stop_embedded_server as s; print('gestopt' if s(Path('.pgdata').resolve()) else 'draaide niet')"

clean: stop-db
	rm -rf .pgdata staticfiles test-artifacts
