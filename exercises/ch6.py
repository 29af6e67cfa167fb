"""Exercises for chapter 6 · One-to-one marketing (docs/crm-theory-reference.md §6, and §4 for customer tiers)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crm_theory import customer_tiers, share_of_wallet
from exercises.core import (
    FunctionQuestion,
    Incorrect,
    MatchingQuestion,
    NotAttempted,
    NumberQuestion,
    SeriesQuestion,
    ____,
    as_number,
    is_blank,
)
from simulation import CustomerLifecycleModel, Stage, compare_strategies

TITLE = "Exercises · Chapter 6 · One-to-one marketing"
NOTEBOOK = "06_one_to_one_exercises.ipynb"
INTRO = """
Practise one-to-one marketing (一对一营销): share of wallet (客户份额) against market share (市场份额), the
growth potential of a customer's wallet, IDIC (identify, differentiate, interact, customise), customer tiers
(客户等级) and the progression from mass marketing to one-to-one marketing.

The data come from a seeded simulation of a firm using the `one_to_one` strategy in a market of 600 people
for a year (vector engine). `survey` is a perfect wallet survey of everyone in the market at the end of the
year, indexed by `customer_id` (a person's id): `category_spend`, what the person spends per week in the
category at all firms together (their wallet), `firm_spend`, what they spend per week at our firm, and
`customer`, whether they are a current customer. `wallets` is its first six current customers. `accounts`
holds, for everyone who was ever a customer, their `revenue`, number of `orders` and the `marketing_cost`
spent on them; the gross margin is `MARGIN` (a share of revenue) and serving an order costs `COST_PER_ORDER`
CU. Chapter 6 of the course (`notebooks/06_one_to_one.ipynb`) covers everything you need.
"""

SETUP = "from exercises.ch6 import *\n"
RUN = {"strategy": "one_to_one", "seed": 6, "n_people": 600, "weeks": 52, "engine": "vector"}
LADDER = ["mass", "targeted", "needs_based", "one_to_one"]
EXPERIMENT = {"replications": 3, "seed": 8, "n_people": 600, "weeks": 60, "engine": "vector"}


def _simulate():
    model = CustomerLifecycleModel(**RUN)
    result = model.run()
    people = model.people
    stage = people.field("stage")
    current = (stage >= Stage.IDENTIFICATION) & (stage <= Stage.DECLINE)
    wallet = people.field("need") * (1 + model.p.cross_sell_uplift * people.field("cross_sells"))
    firm = np.where(current, people.field("share_of_wallet") * wallet, 0.0)
    ids = pd.Index(np.arange(model.p.n_people), name="customer_id")
    survey = pd.DataFrame({"category_spend": wallet, "firm_spend": firm, "customer": current}, index=ids)
    customers = result.customers.set_index("customer_id")
    orders = result.transactions.groupby("customer_id").size().reindex(customers.index).fillna(0).astype(int)
    accounts = pd.DataFrame(
        {"revenue": customers["revenue"], "orders": orders, "marketing_cost": customers["marketing_cost"]}
    )
    return survey, accounts, result.parameters


survey, accounts, _parameters = _simulate()
wallets = survey.loc[survey["customer"], ["category_spend", "firm_spend"]].head(6)
MARGIN = float(_parameters.margin)
COST_PER_ORDER = float(_parameters.cost_per_order)


# --------------------------------------------------------------------------------------------------
# 1. share of wallet


class ShareOfWallet(SeriesQuestion):
    statement = """Share of wallet (客户份额, 钱包份额) is the firm's share of a customer's spending in the
category. Compute it for each of the six customers in `wallets`, as a Series indexed by `customer_id`."""
    template = "sow = ____"
    variables = ["sow"]
    decimals = 3  # shares: to 0.1 percentage point
    setup_code = SETUP
    hints = [
        "One number per customer: what they spend at our firm, out of what they spend in the category.",
        "`wallets['firm_spend'] / wallets['category_spend']` (or `share_of_wallet(...)` from crm_theory).",
    ]
    solution_text = (
        "Each customer's spend at the firm divided by their own category spend. The quality of the "
        "relationship: how much of this customer's business the firm has won."
    )
    solution_code = "sow = wallets['firm_spend'] / wallets['category_spend']"
    wrong_examples = [
        ("sow = wallets['firm_spend'] / wallets['category_spend'].sum()", "own category spend"),
        ("sow = wallets['firm_spend'] / wallets['firm_spend'].sum()", "firm's sales"),
    ]

    def expected(self):
        return share_of_wallet(wallets["firm_spend"], wallets["category_spend"])

    def mistakes(self):
        firm, category = wallets["firm_spend"], wallets["category_spend"]
        return [
            (
                firm / category.sum(),
                "you divided by the category spend of all six together, a market-share "
                "view: divide each customer's firm spend by their own category spend.",
            ),
            (
                firm / firm.sum(),
                "that is each customer's share of the firm's sales; share of wallet is the "
                "firm's share of the customer's category spending.",
            ),
            (category / firm, "upside down: the firm's spend over the customer's category spend."),
            (
                1 - firm / category,
                "that is the share the customer spends at other firms: the part of the "
                "wallet the firm has not won yet.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 2. market share vs share of wallet


def _market_figures() -> pd.Series:
    customers = survey[survey["customer"]]
    return pd.Series(
        {
            "market_share": survey["firm_spend"].sum() / survey["category_spend"].sum(),
            "share_of_wallet": (customers["firm_spend"] / customers["category_spend"]).mean(),
        }
    )


class MarketShare(SeriesQuestion):
    statement = """Now the whole market in `survey`. Compute two numbers and answer with a dict
`{"market_share": ..., "share_of_wallet": ...}`:

- the firm's **market share** (市场份额): its share of all the category spending in the market, everyone
  included;
- the **mean share of wallet** of its current customers (`customer` is True), the unweighted mean over
  customers.

The textbook calls one the quantity of the market and the other its quality. Why do they differ so much?"""
    template = "figures = {'market_share': ____, 'share_of_wallet': ____}"
    variables = ["figures"]
    decimals = 3  # shares: to 0.1 percentage point
    setup_code = SETUP
    hints = [
        "Market share: total firm spend over total category spend, over all 600 people.",
        "Share of wallet: firm_spend / category_spend for each current customer, then the mean.",
        "Non-customers spend nothing at the firm but their wallets are part of the market.",
    ]
    solution_text = (
        "Market share is low because most people in the market are not customers (their whole "
        "wallet goes elsewhere); share of wallet looks only at customers and says how much of their "
        "business the firm has won. One-to-one marketing works on the second."
    )
    solution_code = (
        "customers = survey[survey['customer']]\n"
        "figures = {'market_share': survey['firm_spend'].sum() / survey['category_spend'].sum(),\n"
        "           'share_of_wallet': (customers['firm_spend'] / customers['category_spend']).mean()}"
    )
    wrong_examples = [
        (
            "customers = survey[survey['customer']]\n"
            "figures = {'market_share': customers['firm_spend'].sum() / customers['category_spend'].sum(),\n"
            "           'share_of_wallet': (customers['firm_spend'] / customers['category_spend']).mean()}",
            "everyone included",
        ),
        (
            "right = {'market_share': survey['firm_spend'].sum() / survey['category_spend'].sum(),\n"
            "         'share_of_wallet': (survey['firm_spend'] / survey['category_spend']).mean()}\n"
            "figures = right",
            "current customers only",
        ),
    ]

    def evaluate(self, answers):
        name = self.variables[0]
        value = answers[name]
        if isinstance(value, pd.Series):
            value = value.to_dict()
        keys = list(_market_figures().index)
        if not isinstance(value, dict) or set(value) != set(keys):
            raise Incorrect(f"`{name}` should be a dict with the keys {keys}")
        if any(is_blank(v) for v in value.values()):
            raise NotAttempted(f"Replace each ____ in `{name}` with a number.")
        given = pd.Series({key: as_number(value[key], f"{name}['{key}']") for key in keys})

        def matches(target: pd.Series) -> bool:
            return bool(
                np.allclose(
                    given.to_numpy(),
                    target.loc[keys].to_numpy(dtype=float),
                    rtol=self.tolerance,
                    atol=self.absolute_tolerance,
                )
            )

        right = self.expected()
        if matches(right):
            return None
        for wrong, message in self.mistakes():
            if matches(wrong):
                raise Incorrect(message)
        # name the wrong figure without giving its value away
        wrong = [
            key
            for key in keys
            if not np.isclose(given[key], right[key], rtol=self.tolerance, atol=self.absolute_tolerance)
        ]
        raise Incorrect(f"`{name}['{wrong[0]}']` is not right. `q2.hint()` helps.")

    def expected(self):
        return _market_figures()

    def mistakes(self):
        right = _market_figures()
        customers = survey[survey["customer"]]
        weighted = customers["firm_spend"].sum() / customers["category_spend"].sum()
        everyone = (survey["firm_spend"] / survey["category_spend"]).mean()
        return [
            (
                right.rename({"market_share": "share_of_wallet", "share_of_wallet": "market_share"}),
                "the two numbers are swapped: market share is the smaller one here, over the whole market.",
            ),
            (
                right.where(right.index != "market_share", weighted),
                "your market share counts only the customers' wallets: market share is over the whole market, "
                "everyone included (non-customers' spending goes to competitors).",
            ),
            (
                right.where(right.index != "share_of_wallet", everyone),
                "your share of wallet averages over everyone, non-customers too (who give the firm 0): average "
                "over current customers only.",
            ),
            (
                right.where(right.index != "share_of_wallet", weighted),
                "that share of wallet is weighted by wallet size (total over total); the question asks for the "
                "unweighted mean over customers.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 3. growth potential


def _growth(firm_spend, category_spend, margin):
    return (category_spend - firm_spend) * margin * 52


class GrowthPotential(FunctionQuestion):
    statement = """The most growable customers (最具增长潜力客户) are those with much of their wallet still
spent elsewhere. Write a function `growth_potential(firm_spend, category_spend, margin)` that takes two
Series of weekly spending (indexed by customer) and the gross margin, and returns each customer's growth
potential: the margin the firm would earn **in a year (52 weeks)** if it won the rest of the customer's
wallet. It is checked on hidden test cases."""
    template = "def growth_potential(firm_spend, category_spend, margin):\n    return ____"
    variables = ["growth_potential"]
    decimals = 2  # money: to the cent
    setup_code = SETUP
    hints = [
        "The part of the wallet the firm has not won is category spend minus firm spend, per week.",
        "Turn it into margin (× margin) and into a year (× 52).",
    ]
    solution_text = (
        "(category − firm) × margin × 52: equivalently (1 − share of wallet) × wallet × margin × 52, "
        "the measure the chapter uses to tier customers."
    )
    solution_code = (
        "def growth_potential(firm_spend, category_spend, margin):\n"
        "    return (category_spend - firm_spend) * margin * 52"
    )
    wrong_examples = [
        (
            "def growth_potential(firm_spend, category_spend, margin):\n"
            "    return (category_spend - firm_spend) * margin",
            "52",
        ),
        (
            "def growth_potential(firm_spend, category_spend, margin):\n    return firm_spend * margin * 52",
            "already earns",
        ),
    ]

    def reference(self, firm_spend, category_spend, margin):
        return _growth(firm_spend, category_spend, margin)

    def cases(self):
        rng = np.random.default_rng(6)
        category = pd.Series(
            rng.lognormal(3.0, 0.6, 12), index=pd.Index(np.arange(201, 213), name="customer_id")
        )
        firm = category * rng.uniform(0, 1, 12)
        return [(wallets["firm_spend"], wallets["category_spend"], MARGIN), (firm, category, 0.25)]

    def mistakes(self):
        return [
            (lambda f, c, m: (c - f) * m, "that is per week: multiply by 52 for a year."),
            (
                lambda f, c, m: f * m * 52,
                "that is the margin the firm already earns; growth potential is the "
                "part of the wallet still spent elsewhere.",
            ),
            (lambda f, c, m: (c - f) * 52, "that is spending, not margin: multiply by the margin."),
            (
                lambda f, c, m: c * m * 52,
                "that is the whole wallet's margin: subtract what the firm already gets.",
            ),
            (
                lambda f, c, m: (1 - f / c) * m * 52,
                "that is the share of the wallet still open, not its "
                "size: multiply the open share by the category spend.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 4. IDIC


_IDIC = ("identify", "differentiate", "interact", "customise")
_SYNONYMS = {
    "identification": "identify",
    "识别": "identify",
    "differentiation": "differentiate",
    "差异化": "differentiate",
    "interaction": "interact",
    "互动": "interact",
    "customize": "customise",
    "customisation": "customise",
    "customization": "customise",
    "客户化": "customise",
    "定制": "customise",
}


class Idic(MatchingQuestion):
    statement = """Peppers, Rogers & Dorf's IDIC: identify (识别), differentiate (差异化), interact (互动),
customise (客户化/定制). Which task is each firm working on? Answer with a dict from situation to task, using
the words `'identify'`, `'differentiate'`, `'interact'`, `'customise'`.

- **s1** A bookshop has served walk-in buyers for years without knowing which purchases belong to the same
  person. It launches a membership card that records every purchase under the buyer's name.
- **s2** An insurer ranks its policy holders by lifetime value and sorts them into needs groups (young
  families, small businesses, retirees) before deciding what each group is offered.
- **s3** A bank adviser calls a valuable client the bank knows little about, picks up from the client's last
  branch visit, and notes what the client says about plans to buy a house.
- **s4** An online shop uses what it has learned about one customer's sizes, taste and past returns to put
  together an offer made for that customer alone."""
    template = "idic = {'s1': ____, 's2': ____, 's3': ____, 's4': ____}"
    variables = ["idic"]
    setup_code = SETUP
    answers = {"s1": "identify", "s2": "differentiate", "s3": "interact", "s4": "customise"}
    item_feedback = {
        (
            "s1",
            "differentiate",
        ): "s1: you cannot rank customers you cannot tell apart. Before the card, the firm "
        "does not know who its customers are.",
        ("s1", "interact"): "s1: the card does not start a dialogue; it lets the firm know who bought what.",
        ("s1", "customise"): "s1: nothing is tailored yet; the firm first has to know who its customers are.",
        (
            "s2",
            "identify",
        ): "s2: the insurer already knows its policy holders by name; it is telling them apart "
        "by value and by needs.",
        ("s2", "interact"): "s2: no contact is made; ranking by value and grouping by needs is analysis.",
        ("s2", "customise"): "s2: offers per group come later; ranking and grouping customers is the step "
        "before.",
        ("s3", "identify"): "s3: the client is already known; the call is a dialogue that continues from the "
        "last contact.",
        ("s3", "differentiate"): "s3: the client has already been singled out as valuable; the call is the "
        "dialogue that teaches the bank about them.",
        ("s3", "customise"): "s3: nothing is tailored yet: the adviser is learning the client's needs (the "
        "learning relationship starts with a conversation).",
        ("s4", "identify"): "s4: the shop knows this customer well already; it is using what it has learned.",
        ("s4", "differentiate"): "s4: not a group or a ranking: one offer for one customer.",
        ("s4", "interact"): "s4: the learning has happened; turning it into an offer for one person is the "
        "last step.",
    }
    hints = [
        "IDIC runs in order: you must know who the customers are before ranking them, talk to them before "
        "you can tailor anything.",
        "Differentiate = tell customers apart (by value and by needs); interact = a cost-effective "
        "dialogue that continues from the last contact; customise = adapt the offer to one customer.",
    ]
    solution_text = (
        "s1 identify (knowing who the customers are), s2 differentiate (by value and by needs), "
        "s3 interact (a dialogue continued from the last contact, which teaches the firm), s4 "
        "customise (an offer built from what was learned)."
    )
    solution_code = "idic = {'s1': 'identify', 's2': 'differentiate', 's3': 'interact', 's4': 'customise'}"
    wrong_examples = [
        (
            "idic = {'s1': 'differentiate', 's2': 'identify', 's3': 'interact', 's4': 'customise'}",
            "tell apart",
        ),
        (
            "idic = {'s1': 'identify', 's2': 'differentiate', 's3': 'interact', 's4': ____}",
            "Replace the ____",
        ),
    ]

    synonyms = _SYNONYMS
    retry = "Reread the IDIC table of the chapter."

    def evaluate(self, answers):
        super().evaluate(answers)
        return "Identify, differentiate, interact, customise: each step needs the one before."


# --------------------------------------------------------------------------------------------------
# 5. below-zero customers


def _profit() -> pd.Series:
    return MARGIN * accounts["revenue"] - COST_PER_ORDER * accounts["orders"] - accounts["marketing_cost"]


class BelowZero(NumberQuestion):
    statement = """Customer tiers (客户等级): Peppers & Rogers' below-zero customers (负值客户) cost the firm more
than they bring in. Using `accounts`, compute each customer's historical profit (`MARGIN` × revenue −
`COST_PER_ORDER` × orders − marketing cost) and count the below-zero customers: how many have a profit below
0? (`customer_tiers(profit, growth)` from crm_theory labels them 'below zero'.)"""
    template = "profit = ____\nbelow_zero = ____"
    variables = ["below_zero"]
    setup_code = SETUP
    hints = [
        "profit = MARGIN * accounts['revenue'] - COST_PER_ORDER * accounts['orders'] - "
        "accounts['marketing_cost']",
        "Count with `(profit < 0).sum()`.",
    ]
    solution_text = (
        "A large minority of the customers are below zero: most of them made a few small purchases "
        "that did not cover the cost of serving them and the marketing spent on them."
    )
    solution_code = (
        "profit = MARGIN * accounts['revenue'] - COST_PER_ORDER * accounts['orders'] "
        "- accounts['marketing_cost']\n"
        "below_zero = (profit < 0).sum()"
    )
    wrong_examples = [
        (
            "profit = MARGIN * accounts['revenue'] - COST_PER_ORDER * accounts['orders']\n"
            "below_zero = (profit < 0).sum()",
            "marketing",
        ),
        (
            "profit = MARGIN * accounts['revenue'] - COST_PER_ORDER * accounts['orders'] "
            "- accounts['marketing_cost']\n"
            "below_zero = (profit < 0).mean()",
            "count",
        ),
    ]

    def expected(self):
        return float((_profit() < 0).sum())

    def mistakes(self):
        a = accounts
        profit = _profit()
        return [
            (
                float((MARGIN * a["revenue"] - COST_PER_ORDER * a["orders"] < 0).sum()),
                "you left out the marketing spent on each customer: a customer the firm courted with offers "
                "can be below zero even if their orders cover the cost to serve.",
            ),
            (
                float((MARGIN * a["revenue"] - a["marketing_cost"] < 0).sum()),
                "you left out the cost of serving each order (COST_PER_ORDER × orders).",
            ),
            (
                float(((a["revenue"] - COST_PER_ORDER * a["orders"] - a["marketing_cost"]) < 0).sum()),
                "profit starts from the gross margin, MARGIN × revenue, not from revenue.",
            ),
            (float((profit < 0).mean()), "that is the share of customers; give the count."),
            (float(100 * (profit < 0).mean()), "that is a percentage; give the number of customers."),
        ]


# --------------------------------------------------------------------------------------------------
# 6. the progression of marketing


@lru_cache(maxsize=1)
def _experiment() -> pd.DataFrame:
    return compare_strategies(LADDER, **EXPERIMENT)


def _ordered(metric: str, ascending: bool = False) -> pd.Series:
    table = _experiment()
    rows = table[table["metric"] == metric].sort_values("mean", ascending=ascending, kind="stable")
    return pd.Series(list(rows["strategy"]), name="strategy")


class Progression(SeriesQuestion):
    statement = """The progression of marketing in the article 《市场营销客户关系管理》 (one of the course's
sources): mass marketing (盲目大量化营销) → target marketing (目标营销) → needs-oriented marketing
(客户需求导向营销) → one-to-one marketing. First predict how the four strategies in
`LADDER` will rank on realised CLV (mean profit per customer acquired). Then run the experiment in the cell
(3 replications of a 600-person market for 60 weeks, the same budget for all, common random numbers) and give
the four strategy names as a list ordered by mean realised CLV, **highest first**. Did your prediction hold?"""
    template = (
        "table = compare_strategies(LADDER, replications=3, seed=8, n_people=600, weeks=60, engine='vector')\n"
        "clv_order = ____"
    )
    variables = ["clv_order"]
    setup_code = SETUP
    hints = [
        "Keep the rows of `table` whose `metric` is 'realised_clv'.",
        "Sort them by `mean`, highest first, and take the `strategy` column as a list.",
    ]
    solution_code = (
        "table = compare_strategies(LADDER, replications=3, seed=8, n_people=600, weeks=60, "
        "engine='vector')\n"
        "clv = table[table['metric'] == 'realised_clv']\n"
        "clv_order = list(clv.sort_values('mean', ascending=False)['strategy'])"
    )
    wrong_examples = [
        (
            "table = compare_strategies(LADDER, replications=3, seed=8, n_people=600, weeks=60, "
            "engine='vector')\n"
            "clv = table[table['metric'] == 'realised_clv']\n"
            "clv_order = list(clv.sort_values('mean')['strategy'])",
            "highest first",
        )
    ]

    @property
    def solution_text(self):
        table = _experiment()
        clv = table[table["metric"] == "realised_clv"].set_index("strategy")["mean"]
        figures = ", ".join(f"{name} {clv[name]:.1f}" for name in _ordered("realised_clv"))
        return (
            f"Mean realised CLV, CU per customer: {figures}. Three replications of a small market are "
            "a small experiment: the intervals (`ci_low`, `ci_high`) overlap, and chapter 7 shows how to "
            "compare strategies market by market."
        )

    def expected(self):
        return _ordered("realised_clv")

    def evaluate(self, answers):
        # an order: say how many are in place, without giving the right order away
        name = self.variables[0]
        value = answers[name]
        if isinstance(value, pd.Series):
            value = list(value)
        if isinstance(value, str) or not isinstance(value, list | tuple | np.ndarray):
            raise Incorrect(f"`{name}` should be a list of the four strategy names, e.g. ['mass', ...]")
        if any(is_blank(v) for v in value):
            raise NotAttempted(f"Replace every ____ in `{name}` with a strategy name.")
        order = [str(v).strip() for v in value]
        if sorted(order) != sorted(LADDER):
            raise Incorrect(f"`{name}` should hold each of {LADDER} exactly once; got {order}")
        expected = list(self.expected())
        if order == expected:
            return None
        for wrong, message in self.mistakes():
            if order == list(wrong):
                raise Incorrect(message)
        right = sum(a == b for a, b in zip(order, expected, strict=True))
        raise Incorrect(
            f"{right} of 4 are in the right place. Sort the realised_clv rows of `table` by `mean`, "
            "highest first."
        )

    def mistakes(self):
        return [
            (
                _ordered("realised_clv", ascending=True),
                "that is lowest first: order them highest first, the largest mean realised CLV at the start.",
            ),
            (
                _ordered("profit"),
                "that is the order by total profit: the question asks for realised CLV, profit per customer.",
            ),
            (
                pd.Series(LADDER[::-1]),
                "that is the textbook's progression, reversed; the experiment orders them differently. Read "
                "the realised_clv rows of `table`.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 7. the sub-items of the four-step CRM strategy

_STEP_SYNONYMS = {
    "identify": "identification",
    "customer identification": "identification",
    "客户识别": "identification",
    "differentiate": "differentiation",
    "差异化": "differentiation",
    "interact": "interaction",
    "互动": "interaction",
    "customise": "customisation",
    "customize": "customisation",
    "customization": "customisation",
    "客户化": "customisation",
}


class FourStepSubItems(MatchingQuestion):
    statement = """The article 《市场营销客户关系管理》 turns the CRM strategy into four steps, each with sub-items:
