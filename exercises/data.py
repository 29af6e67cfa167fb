"""Seeded data the exercises are built on: every student gets the same numbers."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from simulation import run_simulation
from simulation.outputs import SimulationResult


@lru_cache(maxsize=8)
def simulated_market(
    seed: int = 4, n_people: int = 600, weeks: int = 52, strategy: str = "stage_based"
) -> SimulationResult:
    """A small seeded market (vector engine; the same result as the agent engine)."""
    return run_simulation(strategy=strategy, seed=seed, n_people=n_people, weeks=weeks, engine="vector")


def small_log(customers: int = 8, seed: int = 4) -> pd.DataFrame:
    """The transactions of the first `customers` customers of the seeded market, small enough to read."""
    tx = simulated_market(seed=seed).transactions
    first = sorted(tx["customer_id"].unique())[:customers]
    return tx[tx["customer_id"].isin(first)].reset_index(drop=True)
