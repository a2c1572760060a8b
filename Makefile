PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCALES := i18n/locale
POT := i18n/messages.pot

.PHONY: demo test install install-test browser lint format bench clean \
	translations translations-extract translations-update

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(MAKE) -s translations

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(MAKE) -s translations

# gettext catalogues (i18n/README.md): compile the .po into the .mo the app reads
translations:
	$(BIN)/pybabel compile -d $(LOCALES) -D messages

# after changing texts in code: collect every key into the template, then into each language
translations-extract:
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k t -k N_ \
		--add-location=file --project="Dasbor Kecamatan" --copyright-holder="Dasbor Kecamatan" \
		-o $(POT) .

translations-update: translations-extract
	$(BIN)/pybabel update -i $(POT) -d $(LOCALES) -D messages --no-fuzzy-matching \
		--add-location=file

browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "installing Debian chromium and chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi
	@# pdftoppm renders the printed laporan's pages for docs/ (issue 13)
	@if ! command -v pdftoppm >/dev/null; then \
		echo "installing Debian poppler-utils"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; \
	fi

demo: install
	$(BIN)/dasbor demo

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

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
