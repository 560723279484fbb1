PYTHON ?= python3

.PHONY: install browser test lint bench demo

install:
	$(PYTHON) -m pip install -q -e '.[dev]'

# Headless Chromium for the report's browser test (Debian packages); best effort: without it that test skips.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
	    >/dev/null 2>&1 || echo "chromium not installed: the browser test will skip" )

# The README's test command. Installs first so a fresh clone works; pytest exit 5 (no tests) is a failure here
# on purpose: this project always has tests.
test: install browser
	$(PYTHON) -m pytest src tests

lint:
	$(PYTHON) -m ruff check src tests bench
	$(PYTHON) -m ruff format --check src tests bench
	$(PYTHON) -m mypy

bench:
	$(PYTHON) bench/ingest.py
	$(PYTHON) bench/detect.py

demo:
	lockstep demo
