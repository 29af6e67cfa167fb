"""A person's state, declared once: name, type, starting value and meaning of every field.

The vector engine keeps everyone's state in one numpy record array of `STATE_DTYPE` (compiled rules read
and write a person's record in place); the agent engine gives each `Person` these fields as attributes;
outputs and tests read them by name. Adding a field means adding one line here (and using it in a rule).

Starting values that depend on parameters or on the person's draws (need, purchase rate, tastes, trust,
the initial customers) are set by `simulation.population.initial_state`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Field(NamedTuple):
    name: str
    dtype: type
    initial: float | int | bool
    meaning: str


STATE_FIELDS: tuple[Field, ...] = (
    # lifecycle position (reference §2)
    Field("stage", np.int8, 0, "lifecycle stage code (simulation.stages.Stage); 0 = prospect"),
    Field("acquired_week", np.int32, -1, "week of the first purchase at the firm (-1: never a customer)"),
    Field("lost_week", np.int32, -1, "week the relationship was lost (-1: not lost)"),
    Field("decline_start_stage", np.int8, -1, "stage in which the current or last decline began (-1: none)"),
    Field("satisfied_weeks", np.int32, 0, "satisfied weeks in identification (move to development)"),
    Field("stable_weeks", np.int32, 0, "weeks spent in the stable stage"),
    Field("tenure_weeks", np.int32, 0, "weeks as a customer, over all relationships"),
    Field("times_won_back", np.int16, 0, "times the person came back after being lost"),
    # needs and purchases
    Field("need", np.float64, 0.0, "weekly category need, CU per week (spend across all sellers)"),
    Field("purchase_rate", np.float64, 0.0, "weekly probability of a category purchase occasion"),
    Field("cross_sells", np.int16, 0, "extra categories bought at the firm after cross-selling"),
    Field("need_shift", np.float64, 0.0, "value lost because needs changed (fades 2% a week)"),
    # the loyalty model's determinants (reference §3, §8)
    Field("competitor_taste", np.float64, 0.0, "personal preference for the competitor's offer, value units"),
    Field("expectation", np.float64, 0.0, "comparison level: the value the person expects, value units"),
    Field("perceived_value", np.float64, 0.0, "running average of experienced value, value units"),
    Field("satisfaction", np.float64, 0.0, "running experienced value minus expectation"),
    Field("trust", np.float64, 0.0, "trust in the firm, 0-1"),
    Field("switching_cost", np.float64, 0.0, "cost of leaving the firm, value units"),
    Field("service_level", np.float64, 0.0, "value added by recent service contacts (fades 15% a week)"),
    Field("loyalty_member", np.int8, 0, "1 if enrolled in the firm's loyalty programme"),
    # the four intentions (reference §2) and the share of the category bought at the firm
    Field("repeat_purchase", np.float64, 0.0, "repeat-purchase intention, 0-1"),
    Field("price_tolerance", np.float64, 0.0, "price tolerance, 0-1"),
    Field("cross_buying", np.float64, 0.0, "cross-buying intention, 0-1"),
    Field("referral", np.float64, 0.0, "referral intention, 0-1"),
    Field("share_of_wallet", np.float64, 0.0, "chance that a category purchase is made at the firm, 0-1"),
    Field("satisfaction_at_decline", np.float64, 0.0, "satisfaction when the last decline began"),
    Field("talked", np.bool_, False, "recommended the firm to the neighbours this week"),
)

#: One week's outcomes of a person, written by the rules next to the state.
OUTCOME_FIELDS: tuple[Field, ...] = (
    Field("previous_stage", np.int8, 0, "stage at the start of the week"),
    Field("spend", np.float64, 0.0, "money spent at the firm this week, CU"),
    Field("competitor_spend", np.float64, 0.0, "money a current customer spent at the competitor, CU"),
    Field("responded", np.bool_, False, "took up the firm's action this week"),
    Field("acquired", np.bool_, False, "a prospect became a customer this week"),
    Field("returned", np.bool_, False, "a lost customer came back this week"),
    Field("became_lost", np.bool_, False, "the relationship ended this week"),
)

STATE_NAMES = tuple(f.name for f in STATE_FIELDS)
OUTCOME_NAMES = tuple(f.name for f in OUTCOME_FIELDS)


def _record_dtype(fields: tuple[Field, ...]) -> np.dtype:
    """One record per person: aligned, so compiled code reads each field at its natural alignment, with
    the widest fields first so that alignment needs no padding."""
    by_width = sorted(fields, key=lambda f: -np.dtype(f.dtype).itemsize)  # stable: declared order within
    return np.dtype([(f.name, f.dtype) for f in by_width], align=True)


STATE_DTYPE = _record_dtype(STATE_FIELDS)
OUTCOME_DTYPE = _record_dtype(OUTCOME_FIELDS)


def new_state(n_people: int) -> np.ndarray:
    """Everyone's state at its declared starting values."""
    state = np.zeros(n_people, dtype=STATE_DTYPE)
    for f in STATE_FIELDS:
        if f.initial:
            state[f.name] = f.initial
    return state


def new_outcomes(n_people: int) -> np.ndarray:
    return np.zeros(n_people, dtype=OUTCOME_DTYPE)


def describe() -> list[tuple[str, str, str]]:
    """(name, type, meaning) of every state field, for documentation."""
    return [(f.name, np.dtype(f.dtype).name, f.meaning) for f in STATE_FIELDS]
