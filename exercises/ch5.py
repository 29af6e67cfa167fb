"""Exercises for chapter 5 · Customer value (docs/crm-theory-reference.md §4)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crm_theory import (
    BetaGeoModel,
    calibration_holdout_summary,
    clv_multiplier,
    customer_lifetime_value,
    historical_customer_profit,
    load_cdnow_sample,
    purchase_summary,
    top_share,
    value_matrix,
)
from exercises.core import (
    ChoiceQuestion,
    FunctionQuestion,
    Incorrect,
    NumberQuestion,
    SeriesQuestion,
    ____,
    as_number,
)
from exercises.data import simulated_market, small_log

TITLE = "Exercises · Chapter 5 · Customer value"
NOTEBOOK = "05_customer_value_exercises.ipynb"
INTRO = """
Practise customer value (客户价值): customer lifetime value (客户终身价值, CLV) from margin, retention and
discount rate; historical profit, the first part of customer lifetime profit (客户全生命周期利润, CLP); the
80/20 principle (二八法则); the BG/NBD purchase model fitted to CDNOW; and the value matrix (客户价值矩阵).

The data: `log` holds the purchases of eight customers of a seeded simulated market in its first year (weeks
0-52) and `marketing` what the firm spent on marketing to each of them; `market_log` holds the purchases of
the whole market (600 people). The firm's gross margin is `MARGIN` (a share of revenue) and serving one order
costs `COST_PER_ORDER` CU. `cdnow` is the CDNOW 1/10 sample (2,357 customers, 1997-1998). Chapter 5 of the
course (`notebooks/05_customer_value.ipynb`) covers everything you need.
"""

SETUP = "from exercises.ch5 import *\n"

market = simulated_market()
MARGIN = float(market.parameters.margin)
COST_PER_ORDER = float(market.parameters.cost_per_order)
log = small_log()
market_log = market.transactions
marketing = (
    market.customers.set_index("customer_id")["marketing_cost"]
    .loc[sorted(log["customer_id"].unique())]
    .rename("marketing_cost")
)
cdnow = load_cdnow_sample()
CALIBRATION_END = "1997-09-30"
#: three CDNOW-like histories at the end of the 39-week calibration period (weeks since the first purchase)
three_customers = pd.DataFrame(
    {"frequency": [8, 1, 0], "recency": [12.0, 12.0, 0.0], "T": [39.0, 39.0, 27.0]},
    index=pd.Index(["A", "B", "C"], name="customer"),
)


# --------------------------------------------------------------------------------------------------
# 1. the margin multiplier


class Multiplier(NumberQuestion):
    statement = """A customer stays from one year to the next with retention rate (客户保持率) r = 0.85, and
the firm discounts money at d = 12% a year (贴现率). How many years of margin is the customer worth today: what
is the CLV margin multiplier? (Gupta & Lehmann: the customer pays the margin at the end of each year they
stay, so the first margin already needs one retention and one year of discounting.)"""
    template = "multiplier = ____"
    variables = ["multiplier"]
    setup_code = SETUP
    hints = [
        "CLV = Σ_t m r^t / (1+d)^t − AC, summed over t = 1, 2, ...: a geometric series.",
        "The sum of (r/(1+d))^t from t = 1 is r / (1 + d − r).",
    ]
    solution_text = (
        "Multiplier = r / (1 + d − r) = 0.85 / 0.27 ≈ 3.15 years of margin. `clv_multiplier(0.85, "
        "0.12)` gives the same."
    )
    solution_code = "multiplier = 0.85 / (1 + 0.12 - 0.85)"
    decimals = 2  # the solution quotes ≈ 3.15
    wrong_examples = [
        ("multiplier = 0.85 / (1 - 0.85)", "discount"),
        ("multiplier = (1 + 0.12) / (1 + 0.12 - 0.85)", "first margin"),
    ]

    def expected(self):
        return clv_multiplier(0.85, 0.12)

    def mistakes(self):
        r, d = 0.85, 0.12
        return [
            (
                r / (1 - r),
                "that is r / (1 − r), the expected number of further years without any "
                "discounting: divide by (1 + d − r) so later margins count for less.",
            ),
            (
                (1 + d) / (1 + d - r),
                "that counts a margin paid today as well (t = 0): in this formula the "
                "first margin comes after one year, if the customer stays (t = 1).",
            ),
            (1 / (1 + d - r), "the numerator is r: the customer must first stay a year to pay a margin."),
            (r / (d - r), "the denominator is 1 + d − r, not d − r."),
        ]


# --------------------------------------------------------------------------------------------------
# 2. a CLV function


def _clv(margin, retention, discount, acquisition_cost):
    return customer_lifetime_value(margin, retention, discount, acquisition_cost=acquisition_cost)


class ClvFunction(FunctionQuestion):
    statement = """Write a function `clv(margin, retention, discount, acquisition_cost)` for the
