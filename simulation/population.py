"""The people of the market, in two interchangeable engines over the same rules and the same draws.

- `AgentPeople`: one Mesa `Person` agent per person on a `mesa.discrete_space.Network`; each agent
  applies the scalar rules of `simulation.rules` to its own attributes, in Python. For teaching and for
  inspecting individuals.
- `VectorPeople`: everyone's state in one numpy record array (`simulation.state.STATE_DTYPE`), updated by
  the same rules compiled into one loop (`simulation.kernels.people_week`). For experiments and sweeps.

Both start from the same state (`initial_state`), take each person's draws from the same counter-based
streams (`simulation.random_streams`) and the same firm inputs, so they give identical results.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from mesa.discrete_space import Network

from simulation import rules
from simulation.agents import Person
from simulation.catalogue import CATALOGUE
from simulation.kernels import (
    COMPETITOR_PURCHASES,
    ORDERS,
    basket_breadths,
    people_week,
    positive_entries,
    week_totals,
)
from simulation.network import adjacency_matrix, to_networkx
from simulation.stages import Stage
from simulation.state import OUTCOME_FIELDS, OUTCOME_NAMES, STATE_FIELDS, new_outcomes, new_state


class WeekInputs(NamedTuple):
    """What the model hands the people each week (the same for both engines)."""

    key: tuple[int, int]  # the run's Philox key (random_streams.stream_key)
    market: rules.Market
    parameters: tuple  # rules.rule_parameters(p)
    actions: np.ndarray  # the firm's action per person (Action codes)
    offer_fit: np.ndarray
    learning_gain: np.ndarray
    referral_table: np.ndarray  # P(convert) by number of recommending neighbours


def initial_state(p, rng: np.random.Generator) -> np.ndarray:
    """Everyone's starting state as a record array. Traits are drawn once, vectorised, from the run's
    own generator in a fixed order, so the same seed gives the same people under every strategy."""
    n = p.n_people
    need = (
        p.need_median * rng.lognormal(0.0, p.need_dispersion, n)
        if p.need_dispersion > 0
        else np.full(n, p.need_median)
    )
    # Purchase rates vary by person (Beta with mean purchase_rate_mean, concentration 5).
    concentration = 5.0
    a = p.purchase_rate_mean * concentration
    b = max((1.0 - p.purchase_rate_mean) * concentration, 1e-3)
    purchase_rate = np.minimum(rng.beta(a, b, n), 1.0)
    purchase_rate = np.maximum(purchase_rate, 0.01)  # a basket is need / rate: keep it finite
    taste = rng.normal(0.0, p.competitor_taste_sd, n)
    expectation = rng.normal(0.0, p.expectation_sd, n)
    # Today's customers chose the firm: like acquired prospects, they were drawn in proportion to how
    # the firm compared with their alternative (rules.consideration), about `initial_customer_share` of
    # the market in all.
    consideration = rules.consideration(p.firm_value, p.competitor_value, taste, 0.0, p.loyalty_steepness)
    initial_customers = rng.random(n) < p.initial_customer_share * consideration / consideration.mean()

    state = new_state(n)
    state["need"] = need
    state["purchase_rate"] = purchase_rate
    state["competitor_taste"] = taste
    state["expectation"] = expectation
    state["perceived_value"] = expectation
    state["trust"] = p.initial_trust
    state["stage"][initial_customers] = Stage.IDENTIFICATION
    state["acquired_week"][initial_customers] = 0
    for name, level in zip(
        ("repeat_purchase", "price_tolerance", "cross_buying", "referral"),
        rules.NEW_CUSTOMER_INTENTIONS,
        strict=True,
    ):
        state[name][initial_customers] = level
    state["share_of_wallet"][initial_customers] = rules.NEW_REPEAT
    return state


def _no_purchases() -> tuple:
    nobody = np.empty(0, dtype=np.int32)
    return (nobody, np.empty(0)), (nobody.copy(), np.empty(0))


def record_baskets(model, breadths: np.ndarray) -> None:
    """Log the breadth of each of this week's purchases at the firm (`kernels.purchase_breadth`).

    The people record it because only they know the week's intentions; the transaction lines themselves
    are derived later, when asked for (`outputs.transaction_line_table`). People stepped outside a model
    with a `WeeklyLog` record nothing.
    """
    baskets = getattr(getattr(model, "log", None), "baskets", None)
    if baskets is not None:
        baskets.append(breadths)


class VectorPeople:
    """Everyone's state as one record array; each week one compiled pass updates it in place."""

    engine = "vector"

    def __init__(self, model, state: np.ndarray, edges: np.ndarray):
        self.model = model
        self.state = state
        self.outcomes = new_outcomes(state.size)
        adjacency = adjacency_matrix(state.size, edges)
        self.neighbour_start = adjacency.indptr.astype(np.int64)
        self.neighbours = adjacency.indices.astype(np.int64)
        # recommending neighbours of each person, from last week (nobody has talked before week 1)
        self.recommendations = np.zeros(state.size, dtype=np.int64)
        self.next_recommendations = np.zeros(state.size, dtype=np.int64)
        self.breadths = np.zeros(state.size, dtype=np.int8)  # this week's basket breadths (people_week)
        # this week's purchases, listed by people_week: ids and amounts at the firm, at the competitor
        self._purchase_lists = (
            np.zeros(state.size, dtype=np.int32),
            np.zeros(state.size),
            np.zeros(state.size, dtype=np.int32),
            np.zeros(state.size),
        )
        #: The last week's purchases: ((ids, amounts) at the firm, (ids, amounts) at the competitor).
        self.purchases = _no_purchases()
        # Who is still a prospect: an index of the records' stage that people_week keeps (it unmarks
        # whom it acquires), so that it can pass over idle prospects without reading their records.
        self.prospects = state["stage"] == Stage.PROSPECT

    def field(self, name: str) -> np.ndarray:
        """A state or outcome field for everyone (a view into the record array: do not write to it)."""
        return self.state[name] if name in self.state.dtype.names else self.outcomes[name]

    def step(self, week: WeekInputs) -> np.ndarray:
        """One week; returns the week's totals (`kernels.tally`); outcomes are in `self.outcomes`."""
        totals = people_week(
            self.state,
            self.outcomes,
            week.key[0],
            week.key[1],
            week.market,
            week.parameters,
            week.actions,
            week.offer_fit,
            week.learning_gain,
            week.referral_table,
            self.neighbour_start,
            self.neighbours,
            self.recommendations,
            self.next_recommendations,
            CATALOGUE.extra_categories,
            self.breadths,
            self._purchase_lists,
            self.prospects,
        )
        self.recommendations, self.next_recommendations = self.next_recommendations, self.recommendations
        self.next_recommendations.fill(0)
        orders, elsewhere = int(totals[ORDERS]), int(totals[COMPETITOR_PURCHASES])
        ids, amounts, other_ids, other_amounts = self._purchase_lists
        self.purchases = (
            (ids[:orders].copy(), amounts[:orders].copy()),
            (other_ids[:elsewhere].copy(), other_amounts[:elsewhere].copy()),
        )
        record_baskets(self.model, self.breadths[:orders].copy())
        return totals


