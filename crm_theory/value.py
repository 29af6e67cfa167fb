"""Customer value: historical profit (CLP), the retention-based CLV formula and the value matrix.

Follows docs/crm-theory-reference.md §4 (customer value). Customer lifetime profit (客户全生命周期利润, CLP)
is the textbook's criterion of value; the textbook states (unverified) that it decomposes into historical
profit + current value + growth potential. The CLV formula is Gupta & Lehmann (2003).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.validation import validate_transactions


def historical_customer_profit(
    transactions: pd.DataFrame,
    *,
    margin_rate: float,
    cost_per_transaction: float = 0.0,
    acquisition_cost: float | pd.Series = 0.0,
) -> pd.DataFrame:
    """Historical customer profit: what each customer has earned the firm so far (§4, CLP's first part).

    profit = margin_rate x revenue - cost_per_transaction x transactions - acquisition_cost.
    ``acquisition_cost`` is one number for everyone or a Series by ``customer_id`` (missing ids cost 0).
    Returns ``revenue``, ``transactions`` and ``profit`` per customer; profit can be negative (the
    "whale curve" customers of §4).
    """
    transactions = validate_transactions(transactions)
    if not 0 <= margin_rate <= 1:
        raise ValueError(f"margin_rate is a share of revenue, within 0-1; got {margin_rate}")
    grouped = transactions.groupby("customer_id", sort=True)["amount"]
    table = pd.DataFrame({"revenue": grouped.sum(), "transactions": grouped.size()})
    if isinstance(acquisition_cost, pd.Series):
        acquisition = acquisition_cost.reindex(table.index).fillna(0.0).to_numpy(dtype=float)
    else:
        acquisition = float(acquisition_cost)
    table["profit"] = (
        margin_rate * table["revenue"] - cost_per_transaction * table["transactions"] - acquisition
    )
    return table


def clv_multiplier(retention: float, discount_rate: float) -> float:
    """The margin multiple r / (1 + d - r) of the infinite-horizon CLV formula (§4, Gupta & Lehmann 2003).

    1.75, 2.67 and 4.5 for retention 0.7, 0.8 and 0.9 at a 10% discount rate.
    """
    _check_retention_and_discount(retention, discount_rate)
    return retention / (1.0 + discount_rate - retention)


def _check_retention_and_discount(retention: float, discount_rate: float) -> None:
    if not 0 <= retention < 1:
        raise ValueError(f"retention is a probability below 1, got {retention}")
    if discount_rate <= -1 or 1 + discount_rate - retention <= 0:
        raise ValueError(
            f"discount rate {discount_rate} is too low for retention {retention}: the sum diverges"
        )


def customer_lifetime_value(
    margin, retention: float, discount_rate: float, *, acquisition_cost=0.0, horizon: int | None = None
):
    """CLV = sum over periods t = 1..horizon of m r^t / (1 + d)^t - acquisition cost.

    Follows docs/crm-theory-reference.md §4 (Gupta & Lehmann 2003).

    With ``horizon=None`` the sum runs forever and has the closed form m r / (1 + d - r) - AC. ``margin``
    (margin per period while the customer stays) may be a number, an array or a Series (the result then
    matches its shape).
    """
    _check_retention_and_discount(retention, discount_rate)
    if horizon is None:
        factor = clv_multiplier(retention, discount_rate)
    else:
        if horizon < 0:
            raise ValueError(f"horizon must be >= 0 periods, got {horizon}")
        periods = np.arange(1, int(horizon) + 1)
        factor = float(np.sum((retention / (1.0 + discount_rate)) ** periods))
    return margin * factor - acquisition_cost


#: A strategy per quadrant of the value matrix (current value x potential value). The reference (§4) names
#: the matrix and says each quadrant has a strategy but not which; these are the course's wording.
DEFAULT_QUADRANT_STRATEGIES: dict[str, str] = {
    "high current, high potential": "invest: key customers, grow the relationship with priority resources",
    "high current, low potential": "retain: keep and serve efficiently, protect the current profit",
    "low current, high potential": "develop: grow share of wallet, cross-sell and up-sell",
    "low current, low potential": "maintain at low cost: standard service, automated contact, or let go",
}


def value_matrix(
    current_value: pd.Series,
    potential_value: pd.Series,
    *,
    current_threshold: float | None = None,
    potential_threshold: float | None = None,
    strategies: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Place customers in the value matrix (§4): current value x potential value, a strategy per quadrant.

    Current value looks forward (chapter 5): the profit the customer is expected to bring over the next
    period if the relationship goes on as it does now, e.g. recent profit carried forward or the
    BG/NBD + Gamma-Gamma expected profit over the period (historical profit,
    :func:`historical_customer_profit`, measures the past, in other units). ``potential_value`` is what
    more the customer could bring, e.g. the share of the wallet the firm does not yet earn, or a longer CLV
    forecast. Both are indexed by ``customer_id``. A customer is "high" on a dimension above its threshold
    (default: the median). ``strategies`` replaces :data:`DEFAULT_QUADRANT_STRATEGIES` (same four keys).
    """
    strategies = dict(DEFAULT_QUADRANT_STRATEGIES if strategies is None else strategies)
    missing = set(DEFAULT_QUADRANT_STRATEGIES) - set(strategies)
    if missing:
        raise ValueError(f"strategies lack quadrant(s): {sorted(missing)}")
    frame = pd.concat({"current_value": current_value, "potential_value": potential_value}, axis=1)
    incomplete = frame.isna().any(axis=1)
    if incomplete.any():
        raise DataError(
            f"{int(incomplete.sum())} customers have a current value but no potential value or the "
            f"reverse (first: {frame.index[incomplete][0]!r}); give both for every customer"
        )
    current_cut = frame["current_value"].median() if current_threshold is None else current_threshold
    potential_cut = frame["potential_value"].median() if potential_threshold is None else potential_threshold
    high_current = frame["current_value"] > current_cut
    high_potential = frame["potential_value"] > potential_cut
    frame["quadrant"] = (
        np.where(high_current, "high current", "low current")
        + ", "
        + np.where(high_potential, "high potential", "low potential")
    )
    frame["strategy"] = frame["quadrant"].map(strategies)
    return frame