infinite-horizon customer lifetime value of Gupta & Lehmann (2003): a margin `margin` per year while the
customer stays, retention rate `retention`, discount rate `discount` (both as shares, e.g. 0.1), minus what it
cost to acquire the customer. It is checked on hidden test cases."""
    template = "def clv(margin, retention, discount, acquisition_cost):\n    return ____"
    variables = ["clv"]
    setup_code = SETUP
    hints = [
        "Use the multiplier of Question 1: CLV = m · r / (1 + d − r) − AC.",
        "The acquisition cost is paid once, up front: subtract it after multiplying, do not multiply it.",
    ]
    solution_text = "CLV = m · r / (1 + d − r) − AC (`customer_lifetime_value` in crm_theory does the same)."
    solution_code = (
        "def clv(margin, retention, discount, acquisition_cost):\n"
        "    return margin * retention / (1 + discount - retention) - acquisition_cost"
    )
    wrong_examples = [
        (
            "def clv(margin, retention, discount, acquisition_cost):\n"
            "    return margin * retention / (1 + discount - retention)",
            "acquisition cost",
        ),
        (
            "def clv(margin, retention, discount, acquisition_cost):\n"
            "    return margin * retention / (1 - retention) - acquisition_cost",
            "discount",
        ),
        ("def clv(margin, retention, discount, acquisition_cost):\n    return ____", "still returns ____"),
    ]

    decimals = 2  # money: a CLV rounded to cents passes

    def reference(self, margin, retention, discount, acquisition_cost):
        return _clv(margin, retention, discount, acquisition_cost)

    def cases(self):
        return [
            (100.0, 0.8, 0.1, 50.0),
            (250.0, 0.9, 0.08, 300.0),
            (40.0, 0.6, 0.15, 0.0),
            (1200.0, 0.75, 0.12, 900.0),
            (80.0, 0.95, 0.1, 120.0),
        ]

    def mistakes(self):
        return [
            (
                lambda m, r, d, ac: m * r / (1 + d - r),
                "you forgot the acquisition cost: subtract it once from the discounted margins.",
            ),
            (
                lambda m, r, d, ac: m * r / (1 + d - r) + ac,
                "the acquisition cost is a cost: subtract it, do not add it.",
            ),
            (
                lambda m, r, d, ac: m * r / (1 - r) - ac,
                "without the discount rate the later margins count in full: use r / (1 + d − r).",
            ),
            (
                lambda m, r, d, ac: m * (1 + d) / (1 + d - r) - ac,
                "that counts a margin today (t = 0) as well; the first margin comes after a year: r / (1 + d − r).",
            ),
            (
                lambda m, r, d, ac: (m - ac) * r / (1 + d - r),
                "the acquisition cost is paid once, up front: subtract it after multiplying the margin.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 3. historical profit


def _historical_profit() -> pd.Series:
    table = historical_customer_profit(
        log, margin_rate=MARGIN, cost_per_transaction=COST_PER_ORDER, acquisition_cost=marketing
    )
    return table["profit"]


class HistoricalProfit(SeriesQuestion):
    statement = """Historical profit (历史利润) is the first part of CLP: what each customer has earned the firm
