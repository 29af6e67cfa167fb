"""Exercises for chapter 3 · The loyalty model (docs/crm-theory-reference.md §3)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crm_theory.loyalty import DICK_BASU_TYPES
from crm_theory.survey import rating_answers
from exercises.core import (
    ChoiceQuestion,
    FrameQuestion,
    Incorrect,
    LabelFunctionQuestion,
    NumberQuestion,
    ____,
)
from exercises.data import simulated_market
from simulation import Stage, rules, run_simulation

TITLE = "Exercises · Chapter 3 · The loyalty model"
NOTEBOOK = "03_loyalty_exercises.ipynb"
INTRO = """
Practise the customer loyalty model (客户忠诚理论模型) of chapter 3 (`notebooks/03_loyalty_model.ipynb`): four
determinants, perceived value (感知价值), satisfaction (满意), trust (信任) and switching cost (转移成本), whose
weights change with the stage of the relationship; satisfied customers who still defect; switching costs that
hold customers; true and spurious loyalty; a satisfaction survey (满意度调查) with its sampling error; rising
expectations. `customers` comes from one seeded simulated market of 3,000 people
over three years (`stage_based` strategy), one row per person who was ever a customer; `weights` is the
simulation's table of determinant weights by stage; `survey_answers` holds the answers (1-5) of 200 customers
to a satisfaction survey. Some questions ask you to run the simulation yourself.
"""

SETUP = "from exercises.ch3 import *\n"
RETENTION_RUN = {"seed": 2, "n_people": 2000, "weeks": 104, "engine": "vector"}
LOCKED_STRENGTH = 3

market = simulated_market(seed=7, n_people=3000, weeks=156)
customers = market.customers
_STAGES = [Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE]
weights = pd.DataFrame(
    [rules.DETERMINANT_WEIGHTS[s] for s in _STAGES],
    index=pd.Index([s.label for s in _STAGES], name="stage"),
    columns=["perceived_value", "satisfaction", "trust", "switching_cost"],
)


@lru_cache(maxsize=1)
def _retention() -> tuple[float, float]:
    """Mean weekly retention of the default market and of the locked-in one."""
    base = run_simulation("stage_based", **RETENTION_RUN).summary()["retention"]
    locked = run_simulation(
        "stage_based", switching_cost_strength=LOCKED_STRENGTH, **RETENTION_RUN
    ).summary()["retention"]
    return base, locked


class Predict(ChoiceQuestion):
    statement = """**Predict first.** `switching_cost_strength` multiplies every gain in switching cost
(relationship bonds, the loyalty programme, the learning relationship); 1 is the default market. Nothing else
changes: the same firm, the same offers, the same competitor. If it rises from 1 to 3, what happens to the
share of customers the firm keeps each week?

- **a** it rises: leaving costs customers more, so fewer leave
- **b** it falls: locked-in customers resent the lock-in and leave
- **c** it stays the same: switching costs do not change satisfaction, and satisfaction decides who stays

Answer with the letter, as a string. Question 2 tests your prediction."""
    template = "prediction = ____"
    variables = ["prediction"]
    setup_code = SETUP
    options = {"a": "rises", "b": "falls", "c": "stays the same"}
    correct = "a"
    feedback = {
        "b": "In the textbook's model every determinant raises loyalty (all four arrows are '+'); "
        "nothing in it makes a higher switching cost push customers out.",
        "c": "Satisfaction is one determinant of four: switching cost enters loyalty by itself, so it can "
        "hold a customer whose satisfaction has not changed.",
        "a": "Switching cost is a determinant of its own: it raises loyalty whatever the satisfaction. "
        "Now measure how much, in question 2.",
    }
    hints = ["Look at the model's four arrows: which sign does the arrow from switching cost carry?"]
    solution_text = (
        "(a). Switching cost (转移成本) raises loyalty directly (the textbook: use switching costs to "
        "lock in target customers; Burnham, Frels & Mahajan 2003). It does so even for customers "
        "whose satisfaction is low."
    )
    solution_code = "prediction = 'a'"
    wrong_examples = [
        ("prediction = 'c'", "one determinant of four"),
        ("prediction = 'yes'", "should be one of"),
    ]


class RetentionGain(NumberQuestion):
    statement = f"""**Test it.** Run the default market and a locked-in one:

