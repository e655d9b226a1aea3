# One-command set-up: `make run` and `make test` create .venv, install Python and npm
# dependencies, collect static files and migrate before doing their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp

# Local development defaults; the environment wins (CI sets DATABASE_URL, CELERY_BROKER_URL).
export DJANGO_DEBUG ?= 1
# The development server's port: `make run PORT=8001` or `PORT=8001 make run`.
PORT ?= 8000

.PHONY: run test lint audit bench setup install assets static migrate seed worker clean format

setup: install assets static migrate

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

install: $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: $(NPM_STAMP)

static: install assets
	@mkdir -p var
	$(PY) manage.py collectstatic --noinput --verbosity 0

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput --verbosity 0

seed: migrate
	$(PY) manage.py seed_demo

# The worker embeds beat (--beat), which runs CELERY_BEAT_SCHEDULE: the outbox sweep every minute.
run: setup seed
	@$(PY) -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('harfbuzz-subset') else 1)" \
		|| echo "WARNING: libharfbuzz-subset0 is not installed: award letters render about 3x slower (pure-Python font subsetting). Debian/Ubuntu: sudo apt-get install libharfbuzz-subset0"
	@echo "Serving http://127.0.0.1:$(PORT) beside a Celery worker with beat (Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A copsgrants worker --beat --schedule var/celerybeat-schedule --loglevel=INFO --concurrency=1 & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/bandit -q -c pyproject.toml -r copsgrants applications mou training scripts -ll
	$(PY) scripts/audit_dependencies.py constraints.txt

# Known vulnerabilities in the pinned dependencies (pip-audit); says SKIPPED, and passes without
# claiming a result, where no vulnerability service answers from this machine.
audit: install
	$(PY) scripts/audit_dependencies.py constraints.txt

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs PostgreSQL (BENCH_DATABASE_URL); see docs/PERFORMANCE.md.
bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules var
