"""Write docs/glossary.md from docs/glossary.yml: the course's bilingual glossary.

    python -m tools.glossary            # regenerate docs/glossary.md
    python -m tools.glossary --check    # exit 1 if docs/glossary.md is not what the source gives

Every entry of docs/glossary.yml has an English ``term``, its Chinese name ``zh`` (one per term, as the
course uses it; empty when the source texts give none), a one-line ``definition`` and ``taught``: the
``notebook#heading`` where the course introduces it. A missing field or a place that does not exist is
refused with the file and line (exit status 2).
"""

from __future__ import annotations

import argparse
import sys
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

SOURCE = ROOT / "docs" / "glossary.yml"
TARGET = ROOT / "docs" / "glossary.md"
COMMAND = "python -m tools.glossary"
FIELDS = {"term", "zh", "definition", "taught"}


def read_glossary(source: Path = SOURCE) -> tuple[dict, list[dict]]:
    """The glossary's preamble and its entries, checked: every field present, every place existing."""
    document, entries = load_entries(source, "terms")
    terms, seen = [], {}
    for entry in entries:
        unknown = set(entry.data) - FIELDS
        if unknown:
            raise SourceError(
                f"{entry.source}: unknown field(s) {sorted(unknown)}; allowed: {sorted(FIELDS)}"
            )
        term = require_text(entry, "term")
        if term.lower() in seen:
            raise SourceError(f"{entry.source}: term {term!r} is already defined at {seen[term.lower()]}")
        seen[term.lower()] = entry.source
        terms.append(
            {
                "term": term,
                "zh": require_text(entry, "zh", allow_empty=True),
                "definition": require_text(entry, "definition"),
                "taught": require_places(entry, "taught", allow_empty=False),
            }
        )
    return document, terms


def render(document: dict, terms: list[dict]) -> str:
    lines = [
        "# Glossary · 术语表",
        "",
        f"<!-- Generated from docs/glossary.yml by `{COMMAND}`: edit the YAML, not this file. -->",
        "",
        " ".join(str(document.get("introduction", "")).split()),
        "",
        "| English | 中文 | definition | where it is taught |",
        "|---|---|---|---|",
    ]
    for term in sorted(terms, key=lambda t: t["term"].lower()):
        places = "; ".join(place_link(place) for place in term["taught"])
        lines.append(
            f"| **{escape_cell(term['term'])}** | {escape_cell(term['zh']) or '—'} | "
            f"{escape_cell(term['definition'])} | {places} |"
        )
    lines += ["", f"{len(terms)} terms.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/glossary.md is up to date")
    args = parser.parse_args(argv)
    try:
        document, terms = read_glossary()
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return write_or_check(TARGET, render(document, terms), args.check, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
