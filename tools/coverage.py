"""Write docs/coverage.md from docs/coverage.yml: where the course teaches each concept of its seed texts.

    python -m tools.coverage            # regenerate docs/coverage.md
    python -m tools.coverage --check    # exit 1 if docs/coverage.md is not what the source gives

docs/coverage.yml explains its fields. A concept is ``experiment`` (something to run or answer: it needs
``exercised`` places), ``mentioned`` (prose or tables only) or ``missing`` (no places). A wrong field or a
place that does not exist is refused with the file and line (exit status 2).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from tools.course_docs import (
    ROOT,
    SourceError,
    escape_cell,
    load_entries,
    place_link,
    require_places,
    require_text,
    write_or_check,
)

SOURCE = ROOT / "docs" / "coverage.yml"
TARGET = ROOT / "docs" / "coverage.md"
COMMAND = "python -m tools.coverage"
FIELDS = {"seeds", "concept", "zh", "status", "taught", "exercised", "note"}
STATUSES = ("experiment", "mentioned", "missing")
SEEDS = ("000", "001", "002", "003", "004")
SEED_TITLES = {
    "000": "《crm理论包含哪些部分》",
    "001": "《crm名词解释》",
    "002": "《客户关系管理策略》",
    "003": "《市场营销客户关系管理》",
    "004": "第二章 客户关系管理概述 (the textbook chapter)",
}


def read_coverage(source: Path = SOURCE) -> tuple[dict, list[dict]]:
    """The table's preamble and its concepts, checked: fields, statuses, seeds and places."""
    document, entries = load_entries(source, "concepts")
    concepts = []
    for entry in entries:
        unknown = set(entry.data) - FIELDS
        if unknown:
            raise SourceError(
                f"{entry.source}: unknown field(s) {sorted(unknown)}; allowed: {sorted(FIELDS)}"
            )
        seeds = entry.data.get("seeds")
        if not isinstance(seeds, list) or not seeds or any(seed not in SEEDS for seed in seeds):
            raise SourceError(
                f"{entry.source}: field 'seeds' must be a non-empty list of {list(SEEDS)} "
                f"(as quoted strings), got {seeds!r}"
            )
        status = require_text(entry, "status")
        if status not in STATUSES:
            raise SourceError(f"{entry.source}: status {status!r} is not one of {list(STATUSES)}")
        taught = require_places(entry, "taught", allow_empty=status == "missing")
        exercised = require_places(entry, "exercised", allow_empty=status != "experiment")
        if status == "missing" and (taught or exercised):
            raise SourceError(
                f"{entry.source}: a missing concept has no 'taught' or 'exercised' places; "
                f"give it status mentioned or experiment"
            )
        if status == "mentioned" and exercised:
            raise SourceError(
                f"{entry.source}: a concept with 'exercised' places has status experiment, not mentioned"
            )
        concepts.append(
            {
                "seeds": seeds,
                "concept": require_text(entry, "concept"),
                "zh": require_text(entry, "zh"),
                "status": status,
                "taught": taught,
                "exercised": exercised,
                "note": str(entry.data.get("note", "")).strip(),
            }
        )
    return document, concepts


def render(document: dict, concepts: list[dict]) -> str:
    counts = Counter(concept["status"] for concept in concepts)
    by_seed = Counter((concept["seeds"][0], concept["status"]) for concept in concepts)
    lines = [
        "# Coverage of the source texts",
        "",
        f"<!-- Generated from docs/coverage.yml by `{COMMAND}`: edit the YAML, not this file. -->",
        "",
        " ".join(str(document.get("introduction", "")).split()),
        "",
        f"**{len(concepts)} concepts: {counts['experiment']} taught with an experiment, analysis or "
        f"exercise, {counts['mentioned']} only mentioned, {counts['missing']} not yet taught.**",
        "",
        "| seed | text | concepts | experiment | mentioned | missing |",
        "|---|---|---|---|---|---|",
    ]
    for seed in SEEDS:
        row = [by_seed[seed, status] for status in STATUSES]
        lines.append(f"| {seed} | {SEED_TITLES[seed]} | {sum(row)} | " + " | ".join(map(str, row)) + " |")
    lines += [
        f"| all | | {len(concepts)} | " + " | ".join(str(counts[status]) for status in STATUSES) + " |",
        "",
        "| # | seeds | concept | 中文 | status | taught in | exercised in | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for number, concept in enumerate(concepts, start=1):
        cells = [
            str(number),
            ", ".join(concept["seeds"]),
            escape_cell(concept["concept"]),
            escape_cell(concept["zh"]),
            f"**{concept['status']}**" if concept["status"] != "mentioned" else concept["status"],
            "<br>".join(place_link(place) for place in concept["taught"]) or "not yet taught",
            "<br>".join(place_link(place) for place in concept["exercised"]) or "—",
            escape_cell(concept["note"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/coverage.md is up to date")
    args = parser.parse_args(argv)
    try:
        document, concepts = read_coverage()
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return write_or_check(TARGET, render(document, concepts), args.check, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
