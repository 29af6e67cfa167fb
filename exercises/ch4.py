"""Exercises for chapter 4 · RFM (docs/crm-theory-reference.md §5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory import rfm_analysis, rfm_scores, rfm_table
from crm_theory.rfm import break_even_response_rate
from exercises.core import (
    ChoiceQuestion,
    FunctionQuestion,
    Incorrect,
    NumberQuestion,
    SeriesQuestion,
    ____,
    as_series,
    compare_series,
    shown,
)
from exercises.data import simulated_market, small_log

TITLE = "Exercises · Chapter 4 · RFM"
NOTEBOOK = "04_rfm_exercises.ipynb"
INTRO = """
Practise recency (最近一次消费), frequency (消费频率) and monetary value (消费金额) on data from a seeded
simulation: `log` holds the purchases of eight customers in the first year (weeks 0-52), `market_log` the
purchases of a whole market of 600 people. The analysis date is week `ANALYSIS_WEEK` = 53. Chapter 4 of the
course (`notebooks/04_rfm.ipynb`) covers everything you need.
"""

ANALYSIS_WEEK = 53
log = small_log()
market_log = simulated_market().transactions
SETUP = "from exercises.ch4 import *\n"


class Recency(NumberQuestion):
    statement = """Look at `log`. What is the recency, in weeks, of the customer in the first row of `log`
(`log['customer_id'].iloc[0]`), at the analysis date (week 53)?"""
    template = "recency_of_first = ____"
    variables = ["recency_of_first"]
    setup_code = SETUP
    hints = [
        "Recency is counted from the analysis date (week 53), not from the customer's first purchase.",
        "Find the customer's last purchase week in `log`, then subtract it from 53.",
    ]
    solution_text = "Recency = analysis week − week of the last purchase."
    solution_code = (
        "first = log['customer_id'].iloc[0]\n"
        "recency_of_first = ANALYSIS_WEEK - log.loc[log['customer_id'] == first, 'week'].max()"
    )
    wrong_examples = [
        (
            "first = log['customer_id'].iloc[0]\n"
            "recency_of_first = ANALYSIS_WEEK - log.loc[log['customer_id'] == first, 'week'].min()",
            "counted from the first purchase",
        )
    ]

    def _weeks(self):
        first = log["customer_id"].iloc[0]
        return log.loc[log["customer_id"] == first, "week"]

    def expected(self):
        return float(ANALYSIS_WEEK - self._weeks().max())

    def mistakes(self):
        return [
            (
                float(ANALYSIS_WEEK - self._weeks().min()),
                "you counted from the first purchase: recency is the time since the LAST purchase.",
            ),
            (
                float(52 - self._weeks().max()),
                "recency must be counted from the analysis date, week 53, not from the last simulated week.",
            ),
        ]


class FrequencyMonetary(SeriesQuestion):
    statement = """Compute the monetary value of every customer in `log`, as a pandas Series indexed by
