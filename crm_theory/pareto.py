"""Pareto (80/20) analysis of customer value: Lorenz curve, Gini coefficient, top-x% shares, whale curve.

Follows docs/crm-theory-reference.md §4 (80/20 principle): seed 003 tells the firm to put 80% of its resources
on the 20% of customers who give 80% of value; the evidence (Kim, Singh & Winer 2017) is closer to 73% of
sales from the top 20% of buyers, and profit is more concentrated than revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.validation import validate_transactions


def _non_negative_values(values, what: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise DataError(f"{what}: need a non-empty one-dimensional list of values")
    if not np.isfinite(array).all():
        raise DataError(f"{what}: values must be finite numbers")
    if (array < 0).any():
        raise DataError(f"{what}: values must be >= 0 (use whale_curve() for profits that can be negative)")
    if array.sum() <= 0:
        raise DataError(f"{what}: the values add up to zero, so shares are undefined")
    return array


def lorenz_curve(values) -> pd.DataFrame:
    """Points of the Lorenz curve of customer value (§4, 80/20): customers sorted from the smallest value up.

    Returns ``customer_share`` and ``value_share`` (cumulative), from (0, 0) to (1, 1), one point per
    customer plus the origin. The curve rises monotonically and lies on or below the diagonal.
    """
    array = np.sort(_non_negative_values(values, "Lorenz curve"))
    cumulative = np.concatenate([[0.0], np.cumsum(array)])
    value_share = cumulative / cumulative[-1]
    value_share[-1] = 1.0  # exact despite rounding in the sum
    return pd.DataFrame(
        {"customer_share": np.arange(array.size + 1) / array.size, "value_share": value_share}
    )


def gini_coefficient(values) -> float:
    """Gini coefficient of customer value (§4): 0 when everyone is worth the same, towards 1 when one customer
    has everything. Twice the area between the diagonal and the Lorenz curve."""
    array = np.sort(_non_negative_values(values, "Gini coefficient"))
    n = array.size
    ranks = np.arange(1, n + 1)
    return float(2.0 * np.sum(ranks * array) / (n * array.sum()) - (n + 1.0) / n)


def top_share(values, top_fraction: float = 0.2) -> float:
    """Share of the total that the top ``top_fraction`` of customers give (§4; 0.2 gives the 80/20 figure).

    Read off the Lorenz curve, interpolating linearly when the fraction falls between two customers.
    """
    if not 0 <= top_fraction <= 1:
        raise ValueError(f"top_fraction must be within 0-1, got {top_fraction}")
    curve = lorenz_curve(values)
    below = np.interp(1.0 - top_fraction, curve["customer_share"], curve["value_share"])
    return float(1.0 - below)


def whale_curve(profits) -> pd.DataFrame:
    """Cumulative share of total profit, customers sorted from the most profitable down (§4, "whale curve").

    Unlike a Lorenz curve it can rise above 1 and fall back: loss-making customers give some profit back.
    Returns ``customer_share`` and ``profit_share``, starting at (0, 0).
    """
    array = np.asarray(profits, dtype=float)
    if array.ndim != 1 or array.size == 0 or not np.isfinite(array).all():
        raise DataError("whale curve: need a non-empty list of finite profits")
    total = array.sum()
    if total <= 0:
        raise DataError("whale curve: total profit is not positive, so profit shares are undefined")
    cumulative = np.concatenate([[0.0], np.cumsum(np.sort(array)[::-1])])
    return pd.DataFrame(
        {"customer_share": np.arange(array.size + 1) / array.size, "profit_share": cumulative / total}
    )


def top_profit_share(profits, top_fraction: float = 0.2) -> float:
    """Share of total profit from the most profitable ``top_fraction`` of customers (§4); above 1 when the
    rest lose money in total (interpolated like :func:`top_share`)."""
    if not 0 <= top_fraction <= 1:
        raise ValueError(f"top_fraction must be within 0-1, got {top_fraction}")
    curve = whale_curve(profits)
    return float(np.interp(top_fraction, curve["customer_share"], curve["profit_share"]))


def pareto_table(
    revenue: pd.Series, profit: pd.Series | None = None, top_fractions=(0.01, 0.05, 0.1, 0.2, 0.5)
) -> pd.DataFrame:
    """Share of revenue (and of profit) from the top x% of customers, each ranked by that measure, plus Gini
    (§4, 80/20 principle).

    Returns one row per fraction with ``revenue_share`` (and ``profit_share``); ``attrs["gini_revenue"]``
    holds the revenue Gini coefficient.
    """
    table = pd.DataFrame(index=pd.Index(list(top_fractions), name="top_fraction"))
    table["revenue_share"] = [top_share(revenue, fraction) for fraction in top_fractions]
    if profit is not None:
        table["profit_share"] = [top_profit_share(profit, fraction) for fraction in top_fractions]
    table.attrs["gini_revenue"] = gini_coefficient(revenue)
    return table


def revenue_by_customer(transactions: pd.DataFrame) -> pd.Series:
    """Total revenue per customer from a transaction log (the input of the Pareto functions)."""
    transactions = validate_transactions(transactions)
    return transactions.groupby("customer_id", sort=True)["amount"].sum().rename("revenue")
