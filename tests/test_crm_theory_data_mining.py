"""Behavioural variables, gains and lift, k-means' k and market-basket rules (crm_theory.data_mining, §7)."""

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori, association_rules
from sklearn.metrics import roc_auc_score

from crm_theory import (
    DataError,
    basket_matrix,
    behavioural_variables,
    choose_k,
    cumulative_gains,
    gains_table,
    rule_metrics,
    top_lift,
)


@pytest.fixture
def log():
    rows = [(1, 0, 10.0), (1, 5, 20.0), (1, 5, 5.0), (1, 9, 10.0), (2, 3, 4.0), (3, 11, 8.0)]
    return pd.DataFrame(rows, columns=["customer_id", "week", "amount"])


@pytest.fixture
def contacts():
    rows = [(1, 5, "personal_offer"), (1, 7, "service"), (2, 8, "win_back"), (3, 11, "service")]
    return pd.DataFrame(rows, columns=["customer_id", "week", "action"])


def test_behavioural_variables_use_only_what_happened_by_the_cutoff(log, contacts):
    table = behavioural_variables(log, 10, actions=contacts, recent_weeks=4)
    assert list(table.index) == [1, 2]  # customer 3's first purchase is after the cut-off
    one = table.loc[1]
    # weeks 0, 5 and 9: the two rows of week 5 are one purchase occasion
    assert (one["recency"], one["frequency"], one["monetary"], one["tenure"]) == (1, 3, 45.0, 10)
    assert one["mean_basket"] == 15.0
    assert (one["recent_purchases"], one["recent_spend"]) == (1, 10.0)  # weeks 7-10
    assert one["trend"] == pytest.approx((1 / 4) / (3 / 11))
    # the week-5 offer was answered by a purchase that week, the week-7 service contact was not
    assert (one["contacts"], one["responses"], one["response_rate"]) == (2, 1, 0.5)
    assert (one["recent_contacts"], one["weeks_since_contact"]) == (1, 3)
    assert (one["contacts_personal_offer"], one["contacts_service"], one["contacts_win_back"]) == (1, 1, 0)
    assert table.loc[2, "trend"] == 0.0


def test_behavioural_variables_without_contacts_and_never_contacted(log):
    table = behavioural_variables(log, 12)
    assert "contacts" not in table.columns
    quiet = behavioural_variables(
        log, 12, actions=pd.DataFrame({"customer_id": [9], "week": [1], "action": ["x"]})
    )
    assert quiet["weeks_since_contact"].tolist() == [13, 13, 13]
    assert quiet["response_rate"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cutoff": -1}, "cutoff"),
        ({"cutoff": 5, "recent_weeks": 0}, "recent_weeks"),
        ({"cutoff": 0}, "week 0"),
    ],
)
def test_behavioural_variables_reject_bad_input(log, kwargs, message):
    shifted = log.assign(week=log["week"] + 1)
    with pytest.raises(DataError, match=message):
        behavioural_variables(shifted, **kwargs)


def test_gains_table_of_a_perfect_and_of_a_known_score():
    y = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    perfect = gains_table(y, y.astype(float), n_groups=5)
    assert perfect["positives"].tolist() == [2, 0, 0, 0, 0]
    assert perfect.loc[1, "lift"] == 5.0  # 100% in the top fifth against a 20% base rate
    assert perfect["gain"].tolist() == [1.0] * 5
    assert perfect["cumulative_lift"].iloc[-1] == pytest.approx(1.0)

    score = np.linspace(1, 0, 10)  # ranks customers in input order: positives 1st and 4th
    table = gains_table(y, score, n_groups=5)
    assert table["positives"].tolist() == [1, 1, 0, 0, 0]
    assert table["gain"].tolist() == [0.5, 1.0, 1.0, 1.0, 1.0]
    assert table["cumulative_lift"].tolist() == pytest.approx([2.5, 2.5, 5 / 3, 1.25, 1.0])
    assert top_lift(y, score, fraction=0.2) == 2.5


def test_gains_curve_area_matches_auc():
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.1
    score = y + rng.normal(0, 1, y.size)
    curve = cumulative_gains(y, score)
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    # area under the gains curve = p/2 + (1 - p) AUC, for continuous scores (no ties)
    p = y.mean()
    area = np.trapezoid(curve["gain"], curve["targeted"])
    assert area == pytest.approx(p / 2 + (1 - p) * roc_auc_score(y, score), abs=1e-3)
    # random scores have lift about 1 in every decile
    noise = gains_table(y, rng.random(y.size))
    assert noise["lift"].between(0.5, 1.5).all()


@pytest.mark.parametrize(
    "y, score, message",
    [
        ([0, 1], [0.1], "same length"),
        ([0, 2], [0.1, 0.2], "0/1"),
        ([0, 0], [0.1, 0.2], "no positive"),
        ([0, 1], [np.nan, 0.2], "missing"),
    ],
)
def test_gains_reject_bad_input(y, score, message):
    with pytest.raises(DataError, match=message):
        gains_table(y, score, n_groups=2)


def test_choose_k_finds_three_clear_clusters():
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0], [6, 0], [0, 6]])
    points = np.concatenate([c + rng.normal(0, 0.5, (50, 2)) for c in centres])
    table = choose_k(points, range(2, 6))
    assert table["silhouette"].idxmax() == 3
    assert table["inertia"].is_monotonic_decreasing
    with pytest.raises(DataError, match="every k"):
        choose_k(points, [1, 2])


@pytest.fixture
def lines():
    # five baskets (customer, week): bread & butter together in 3 of them
    rows = [
        (1, 1, "bread"),
        (1, 1, "butter"),
        (1, 1, "bread"),
        (1, 2, "bread"),
        (1, 2, "butter"),
        (1, 2, "milk"),
        (2, 1, "bread"),
        (2, 1, "butter"),
        (2, 2, "milk"),
        (3, 1, "bread"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "week", "category"])
    return frame.assign(amount=1.0)


def test_rule_metrics_by_hand(lines):
    baskets = basket_matrix(lines)
    assert baskets.shape == (5, 3) and baskets.dtypes.eq(bool).all()
    rule = rule_metrics(baskets, "bread", "butter")
    assert rule["support"] == 3 / 5  # bread and butter in 3 of 5 baskets
    assert rule["confidence"] == 3 / 4  # 4 baskets hold bread
    assert rule["lift"] == pytest.approx((3 / 4) / (3 / 5))
    assert rule_metrics(baskets, ["bread", "butter"], "milk")["confidence"] == pytest.approx(1 / 3)


def test_rule_metrics_agree_with_mlxtend(lines):
    baskets = basket_matrix(lines)
    rules = association_rules(
        apriori(baskets, min_support=0.1, use_colnames=True), metric="lift", min_threshold=0
    )
    for _, rule in rules.iterrows():
        ours = rule_metrics(baskets, sorted(rule["antecedents"]), sorted(rule["consequents"]))
        assert ours[["support", "confidence", "lift"]].tolist() == pytest.approx(
            [rule["support"], rule["confidence"], rule["lift"]]
        )


def test_basket_and_rule_errors_name_the_problem(lines):
    with pytest.raises(DataError, match="category"):
        basket_matrix(lines.drop(columns="category"))
    baskets = basket_matrix(lines)
    with pytest.raises(DataError, match="unknown item"):
        rule_metrics(baskets, "jam", "bread")
    with pytest.raises(DataError, match="share"):
        rule_metrics(baskets, "bread", ["bread", "milk"])