`customer_id` (a list in customer order works too)."""
    template = "monetary = ____"
    variables = ["monetary"]
    setup_code = SETUP
    hints = [
        "Group the log by customer_id.",
        "Monetary value (消费金额) in Hughes' RFM is the total spent in the period: `.sum()`.",
    ]
    solution_text = "Group by customer and add up the amounts."
    solution_code = "monetary = log.groupby('customer_id')['amount'].sum()"
    decimals = 2  # money: amounts rounded to cents pass
    wrong_examples = [
        ("monetary = log.groupby('customer_id')['amount'].mean()", "total spent"),
        ("monetary = log.groupby('customer_id').size()", "money"),
    ]

    def expected(self):
        return log.groupby("customer_id")["amount"].sum()

    def mistakes(self):
        grouped = log.groupby("customer_id")["amount"]
        return [
            (grouped.mean(), "that is the average basket: monetary value here is the total spent."),
            (grouped.size().astype(float), "that counts purchases (frequency): monetary value is money."),
        ]


def _reference_recency_scores(recency: pd.Series) -> pd.Series:
    # rank first so each fifth holds a fifth of the customers; low recency (recent) scores high
    ranks = recency.rank(method="first", ascending=False)
    return np.ceil(ranks / len(recency) * 5).astype(int)


class RecencyScores(FunctionQuestion):
    statement = """Write a function `recency_score(recency)` that takes a Series of recencies (one per
customer, in weeks) and returns quintile scores 1-5 with **recency reversed**: the most recent fifth of
customers scores 5, the least recent fifth 1. Break ties by order, so each score holds a fifth of the customers
(customers with the same recency may then get neighbouring scores). It is checked on hidden test cases, some
with many tied recencies."""
    template = "def recency_score(recency):\n    return ____"
    variables = ["recency_score"]
    setup_code = SETUP
    hints = [
        "Quintiles: sort customers by recency and cut them into five groups of equal size.",
        "Recency is reversed: the MOST recent customers (smallest recency) get 5.",
        "Tied recencies make `pd.qcut(recency, 5)` fail (its bin edges coincide): rank first. "
        "`pd.qcut(recency.rank(method='first'), 5, labels=[5, 4, 3, 2, 1]).astype(int)` does it in one line.",
    ]
    solution_text = (
        "Rank by recency (ties broken by order), cut into five equal groups, and reverse the "
        "labels so the most recent fifth scores 5. Any order of breaking ties passes, as long as "
        "each score holds a fifth and a more recent customer never scores lower."
    )
    solution_code = (
        "def recency_score(recency):\n"
        "    return pd.qcut(recency.rank(method='first'), 5, labels=[5, 4, 3, 2, 1]).astype(int)"
    )
    wrong_examples = [
        (
            "def recency_score(recency):\n"
            "    return pd.qcut(recency.rank(method='first'), 5, labels=[1, 2, 3, 4, 5]).astype(int)",
            "wrong way round",
        ),
        (
            "def recency_score(recency):\n"
            "    return pd.qcut(recency.rank(), 5, labels=[5, 4, 3, 2, 1]).astype(int)",
            "a fifth",
        ),
        ("def recency_score(recency):\n    return ____", "still returns ____"),
    ]

    def reference(self, recency):
        return _reference_recency_scores(recency)

    def cases(self):
        rng = np.random.default_rng(11)
        weeks_since = rng.integers(1, 13, 50)  # 50 customers, 12 distinct recencies: many ties
        heavy = np.concatenate([np.full(60, 52), rng.integers(1, 52, 40)])  # 60% never came back
        return [
            (pd.Series(rng.permutation(np.arange(1, 51)), index=np.arange(100, 150), name="recency"),),
            (pd.Series(rng.permutation(np.arange(3, 203)).astype(float), name="recency"),),
            (pd.Series(weeks_since, index=np.arange(500, 550), name="recency"),),
            (pd.Series(rng.permutation(heavy).astype(float), name="recency"),),
            (pd.Series(rng.integers(1, 20, 52), name="recency"),),
        ]

    def judge(self, result, args, name):
        """Right when each score holds a fifth and scores never rise with recency: ties may go either way."""
        recency = args[0]
        label = f"{name}(...)"
        positional = not isinstance(result, pd.Series | pd.DataFrame | dict)
        scores = as_series(result, label, index=recency.index if positional else None)
        compare_series(scores.index.to_series(), recency.index.to_series(), f"the customers of {label}")
        try:
            scores = scores.loc[recency.index].to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise Incorrect(f"`{label}` should return whole numbers from 1 to 5") from None
        if not np.isin(scores, [1, 2, 3, 4, 5]).all():
            odd = scores[~np.isin(scores, [1, 2, 3, 4, 5])][0]
            raise Incorrect(f"`{label}` should return whole numbers from 1 to 5; it returned {shown(odd)}")
        n = len(recency)
        counts = pd.Series(scores).value_counts().reindex([1, 2, 3, 4, 5], fill_value=0)
        if (abs(counts - n / 5) >= 1).any():
            score = int((abs(counts - n / 5)).idxmax())
            raise Incorrect(
                f"on a test case with {n} customers (some tied), score {score} holds "
                f"{counts[score]}: each score should hold a fifth ({n / 5:g}). Break ties by "
                "order (`rank(method='first')`) so tied customers can land in neighbouring scores."
            )
        by_recency = pd.DataFrame({"recency": recency.to_numpy(), "score": scores}).groupby("recency")[
            "score"
        ]
        lowest, highest = by_recency.min().to_numpy(), by_recency.max().to_numpy()
        if (highest[1:] <= lowest[:-1]).all():
            return
        if (lowest[1:] >= highest[:-1]).all():
            raise Incorrect(
                "the scores are the wrong way round: recency is reversed, the most recent customers score 5."
            )
        raise Incorrect(
            f"on a test case with {n} customers, a less recent customer scored higher than a more "
            "recent one: rank the customers by recency before cutting them into fifths."
        )


class CellCount(NumberQuestion):
    statement = """Now use the library: score `market_log` at week 53 with `rfm_analysis`. How many customers