```python
run_simulation("stage_based", seed=2, n_people=2000, weeks=104, engine="vector")
run_simulation("stage_based", seed=2, n_people=2000, weeks=104, engine="vector", switching_cost_strength={LOCKED_STRENGTH})
```

`result.summary()['retention']` is the mean weekly retention (the share of the week's customers not lost
that week). Weekly figures all look like 0.99..., so compound each to a year (retention ** 52, as in chapter 1).
By how much does the yearly retention rise in the locked-in market? Give the difference as a share (locked-in
minus default)."""
    template = (
        'base = run_simulation("stage_based", seed=2, n_people=2000, weeks=104, engine="vector")\n'
        "locked = ____\n"
        "retention_gain = ____"
    )
    variables = ["retention_gain"]
    decimals = 3  # a share: to 0.1 percentage point
    setup_code = SETUP
    hints = [
        "Run the second simulation with the same arguments plus `switching_cost_strength=3`: the same seed "
        "gives the same people and the same luck, so the difference is the effect of lock-in.",
        "Yearly retention = `result.summary()['retention'] ** 52`; subtract the default's from the "
        "locked-in one's.",
    ]
    solution_text = (
        "Retention rises by about two percentage points a year: with the same firm and the same "
        "competitor, customers who would have left stay because leaving costs them more. In chapter 3's "
        "experiment (b) the dissatisfied customers stay more often too: loyalty that comes from the "
        "barrier, not from liking the firm."
    )
    solution_code = (
        'base = run_simulation("stage_based", seed=2, n_people=2000, weeks=104, engine="vector")\n'
        'locked = run_simulation("stage_based", seed=2, n_people=2000, weeks=104, engine="vector",\n'
        "                        switching_cost_strength=3)\n"
        "retention_gain = locked.summary()['retention'] ** 52 - base.summary()['retention'] ** 52"
    )
    wrong_examples = [
        (
            "from exercises.ch3 import _retention\nretention_gain = _retention()[1] - _retention()[0]",
            "compound",
        ),
        (
            "from exercises.ch3 import _retention\n"
            "retention_gain = _retention()[0] ** 52 - _retention()[1] ** 52",
            "the wrong way round",
        ),
    ]

    def expected(self):
        base, locked = _retention()
        return locked**52 - base**52

    def mistakes(self):
        base, locked = _retention()
        gain = self.expected()
        return [
            (
                locked - base,
                "that is the gain in weekly retention: compound each rate to a year first "
                "(retention ** 52), then subtract.",
            ),
            ((locked - base) ** 52, "compound each rate separately (retention ** 52), then subtract."),
            (-gain, "the wrong way round: locked-in minus default."),
            (100 * gain, "give the difference as a share (e.g. 0.05), not in percentage points."),
        ]


class SatisfiedDefectors(NumberQuestion):
    statement = """Jones & Sasser (1995): satisfied customers defect too. For each customer who has been lost
