PYTHON ?= python3

.PHONY: install test lint bench demo

install:
	$(PYTHON) -m pip install -q -e '.[dev]'

# The README's test command. Installs first so a fresh clone works; pytest exit 5 (no tests) is a failure here
# on purpose: this project always has tests.
test: install
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
