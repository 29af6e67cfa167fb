"""Build the course website: the executed chapters, the glossary and the coverage table as a static HTML book.

    python -m tools.book                   # what `make book` runs; open build/book/html/index.html
    python -m tools.book --out DIR         # build into DIR/html instead

Jupyter Book 1.x (Sphinx) renders the notebooks with the outputs committed in the repository and never
executes them (book/_config.yml). The build needs no network: no intersphinx, MathJax served from the book
itself (book/_ext/offline_mathjax.py); after building, the pages are checked for any script, style sheet,
image or frame that would load from another host, and the build fails if one does.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from tools import coverage, glossary
from tools.course_docs import ROOT

CONFIG = ROOT / "book" / "_config.yml"
TOC = ROOT / "book" / "_toc.yml"
OUTPUT = ROOT / "build" / "book"
# Pages of book/_toc.yml that may not exist yet; the build leaves each out, and says so, until it does.
OPTIONAL_PAGES = {"docs/observed-stage"}
# Elements that make a browser fetch something when the page loads (links a reader clicks are fine).
REMOTE_ASSET = re.compile(
    r"<(?:script|link|img|iframe|source|audio|video|embed)\b[^>]*?\b(?:src|href)=[\"']((?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)
REMOTE_CSS = re.compile(r"(?:@import\s+|url\()\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)


def build(output: Path = OUTPUT, quiet: bool = False) -> Path:
    """Build the book into ``output/html`` (Sphinx keeps its state beside it); return the html folder."""
    from jupyter_book.sphinx import build_sphinx

    html = output / "html"
    toc = _toc_of_present_pages(output)
    # The same call `jupyter-book build ROOT --config ... --toc ...` makes, with our output folder.
    result = build_sphinx(
        ROOT,
        html,
        noconfig=True,
        path_config=str(CONFIG),
        confoverrides={"external_toc_path": toc.as_posix(), "latex_individualpages": False},
        builder="html",
        quiet=quiet,
    )
    if result != 0:
        raise RuntimeError(f"the book did not build (Sphinx returned {result!r}); see the messages above")
    return html


def _toc_of_present_pages(output: Path) -> Path:
    """book/_toc.yml without the optional pages that do not exist yet (written to ``output/_toc.yml``)."""
    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        kept = []
        for chapter in part.get("chapters", []):
            page = chapter.get("file", "")
            if page in OPTIONAL_PAGES and not any(
                (ROOT / page).with_suffix(suffix).exists() for suffix in (".md", ".ipynb")
            ):
                print(f"note: {page} does not exist yet; the book is built without it")
                continue
            kept.append(chapter)
        part["chapters"] = kept
    output.mkdir(parents=True, exist_ok=True)
    path = output / "_toc.yml"
    path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def remote_assets(html: Path) -> list[str]:
    """Every ``file: URL`` in the built site that a browser would fetch from another host."""
    found = []
    for page in sorted(html.rglob("*.html")):
        found += [f"{page.relative_to(html)}: {url}" for url in REMOTE_ASSET.findall(page.read_text("utf-8"))]
    for sheet in sorted(html.rglob("*.css")):
        text = sheet.read_text("utf-8", errors="replace")
        found += [f"{sheet.relative_to(html)}: {url}" for url in REMOTE_CSS.findall(text)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.book", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output folder (default: build/book)")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    args = parser.parse_args(argv)
    stale = [tool.COMMAND for tool in (glossary, coverage) if tool.main(["--check"]) != 0]
    if stale:
        print(f"error: generated pages are out of date; run {' and '.join(stale)} first", file=sys.stderr)
        return 2
    try:
        html = build(args.out.resolve(), quiet=args.quiet)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    remote = remote_assets(html)
    if remote:
        print("error: the book would load from the network:\n  " + "\n  ".join(remote), file=sys.stderr)
        return 1
    print(
        f"The book is in {html}: open {html / 'index.html'}, or serve it with "
        f"`python -m http.server --directory {html}` and open http://localhost:8000/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
