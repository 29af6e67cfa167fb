"""The agents: people in the market, and the firm's competitor (the firm lives in `simulation.firm`).

A `Person` lives on a cell of the social network. Each week it applies the scalar rules of
`simulation.rules` to its own attributes, with the inputs the model passes openly (`AgentSet.do("step",
inputs)`): the firm's action, its own counter-based draws, the market. The vector engine runs the same rules
compiled, so the order in which people are updated never matters and both engines agree exactly.
"""

from __future__ import annotations

from mesa import Agent
from mesa.discrete_space import FixedAgent

from simulation import rules
from simulation.random_streams import acquisition_draw, competitor_draws, customer_draws
from simulation.state import OUTCOME_FIELDS

_PROSPECT, _LOST = rules.PROSPECT, rules.LOST


class Person(FixedAgent):
    """One person: a prospect until acquired, then a customer moving through the lifecycle stages.

    Attributes are the fields of `simulation.state.STATE_FIELDS` (stage, need, expectation, satisfaction,
    trust, switching cost, share of wallet, the four intentions, tenure ...) plus this week's outcomes
    (`simulation.state.OUTCOME_FIELDS`: spend, competitor spend, responded, acquired, returned, lost).
    """

    def __init__(self, model, cell, person_id: int, state: dict):
        super().__init__(model)
        self.cell = cell
        self.person_id = person_id
        for name, value in state.items():
            setattr(self, name, value)
        for field in OUTCOME_FIELDS:
            setattr(self, field.name, field.dtype(field.initial).item())
        self.neighbours: list[Person] = []
        self.recommendations = 0

    def count_recommendations(self) -> None:
        """How many neighbours recommended the firm last week (read before anyone updates).

        Only a prospect can be brought in by a recommendation, so nobody else needs to count.
        """
        if self.stage == _PROSPECT:
            self.recommendations = sum(neighbour.talked for neighbour in self.neighbours)

    def step(self, week) -> None:
        """One week: `week` is the model's `population.AgentWeek` (inputs as Python lists)."""
        i = self.person_id
        key0, key1 = week.key
        market, p = week.market, week.parameters
        self.previous_stage = self.stage
        self.acquired = self.returned = self.became_lost = False
        self.competitor_spend = 0.0
        if self.stage == _PROSPECT:
            x = rules.FirmInputs(
                week.actions[i],
                week.offer_fit[i],
                week.learning_gain[i],
                week.referral_table[self.recommendations],
            )
            self.acquired, self.responded, self.spend = rules.prospect_week(
                self, acquisition_draw(key0, key1, i, market.week), x, market, p
            )
        elif self.stage == _LOST:
            x = rules.FirmInputs(week.actions[i], week.offer_fit[i], week.learning_gain[i], 0.0)
            self.returned, self.responded, self.spend = rules.lost_week(
                self, acquisition_draw(key0, key1, i, market.week), x, market, p
            )
        else:
            x = rules.FirmInputs(week.actions[i], week.offer_fit[i], week.learning_gain[i], 0.0)
            d = rules.Draws(
                *customer_draws(key0, key1, i, market.week, p.value_noise, p.amount_noise, self.purchase_rate)
            )
            self.spend, self.competitor_spend, self.responded, self.became_lost = rules.customer_week(
                self, d, x, market, p
            )


class Competitor(Agent):
    """The competitor: its offer's value drifts around a long-run level, with occasional promotions."""

    def __init__(
        self,
        model,
        base_value: float,
        drift: float,
        reversion: float,
        promotion_rate: float,
        promotion_value: float,
        promotion_weeks: int,
    ):
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

    def step(self, week: int) -> None:
        shock, start = competitor_draws(*self.model.stream_key, week)
        self.value += self.reversion * (self.base_value - self.value) + self.drift * shock
        if self.promotion_weeks_left > 0:
            self.promotion_weeks_left -= 1
        elif start < self.promotion_rate:
            self.promotion_weeks_left = self.promotion_weeks
