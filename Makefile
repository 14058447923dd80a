# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
TORCH := torch==2.13.0

.PHONY: run test lint typecheck pytest clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch first, pinned: a plain `torch` would pull several GB of CUDA packages.
$(VENV)/.run-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[readers,app]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Until the app lands: the archive's figures and how to add to it.
run: $(VENV)/.run-installed
	@$(BIN)/archive stats
	@echo
	@echo "Add articles with:  $(BIN)/archive ingest FOLDER_OR_FILES   (see $(BIN)/archive ingest -h)"

test: $(VENV)/.test-installed lint typecheck pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check archive index ui tests benchmarks
	$(BIN)/ruff format --check archive index ui tests benchmarks

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy archive index

pytest: $(VENV)/.test-installed
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
