# Submission Live: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run dev test lint format services run-distributed bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# DEBUG stays off: this is what a lab runs for real. ALLOWED_HOSTS follows HOST (common/hosts.py).
run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m config.serve --host $(HOST) --port $(PORT)

# The same, with Django's DEBUG on (tracebacks in the browser): only on a machine of your own.
dev: export DJANGO_DEBUG := 1
dev: run

test: $(VENV)/.dev
	@scripts/ensure_services.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Distributed mode on one machine: PostgreSQL, Redis, Celery and several ASGI processes.
run-distributed: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/submission_live
run-distributed: export REDIS_URL ?= redis://127.0.0.1:6379/0
run-distributed: export HOST := $(HOST)
run-distributed: export PORT := $(PORT)
run-distributed: export WEB_WORKERS := $(WORKERS)
run-distributed: export PROMETHEUS_MULTIPROC_DIR ?= /tmp/submission-live-metrics
run-distributed: $(VENV)/.runtime
	rm -rf $(PROMETHEUS_MULTIPROC_DIR) && mkdir -p $(PROMETHEUS_MULTIPROC_DIR)
	$(BIN)/python manage.py ensure_database
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/honcho start -f Procfile

clean:
	rm -rf $(VENV) db.sqlite3* media staticfiles

# Benchmarks against PostgreSQL and Redis on loopback (Redis DB 12): writes bench/RESULTS.md.
bench: $(VENV)/.runtime $(VENV)/.bench
	@scripts/ensure_services.sh
	$(BIN)/python -m bench.run

$(VENV)/.bench: bench/requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@
