# The two commands of the README: `make run` and `make test`. Both set up
# everything they need on a fresh machine; a second run reinstalls nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint bench clean

run: $(VENV)/.installed
	$(BIN)/abcd init
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

test: $(VENV)/.installed-test $(CHROMIUM)
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check abcd app.py app_pages tests bench
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/map_page.py
	$(BIN)/python bench/gaps.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# Real-browser tests drive Debian's chromium (Playwright cannot download browsers here).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