(客户流失, `stage == 'lost'`), `customers['satisfaction_at_decline']` is their latent satisfaction when their
last decline began (positive: the firm still beat their expectation; the firm never sees this number). What
share of the **lost** customers were satisfied (satisfaction above 0) when their decline began?"""
    template = "satisfied_share = ____"
    variables = ["satisfied_share"]
    decimals = 3  # a share: to 0.1 percentage point
    setup_code = SETUP
    hints = [
        "Keep the lost customers first: `customers[customers['stage'] == 'lost']`.",
        "The share is the mean of a True/False column: `(lost['satisfaction_at_decline'] > 0).mean()`.",
    ]
    solution_text = (
        "About a third of the lost customers were still satisfied when they began to leave. Satisfaction "
        "compares the firm with the customer's own expectation; defection compares it with the best "
        "alternative (a rival's promotion, a rival's style). Satisfaction is necessary, not "
        "sufficient: 仅仅做到客户满意无法控制客户流失."
    )
    solution_code = (
        "lost = customers[customers['stage'] == 'lost']\n"
        "satisfied_share = (lost['satisfaction_at_decline'] > 0).mean()"
    )
    wrong_examples = [
        ("satisfied_share = (customers['satisfaction_at_decline'] > 0).mean()", "lost"),
        (
            "lost = customers[customers['stage'] == 'lost']\n"
            "satisfied_share = (lost['satisfaction_at_decline'] <= 0).mean()",
            "dissatisfied",
        ),
    ]

    def expected(self):
        lost = customers[customers["stage"] == "lost"]
        return float((lost["satisfaction_at_decline"] > 0).mean())

    def mistakes(self):
        share = self.expected()
        declined = customers["satisfaction_at_decline"].notna()
        return [
            (
                float((customers["satisfaction_at_decline"] > 0).mean()),
                "you divided by all customers: keep only the lost ones (stage == 'lost') first.",
            ),
            (
                float((customers.loc[declined, "satisfaction_at_decline"] > 0).mean()),
                "you kept every customer who ever began a decline, including those who recovered or are still "
                "declining: keep only the lost ones (stage == 'lost').",
            ),
            (
                1 - share,
                "that is the share of dissatisfied lost customers: count those with satisfaction above 0.",
            ),
            (100 * share, "give a share between 0 and 1, not a percentage."),
        ]


def _dick_basu(attitude, repeat):
    return DICK_BASU_TYPES[(bool(attitude > 0), bool(repeat > 0.5))]


def _swapped(attitude, repeat):
    kind = _dick_basu(attitude, repeat)
    return {"latent loyalty": "spurious loyalty", "spurious loyalty": "latent loyalty"}.get(kind, kind)


def _inclusive(attitude, repeat):
    return DICK_BASU_TYPES[(bool(attitude >= 0), bool(repeat >= 0.5))]


class LoyaltyType(LabelFunctionQuestion):
    statement = """Dick & Basu (1994) cross a customer's relative **attitude** toward the firm with their
**repeat patronage**: high attitude and high repeat is *true loyalty* (真正忠诚); high attitude, low repeat
*latent loyalty* (潜在忠诚); low attitude, high repeat *spurious loyalty* (虚假忠诚); both low *no loyalty*
(不忠诚).

