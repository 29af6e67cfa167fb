"""The classroom panel: its controls drive the run it shows, and it shows it inside the panel."""

import base64
import html
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from simulation.panel import BUSY_LABEL, RUN_LABEL, StrategyPanel, plot_run
from simulation.strategies import STRATEGIES, Strategy, register_strategy

matplotlib.use("Agg")  # no screen in tests

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown_image(panel: StrategyPanel) -> dict:
    """The PNG and alt text of the <img> the panel shows."""
    tag = re.fullmatch(
        r'<img class="crmlab-panel-figure" [^>]*alt="([^"]*)" src="data:image/png;base64,([^"]+)">',
        panel.figure_view.value,
    )
    assert tag, panel.figure_view.value[:200]
    return {"alt": html.unescape(tag.group(1)), "png": base64.b64decode(tag.group(2))}


def small_panel(weeks: int = 10) -> StrategyPanel:
    panel = StrategyPanel(weeks=weeks)
    panel.market_size.value = 200
    return panel


def test_the_panel_runs_what_its_controls_say():
    panel = StrategyPanel(weeks=20)
    panel.strategy.value = "one_to_one"
    panel.budget.value = 0.5
    panel.switching_cost.value = 2.0
    panel.market_size.value = 400
    result = panel.run()
    assert result.strategy == "one_to_one" and result.engine == "vector"
    assert result.parameters.n_people == 400 and result.parameters.weeks == 20
    assert result.parameters.weekly_budget_per_person == 0.5
    assert result.parameters.switching_cost_strength == 2.0
    assert panel.last_result is result
    assert (result.metrics["marketing_cost"] <= 0.5 * 400 + 1e-9).all()


def test_plot_run_titles_and_labels_both_axes_with_units():
    mix, profit = plot_run(small_panel().run())
    assert isinstance(mix.figure, Figure)
    assert mix.get_xlabel() == "time, weeks" and mix.get_ylabel() == "people, count"
    assert profit.get_xlabel() == "time, weeks" and profit.get_ylabel() == "cumulative profit, CU"
    assert "stage_based" in mix.get_title() and "profit" in profit.get_title().lower()


def test_the_run_shows_its_figure_in_the_panel_without_pyplot():
    """Pyplot figures drawn from a button callback leave the panel empty in JupyterLab (issue 9)."""
    plt.close("all")
    panel = small_panel()
    panel.strategy.value = "mass"
    panel.run()
    assert plt.get_fignums() == []  # nothing for pyplot's inline backend to send elsewhere
    assert isinstance(panel.figure, Figure)
    mix, profit = panel.figure.axes[:2]
    assert mix.get_title() == "Stage mix under 'mass'" and profit.get_ylabel() == "cumulative profit, CU"
    assert "mass" in panel.figure.get_suptitle() and "200 people" in panel.figure.get_suptitle()
    assert panel.figure_view in panel.children
    image = shown_image(panel)
    assert image["png"].startswith(PNG_SIGNATURE) and len(image["png"]) > 10_000
    assert "'mass'" in image["alt"] and "stage mix" in image["alt"]
    assert "cumulative profit (CU)" in image["alt"]
    assert "profit" in panel.status.value and "realised CLV" in panel.status.value


def test_there_is_no_picture_until_the_first_run():
    panel = small_panel()
    assert panel.figure_view.value == ""
    assert "Run" in panel.status.value


def test_the_button_says_it_is_busy_while_the_run_lasts(monkeypatch):
    panel = small_panel()
    seen = []

    def record_button(**settings):
        seen.append((panel.run_button.disabled, panel.run_button.description, panel.status.value))
        return real_run(**settings)

    import simulation.panel as panel_module

    real_run = panel_module.run_simulation
    monkeypatch.setattr(panel_module, "run_simulation", record_button)
    panel.run_button.click()
    assert seen and seen[0][0] is True and seen[0][1] == BUSY_LABEL and "Running" in seen[0][2]
    assert panel.run_button.disabled is False and panel.run_button.description == RUN_LABEL
    assert panel.last_result is not None


@pytest.fixture
def failing_strategy():
    @register_strategy
    class DividesByZero(Strategy):
        name = "divides_by_zero"
        description = "fails in week one"

        def plan(self, view, plan):
            return 1 / 0

    yield DividesByZero.name
    STRATEGIES.pop(DividesByZero.name, None)


def test_a_failing_strategy_shows_one_line_in_the_panel_and_restores_the_button(failing_strategy):
    panel = small_panel()
    panel.run()  # a good run first: its figure must not stay up as if it were the failed run's
    assert failing_strategy in panel.strategy.options
    panel.strategy.value = failing_strategy
    panel.run_button.click()  # must not raise: a click's traceback would only reach the Log Console
    assert panel.run() is None
    assert "Run failed" in panel.status.value and "ZeroDivisionError: division by zero" in panel.status.value
    assert "Traceback" not in panel.status.value and "\n" not in panel.last_error
    assert panel.run_button.disabled is False and panel.run_button.description == RUN_LABEL
    assert panel.figure_view.value == ""


def test_a_multi_line_error_is_folded_into_one_line(monkeypatch):
    import simulation.panel as panel_module

    def fails(**settings):
        raise ValueError("first line\nsecond line")

    monkeypatch.setattr(panel_module, "run_simulation", fails)
    panel = small_panel()
    panel.run()
    assert panel.last_error == "ValueError: first line second line"


def test_the_text_form_says_what_the_panel_is_and_how_to_use_it():
    panel = small_panel()
    text = repr(panel)
    assert text.startswith("StrategyPanel: ") and "children=" not in text
    assert "press Run" in text and "panel.run()" in text and "'stage_based'" in text
    panel.run()
    assert "Last run:" in repr(panel) and "profit" in repr(panel)
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"] == repr(panel)  # whole, not cut at 110 characters
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab still renders the widget
