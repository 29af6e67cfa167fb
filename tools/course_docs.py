"""Shared machinery of the generated course documents (the glossary and the coverage table).

Each document has one YAML source in ``docs/`` and one generated Markdown file beside it. A place in the
course is written ``path#heading``: a notebook (chapter or exercise notebook) and the text of one of its
Markdown headings, without the leading ``#`` marks:
``notebooks/04_rfm.ipynb#Three numbers per customer``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


class SourceError(ValueError):
    """A problem in a YAML source, with the file and line it is on."""


@dataclass(frozen=True)
class Entry:
    """One mapping of a YAML list, with where it starts (for messages)."""

    data: dict
    source: str  # "docs/glossary.yml, line 12"


def load_entries(path: Path, list_key: str) -> tuple[dict, list[Entry]]:
    """The top-level mapping of a YAML source and the entries of its list ``list_key``, each with its line."""
    name = _relative(path)
    try:
        text = path.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
        node = yaml.compose(text)
    except OSError as error:
        raise SourceError(f"{name}: cannot read it ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise SourceError(f"{name}: not valid YAML: {error}".replace("\n", " ")) from None
    if not isinstance(document, dict) or not isinstance(document.get(list_key), list):
        raise SourceError(f"{name}: expected a mapping with a list under '{list_key}:'")
    list_node = next(value for key, value in node.value if key.value == list_key)
    entries = []
    for item, item_node in zip(document[list_key], list_node.value, strict=True):
        where = f"{name}, line {item_node.start_mark.line + 1}"
        if not isinstance(item, dict):
            raise SourceError(f"{where}: each entry must be a mapping of fields")
        entries.append(Entry(item, where))
    return document, entries


def require_text(entry: Entry, field: str, *, allow_empty: bool = False) -> str:
    value = entry.data.get(field)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        what = 'text (may be empty: "")' if allow_empty else "non-empty text"
        raise SourceError(f"{entry.source}: field '{field}' must be {what}, got {value!r}")
    return value.strip()


def require_places(entry: Entry, field: str, *, allow_empty: bool) -> list[str]:
    """A list of ``path#heading`` places (a single string is a list of one), each checked to exist."""
    value = entry.data.get(field, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(place, str) for place in value):
        raise SourceError(f"{entry.source}: field '{field}' must be a list of 'notebook#heading' places")
    if not value and not allow_empty:
        raise SourceError(f"{entry.source}: field '{field}' needs at least one 'notebook#heading' place")
    for place in value:
        problem = place_problem(place)
        if problem:
            raise SourceError(f"{entry.source}: {field} {place!r}: {problem}")
    return value


def split_place(place: str) -> tuple[str, str]:
    path, _, heading = place.partition("#")
    return path.strip(), heading.strip()


@cache
def notebook_headings(path: str) -> tuple[str, ...]:
    """The Markdown headings of a notebook's markdown cells, without their ``#`` marks, in order."""
    notebook = json.loads((ROOT / path).read_text(encoding="utf-8"))
    headings = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        in_code_block = False
        for line in source.splitlines():
            if line.lstrip().startswith("```"):
                in_code_block = not in_code_block
            elif not in_code_block and line.startswith("#"):
                marks, _, text = line.partition(" ")
                if marks == "#" * len(marks) and len(marks) <= 6:
                    headings.append(text.strip())
    return tuple(headings)


def notebook_title(path: str) -> str:
    headings = notebook_headings(path)
    return headings[0] if headings else path


def place_problem(place: str) -> str | None:
    """Why a ``path#heading`` place does not exist, or None if it does."""
    path, heading = split_place(place)
    if not path.endswith(".ipynb") or not heading:
        return "write a place as 'path/to/notebook.ipynb#Heading text'"
    if not (ROOT / path).is_file():
        return f"no notebook {path}"
    try:
        headings = notebook_headings(path)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return f"{path} is not a readable notebook ({error})"
    if heading not in headings:
        listed = "; ".join(headings)
        return f"no heading {heading!r} in {path}; its headings are: {listed}"
    return None


def short_title(path: str) -> str:
    """'Chapter 4' for a chapter, 'Exercises 4' for its exercise notebook (from the notebook's title)."""
    parts = [part.strip() for part in notebook_title(path).split("·")]
    if parts[0] == "Exercises" and len(parts) > 1:
        return f"Exercises, {parts[1].lower()}"
    return parts[0]


def place_link(place: str, from_dir: str = "docs") -> str:
    """Markdown for a place: a link to the notebook, then the heading."""
    path, heading = split_place(place)
    target = Path("..") / path if from_dir == "docs" else Path(path)
    return f"[{short_title(path)}]({target.as_posix()}) · {escape_cell(heading)}"


def escape_cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def write_or_check(path: Path, text: str, check: bool, command: str) -> int:
    """Write a generated file, or with ``check`` report whether the committed one is up to date."""
    name = _relative(path)
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"{name} is out of date with its source: run `{command}`", file=sys.stderr)
            return 1
        print(f"{name} is up to date")
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {name}")
    return 0


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
