"""Exercises for chapter 2 · The relationship lifecycle (docs/crm-theory-reference.md §2)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crm_theory.loyalty import intentions_by_stage
from exercises.core import ChoiceQuestion, LabelFunctionQuestion, NumberQuestion, SeriesQuestion, ____
from exercises.data import simulated_market
from simulation import Parameters
from simulation.analysis import completed_lifetimes, lifetime_volume_curve

TITLE = "Exercises · Chapter 2 · The relationship lifecycle"
NOTEBOOK = "02_lifecycle_exercises.ipynb"
INTRO = """
Practise the customer relationship lifecycle (客户关系生命周期) of chapter 2
(`notebooks/02_customer_lifecycle.ipynb`): the identification (识别期), development (发展期), stable (稳定期)
and decline (退化期) stages, the four patterns of relationship development, and the inverted U of
transaction volume. The data come from one seeded simulated market of 2,000 people over three years
(`stage_based` strategy): `customers` has one row per person who was ever a customer, `tx` every purchase
(`customer_id, week, amount`), and `done` the customers whose one and only relationship ended during the run
(completed lifetimes). `intention_table` is the textbook's table of intention strength by stage.
"""

SETUP = "from exercises.ch2 import *\n"
PATTERNS = ["I", "II", "III", "IV"]
#: weeks in the stable stage from which a relationship counts as long-kept (pattern IV)
LONG_KEPT_WEEKS = Parameters().long_kept_weeks

market = simulated_market(seed=2024, n_people=2000, weeks=156)
customers = market.customers
tx = market.transactions
done = completed_lifetimes(market)
intention_table = intentions_by_stage(level_names=True)


class PatternCounts(SeriesQuestion):
    statement = """Where decline starts decides the shape of a relationship. The four patterns of the course's
theory reference (docs/crm-theory-reference.md §2): **I** aborted in identification, **II** aborted in
development, **III** early exit from the stable stage, **IV** long-kept (a year or more in the stable
stage). `customers['pattern']` holds each customer's pattern (empty for relationships still going without a
pattern yet).

