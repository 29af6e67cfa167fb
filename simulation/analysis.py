"""Views of a run's outputs used by the course and the fidelity tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.outputs import SimulationResult


def completed_lifetimes(result: SimulationResult) -> pd.DataFrame:
    """Customers whose one and only relationship ended (lost, never won back) during the run."""
    c = result.customers
    return c[c["lost_week"].notna() & (c["times_won_back"] == 0)]


def lifetime_volume_curve(
    result: SimulationResult, customers: pd.DataFrame | None = None, bins: int = 5
) -> pd.Series:
    """Mean weekly spend (CU per week) in each of `bins` equal parts of completed lifetimes.

    Each customer's lifetime, from the week of acquisition to the week they were lost, is cut into
    `bins` parts; the spend in a part is divided by its length in weeks, then averaged over customers.
    The index is the middle of each part as a share of the lifetime (0-1). Reference §2: completed
    lifetimes show an inverted U.
    """
    customers = completed_lifetimes(result) if customers is None else customers
    if customers.empty:
        raise ValueError("no completed lifetimes in this run: simulate more weeks or people")
    start = customers["acquired_week"].to_numpy(dtype=float)
    length = customers["lost_week"].to_numpy(dtype=float) - start + 1
    position = pd.Series(np.arange(len(customers)), index=customers["customer_id"].to_numpy())
    tx = result.transactions[result.transactions["customer_id"].isin(position.index)]
    row = position.loc[tx["customer_id"]].to_numpy()
    part = np.minimum(((tx["week"].to_numpy() - start[row]) / length[row] * bins).astype(int), bins - 1)
    spend = np.zeros((len(customers), bins))
    np.add.at(spend, (row, part), tx["amount"].to_numpy())
    weekly = spend / (length[:, None] / bins)
    middles = (np.arange(bins) + 0.5) / bins
    return pd.Series(
        weekly.mean(axis=0), index=pd.Index(middles, name="share of lifetime"), name="mean spend, CU per week"
    )
