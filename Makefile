# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Development defaults; set DEBUG=false and the rest in the environment or .env for production.
export DEBUG ?= true
export PYTHONUNBUFFERED := 1
# The web server's port under `make run` (PORT=8080 make run on a busy 8000). Exported because honcho
# reads PORT from the environment and hands it to the first Procfile process (web).
export PORT ?= 8000

.PHONY: run test fuzz faults bench bench-pdf bench-province bench-page screenshots setup system-deps migrate messages clean

run: setup migrate
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Portal: http://127.0.0.1:$(PORT)   (Ctrl-C stops web, worker and beat together)"
	@echo "  Demo accounts: director deputy office food station1 station2 admin (password above)"
	@echo
	$(BIN)/honcho -f Procfile.dev start

# The whole suite in PYTEST_WORKERS parallel pytest-xdist workers, each with its own PostgreSQL test
# database (test_<name>_gw0 …) and Redis database (REDIS_URL's number + the worker's: tests/conftest.py).
# PYTEST_WORKERS=0, or PYTEST_ARGS="-n 0" (PYTEST_ARGS comes last and wins), runs it in one process.
PYTEST_WORKERS ?= 3
test: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Generated inputs with a large budget (tests/test_generated_inputs.py): FUZZ_EXAMPLES examples per
# API operation and role, new ones each run; prints cases, 5xx and schema violations per role.
FUZZ_EXAMPLES ?= 200
fuzz: setup
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/pytest tests/test_generated_inputs.py -q -s -p no:cacheprovider $(PYTEST_ARGS)

# The fault suite (tests/faults/, about twenty-five minutes): its own PostgreSQL, Redis, mail server,
# group robot, beat and workers on loopback; kills, restarts and hangs them, puts 50 simulated users
# on the portal, and counts every message. (tests/faults/test_in_ci.py also runs in `make test`.)
# Figures to test-artifacts/faults.md (and docs/reliability.md).
faults: setup
	FAULTS=1 $(BIN)/pytest tests/faults -q -p no:cacheprovider $(PYTEST_ARGS)

# The README's screenshots, drawn again in Chromium from a live server with the demo people and a
# morning's incidents (tests/e2e/test_screenshots.py, skipped unless SCREENSHOTS is set).
screenshots: setup
	SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/e2e/test_screenshots.py -q -p no:cacheprovider

# A benchmark, not a test: the deadline sweep over 1,000,000 obligations (PostgreSQL), figures to docs/benchmarks.md.
bench: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/emergency} $(BIN)/python bench/sweep.py
	$(MAKE) --no-print-directory bench-pdf
	$(MAKE) --no-print-directory bench-province

# A benchmark, not a test: pages and endpoints at province scale (30 county bureaus, 100,000 incidents,
# about 1,000,000 obligations) in a throwaway database (BENCH_DATABASE, default emergency_bench, kept and
# reused while the migrations and the generator are unchanged), and the board's refresh under 10 clients
# against gunicorn with 2 workers on BENCH_PORT (default 9510); figures to docs/benchmarks.md.
bench-province: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/emergency} $(BIN)/python bench/province.py

# A benchmark, not a test: how long a report's PDF takes at the longest text the forms accept (and at
# the issue's 200,000 characters, now refused), figures to docs/benchmarks.md (its own section).
bench-pdf: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/emergency} $(BIN)/python bench/pdf.py

# A benchmark, not a test: the intake page on a phone's profile (CPU ×4, 1.6 Mbps, 150 ms) in Chromium, under
# `make run` and as in production (collectstatic + gunicorn): bytes transferred and LCP, figures to
# docs/benchmarks.md. Its own database (BENCH_PAGE_DATABASE_URL) and ports (BENCH_PAGE_PORT, +1).
bench-page: setup
	$(BIN)/python bench/intake_page.py

setup: system-deps $(VENV)/.installed messages

# Debian packages the portal needs, installed only when missing: gettext (translations), a CJK
# font for Chinese in PDFs, Pango for WeasyPrint, Chromium for the browser tests (Playwright drives
# Debian's chromium: its own browser download does not work here) with its Chinese locale
# (chromium-l10n: dates as 年/月/日), and poppler-utils, whose pdftotext reads back a printed page.
DEBIAN_PACKAGES := gettext fonts-noto-cjk fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0 chromium chromium-l10n poppler-utils
system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install these Debian packages: sudo apt-get install $$missing"; exit 1; fi; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

messages:
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

migrate:
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
