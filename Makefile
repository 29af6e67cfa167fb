# Two commands for a fresh machine with only Python 3.11:
#   make lab   - create .venv, install the project, open the course in JupyterLab
#   make test  - create or refresh .venv as needed, then run every test (unit tests and nbval)
# and three for developers and CI:
#   make lint          - ruff lint and format check
#   make test-browser  - JupyterLab in headless Chromium: the chapter 7 panel and an exercise notebook
#   make execute-notebooks
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: lab test lint test-browser chromium bench execute-notebooks clean book

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

# The venv's bin goes first on the lab's PATH, so `crmlab` works in JupyterLab's terminal.
lab: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab --notebook-dir=. $(ROOT_FLAG) $(START)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Notebooks and Markdown are left out of formatting by [tool.ruff.format] in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's chromium package; the browser tests drive it with Playwright (no browser download).
CHROMIUM ?= /usr/bin/chromium

chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "make test-browser needs Chromium at $(CHROMIUM): run 'sudo apt-get install -y chromium' (Debian) or set CHROMIUM=/path/to/chromium" >&2; exit 1; fi

test-browser: $(STAMP) chromium
	CRMLAB_CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest -m browser tests/browser

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_mesa_engine.py
	$(BIN)/python benchmarks/bench_engines.py
	$(BIN)/python benchmarks/bench_crm_theory.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/observed_stage_accuracy.py

# Re-execute every notebook in place (outputs are committed and checked by nbval).
execute-notebooks: $(STAMP)
	$(BIN)/python tests/execute_notebooks.py

# The course as a static website (Jupyter Book 1.x): committed notebook outputs, no re-execution, no network.
# Open build/book/html/index.html, or serve it: python -m http.server --directory build/book/html
book: $(STAMP)
	$(BIN)/python -m tools.book

clean:
	rm -rf $(VENV) build *.egg-info
