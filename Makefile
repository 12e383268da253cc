# Twinning: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run serve test lint format clean messages compilemessages bench audit screenshots load

help:
	@echo "make run      set everything up and serve the site with its initial content (SQLite)"
	@echo "make test     install, then run the whole test suite (DATABASE_URL picks the database)"
	@echo "make serve    production configuration: DEBUG off, gunicorn, whitenoise"
	@echo "make lint     ruff, ruff format --check, djlint, makemigrations --check"
	@echo "make install  create .venv and install the pinned dependencies"
	@echo "make messages update the Ukrainian catalogue (locale/uk/LC_MESSAGES/django.po) from the code"
	@echo "make bench    measure the site against its floor on PostgreSQL with demo data (docs/benchmarks.md)"
	@echo "make audit    Lighthouse over the main pages (reports/, docs/audit.md); not part of CI"
	@echo "make screenshots  phone and desktop screenshots of the main pages into docs/screenshots/"
	@echo "make load     64 connections for 60 s against make serve, and a burst of Donate clicks (needs wrk)"

# The stamp file makes a second `make install` a no-op until the dependencies change.
$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Translations: the .po files are committed, the compiled .mo files are built here (GNU gettext's
# msgfmt; `apt-get install gettext`). --check-format fails on a translation whose placeholders
# differ from its message's.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%.mo: locale/%.po
	msgfmt --check-format --check-header -o $@ $<

compilemessages: $(MO_FILES)


messages: install
	DEBUG=true $(BIN)/python manage.py update_messages

# The test tools from npm (axe-core, the Nu Html Checker), pinned by package-lock.json. Lighthouse
# is an optional dependency, left out here and installed only by `make audit`. No install scripts
# run: vnu-jar's would download a Java runtime, and the machine's Java is used instead.
NPM_CI := npm ci --no-audit --no-fund --ignore-scripts
node_modules/.installed-tests: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		$(NPM_CI) --omit=optional && touch $@; \
	else \
		echo "npm not found: the accessibility and HTML checks need Node.js and npm"; \
	fi

node_modules/.installed-audit: package.json package-lock.json
	$(NPM_CI)
	touch node_modules/.installed-tests $@

install: $(BIN)/.installed $(MO_FILES) node_modules/.installed-tests

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_initial_content
	DEBUG=true PORT=$(PORT) $(BIN)/python manage.py ensure_local_admin
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# make serve binds to loopback only: it is meant to sit behind a reverse proxy that
# terminates TLS and redirects plain http. Set SECURE_SSL_REDIRECT=true to make Django redirect too.
# Workers, threads and the access log: gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS).
serve: install
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=false SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} $(BIN)/gunicorn twinning.wsgi:application \
		--bind 127.0.0.1:$(PORT)

# DJANGO_ALLOW_ASYNC_UNSAFE: Playwright's sync API runs an event loop in the test thread (the
# browser tests' conftest sets it too, for a bare `pytest`).
test: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest $(PYTEST_ARGS)

# Lighthouse over the main pages, served by gunicorn with DEBUG off from a throwaway SQLite
# database holding the initial content. Reports in reports/, the scores in docs/audit.md.
audit: install node_modules/.installed-audit
	$(BIN)/python -m tests.browser.audit

# Full-page screenshots of the main pages at phone and desktop widths, for the README.
screenshots: install
	$(BIN)/python -m tests.browser.screenshots

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

# The benchmark (scripts/bench.py): PostgreSQL (DATABASE_URL, default the local twinning_bench,
# created if missing) with the demo data, gunicorn as in `make serve`, measured with wrk.
# Writes docs/benchmarks.md. BENCH_ARGS passes options, e.g. BENCH_ARGS="--duration 20".
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
