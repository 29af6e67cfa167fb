"""Customer value: CLP, the CLV formula, the value matrix and Pareto analysis (by hand and properties)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_theory.errors import DataError
from crm_theory.pareto import (
    gini_coefficient,
    lorenz_curve,
    pareto_table,
    revenue_by_customer,
    top_profit_share,
    top_share,
    whale_curve,
)
from crm_theory.value import (
    clv_multiplier,
    customer_lifetime_value,
    historical_customer_profit,
    value_matrix,
)


@pytest.mark.parametrize(("retention", "multiplier"), [(0.7, 1.75), (0.8, 2.67), (0.9, 4.5)])
def test_clv_multiplier_matches_the_reference_table(retention, multiplier):
    assert clv_multiplier(retention, 0.10) == pytest.approx(multiplier, abs=0.005)


def test_clv_formula_by_hand():
    # m = 100, r = 0.8, d = 0.1: 100 * 0.8 / 0.3 - 50
    assert customer_lifetime_value(100.0, 0.8, 0.1, acquisition_cost=50.0) == pytest.approx(
        266.6667 - 50, abs=1e-3
    )
    # two periods: 100 * (0.8/1.1 + 0.64/1.21)
    assert customer_lifetime_value(100.0, 0.8, 0.1, horizon=2) == pytest.approx(
        100 * (0.8 / 1.1 + 0.64 / 1.21)
    )
    # a long finite horizon converges to the closed form
    assert customer_lifetime_value(100.0, 0.8, 0.1, horizon=400) == pytest.approx(
        customer_lifetime_value(100.0, 0.8, 0.1)
    )
    margins = pd.Series([10.0, 20.0], index=[1, 2])
    assert customer_lifetime_value(margins, 0.9, 0.1).tolist() == pytest.approx([45.0, 90.0])


def test_clv_formula_rejects_divergent_inputs():
    with pytest.raises(ValueError):
        clv_multiplier(1.0, 0.1)
    with pytest.raises(ValueError):
        clv_multiplier(0.5, -0.6)


def test_historical_profit_by_hand():
    log = pd.DataFrame({"customer_id": [1, 1, 2], "week": [1, 2, 1], "amount": [100.0, 50.0, 10.0]})
    table = historical_customer_profit(
        log, margin_rate=0.3, cost_per_transaction=2.0, acquisition_cost=pd.Series({1: 20.0})
    )
    assert table.loc[1].tolist() == pytest.approx([150.0, 2, 0.3 * 150 - 4 - 20])
    assert table.loc[2].tolist() == pytest.approx([10.0, 1, 3.0 - 2.0])


def test_value_matrix_places_customers_and_gives_a_strategy():
    current = pd.Series({1: 100.0, 2: 100.0, 3: 1.0, 4: 1.0})
    potential = pd.Series({1: 500.0, 2: 5.0, 3: 500.0, 4: 5.0})
    matrix = value_matrix(current, potential)
    assert matrix["quadrant"].tolist() == [
        "high current, high potential",
        "high current, low potential",
        "low current, high potential",
        "low current, low potential",
    ]
    assert matrix.loc[1, "strategy"].startswith("invest")
    assert matrix.loc[4, "strategy"].startswith("maintain")
    with pytest.raises(DataError, match="give both"):
        value_matrix(current, potential.drop(4))


def test_gini_and_top_share_by_hand():
    assert gini_coefficient([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini_coefficient([0, 0, 0, 10]) == pytest.approx(0.75)  # (n - 1) / n when one has everything
    values = [1, 1, 1, 1, 1, 1, 1, 1, 2, 10]  # total 20; the top 10% (one customer) has 10
    assert top_share(values, 0.1) == pytest.approx(0.5)
    assert top_share(values, 0.2) == pytest.approx(0.6)
    assert top_share(values, 0.05) == pytest.approx(0.25)  # half a customer: linear between Lorenz points


def test_whale_curve_rises_above_one_when_some_customers_lose_money():
    profits = [50.0, 30.0, 10.0, -20.0, -10.0]  # total 60
    curve = whale_curve(profits)
    assert curve["profit_share"].max() == pytest.approx(90 / 60)
    assert curve["profit_share"].iloc[-1] == pytest.approx(1.0)
    assert top_profit_share(profits, 0.4) == pytest.approx(80 / 60)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200).filter(
        lambda values: sum(values) > 0
    )
)
def test_lorenz_curve_is_monotone_below_the_diagonal_and_ends_at_one(values):
    curve = lorenz_curve(values)
    share = curve["value_share"].to_numpy()
    assert share[0] == 0.0 and share[-1] == 1.0
    assert np.all(np.diff(share) >= -1e-12)
    assert np.all(share <= curve["customer_share"].to_numpy() + 1e-9)
    gini = gini_coefficient(values)
    assert -1e-9 <= gini < 1
    # the top 20% hold at least 20% and top shares grow with the fraction
    assert top_share(values, 0.2) >= 0.2 - 1e-9
    assert top_share(values, 0.1) <= top_share(values, 0.2) + 1e-12


def test_negative_values_are_not_accepted_by_the_lorenz_curve():
    with pytest.raises(DataError, match="whale_curve"):
        lorenz_curve([1.0, -1.0, 3.0])


def test_pareto_table_on_cdnow_shows_concentration():
    from crm_theory.data import load_cdnow_master

    log = load_cdnow_master()
    revenue = revenue_by_customer(log)
    profit = historical_customer_profit(log, margin_rate=0.3, cost_per_transaction=3.0)["profit"]
    table = pareto_table(revenue, profit)
    # §4: the top 20% of buyers give well over 20% of sales, and profit is more concentrated than revenue
    assert 0.6 < table.loc[0.2, "revenue_share"] < 0.8
    assert table.loc[0.2, "profit_share"] > table.loc[0.2, "revenue_share"]
    assert 0.5 < table.attrs["gini_revenue"] < 0.8
