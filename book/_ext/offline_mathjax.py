"""Serve MathJax from the built book itself, so formulas render without a network connection.

Sphinx loads MathJax from a CDN by default. The ``jupyter-server-mathjax`` package (a Jupyter project, a
dependency of the book build) ships MathJax 2.7; this extension copies it into ``_static/mathjax`` of the
HTML output and points ``mathjax_path`` at the copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MATHJAX_DIR = "mathjax"
# A combined configuration that jupyter-server-mathjax ships: TeX and MathML input, HTML-CSS output.
MATHJAX_PATH = f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"


def _mathjax_source() -> Path:
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _use_local_mathjax(app, config) -> None:
    config.mathjax_path = MATHJAX_PATH
    config.mathjax3_config = None  # the configuration format of MathJax 3; this copy is MathJax 2


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    if not (target / "MathJax.js").exists():
        shutil.copytree(_mathjax_source(), target, dirs_exist_ok=True)


def setup(app):
    _mathjax_source()  # fail at start, with the import error, if the package is missing
    app.connect("config-inited", _use_local_mathjax, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
