"""An interactive panel for class: choose a strategy and a market, run, see the stage mix, profit and CLV.

    from simulation.panel import StrategyPanel
    StrategyPanel()            # displays itself in a notebook

Runs use the vector engine (identical results to the agent engine, fast enough to feel interactive).
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from simulation.experiment import run_simulation
from simulation.outputs import SimulationResult
from simulation.parameters import Parameters
from simulation.stages import STAGE_LABELS
from simulation.strategies import get_strategy, strategy_names

STAGE_COLOURS = ["#d9d9d9", "#9ecae1", "#4292c6", "#08519c", "#fd8d3c", "#969696"]


def plot_run(result: SimulationResult, axes=None):
    """Stage mix (people per stage) and cumulative profit of one run, side by side."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    mix, profit_axis = axes
    stages = [label for label in STAGE_LABELS if label != "prospect"]
    result.stage_mix()[stages].plot.area(ax=mix, linewidth=0, color=STAGE_COLOURS[1:])
    mix.set(title=f"Stage mix under '{result.strategy}'", xlabel="week", ylabel="people")
    mix.legend(loc="upper left", fontsize=8, frameon=False)
    weekly = result.metrics.set_index("week")
    weekly["profit"].cumsum().plot(ax=profit_axis, color="#08519c")
    profit_axis.set(title="Cumulative profit", xlabel="week", ylabel="profit, CU")
    profit_axis.axhline(0, color="grey", linewidth=0.8)
    return axes


class StrategyPanel(widgets.VBox):
    """Strategy, weekly budget, switching-cost strength and market size; Run shows the outcome."""

    def __init__(self, weeks: int = 104, seed: int = 1):
        defaults = Parameters()
        self.weeks = weeks
        self.strategy = widgets.Dropdown(options=strategy_names(), value="stage_based",
                                         description="strategy")
        self.budget = widgets.FloatSlider(value=defaults.weekly_budget_per_person, min=0.0, max=1.0,
                                          step=0.05, description="budget", readout_format=".2f",
                                          tooltip="weekly marketing budget, CU per person in the market")
        self.switching_cost = widgets.FloatSlider(value=defaults.switching_cost_strength, min=0.0, max=5.0,
                                                  step=0.25, description="lock-in")
        self.market_size = widgets.IntSlider(value=2000, min=200, max=20000, step=200, description="people")
        self.seed = widgets.IntText(value=seed, description="seed")
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.output = widgets.Output()
        self.last_result: SimulationResult | None = None
        self.run_button.on_click(lambda _: self.run())
        help_text = widgets.HTML("<b>budget</b>: CU per person in the market per week; "
                                 "<b>lock-in</b>: multiplier on every switching-cost gain")
        controls = widgets.HBox([widgets.VBox([self.strategy, self.budget, self.switching_cost]),
                                 widgets.VBox([self.market_size, self.seed, self.run_button])])
        super().__init__([controls, help_text, self.output])

    def settings(self) -> dict:
        return {"strategy": self.strategy.value, "seed": int(self.seed.value), "engine": "vector",
                "n_people": int(self.market_size.value), "weeks": self.weeks,
                "weekly_budget_per_person": float(self.budget.value),
                "switching_cost_strength": float(self.switching_cost.value)}

    def run(self) -> SimulationResult:
        """Run with the current settings and show the results in the panel's output area."""
        result = run_simulation(**self.settings())
        self.last_result = result
        summary = result.summary()
        with self.output:
            self.output.clear_output(wait=True)
            print(f"{get_strategy(result.strategy).description}")
            print(f"profit {summary['profit']:,.0f} CU | customers at end {summary['customers_at_end']:,.0f} "
                  f"| realised CLV {summary['realised_clv']:,.1f} CU per customer "
                  f"| weekly retention {summary['retention']:.4f}")
            plot_run(result)
            plt.show()
        return result
