"""The classroom panel: its controls drive the run it shows."""

import matplotlib

from simulation.panel import StrategyPanel, plot_run

matplotlib.use("Agg")  # no screen in tests


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


def test_plot_run_labels_both_panels():
    panel = StrategyPanel(weeks=10)
    panel.market_size.value = 200
    mix, profit = plot_run(panel.run())
    assert mix.get_xlabel() == "week" and mix.get_ylabel() == "people" and mix.get_title()
    assert profit.get_ylabel() == "profit, CU" and profit.get_title()