How many customers in `customers` have each pattern? Give a Series indexed by pattern `'I'`-`'IV'` (a list
in that order works too)."""
    template = "pattern_counts = ____"
    variables = ["pattern_counts"]
    setup_code = SETUP
    hints = [
        "`value_counts()` counts the values of a column; empty patterns are left out.",
        "Count in `customers`, all of them: `done` holds only the completed lifetimes.",
    ]
    solution_text = (
        "Count the values of the pattern column. Pattern I is common (many trial customers leave), "
        "IV the largest group in a three-year run, II and III rarer. Relationships still going that "
        "are not yet long-kept have no pattern."
    )
    solution_code = "pattern_counts = customers['pattern'].value_counts().reindex(['I', 'II', 'III', 'IV'])"
    wrong_examples = [
        ("pattern_counts = customers['pattern'].value_counts(normalize=True)", "shares"),
        ("pattern_counts = done['pattern'].value_counts()", "completed"),
    ]

    def expected(self):
        return customers["pattern"].value_counts().reindex(PATTERNS).astype(float)

    def mistakes(self):
        return [
            (
                customers["pattern"].value_counts(normalize=True).reindex(PATTERNS),
                "those are shares: the question asks how many customers, i.e. counts.",
            ),
            (
                customers["pattern"].value_counts(normalize=True, dropna=False).reindex(PATTERNS),
                "those are shares: the question asks how many customers, i.e. counts.",
            ),
            (
                done["pattern"].value_counts(),
                "you counted only the completed lifetimes in `done`: count every customer in `customers` "
                "(most long-kept relationships are still going).",
            ),
        ]


def _pattern(decline_start_stage, stable_weeks, stage):
    if stable_weeks >= LONG_KEPT_WEEKS:
        return "IV"
    if stage != "lost":
        return None
    return {"identification": "I", "development": "II", "stable": "III"}.get(decline_start_stage)


def _pattern_ignoring_stage(decline_start_stage, stable_weeks, stage):
    if stable_weeks >= LONG_KEPT_WEEKS:
        return "IV"
    return {"identification": "I", "development": "II", "stable": "III"}.get(decline_start_stage)


def _pattern_decline_first(decline_start_stage, stable_weeks, stage):
    if stage == "lost":
        return {"identification": "I", "development": "II", "stable": "III"}[decline_start_stage]
    return "IV" if stable_weeks >= LONG_KEPT_WEEKS else None


def _pattern_strict(decline_start_stage, stable_weeks, stage):
    if stable_weeks > LONG_KEPT_WEEKS:
        return "IV"
    return _pattern(decline_start_stage, 0, stage)


@lru_cache(maxsize=1)
def _pattern_cases() -> tuple[tuple, ...]:
    hand = [
        ("identification", 0, "lost"),
        ("development", 0, "lost"),
        ("stable", 10, "lost"),
        ("stable", 60, "lost"),
        (None, LONG_KEPT_WEEKS, "stable"),
        (None, LONG_KEPT_WEEKS - 1, "stable"),
        ("development", 0, "decline"),
        ("identification", 0, "development"),
        (None, 0, "identification"),
        ("stable", LONG_KEPT_WEEKS, "decline"),
        ("identification", 20, "lost"),
        ("stable", 30, "stable"),
    ]
    table = customers[["decline_start_stage", "stable_weeks", "stage"]].drop_duplicates()
    real = [(None if pd.isna(d) else str(d), int(w), str(s)) for d, w, s in table.itertuples(index=False)]
    return tuple(hand + real)


class PatternFunction(LabelFunctionQuestion):
    statement = f"""Write the rule yourself. Write a function `pattern_of(decline_start_stage, stable_weeks,
stage)` that returns a relationship's pattern, `'I'`, `'II'`, `'III'` or `'IV'`, or `None` when it has no
pattern yet. Its arguments: `decline_start_stage` is the stage in which the latest decline began
(`'identification'`, `'development'` or `'stable'`; `None` if there was none), `stable_weeks` the weeks spent
in the stable stage, `stage` the stage now (`'identification'`, ..., `'decline'`, `'lost'`).

