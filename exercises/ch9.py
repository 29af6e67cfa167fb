"""Exercises for chapter 9 · Database marketing and data mining (docs/crm-theory-reference.md §7)."""

from __future__ import annotations

import os

# Small data: one thread is fastest, and on a busy machine many threads spin-wait for each other.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from crm_theory import basket_matrix, behavioural_variables, gains_table, observed_stage
from exercises.core import (
    ChoiceQuestion,
    FunctionQuestion,
    NumberQuestion,
    ____,
)
from simulation import CustomerLifecycleModel

TITLE = "Exercises · Chapter 9 · Database marketing and data mining"
NOTEBOOK = "09_data_mining_exercises.ipynb"
INTRO = """
Practise the data-mining models of database marketing (数据库营销): a churn model's ROC AUC and top-decile lift
(流失预测), standardisation and k-means segmentation (客户细分), the support, confidence and lift of an
association rule (购物篮分析), and a cross-sell propensity model (交叉销售).

The data come from a seeded simulation: 2,000 people for two years under the `stage_based` strategy (vector
engine). `churn` holds the customers the firm believed current at week 78, with their behavioural variables
(`behavioural_variables` at week 78), a churn `score` from a logistic regression trained on week 52, and `lost`:
whether each was truly lost at week 91 (1) or not (0), the simulation's answer key. `baskets` is the one-hot
basket table of all purchases (one row per customer and week, one True/False column per product category).
`cross_train` and `cross_test` hold, at weeks 52 and 78, the current customers who had never bought
electronics, their variables in the columns listed in `CROSS_FEATURES`, and `bought`: whether they bought
electronics in the next 13 weeks. Chapter 9 of the course (`notebooks/09_data_mining.ipynb`) covers everything
you need.
"""

SETUP = "from exercises.ch9 import *\n"
RUN = {"strategy": "stage_based", "seed": 19, "n_people": 2000, "weeks": 104, "engine": "vector"}
ACTIVE = ("identification", "development", "stable", "decline")
HORIZON = 13


def _simulate():
    model = CustomerLifecycleModel(**RUN)
    stage = {}
    for week in (52, 65, 78, 91, 104):
        result = model.run(weeks=week - model.week)
        stage[week] = result.customers.set_index("customer_id")["stage"]
    return result, stage


_result, _stage = _simulate()
_log, _contacts, _lines = _result.transactions, _result.actions, _result.transaction_lines
baskets = basket_matrix(_lines)


def _current(cutoff):
    x = behavioural_variables(_log, cutoff, actions=_contacts)
    seen = observed_stage(_log[_log["week"] <= cutoff], cutoff)["stage"].reindex(x.index)
    return x[seen.isin(ACTIVE)]


def _churn_table():
    train, test = _current(52), _current(78)
    columns = list(test.columns)
    train = train.reindex(columns=columns, fill_value=0)
    y_train = (_stage[52 + HORIZON].reindex(train.index) == "lost").astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(train, y_train)
    table = test.copy()
    table["score"] = model.predict_proba(test)[:, 1].round(4)
    table["lost"] = (_stage[78 + HORIZON].reindex(test.index) == "lost").astype(int)
    return table


def _cross_table(cutoff, target="electronics"):
    x = _current(cutoff)
    past = baskets[baskets.index.get_level_values("week") <= cutoff]
    owned = past.groupby(level="customer_id").any().reindex(x.index, fill_value=False)
    x = x.assign(
        categories_owned=owned.sum(axis=1),
        basket_breadth=past.sum(axis=1).groupby(level="customer_id").mean().reindex(x.index),
    )
    x = x[~owned[target]]
    later = _lines.query("@cutoff < week <= @cutoff + @HORIZON and category == @target")["customer_id"]
    return x.assign(bought=x.index.isin(later).astype(int))


churn = _churn_table()
CROSS_FEATURES = [
    "recency",
    "frequency",
    "monetary",
    "recent_spend",
    "trend",
    "categories_owned",
    "basket_breadth",
]
cross_train = _cross_table(52)[[*CROSS_FEATURES, "bought"]]
cross_test = _cross_table(78)[[*CROSS_FEATURES, "bought"]]


