"""The people of the market, in two interchangeable engines over the same rules.

- `AgentPeople`: one Mesa `Person` agent per person on a `mesa.discrete_space.Network`; each agent
  applies `rules.person_week` to its own floats. For teaching and for inspecting individuals.
- `VectorPeople`: the same state as numpy arrays; each rule group is applied to everyone in that group
  at once. For experiments and sweeps.

Both start from the same arrays (`initial_state`), receive the same draws and firm inputs, and return the
same weekly outcomes, so they give identical results for the same seed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from mesa.discrete_space import Network

from simulation import rules
from simulation.agents import Person
from simulation.network import adjacency_matrix, to_networkx
from simulation.stages import Stage

FLOAT_FIELDS = ("need", "purchase_rate", "competitor_taste", "expectation", "satisfaction", "trust",
                "switching_cost", "share_of_wallet", "perceived_value", "repeat_purchase",
                "price_tolerance", "cross_buying", "referral", "service_level", "need_shift",
                "satisfaction_at_decline")
INT_FIELDS = {"stage": np.int8, "satisfied_weeks": np.int32, "stable_weeks": np.int32,
              "cross_sells": np.int16, "loyalty_member": np.int8, "acquired_week": np.int32,
              "lost_week": np.int32, "decline_start_stage": np.int8, "times_won_back": np.int16,
              "tenure_weeks": np.int32}
BOOL_FIELDS = ("talked",)
OUTCOME_FIELDS = ("spend", "responded", "acquired", "returned", "became_lost")


class WeekInputs(NamedTuple):
    """What the model hands the people each week."""

    acquisition: np.ndarray  # one uniform per person (acquisition or return)
    customers: np.ndarray  # ids of the current customers, in id order
    customer_draws: tuple  # Draws fields purchase..amount_factor, one entry per current customer
    actions: np.ndarray
    offer_fit: np.ndarray
    learning_gain: np.ndarray
    referral_table: np.ndarray  # P(convert) by number of recommending neighbours
    market: rules.Market


def initial_state(p, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Everyone's starting state. Draw order is fixed, so the same seed gives the same people."""
    n = p.n_people
    need = p.need_median * rng.lognormal(0.0, p.need_dispersion, n) if p.need_dispersion > 0 \
        else np.full(n, p.need_median)
    # Purchase rates vary by person (Beta with mean purchase_rate_mean, concentration 5).
    concentration = 5.0
    a = p.purchase_rate_mean * concentration
    b = max((1.0 - p.purchase_rate_mean) * concentration, 1e-3)
    purchase_rate = np.minimum(rng.beta(a, b, n), 1.0)
    purchase_rate = np.maximum(purchase_rate, 0.01)  # a basket is need / rate: keep it finite
    taste = rng.normal(0.0, p.competitor_taste_sd, n)
    expectation = rng.normal(0.0, p.expectation_sd, n)
    # Today's customers chose the firm: like acquired prospects, they were drawn in proportion to how
    # the firm compared with their alternative (rules.prospect_week's consideration), about
    # `initial_customer_share` of the market in all.
    alternative = rules.alternative_value(p.competitor_value, taste, 0.0, 0.0)
    consideration = 2.0 * rules.loyalty(p.firm_value - alternative, p.loyalty_steepness)
    initial_customers = rng.random(n) < p.initial_customer_share * consideration / consideration.mean()

    state = {name: np.zeros(n) for name in FLOAT_FIELDS}
    state.update({name: np.zeros(n, dtype=dtype) for name, dtype in INT_FIELDS.items()})
    state.update({name: np.zeros(n, dtype=bool) for name in BOOL_FIELDS})
    state.update(need=need, purchase_rate=purchase_rate, competitor_taste=taste, expectation=expectation,
                 perceived_value=expectation.copy(), trust=np.full(n, p.initial_trust))
    state["acquired_week"][:] = -1
    state["lost_week"][:] = -1
    state["decline_start_stage"][:] = -1
    state["stage"][initial_customers] = Stage.IDENTIFICATION
    state["acquired_week"][initial_customers] = 0
    for name, level in zip(("repeat_purchase", "price_tolerance", "cross_buying", "referral"),
                           rules.NEW_CUSTOMER_INTENTIONS, strict=True):
        state[name][initial_customers] = level
    state["share_of_wallet"][initial_customers] = rules.NEW_CUSTOMER_INTENTIONS[0]
    assert set(state) == set(rules.STATE_FIELDS)
    return state