The rule: at least `LONG_KEPT_WEEKS` = {LONG_KEPT_WEEKS} weeks in the stable stage make a relationship long-kept
(IV), whatever came after. Otherwise a relationship that has ended (lost) is classified by the stage in which
its decline began; one still going has no pattern yet. It is checked on hidden cases and on every kind of
customer in `customers`."""
    template = "def pattern_of(decline_start_stage, stable_weeks, stage):\n    return ____"
    variables = ["pattern_of"]
    setup_code = SETUP
    hints = [
        "Check long-kept first: `if stable_weeks >= LONG_KEPT_WEEKS: return 'IV'`.",
        "Then: a relationship that is not lost (still going, even if in decline now) has no pattern: "
        "return None.",
        "A lost relationship: map its decline_start_stage identification / development / stable to "
        "I / II / III.",
    ]
    solution_text = (
        "Long-kept comes first: a relationship that lasted a year in the stable stage is IV even if it "
        "ended later. Otherwise only ended relationships have a pattern, decided by where their "
        "decline began. A customer in decline may still recover, so the decline alone does not decide "
        "the pattern. This is `simulation.outputs.relationship_pattern`."
    )
    solution_code = (
        "def pattern_of(decline_start_stage, stable_weeks, stage):\n"
        "    if stable_weeks >= LONG_KEPT_WEEKS:\n"
        "        return 'IV'\n"
        "    if stage != 'lost':\n"
        "        return None\n"
        "    return {'identification': 'I', 'development': 'II', 'stable': 'III'}[decline_start_stage]"
    )
    wrong_examples = [
        (
            "def pattern_of(decline_start_stage, stable_weeks, stage):\n"
            "    if stable_weeks >= LONG_KEPT_WEEKS:\n"
            "        return 'IV'\n"
            "    return {'identification': 'I', 'development': 'II', 'stable': 'III'}"
            ".get(decline_start_stage)",
            "still going",
        ),
        (
            "def pattern_of(decline_start_stage, stable_weeks, stage):\n"
            "    if stage == 'lost':\n"
            "        return {'identification': 'I', 'development': 'II', 'stable': 'III'}"
            "[decline_start_stage]\n"
            "    return 'IV' if stable_weeks >= LONG_KEPT_WEEKS else None",
            "long-kept first",
        ),
        ("def pattern_of(decline_start_stage, stable_weeks, stage):\n    return ____", "still returns ____"),
    ]

    def normalise(self, label):
        text = super().normalise(label)
        return None if text is None else text.upper()

    def reference(self, decline_start_stage, stable_weeks, stage):
        return _pattern(decline_start_stage, stable_weeks, stage)

    def cases(self):
        return list(_pattern_cases())

    def mistakes(self):
        return [
            (
                _pattern_ignoring_stage,
                "a relationship that is still going (not lost) has no pattern yet, even "
                "if a decline began: it may recover. Return None unless it is lost "
                "(or long-kept).",
            ),
            (
                _pattern_decline_first,
                "check long-kept first: a year or more in the stable stage is pattern IV "
                "even if the relationship ended later.",
            ),
            (
                _pattern_strict,
                f"exactly {LONG_KEPT_WEEKS} weeks in the stable stage count as long-kept: use "
                ">= LONG_KEPT_WEEKS.",
            ),
        ]


def _fifths_frame() -> pd.DataFrame:
    purchases = tx.merge(done[["customer_id", "acquired_week", "lost_week"]], on="customer_id")
    length = (purchases["lost_week"] - purchases["acquired_week"] + 1).astype(float)
    fifth = np.minimum(((purchases["week"] - purchases["acquired_week"]) / length * 5).astype(int), 4) + 1
    return pd.DataFrame({"fifth": fifth, "amount": purchases["amount"], "length": length})


class VolumeByFifth(SeriesQuestion):
    statement = """The course's theory reference (docs/crm-theory-reference.md §2) says transaction volume is
low in identification, rises fast in development, peaks in the stable stage and falls in decline. Test it on
the completed lifetimes in `done`.