def _top_rate(fraction=0.1, ascending=False):
    ranked = churn.sort_values("score", ascending=ascending, kind="stable")
    return ranked["lost"].iloc[: round(fraction * len(churn))]


# --------------------------------------------------------------------------------------------------
# 1. top-decile lift


class TopDecileLift(NumberQuestion):
    statement = """Rank the customers in `churn` by their churn `score`, highest first, and take the top 10%
(round the number of customers to the nearest whole number). The **top-decile lift** is the churn rate
(the share with `lost` = 1) in that top decile divided by the churn rate of all the customers in `churn`.
What is it?"""
    template = "lift = ____"
    variables = ["lift"]
    decimals = 2
    setup_code = SETUP
    hints = [
        "`churn.nlargest(round(0.1 * len(churn)), 'score')` gives the top decile.",
        "Churn rate = the mean of `lost`. Divide the top decile's rate by the overall rate.",
    ]
    solution_text = (
        "About 3.6 times the average rate: a retention campaign aimed at the top decile reaches more than three "
        "times as many churners per contact as a random one. `gains_table(churn['lost'], churn['score'])` gives "
        "the same number in its first row."
    )
    solution_code = "top = churn.nlargest(round(0.1 * len(churn)), 'score')\nlift = top['lost'].mean() / churn['lost'].mean()"
    wrong_examples = [
        ("top = churn.nlargest(round(0.1 * len(churn)), 'score')\nlift = top['lost'].mean()", "divide"),
        (
            "top = churn.nlargest(round(0.1 * len(churn)), 'score')\nlift = top['lost'].sum() / churn['lost'].sum()",
            "gain",
        ),
    ]

    def expected(self):
        return _top_rate().mean() / churn["lost"].mean()

    def mistakes(self):
        top = _top_rate()
        return [
            (
                top.mean(),
                "that is the top decile's churn rate: divide it by the churn rate of all customers.",
            ),
            (
                top.sum() / churn["lost"].sum(),
                "that is the top decile's gain, the share of all churners it captures; lift is its churn rate "
                "over the average rate.",
            ),
            (
                _top_rate(ascending=True).mean() / churn["lost"].mean(),
                "you took the lowest scores: a high score means a high risk of churn, so sort descending.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 2. ROC AUC


class RocAuc(NumberQuestion):
    statement = """Compute the ROC AUC of the churn `score` against the true outcome `lost` in `churn`
(`roc_auc_score` from `sklearn.metrics` is imported for you). Then compare it with the AUC of recency alone
as a score (`churn['recency']`: the longer since the last purchase, the higher the risk). Answer with the
model's AUC."""
    template = "auc = ____"
    variables = ["auc"]
    decimals = 3
    setup_code = SETUP
    hints = [
        "`roc_auc_score(y_true, score)`: the outcome first, the score second.",
        "A score where high means 'likely to churn' and an outcome where 1 means 'lost'.",
    ]
    solution_text = (
        "The AUC is the probability that a random churner scores higher than a random stayer: 0.5 is "
        "guessing, 1 is perfect. The model beats recency alone, because it also sees the trend, recent "
        "purchases and the firm's contacts."
    )
    solution_code = "auc = roc_auc_score(churn['lost'], churn['score'])\nrecency_auc = roc_auc_score(churn['lost'], churn['recency'])"
    wrong_examples = [
        ("auc = roc_auc_score(churn['lost'], -churn['score'])", "wrong way round"),
        ("auc = roc_auc_score(churn['lost'], churn['recency'])", "recency alone"),
    ]

    def expected(self):
        return roc_auc_score(churn["lost"], churn["score"])

    def mistakes(self):
        return [
            (
                roc_auc_score(churn["lost"], -churn["score"]),
                "below 0.5: the score is used the wrong way round (a high score means a high risk).",
            ),
            (
                roc_auc_score(churn["lost"], churn["recency"]),
                "that is the AUC of recency alone; the question asks for the model's `score`.",
            ),
            (
                ((churn["score"] > 0.5) == churn["lost"]).mean(),
                "that is the accuracy at a 0.5 threshold, not the area under the ROC curve.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 3. standardisation


def _standardise(frame):
    return (frame - frame.mean()) / frame.std(ddof=0)


class Standardise(FunctionQuestion):
    statement = """k-means measures distances, so each variable must be on a comparable scale. Write a
function `standardise(frame)` that takes a DataFrame of numeric variables (one column each) and returns it
standardised: each column minus its mean, divided by its standard deviation, as scikit-learn's
`StandardScaler` does (the population standard deviation, dividing by n). It is checked on hidden test
cases."""
    template = "def standardise(frame):\n    return ____"
    variables = ["standardise"]
    decimals = 6
    setup_code = SETUP
    hints = [
        "`frame.mean()` and `frame.std(...)` work column by column.",
        "pandas' `.std()` divides by n − 1 by default; `StandardScaler` divides by n: use `ddof=0`.",
    ]
    solution_text = (
        "(x − mean) / standard deviation, column by column, with ddof=0. After it every variable has mean 0 and "
        "standard deviation 1, so a week of recency and a CU of spend weigh alike in the distance."
    )
    solution_code = "def standardise(frame):\n    return (frame - frame.mean()) / frame.std(ddof=0)"
    wrong_examples = [
        ("def standardise(frame):\n    return (frame - frame.mean()) / frame.std()", "ddof=0"),
        ("def standardise(frame):\n    return frame / frame.std(ddof=0)", "subtract"),
    ]

    def reference(self, frame):
        return _standardise(frame)

    def cases(self):
        rng = np.random.default_rng(9)
        made_up = pd.DataFrame(
            {"recency": rng.integers(0, 60, 30), "monetary": rng.lognormal(5, 1, 30), "trend": rng.random(30)}
        )
        return [(churn[["recency", "frequency", "monetary"]].head(40).astype(float),), (made_up,)]

    def mistakes(self):
        return [
            (
                lambda f: (f - f.mean()) / f.std(),
                "pandas' .std() divides by n − 1; StandardScaler divides by n: use .std(ddof=0).",
            ),
            (
                lambda f: f / f.std(ddof=0),
                "subtract each column's mean first, so that every column has mean 0.",
            ),
            (lambda f: f - f.mean(), "centred but not scaled: divide by each column's standard deviation."),
            (
                lambda f: (f - f.min()) / (f.max() - f.min()),
                "that is min-max scaling to [0, 1]; standardise with the mean and the standard deviation.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 4. why standardise


class WhyStandardise(ChoiceQuestion):
    statement = """Suppose you ran k-means on `churn[['recency', 'frequency', 'monetary']]` **without**
standardising. Compare the standard deviations of the three columns (`churn[['recency', 'frequency',
'monetary']].std()`). What would happen?

- **a** Nothing: k-means is unaffected by the units of the variables.
- **b** The clusters would be cut almost only along monetary value, whose spread in CU dwarfs the others.
- **c** The clusters would be cut almost only along recency, since recency is measured in weeks.
- **d** k-means would fail to converge.

Answer with the letter, as a string."""
    template = "unscaled = ____"
    variables = ["unscaled"]
    setup_code = SETUP
    options = {"a": "unaffected", "b": "monetary dominates", "c": "recency dominates", "d": "no convergence"}
    correct = "b"
    feedback = {
        "a": "k-means minimises squared Euclidean distances, which add up the variables in their own units: a "
        "variable with a large spread dominates.",
        "b": "Monetary value has a standard deviation of about 1,300 CU, recency and frequency of under ten weeks: "
        "distances, and so clusters, would be almost all about money.",
        "c": "Look at the standard deviations: recency spreads over a few weeks, monetary value over about 1,300 CU.",
        "d": "k-means always converges (to a local optimum); the problem is what its clusters mean.",
    }
    hints = [
        "k-means groups points by squared Euclidean distance, adding the variables up as they are.",
        "`churn[['recency', 'frequency', 'monetary']].std()`: which spread is largest?",
    ]
    solution_text = feedback["b"]
    solution_code = "unscaled = 'b'"
    wrong_examples = [("unscaled = 'a'", "Euclidean"), ("unscaled = 'c'", "standard deviations")]


# --------------------------------------------------------------------------------------------------
# 5. a rule by hand

_TINY = [
    {"bread", "butter", "milk"},
    {"bread", "butter"},
    {"bread", "jam"},
    {"milk", "butter"},
    {"bread", "butter", "jam"},
    {"milk"},
    {"bread", "milk"},
    {"butter", "milk", "jam"},
]


def _tiny(item_sets, a, c):
    n = len(item_sets)
    both = sum(1 for s in item_sets if a in s and c in s)
    with_a = sum(1 for s in item_sets if a in s)
    with_c = sum(1 for s in item_sets if c in s)
    return both / n, both / with_a, (both / with_a) / (with_c / n)


class RuleByHand(NumberQuestion):
    statement = """Eight baskets:

| basket | items |
|---|---|
| 1 | bread, butter, milk |
| 2 | bread, butter |
| 3 | bread, jam |
| 4 | milk, butter |
| 5 | bread, butter, jam |
| 6 | milk |
| 7 | bread, milk |
| 8 | butter, milk, jam |

By hand: what is the **lift** of the rule jam → butter? (Support of the pair, confidence of the rule, then
lift = confidence / support of butter.)"""
    template = "lift_jam_butter = ____"
    variables = ["lift_jam_butter"]
    decimals = 2
    setup_code = SETUP
    hints = [
        "Jam is in 3 baskets; jam and butter together in 2 of them.",
        "Confidence = 2/3. Butter is in 5 of the 8 baskets. Lift = (2/3) / (5/8).",
    ]
    solution_text = (
        "Support = 2/8 = 0.25, confidence = 2/3 ≈ 0.667, support of butter = 5/8 = 0.625, so lift = 0.667 / 0.625 "
        "≈ 1.07: a basket with jam is only slightly more likely than any basket to hold butter."
    )
    solution_code = "lift_jam_butter = (2 / 3) / (5 / 8)"
    wrong_examples = [("lift_jam_butter = 2 / 3", "confidence"), ("lift_jam_butter = 2 / 8", "support")]

    def expected(self):
        return _tiny(_TINY, "jam", "butter")[2]

    def mistakes(self):
        support, confidence, _ = _tiny(_TINY, "jam", "butter")
        return [
            (confidence, "that is the confidence P(butter | jam); lift divides it by the support of butter."),
            (support, "that is the support of the pair; lift is confidence / support of butter."),
            (
                confidence / (3 / 8),
                "you divided the confidence by the support of jam, the antecedent; lift divides by the support "
                "of the consequent, butter.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 6. a rule in the simulated baskets


class RuleInBaskets(NumberQuestion):
    statement = """Now the simulated baskets in `baskets` (one row per basket, a True/False column per
category). What is the **confidence** of the rule electronics → home_and_kitchen, the share of baskets holding
electronics that also hold home and kitchen goods? (`rule_metrics(baskets, 'electronics', 'home_and_kitchen')`
checks your answer, but compute it from the columns first.)"""
    template = "confidence = ____"
    variables = ["confidence"]
    decimals = 3
    setup_code = SETUP + "from crm_theory import rule_metrics\n"
    hints = [
        "Keep the baskets holding electronics: `baskets[baskets['electronics']]`.",
        "Of those, the share with home_and_kitchen: `.mean()` of that column.",
    ]
    solution_text = (
        "About 0.57: more than half of the baskets with electronics hold home and kitchen goods, against about "
        "0.35 of all baskets, a lift of about 1.6, the catalogue's strongest affinity."
    )
    solution_code = "confidence = baskets.loc[baskets['electronics'], 'home_and_kitchen'].mean()"
    wrong_examples = [
        ("confidence = (baskets['electronics'] & baskets['home_and_kitchen']).mean()", "support"),
        ("confidence = baskets.loc[baskets['home_and_kitchen'], 'electronics'].mean()", "other way"),
    ]

    def expected(self):
        return baskets.loc[baskets["electronics"], "home_and_kitchen"].mean()

    def mistakes(self):
        return [
            (
                (baskets["electronics"] & baskets["home_and_kitchen"]).mean(),
                "that is the support of the pair (share of all baskets); confidence divides by the baskets "
                "holding electronics.",
            ),
            (
                baskets.loc[baskets["home_and_kitchen"], "electronics"].mean(),
                "that is the rule the other way round (home_and_kitchen → electronics).",
            ),
            (
                self.expected() / baskets["home_and_kitchen"].mean(),
                "that is the lift; the question asks for the confidence.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 7. cross-sell propensity


def _propensity_auc(train, test):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(train[CROSS_FEATURES], train["bought"])
    return roc_auc_score(test["bought"], model.predict_proba(test[CROSS_FEATURES])[:, 1])


class CrossSellPropensity(NumberQuestion):
    statement = """Train a cross-sell propensity model on `cross_train`: a pipeline
`make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))` (all imported for you), fitted on the
columns `CROSS_FEATURES` with the target `bought`. Score the customers of `cross_test` (a later period) with
`predict_proba` and report the model's ROC AUC on `cross_test`. Is the model useful for choosing whom to send a
cross-sell offer?"""
    template = "model = ____\ncross_auc = ____"
    variables = ["cross_auc"]
    decimals = 3
    setup_code = SETUP
    hints = [
        "`model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(cross_train[CROSS_FEATURES], "
        "cross_train['bought'])`",
        "`model.predict_proba(cross_test[CROSS_FEATURES])[:, 1]` is the propensity; `roc_auc_score` compares it with "
        "`cross_test['bought']`.",
    ]
    solution_text = (
        "An AUC near 0.7 on a later period: the model ranks future first-time buyers of electronics well above "
        "chance, so the top of its list is where cross-sell offers pay best (`gains_table` shows how deep to go). "
        "It is weaker than the churn model: a first purchase in a new category is harder to foresee."
    )
    solution_code = (
        "model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(\n"
        "    cross_train[CROSS_FEATURES], cross_train['bought'])\n"
        "cross_auc = roc_auc_score(cross_test['bought'], model.predict_proba(cross_test[CROSS_FEATURES])[:, 1])"
    )
    wrong_examples = [
        (
            "model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(\n"
            "    cross_train[CROSS_FEATURES], cross_train['bought'])\n"
            "cross_auc = roc_auc_score(cross_train['bought'], model.predict_proba(cross_train[CROSS_FEATURES])[:, 1])",
            "training data",
        ),
        (
            "model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(\n"
            "    cross_train[CROSS_FEATURES], cross_train['bought'])\n"
            "cross_auc = roc_auc_score(cross_test['bought'], model.predict(cross_test[CROSS_FEATURES]))",
            "predict_proba",
        ),
    ]

    def expected(self):
        return _propensity_auc(cross_train, cross_test)

    def mistakes(self):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(cross_train[CROSS_FEATURES], cross_train["bought"])
        return [
            (
                _propensity_auc(cross_train, cross_train),
                "that is the AUC on the training data, which flatters the model; evaluate on `cross_test`, the "
                "later period.",
            ),
            (
                roc_auc_score(cross_test["bought"], model.predict(cross_test[CROSS_FEATURES])),
                "`predict` gives 0/1 labels at a 0.5 threshold, which throws away the ranking; use "
                "`predict_proba(...)[:, 1]`.",
            ),
        ]


q1 = TopDecileLift("Question 1 (top-decile lift)")
q2 = RocAuc("Question 2 (ROC AUC)")
q3 = Standardise("Question 3 (standardisation)")
q4 = WhyStandardise("Question 4 (k-means without standardising)")
q5 = RuleByHand("Question 5 (support, confidence and lift by hand)")
q6 = RuleInBaskets("Question 6 (a rule in the simulated baskets)")
q7 = CrossSellPropensity("Question 7 (cross-sell propensity)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7]

__all__ = [
    "CROSS_FEATURES",
    "LogisticRegression",
    "StandardScaler",
    "baskets",
    "churn",
    "cross_test",
    "cross_train",
    "gains_table",
    "make_pipeline",
    "np",
    "pd",
    "roc_auc_score",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