so far. Compute it for the eight customers in `log`: gross margin on their purchases (`MARGIN` × revenue),
minus the cost of serving their orders (`COST_PER_ORDER` per purchase, one row of `log` each), minus the
marketing spent on them (`marketing`, a Series by `customer_id`). Answer with a Series indexed by
`customer_id`."""
    template = "profit = ____"
    variables = ["profit"]
    setup_code = SETUP
    hints = [
        "Group `log` by customer_id: the revenue is the sum of `amount`, the number of orders the count "
        "of rows.",
        "profit = MARGIN × revenue − COST_PER_ORDER × orders − marketing (pandas aligns the Series by "
        "customer_id).",
        "`historical_customer_profit(log, margin_rate=MARGIN, cost_per_transaction=COST_PER_ORDER, "
        "acquisition_cost=marketing)` does it all.",
    ]
    solution_text = (
        "Gross margin minus the cost to serve minus marketing. Some customers made one small "
        "purchase and cost more than they brought in: their historical profit is negative."
    )
    solution_code = (
        "by_customer = log.groupby('customer_id')['amount']\n"
        "profit = MARGIN * by_customer.sum() - COST_PER_ORDER * by_customer.size() - marketing"
    )
    wrong_examples = [
        (
            "by_customer = log.groupby('customer_id')['amount']\n"
            "profit = MARGIN * by_customer.sum() - COST_PER_ORDER * by_customer.size()",
            "marketing",
        ),
        (
            "by_customer = log.groupby('customer_id')['amount']\n"
            "profit = by_customer.sum() - COST_PER_ORDER * by_customer.size() - marketing",
            "margin",
        ),
    ]
    decimals = 2  # money: profits rounded to cents pass

    def expected(self):
        return _historical_profit()

    def mistakes(self):
        grouped = log.groupby("customer_id")["amount"]
        revenue, orders = grouped.sum(), grouped.size().astype(float)
        return [
            (
                MARGIN * revenue - COST_PER_ORDER * orders,
                "you left out the marketing spent on each customer (`marketing`): it is part of their cost.",
            ),
            (
                MARGIN * revenue - marketing,
                "you left out the cost of serving the orders: COST_PER_ORDER for each purchase (row of `log`).",
            ),
            (
                revenue - COST_PER_ORDER * orders - marketing,
                "profit starts from the gross margin, MARGIN × revenue, not from the revenue itself.",
            ),
            (
                MARGIN * revenue,
                "that is the gross margin only: subtract the cost to serve and the marketing.",
            ),
            (
                MARGIN * revenue - COST_PER_ORDER - marketing,
                "the cost to serve is per order: multiply COST_PER_ORDER by each customer's number of purchases.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 4. 80/20


def _revenue() -> pd.Series:
    return market_log.groupby("customer_id")["amount"].sum()


class TopShare(NumberQuestion):
    statement = """The 80/20 principle (二八法则). In `market_log` (the whole simulated market), what share of
