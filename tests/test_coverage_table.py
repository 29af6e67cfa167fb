"""The glossary and the coverage table point at places that exist, and their Markdown matches their sources.

docs/glossary.yml and docs/coverage.yml name places in the course as ``notebook#heading``. A chapter that is
renamed or restructured must not leave a dead pointer, so each place is checked against the notebook's own
Markdown headings, read here independently of the generators in tools/.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary.yml").read_text(encoding="utf-8"))["terms"]
COVERAGE = yaml.safe_load((ROOT / "docs" / "coverage.yml").read_text(encoding="utf-8"))["concepts"]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HEADING = re.compile(r"^(#{1,6}) +(.+?)\s*$")
# A bold term followed by a parenthesis with Chinese in it: how a chapter introduces a key term.
BOLD_BILINGUAL = re.compile(r"\*\*([^*]+?)\*\*\s*\(([^)]*[\u4e00-\u9fff][^)]*)\)")
CHINESE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]*")


def _headings(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = set()
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                match = HEADING.match(line)
                if match:
                    found.add(match.group(2))
    return found


def _places(entries, *fields):
    for entry in entries:
        for field in fields:
            value = entry.get(field) or []
            for place in [value] if isinstance(value, str) else value:
                yield entry.get("term") or entry.get("concept"), field, place


def _missing_places(entries, *fields) -> list[str]:
    problems = []
    for name, field, place in _places(entries, *fields):
        path, _, heading = place.partition("#")
        notebook = ROOT / path
        if not notebook.is_file():
            problems.append(f"{name!r} {field}: no notebook {path}")
        elif heading not in _headings(notebook):
            problems.append(f"{name!r} {field}: no heading {heading!r} in {path}")
    return problems


def test_every_coverage_row_points_at_an_existing_notebook_heading():
    assert _missing_places(COVERAGE, "taught", "exercised") == []


def test_every_glossary_entry_points_at_an_existing_notebook_heading():
    assert _missing_places(GLOSSARY, "taught") == []


def test_coverage_statuses_agree_with_their_places():
    for concept in COVERAGE:
        places = (concept.get("taught") or []) + (concept.get("exercised") or [])
        if concept["status"] == "missing":
            assert not places, concept["concept"]
        elif concept["status"] == "experiment":
            assert concept.get("exercised"), concept["concept"]
        else:
            assert concept["status"] == "mentioned" and concept.get("taught") and not concept.get("exercised")


def test_every_concept_of_the_source_texts_is_taught_with_something_to_do():
    # issue 14's definition of done: no concept only mentioned or missing
    not_practised = [c["concept"] for c in COVERAGE if c["status"] != "experiment"]
    assert not_practised == [], f"{len(not_practised)} concept(s) have no experiment, analysis or exercise"


def test_every_chapter_term_introduced_in_bold_with_its_chinese_is_in_the_glossary():
    english = set()
    for entry in GLOSSARY:
        name = entry["term"].lower()
        english |= {name, re.sub(r"\s*\([^)]*\)", "", name)}
    chinese = {entry["zh"] for entry in GLOSSARY if entry["zh"]}
    absent = []
    for chapter in CHAPTERS:
        for cell in json.loads(chapter.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for term, parenthesis in BOLD_BILINGUAL.findall(" ".join("".join(cell["source"]).split())):
                if term.lower() not in english and not set(CHINESE.findall(parenthesis)) & chinese:
                    absent.append(f"{chapter.name}: **{term}** ({parenthesis})")
    assert absent == []


def test_the_glossary_gives_one_chinese_name_per_term_and_the_seed_stage_names():
    names = [entry["zh"] for entry in GLOSSARY if entry["zh"]]
    assert all("/" not in name and "、" not in name for name in names)
    by_term = {entry["term"]: entry["zh"] for entry in GLOSSARY}
    assert (by_term["identification stage"], by_term["development stage"], by_term["stable stage"]) == (
        "识别期",
        "发展期",
        "稳定期",
    )


@pytest.mark.parametrize("tool", ["tools.glossary", "tools.coverage"])
def test_generated_markdown_is_up_to_date_with_its_source(tool):
    run = subprocess.run([sys.executable, "-m", tool, "--check"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def _tool(name):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(name)


def test_a_place_that_does_not_exist_is_refused_with_file_line_and_the_headings_there(tmp_path):
    glossary = _tool("tools.glossary")
    source = tmp_path / "glossary.yml"
    source.write_text(
        "terms:\n"
        "  - term: recency\n    zh: 最近一次消费\n"
        "    definition: Time since the last purchase.\n"
        "    taught: notebooks/04_rfm.ipynb#Three numbers per customer\n"
        "  - term: frequency\n    zh: 消费频率\n"
        "    definition: Purchases in a period.\n"
        "    taught: notebooks/04_rfm.ipynb#Four numbers per customer\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError) as refused:
        glossary.read_glossary(source)
    message = str(refused.value)
    assert "glossary.yml, line 6" in message  # where the entry starts
    assert "'Four numbers per customer'" in message and "Three numbers per customer" in message
    assert "\n" not in message


def test_the_generator_exits_with_status_2_and_one_line_on_a_bad_source(tmp_path):
    coverage = _tool("tools.coverage")
    source = tmp_path / "coverage.yml"
    source.write_text(
        "concepts:\n  - seeds: ['004']\n    concept: RFM\n    zh: RFM模型\n    status: taught\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"coverage.yml, line 2: status 'taught' is not one of"):
        coverage.read_coverage(source)
