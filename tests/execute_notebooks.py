"""Re-execute notebooks in place from a fresh kernel, so their committed outputs are current.

Usage: python tests/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook in notebooks/ and
exercises/). nbval in `make test` then checks that a fresh run reproduces these outputs exactly.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

ROOT = Path(__file__).resolve().parent.parent
# Seconds one cell may run before the execution fails (nbclient's per-cell timeout), so a stuck kernel
# stops the run instead of hanging it. The slowest cell takes about 13 s; pytest's nbval runs use the
# same limit (--nbval-cell-timeout in pyproject.toml).
CELL_TIMEOUT_SECONDS = 120


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(notebook, path)
    return elapsed


def main(paths: list[str]) -> None:
    notebooks = [Path(p) for p in paths] or sorted(
        [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")]
    )
    for path in notebooks:
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        try:
            print(f"{name}: {execute(path.resolve()):.1f} s")
        except CellTimeoutError:
            sys.exit(
                f"{name}: a cell ran longer than {CELL_TIMEOUT_SECONDS} s (stuck kernel?); "
                f"stopped, the notebook is left unchanged"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
