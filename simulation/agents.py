"""The agents: people in the market, the firm, and its competitor.

A `Person` lives on a cell of the social network. Its weekly update is `rules.person_week`, the same
function the vector engine applies to the whole population at once; the model hands each person this
week's random draws and the firm's action, so the order in which people are updated never matters.
"""

from __future__ import annotations

import inspect
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

from simulation import rules
from simulation.firm_view import CustomerRecords, FirmView, Plan, StrategyError
from simulation.stages import Action, Stage


class Person(FixedAgent):
    """One person: a prospect until acquired, then a customer moving through the lifecycle stages.

    Attributes are the fields of `rules.STATE_FIELDS` (stage, need, expectation, satisfaction, trust,
    switching cost, share of wallet, the four intentions, tenure ...) plus this week's outcomes (`spend`,
    `responded`, `acquired`, `returned`, `became_lost`).
    """

    def __init__(self, model, cell, person_id: int, state: dict):
        super().__init__(model)
        self.cell = cell
        self.person_id = person_id
        for name, value in state.items():
            setattr(self, name, value)
        self.neighbours: list[Person] = []
        self.recommendations = 0
        self.spend = 0.0
        self.responded = self.acquired = self.returned = self.became_lost = False

    def count_recommendations(self) -> None:
        """How many neighbours recommended the firm last week (read before anyone updates).

        Only a prospect can be brought in by a recommendation, so nobody else needs to count.
        """
        if self.stage == Stage.PROSPECT:
            self.recommendations = sum(neighbour.talked for neighbour in self.neighbours)

    def step(self) -> None:
        week = self.model.week_inputs
        i = self.person_id
        row = week.customer_row[i]
        draws = rules.Draws(week.acquisition[i],
                            *(week.customer_draw_rows[row] if row >= 0 else rules.NO_CUSTOMER_DRAWS))
        firm = rules.FirmInputs(week.actions[i], week.offer_fit[i], week.learning_gain[i],
                                week.referral_table[self.recommendations])
        for name, value in rules.person_week(self, draws, firm, week.market, self.model.p).items():
            setattr(self, name, value)


class Competitor(Agent):
    """The competitor: its offer's value drifts around a long-run level, with occasional promotions."""

    def __init__(self, model, base_value: float, drift: float, reversion: float, promotion_rate: float,
                 promotion_value: float, promotion_weeks: int):
        super().__init__(model)
        self.base_value = base_value
        self.value = base_value
        self.drift = drift
        self.reversion = reversion
        self.promotion_rate = promotion_rate
        self.promotion_size = promotion_value
        self.promotion_weeks = promotion_weeks
        self.promotion_weeks_left = 0

    @property
    def promotion_value(self) -> float:
        return self.promotion_size if self.promotion_weeks_left > 0 else 0.0

    def step(self) -> None:
        shock, start = self.model.rng.standard_normal(), self.model.rng.random()
        self.value += self.reversion * (self.base_value - self.value) + self.drift * shock
        if self.promotion_weeks_left > 0:
            self.promotion_weeks_left -= 1
        elif start < self.promotion_rate:
            self.promotion_weeks_left = self.promotion_weeks


class WeekPlan(NamedTuple):
    """The week's checked plan: an `Action` code per person, its cost at the firm's prices, and how many
    people the strategy wanted to reach but could not fund."""

    actions: np.ndarray
    cost: float
    unfunded: int


class Firm(Agent):
    """The focal firm: a strategy spends a weekly budget on actions; the records hold what it observes.

    The firm owns its budget and its prices. A strategy gets a read-only view of the records and a plan
    to fill; whatever the strategy does to that plan, the firm checks the actions against its own budget
    and prices before any of them is carried out, and reports a broken rule as a `StrategyError` naming
    the strategy and the week.
    """

    def __init__(self, model, strategy, n_people: int, weekly_budget: float, costs: dict[str, float],
                 margin: float, rng: np.random.Generator):
        super().__init__(model)
        self.strategy = strategy
        self.records = CustomerRecords(n_people)
        self.weekly_budget = weekly_budget
        self.costs = MappingProxyType(dict(costs))  # read-only: strategies see prices, cannot change them
        self.price_table = np.zeros(len(Action))  # cost of one action, by action code
        for action in Action:
            if action != Action.NONE:
                self.price_table[action] = costs[action.label]
        self.price_table.flags.writeable = False
        self.margin = margin
        self.strategy_rng = rng

    def plan_week(self, week: int) -> WeekPlan:
        """Let the strategy choose this week's actions, checked against the firm's budget and prices.

        Raises `StrategyError` if the strategy raises, returns something (a strategy acts through
        ``plan.add`` and returns nothing), writes codes that are not actions, or plans beyond the budget.
        """
        view = FirmView.from_records(self.records, week, self.weekly_budget, self.costs, self.strategy_rng)
        plan = Plan(self.records.n_people, self.weekly_budget, self.costs)
        name = self.strategy.name

        def fail(problem: str):
            return StrategyError(f"strategy {name!r}, week {week}: {problem}")

        try:
            returned = self.strategy.plan(view, plan)
        except StrategyError:
            raise
        except Exception as error:  # the strategy is user code: report it, named, in one line
            raise fail(f"{type(error).__name__}: {error}") from error
        if inspect.isgenerator(returned):
            returned.close()
            raise fail("the strategy is a generator (it uses yield); it must call plan.add(people, action) "
                       "and return nothing")
        if returned is not None:
            raise fail(f"the strategy returned {_short_repr(returned)}; a strategy does not return its "
                       f"targets, it funds them with plan.add(people, action) and returns nothing")
        actions = plan.actions
        bad = np.flatnonzero((actions < 0) | (actions >= len(Action)))
        if bad.size:
            raise fail(f"plan.actions holds {bad.size} code(s) that are not actions (person {bad[0]} has "
                       f"{actions[bad[0]]}); valid codes are 0-{len(Action) - 1}: "
                       f"use plan.add(people, action)")
        # The firm's prices and budget, not the plan's: the plan is in the strategy's hands.
        planned = float(np.bincount(actions, minlength=len(Action)) @ self.price_table)
        if planned > self.weekly_budget * (1 + 1e-9) + 1e-9:
            raise fail(f"the planned actions cost {planned:,.2f} CU, over the weekly budget of "
                       f"{self.weekly_budget:,.2f} CU; add actions only through plan.add, which keeps to "
                       f"the budget")
        return WeekPlan(actions.copy(), planned, plan.unfunded)

    def cost_per_person(self, actions: np.ndarray) -> np.ndarray:
        """What each person's action costs at the firm's prices, CU."""
        return self.price_table[actions]


def _short_repr(value, limit: int = 80) -> str:
    """One line describing `value`, for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of {value.size} {value.dtype} values"
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