are in cell `'555'` (the best fifth on recency, frequency and monetary value)?"""
    template = "rfm = rfm_analysis(market_log, ANALYSIS_WEEK)\nchampions_in_555 = ____"
    variables = ["champions_in_555"]
    setup_code = SETUP
    hints = [
        "Use `rfm_analysis(market_log, ANALYSIS_WEEK)` from crm_theory.",
        "Count the rows whose `cell` is '555'.",
    ]
    solution_text = "The library scores every customer; cell 555 holds the best on all three dimensions."
    solution_code = (
        "rfm = rfm_analysis(market_log, ANALYSIS_WEEK)\nchampions_in_555 = (rfm['cell'] == '555').sum()"
    )
    wrong_examples = [("champions_in_555 = len(rfm_analysis(market_log, ANALYSIS_WEEK))", "not right")]

    def expected(self):
        return float((rfm_analysis(market_log, ANALYSIS_WEEK)["cell"] == "555").sum())


class BreakEven(NumberQuestion):
    statement = """Hughes' cell analysis. A mailing costs 0.80 CU per piece and each response brings a net
profit of 20 CU. What is the break-even response rate, as a share (e.g. 0.1 for 10%)?"""
    template = "break_even_rate = ____"
    variables = ["break_even_rate"]
    setup_code = SETUP
    hints = [
        "Break-even: the response rate at which a mailing's responses just pay for the mailing.",
        "Hughes: break-even rate = cost per piece / net profit per response.",
    ]
    solution_text = "0.80 / 20 = 0.04: cells whose test response rate beats 4% are worth rolling out to."
    solution_code = "break_even_rate = 0.80 / 20"
    wrong_examples = [("break_even_rate = 20 / 0.80", "upside down"), ("break_even_rate = 4", "a share")]

    def expected(self):
        return break_even_response_rate(0.80, 20.0)

    def mistakes(self):
        return [
            (20 / 0.80, "that is upside down: divide the cost per piece by the profit per response."),
            (4.0, "give the rate as a share (0.04), not a percentage."),
        ]


TEST_MAILED, TEST_BOUGHT = 2000, 880
HOLDOUT, HOLDOUT_BOUGHT = 2000, 800
CATALOGUE_COST, NET_PROFIT = 0.25, 25.0


class IncrementalProfit(NumberQuestion):
    statement = f"""Hughes' test with a **holdout group** (对照组). In cell `'555'` the firm mails a catalogue to
{TEST_MAILED:,} randomly chosen customers, of whom {TEST_BOUGHT} buy in the mailing week. Another {HOLDOUT:,}
customers of the same cell, chosen at random and not mailed, are held out: {HOLDOUT_BOUGHT} of them buy
that week anyway. A catalogue costs {CATALOGUE_COST} CU and each purchase brings a net profit of
{NET_PROFIT:g} CU. What is the expected profit per contact, in CU, of rolling the catalogue out to the rest
of the cell (incremental response rate × net profit per response − cost per contact)?"""
    template = "profit_per_contact = ____"
    variables = ["profit_per_contact"]
    decimals = 2
    setup_code = SETUP
    hints = [
        "Response rate of each group: buyers / group size. The catalogue caused only the difference.",
        "Incremental response rate = test rate − holdout rate; then × 25 − 0.25.",
    ]
    solution_text = (
        "The mailed bought at 44%, the holdout at 40%: the catalogue caused 4 points, so a contact earns "
        "0.04 × 25 − 0.25 = 0.75 CU. Counting every purchase of the mailed as a response would promise "
        "10.75 CU per contact, fourteen times too much. The break-even rule compares the incremental rate "
        "(4%) with the break-even rate (0.25 / 25 = 1%), as in chapter 4's simulated mailing."
    )
    solution_code = "lift = 880 / 2000 - 800 / 2000\nprofit_per_contact = lift * 25 - 0.25"
    wrong_examples = [
        ("profit_per_contact = 880 / 2000 * 25 - 0.25", "holdout"),
        ("profit_per_contact = (880 / 2000 - 800 / 2000) * 25", "cost"),
    ]

    def expected(self):
        lift = TEST_BOUGHT / TEST_MAILED - HOLDOUT_BOUGHT / HOLDOUT
        return lift * NET_PROFIT - CATALOGUE_COST

    def mistakes(self):
        gross = TEST_BOUGHT / TEST_MAILED
        lift = gross - HOLDOUT_BOUGHT / HOLDOUT
        return [
            (
                gross * NET_PROFIT - CATALOGUE_COST,
                "you counted every purchase of the mailed customers as a response: the holdout bought too. "
                "Subtract the holdout's rate first.",
            ),
            (lift * NET_PROFIT, "that is the profit before the cost of the catalogue: subtract 0.25 CU."),
            (lift, "that is the incremental response rate: turn it into profit per contact (× 25 − 0.25)."),
        ]


class Ties(ChoiceQuestion):
    statement = """More than a quarter of the customers in `market_log` bought only once, so they all share