class AgentPeople:
    """One Mesa `Person` per person, placed on a `mesa.discrete_space.Network` of the same ties."""

    engine = "agents"

    def __init__(self, model, state: np.ndarray, edges: np.ndarray):
        self.model = model
        n = state.size
        self.grid = Network(to_networkx(n, edges), capacity=1, random=model.random)
        columns = {f.name: state[f.name].tolist() for f in STATE_FIELDS}
        self.people: list[Person] = [
            Person(model, self.grid[i], i, {name: values[i] for name, values in columns.items()})
            for i in range(n)
        ]
        for person in self.people:
            person.neighbours = sorted(person.cell.neighborhood.agents, key=lambda a: a.person_id)
        self.agent_set = model.agents_by_type[Person]
        self.outcomes = new_outcomes(n)
        #: The last week's purchases: ((ids, amounts) at the firm, (ids, amounts) at the competitor).
        self.purchases = _no_purchases()

    def field(self, name: str) -> np.ndarray:
        dtype = {f.name: f.dtype for f in (*STATE_FIELDS, *OUTCOME_FIELDS)}[name]
        return np.array([getattr(person, name) for person in self.people], dtype=dtype)

    def records(self) -> np.ndarray:
        """Everyone's state as a record array (the vector engine's layout)."""
        state = new_state(len(self.people))
        for f in STATE_FIELDS:
            state[f.name] = [getattr(person, f.name) for person in self.people]
        return state

    def step(self, week: WeekInputs) -> np.ndarray:
        """One week; returns the week's totals (`kernels.week_totals`); outcomes are in `self.outcomes`."""
        # Agents read their inputs by id from plain Python lists: Python floats keep the rules fast.
        inputs = AgentWeek(
            week.key,
            week.market,
            week.parameters,
            week.actions.tolist(),
            week.offer_fit.tolist(),
            week.learning_gain.tolist(),
            week.referral_table.tolist(),
        )
        self.agent_set.do("count_recommendations")  # everyone reads last week's recommendations first
        self.agent_set.do("step", inputs)
        for name in OUTCOME_NAMES:
            self.outcomes[name] = [getattr(person, name) for person in self.people]
        records = self.records()
        key0, key1 = week.key
        breadths = basket_breadths(
            records, self.outcomes, key0, key1, week.market.week, CATALOGUE.extra_categories
        )
        record_baskets(self.model, breadths)
        self.purchases = positive_entries(self.outcomes["spend"], self.outcomes["competitor_spend"])
        return week_totals(records, self.outcomes)


class AgentWeek(NamedTuple):
    """`WeekInputs` with Python lists instead of arrays, for per-agent reads."""

    key: tuple[int, int]
    market: rules.Market
    parameters: tuple
    actions: list
    offer_fit: list
    learning_gain: list
    referral_table: list