As in chapter 3, measure attitude by latent satisfaction (high: above 0) and repeat patronage by the share of
4-week periods with a purchase (high: above 0.5). Write a function `loyalty_type(attitude, repeat)` that
returns `'true loyalty'`, `'latent loyalty'`, `'spurious loyalty'` or `'no loyalty'`. It is checked on hidden
cases, including values exactly at the thresholds."""
    template = "def loyalty_type(attitude, repeat):\n    return ____"
    variables = ["loyalty_type"]
    setup_code = SETUP
    hints = [
        "Two yes/no questions: is `attitude > 0`? Is `repeat > 0.5`? Four combinations, four types.",
        "Spurious loyalty is buying without liking (high repeat, low attitude); latent loyalty is liking "
        "without buying (high attitude, low repeat).",
        "'Above' is strict: an attitude of exactly 0 is not high.",
    ]
    solution_text = (
        "Spurious loyalty is repeat buying without a positive attitude: habit, no choice, or switching "
        "costs. A firm that reads loyalty from repeat purchases alone cannot tell it from true "
        "loyalty, and it lasts only as long as the barrier. `crm_theory.dick_basu_type` does the same "
        "for whole Series."
    )
    solution_code = (
        "def loyalty_type(attitude, repeat):\n"
        "    if attitude > 0:\n"
        "        return 'true loyalty' if repeat > 0.5 else 'latent loyalty'\n"
        "    return 'spurious loyalty' if repeat > 0.5 else 'no loyalty'"
    )
    wrong_examples = [
        (
            "def loyalty_type(attitude, repeat):\n"
            "    if attitude > 0:\n"
            "        return 'true loyalty' if repeat > 0.5 else 'spurious loyalty'\n"
            "    return 'latent loyalty' if repeat > 0.5 else 'no loyalty'",
            "buying without liking",
        ),
        (
            "def loyalty_type(attitude, repeat):\n"
            "    if attitude >= 0:\n"
            "        return 'true loyalty' if repeat >= 0.5 else 'latent loyalty'\n"
            "    return 'spurious loyalty' if repeat >= 0.5 else 'no loyalty'",
            "above",
        ),
        ("def loyalty_type(attitude, repeat):\n    return ____", "still returns ____"),
    ]

    def reference(self, attitude, repeat):
        return _dick_basu(attitude, repeat)

    def cases(self):
        fixed = [
            (0.3, 0.8),
            (0.3, 0.2),
            (-0.2, 0.9),
            (-0.1, 0.1),
            (0.0, 0.7),
            (0.2, 0.5),
            (0.0, 0.5),
            (-0.4, 0.5),
            (0.05, 1.0),
            (-0.6, 0.0),
        ]
        rng = np.random.default_rng(3)
        drawn = [
            (round(float(a), 3), round(float(r), 3))
            for a, r in zip(rng.normal(0, 0.3, 12), rng.uniform(0, 1, 12), strict=True)
        ]
        return fixed + drawn

    def mistakes(self):
        return [
            (
                _swapped,
                "latent and spurious are swapped: spurious loyalty is buying without liking (high "
                "repeat, low attitude); latent loyalty is liking without buying.",
            ),
            (
                _inclusive,
                "'high' means above the threshold: an attitude of exactly 0 or a repeat share of "
                "exactly 0.5 is not high.",
            ),
        ]


class WeightShares(FrameQuestion):
    statement = """The textbook says the four determinants play different roles in different stages. `weights`
holds the simulation's weight of each determinant in each stage. The rows have different totals, so compare
**shares**: divide each weight by the total of its row (its stage), so that each row adds up to 1. Give the
result as a DataFrame shaped like `weights`."""
    template = "weight_shares = ____\nweight_shares"
    variables = ["weight_shares"]
    decimals = 2  # the weights have two decimals
    setup_code = SETUP
    hints = [
        "Each stage is a row: its total is `weights.sum(axis=1)`.",
        "`weights.div(weights.sum(axis=1), axis=0)` divides each row by its own total.",
    ]
    solution_text = (
        "In identification, perceived value has half the weight; in development satisfaction and "
        "perceived value lead; in the stable stage satisfaction's share falls to an eighth and trust "
        "and switching cost together hold almost two thirds. Loyalty matures from 'this offer is "
        "better' to 'I trust them, and leaving would cost me' (Oliver 1999): the textbook's reason for "
        "different retention strategies in different stages."
    )
    solution_code = "weight_shares = weights.div(weights.sum(axis=1), axis=0)\nweight_shares"
    wrong_examples = [
        ("weight_shares = weights / weights.sum()", "each row"),
        ("weight_shares = weights", "each row adds up to 1"),
    ]

    def expected(self):
        return weights.div(weights.sum(axis=1), axis=0)

    def evaluate(self, answers):
        name = self.variables[0]
        try:
            return super().evaluate(answers)
        except Incorrect:
            value = answers[name]
            for wrong, message in (
                (
                    weights / weights.sum(),
                    "you divided by the column totals: divide each "
                    "row by its own total (its stage), `weights.sum(axis=1)` with `axis=0` "
                    "in `div`.",
                ),
                (
                    weights,
                    "those are the raw weights: divide each by its row's total, so each row adds up to 1.",
                ),
            ):
                try:
                    self.compare(value, wrong, name)
                except Incorrect:
                    continue
                raise Incorrect(message) from None
            raise


class JonesSasser(ChoiceQuestion):
    statement = """A retailer's survey finds that 85% of its customers are satisfied, so its manager decides