the revenue do the top 20% of customers give? Rank customers by their total revenue; the top 20% are the
`n // 5` customers with the highest revenue, where n is the number of customers in the log. Answer as a share
(e.g. 0.6 for 60%)."""
    template = "top20_share = ____"
    variables = ["top20_share"]
    setup_code = SETUP
    hints = [
        "First total the revenue of each customer: `market_log.groupby('customer_id')['amount'].sum()`.",
        "Sort those totals from the largest down, take the first n // 5 and divide their sum by the total.",
        "`top_share(revenue, 0.2)` from crm_theory reads the same figure off the Lorenz curve.",
    ]
    solution_text = (
        "About 78% of the revenue comes from a fifth of the customers: a little more than the 73% "
        "Kim, Singh & Winer (2017) found for real brands on average, and short of a literal 80%."
    )
    solution_code = (
        "revenue = market_log.groupby('customer_id')['amount'].sum()\n"
        "top = revenue.sort_values(ascending=False).head(len(revenue) // 5)\n"
        "top20_share = top.sum() / revenue.sum()"
    )
    wrong_examples = [
        (
            "revenue = market_log.groupby('customer_id')['amount'].sum()\n"
            "top20_share = revenue.sort_values().head(len(revenue) // 5).sum() / revenue.sum()",
            "smallest",
        ),
        ("top20_share = 0.2", "share of customers"),
    ]
    decimals = 2  # a share to the percentage point, e.g. 0.72

    def expected(self):
        revenue = _revenue()
        return float(revenue.sort_values(ascending=False).head(len(revenue) // 5).sum() / revenue.sum())

    def evaluate(self, answers):
        # reading the share off the Lorenz curve (crm_theory.top_share) is just as right
        name = self.variables[0]
        try:
            return super().evaluate(answers)
        except Incorrect:
            if self.matches(as_number(answers[name], name), top_share(_revenue(), 0.2)):
                return None
            raise

    def mistakes(self):
        revenue = _revenue()
        n = len(revenue) // 5
        amounts = market_log["amount"]
        return [
            (
                revenue.sort_values().head(n).sum() / revenue.sum(),
                "you took the customers with the smallest revenue: sort from the largest down "
                "(`ascending=False`).",
            ),
            (0.2, "0.2 is the share of customers; the question asks for their share of revenue."),
            (
                amounts.sort_values(ascending=False).head(len(amounts) // 5).sum() / amounts.sum(),
                "that is the top 20% of purchases, not of customers: total each customer's revenue first.",
            ),
            (
                100 * revenue.sort_values(ascending=False).head(n).sum() / revenue.sum(),
                "give the share as a fraction (e.g. 0.6), not a percentage.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 5. BG/NBD on CDNOW


@lru_cache(maxsize=1)
def _calibration() -> pd.DataFrame:
    return calibration_holdout_summary(cdnow, CALIBRATION_END, time_unit="week", occasion="day")


@lru_cache(maxsize=1)
def _bgnbd() -> BetaGeoModel:
    return BetaGeoModel().fit(_calibration())


class BgnbdR(NumberQuestion):
    statement = f"""Fit the BG/NBD model (Fader, Hardie & Lee 2005) to the CDNOW sample `cdnow` as the
chapter does: calibration period (校准期) up to `CALIBRATION_END` = {CALIBRATION_END} (39 weeks), time measured
in weeks counted from days as the paper does (`occasion='day'`). What is the fitted shape parameter r of the purchase-rate distribution?"""
    template = (
        "cal = calibration_holdout_summary(cdnow, CALIBRATION_END, time_unit='week', occasion='day')\n"
        "bgnbd = ____\n"
        "bgnbd_r = ____"
    )
    variables = ["bgnbd_r"]
    setup_code = SETUP
    hints = [
        "`BetaGeoModel().fit(cal)` returns the fitted model.",
        "The fitted parameters are `bgnbd.r_`, `bgnbd.alpha_`, `bgnbd.a_`, `bgnbd.b_` (or `bgnbd.params_`).",
    ]
    solution_text = (
        "r ≈ 0.243, α ≈ 4.41 weeks, a ≈ 0.79, b ≈ 2.43: the published estimates. r well below 1 "
        "means purchase rates are very unequal across customers; r/α ≈ 0.055 purchases a week is the "
        "mean rate of a live customer."
    )
    solution_code = (
        "cal = calibration_holdout_summary(cdnow, CALIBRATION_END, time_unit='week', occasion='day')\n"
        "bgnbd = BetaGeoModel().fit(cal)\n"
        "bgnbd_r = bgnbd.r_"
    )
    wrong_examples = [
        (
            "bgnbd = BetaGeoModel().fit(purchase_summary(cdnow, time_unit='week', occasion='day'))\n"
            "bgnbd_r = bgnbd.r_",
            "calibration period",
        ),
        (
            "bgnbd = BetaGeoModel().fit(calibration_holdout_summary(cdnow, CALIBRATION_END, "
            "occasion='day'))\nbgnbd_r = bgnbd.alpha_",
            "alpha",
        ),
    ]
    decimals = 3  # the solution quotes r ≈ 0.243
    tolerance = 1e-3  # fits by different optimisers agree to about this

    def expected(self):
        return _bgnbd().r_

    def mistakes(self):
        model = _bgnbd()
        return [
            (
                _whole_period_r(),
                "you fitted all 78 weeks: fit on the 39-week calibration period only (up to "
                "CALIBRATION_END), so the holdout period stays unseen.",
            ),
            (model.alpha_, "that is alpha, the scale of the purchase-rate distribution; r is its shape."),
            (model.a_, "that is a, a parameter of the dropout distribution; r is the purchase-rate shape."),
            (model.b_, "that is b, a parameter of the dropout distribution; r is the purchase-rate shape."),
        ]


@lru_cache(maxsize=1)
def _whole_period_r() -> float:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BetaGeoModel().fit(purchase_summary(cdnow, time_unit="week", occasion="day")).r_


# --------------------------------------------------------------------------------------------------
# 6. P(alive)


_ORDERS = {"a": ("A", "B", "C"), "c": ("C", "B", "A"), "d": ("B", "A", "C")}


class PAlive(ChoiceQuestion):
    statement = """`three_customers` describes three customers at the end of the calibration period, in
