"""Strategy comparison: seeds, confidence intervals, and process pools with notebook-defined strategies."""

import numpy as np
import pytest

from simulation import ParameterError, compare_strategies
from simulation.experiment import confidence_table, replication_seeds


def test_replication_seeds_are_distinct_and_reproducible():
    seeds = replication_seeds(42, 20)
    assert len(set(seeds)) == 20 and seeds == replication_seeds(42, 20)
    assert seeds != replication_seeds(43, 20)


def test_confidence_interval_is_the_t_interval_of_the_replications():
    import pandas as pd

    runs = pd.DataFrame(
        {
            "strategy": ["a"] * 4,
            "profit": [1.0, 2.0, 3.0, 4.0],
            "revenue": 1.0,
            "customers_at_end": 1.0,
            "retention": 1.0,
            "share_of_wallet": 1.0,
            "realised_clv": 1.0,
        }
    )
    row = confidence_table(runs).query("metric == 'profit'").iloc[0]
    half = 3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2  # t(0.975, 3) * s / sqrt(4)
    assert row["mean"] == 2.5
    assert row["ci_low"] == pytest.approx(2.5 - half) and row["ci_high"] == pytest.approx(2.5 + half)


def test_comparison_uses_common_seeds_so_identical_strategies_tie_exactly():
    table, runs = compare_strategies(
        ["none", "mass"], replications=3, seed=1, n_people=150, weeks=10, engine="vector", return_runs=True
    )
    by_seed = runs.pivot(index="seed", columns="strategy", values="revenue")
    assert list(by_seed.index) == sorted(replication_seeds(1, 3))
    assert len(table) == 2 * 6


NOTEBOOK_CELL = '''
from simulation import Action, Stage

def loyalty_first(view, plan):
    """Enrol regular customers in the loyalty programme."""
    regulars = view.in_stage(Stage.DEVELOPMENT, Stage.STABLE)
    plan.add(regulars[~view.loyalty_member[regulars]], Action.LOYALTY_PROGRAMME)
'''


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_strategy_defined_in_a_notebook_cell_runs_in_the_process_pool(n_jobs):
    namespace = {"__name__": "__main__"}  # what a notebook cell defines lives in __main__
    exec(NOTEBOOK_CELL, namespace)
    strategy = namespace["loyalty_first"]
    assert strategy.__module__ == "__main__"
    table = compare_strategies(
        [strategy, "none"], replications=2, seed=3, n_people=200, weeks=12, engine="vector", n_jobs=n_jobs
    )
    assert set(table["strategy"]) == {"loyalty_first", "none"}
    serial = compare_strategies(
        [strategy, "none"], replications=2, seed=3, n_people=200, weeks=12, engine="vector", n_jobs=1
    )
    assert table.equals(serial)  # the same numbers whatever the number of processes


def test_bad_comparison_input_is_named():
    with pytest.raises(ParameterError, match="replications must be a positive integer"):
        compare_strategies(["mass"], replications=0)
    with pytest.raises(ParameterError, match="distinct name"):
        compare_strategies(["mass", "mass"], replications=2)
    with pytest.raises(ParameterError, match="unknown parameter 'customers'"):
        compare_strategies(["mass"], replications=2, customers=10)


def test_common_random_numbers_make_paired_differences_less_noisy_than_independent_ones():
    # Replication r uses one seed for every strategy: each person meets the same luck under both, so the
    # paired difference is far less noisy than the difference between independently seeded runs.
    _, runs = compare_strategies(
        ["mass", "needs_based"], replications=8, seed=7, n_people=1000, weeks=104, return_runs=True
    )
    _, other = compare_strategies(
        ["needs_based"], replications=8, seed=8, n_people=1000, weeks=104, return_runs=True
    )
    profit = runs.pivot(index="seed", columns="strategy", values="profit")
    paired = profit["needs_based"] - profit["mass"]
    independent = other["profit"].to_numpy() - profit["mass"].to_numpy()
    assert paired.std() < 0.5 * independent.std()
