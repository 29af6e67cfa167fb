"""One-to-one marketing analytics: share of wallet, differentiation by value and by needs, customer tiers.

Follows docs/crm-theory-reference.md §6 (one-to-one marketing, IDIC after Peppers, Rogers & Dorf 1999) and §4
(customer tiers: Peppers & Rogers' most valuable, most growable and below-zero customers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

from crm_theory.errors import DataError

MOST_VALUABLE = "most valuable"
MOST_GROWABLE = "most growable"
BELOW_ZERO = "below zero"
OTHER = "other"


def _aligned(named: dict[str, pd.Series]) -> pd.DataFrame:
    frame = pd.concat(named, axis=1)
    incomplete = frame.isna().any(axis=1)
    if incomplete.any():
        raise DataError(
            f"{int(incomplete.sum())} customers lack one of {list(named)} (first: "
            f"{frame.index[incomplete][0]!r}); give every value for every customer"
        )
    return frame


def share_of_wallet(firm_spend: pd.Series, category_spend: pd.Series) -> pd.Series:
    """Share of wallet (客户份额): the firm's share of each customer's spending in the category (§6).

    Both Series are indexed by customer. Raises if a customer spent more with the firm than in the whole
    category. A customer with no category spending has no wallet to share: their share is NaN.
    """
    frame = _aligned({"firm": firm_spend, "category": category_spend})
    if (frame < 0).to_numpy().any():
        raise DataError("spending must be >= 0")
    over = frame["firm"] > frame["category"] * (1 + 1e-9)
    if over.any():
        raise DataError(
            f"{int(over.sum())} customers spent more with the firm than in the whole category "
            f"(first: {frame.index[over][0]!r}); category spend includes the firm's"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = frame["firm"] / frame["category"].where(frame["category"] > 0)
    return share.rename("share_of_wallet")


def wallet_growth_potential(firm_spend: pd.Series, category_spend: pd.Series) -> pd.Series:
    """Spending the customer makes elsewhere in the category: what a larger share of wallet could win (§6)."""
    share_of_wallet(firm_spend, category_spend)  # same checks
    frame = _aligned({"firm": firm_spend, "category": category_spend})
    return (frame["category"] - frame["firm"]).rename("growth_potential")


def customer_tiers(
    value: pd.Series,
    growth_potential: pd.Series,
    *,
    valuable_fraction: float = 0.2,
    growable_fraction: float = 0.2,
) -> pd.Series:
    """Peppers & Rogers' tiers from value and growth potential (§4, §6: differentiate by value).

    * ``below zero``: customers whose value (e.g. historical profit or CLV) is negative;
    * ``most valuable``: the top ``valuable_fraction`` of all customers by value;
    * ``most growable``: of the rest, the top ``growable_fraction`` of all customers by growth potential
      (e.g. the unrealised wallet, or forecast CLV minus current value);
    * ``other``: everyone else.
    """
    for name, fraction in (
        ("valuable_fraction", valuable_fraction),
        ("growable_fraction", growable_fraction),
    ):
        if not 0 <= fraction <= 1:
            raise ValueError(f"{name} must be within 0-1, got {fraction}")
    frame = _aligned({"value": value, "growth": growth_potential})
    n = len(frame)
    tiers = pd.Series(OTHER, index=frame.index, name="tier", dtype=object)
    below_zero = frame["value"] < 0
    tiers.loc[below_zero] = BELOW_ZERO
    # ties are broken by the order of the index so the tier sizes are exact
    n_valuable = int(round(valuable_fraction * n))
    candidates = frame.loc[~below_zero, "value"].sort_values(ascending=False, kind="stable")
    tiers.loc[candidates.index[:n_valuable]] = MOST_VALUABLE
    n_growable = int(round(growable_fraction * n))
    remaining = frame.loc[tiers == OTHER, "growth"]
    remaining = remaining[remaining > 0].sort_values(ascending=False, kind="stable")
    tiers.loc[remaining.index[:n_growable]] = MOST_GROWABLE
    return tiers


def needs_segments(needs: pd.DataFrame, n_segments: int, *, seed: int = 0) -> pd.Series:
    """Differentiate customers by needs (§6, IDIC): k-means clusters of standardised need variables.

    ``needs`` has one row per customer and one numeric column per need or preference (e.g. survey answers,
    shares of spend by product category). Columns are z-scored so no unit dominates; the clustering is
    repeated from the same ``seed`` to be reproducible. Returns the segment number (0..n_segments-1);
    segments are numbered by size, 0 the largest.
    """
    if n_segments < 1 or n_segments > len(needs):
        raise ValueError(
            f"n_segments must be between 1 and the number of customers ({len(needs)}), got {n_segments}"
        )
    values = needs.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise DataError("needs must be numbers for every customer and column")
    spread = values.std(axis=0)
    standardised = (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    _, labels = kmeans2(standardised, n_segments, minit="++", rng=np.random.default_rng(seed))
    sizes = np.bincount(labels, minlength=n_segments)
    renumber = np.empty(n_segments, dtype=np.int64)
    renumber[np.argsort(-sizes, kind="stable")] = np.arange(n_segments)
    return pd.Series(renumber[labels], index=needs.index, name="needs_segment")


def differentiation_table(tiers: pd.Series, segments: pd.Series) -> pd.DataFrame:
    """Customers by value tier x needs segment: the two differentiations of IDIC side by side (§6)."""
    frame = _aligned({"tier": tiers, "needs_segment": segments})
    return pd.crosstab(frame["tier"], frame["needs_segment"], margins=True, margins_name="all")