that defection is not a risk and cuts the retention budget. Which answer follows Jones & Sasser (1995), the
textbook's lessons and what you measured in question 3?

- **a** The manager is right: satisfied customers do not defect; only dissatisfied ones need attention.
- **b** Satisfaction alone cannot stop defection: merely satisfied customers defect far more often than
  completely satisfied ones, and customers leave when the alternative is better. Manage value (价值为本), not
  just satisfaction, and use switching costs for target customers.
- **c** Satisfaction does not matter at all; only switching costs keep customers.
- **d** High switching costs turn satisfied customers into truly loyal ones, so the firm should raise them for
  everyone instead of improving its offer.

Answer with the letter, as a string."""
    template = "lesson = ____"
    variables = ["lesson"]
    setup_code = SETUP
    options = {
        "a": "the manager is right",
        "b": "satisfaction alone cannot stop defection",
        "c": "satisfaction does not matter",
        "d": "switching costs make true loyalty",
    }
    correct = "b"
    feedback = {
        "a": "Question 3 showed that a large share of lost customers were satisfied when their decline "
        "began: satisfied customers do defect.",
        "c": "Satisfaction is one of four determinants and weighs most early in the relationship; it "
        "matters, it is just not enough.",
        "d": "Barriers without value produce spurious loyalty (虚假忠诚): customers who buy without liking "
        "the firm, and leave when the barrier falls. The textbook says lock in *target* customers.",
        "b": "仅仅做到客户满意无法控制客户流失: satisfaction compares with expectations, defection with the "
        "alternative.",
    }
    hints = [
        "What did question 3 measure about the lost customers?",
        "Jones & Sasser's title is 'Why satisfied customers defect'.",
    ]
    solution_text = (
        "(b). The textbook's four lessons: satisfaction alone cannot control defection; build on value; "
        "use switching costs to lock in target customers; use different retention strategies in "
        "different stages. Jones & Sasser found that only completely satisfied customers are reliably "
        "loyal, and that switching barriers can create false loyalty."
    )
    solution_code = "lesson = 'b'"
    wrong_examples = [("lesson = 'd'", "spurious loyalty"), ("lesson = 'a'", "Question 3")]


# 200 customers' answers to "how satisfied are you?" (1-5), drawn once from a spread of latent satisfaction
survey_answers = pd.Series(
    rating_answers(np.random.default_rng(14).normal(0.0, 0.2, 200), np.random.default_rng(15)),
    name="answer",
)


class SurveyInterval(NumberQuestion):
    statement = """A firm runs its regular customer satisfaction survey (定期的客户满意度调查): it asks 200
randomly chosen customers "how satisfied are you?" on a scale from 1 to 5. `survey_answers` holds their
answers. The mean answer estimates the mean of all customers, with a **sampling error** (抽样误差). What is the
half-width of the 95% **confidence interval** (置信区间) for the mean answer, 1.96 × standard deviation / √n
(use the sample standard deviation, `survey_answers.std()`)?"""
    template = "half_width = ____"
    variables = ["half_width"]
    decimals = 2  # t(199) = 1.97 instead of 1.96 moves it by less than 0.005
    setup_code = SETUP
    hints = [
        "n is the number of answers, `len(survey_answers)`.",
        "`1.96 * survey_answers.std() / np.sqrt(len(survey_answers))`: the standard error times 1.96.",
    ]
    solution_text = (
        "About ±0.16 points on the 1-5 scale: the survey's mean is 95% likely to be within that of the mean "
        "answer of all customers. The half-width shrinks with √n: four times as many customers halve it, "
        "which is why a firm that wants to see a change of 0.1 point between two quarterly surveys needs "
        "samples of several hundred (chapter 3, 'Measuring satisfaction')."
    )
    solution_code = "half_width = 1.96 * survey_answers.std() / np.sqrt(len(survey_answers))"
    wrong_examples = [
        ("half_width = 1.96 * survey_answers.std()", "divide by"),
        ("half_width = survey_answers.std() / np.sqrt(len(survey_answers))", "1.96"),
    ]

    def expected(self):
        return float(1.96 * survey_answers.std() / np.sqrt(len(survey_answers)))

    def mistakes(self):
        sd, n = float(survey_answers.std()), len(survey_answers)
        return [
            (
                1.96 * sd,
                "that is 1.96 standard deviations of the answers: divide by √n for the mean's error.",
            ),
            (sd / np.sqrt(n), "that is the standard error; the 95% interval reaches 1.96 of them each way."),
            (1.96 * sd**2 / np.sqrt(n), "use the standard deviation, not the variance."),
            (2 * 1.96 * sd / np.sqrt(n), "that is the whole width of the interval: give half of it."),
        ]


class RisingExpectations(ChoiceQuestion):
    statement = """A firm's quarterly satisfaction survey falls from 3.5 to 2.9 (on a 1-5 scale) over two years,
