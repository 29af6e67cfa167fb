"""The course website (`make book`) in headless Chromium: search finds a term, a chapter's figures load.

A session fixture builds the book once with the same command as `make book` (`python -m tools.book`) into a
temporary folder and serves it on a free local port. Every request the pages make to any other host is
refused and recorded, so the tests also show that the book works without a network.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

BUILD_SECONDS = 600  # about a minute on a quiet machine


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the request log would flood the test output
        pass


@pytest.fixture(scope="session")
def book_url(tmp_path_factory):
    """Base URL of the freshly built book, served from a local HTTP server."""
    output = tmp_path_factory.mktemp("book")
    build = subprocess.run(
        [sys.executable, "-m", "tools.book", "--out", str(output), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_SECONDS,
    )
    assert build.returncode == 0, f"the book did not build:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(output / "html")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def offline_page(page, book_url):
    """The page fixture with every request to another host refused; fails the test if one was made."""
    elsewhere = []

    def only_local(route):
        if route.request.url.startswith(book_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    yield page
    assert elsewhere == [], f"the book asked the network for {elsewhere}"


def test_searching_the_book_for_rfm_lists_the_rfm_chapter(offline_page, book_url):
    page = offline_page
    page.goto(book_url)
    # index.html forwards to the introduction with a meta refresh, after its own load event: wait until the
    # introduction has loaded, or the click lands before the theme's script has bound the search button
    page.wait_for_url("**/intro.html")
    page.wait_for_load_state("load")
    page.locator("button.search-button__button:visible").first.click()
    query = page.locator("form.bd-search input[name='q']:visible")
    query.fill("RFM")
    query.press("Enter")
    page.wait_for_url("**/search.html?q=RFM*")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for()
    titles = [item.inner_text() for item in results.all()]
    assert any("Chapter 4" in title and "RFM" in title for title in titles), titles
    assert "notebooks/04_rfm.html" in (results.locator("a").first.get_attribute("href") or "") or any(
        "04_rfm.html" in (link.get_attribute("href") or "") for link in results.locator("a").all()
    )


def test_a_chapter_page_shows_its_committed_figures(offline_page, book_url):
    page = offline_page
    page.goto(f"{book_url}notebooks/02_customer_lifecycle.html")
    assert page.locator("h1").first.inner_text().startswith("Chapter 2")
    figures = page.locator("article img")
    assert figures.count() >= 4  # the chapter's four matplotlib figures, from the committed outputs
    sizes = figures.evaluate_all("images => images.map(image => [image.complete, image.naturalWidth])")
    assert all(complete and width > 0 for complete, width in sizes), sizes


def test_formulas_are_typeset_without_a_network(offline_page, book_url):
    page = offline_page
    page.goto(f"{book_url}notebooks/05_customer_value.html")
    typeset = page.locator(".MathJax_Display, .MathJax")  # MathJax 2's output, from the book's own copy
    typeset.first.wait_for()
    assert typeset.count() > 0