Cut each completed lifetime, from `acquired_week` to `lost_week` (both included, so it lasts
`lost_week - acquired_week + 1` weeks), into five equal parts. A purchase in week `w` falls in fifth
`floor((w - acquired_week) / length * 5) + 1` (1 to 5). A customer's weekly spend in a fifth is what they
spent in it divided by its length in weeks (`length / 5`). Compute the **mean weekly spend per fifth**,
averaged over all customers in `done` (a customer who bought nothing in a fifth counts as 0). Give a Series
indexed 1-5, or a list in order."""
    template = (
        "# every purchase of a completed lifetime, with that customer's acquired_week and lost_week\n"
        "purchases = tx.merge(done[['customer_id', 'acquired_week', 'lost_week']], on='customer_id')\n"
        "volume_by_fifth = ____"
    )
    variables = ["volume_by_fifth"]
    decimals = 2  # money per week: to the cent
    setup_code = SETUP
    tolerance = 1e-6
    hints = [
        "Per purchase: `length = purchases['lost_week'] - purchases['acquired_week'] + 1` and the fifth from "
        "the formula (`.astype(int)` floors a non-negative number; add 1).",
        "Divide each amount by `length / 5` to make it weekly spend, then add up per fifth.",
        "Average over customers, not purchases: divide each fifth's total by `len(done)`, so customers who "
        "bought nothing in a fifth count as 0.",
    ]
    solution_text = (
        "Turning each purchase into weekly spend and dividing each fifth's total by the number of "
        "completed lifetimes gives the average customer's curve: low at the start (trial purchases), "
        "highest in the middle fifths, lowest at the end. That is the inverted U. "
        "`simulation.analysis.lifetime_volume_curve(market, done, bins=5)` computes the same."
    )
    solution_code = (
        "# every purchase of a completed lifetime, with that customer's acquired_week and lost_week\n"
        "purchases = tx.merge(done[['customer_id', 'acquired_week', 'lost_week']], on='customer_id')\n"
        "length = purchases['lost_week'] - purchases['acquired_week'] + 1\n"
        "fifth = ((purchases['week'] - purchases['acquired_week']) / length * 5).astype(int) + 1\n"
        "weekly = purchases['amount'] / (length / 5)\n"
        "volume_by_fifth = weekly.groupby(fifth).sum() / len(done)"
    )
    wrong_examples = [
        (
            "purchases = tx.merge(done[['customer_id', 'acquired_week', 'lost_week']], on='customer_id')\n"
            "length = purchases['lost_week'] - purchases['acquired_week'] + 1\n"
            "fifth = ((purchases['week'] - purchases['acquired_week']) / length * 5).astype(int) + 1\n"
            "volume_by_fifth = (purchases['amount'] / (length / 5)).groupby(fifth).mean()",
            "count as 0",
        ),
        (
            "purchases = tx.merge(done[['customer_id', 'acquired_week', 'lost_week']], on='customer_id')\n"
            "length = purchases['lost_week'] - purchases['acquired_week'] + 1\n"
            "fifth = ((purchases['week'] - purchases['acquired_week']) / length * 5).astype(int) + 1\n"
            "volume_by_fifth = purchases['amount'].groupby(fifth).sum() / len(done)",
            "length in weeks",
        ),
    ]

    def expected(self):
        curve = lifetime_volume_curve(market, done, bins=5)
        return pd.Series(curve.to_numpy(), index=pd.Index(range(1, 6), name="fifth"))

    def mistakes(self):
        frame = _fifths_frame()
        weekly = frame["amount"] / (frame["length"] / 5)
        zero_based = self.expected().copy()
        zero_based.index = range(5)
        return [
            (
                weekly.groupby(frame["fifth"]).mean(),
                "you averaged over purchases: average over customers instead (divide each fifth's total by "
                "len(done)), so customers who bought nothing in a fifth count as 0.",
            ),
            (
                frame["amount"].groupby(frame["fifth"]).sum() / len(done),
                "that is spend per fifth, not per week: divide each amount by the fifth's length in weeks "
                "(length / 5).",
            ),
            (zero_based, "the values are right, but number the fifths 1 to 5, not 0 to 4."),
        ]


class StageOrder(ChoiceQuestion):
    statement = """Stages are passed in order (Dwyer, Schurr & Oh 1987). Which of these histories of true
stages can **never** happen, in the textbook's model and in the simulation?

- **a** identification → development → stable → decline → lost
- **b** identification → decline → lost
- **c** identification → development → decline → development → stable
- **d** identification → stable → decline → lost
- **e** identification → development → stable → decline → lost → identification

Answer with the letter, as a string."""
    template = "impossible_history = ____"
    variables = ["impossible_history"]
    setup_code = SETUP
    options = {
        "a": "the full path",
        "b": "decline from identification",
        "c": "decline and recovery",
        "d": "identification straight to stable",
        "e": "won back",
    }
    correct = "d"
    feedback = {
        "a": "That is the whole lifecycle, ending in decline: a pattern III or IV relationship.",
        "b": "Decline can start in any stage: this is pattern I, aborted in identification, the most "
        "common ending.",
        "c": "A declining customer whose attractiveness recovers returns to the stage in which the decline "
        "began, here development, and may go on.",
        "e": "A lost customer can be won back (客户挽回); the new relationship starts again in "
        "identification.",
        "d": "No stage is skipped: a customer reaches the stable stage only through development, where "
        "satisfaction, trust and share of wallet grow.",
    }
    hints = [
        "Two rules: stages are passed in order, none skipped; decline can start from any stage.",
        "Look for a jump over a stage.",
    ]
    solution_text = (
        "(d) skips development. Declines may start anywhere (b), can be recovered from (c), and a lost "
        "customer may be won back into identification (e)."
    )
    solution_code = "impossible_history = 'd'"
    wrong_examples = [("impossible_history = 'b'", "any stage"), ("impossible_history = 'c'", "recovers")]


class DevelopmentIntention(ChoiceQuestion):
    statement = """`intention_table` is the textbook's table of how strong each behavioural intention is in
