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
    functions = {name: value for name, value in vars(rules).items()
                 if isinstance(value, types.FunctionType) and value.__module__ == rules.__name__
                 and name != "rule_parameters" and not name.startswith("_")}
    for name, function in functions.items():
        clone = types.FunctionType(function.__code__, namespace, name, function.__defaults__,
                                   function.__closure__)
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


@njit(cache=True)
def people_week(state, outcomes, key0, key1, market, p, actions, offer_fit, learning_gain, referral_table,
                neighbour_start, neighbours, recommendations):
    """One week of everyone, in place: state[i] is updated from its start-of-week value, outcomes[i]
    receives the week's outcomes. Each person draws only the numbers their rule uses."""
    n = state.size
    week = market.week
    # Word of mouth first: a prospect counts the neighbours who recommended the firm last week, before
    # anyone's `talked` changes.
    for i in range(n):
        if state[i].stage == PROSPECT:
            count = 0
            for j in range(neighbour_start[i], neighbour_start[i + 1]):
                if state[neighbours[j]].talked:
                    count += 1
            recommendations[i] = count
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
            acquired, responded, spend = _prospect_week(s, acquisition_draw(key0, key1, i, week), x, market, p)
            o.acquired = acquired
        elif stage == LOST:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], 0.0)
            returned, responded, spend = _lost_week(s, acquisition_draw(key0, key1, i, week), x, market, p)
            o.returned = returned
        else:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], 0.0)
            purchase, choice, response, need_change, talk, value_noise, amount_factor = customer_draws(
                key0, key1, i, week, p.value_noise, p.amount_noise)
            d = Draws(purchase, choice, response, need_change, talk, value_noise, amount_factor)
            spend, competitor_spend, responded, became_lost = _customer_week(s, d, x, market, p)
            o.competitor_spend = competitor_spend
            o.became_lost = became_lost
        o.spend = spend
        o.responded = responded


@njit(cache=True)
def week_totals(stage, previous_stage, spend, acquired, returned, became_lost, satisfaction, trust,
                switching_cost, share_of_wallet):
    """The week's counts and sums for the metrics, in one pass (both engines call this on their arrays).

    Returns (people per stage code, new customers, won back, lost, revenue, orders, customers at the
    start of the week, of whom retained, current customers, and the sums of satisfaction, trust,
    switching cost and share of wallet over current customers).
    """
    counts = np.zeros(6, dtype=np.int64)
    new = won_back = lost = orders = before = retained = current = 0
    revenue = sum_satisfaction = sum_trust = sum_switching = sum_share = 0.0
    for i in range(stage.size):
        now = stage[i]
        counts[now] += 1
        if spend[i] > 0.0:
            revenue += spend[i]
            orders += 1
        new += acquired[i]
        won_back += returned[i]
        lost += became_lost[i]
        if PROSPECT < previous_stage[i] < LOST:
            before += 1
            if not became_lost[i]:
                retained += 1
        if PROSPECT < now < LOST:
            current += 1
            sum_satisfaction += satisfaction[i]
            sum_trust += trust[i]
            sum_switching += switching_cost[i]
            sum_share += share_of_wallet[i]
    return (counts, new, won_back, lost, revenue, orders, before, retained, current, sum_satisfaction,
            sum_trust, sum_switching, sum_share)
