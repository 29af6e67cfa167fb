# Two commands for a fresh machine with only Python 3.11:
#   make lab   - create .venv, install the project, open the course in JupyterLab
#   make test  - create or refresh .venv as needed, then run every test (unit tests and nbval)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: lab test lint bench execute-notebooks clean

$(STAMP): pyproject.toml .ci/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "CRM Lab needs Python 3.11, found " + sys.version)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c .ci/constraints.txt -e '.[dev]'
	touch $(STAMP)

# Open the welcome chapter when it exists, else the first chapter there is.
START := $(firstword $(wildcard notebooks/00_*.ipynb) $(sort $(wildcard notebooks/*.ipynb)))

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_FLAG) $(START)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check simulation crm_theory tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_mesa_engine.py
	$(BIN)/python benchmarks/bench_engines.py
	$(BIN)/python benchmarks/bench_crm_theory.py

# Re-execute every notebook in place (outputs are committed and checked by nbval).
execute-notebooks: $(STAMP)
	$(BIN)/python tests/execute_notebooks.py

clean:
	rm -rf $(VENV) build *.egg-info