class _Members:
    """The state of one group of people, each field taken from the population arrays on first use."""

    def __init__(self, state: dict[str, np.ndarray], idx: np.ndarray):
        self._state = state
        self._idx = idx

    def __getattr__(self, name: str) -> np.ndarray:
        if name not in self._state:
            raise AttributeError(name)
        values = self._state[name][self._idx]
        setattr(self, name, values)  # cache: later reads are plain attribute lookups
        return values


class VectorPeople:
    """Everyone's state as arrays; each week every rule group runs once over its members."""

    engine = "vector"

    def __init__(self, model, state: dict[str, np.ndarray], edges: np.ndarray):
        self.model = model
        self.state = state
        self.adjacency = adjacency_matrix(model.p.n_people, edges)

    def field(self, name: str) -> np.ndarray:
        return self.state[name]

    def step(self, week: WeekInputs) -> dict[str, np.ndarray]:
        state, p, market = self.state, self.model.p, week.market
        n = state["stage"].size
        recommendations = self.adjacency @ state["talked"].astype(np.int32)
        referral = week.referral_table[recommendations]
        outcome = {"spend": np.zeros(n)}
        outcome.update({name: np.zeros(n, dtype=bool) for name in OUTCOME_FIELDS[1:]})

        def inputs(idx, customer_draws=rules.NO_CUSTOMER_DRAWS):
            return (rules.Draws(week.acquisition[idx], *customer_draws),
                    rules.FirmInputs(week.actions[idx], week.offer_fit[idx], week.learning_gain[idx],
                                     referral[idx]))

        def write(idx, changes):
            for name, values in changes.items():
                (outcome[name] if name in outcome else state[name])[idx] = values

        # Groups come from the start-of-week stages and are disjoint: writing one group's results never
        # changes what another group reads. Prospects and lost customers: first the event, then the new
        # relationship's state for the few it happened to (rules.prospect_week / lost_week, by subset).
        stage = state["stage"]
        prospects = np.flatnonzero(stage == Stage.PROSPECT)
        lost = np.flatnonzero(stage == Stage.LOST)
        for idx, event_rule, start_rule, event_name in (
                (prospects, rules.acquisition_event, lambda s: rules.new_customer(s, p, market.week),
                 "acquired"),
                (lost, rules.return_event, lambda s: rules.returning_customer(s, p), "returned")):
            if idx.size == 0:
                continue
            happened, offered = event_rule(_Members(state, idx), *inputs(idx), market, p)
            outcome[event_name][idx] = happened
            outcome["responded"][idx] = happened & offered
            starters = idx[happened]
            if starters.size:
                write(starters, start_rule(_Members(state, starters)))
        customers = week.customers
        if customers.size:
            write(customers, rules.customer_week(_Members(state, customers),
                                                 *inputs(customers, week.customer_draws), market, p))
        return outcome


class AgentPeople:
    """One Mesa `Person` per person, placed on a `mesa.discrete_space.Network` of the same ties."""

    engine = "agents"

    def __init__(self, model, state: dict[str, np.ndarray], edges: np.ndarray):
        self.model = model
        n = model.p.n_people
        self.grid = Network(to_networkx(n, edges), capacity=1, random=model.random)
        columns = {name: values.tolist() for name, values in state.items()}
        self.people: list[Person] = [
            Person(model, self.grid[i], i, {name: columns[name][i] for name in columns}) for i in range(n)
        ]
        for person in self.people:
            person.neighbours = sorted(person.cell.neighborhood.agents, key=lambda a: a.person_id)
        self.agent_set = model.agents_by_type[Person]

    def field(self, name: str) -> np.ndarray:
        values = [getattr(person, name) for person in self.people]
        if name in INT_FIELDS:
            return np.array(values, dtype=INT_FIELDS[name])
        return np.array(values, dtype=bool if name in BOOL_FIELDS or name in OUTCOME_FIELDS[1:] else float)

    def step(self, week: WeekInputs) -> dict[str, np.ndarray]:
        model = self.model
        # Agents read their inputs by id from plain Python lists (see rules: floats keep them fast).
        customer_row = np.full(model.p.n_people, -1)
        customer_row[week.customers] = np.arange(week.customers.size)
        model.week_inputs = SimpleNamespace(
            acquisition=week.acquisition.tolist(), customer_row=customer_row.tolist(),
            customer_draw_rows=list(zip(*(column.tolist() for column in week.customer_draws), strict=True)),
            actions=week.actions.tolist(), offer_fit=week.offer_fit.tolist(),
            learning_gain=week.learning_gain.tolist(), referral_table=week.referral_table.tolist(),
            market=week.market)
        self.agent_set.do("count_recommendations")  # everyone reads last week's recommendations first
        self.agent_set.do("step")
        model.week_inputs = None
        return {name: self.field(name) for name in OUTCOME_FIELDS}