one frequency. Chapter 4 compares the two rules `rfm_scores` offers for such ties: `ties='rank'` breaks them by
order (customer id), `ties='keep'` gives equal values the same score. Which is true?

- **a** `pd.qcut` on the raw frequencies puts each fifth of customers in its own score anyway, so ties need no
  rule
- **b** ranking first (`ties='rank'`) keeps five equal groups, but it gives identical customers (the same
  frequency) different scores, decided by their customer id, so those scores differ only by chance; with many
  ties, `ties='keep'` (equal values, equal scores, uneven bins) is the honest choice for decisions
- **c** ranking first makes the frequency scores more informative: every score then holds a fifth of the
  customers, so every score separates buyers as well as the others do
- **d** ties do not matter for frequency, only for recency

Answer with the letter, as a string."""
    template = "ties_answer = ____"
    variables = ["ties_answer"]
    setup_code = SETUP
    options = {
        "a": "pd.qcut on the raw frequencies puts each fifth in its own score anyway",
        "b": "ties='rank' keeps equal groups but gives identical customers different scores by their id; "
        "with many ties ties='keep' is the honest choice for decisions",
        "c": "ranking first makes the frequency scores more informative",
        "d": "ties do not matter for frequency, only for recency",
    }
    correct = "b"
    hints = [
        "Look at `rfm_table(market_log, ANALYSIS_WEEK)['frequency'].value_counts()`.",
        "Score the table both ways, `rfm_scores(table, ties='rank')` and `ties='keep'`, and compare the "
        "range of frequencies behind each `f_score`.",
    ]
    solution_text = (
        "(b). When more than a fifth of customers share one frequency (one purchase), quintile edges "
        "coincide. Ranking first keeps five equal groups, but the one-time buyers then spread over "
        "several scores by customer id: identical customers, different cells, and the difference "
        "between those cells is noise. `ties='keep'` gives them one score and leaves the bins uneven. "
        "Neither rule creates information the data do not have; know which one a report used, and "
        "with many ties prefer `keep` for decisions, as chapter 4 does."
    )
    solution_code = "ties_answer = 'b'"
    feedback = {
        "a": "With heavy ties the quintile edges coincide: `pd.qcut` fails or merges bins.",
        "c": "Even bins are not more information: among the one-time buyers, `ties='rank'` decides the "
        "score by customer id, so those scores differ only by chance. Chapter 4 prefers "
        "`ties='keep'` for decisions when ties are many.",
        "d": "Frequency is the MOST tied dimension: many customers bought exactly once.",
        "b": "Equal bins from ranking are partly arbitrary; with many ties `ties='keep'` is the honest "
        "choice (chapter 4).",
    }
    wrong_examples = [("ties_answer = 'a'", "edges coincide"), ("ties_answer = 'c'", "only by chance")]


q1 = Recency("Question 1 (recency)")
q2 = FrequencyMonetary("Question 2 (monetary value)")
q3 = RecencyScores("Question 3 (recency scores)")
q4 = CellCount("Question 4 (cell 555)")
q5 = BreakEven("Question 5 (break-even response rate)")
q6 = Ties("Question 6 (ties)")
q7 = IncrementalProfit("Question 7 (holdout: profit of a roll-out)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7]

__all__ = [
    "ANALYSIS_WEEK",
    "log",
    "market_log",
    "rfm_analysis",
    "rfm_scores",
    "rfm_table",
    "pd",
    "np",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
