"""Every "Try it" prompt of a chapter has a worked answer, hidden until the student opens it.

The house convention (QuantEcon's collapsed solutions): after a chapter's "Try it" list, each prompt k has a
markdown cell ``<details><summary>Worked answer to k</summary> ... </details>`` and the code that computes
the answer sits in cells tagged ``hide-cell`` (collapsed in the book) whose input and output JupyterLab
shows collapsed (``jupyter.source_hidden`` / ``outputs_hidden``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TRY_IT = re.compile(r"^#+\s*Try it\s*$", re.MULTILINE)
PROMPT = re.compile(r"^(\d+)\.\s", re.MULTILINE)
ANSWER = re.compile(r"<details>\s*<summary>\s*Worked answer to (\d+)\s*</summary>", re.IGNORECASE)


def _try_it_prompts(cells) -> tuple[int, set[int]]:
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and (match := TRY_IT.search(cell.source)):
            after = cell.source[match.end() :]
            after = re.split(r"^#+\s", after, maxsplit=1, flags=re.MULTILINE)[0]
            return index, {int(number) for number in PROMPT.findall(after)}
    return -1, set()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_try_it_prompt_has_a_collapsed_worked_answer(path: Path):
    cells = nbformat.read(path, as_version=4).cells
    start, prompts = _try_it_prompts(cells)
    if start < 0:
        pytest.skip(f"{path.name} has no Try it section")
    assert prompts, f"{path.name}: the Try it section has no numbered prompts"
    later = cells[start + 1 :]
    answered = {int(n) for cell in later if cell.cell_type == "markdown" for n in ANSWER.findall(cell.source)}
    missing = sorted(prompts - answered)
    assert not missing, f"{path.name}: Try it prompt(s) {missing} have no '<details>' worked answer"
    code = [cell for cell in later if cell.cell_type == "code"]
    assert code, f"{path.name}: the worked answers compute nothing (no code cell after Try it)"
    for cell in code:
        where = f"{path.name}: worked-answer code cell starting {cell.source[:40]!r}"
        assert "hide-cell" in cell.metadata.get("tags", []), f"{where} is not tagged hide-cell"
        jupyter = cell.metadata.get("jupyter", {})
        assert jupyter.get("source_hidden"), f"{where} is not collapsed in JupyterLab (source_hidden)"
        assert cell.get("execution_count"), f"{where} is not executed: commit the notebook executed"
