"""Generate an exercise notebook from its chapter module, so statements and checks never drift apart.

    python -m exercises.build ch4        # writes exercises/04_..._exercises.ipynb (not executed)

Then execute it blank with `python tests/execute_notebooks.py exercises/NN_....ipynb` and commit it.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat

EXERCISES = Path(__file__).resolve().parent

HOW_TO = """**How these exercises work.** Run the set-up cell first. For each question, replace the `____`
in the answer cell with your answer and run it, then run the check cell. `q1.hint()` gives a hint (call it
again for the next one) and `q1.solution()` shows a worked solution: uncomment those lines when you need
them. A check stops a function of yours that runs for more than a few seconds."""


def build(chapter: str) -> Path:
    module = importlib.import_module(f"exercises.{chapter}")
    cells = [
        nbformat.v4.new_markdown_cell(f"# {module.TITLE}\n\n{module.INTRO.strip()}\n\n{HOW_TO}"),
        nbformat.v4.new_code_cell(f"from exercises.{chapter} import *"),
    ]
    for number, question in enumerate(module.QUESTIONS, start=1):
        name = f"q{number}"
        cells.append(nbformat.v4.new_markdown_cell(f"## {question.label}\n\n{question.prompt()}"))
        answer = nbformat.v4.new_code_cell(question.template.strip())
        answer.metadata["exercise"] = name
        cells.append(answer)
        cells.append(nbformat.v4.new_code_cell(f"{name}.check()"))
        cells.append(nbformat.v4.new_code_cell(f"# {name}.hint()\n# {name}.solution()"))
    if getattr(module, "CLOSING", ""):
        cells.append(nbformat.v4.new_markdown_cell(module.CLOSING.strip()))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    path = EXERCISES / module.NOTEBOOK
    nbformat.write(notebook, path)
    return path


if __name__ == "__main__":
    for chapter in sys.argv[1:] or ["ch1", "ch2", "ch3", "ch4", "ch5", "ch6", "ch7", "ch9", "ch10"]:
        print(build(chapter))
