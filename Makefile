# Twinning: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# gunicorn workers: 2 per core plus one, the usual starting point for a synchronous app.
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 + 1 )))

.DEFAULT_GOAL := help
.PHONY: help install run serve test lint format clean load

help:
	@echo "make run      set everything up and serve the site with its initial content (SQLite)"
	@echo "make test     install, then run the whole test suite (DATABASE_URL picks the database)"
	@echo "make serve    production configuration: DEBUG off, gunicorn, whitenoise"
	@echo "make lint     ruff, ruff format --check, djlint, makemigrations --check"
	@echo "make install  create .venv and install the pinned dependencies"
	@echo "make load     64 connections for 60 s against make serve, and a burst of Donate clicks (needs wrk)"

# The stamp file makes a second `make install` a no-op until the dependencies change.
$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(BIN)/.installed

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_initial_content
	DEBUG=true $(BIN)/python manage.py ensure_local_admin
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Access log lines without the visitor's address or browser (gunicorn's default has both).
ACCESS_LOG_FORMAT := %(t)s "%(r)s" %(s)s %(b)s %(M)sms

# make serve binds to loopback only: it is meant to sit behind a reverse proxy that
# terminates TLS and redirects plain http. Set SECURE_SSL_REDIRECT=true to make Django redirect too.
serve: install
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=false SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} $(BIN)/gunicorn twinning.wsgi:application \
		--bind 127.0.0.1:$(PORT) --workers $(WORKERS) --forwarded-allow-ips 127.0.0.1 \
		--access-logfile - --access-logformat '$(ACCESS_LOG_FORMAT)'

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# An operator's check, not run by CI (it takes over a minute): see twinning/loadcheck.py.
load: install
	$(BIN)/python -m twinning.loadcheck

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
