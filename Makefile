PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test browser lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "installing Debian chromium and chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

demo: install
	$(BIN)/dasbor demo

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# two workers: the machine has two cores, and the suite then stays well under ten minutes
test: install-test browser lint
	$(BIN)/pytest -n 2

bench: install
	$(BIN)/python bench/collect.py

clean:
	rm -rf var .pytest_cache
