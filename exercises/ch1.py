"""Exercises for chapter 1 · What CRM is (docs/crm-theory-reference.md §1)."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pandas as pd

from exercises.core import (
    ChoiceQuestion,
    FunctionQuestion,
    MatchingQuestion,
    NumberQuestion,
    OrderQuestion,
    ____,
)
from simulation import Action, Parameters, Stage, run_simulation

# --------------------------------------------------------------------------------------------------
# Chapter 1

TITLE = "Exercises · Chapter 1 · What CRM is"
NOTEBOOK = "01_what_is_crm_exercises.ipynb"
INTRO = """
Practise the ideas of chapter 1 (`notebooks/01_what_is_crm.ipynb`): the three families of definitions of
customer relationship management (客户关系管理, CRM), its four driving forces (发展动力), the shift to
customer-centred management (以客户为中心), the measurable response of direct marketing (直复营销), and the
kinds of CRM. Some questions ask you to classify statements; others to measure a seeded direct-mail test,
`mailing_log`, and to run two strategies in the simulation and compare them.

"The textbook" is the chapter "第二章 客户关系管理概述" the course is built on;
`docs/crm-theory-reference.md` restates it in English, with the research behind each idea.
"""

SETUP = "from exercises.ch1 import *\n"

#: cost of one acquisition offer (a mailed introductory offer), CU
COST_PER_PIECE = Parameters().cost_acquisition_offer
MAILING_SEED = 7
CLV_RUN = {"seed": 1, "n_people": 1000, "weeks": 208, "engine": "vector"}


def _mailing_test(seed: int = MAILING_SEED) -> pd.DataFrame:
    """A year of direct mail to random prospects, with everyone not mailed that week as the holdout.

    One row per week and group: the prospects in the group (people not yet customers) and how many of
    them became customers that very week.
    """
    groups = {}

    def test_mailing(view, plan):
        """Direct mail: acquisition offers to random prospects; the rest are a holdout group."""
        prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
        mailed = plan.add(prospects, Action.ACQUISITION_OFFER)
        groups[view.week] = (prospects[:mailed], prospects[mailed:])

    result = run_simulation(test_mailing, n_people=2000, weeks=52, seed=seed, engine="vector")
    acquired = result.customers.set_index("customer_id")["acquired_week"]
    promotion = result.metrics.set_index("week")["competitor_promotion"]
    rows = []
    for week, (mailed, held_out) in groups.items():
        for group, people in (("mailed", mailed), ("held out", held_out)):
            joined = acquired.reindex(people)  # week each person became a customer (NaN: never)
            rows.append(
                {
                    "week": week,
                    "group": group,
                    "promotion": bool(promotion[week]),
                    "prospects": int((joined.isna() | (joined >= week)).sum()),
                    "responded": int((joined == week).sum()),
                }
            )
    return pd.DataFrame(rows)


mailing_log = _mailing_test()


def sales_push(view, plan):
    """Sales-centred: the whole budget on acquisition offers to prospects."""
    plan.add(view.shuffled(view.in_stage(Stage.PROSPECT)), Action.ACQUISITION_OFFER)


def keep_and_grow(view, plan):
    """Customer-centred: the whole budget on keeping and developing current customers."""
    growing = view.rank_by(view.in_stage(Stage.DEVELOPMENT, Stage.DECLINE), view.recent_value)
    stable = view.rank_by(view.in_stage(Stage.STABLE), view.recent_value)
    plan.add(view.in_stage(Stage.IDENTIFICATION), Action.SERVICE, max_spend=0.3 * plan.budget)
    plan.add(growing, Action.PERSONAL_OFFER, max_spend=0.4 * plan.budget)
    plan.add(stable[~view.loyalty_member[stable]], Action.LOYALTY_PROGRAMME)
    plan.add(stable, Action.CROSS_SELL)


@lru_cache(maxsize=1)
def _clv_runs() -> tuple[dict, dict]:
    return (
        run_simulation(sales_push, **CLV_RUN).summary(),
        run_simulation(keep_and_grow, **CLV_RUN).summary(),
    )


def _pooled_lift(log: pd.DataFrame) -> float:
    totals = log.groupby("group")[["prospects", "responded"]].sum()
    rate = totals["responded"] / totals["prospects"]
    return float(rate["mailed"] - rate["held out"])


class Families(MatchingQuestion):
    statement = """The textbook sorts definitions of CRM into three families (三类概念): a management
**philosophy** (管理理念), a management **mechanism** (管理机制) and a **technology** and information system
(管理信息系统). Which family does each statement belong to?

- **A** "The customer is the firm's most important resource. We study our customers systematically, serve
  them better and raise their loyalty, so that they bring us long and stable income."
- **B** "We reorganise marketing, sales, service and technical support around our customers: managing the
  processes cuts costs, and one-to-one relationships win and keep customers and raise our market share."
- **C** "One package joins best practice with IT: it automates sales, marketing and service, and gives us an
  electronic customer centre for e-commerce."
- **D** "Our call centre and data warehouse let any employee see a customer's whole history, and data mining
  finds which products are bought together."

Answer with a dict; each label is `'philosophy'`, `'mechanism'` or `'technology'`."""
    template = 'families = {"A": ____, "B": ____, "C": ____, "D": ____}'
    variables = ["families"]
    setup_code = SETUP
    answers = {"A": "philosophy", "B": "mechanism", "C": "technology", "D": "technology"}
    synonyms = {
        "management philosophy": "philosophy",
        "管理理念": "philosophy",
        "idea": "philosophy",
        "management mechanism": "mechanism",
        "管理机制": "mechanism",
        "system": "technology",
        "software": "technology",
        "管理信息系统": "technology",
        "information system": "technology",
    }
    item_feedback = {
        ("B", "philosophy"): "B is about how the firm is run (processes across departments, one-to-one "
        "relationships): Brown's (2000) management mechanism, not the guiding idea.",
        ("A", "mechanism"): "A states what the firm believes (customers are its most important resource): "
        "the macro level of strategy and ideas.",
        ("C", "mechanism"): "C is software and an information system (Zikmund & McLeod's third family), even "
        "though it automates processes.",
        ("D", "mechanism"): "D describes tools: call centres, a data warehouse, data mining.",
    }
    hints = [
        "Ask of each statement: is it about what the firm believes, how it organises its work, or "
        "which tools it uses?",
        "Family 1 (Zikmund & McLeod 2004): the customer as the most important resource. Family 2 (Brown "
        "2000): a mechanism across marketing, sales, service and support, with process management and "
        "one-to-one relationships. Family 3: software and information systems.",
    ]
    solution_text = (
        "A is the philosophy (the macro level of ideas), B the mechanism (how the firm is "
        "organised: processes and one-to-one relationships), C and D the technology. The textbook "
        "reads them as layers of one thing: CRM = philosophy (指导思想) + mechanism (制度保证) + "
        "technology (技术支持)."
    )
    solution_code = 'families = {"A": "philosophy", "B": "mechanism", "C": "technology", "D": "technology"}'
    wrong_examples = [
        ('families = {"A": "philosophy", "B": "philosophy", "C": "technology", "D": "technology"}', "Brown"),
        (
            'families = {"A": "philosophy", "B": "mechanism", "C": "technology", "D": ____}',
            "Replace the ____",
        ),
        ('families = {"A": "philosophy", "B": "mechanism", "C": "technology", "D": "tools"}', "use one of"),
    ]


class Layers(ChoiceQuestion):
    statement = """A software vendor tells a retailer: "Install our CRM system and you have CRM." Which answer