with intervals of about ±0.15, although the value its customers get has not fallen. Chapter 3's simulation
shows the same. Which explanation and which response follow the model and the article *Customer
relationship management strategy* on managing customer expectations (客户期望管理)?

- **a** Sampling error: the surveys are noisy, so the firm should ignore them.
- **b** Expectations rise toward the value customers get, so the same service satisfies less: promise what
  the firm can keep, keep raising the value it delivers, and keep surveying to see when the gap closes.
- **c** The service must have got worse, whatever the firm measures, so it should replace its staff.
- **d** Satisfaction does not matter for loyalty, so the fall is of no concern.

Answer with the letter, as a string."""
    template = "expectations_answer = ____"
    variables = ["expectations_answer"]
    setup_code = SETUP
    options = {
        "a": "sampling error: ignore the surveys",
        "b": "expectations rise; manage them and keep raising value",
        "c": "the service got worse",
        "d": "satisfaction does not matter",
    }
    correct = "b"
    feedback = {
        "a": "A fall of 0.6 points is four times the interval's half-width: far more than sampling error.",
        "c": "Satisfaction compares the experience with the customer's own expectation (S <- lS + (1-l)(v - E)): "
        "it can fall while the value stays the same, if the expectation rises.",
        "d": "Satisfaction is one of the four determinants of loyalty; the experiment on expectation_rate in "
        "chapter 3 shows fewer stable customers and lower retention when expectations rise fast.",
        "b": "Good service raises the bar (E <- E + eta(v - E)); regular surveys show when the gap closes.",
    }
    hints = [
        "In the model, satisfaction is experienced value minus expectation; what happens to E after good "
        "service?"
    ]
    solution_text = (
        "(b). Customers' expectations keep rising (客户的期望不断提升): in the model they move toward what "
        "customers experience, so satisfaction, the gap between the two, closes even when the value does not "
        "fall. Managing expectations means promising what the firm can keep and raising the value it "
        "delivers, and regular surveys, read with their sampling error, show the trend."
    )
    solution_code = "expectations_answer = 'b'"
    wrong_examples = [
        ("expectations_answer = 'a'", "sampling error"),
        ("expectations_answer = 'e'", "one of"),
    ]


q1 = Predict("Question 1 (predict: switching costs)")
q2 = RetentionGain("Question 2 (test: retention with lock-in)")
q3 = SatisfiedDefectors("Question 3 (satisfied customers defect)")
q4 = LoyaltyType("Question 4 (Dick & Basu loyalty types)")
q5 = WeightShares("Question 5 (determinant weights by stage)")
q6 = JonesSasser("Question 6 (the lesson)")
q7 = SurveyInterval("Question 7 (survey: confidence interval)")
q8 = RisingExpectations("Question 8 (rising expectations)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]

__all__ = [
    "customers",
    "market",
    "np",
    "pd",
    "run_simulation",
    "survey_answers",
    "weights",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
