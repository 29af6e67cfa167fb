"""JupyterLab in headless Chromium, for the browser tests (``make test-browser``; ``-m browser``).

A session starts one JupyterLab server on a free local port with a random token and throw-away Jupyter
config, data, runtime, settings and workspace directories, so nothing from the user's own Jupyter set-up
leaks in. The server's root is a temporary copy of the notebooks the tests open, so a test can type into
them and run them without touching the committed files. Chromium is Debian's package (``CRMLAB_CHROMIUM``,
default /usr/bin/chromium) driven by Playwright; nothing is downloaded at run time. A failing test leaves a
screenshot in build/browser-screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "browser-screenshots"
CHROMIUM = os.environ.get("CRMLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Only what the tests open; copied so typing into them never changes the repository.
NOTEBOOKS = ["notebooks/07_strategy_lab.ipynb", "exercises/04_rfm_exercises.ipynb"]
SERVER_START_SECONDS = 90
# Playwright's default for every wait; a kernel run of several cells gets its own, longer limit.
ACTION_TIMEOUT_MS = 30_000
CELL_RUN_TIMEOUT_MS = 120_000
KERNEL_START_TIMEOUT_MS = 60_000

# JupyterLab user settings for a quiet, predictable page: no news or update checks (no network), no
# autosave, every cell rendered (no windowing, so cells are found by their text).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by the page fixture: screenshot on failure
    return report


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(process: subprocess.Popen, url: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    request = urllib.request.Request(f"{url}api/status", headers={"Authorization": f"token {token}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with status {process.returncode}; its log:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"JupyterLab did not answer at {url} within {SERVER_START_SECONDS} s; its log:\n"
        f"{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="session")
def jupyterlab_server(tmp_path_factory):
    """(base URL, token, root folder) of a JupyterLab server serving copies of the tested notebooks."""
    home = tmp_path_factory.mktemp("jupyter")
    root = home / "course"
    for relative in NOTEBOOKS:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, root / relative)
    for name, settings in LAB_SETTINGS.items():
        path = home / "lab-settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    # No news, update checks or extension listings: they would reach for the network.
    (home / "config").mkdir()
    (home / "config" / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "LabApp": {
                    "news_url": None,
                    "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                    "extension_manager": "readonly",
                }
            }
        )
    )
    port, token = _free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "IPYTHON"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
    )
    # The kernel and `crmlab` come from the same environment as this test run.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "jupyterlab.log"
    with open(log, "wb") as log_file:
        # A session of its own, so teardown can stop the server and the kernels it started, and only them.
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(process, url, token, log)
        yield url, token, root
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) or set "
            f"CRMLAB_CHROMIUM to its path; `make test-browser` installs it when run as root"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    failed = any(
        getattr(request.node, f"report_{when}", None) is not None
        and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()


class Lab:
    """A notebook open in JupyterLab: find cells by their text, type into them, run them, read outputs."""

    def __init__(self, page, url: str, token: str):
        self.page, self.url, self.token = page, url, token

    def open(self, path: str) -> None:
        self.page.goto(f"{self.url}lab/tree/{path}?token={self.token}")
        self.notebook = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.notebook.locator(".jp-CodeCell .jp-InputPrompt").first.wait_for()  # cells rendered
        # The toolbar's indicator says "idle" before a kernel even exists; the status bar names the kernel.
        kernel_status = self.page.locator(
            ".jp-StatusBar-TextItem", has_text=re.compile(r"^(?!No Kernel).+ \| Idle$")
        )
        kernel_status.wait_for(timeout=KERNEL_START_TIMEOUT_MS)
        # Committed execution counts would pass for fresh ones: start from "[ ]:" everywhere.
        self.menu("Edit", "Clear Outputs of All Cells")
        self.notebook.locator(".jp-CodeCell .jp-InputPrompt", has_text=re.compile(r"\d")).first.wait_for(
            state="detached"
        )

    def menu(self, menu: str, item: str) -> None:
        """Choose ``item`` from the menu bar's ``menu`` (e.g. "Run", "Run All Above Selected Cell")."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()

    def wait_for_kernel_idle(self, timeout_ms: int = ACTION_TIMEOUT_MS) -> None:
        self.notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=timeout_ms
        )

    def cell(self, text: str):
        """The one code cell whose source contains ``text``."""
        cells = self.notebook.locator(".jp-CodeCell").filter(
            has=self.page.locator(".jp-InputArea-editor", has_text=text)
        )
        cells.first.wait_for()
        if cells.count() != 1:
            raise AssertionError(f"expected one code cell containing {text!r}, found {cells.count()}")
        return cells

    def select(self, cell) -> None:
        """Select a cell (command mode), clicking its prompt so the editor does not take the keys."""
        cell.locator(".jp-InputPrompt").click()

    def type_into(self, cell, source: str) -> None:
        """Replace a cell's source by typing, as a student does (inserted whole: no auto-indent)."""
        cell.locator(".jp-InputArea-editor .cm-content").click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.insert_text(source)
        self.page.keyboard.press("Escape")

    def run(self, cell, timeout_ms: int = CELL_RUN_TIMEOUT_MS) -> None:
        """Run one cell with Shift+Enter and wait until the kernel has finished it."""
        self.select(cell)
        self.page.keyboard.press("Shift+Enter")
        self.wait_until_run(cell, timeout_ms)

    def run_all_above(self, cell, timeout_ms: int = CELL_RUN_TIMEOUT_MS) -> None:
        """Run every cell above ``cell`` from the Run menu and wait until the kernel has finished them."""
        self.select(cell)
        self.menu("Run", "Run All Above Selected Cell")
        code_cells = self.notebook.locator(".jp-CodeCell")
        last_above = code_cells.nth(self._index_of(cell) - 1)
        self.wait_until_run(last_above, timeout_ms)

    def _index_of(self, cell) -> int:
        target = cell.element_handle()
        for index, handle in enumerate(self.notebook.locator(".jp-CodeCell").element_handles()):
            if handle.evaluate("(node, other) => node === other", target):
                return index
        raise AssertionError("cell not in the notebook")

    def wait_until_run(self, cell, timeout_ms: int = CELL_RUN_TIMEOUT_MS) -> None:
        """Wait until the cell's prompt shows an execution count (``[*]`` while it runs or waits).

        Outputs were cleared on opening, so a count can only come from this session's run."""
        prompt = cell.locator(".jp-InputPrompt")
        deadline = time.monotonic() + timeout_ms / 1000
        while not re.fullmatch(r"\[\d+\]:", prompt.inner_text().strip()):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"cell did not finish within {timeout_ms / 1000:.0f} s "
                    f"(prompt {prompt.inner_text().strip()!r})"
                )
            self.page.wait_for_timeout(100)
        self.wait_for_kernel_idle(timeout_ms)

    def log_console_entries(self) -> list[str]:
        """Open View > Show Log Console for the current notebook and return the texts of its entries."""
        self.menu("View", "Show Log Console")
        console = self.page.locator(".jp-LogConsolePanel")
        console.wait_for()
        return [entry.inner_text() for entry in console.locator(".jp-OutputArea-child").all()]


@pytest.fixture
def lab(page, jupyterlab_server):
    url, token, _ = jupyterlab_server
    return Lab(page, url, token)
