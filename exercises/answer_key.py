"""Write filled-in answer keys of the exercise notebooks, so they are never edited by hand.

    python -m exercises.answer_key                 # every exercises/NN_*.ipynb -> build/answer_keys/
    python -m exercises.answer_key --out DIR --no-execute exercises/04_rfm_exercises.ipynb

Each answer cell of an exercise notebook carries the metadata ``"exercise": "qN"``; the key replaces
that cell's source with question qN's solution code and (by default) executes the notebook, so every
check shows "Correct" and the outputs are there for the instructor.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import nbformat

EXERCISES = Path(__file__).resolve().parent


def chapter_module(notebook: nbformat.NotebookNode):
    """The exercises.chN module a notebook's set-up cell imports."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and "from exercises.ch" in cell.source:
            name = cell.source.split("from exercises.", 1)[1].split()[0]
            return importlib.import_module(f"exercises.{name}")
    raise ValueError("no `from exercises.chN import *` cell found")


def fill(notebook: nbformat.NotebookNode) -> int:
    """Put each question's solution code into its answer cell; return how many were filled."""
    module = chapter_module(notebook)
    filled = 0
    for cell in notebook.cells:
        label = cell.get("metadata", {}).get("exercise")
        if label:
            cell.source = getattr(module, label).solution_code
            cell.outputs = []
            filled += 1
    return filled


def write_key(path: Path, out_dir: Path, execute: bool = True) -> Path:
    notebook = nbformat.read(path, as_version=4)
    count = fill(notebook)
    if execute:
        from nbclient import NotebookClient

        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / path.name.replace(".ipynb", "_answers.ipynb")
    nbformat.write(notebook, target)
    print(f"{target}: {count} answers")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exercises.answer_key", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="exercise notebooks (default: all)")
    parser.add_argument("--out", type=Path, default=Path("build/answer_keys"), help="output directory")
    parser.add_argument("--no-execute", action="store_true", help="fill the answers without running")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(EXERCISES.glob("[0-9]*_*.ipynb"))
    for path in notebooks:
        if not path.exists():
            print(f"answer_key: error: {path}: no such notebook", file=sys.stderr)
            return 2
        write_key(path, args.out, execute=not args.no_execute)
    return 0


if __name__ == "__main__":
    sys.exit(main())
