"""Chapter 7's strategy panel, used as a student uses it: in JupyterLab, in Chromium."""

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/07_strategy_lab.ipynb"
PANEL_CELL = "panel = StrategyPanel()"
STRATEGY = "one_to_one"

# Counts the runs the page shows: each time the Run button turns busy ("Running...", disabled) and back.
WATCH_RUN_BUTTON = """button => {
    window.panelRuns = {busy: 0, done: 0};
    let wasBusy = false;
    new MutationObserver(() => {
        const busy = button.disabled && button.textContent.includes("Running");
        if (busy && !wasBusy) window.panelRuns.busy += 1;
        if (!busy && wasBusy) window.panelRuns.done += 1;
        wasBusy = busy;
    }).observe(button, {attributes: true, childList: true, subtree: true, characterData: true});
}"""


def test_the_panel_draws_its_figure_inside_itself_on_every_run(lab):
    lab.open(NOTEBOOK)
    cell = lab.cell(PANEL_CELL)
    lab.run_all_above(cell)
    lab.run(cell)
    panel = cell.locator(".jp-Cell-outputWrapper")  # the panel and anything else the cell shows
    panel.locator("select").wait_for()
    panel.locator("select").select_option(STRATEGY)
    run_button = panel.locator("button", has_text="Run")
    run_button.evaluate(WATCH_RUN_BUTTON)

    for run in (1, 2):
        run_button.click()
        # The button turns busy ("Running...", disabled) and back: that is how the page knows a run ended.
        lab.page.wait_for_function(f"window.panelRuns.done >= {run}", timeout=60_000)

    assert lab.page.evaluate("window.panelRuns") == {"busy": 2, "done": 2}
    figure = panel.locator("img.crmlab-panel-figure")
    assert figure.count() == 1  # the second run replaced the first figure, it did not add one
    alt = figure.get_attribute("alt")
    assert f"under '{STRATEGY}'" in alt and "stage mix" in alt and "cumulative profit (CU)" in alt, alt
    width, height = figure.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    assert (width, height) == (1100, 380)  # the whole two-axes figure, decoded: not an empty picture
    assert "profit" in panel.locator(".crmlab-panel-status").inner_text()
    assert "Run failed" not in panel.inner_text()
    assert lab.log_console_entries() == []  # no figure (or anything else) went to the Log Console
