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

# The app on http://127.0.0.1:8501 (ARCHIVE_HOME picks the archive; PORT another port).
PORT ?= 8501
run: $(VENV)/.run-installed
	$(BIN)/archive ui --port $(PORT)

test: $(VENV)/.test-installed lint typecheck pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check archive index ui tests benchmarks
	$(BIN)/ruff format --check archive index ui tests benchmarks

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy archive index ui

pytest: $(VENV)/.test-installed
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
