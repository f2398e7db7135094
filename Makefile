# Two commands on a fresh clone (README.md):
#   make demo   install everything, create the embedded SQLite store with demo data and export snapshots, serve on :5000
#   make test   install everything and run the test suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_SIZE ?= 5000

.PHONY: install demo test chromium

$(BIN)/pop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(BIN)/pop

install: $(BIN)/pop

demo: install
	POP_ENV=development $(BIN)/pop db upgrade
	POP_ENV=development $(BIN)/pop demo load --size $(DEMO_SIZE) --seed 1
	POP_ENV=development $(BIN)/pop export build
	POP_ENV=development $(BIN)/pop serve --host 127.0.0.1 --port 5000

# the browser tests (console, IIIF) drive Debian's Chromium: installed here when missing and we are root
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq chromium; fi

test: install chromium
	$(BIN)/python -m pytest -n 2 -q
