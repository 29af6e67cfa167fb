"""The agents: people in the market, the firm, and its competitor.

A `Person` lives on a cell of the social network. Its weekly update is `rules.person_week`, the same
function the vector engine applies to the whole population at once; the model hands each person this
week's random draws and the firm's action, so the order in which people are updated never matters.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

from simulation import rules
from simulation.firm_view import CustomerRecords, FirmView, Plan
from simulation.stages import Stage


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


class Firm(Agent):
    """The focal firm: a strategy spends a weekly budget on actions; the records hold what it observes."""

    def __init__(self, model, strategy, n_people: int, weekly_budget: float, costs: dict[str, float],
                 margin: float, rng: np.random.Generator):
        super().__init__(model)
        self.strategy = strategy
        self.records = CustomerRecords(n_people)
        self.weekly_budget = weekly_budget
        self.costs = MappingProxyType(dict(costs))  # read-only: strategies see prices, cannot change them
        self.margin = margin
        self.strategy_rng = rng

    def plan_week(self, week: int) -> Plan:
        """Let the strategy choose this week's actions from what the firm has observed so far."""
        view = FirmView.from_records(self.records, week, self.weekly_budget, self.costs, self.strategy_rng)
        plan = Plan(self.records.n_people, self.weekly_budget, self.costs)
        self.strategy.plan(view, plan)
        # Check what was actually planned, not just what plan.add booked: writing plan.actions directly
        # would otherwise bypass the budget.
        planned = float(plan.cost_per_person().sum())
        if planned > plan.budget * (1 + 1e-9) + 1e-9:
            raise ValueError(f"strategy {self.strategy.name!r} planned actions costing {planned:,.2f} in "
                             f"week {week}, over the weekly budget of {plan.budget:,.2f}; add actions "
                             f"only through plan.add, which keeps to the budget")
        return plan