follows the textbook's conclusion about the three families?

- **a** The vendor is right: the third family defines CRM as software, and software is what a firm can buy.
- **b** CRM is a management mechanism, guided by a philosophy and carried out with technology; software alone
  is only the technical support (技术支持), an empty shell without the customer-centred idea and the processes.
- **c** CRM is a philosophy; software and processes are implementation details outside CRM.
- **d** The three families contradict each other, so the retailer should choose the one that suits it.

Answer with the letter, as a string."""
    template = "layers_answer = ____"
    variables = ["layers_answer"]
    setup_code = SETUP
    options = {
        "a": "the vendor is right",
        "b": "mechanism guided by philosophy, carried out with technology",
        "c": "CRM is only a philosophy",
        "d": "the families contradict each other",
    }
    correct = "b"
    feedback = {
        "a": "The textbook reads the three families as layers of one thing, not as alternatives: "
        "software is the technical support (技术支持), one layer of three.",
        "c": "Without a mechanism (制度保证) and tools (技术支持) a philosophy stays on paper; the textbook "
        "keeps all three layers.",
        "d": "The textbook does not pick a winner: it combines the three families as layers of one thing.",
        "b": "CRM = philosophy (指导思想) + mechanism (制度保证) + technology (技术支持). The article "
        "《市场营销客户关系管理》, one of the course's sources, warns against CRM projects run as a "
        "software product rather than as a management project.",
    }
    hints = [
        "The textbook does not pick one family: what does it do with the three?",
        "Each family becomes a layer with a role: guiding thought, institutional guarantee, technical "
        "support.",
    ]
    solution_text = (
        "(b). The textbook's connotation (内涵) of CRM: a new management mechanism, guided by a "
        "management philosophy and carried out with technology. In the course's strategies, the "
        "docstring is the philosophy, `plan` the mechanism and `view` the technology."
    )
    solution_code = "layers_answer = 'b'"
    wrong_examples = [
        ("layers_answer = 'a'", "layers of one thing"),
        ("layers_answer = 'e'", "should be one of"),
    ]


class Forces(MatchingQuestion):
    statement = """The textbook names four driving forces (发展动力) of CRM: the prime mover (原动力,
collecting information on customers' needs), the pull (拉动力, the positions of buyer and seller change), the
lead (牵动力, the firm's own management needs) and the push (推动力, modern information technology). Which force
does each example show?

- **A** A rival is one click away, so customers no longer put up with a supplier that wastes their time.
- **B** In the early 1980s firms began contact management (接触管理): recording every contact between a customer
  and the firm.
- **C** Sales, marketing and service each keep their own customer lists and cannot see what the others know.
- **D** Market-basket analysis by data mining finds which products are bought together.
- **E** In the simulation, the competitor's four-week promotion sends many of the firm's customers into decline.

Answer with a dict; each label is `'prime mover'`, `'pull'`, `'lead'` or `'push'` (the Chinese names work
too)."""
    template = 'forces = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____}'
    variables = ["forces"]
    setup_code = SETUP
    answers = {"A": "pull", "B": "prime mover", "C": "lead", "D": "push", "E": "pull"}
    synonyms = {
        "原动力": "prime mover",
        "拉动力": "pull",
        "牵动力": "lead",
        "推动力": "push",
        "prime": "prime mover",
        "prime-mover": "prime mover",
    }
    item_feedback = {
        ("A", "push"): "A is about customers' power to switch, not about the technology itself: the changed "
        "positions of buyer and seller.",
        ("E", "push"): "E: the competitor improves the customer's best alternative; buyers gain power over "
        "sellers.",
        ("E", "lead"): "E: nothing changes inside the firm; the customer's alternative gets better.",
        (
            "C",
            "push",
        ): "C is a problem inside the firm (scattered information), which creates a management need; "
        "technology is what answers it.",
        ("D", "prime mover"): "D is a technique, data mining: modern information technology.",
        ("B", "push"): "B is where CRM began: gathering information on customers (contact management, later "
        "customer care).",
    }
    hints = [
        "Ask of each example: is it about customer information, customers' power, the firm's internal "
        "needs, or technology?",
        "Two examples show the same force: the customer's alternative getting closer or better.",
    ]
    solution_text = (
        "A and E are the pull (拉动力): buyers gain power when switching is easy or the rival's offer "
        "improves. B is the prime mover (原动力): contact management, later customer care. C is the "
        "lead (牵动力): the firm's own need to share customer information across departments. D is "
        "the push (推动力): information technology such as data mining."
    )
    solution_code = 'forces = {"A": "pull", "B": "prime mover", "C": "lead", "D": "push", "E": "pull"}'
    wrong_examples = [
        (
            'forces = {"A": "push", "B": "prime mover", "C": "lead", "D": "push", "E": "pull"}',
            "changed positions",
        ),
        (
            'forces = {"A": "拉动力", "B": "原动力", "C": "推动力", "D": "推动力", "E": "拉动力"}',
            "scattered information",
        ),
    ]


class Focus(OrderQuestion):
    statement = """The textbook traces four stages of management focus on the way to CRM. Put them in
historical order, earliest first:

- **a** profit-centred (以利润为中心)
- **b** customer-centred (以客户为中心)
- **c** production-centred (以生产为中心)
- **d** sales-centred (以销售为中心)

Answer with a list of the four letters."""
    template = "focus_order = [____, ____, ____, ____]"
    variables = ["focus_order"]
    setup_code = SETUP
    correct_order = ("c", "d", "a", "b")
    mistakes = {
        ("d", "c", "a", "b"): "A firm first has to make enough, cheaply; selling what it makes comes "
        "after production.",
        ("c", "d", "b", "a"): "Customer-centred management is where the road ends: the textbook says "
        "the customer-oriented era arrives last, after the focus on profit.",
        ("c", "a", "d", "b"): "Before asking which sales earn most, firms asked whether they could "
        "sell what they made.",
    }
    hints = [
        "What does a firm worry about first: making enough, selling it, earning from it, or keeping the "
        "customers who buy it?",
        "The chain ends with the customer: production → ? → ? → customer.",
    ]
    solution_text = (
        "Production-centred → sales-centred → profit-centred → customer-centred. Each stage asks a "
        "new question: can we make enough cheaply, can we sell it, which sales earn most, and what do "
        "our customers need and how do we keep them."
    )
    solution_code = "focus_order = ['c', 'd', 'a', 'b']"
    wrong_examples = [
        ("focus_order = ['c', 'd', 'b', 'a']", "arrives last"),
        ("focus_order = ['c', 'd', 'a', ____]", "Replace every ____"),
        ("focus_order = ['c', 'c', 'a', 'b']", "exactly once"),
    ]


def _random_mailing_log(rng: np.random.Generator, weeks: int) -> pd.DataFrame:
    rows = []
    for week in range(1, weeks + 1):
        promotion = bool(rng.random() < 0.2)
        for group, size, rate in (
            ("mailed", rng.integers(50, 400), 0.02 + 0.06 * rng.random()),
            ("held out", rng.integers(300, 2000), 0.01 * rng.random()),
        ):
            rows.append(
                {
                    "week": week,
                    "group": group,
                    "promotion": promotion,
                    "prospects": int(size),
                    "responded": int(rng.binomial(size, rate)),
                }
            )
    return pd.DataFrame(rows)


def _gross_rate(log):
    totals = log.groupby("group")[["prospects", "responded"]].sum()
    return float(totals.loc["mailed", "responded"] / totals.loc["mailed", "prospects"])


def _mean_weekly_lift(log):
    rates = log.assign(rate=log["responded"] / log["prospects"]).pivot(
        index="week", columns="group", values="rate"
    )
    return float((rates["mailed"] - rates["held out"]).mean())


def _rate_ratio(log):
    totals = log.groupby("group")[["prospects", "responded"]].sum()
    rate = totals["responded"] / totals["prospects"]
    return float(rate["mailed"] / rate["held out"])


class MailingLift(FunctionQuestion):
    statement = """Direct marketing (直复营销) produces a **measurable response** (可测性). `mailing_log` is a
seeded year of direct mail: each week the firm mailed an acquisition offer to as many randomly chosen
prospects as its budget allowed; the other prospects that week are the holdout group. One row per week and
group: `week`, `group` (`'mailed'` or `'held out'`), `promotion` (the competitor ran one that week),
`prospects` (people in the group) and `responded` (how many became customers that week).

Prospects also join by themselves or on a friend's word. Write a function `mailing_lift(log)` that returns
the response **caused by the mailing**: the response rate of the mailed group minus that of the holdout,
each rate pooled over the whole log (all responders ÷ all prospects of the group). It is checked on
`mailing_log` and on hidden logs."""
    template = "def mailing_lift(log):\n    return ____\n\n\nmailing_lift(mailing_log)"
    variables = ["mailing_lift"]
    setup_code = SETUP
    hints = [
        "Add up `prospects` and `responded` per group: `log.groupby('group')[['prospects', "
        "'responded']].sum()`.",
        "Rate of a group = its responders ÷ its prospects. The lift is rate(mailed) − rate(held out).",
    ]
    solution_text = (
        "Pool each group over the year, divide responders by prospects, and subtract the holdout's "
        "rate: what is left is the response the letter caused. The mailed group's own rate would "
        "credit the mailing with customers who would have come anyway."
    )
    solution_code = (
        "def mailing_lift(log):\n"
        "    totals = log.groupby('group')[['prospects', 'responded']].sum()\n"
        "    rate = totals['responded'] / totals['prospects']\n"
        "    return float(rate['mailed'] - rate['held out'])\n\n\n"
        "mailing_lift(mailing_log)"
    )
    wrong_examples = [
        (
            "def mailing_lift(log):\n"
            "    mailed = log[log['group'] == 'mailed']\n"
            "    return mailed['responded'].sum() / mailed['prospects'].sum()",
            "holdout",
        ),
        (
            "def mailing_lift(log):\n"
            "    rate = log['responded'] / log['prospects']\n"
            "    return (rate[log['group'] == 'mailed'].mean()\n"
            "            - rate[log['group'] == 'held out'].mean())",
            "pool",
        ),
        ("def mailing_lift(log):\n    return ____", "still returns ____"),
    ]

    def reference(self, log):
        return _pooled_lift(log)

    def cases(self):
        rng = np.random.default_rng(21)
        return [(mailing_log,), (_random_mailing_log(rng, 20),), (_random_mailing_log(rng, 8),)]

    def mistakes(self):
        return [
            (
                _gross_rate,
                "that is the mailed group's own response rate: subtract the holdout's rate, "
                "since some prospects would have joined without the letter.",
            ),
            (
                _mean_weekly_lift,
                "you averaged the weekly rates: pool each group over the whole log first "
                "(all responders ÷ all prospects), so big weeks count more.",
            ),
            (_rate_ratio, "that is a ratio of the two rates: the lift is their difference."),
        ]


class CostPerExtra(NumberQuestion):
    statement = """Each letter costs `COST_PER_PIECE` CU. How much did the mailing in `mailing_log` spend per
**extra** customer, that is per customer it caused? (Use your `mailing_lift`.)"""
    template = "cost_per_extra_customer = ____"
    variables = ["cost_per_extra_customer"]
    decimals = 2  # money: to the cent
    setup_code = SETUP + MailingLift.solution_code + "\n"
    hints = [
        "Per 1 prospect mailed, the mailing causes `mailing_lift(mailing_log)` extra customers.",
        "Cost per extra customer = cost per piece ÷ caused response rate.",
    ]
    solution_text = (
        "Cost per piece ÷ lift. Compared with what a new customer earns, this is Hughes' break-even "
        "test (chapter 4): mail while the caused response beats cost per piece ÷ profit per "
        "response. Dividing by the mailed group's gross rate would make the letter look cheaper "
        "than it is."
    )
    solution_code = "cost_per_extra_customer = COST_PER_PIECE / mailing_lift(mailing_log)"
    wrong_examples = [
        ("cost_per_extra_customer = COST_PER_PIECE / 0.5", "not right"),
        (
            "mailed = mailing_log[mailing_log['group'] == 'mailed']\n"
            "cost_per_extra_customer = COST_PER_PIECE / (mailed['responded'].sum() / "
            "mailed['prospects'].sum())",
            "gross",
        ),
    ]

    def expected(self):
        return COST_PER_PIECE / _pooled_lift(mailing_log)

    def mistakes(self):
        lift = _pooled_lift(mailing_log)
        return [
            (
                COST_PER_PIECE / _gross_rate(mailing_log),
                "you divided by the mailed group's gross response rate: only the caused response (minus the "
                "holdout's rate) counts, so each extra customer costs more.",
            ),
            (
                lift / COST_PER_PIECE,
                "that is upside down: divide the cost per piece by the caused response rate.",
            ),
            (COST_PER_PIECE * lift, "multiply? Divide the cost per piece by the caused response rate."),
        ]


class ClvGap(NumberQuestion):
    statement = """Sales-centred or customer-centred? `sales_push` spends the whole budget on acquisition
offers; `keep_and_grow` spends it on current customers (service for newcomers, personal offers, a loyalty
programme and cross-selling). Run each once with `run_simulation(strategy, seed=1, n_people=1000, weeks=208,
engine="vector")` and compare the realised customer lifetime value (`result.summary()['realised_clv']`, the
mean profit per customer so far). How much higher is it under `keep_and_grow` (its value minus that of
`sales_push`, in CU)?"""
    template = (
        'sales = run_simulation(sales_push, seed=1, n_people=1000, weeks=208, engine="vector")\n'
        "keep = ____\n"
        "clv_gap = ____"
    )
    variables = ["clv_gap"]
    decimals = 2  # money: to the cent
    setup_code = SETUP
    hints = [
        "Run `keep_and_grow` with exactly the same arguments as `sales_push`: the same seed gives the same "
        "market and the same luck.",
        "`sales.summary()` is a dict; take `'realised_clv'` from each run and subtract.",
    ]
    solution_text = (
        "The customer-centred firm earns clearly more per customer: it keeps the customers it has and "
        "grows their share of wallet, while the sales push wins many customers it then loses. Total "
        "profit over four years is much closer (compare `summary()['profit']`); the difference is in "
        "the kind of business, which is the chapter's point."
    )
    solution_code = (
        'sales = run_simulation(sales_push, seed=1, n_people=1000, weeks=208, engine="vector")\n'
        'keep = run_simulation(keep_and_grow, seed=1, n_people=1000, weeks=208, engine="vector")\n'
        "clv_gap = keep.summary()['realised_clv'] - sales.summary()['realised_clv']"
    )
    wrong_examples = [
        (
            "from exercises.ch1 import _clv_runs\n"
            "clv_gap = _clv_runs()[0]['realised_clv'] - _clv_runs()[1]['realised_clv']",
            "the wrong way round",
        ),
        (
            "from exercises.ch1 import _clv_runs\n"
            "clv_gap = _clv_runs()[1]['profit'] - _clv_runs()[0]['profit']",
            "total profit",
        ),
    ]

    def expected(self):
        sales, keep = _clv_runs()
        return keep["realised_clv"] - sales["realised_clv"]

    def mistakes(self):
        sales, keep = _clv_runs()
        return [
            (
                sales["realised_clv"] - keep["realised_clv"],
                "the wrong way round: take keep_and_grow's value minus sales_push's.",
            ),
            (
                keep["profit"] - sales["profit"],
                "that is the gap in total profit: the question asks for realised CLV, profit per customer.",
            ),
            (keep["revenue"] - sales["revenue"], "that is the gap in revenue: use 'realised_clv'."),
        ]


class Kinds(MatchingQuestion):
    statement = """Operational CRM (操作型CRM) supports each step of the daily work with customers; analytical
CRM (分析型CRM) analyses customer data to support decisions. Which is each?

- **A** A service agent sees a caller's orders and past complaints on screen while on the phone.
- **B** Every quarter the firm scores all customers on recency, frequency and monetary value to choose whom
  to mail.
- **C** A churn-prediction model ranks customers by their risk of leaving.
- **D** The sales team's system tracks each lead, opportunity, order and payment.
- **E** In the simulation, a strategy's `plan.add(...)` sends this week's offers to the chosen customers.
- **F** `crm_theory.top_share` tells the firm what share of revenue its top 20% of customers bring.

Answer with a dict; each label is `'operational'` or `'analytical'`."""
    template = 'kinds = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}'
    variables = ["kinds"]
    setup_code = SETUP
    answers = {
        "A": "operational",
        "B": "analytical",
        "C": "analytical",
        "D": "operational",
        "E": "operational",
        "F": "analytical",
    }
    synonyms = {
        "操作型": "operational",
        "操作型crm": "operational",
        "分析型": "analytical",
        "分析型crm": "analytical",
    }
    item_feedback = {
        ("B", "operational"): "B: scoring customers to decide whom to mail is analysis for a decision; the "
        "mailing itself would be operational.",
        ("E", "analytical"): "E carries out the week's actions: the daily work with customers.",
        ("C", "operational"): "C is a data-mining model (one of the textbook's four families): analysis.",
        ("A", "analytical"): "A supports one step of daily work, a service call; nothing is being analysed.",
    }
    hints = [
        "Ask: does it carry out work with a customer, or does it analyse many customers' data to decide?",
        "Three are each kind. The simulation's strategies act; `crm_theory` analyses.",
    ]
    solution_text = (
        "Operational: A (service), D (sales) and E (carrying out marketing actions). Analytical: B "
        "(RFM scoring), C (churn prediction) and F (80/20 analysis). In this workbench the simulated "
        "strategies are the operational side and `crm_theory` the analytical side."
    )
    solution_code = (
        'kinds = {"A": "operational", "B": "analytical", "C": "analytical", "D": "operational", '
        '"E": "operational", "F": "analytical"}'
    )
    wrong_examples = [
        (
            'kinds = {"A": "operational", "B": "operational", "C": "analytical", '
            '"D": "operational", "E": "operational", "F": "analytical"}',
            "whom to mail",
        ),
        (
            'kinds = ["operational", "analytical", "analytical", "operational", "analytical", "analytical"]',
            "daily work",
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Things to do inside chapter 1 (`tasks.<name>.check()` in notebooks/01_what_is_crm.ipynb): short
# classification, matching and ordering tasks that break up the chapter's tables. They are not part of the
# exercise notebook; tests/test_chapter_tasks.py checks their solutions and wrong answers.

TASK_SETUP = "from exercises.ch1 import ____, tasks\n"


class TwoDefinitions(MatchingQuestion):
    statement = """**Two definitions.** Which text says each of these about CRM: the textbook's long definition
(`'textbook'`) or the short one of the glossary article 《crm名词解释》 (`'glossary'`)?

- **A** The firm uses information technology and the internet to coordinate its interactions with customers
  in sales, marketing and service.
- **B** CRM is a dynamic process that seeks a reasonable balance between the greatest value for customers and
  the greatest value for the firm.
- **C** Its final aims are to attract new customers, keep old ones and turn customers into loyal ones.
- **D** It manages relationships at different lifecycle stages, and the portfolio of all of them.
- **E** It builds, uses and shares customer knowledge (客户知识)."""
    template = 'said_by = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____}\ntasks.definitions.check()'
    variables = ["said_by"]
    setup_code = TASK_SETUP
    answers = {"A": "glossary", "B": "textbook", "C": "glossary", "D": "textbook", "E": "textbook"}
    synonyms = {
        "《crm名词解释》": "glossary",
        "crm名词解释": "glossary",
        "short": "glossary",
        "long": "textbook",
    }
    item_feedback = {
        ("A", "textbook"): "A is the glossary article's whole definition: IT and the internet coordinating "
        "sales, marketing and service. The textbook's definition speaks of data, knowledge and value.",
        ("C", "textbook"): "C, the three aims (attract, keep, make loyal), closes the glossary article's "
        "definition.",
        ("B", "glossary"): "B, the balance of customer value and firm value, is how the textbook's long "
        "definition ends.",
    }
    hints = ["The short definition has two sentences: how (IT and the internet) and what for (its aims)."]
    solution_text = (
        "A and C are the glossary article 《crm名词解释》: IT and the internet coordinate the firm's "
        "interactions in sales, marketing and service, to attract, keep and make loyal. B, D and E come "
        "from the textbook's long definition, which adds customer knowledge, lifecycle stages and the "
        "balance of customer value and firm value."
    )
    solution_code = (
        'said_by = {"A": "glossary", "B": "textbook", "C": "glossary", "D": "textbook", "E": "textbook"}\n'
        "tasks.definitions.check()"
    )
    wrong_examples = [
        (
            'said_by = {"A": "textbook", "B": "textbook", "C": "glossary", "D": "textbook", "E": "textbook"}',
            "whole definition",
        ),
        (
            'said_by = {"A": "glossary", "B": "textbook", "C": "glossary", "D": "textbook", "E": ____}',
            "Replace the ____",
        ),
    ]


class IdeaOf(MatchingQuestion):
    statement = """**The eight ideas at work.** Which of the eight core ideas (1-8 in the table) does each
sentence put into practice? Each idea is used once.

- **A** A bank counts its customer relationships among its assets: that is why it invests in CRM at all.
- **B** Before any decision the board asks one question first: what does this do for our customers?
- **C** The CRM project is judged by whether customers stay, buy again and recommend the firm.
- **D** A newcomer cannot be made loyal in a week: trust grows through trial purchases first.
- **E** The firm has two standing jobs: find out which customers are worth having, and keep those.
- **F** To tell valuable customers apart, the firm estimates the profit each brings over the whole
  relationship.
- **G** To keep a customer, the firm works on value, satisfaction, trust and the cost of switching, and
  weighs them differently for a newcomer and for an old customer.
- **H** Sales, marketing and service get one system that shows every customer's history."""
    template = (
        'idea_of = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____, "G": ____, "H": ____}\n'
        "tasks.ideas.check()"
    )
    variables = ["idea_of"]
    setup_code = TASK_SETUP
    answers = {"A": "1", "B": "2", "C": "3", "D": "4", "E": "5", "F": "6", "G": "7", "H": "8"}
    item_feedback = {
        (
            "B",
            "3",
        ): "B is about the principle every decision follows (idea 2, the purpose); idea 3 is the goal "
        "the strategy is judged by.",
        ("C", "2"): "C names what success looks like, loyal customers: the fundamental goal (idea 3).",
        ("E", "6"): "E names the two tasks themselves (idea 5); idea 6 says how to do the first one.",
        ("F", "5"): "F is how to do the first task: judge value by lifetime profit (idea 6).",
        ("D", "7"): "D is about time: loyalty has to evolve through the lifecycle (idea 4).",
    }
    hints = [
        "Read the 'what it settles' column: motive, purpose, goal, why it is hard, the tasks, how to do task "
        "1, how to do task 2, the tools."
    ]
    solution_text = (
        "A-H are ideas 1-8 in order: the motive (customers are the most important asset), the purpose "
        "(customer-centricity), the goal (loyalty), why it is hard (the lifecycle), the two tasks, how to "
        "do the first (lifetime profit), how to do the second (the four determinants of loyalty, weighted "
        "by stage), and the platform (CRM software)."
    )
    solution_code = (
        'idea_of = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8}\ntasks.ideas.check()'
    )
    wrong_examples = [
        ('idea_of = {"A": 1, "B": 3, "C": 2, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8}', "principle"),
        ('idea_of = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 9}', "use one of"),
    ]


class EcommerceChanges(ChoiceQuestion):
    statement = """**Two changes under e-commerce.** Which pair does the textbook give?

- **a** Loyalty becomes easier to win online, and a loyal customer matters less.
- **b** The meaning and weight of the four determinants of loyalty shift; loyalty becomes harder to win, but a
  loyal customer's indirect benefits (referrals, for example) grow.
- **c** CRM software replaces the management philosophy, and switching costs disappear.
- **d** The four determinants stay as they were; loyalty becomes harder to win and loyal customers bring
  fewer referrals."""
    template = "ecommerce_answer = ____\ntasks.ecommerce.check()"
    variables = ["ecommerce_answer"]
    setup_code = TASK_SETUP
    options = {
        "a": "easier",
        "b": "shifted determinants, harder loyalty, larger indirect benefits",
        "c": "software replaces philosophy",
        "d": "fewer referrals",
    }
    correct = "b"
    feedback = {
        "a": "The textbook says the opposite: loyalty is harder to win under e-commerce.",
        "c": "Neither: the textbook keeps software as the supporting platform (idea 8), one layer of three.",
        "d": "Half right: loyalty is harder to win, but the determinants change and a loyal customer's "
        "indirect benefits grow.",
        "b": "Both changes: the four determinants change in meaning and weight, and loyalty is harder to win "
        "but worth more.",
    }
    hints = ["Reread the paragraph under the table of the eight ideas."]
    solution_text = (
        "(b). The four determinants (perceived value, satisfaction, trust, switching cost) change in meaning "
        "and weight; loyalty is harder to win, but a loyal customer's indirect benefits are larger."
    )
    solution_code = "ecommerce_answer = 'b'\ntasks.ecommerce.check()"
    wrong_examples = [
        ("ecommerce_answer = 'd'", "indirect benefits grow"),
        ("ecommerce_answer = 'x'", "one of"),
    ]


class Origins(OrderQuestion):
    statement = """**Where CRM came from.** Put these in historical order, earliest first:

- **a** customer care (客户关怀), with call centres and data analysis
- **b** CRM software and systems that make customer data easy to manage
- **c** contact management (接触管理): recording every contact between a customer and the firm"""
    template = "origins_order = [____, ____, ____]\ntasks.origins.check()"
    variables = ["origins_order"]
    setup_code = TASK_SETUP
    correct_order = ("c", "a", "b")
    mistakes = {
        ("a", "c", "b"): "Contact management came first, in the early 1980s; customer care grew out of it "
        "in the early 1990s.",
        (
            "c",
            "b",
            "a",
        ): "The software came last, after 2000 (《客户关系管理策略》); customer care dates from "
        "the early 1990s.",
    }
    hints = ["The textbook dates contact management to the early 1980s and customer care to the early 1990s."]
    solution_text = (
        "Contact management (early 1980s) → customer care with call centres and data analysis (early 1990s) "
        "→ CRM software and systems (after 2000, as 《客户关系管理策略》 tells it)."
    )
    solution_code = "origins_order = ['c', 'a', 'b']\ntasks.origins.check()"
    wrong_examples = [
        ("origins_order = ['a', 'c', 'b']", "early 1980s"),
        ("origins_order = ['c', 'a']", "should hold the 3 letters"),
    ]


class Roots(MatchingQuestion):
    statement = """**Four roots.** Which of the four theories does each idea come from: `'relationship'`,
`'database'`, `'one-to-one'` or `'direct'` marketing?

- **A** The theoretical base of CRM: win and keep long-term relationships, not single transactions.
- **B** Find target and potential long-term customers in a customer database, with computers and
  communication technology.
- **C** Raise the firm's share of each customer's spending, above all with the most valuable customers.
- **D** Send an offer through a medium and count every reply.
- **E** Build data-mining models: segmentation, value assessment, churn prediction, cross-selling."""
    template = 'root_of = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____}\ntasks.roots.check()'
    variables = ["root_of"]
    setup_code = TASK_SETUP
    answers = {"A": "relationship", "B": "database", "C": "one-to-one", "D": "direct", "E": "database"}
    synonyms = {
        "关系营销": "relationship",
        "relationship marketing": "relationship",
        "数据库营销": "database",
        "database marketing": "database",
        "一对一营销": "one-to-one",
        "one to one": "one-to-one",
        "one-to-one marketing": "one-to-one",
        "直复营销": "direct",
        "direct marketing": "direct",
    }
    item_feedback = {
        (
            "A",
            "one-to-one",
        ): "A: the textbook calls relationship marketing (关系营销) the theoretical base of CRM.",
        ("E", "direct"): "E: the four families of data-mining models belong to database marketing.",
        ("C", "relationship"): "C: share of customer (客户份额) is the core of one-to-one marketing.",
    }
    hints = [
        "Two ideas come from database marketing; the theoretical base is named in the table's last column."
    ]
    solution_text = (
        "A relationship marketing, the theoretical base of CRM; B and E database marketing; C one-to-one "
        "marketing (share of customer); D direct marketing (measurable response)."
    )
    solution_code = (
        'root_of = {"A": "relationship", "B": "database", "C": "one-to-one", "D": "direct", "E": "database"}\n'
        "tasks.roots.check()"
    )
    wrong_examples = [
        (
            'root_of = {"A": "one-to-one", "B": "database", "C": "one-to-one", "D": "direct", "E": "database"}',
            "theoretical base",
        ),
    ]


class DirectForms(MatchingQuestion):
    statement = """**Forms of direct marketing.** Which form (直复营销的主要形式) is each: `'mail'` (direct mail,
DM), `'catalogue'`, `'telephone'`, `'television'`, `'electronic'` (electronic shopping) or `'other'` (other
media)?

- **A** A TV channel that sells all day and takes orders by phone, like Happigo (快乐购).
- **B** A letter with an introductory offer, sent to a prospect's home.
- **C** A call to a customer offering a new contract.
- **D** A printed book of the season's range with an order form.
- **E** A web shop where the customer orders and pays online.
- **F** A coupon in a magazine that the reader cuts out and sends back."""
    template = (
        'form_of = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}\ntasks.forms.check()'
    )
    variables = ["form_of"]
    setup_code = TASK_SETUP
    answers = {
        "A": "television",
        "B": "mail",
        "C": "telephone",
        "D": "catalogue",
        "E": "electronic",
        "F": "other",
    }
    synonyms = {
        "direct mail": "mail",
        "dm": "mail",
        "tv": "television",
        "phone": "telephone",
        "electronic shopping": "electronic",
        "online": "electronic",
        "other media": "other",
        "catalog": "catalogue",
    }
    item_feedback = {
        ("A", "telephone"): "A sells through the screen: television marketing, even if orders come by phone.",
        ("F", "mail"): "F reaches the reader through a magazine: another medium, not a letter.",
    }
    hints = ["One item per form; the medium that carries the offer decides."]
    solution_text = (
        "A television, B direct mail, C telephone, D catalogue, E electronic shopping, F other media. "
        "Whatever the medium, the offer asks for a reply that can be counted."
    )
    solution_code = (
        'form_of = {"A": "television", "B": "mail", "C": "telephone", "D": "catalogue", "E": "electronic", '
        '"F": "other"}\ntasks.forms.check()'
    )
    wrong_examples = [
        (
            'form_of = {"A": "telephone", "B": "mail", "C": "telephone", "D": "catalogue", "E": "electronic", '
            '"F": "other"}',
            "through the screen",
        ),
    ]


class DirectAdvantages(MatchingQuestion):
    statement = """**Six advantages.** Which of the textbook's six advantages of direct marketing does each
feature show: `'cost'` (a lower total cost to the customer), `'interaction'`, `'target'` (a pre-selected
target group), `'reply'` (encouraging customers to reply), `'anytime'` (few limits of time and place) or
`'measurable'` (可测性)?

- **A** The customer orders from home instead of travelling to a shop.
- **B** The letter goes only to prospects, people who are not yet customers.
- **C** The letter carries a reply card and an offer that ends in four weeks.
- **D** Each reply is counted and compared with a holdout group.
- **E** The customer can write back with a question, and the firm answers it.
- **F** A catalogue can be read at any hour, anywhere in the country."""
    template = (
        'advantage_of = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}\n'
        "tasks.advantages.check()"
    )
    variables = ["advantage_of"]
    setup_code = TASK_SETUP
    answers = {
        "A": "cost",
        "B": "target",
        "C": "reply",
        "D": "measurable",
        "E": "interaction",
        "F": "anytime",
    }
    synonyms = {
        "可测性": "measurable",
        "measurability": "measurable",
        "互动性": "interaction",
        "目标群预选": "target",
        "鼓励顾客回复": "reply",
        "lower cost": "cost",
    }
    item_feedback = {
        ("C", "interaction"): "C invites an answer with a reply card and a deadline: encouraging replies.",
        (
            "D",
            "reply",
        ): "D is about counting the replies: measurability, what the direct-mail test below uses.",
        ("B", "cost"): "B is about who receives the letter: a pre-selected target group.",
    }
    hints = ["Each advantage is used once. Ask: who gains, and what is it about (cost, who, when, counting)?"]
    solution_text = (
        "A lower total cost to the customer, B a pre-selected target group, C encouraging replies, D "
        "measurability, E interaction, F few limits of time and place. The test below rests on D."
    )
    solution_code = (
        'advantage_of = {"A": "cost", "B": "target", "C": "reply", "D": "measurable", "E": "interaction", '
        '"F": "anytime"}\ntasks.advantages.check()'
    )
    wrong_examples = [
        (
            'advantage_of = {"A": "cost", "B": "target", "C": "interaction", "D": "measurable", '
            '"E": "reply", "F": "anytime"}',
            "reply card",
        ),
    ]


class DirectProcess(OrderQuestion):
    statement = """**The process of direct marketing.** Put the textbook's three steps in order:

- **a** collect and sort the customers' replies
- **b** sell the product through the distribution channels to the customers who want it
- **c** find the target group"""
    template = "process_order = [____, ____, ____]\ntasks.process.check()"
    variables = ["process_order"]
    setup_code = TASK_SETUP
    correct_order = ("c", "a", "b")
    mistakes = {
        ("a", "c", "b"): "Replies come only after the firm has chosen whom to address: the target "
        "group comes first."
    }
    hints = ["Whom to address, what they answered, then the sale."]
    solution_text = "Find the target group → collect and sort the replies → sell through the channels."
    solution_code = "process_order = ['c', 'a', 'b']\ntasks.process.check()"
    wrong_examples = [("process_order = ['a', 'c', 'b']", "target group comes first")]


class RepliesCollected(NumberQuestion):
    statement = """**Step 2 in numbers.** In the test above, how many replies did the firm collect from the
people it mailed over the year? And how many of them would it have had anyway, had the mailed group replied
at the holdout's rate? Give the second number, rounded to a whole customer, as `replies_anyway` (use `log`)."""
    template = "replies_anyway = ____\ntasks.replies.check()"
    variables = ["replies_anyway"]
    decimals = 0  # a count of customers
    setup_code = TASK_SETUP + "from exercises.ch1 import mailing_log as log\n"
    hints = [
        "Sum `prospects` and `responded` per group: `log.groupby('group')[['prospects', 'responded']].sum()`.",
        "Replies anyway = mailed prospects × (holdout responders ÷ holdout prospects).",
    ]
    solution_text = (
        "The holdout's rate times the number of mailed prospects: the replies the letter did not cause. The "
        "rest were caused by the mailing."
    )
    solution_code = (
        "totals = log.groupby('group')[['prospects', 'responded']].sum()\n"
        "replies_anyway = round(totals.loc['mailed', 'prospects'] * totals.loc['held out', 'responded']\n"
        "                       / totals.loc['held out', 'prospects'])\n"
        "tasks.replies.check()"
    )
    wrong_examples = [
        ("replies_anyway = int(log.loc[log['group'] == 'mailed', 'responded'].sum())", "all the replies"),
    ]

    def expected(self):
        totals = mailing_log.groupby("group")[["prospects", "responded"]].sum()
        return float(
            totals.loc["mailed", "prospects"]
            * totals.loc["held out", "responded"]
            / totals.loc["held out", "prospects"]
        )

    def mistakes(self):
        totals = mailing_log.groupby("group")[["prospects", "responded"]].sum()
        return [
            (
                float(totals.loc["mailed", "responded"]),
                "those are all the replies from the mailed group: the question asks how many it would have had "
                "at the holdout's rate.",
            ),
            (
                float(totals.loc["held out", "responded"]),
                "those are the holdout's own replies: apply its rate to the number of people mailed.",
            ),
        ]


class ProcessHistory(OrderQuestion):
    statement = """**How process management evolved.** Put the textbook's sequence in order:

- **a** business process re-engineering (业务流程再造), in the networked, global economy
- **b** Six Sigma (6σ管理法)
- **c** Taylor's scientific management: processes as machines
- **d** the behavioural school: people before processes"""
    template = "process_history = [____, ____, ____, ____]\ntasks.history.check()"
    variables = ["process_history"]
    setup_code = TASK_SETUP
    correct_order = ("c", "d", "a", "b")
    mistakes = {
        ("d", "c", "a", "b"): "The behavioural school reacted to Taylor's mechanical view: Taylor first.",
        ("c", "d", "b", "a"): "In the textbook's sequence re-engineering comes before Six Sigma.",
    }
    hints = ["It starts with Taylor and ends with Six Sigma."]
    solution_text = (
        "Scientific management → behavioural school → business process re-engineering → Six Sigma."
    )
    solution_code = "process_history = ['c', 'd', 'a', 'b']\ntasks.history.check()"
    wrong_examples = [("process_history = ['d', 'c', 'a', 'b']", "Taylor first")]


class ProcessFeatures(MatchingQuestion):
    statement = """**Three features of a customer-oriented CRM process.** The textbook names them: it faces the
customer (`'customer-facing'`, 面向客户), it is strategic (`'strategic'`, 战略性) and it is integrated
(`'integrated'`, 整合性). It does not define them; in our reading, which does each practice show?

- **A** Marketing, sales and service work from one customer database and hand each case on without loss.
- **B** Every step is designed from what the customer needs and how the customer reaches the firm.
- **C** The process serves the firm's long-term relationship strategy, not only this quarter's sales.
- **D** The service desk sees the orders sales took and the campaigns marketing ran."""
    template = 'feature_of = {"A": ____, "B": ____, "C": ____, "D": ____}\ntasks.features.check()'
    variables = ["feature_of"]
    setup_code = TASK_SETUP
    answers = {"A": "integrated", "B": "customer-facing", "C": "strategic", "D": "integrated"}
    synonyms = {
        "面向客户": "customer-facing",
        "customer facing": "customer-facing",
        "战略性": "strategic",
        "整合性": "integrated",
    }
    item_feedback = {
        ("D", "customer-facing"): "D joins up what departments know: integration.",
        ("C", "integrated"): "C ties the process to the long term: it is strategic.",
    }
    hints = ["Two practices join departments together."]
    solution_text = (
        "A and D integrated (departments share one view of the customer), B customer-facing, C strategic. "
        "The three names are the textbook's; the practices are our illustration."
    )
    solution_code = (
        'feature_of = {"A": "integrated", "B": "customer-facing", "C": "strategic", "D": "integrated"}\n'
        "tasks.features.check()"
    )
    wrong_examples = [
        (
            'feature_of = {"A": "integrated", "B": "customer-facing", "C": "strategic", '
            '"D": "customer-facing"}',
            "integration",
        )
    ]


class FrameworkPart(MatchingQuestion):
    statement = """**The five-part framework.** Which part of 《crm理论包含哪些部分》's framework does each
activity belong to: `'strategy'` (relationship strategy), `'lifecycle'` (lifecycle management), `'value'`
(value assessment), `'marketing'` (relationship marketing) or `'systems'` (CRM systems)?

- **A** The board writes down what customer relationships mean to the firm, and its goals and principles.
- **B** A customer who stopped buying gets a letter inviting them back.
- **C** Customers are ranked by what they bring, to decide whom to serve first.
- **D** Regular customers are invited into a member programme that strengthens the bond.
- **E** The firm installs software for customer, sales, service and marketing management."""
    template = 'part_of = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____}\ntasks.framework.check()'
    variables = ["part_of"]
    setup_code = TASK_SETUP
    answers = {"A": "strategy", "B": "lifecycle", "C": "value", "D": "marketing", "E": "systems"}
    synonyms = {
        "客户关系战略": "strategy",
        "relationship strategy": "strategy",
        "客户生命周期管理": "lifecycle",
        "lifecycle management": "lifecycle",
        "客户价值评估": "value",
        "value assessment": "value",
        "客户关系营销": "marketing",
        "relationship marketing": "marketing",
        "crm系统运用": "systems",
        "crm systems": "systems",
        "system": "systems",
    }
    item_feedback = {
        (
            "B",
            "marketing",
        ): "B wins back a lost customer: win-back (客户挽回) is a stage of lifecycle management.",
        (
            "D",
            "lifecycle",
        ): "D strengthens an existing relationship: relationship marketing builds, maintains "
        "and strengthens.",
    }
    hints = ["One activity per part; win-back belongs to one of the four lifecycle tasks."]
    solution_text = (
        "A relationship strategy (the starting and end point), B lifecycle management (win-back), C value "
        "assessment, D relationship marketing, E CRM systems."
    )
    solution_code = (
        'part_of = {"A": "strategy", "B": "lifecycle", "C": "value", "D": "marketing", "E": "systems"}\n'
        "tasks.framework.check()"
    )
    wrong_examples = [
        (
            'part_of = {"A": "strategy", "B": "marketing", "C": "value", "D": "marketing", "E": "systems"}',
            "win-back",
        )
    ]


class RelationshipMarketing(MatchingQuestion):
    statement = """**Build, maintain, strengthen.** 《crm理论包含哪些部分》 says relationship marketing builds
(建立), maintains (维护) and strengthens (增强) relationships. Which does each of the simulation's actions do,
in our reading: `'build'`, `'maintain'` or `'strengthen'`?

- **A** `ACQUISITION_OFFER` to a prospect
- **B** `SERVICE` for a new customer, so that the first purchases go well
- **C** `CROSS_SELL` to a stable customer: a second category at the firm
- **D** `LOYALTY_PROGRAMME` for a stable customer, who now has a reason to stay
- **E** `PERSONAL_OFFER` that moves more of a developing customer's spending to the firm"""
    template = 'does = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____}\ntasks.relationship.check()'
    variables = ["does"]
    setup_code = TASK_SETUP
    answers = {"A": "build", "B": "maintain", "C": "strengthen", "D": "maintain", "E": "strengthen"}
    synonyms = {"建立": "build", "维护": "maintain", "增强": "strengthen"}
    item_feedback = {
        ("A", "strengthen"): "A starts a relationship that does not exist yet: building.",
        ("C", "maintain"): "C deepens the relationship (a second category): strengthening.",
        ("D", "strengthen"): "D keeps what is there by giving the customer a reason to stay: maintaining.",
    }
    hints = ["Ask: is there a relationship yet? Does the action keep it as it is, or make it deeper?"]
    solution_text = (
        "A builds; B and D maintain (keep the relationship going); C and E strengthen (more of the "
        "customer's spending, more categories). The three verbs are the article's; the mapping to actions "
        "is ours."
    )
    solution_code = (
        'does = {"A": "build", "B": "maintain", "C": "strengthen", "D": "maintain", "E": "strengthen"}\n'
        "tasks.relationship.check()"
    )
    wrong_examples = [
        (
            'does = {"A": "strengthen", "B": "maintain", "C": "strengthen", "D": "maintain", '
            '"E": "strengthen"}',
            "does not exist yet",
        )
    ]


class MarketingMethods(MatchingQuestion):
    statement = """**Three methods.** The same article names three methods of relationship marketing:
personalised (`'personalised'`, 个性化营销), relationship (`'relationship'`, 关系营销) and online marketing
(`'online'`, 网络营销). Which is each?

- **A** Each customer gets recommendations chosen from their own purchase history.
- **B** A key-account manager keeps in touch with a large customer over years and plans with them.
- **C** The firm reaches customers through its web shop, e-mail and social media.
- **D** A customer's offer is priced and chosen for what the firm has learned about that customer."""
    template = 'method_of = {"A": ____, "B": ____, "C": ____, "D": ____}\ntasks.methods.check()'
    variables = ["method_of"]
    setup_code = TASK_SETUP
    answers = {"A": "personalised", "B": "relationship", "C": "online", "D": "personalised"}
    synonyms = {
        "个性化营销": "personalised",
        "personalized": "personalised",
        "关系营销": "relationship",
        "网络营销": "online",
        "online marketing": "online",
    }
    item_feedback = {
        ("B", "personalised"): "B is about a long relationship with one customer, kept over "
        "years: relationship marketing."
    }
    hints = ["Two items tailor the offer to one customer's data."]
    solution_text = (
        "A and D personalised marketing (the simulation's `PERSONAL_OFFER`; chapter 6 tests it), B "
        "relationship marketing, C online marketing (chapter 10 looks at online channels)."
    )
    solution_code = (
        'method_of = {"A": "personalised", "B": "relationship", "C": "online", "D": "personalised"}\n'
        "tasks.methods.check()"
    )
    wrong_examples = [
        (
            'method_of = {"A": "personalised", "B": "personalised", "C": "online", "D": "personalised"}',
            "kept over years",
        )
    ]


class TheorySystems(MatchingQuestion):
    statement = """**Three theory systems.** Which system answers each question: `'lifecycle'` (relationship
lifecycle theory), `'value'` (customer value identification theory) or `'loyalty'` (customer satisfaction and
loyalty theory)?

- **A** Why does a new customer spend little at first?
- **B** Which customers bring the most profit over their lifetime?
- **C** Why do some satisfied customers still leave for a competitor?
- **D** Which stage is this relationship in, and what comes next?
- **E** Who should get most of the marketing budget?
- **F** What makes a customer recommend the firm to friends?"""
    template = 'system_of = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}\ntasks.systems.check()'
    variables = ["system_of"]
    setup_code = TASK_SETUP
    answers = {"A": "lifecycle", "B": "value", "C": "loyalty", "D": "lifecycle", "E": "value", "F": "loyalty"}
    synonyms = {
        "客户关系生命周期理论": "lifecycle",
        "客户价值识别理论": "value",
        "客户满意和忠诚理论": "loyalty",
        "satisfaction": "loyalty",
    }
    item_feedback = {
        ("A", "loyalty"): "A is about where the relationship stands: trial purchases in the identification "
        "stage (lifecycle theory).",
        ("C", "lifecycle"): "C asks what keeps customers: satisfaction alone does not (satisfaction and "
        "loyalty theory).",
    }
    hints = ["Two questions each. Time and stages; worth; staying and recommending."]
    solution_text = (
        "A and D the lifecycle (chapter 2), B and E value identification (chapters 4 and 5), C and F "
        "satisfaction and loyalty (chapter 3)."
    )
    solution_code = (
        'system_of = {"A": "lifecycle", "B": "value", "C": "loyalty", "D": "lifecycle", "E": "value", '
        '"F": "loyalty"}\ntasks.systems.check()'
    )
    wrong_examples = [
        (
            'system_of = {"A": "loyalty", "B": "value", "C": "loyalty", "D": "lifecycle", '
            '"E": "value", "F": "loyalty"}',
            "trial purchases",
        )
    ]


tasks = SimpleNamespace(
    definitions=TwoDefinitions("Task: two definitions"),
    ideas=IdeaOf("Task: the eight ideas at work"),
    ecommerce=EcommerceChanges("Task: two changes under e-commerce"),
    origins=Origins("Task: where CRM came from"),
    roots=Roots("Task: four roots"),
    forms=DirectForms("Task: forms of direct marketing"),
    advantages=DirectAdvantages("Task: six advantages"),
    process=DirectProcess("Task: the process of direct marketing"),
    replies=RepliesCollected("Task: step 2 in numbers"),
    history=ProcessHistory("Task: how process management evolved"),
    features=ProcessFeatures("Task: three features of a CRM process"),
    framework=FrameworkPart("Task: the five-part framework"),
    relationship=RelationshipMarketing("Task: build, maintain, strengthen"),
    methods=MarketingMethods("Task: three methods"),
    systems=TheorySystems("Task: three theory systems"),
)
TASKS = list(vars(tasks).values())


q1 = Families("Question 1 (three families of definitions)")
q2 = Layers("Question 2 (philosophy, mechanism, technology)")
q3 = Forces("Question 3 (driving forces)")
q4 = Focus("Question 4 (management focus)")
q5 = MailingLift("Question 5 (measurable response)")
q6 = CostPerExtra("Question 6 (cost per extra customer)")
q7 = ClvGap("Question 7 (sales-centred or customer-centred)")
q8 = Kinds("Question 8 (operational or analytical CRM)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]

__all__ = [
    "COST_PER_PIECE",
    "Action",
    "Stage",
    "keep_and_grow",
    "mailing_log",
    "np",
    "pd",
    "run_simulation",
    "sales_push",
    "tasks",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