weeks since their first purchase: A made 8 repeat purchases, B one, C none (C bought once, 27 weeks ago). A's
and B's last purchase was in week 12 of 39, so all three have gone 27 weeks without buying. Use the model you
fitted in Question 5 (`bgnbd.conditional_probability_alive(three_customers)`). Which is true?

- **a** P(alive) of A > B > C: the customer who bought most is the most likely to be still active
- **b** P(alive) is the same for all three: they have the same recency
- **c** P(alive) of C > B > A
- **d** P(alive) of B > A > C

Answer with the letter, as a string."""
    template = "p_alive = ____  # bgnbd.conditional_probability_alive(three_customers)\npalive_answer = ____"
    variables = ["palive_answer"]
    setup_code = SETUP
    options = {"a": "A > B > C", "b": "all equal", "c": "C > B > A", "d": "B > A > C"}
    hints = [
        "Compute it: `bgnbd.conditional_probability_alive(three_customers)` with the model of Question 5.",
        "For a frequent buyer, a long silence is unusual, so it is strong evidence of dropping out.",
        "In BG/NBD a customer can drop out only right after a repeat purchase.",
    ]
    solution_code = (
        "bgnbd = BetaGeoModel().fit(calibration_holdout_summary(cdnow, CALIBRATION_END, "
        "occasion='day'))\n"
        "p_alive = bgnbd.conditional_probability_alive(three_customers)\n"
        "palive_answer = 'c'"
    )
    wrong_examples = [("palive_answer = 'a'", "silence"), ("palive_answer = 'b'", "recency alone")]

    def _p(self) -> pd.Series:
        return _bgnbd().conditional_probability_alive(three_customers)

    @property
    def correct(self):
        p = self._p()
        order = tuple(p.sort_values(ascending=False, kind="stable").index)
        if p.nunique() == 1:
            return "b"
        matches = [key for key, option in _ORDERS.items() if option == order]
        return matches[0] if matches else "c"

    @property
    def solution_text(self):
        p = self._p()
        return (
            f"({self.correct}). P(alive) is {p['A']:.3f} for A, {p['B']:.3f} for B and {p['C']:.3f} for C. "
            "Same recency, different evidence: A used to buy about every week and a half, so 27 silent "
            "weeks almost surely mean A has dropped out; B bought rarely, so the silence says less. C is the "
            "model's quirk: without a repeat purchase BG/NBD cannot have dropped out (drop-out happens only "
            "right after a repeat purchase), so P(alive) = 1; C's low purchase rate shows up in its expected "
            "purchases instead."
        )

    @property
    def feedback(self):
        p = self._p()
        text = {
            "a": (
                f"the model says the opposite for A (P(alive) = {p['A']:.3f}): for a frequent buyer a long "
                "silence is telling. Compute it."
            ),
            "b": (
                "P(alive) depends on recency and frequency together, not on recency alone: compute it for "
                "the three customers."
            ),
            "c": (
                f"P(alive): C {p['C']:.3f}, B {p['B']:.3f}, A {p['A']:.3f}. C is 1 by construction: in "
                "BG/NBD a customer drops out only after a repeat purchase."
            ),
            "d": (
                f"check C: P(alive) = {p['C']:.3f}. In BG/NBD a customer without repeat purchases has not "
                "had a chance to drop out."
            ),
        }
        return text


# --------------------------------------------------------------------------------------------------
# 7. the value matrix


class ValueMatrix(ChoiceQuestion):
    statement = """The value matrix (客户价值矩阵) crosses current value with potential value, both forward-looking.
