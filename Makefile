# One command installs, one runs, one tests. See README.md.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: install run worker demo test lint fmt bench

install:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@echo "Installed. Next: BOT_TOKEN=<token from @BotFather> make run"

run:
	$(BIN)/infrazen run

worker:
	$(BIN)/infrazen worker

demo:
	$(BIN)/infrazen demo

test:
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint:
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/mypy bot core connectors renderers

fmt:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench:
	$(BIN)/python -m bench
