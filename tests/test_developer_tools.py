"""The developer commands (Makefile, CI script, notebook execution) do what the README says."""

import importlib.util
import os
import re
import shlex
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _load_execute_notebooks():
    path = ROOT / "tests" / "execute_notebooks.py"
    spec = importlib.util.spec_from_file_location("execute_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _make(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=60
    )


def test_crmlab_is_on_the_path_of_make_lab():
    """JupyterLab's terminal inherits the lab's PATH; `crmlab` was "command not found" there."""
    lab_line = next(line for line in _make("-n", "lab").stdout.splitlines() if " lab " in line)
    before_jupyter = lab_line[: lab_line.index("jupyter")].rsplit(" ", 1)[0]  # the environment it sets
    outside_venv = {**os.environ, "PATH": "/usr/bin:/bin"}
    found = subprocess.run(
        ["sh", "-c", f"{before_jupyter} sh -c 'command -v crmlab'"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=outside_venv,
    )
    assert found.stdout.strip() == str((ROOT / ".venv" / "bin" / "crmlab").resolve()), lab_line


def test_make_test_browser_without_root_and_chromium_says_what_to_do(tmp_path):
    fake_id = tmp_path / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(fake_id.stat().st_mode | stat.S_IEXEC)
    as_user = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    result = _make("chromium", f"CHROMIUM={tmp_path / 'no-chromium'}", env=as_user)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()
    assert len([line for line in message if not re.match(r"make(\[\d+\])?: \*\*\*", line)]) == 1
    assert "apt-get install -y chromium" in message[0] and "CHROMIUM=" in message[0]


def test_make_test_browser_runs_only_the_browser_tests_after_installing():
    recipe = _make("-n", "-W", "pyproject.toml", "test-browser").stdout
    assert "pip install" in recipe  # the same install stamp as `make test`
    assert re.search(r"pytest -m browser tests/browser$", recipe, re.MULTILINE), recipe


def test_ci_runs_lint_then_tests_then_browser_tests():
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("make")]
    assert commands == ["make lint", "make test", "make test-browser"]


def test_make_lint_checks_lint_and_formatting_of_the_python_code():
    recipe = _make("-n", "lint").stdout
    assert "ruff check ." in recipe and "ruff format --check ." in recipe
    formatted = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["format"]
    assert set(formatted["exclude"]) == {"*.ipynb", "*.md"}  # the course text keeps its layout


def test_notebook_cells_have_the_same_finite_timeout_in_nbval_and_execute_notebooks():
    addopts = shlex.split(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    )
    nbval_timeout = next(
        int(option.split("=")[1]) for option in addopts if option.startswith("--nbval-cell-timeout=")
    )
    assert nbval_timeout == _load_execute_notebooks().CELL_TIMEOUT_SECONDS <= 300
    assert "not browser" in addopts  # plain `make test` leaves the browser tests to `make test-browser`


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_execute_notebooks_stops_a_stuck_cell(tmp_path, monkeypatch, capsys):
    module = _load_execute_notebooks()
    monkeypatch.setattr(module, "CELL_TIMEOUT_SECONDS", 3)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(600)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "stuck.ipynb"
    nbformat.write(notebook, path)
    before = path.read_text()
    with pytest.raises(SystemExit) as stopped:
        module.main([str(path)])
    assert "a cell ran longer than 3 s" in str(stopped.value) and "stuck.ipynb" in str(stopped.value)
    assert path.read_text() == before