each stage. Which intention is the **strongest in the development stage**?

- **a** repeat purchase intention (重复购买意向)
- **b** price tolerance (价格忍耐力)
- **c** cross-buying intention (交叉购买意向)
- **d** referral intention (客户推荐意向)

Answer with the letter, as a string."""
    template = "strongest_in_development = ____\nintention_table"
    variables = ["strongest_in_development"]
    setup_code = SETUP
    options = {"a": "repeat purchase", "b": "price tolerance", "c": "cross-buying", "d": "referral"}
    correct = "a"
    feedback = {
        "b": "Price tolerance is only moderate (一般) in development; it becomes strong in the stable stage.",
        "c": "Cross-buying is weak (弱) in development: customers buy other categories only once they are "
        "committed.",
        "d": "Referral is none or weak (无或弱) in development: the last intention to appear.",
        "a": "Fairly strong (较强): behavioural loyalty (行为忠诚) shows first as buying again. The other "
        "three become strong only in the stable stage.",
    }
    hints = [
        "Read the `development` row of `intention_table`.",
        "The scale: none (无) < weak (弱) and small (小) < moderate (一般) < fairly strong (较强) < strong (强). "
        "`intentions_by_stage()` from `crm_theory.loyalty` gives the same table as the strengths (0-1) the "
        "simulation uses.",
    ]
    solution_text = (
        "(a) repeat purchase, fairly strong (较强). In development, satisfaction and trust build "
        "behavioural loyalty: the customer buys again and moves more spending to the firm. Price "
        "tolerance, cross-buying and referral become strong only in the stable stage."
    )
    solution_code = "strongest_in_development = 'a'"
    wrong_examples = [
        ("strongest_in_development = 'b'", "moderate"),
        ("strongest_in_development = 'repeat'", "should be one of"),
    ]


class EverStable(NumberQuestion):
    statement = """The course's theory reference (docs/crm-theory-reference.md §2) calls the stable stage the
ideal one. What share of all customers in `customers` reached the stable stage at least once during the run
(whatever happened afterwards)? Give a share between 0 and 1. (`stable_weeks` counts each customer's weeks in
the stable stage.)"""
    template = "share_ever_stable = ____"
    variables = ["share_ever_stable"]
    decimals = 3  # a share: to 0.1 percentage point
    setup_code = SETUP
    hints = [
        "A customer who was ever in the stable stage has at least one stable week.",
        "`(customers['stable_weeks'] > 0).mean()`: the mean of a True/False column is a share.",
    ]
    solution_text = (
        "Customers with `stable_weeks > 0` reached the stable stage. The share is higher than the "
        "share who are stable at the end, because some of them later declined or were lost, and far "
        "below 1, because many trial customers leave in identification (pattern I)."
    )
    solution_code = "share_ever_stable = (customers['stable_weeks'] > 0).mean()"
    wrong_examples = [
        ("share_ever_stable = (customers['stage'] == 'stable').mean()", "at the end"),
        ("share_ever_stable = (customers['pattern'] == 'IV').mean()", "long-kept"),
        ("share_ever_stable = 100 * (customers['stable_weeks'] > 0).mean()", "share"),
    ]

    def expected(self):
        return float((customers["stable_weeks"] > 0).mean())

    def mistakes(self):
        share = self.expected()
        return [
            (
                float((customers["stage"] == "stable").mean()),
                "that is the share in the stable stage at the end: count everyone who was ever there "
                "(stable_weeks > 0), including those who declined later.",
            ),
            (
                float((customers["pattern"] == "IV").mean()),
                "that is the share of long-kept relationships (pattern IV, a year or more): one stable week is "
                "enough here.",
            ),
            (
                float((done["stable_weeks"] > 0).mean()),
                "you used only the completed lifetimes: use every customer in `customers`.",
            ),
            (100 * share, "give a share between 0 and 1, not a percentage."),
        ]


FUNNEL = ["acquisition", "activation", "retention", "churn"]


def _funnel(repeat_from: int = 2, new_only: bool = True) -> pd.Series:
    new = customers[customers["acquired_week"] > 0] if new_only else customers
    purchases = tx.groupby("customer_id").size().reindex(new["customer_id"], fill_value=0)
    return pd.Series(
        [
            len(new),
            int((purchases >= repeat_from).sum()),
            int((new["stage"] != "lost").sum()),
            int((new["stage"] == "lost").sum()),
        ],
        index=FUNNEL,
        dtype=float,
    )


class LifecycleFunnel(SeriesQuestion):
    statement = """The article 《客户关系管理策略》 ("Customer relationship management strategy") divides the
