"""The vector engine's week: the scalar rules of `simulation.rules`, compiled, in one loop over everyone.

The rules are plain Python functions that call each other by name. To compile them without writing
them twice, every function of `rules` is rebuilt here from its own code object with globals in which its
callees are their compiled versions, then compiled with numba (``fastmath=False``, so each + - * / is
the same IEEE operation as in Python, and the agent engine's results are bit-identical). The compiled
code is cached on disk beside the sources (numba's ``cache=True``): the first run in a fresh clone
compiles for a few seconds, later runs load it.
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit

from simulation import rules
from simulation.random_streams import acquisition_draw, customer_draws


def _compiled_rules() -> dict[str, object]:
    """Every function of `rules`, compiled, resolving its callees to their compiled versions."""
    namespace = dict(vars(rules))
    functions = {
        name: value
        for name, value in vars(rules).items()
        if isinstance(value, types.FunctionType)
        and value.__module__ == rules.__name__
        and name != "rule_parameters"
        and not name.startswith("_")
    }
    for name, function in functions.items():
        clone = types.FunctionType(
            function.__code__, namespace, name, function.__defaults__, function.__closure__
        )
        clone.__qualname__ = function.__qualname__
        clone.__module__ = function.__module__
        namespace[name] = njit(cache=True, inline="always")(clone)
    return {name: namespace[name] for name in functions}


_RULES = _compiled_rules()
_prospect_week = _RULES["prospect_week"]
_lost_week = _RULES["lost_week"]
_customer_week = _RULES["customer_week"]
PROSPECT, LOST = rules.PROSPECT, rules.LOST
Draws, FirmInputs = rules.Draws, rules.FirmInputs


# The week's totals for the metrics, accumulated person by person in id order by `tally`, in the
# vector engine's loop and in `week_totals` (the agent engine), so both add the same numbers in the same
# order. Slots: people per stage code (0-5), then the names below.
(
    NEW_CUSTOMERS,
    WON_BACK,
    LOST_CUSTOMERS,
    REVENUE,
    ORDERS,
    CUSTOMERS_BEFORE,
    RETAINED,
    CUSTOMERS_NOW,
    SUM_SATISFACTION,
    SUM_TRUST,
    SUM_SWITCHING_COST,
    SUM_SHARE_OF_WALLET,
) = range(6, 18)
TOTAL_SLOTS = 18


@njit(cache=True, inline="always")
def tally(totals, s, o):
    """Add one person's end-of-week state `s` and week outcomes `o` to the week's totals."""
    now = s.stage
    totals[now] += 1.0
    if o.spend > 0.0:
        totals[REVENUE] += o.spend
        totals[ORDERS] += 1.0
    if o.acquired:
        totals[NEW_CUSTOMERS] += 1.0
    if o.returned:
        totals[WON_BACK] += 1.0
    if o.became_lost:
        totals[LOST_CUSTOMERS] += 1.0
    if PROSPECT < o.previous_stage < LOST:
        totals[CUSTOMERS_BEFORE] += 1.0
        if not o.became_lost:
            totals[RETAINED] += 1.0
    if PROSPECT < now < LOST:
        totals[CUSTOMERS_NOW] += 1.0
        totals[SUM_SATISFACTION] += s.satisfaction
        totals[SUM_TRUST] += s.trust
        totals[SUM_SWITCHING_COST] += s.switching_cost
        totals[SUM_SHARE_OF_WALLET] += s.share_of_wallet


@njit(cache=True)
def week_totals(state, outcomes):
    """The week's totals from everyone's end-of-week state and outcomes (record arrays)."""
    totals = np.zeros(TOTAL_SLOTS)
    for i in range(state.size):
        tally(totals, state[i], outcomes[i])
    return totals


@njit(cache=True)
def people_week(
    state,
    outcomes,
    key0,
    key1,
    market,
    p,
    actions,
    offer_fit,
    learning_gain,
    referral_table,
    neighbour_start,
    neighbours,
    recommendations,
    next_recommendations,
):
    """One week of everyone, in place; returns the week's totals (`tally`).

    state[i] is updated from its start-of-week value and outcomes[i] receives the week's outcomes. Each
    person draws only the numbers their rule uses. Word of mouth: `recommendations[i]` counts the
    neighbours who recommended the firm last week; this week's recommenders add themselves to their
    neighbours' counts in `next_recommendations` (few people talk, so pushing beats every prospect
    reading all its neighbours).
    """
    n = state.size
    week = market.week
    totals = np.zeros(TOTAL_SLOTS)
    # Everyone's acquisition draw first, in a branch-free loop the compiler vectorises; only prospects and
    # lost customers read theirs.
    acquisition = np.empty(n)
    for i in range(n):
        acquisition[i] = acquisition_draw(key0, key1, i, week)
    for i in range(n):
        s = state[i]
        o = outcomes[i]
        stage = s.stage
        o.previous_stage = stage
        o.acquired = False
        o.returned = False
        o.became_lost = False
        o.competitor_spend = 0.0
        if stage == PROSPECT:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], referral_table[recommendations[i]])
            acquired, responded, spend = _prospect_week(s, acquisition[i], x, market, p)
            o.acquired = acquired
        elif stage == LOST:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], 0.0)
            returned, responded, spend = _lost_week(s, acquisition[i], x, market, p)
            o.returned = returned
        else:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], 0.0)
            purchase, choice, response, need_change, talk, value_noise, amount_factor = customer_draws(
                key0, key1, i, week, p.value_noise, p.amount_noise
            )
            d = Draws(purchase, choice, response, need_change, talk, value_noise, amount_factor)
            spend, competitor_spend, responded, became_lost = _customer_week(s, d, x, market, p)
            o.competitor_spend = competitor_spend
            o.became_lost = became_lost
            if s.talked:
                for j in range(neighbour_start[i], neighbour_start[i + 1]):
                    next_recommendations[neighbours[j]] += 1
        o.spend = spend
        o.responded = responded
        tally(totals, s, o)
    return totals
