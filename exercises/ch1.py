"""Exercises for chapter 1 · What CRM is (docs/crm-theory-reference.md §1)."""

from __future__ import annotations

from functools import lru_cache

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
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