A customer of the simulated market made a large profit for the firm in the last 26 weeks, so carried forward
(their current value) they are in the top tenth. But a wallet survey finds they already buy almost everything in
the category at the firm: there is little unearned wallet left (potential value below the median). Which
strategy does the value matrix (`value_matrix`, median split) give for this customer?

- **a** invest: a key customer, grow the relationship with priority resources
- **b** retain: keep and serve efficiently, protect the current profit
- **c** develop: grow share of wallet, cross-sell and up-sell
- **d** maintain at low cost: standard service, automated contact, or let go

Answer with the letter, as a string."""
    template = "matrix_answer = ____"
    variables = ["matrix_answer"]
    setup_code = SETUP
    options = {"a": "invest", "b": "retain", "c": "develop", "d": "maintain at low cost"}
    correct = "b"
    hints = [
        "Place the customer on each axis first: current value (the next period if they go on as now), "
        "potential value (what more they could bring).",
        "High current value, low potential value: which quadrant, and what does the chapter's table say?",
    ]
    solution_text = (
        "(b). High current value (top tenth), low potential value (little wallet left to win): protect the "
        "current profit and serve efficiently, rather than spend on growth that is not there. "
        "`value_matrix(current, potential)` labels this quadrant 'high current, low potential'."
    )
    solution_code = "matrix_answer = 'b'"
    feedback = {
        "a": "invest is for high current AND high potential value; this customer has little wallet left to win.",
        "b": "High current, low potential: retain efficiently.",
        "c": "develop is for low current, high potential customers: the other way round.",
        "d": "this customer's current value is in the top tenth: the matrix does not put them with the "
        "low-current customers.",
    }
    wrong_examples = [("matrix_answer = 'a'", "little wallet"), ("matrix_answer = 'c'", "other way round")]


# --------------------------------------------------------------------------------------------------
# 8. build on value: rank customers by forward-looking value

#: the week the firm decides, and the length of a period (weeks): 26 weeks before, 13 after
DECISION_WEEK = 39


def _period_profit(log: pd.DataFrame) -> pd.Series:
    orders = log.groupby("customer_id")["amount"].agg(["sum", "size"])
    return MARGIN * orders["sum"] - COST_PER_ORDER * orders["size"]


def _value_based_share(current: pd.Series | None = None) -> float:
    last = market_log[market_log["week"].between(DECISION_WEEK - 25, DECISION_WEEK)]
    after = market_log[market_log["week"] > DECISION_WEEK]
    current = _period_profit(last) if current is None else current
    following = _period_profit(after).reindex(current.index, fill_value=0.0)
    top = current.sort_values(ascending=False).head(len(current) // 5).index
    return float(following[top].sum() / following.sum())


class BuildOnValue(NumberQuestion):
    statement = """Build on value (树立"价值为本"的理念): the textbook chapter on the loyalty model advises a firm to
