"""One-to-one analytics: share of wallet, Peppers & Rogers tiers, needs segments."""

import numpy as np
import pandas as pd
import pytest

from crm_theory.errors import DataError
from crm_theory.one_to_one import (
    customer_tiers,
    differentiation_table,
    needs_segments,
    share_of_wallet,
    wallet_growth_potential,
)


def test_share_of_wallet_by_hand():
    firm = pd.Series({1: 30.0, 2: 0.0, 3: 50.0, 4: 0.0})
    category = pd.Series({1: 100.0, 2: 40.0, 3: 50.0, 4: 0.0})
    share = share_of_wallet(firm, category)
    assert share.loc[[1, 2, 3]].tolist() == pytest.approx([0.3, 0.0, 1.0])
    assert np.isnan(share.loc[4])  # no category spending: no wallet to share
    assert wallet_growth_potential(firm, category).loc[[1, 2, 3]].tolist() == [70.0, 40.0, 0.0]


def test_share_of_wallet_rejects_firm_spend_above_category_spend():
    with pytest.raises(DataError, match="more with the firm than in the whole category"):
        share_of_wallet(pd.Series({1: 60.0}), pd.Series({1: 50.0}))


def test_customer_tiers():
    value = pd.Series({i: float(v) for i, v in enumerate([100, 90, 10, 8, 5, 3, 2, 1, -4, -9], start=1)})
    growth = pd.Series({i: float(g) for i, g in enumerate([0, 0, 1, 80, 2, 60, 0, 0, 99, 0], start=1)})
    tiers = customer_tiers(value, growth, valuable_fraction=0.2, growable_fraction=0.2)
    assert tiers.loc[[1, 2]].eq("most valuable").all()
    assert tiers.loc[[4, 6]].eq("most growable").all()
    assert tiers.loc[[9, 10]].eq("below zero").all()  # even with the largest growth potential
    assert tiers.value_counts()["other"] == 4


def test_needs_segments_find_clear_groups_and_are_reproducible():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    group = np.repeat([0, 1, 2], [60, 30, 10])
    needs = pd.DataFrame(centres[group] + rng.normal(0, 0.5, (100, 2)), columns=["price", "service"])
    segments = needs_segments(needs, 3, seed=1)
    # every true group lands in one segment, and segments are numbered by size
    assert pd.crosstab(group, segments.to_numpy()).gt(0).sum(axis=1).eq(1).all()
    assert segments.value_counts().sort_index().tolist() == [60, 30, 10]
    assert segments.equals(needs_segments(needs, 3, seed=1))
    table = differentiation_table(pd.Series("other", index=needs.index), segments)
    assert table.loc["all", "all"] == 100