customer identification (客户识别: segment prospects, position on target customers, identify value, predict),
differentiation (差异化: stage management, service differentiation), interaction (互动: an ongoing dialogue;
analyse and refine the information it brings) and customisation (客户化). Which step is each firm doing? Answer
with a dict from situation to step, using `'identification'`, `'differentiation'`, `'interaction'`,
`'customisation'`.

- **s1** A new store sorts the people around it who have never bought by distance and household, and aims its
  opening offer at the group most like its best customers.
- **s2** A bank estimates each client's lifetime value and predicts who is likely to close their account next
  quarter.
- **s3** A telecom firm calls customers in their first three months, gives long-standing customers a loyalty
  bonus and sends a retention offer to those whose usage is falling.
- **s4** An airline gives its top-tier members a dedicated service line and everyone else the standard one.
- **s5** An online shop records which of its messages each customer answered and stops writing to customers
  who have ignored every one of them.
- **s6** A tailor keeps each client's measurements and style notes, and makes every suit to them."""
    template = "steps = {'s1': ____, 's2': ____, 's3': ____, 's4': ____, 's5': ____, 's6': ____}"
    variables = ["steps"]
    setup_code = SETUP
    answers = {
        "s1": "identification",
        "s2": "identification",
        "s3": "differentiation",
        "s4": "differentiation",
        "s5": "interaction",
        "s6": "customisation",
    }
    item_feedback = {
        ("s1", "differentiation"): "s1: these people are not customers yet; sorting prospects and choosing "
        "whom to aim at is part of identifying customers.",
        ("s2", "differentiation"): "s2: estimating value and predicting behaviour is how the firm identifies "
        "its customers' value; treating them differently comes next.",
        ("s3", "identification"): "s3: the customers are known already; a different action for each stage of "
        "the relationship is stage management.",
        (
            "s3",
            "customisation",
        ): "s3: the actions differ by stage, not customer by customer: stage management.",
        (
            "s4",
            "customisation",
        ): "s4: one service level per tier, not a service built for one person: service differentiation.",
        (
            "s5",
            "differentiation",
        ): "s5: the shop is learning from the answers to its own messages: analysing and "
        "refining the information a dialogue brings.",
        ("s6", "interaction"): "s6: the learning is done; making each suit to one client's notes is "
        "customisation.",
    }
    hints = [
        "Identification is about knowing who the customers (and would-be customers) are and what they are "
        "worth; differentiation treats groups differently.",
        "Interaction is the dialogue and what the firm learns from it; customisation uses what it learned for "
        "one customer.",
    ]
    solution_text = (
        "s1 and s2 identification (segmenting prospects and positioning; value identification and prediction), "
        "s3 and s4 differentiation (stage management; service differentiation), s5 interaction (analysing "
        "and refining feedback), s6 customisation. Chapter 6 writes each sub-item as a step of a strategy."
    )
    solution_code = (
        "steps = {'s1': 'identification', 's2': 'identification', 's3': 'differentiation', "
        "'s4': 'differentiation', 's5': 'interaction', 's6': 'customisation'}"
    )
    wrong_examples = [
        (
            "steps = {'s1': 'differentiation', 's2': 'identification', 's3': 'differentiation', "
            "'s4': 'differentiation', 's5': 'interaction', 's6': 'customisation'}",
            "not customers yet",
        ),
        (
            "steps = {'s1': 'identification', 's2': 'identification', 's3': 'differentiation', "
            "'s4': 'differentiation', 's5': 'interaction', 's6': ____}",
            "Replace the ____",
        ),
    ]

    synonyms = _STEP_SYNONYMS
    retry = "Reread the table of the four-step CRM strategy in the chapter."

    def evaluate(self, answers):
        super().evaluate(answers)
        return "Identify, differentiate, interact, customise: the sub-items are the work inside each step."


q1 = ShareOfWallet("Question 1 (share of wallet)")
q2 = MarketShare("Question 2 (market share vs share of wallet)")
q3 = GrowthPotential("Question 3 (growth potential)")
q4 = Idic("Question 4 (IDIC)")
q5 = BelowZero("Question 5 (below-zero customers)")
q6 = Progression("Question 6 (from mass to one-to-one)")
q7 = FourStepSubItems("Question 7 (four-step sub-items)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7]

__all__ = [
    "COST_PER_ORDER",
    "LADDER",
    "MARGIN",
    "accounts",
    "compare_strategies",
    "customer_tiers",
    "np",
    "pd",
    "share_of_wallet",
    "survey",
    "wallets",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
