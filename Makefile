# needsbook: one-command set-up, book build and tests. Every target installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AREA ?= E10000034
NBVAL_AREAS ?= E10000034 E06000017
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup book test test-fast lint precommit snapshot validate bench nbval-refs lock clean browser-deps

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# axe-core for the browser tests (node_modules/; test-only, never shipped in a book)
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: axe-core not installed, the browser tests will be skipped"; fi
	touch $(STAMP)

## Debian's Chromium (the browser tests and the PDF editions; Playwright drives it and never
## downloads a browser) and poppler-utils (pdfinfo, pdftotext: the tests of the PDFs).
browser-deps:
	@if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null; then /usr/bin/chromium --version; \
	else $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium poppler-utils; fi

## Build the book for the default area (Worcestershire) from the committed snapshot.
book: setup
	$(BIN)/needsbook build --area $(AREA)

## Everything CI runs: lint, then unit and expectation tests, the test books (built once per
## session, from the start, beside the tests that do not read them; those run first) with
## their download, consistency and browser checks, and nbval re-running every chapter for two
## areas against the reference outputs committed in tests/nbval/.
test: setup lint
	$(BIN)/python -m pytest -n 2 --dist loadscope --no-loadscope-reorder --prebuild-books \
	  -p no:cacheprovider \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg tests

## The fast tier for development: everything but book builds, browser checks and nbval.
test-fast: setup
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider -m "not slow and not browser" tests

lint: setup
	$(BIN)/ruff check src tests

## The pre-commit hooks (.pre-commit-config.yaml) over every tracked file; they only check.
precommit: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pre-commit run --all-files

## Rewrite nbval's reference outputs (tests/nbval/) when chapter results change on purpose;
## review the diff and commit it with the change.
nbval-refs: setup
	$(BIN)/python -m needsbook.testing.nbval_prepare $(NBVAL_AREAS)

snapshot: setup
	$(BIN)/needsbook snapshot

validate: setup
	$(BIN)/needsbook validate

bench: setup
	$(BIN)/python -m needsbook.bench

## Re-resolve the dependency set from pyproject.toml into requirements.lock.
lock:
	rm -rf /tmp/needsbook-lock && $(PYTHON) -m venv /tmp/needsbook-lock
	/tmp/needsbook-lock/bin/pip install --quiet ".[test,jupyter,dask]"
	{ head -2 requirements.lock; /tmp/needsbook-lock/bin/pip freeze | grep -vi '^needsbook'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	/tmp/needsbook-lock/bin/python -m needsbook.testing.environment

clean:
	rm -rf _build
