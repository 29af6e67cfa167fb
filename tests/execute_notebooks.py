"""Re-execute notebooks in place from a fresh kernel, so their committed outputs are current.

Usage: python tests/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook in notebooks/ and
exercises/). nbval in `make test` then checks that a fresh run reproduces these outputs exactly.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(notebook, path)
    return elapsed


def main(paths: list[str]) -> None:
    notebooks = [Path(p) for p in paths] or sorted(
        [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])
    for path in notebooks:
        print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: {execute(path.resolve()):.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