customer lifecycle differently from the textbook: acquisition (获取), activation (激活), retention (留存) and
churn (流失). It does not define them; read them on `customers` and `tx` this way, for the customers the firm
**acquired during the run** (`acquired_week > 0`):

- **acquisition**: how many there are;
- **activation**: how many of them bought at least twice (a repeat purchase);
- **retention**: how many of them are still customers at the end (`stage` is not `'lost'`);
- **churn**: how many of them are lost at the end.

Give a Series indexed `'acquisition'`, `'activation'`, `'retention'`, `'churn'` (or a list in that order)."""
    template = (
        "new = customers[customers['acquired_week'] > 0]\n"
        "purchases = tx.groupby('customer_id').size()   # purchases per customer\n"
        "funnel = ____"
    )
    variables = ["funnel"]
    setup_code = SETUP
    hints = [
        "`purchases.reindex(new['customer_id'], fill_value=0)` gives each new customer's number of purchases.",
        "Retention and churn add up to acquisition: each new customer is either still a customer or lost.",
    ]
    solution_text = (
        "Most new customers make a repeat purchase, and about two thirds are still customers at the end; "
        "the churned ones are mostly trial customers lost in identification (pattern I). The article's "
        "four words cut the same lifecycle as the textbook's stages: acquisition starts identification, "
        "activation is the move into development, retention is the development and stable stages, churn "
        "the end of a decline."
    )
    solution_code = (
        "new = customers[customers['acquired_week'] > 0]\n"
        "purchases = tx.groupby('customer_id').size()   # purchases per customer\n"
        "bought = purchases.reindex(new['customer_id'], fill_value=0)\n"
        "funnel = pd.Series({'acquisition': len(new), 'activation': (bought >= 2).sum(),\n"
        "                    'retention': (new['stage'] != 'lost').sum(), 'churn': (new['stage'] == 'lost').sum()})"
    )
    wrong_examples = [
        (
            "new = customers\n"
            "bought = tx.groupby('customer_id').size().reindex(new['customer_id'], fill_value=0)\n"
            "funnel = [len(new), (bought >= 2).sum(), (new['stage'] != 'lost').sum(), (new['stage'] == 'lost').sum()]",
            "acquired during the run",
        ),
        ("funnel = ____", "Replace the ____"),
    ]

    def expected(self):
        return _funnel()

    def mistakes(self):
        whole = _funnel(new_only=False)
        once = _funnel(repeat_from=1)
        return [
            (
                whole,
                "you counted every customer, also those who were customers from the start: use only "
                "those acquired during the run (acquired_week > 0).",
            ),
            (once, "activation needs a repeat purchase: count customers with at least two purchases."),
        ]


q1 = PatternCounts("Question 1 (patterns I-IV)")
q2 = PatternFunction("Question 2 (the pattern rule)")
q3 = VolumeByFifth("Question 3 (volume over a lifetime)")
q4 = StageOrder("Question 4 (stage order)")
q5 = DevelopmentIntention("Question 5 (intentions in development)")
q6 = EverStable("Question 6 (reaching the stable stage)")
q7 = LifecycleFunnel("Question 7 (acquisition, activation, retention, churn)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7]

__all__ = [
    "LONG_KEPT_WEEKS",
    "customers",
    "done",
    "intention_table",
    "market",
    "np",
    "pd",
    "tx",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