manage by customer value, not by satisfaction alone. At week `DECISION_WEEK` (39) the firm of `market_log`
decides whom to serve first, by current value: each customer's profit in the last 26 weeks (weeks 14-39), that
is `MARGIN` × spend − `COST_PER_ORDER` × orders, the run rate of a customer who goes on as now. Take the customers
who bought in weeks 14-39 and the fifth of them (`n // 5`) with the highest current value. What share of those
customers' total profit in the following weeks (40-52) do they bring? Answer as a share (e.g. 0.6)."""
    template = "current = ____\nvalue_share = ____"
    variables = ["value_share"]
    setup_code = SETUP
    hints = [
        "Select weeks 14-39 with `market_log['week'].between(14, 39)`, then group by customer: "
        "`.agg(['sum', 'size'])` gives spend and orders.",
        "Compute the same profit for weeks 40-52, for the same customers (`reindex(current.index, "
        "fill_value=0)`: some buy nothing later).",
        "Take the n // 5 highest current values and divide their later profit by the later profit of all.",
    ]
    solution_text = (
        "Almost two thirds (0.632) of the next weeks' profit comes from the fifth of customers with the "
        "highest current value: a firm that ranks by value puts its effort where the next period's profit is. "
        "Satisfaction cannot tell it that: a satisfied customer with a small wallet brings little."
    )
    solution_code = (
        "def period_profit(log):\n"
        "    orders = log.groupby('customer_id')['amount'].agg(['sum', 'size'])\n"
        "    return MARGIN * orders['sum'] - COST_PER_ORDER * orders['size']\n"
        "\n"
        "current = period_profit(market_log[market_log['week'].between(14, 39)])\n"
        "later = period_profit(market_log[market_log['week'] > 39]).reindex(current.index, fill_value=0)\n"
        "top = current.sort_values(ascending=False).head(len(current) // 5).index\n"
        "value_share = later[top].sum() / later.sum()"
    )
    wrong_examples = [
        ("current = ____\nvalue_share = 0.2", "share of customers"),
        (
            "current = market_log[market_log['week'].between(14, 39)].groupby('customer_id')['amount'].sum()\n"
            "later = market_log[market_log['week'] > 39].groupby('customer_id')['amount'].sum()"
            ".reindex(current.index, fill_value=0)\n"
            "value_share = later[current.nlargest(len(current) // 5).index].sum() / later.sum()",
            "revenue",
        ),
    ]
    decimals = 3  # the revenue-based share differs from the answer in the third decimal

    def expected(self):
        return _value_based_share()

    def mistakes(self):
        last = market_log[market_log["week"].between(14, DECISION_WEEK)]
        after = market_log[market_log["week"] > DECISION_WEEK]
        spend = last.groupby("customer_id")["amount"].sum()
        later_spend = after.groupby("customer_id")["amount"].sum().reindex(spend.index, fill_value=0.0)
        revenue_share = later_spend[spend.nlargest(len(spend) // 5).index].sum() / later_spend.sum()
        history = _period_profit(market_log[market_log["week"] <= DECISION_WEEK])
        return [
            (0.2, "0.2 is the share of customers; the question asks for their share of later profit."),
            (
                revenue_share,
                "that is a share of revenue: value here is profit, MARGIN × spend − COST_PER_ORDER × orders.",
            ),
            (
                _value_based_share(history),
                "that ranks by historical profit since week 0 (and takes in customers who stopped buying "
                "before week 14): current value looks at the last 26 weeks only.",
            ),
        ]


q1 = Multiplier("Question 1 (CLV multiplier)")
q2 = ClvFunction("Question 2 (a CLV function)")
q3 = HistoricalProfit("Question 3 (historical profit)")
q4 = TopShare("Question 4 (80/20)")
q5 = BgnbdR("Question 5 (BG/NBD on CDNOW)")
q6 = PAlive("Question 6 (P(alive))")
q7 = ValueMatrix("Question 7 (value matrix)")
q8 = BuildOnValue("Question 8 (build on value)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]

__all__ = [
    "CALIBRATION_END",
    "COST_PER_ORDER",
    "DECISION_WEEK",
    "MARGIN",
    "BetaGeoModel",
    "calibration_holdout_summary",
    "cdnow",
    "clv_multiplier",
    "customer_lifetime_value",
    "historical_customer_profit",
    "log",
    "market_log",
    "marketing",
    "np",
    "pd",
    "purchase_summary",
    "three_customers",
    "top_share",
    "value_matrix",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
