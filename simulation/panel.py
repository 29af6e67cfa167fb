"""An interactive panel for class: choose a strategy and a market, run, see the stage mix, profit and CLV.

    from simulation.panel import StrategyPanel
    StrategyPanel()            # displays itself in a notebook

Runs use the vector engine (identical results to the agent engine, fast enough to feel interactive).

The figure is drawn on a :class:`matplotlib.figure.Figure` (never pyplot) and shown as a PNG, with alt
text, in an ``ipywidgets.HTML``: pyplot inside an ``Output`` widget, redrawn from a button callback, sends
the figure to JupyterLab's Log Console and leaves the panel empty.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
from matplotlib.figure import Figure

from simulation.experiment import run_simulation
from simulation.outputs import SimulationResult
from simulation.parameters import Parameters
from simulation.stages import STAGE_LABELS
from simulation.strategies import get_strategy, strategy_names

STAGE_COLOURS = ["#d9d9d9", "#9ecae1", "#4292c6", "#08519c", "#fd8d3c", "#969696"]
FIGURE_SIZE_INCHES = (11, 3.8)
FIGURE_DPI = 100
RUN_LABEL = "Run"
BUSY_LABEL = "Running..."


def plot_run(result: SimulationResult, axes=None):
    """Stage mix (people per stage) and cumulative profit of one run, side by side.

    Draws on ``axes`` (two matplotlib axes) when given, else on a new :class:`~matplotlib.figure.Figure`
    (reach it as ``axes[0].figure``). Returns the two axes.
    """
    if axes is None:
        axes = Figure(figsize=FIGURE_SIZE_INCHES, dpi=FIGURE_DPI, layout="constrained").subplots(1, 2)
    mix, profit_axis = axes
    stages = [label for label in STAGE_LABELS if label != "prospect"]
    result.stage_mix()[stages].plot.area(ax=mix, linewidth=0, color=STAGE_COLOURS[1:])
    mix.set(title=f"Stage mix under '{result.strategy}'", xlabel="time, weeks", ylabel="people, count")
    mix.legend(loc="upper left", fontsize=8, frameon=False)
    weekly = result.metrics.set_index("week")
    weekly["profit"].cumsum().plot(ax=profit_axis, color="#08519c")
    profit_axis.set(
        title=f"Cumulative profit under '{result.strategy}'",
        xlabel="time, weeks",
        ylabel="cumulative profit, CU",
    )
    profit_axis.axhline(0, color="grey", linewidth=0.8)
    return axes


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes (rendered with Agg, so no display or pyplot backend is involved)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def one_line(error: BaseException) -> str:
    """An exception as a single line: its type and its whole message, line breaks folded into spaces."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class StrategyPanel(widgets.VBox):
    """Strategy, weekly budget, switching-cost strength and market size; Run shows the outcome.

    After a run, ``last_result`` holds the :class:`SimulationResult` and ``figure`` the matplotlib Figure
    shown in the panel. A run that fails (for example a strategy that raises) shows one line in the panel.
    """

    def __init__(self, weeks: int = 104, seed: int = 1):
        defaults = Parameters()
        self.weeks = weeks
        self.strategy = widgets.Dropdown(
            options=strategy_names(), value="stage_based", description="strategy"
        )
        self.budget = widgets.FloatSlider(
            value=defaults.weekly_budget_per_person,
            min=0.0,
            max=1.0,
            step=0.05,
            description="budget",
            readout_format=".2f",
            tooltip="weekly marketing budget, CU per person in the market",
        )
        self.switching_cost = widgets.FloatSlider(
            value=defaults.switching_cost_strength, min=0.0, max=5.0, step=0.25, description="lock-in"
        )
        self.market_size = widgets.IntSlider(value=2000, min=200, max=20000, step=200, description="people")
        self.seed = widgets.IntText(value=seed, description="seed")
        self.run_button = widgets.Button(description=RUN_LABEL, button_style="primary", icon="play")
        self.status = widgets.HTML(f"Press <b>{RUN_LABEL}</b> to simulate {weeks} weeks.")
        self.status.add_class("crmlab-panel-status")
        # The figure as an <img> with alt text (a widgets.Image cannot carry one); empty until the first run.
        self.figure_view = widgets.HTML()
        self.last_result: SimulationResult | None = None
        self.last_error: str | None = None
        self.figure: Figure | None = None
        self.run_button.on_click(lambda _: self.run())
        help_text = widgets.HTML(
            "<b>budget</b>: CU per person in the market per week; "
            "<b>lock-in</b>: multiplier on every switching-cost gain"
        )
        controls = widgets.HBox(
            [
                widgets.VBox([self.strategy, self.budget, self.switching_cost]),
                widgets.VBox([self.market_size, self.seed, self.run_button]),
            ]
        )
        super().__init__([controls, help_text, self.status, self.figure_view])
        self.add_class("crmlab-strategy-panel")

    def settings(self) -> dict:
        return {
            "strategy": self.strategy.value,
            "seed": int(self.seed.value),
            "engine": "vector",
            "n_people": int(self.market_size.value),
            "weeks": self.weeks,
            "weekly_budget_per_person": float(self.budget.value),
            "switching_cost_strength": float(self.switching_cost.value),
        }

    def run(self) -> SimulationResult | None:
        """Run with the current settings and show the results in the panel (the same as pressing Run).

        Returns the result, or None when the run failed; the failure is then shown in the panel as one
        line (and kept in ``last_error``), because a traceback from a button press would only reach
        JupyterLab's Log Console, where students do not look.
        """
        settings = self.settings()
        self._set_busy(True)
        self.status.value = html.escape(f"Running '{settings['strategy']}' for {self.weeks} weeks...")
        try:
            result = run_simulation(**settings)
            figure = plot_run(result)[0].figure
            figure.suptitle(self._figure_title(result), fontsize=10)
            png = figure_png(figure)
        except Exception as error:  # a student's strategy can raise anything; show it, do not hide it
            self.last_error = one_line(error)
            self.figure_view.value = ""  # a figure from earlier settings would pass for this run's
            self.status.value = (
                f"<span style='color:#b30000'>Run failed: {html.escape(self.last_error)}</span>"
            )
            return None
        finally:
            self._set_busy(False)
        self.last_result, self.figure, self.last_error = result, figure, None
        self.figure_view.value = (
            f'<img class="crmlab-panel-figure" style="max-width:100%" '
            f'alt="{html.escape(self._figure_description(result))}" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
        )
        self.status.value = html.escape(self._summary_line(result))
        return result

    def _set_busy(self, busy: bool) -> None:
        self.run_button.disabled = busy
        self.run_button.description = BUSY_LABEL if busy else RUN_LABEL
        self.run_button.icon = "hourglass-half" if busy else "play"

    def _figure_title(self, result: SimulationResult) -> str:
        p = result.parameters
        return (
            f"Stage mix and cumulative profit under '{result.strategy}': {p.n_people:,} people, "
            f"{p.weeks} weeks, budget {p.weekly_budget_per_person:.2f} CU per person per week, "
            f"lock-in {p.switching_cost_strength:.2f}, seed {result.seed}"
        )

    @staticmethod
    def _figure_description(result: SimulationResult) -> str:
        return (
            f"Two charts of the run under '{result.strategy}'. Left: stage mix, people in each lifecycle "
            f"stage (count) by week. Right: cumulative profit (CU) by week."
        )

    @staticmethod
    def _summary_line(result: SimulationResult) -> str:
        summary = result.summary()
        return (
            f"{get_strategy(result.strategy).description} -- profit {summary['profit']:,.0f} CU | "
            f"customers at end {summary['customers_at_end']:,.0f} | realised CLV "
            f"{summary['realised_clv']:,.1f} CU per customer | "
            f"weekly retention {summary['retention']:.4f}"
        )

    def __repr__(self) -> str:
        # Shown where widgets cannot render (GitHub, nbviewer, a plain Python prompt).
        lines = [
            f"StrategyPanel: an interactive CRM Lab run ({self.weeks} weeks, vector engine).",
            f"Settings: strategy {self.strategy.value!r}, budget {self.budget.value:.2f} CU per person "
            f"per week, lock-in {self.switching_cost.value:.2f}, "
            f"{self.market_size.value:,} people, seed {self.seed.value}.",
            "Use it in JupyterLab: change the controls and press Run to see the stage mix, cumulative profit "
            "and realised CLV; panel.run() does the same from code and returns the result.",
        ]
        if self.last_result is not None:
            lines.append("Last run: " + self._summary_line(self.last_result))
        if self.last_error is not None:
            lines.append("Last run failed: " + self.last_error)
        return "\n".join(lines)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # the widget's own text form is cut at 110 characters
        return bundle
