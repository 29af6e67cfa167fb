"""The focal firm: its customer records, the view a strategy gets, the plan it funds, and the firm itself.

The firm sees only what a real firm sees (reference §7, database marketing): its transactions, its own
contacts and their responses, tenure, enrolment in its programme, and what it has learned from
interactions. It never reads a person's latent satisfaction, trust or stage: it infers a stage from
purchase history with the calibrated classifier of `crm_theory.lifecycle` (docs/observed-stage.md),
updated incrementally from its records each week.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from mesa import Agent
from numba import njit

from crm_theory.lifecycle import CALIBRATED_THRESHOLDS as STAGE_RULES
from crm_theory.lifecycle import LIFECYCLE_STAGES, classify_stage, smooth_spend
from simulation.random_streams import Purpose, uniform_block
from simulation.stages import Action, Stage

#: Purchases after which the firm can place a customer in a needs segment (needs-based marketing).
PURCHASES_TO_KNOW_SEGMENT = 3
#: Actions whose answered interactions teach the firm about the individual customer (§6, IDIC).
LEARNING_ACTIONS = (Action.SERVICE, Action.PERSONAL_OFFER, Action.CROSS_SELL)
_IS_LEARNING_ACTION = np.isin(np.arange(len(Action)), LEARNING_ACTIONS)


assert LIFECYCLE_STAGES == tuple(stage.label for stage in Stage), "crm_theory's stage codes are Stage's"


class CustomerRecords:
    """The firm's customer database: one entry per person in the market, as arrays."""

    def __init__(self, n_people: int):
        self.n_people = n_people
        self.first_purchase_week = np.full(n_people, -1, dtype=np.int32)
        self.last_purchase_week = np.full(n_people, -1, dtype=np.int32)
        self.purchases = np.zeros(n_people, dtype=np.int32)
        self.total_spend = np.zeros(n_people)
        self.spend_fast = np.zeros(n_people)
        self.spend_slow = np.zeros(n_people)
        self.contacts = np.zeros(n_people, dtype=np.int32)
        self.responses = np.zeros(n_people, dtype=np.int32)
        self.last_contact_week = np.full(n_people, -1, dtype=np.int32)
        self.last_action = np.zeros(n_people, dtype=np.int8)
        self.loyalty_member = np.zeros(n_people, dtype=bool)
        self.knowledge = np.zeros(n_people)
        self.learning_gain = np.zeros(n_people)
        self.marketing_cost = np.zeros(n_people)
        self.ever_bought = np.zeros(n_people, dtype=bool)
        self.known = np.empty(0, dtype=np.int64)  # ids of everyone who ever bought, sorted

    def record_week(
        self,
        week: int,
        actions: np.ndarray,
        costs: np.ndarray,
        spend: np.ndarray,
        responded: np.ndarray,
        learning_rate: float,
    ) -> None:
        """Book one week: actions taken and their cost, purchases, responses, and what was learned."""
        new_buyers = _book_week(
            week,
            actions,
            costs,
            spend,
            responded,
            learning_rate,
            _IS_LEARNING_ACTION,
            int(Action.LOYALTY_PROGRAMME),
            STAGE_RULES.fast_smoothing,
            STAGE_RULES.slow_smoothing,
            self.first_purchase_week,
            self.last_purchase_week,
            self.purchases,
            self.total_spend,
            self.spend_fast,
            self.spend_slow,
            self.contacts,
            self.responses,
            self.last_contact_week,
            self.last_action,
            self.loyalty_member,
            self.knowledge,
            self.learning_gain,
            self.marketing_cost,
            self.ever_bought,
        )
        if new_buyers:
            self.known = np.flatnonzero(self.ever_bought)

    def offer_fit(self, actions: np.ndarray, generic_fit: float, segment_fit: float) -> np.ndarray:
        """Fit of each action's offer, from what the firm knows (§6: mass -> segment -> one-to-one)."""
        fit = np.full(self.n_people, generic_fit)
        contacted = np.flatnonzero(actions)  # fit matters only where an offer is made
        action = actions[contacted]
        base = np.where(self.purchases[contacted] >= PURCHASES_TO_KNOW_SEGMENT, segment_fit, generic_fit)
        personal = base + (1.0 - base) * self.knowledge[contacted]
        fit[contacted] = np.where(
            action == Action.SEGMENT_OFFER,
            base,
            np.where(
                (action == Action.PERSONAL_OFFER) | (action == Action.CROSS_SELL), personal, generic_fit
            ),
        )
        return fit


smooth_spend_compiled = njit(cache=True, inline="always")(smooth_spend)


@njit(cache=True)
def _book_week(
    week,
    actions,
    costs,
    spend,
    responded,
    learning_rate,
    is_learning_action,
    loyalty_programme,
    fast_rate,
    slow_rate,
    first_purchase_week,
    last_purchase_week,
    purchases,
    total_spend,
    spend_fast,
    spend_slow,
    contacts,
    responses,
    last_contact_week,
    last_action,
    loyalty_member,
    knowledge,
    learning_gain,
    marketing_cost,
    ever_bought,
):
    """`CustomerRecords.record_week` in one compiled pass over the people; returns how many bought for
    the first time. Smoothed spend moves only for people who ever bought (everyone else stays at 0), with
    crm_theory's `smooth_spend`, so the firm's records equal `crm_theory.observed_stage` on its log."""
    new_buyers = 0
    for i in range(actions.size):
        action = actions[i]
        learning_gain[i] = 0.0
        if action != 0:
            contacts[i] += 1
            last_contact_week[i] = week
            last_action[i] = action
            marketing_cost[i] += costs[i]
            if responded[i]:
                responses[i] += 1
                if is_learning_action[action]:
                    gain = learning_rate * (1.0 - knowledge[i])
                    knowledge[i] += gain
                    learning_gain[i] = gain
            if action == loyalty_programme:
                loyalty_member[i] = True
        if spend[i] > 0.0:
            if first_purchase_week[i] < 0:
                first_purchase_week[i] = week
                ever_bought[i] = True
                new_buyers += 1
            last_purchase_week[i] = week
            purchases[i] += 1
            total_spend[i] += spend[i]
        if ever_bought[i]:
            spend_fast[i] = smooth_spend_compiled(spend_fast[i], spend[i], fast_rate)
            spend_slow[i] = smooth_spend_compiled(spend_slow[i], spend[i], slow_rate)
    return new_buyers


@dataclass(frozen=True, eq=False)
class FirmView:
    """Everything a strategy may look at this week. Arrays are indexed by person (0..N-1), read-only.

    Attributes hold the firm's records as of the end of last week; `observed_stage` is the firm's
    inferred stage (`crm_theory.lifecycle.classify_stage`), `recent_value` the weekly spend over recent
    months.
    """

    week: int
    budget: float
    costs: Mapping[str, float]
    first_purchase_week: np.ndarray
    last_purchase_week: np.ndarray
    purchases: np.ndarray
    total_spend: np.ndarray
    recent_value: np.ndarray
    spend_fast: np.ndarray
    contacts: np.ndarray
    responses: np.ndarray
    last_contact_week: np.ndarray
    last_action: np.ndarray
    loyalty_member: np.ndarray
    knowledge: np.ndarray
    observed_stage: np.ndarray
    rng: np.random.Generator
    stream_key: tuple[int, int]

    @classmethod
    def from_records(
        cls,
        records: CustomerRecords,
        week: int,
        budget: float,
        costs: Mapping[str, float],
        rng: np.random.Generator,
        stream_key: tuple[int, int],
    ) -> FirmView:
        arrays = {}
        for name in (
            "first_purchase_week",
            "last_purchase_week",
            "purchases",
            "total_spend",
            "contacts",
            "responses",
            "last_contact_week",
            "last_action",
            "loyalty_member",
            "knowledge",
        ):
            arrays[name] = _read_only(getattr(records, name))
        stage = classify_stage(
            week,
            records.first_purchase_week,
            records.last_purchase_week,
            records.purchases,
            records.spend_fast,
            records.spend_slow,
            STAGE_RULES,
            known=records.known,
        )
        return cls(
            week=week,
            budget=budget,
            costs=costs,
            recent_value=_read_only(records.spend_slow.copy()),
            spend_fast=_read_only(records.spend_fast.copy()),
            observed_stage=_read_only(stage),
            rng=rng,
            stream_key=stream_key,
            **arrays,
        )

    @property
    def n_people(self) -> int:
        return self.purchases.size

    @property
    def tenure(self) -> np.ndarray:
        """Weeks since the first purchase (-1 for people who never bought)."""
        return np.where(self.first_purchase_week >= 0, self.week - self.first_purchase_week, -1)

    @property
    def recency(self) -> np.ndarray:
        """Weeks since the last purchase (-1 for people who never bought)."""
        return np.where(self.last_purchase_week >= 0, self.week - self.last_purchase_week, -1)

    def in_stage(self, *stages: Stage) -> np.ndarray:
        """Ids of people whose observed stage is one of `stages`, in id order."""
        if len(stages) == 1:
            return self._stage_ids(int(stages[0]))
        return np.sort(np.concatenate([self._stage_ids(int(s)) for s in stages]))

    @cached_property
    def recent_trend(self) -> np.ndarray:
        """Recent against long-run weekly spend (fast over slow average); 0 for people who never bought."""
        slow = self.recent_value
        return _read_only(np.where(slow > 0, self.spend_fast / np.where(slow > 0, slow, 1.0), 0.0))

    @cached_property
    def _ids_by_stage(self) -> dict[int, np.ndarray]:
        return {}

    def _stage_ids(self, stage: int) -> np.ndarray:
        if stage not in self._ids_by_stage:  # found once per stage and week, when a strategy asks
            self._ids_by_stage[stage] = _read_only(np.flatnonzero(self.observed_stage == stage))
        return self._ids_by_stage[stage]

    def rank_by(
        self, people: np.ndarray, score: np.ndarray, descending: bool = True, limit: int | None = None
    ) -> np.ndarray:
        """`people` sorted by `score` (highest first by default); ties keep their order in `people`.

        With `limit`, only the first `limit` of that order, found in O(len(people)) (a partial sort):
        a strategy rarely affords more than a few of its candidates.
        """
        people = np.asarray(people)
        key = -score[people] if descending else score[people]
        if limit is not None and limit < people.size:
            if limit <= 0:
                return people[:0]
            # Everyone strictly before the limit-th key, then ties at it in their given order: exactly
            # the first `limit` of the full stable sort.
            threshold = np.partition(key, limit - 1)[limit - 1]
            before = np.flatnonzero(key < threshold)
            ties = np.flatnonzero(key == threshold)[: limit - before.size]
            chosen = np.sort(np.concatenate([before, ties]))
            return people[chosen[np.argsort(key[chosen], kind="stable")]]
        return people[np.argsort(key, kind="stable")]

    def shuffled(self, people: np.ndarray, limit: int | None = None) -> np.ndarray:
        """`people` in a random order (with `limit`, only the first `limit` of it, found in O(N)).

        Each person's place comes from a counter-based draw for (seed, person, week): the same person
        gets the same priority this week whoever else is in `people` and whatever the limit, so two
        strategies (or two budgets) compared on one seed reach the same prospects as far as they can
        (common random numbers). `view.rng` remains for strategies that want their own draws.
        """
        people = np.asarray(people)
        priority = np.full(self.n_people, np.inf)
        if people.size:
            priority[people] = uniform_block(
                *self.stream_key, people.astype(np.int64), self.week, int(Purpose.SHUFFLE)
            )
        return self.rank_by(people, priority, descending=False, limit=limit)

    def cost(self, action: Action) -> float:
        return self.costs[Action(action).label]


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class StrategyError(ValueError):
    """A strategy broke the rules of the game (or raised); the message names the strategy and the week."""


class Plan:
    """This week's actions, funded from the weekly budget in the order they are added.

    ``plan.add(people, action)`` gives `action` to as many of `people` (in their order) as the remaining
    budget allows, and returns how many it funded. People who already have an action this week are
    passed over (one action per person per week). People the strategy wanted to reach but could not
    fund are counted in `unfunded`, which the model reports every week, so nothing is dropped silently.

    The budget and the prices belong to the firm: `budget`, `costs` and `spent` are read-only here, and
    the firm checks the planned actions against its own budget and prices after the strategy has run
    (:meth:`Firm.plan_week`), so a strategy cannot buy more than the budget allows.
    """

    def __init__(self, n_people: int, budget: float, costs: Mapping[str, float]):
        self.n_people = n_people
        self._budget = float(budget)
        self._costs = MappingProxyType(dict(costs))
        # by action code: the labels' lookup costs more than the rest of a small plan.add
        self._cost_by_code = tuple(0.0 if a == Action.NONE else float(costs[a.label]) for a in Action)
        self._actions = np.zeros(n_people, dtype=np.int8)
        self._spent = 0.0
        self._wanted = np.zeros(n_people, dtype=bool)
        self._position = np.zeros(n_people, dtype=np.int64)  # scratch space for the repeat check

    def __setattr__(self, name: str, value) -> None:
        if name in _FIRM_OWNED:
            raise AttributeError(
                f"plan.{name} belongs to the firm and cannot be changed by a strategy; "
                f"fund actions with plan.add(people, action)"
            )
        super().__setattr__(name, value)

    @property
    def budget(self) -> float:
        """This week's marketing budget, CU (set by the firm)."""
        return self._budget

    @property
    def costs(self) -> Mapping[str, float]:
        """Cost of one action, CU, by the action's lower-case name (the firm's prices, read-only)."""
        return self._costs

    @property
    def spent(self) -> float:
        """Money committed so far this week by plan.add."""
        return self._spent

    @property
    def actions(self) -> np.ndarray:
        """This week's action code (`Action`) for each person; 0 = none."""
        return self._actions

    @property
    def unfunded(self) -> int:
        """People the strategy tried to reach this week who got no action (the budget ran out)."""
        return int(np.count_nonzero(self._wanted & (self._actions == Action.NONE)))

    @property
    def remaining(self) -> float:
        return self._budget - self._spent

    def affordable(self, action: Action, share_of_budget: float = 1.0) -> int:
        """How many `action`s fit in `share_of_budget` of the whole budget (and in what remains)."""
        cost = self._cost_by_code[_check_action(action)]
        return _count_affordable(min(self.remaining, share_of_budget * self._budget), cost, self.n_people)

    def add(self, people, action: Action, max_spend: float | None = None) -> int:
        """Give `action` to `people` in order while the budget (and `max_spend`, if given) lasts."""
        action = _check_action(action)
        if max_spend is not None:
            max_spend = _check_max_spend(max_spend)
        if action == Action.NONE:
            return 0
        people = _check_people(people, self.n_people)
        self._wanted[people] = True
        fresh = people[self._actions[people] == Action.NONE]
        if fresh.size > 1 and _has_repeats(fresh, self._position):
            # drop repeats, keeping each person's first place in the order given
            fresh = fresh[np.sort(np.unique(fresh, return_index=True)[1])]
        cost = self._cost_by_code[action]
        money = self.remaining if max_spend is None else min(self.remaining, max_spend)
        count = _count_affordable(money, cost, fresh.size)
        funded = fresh[:count]
        self._actions[funded] = action
        self._spent += count * cost
        return count


_FIRM_OWNED = frozenset({"budget", "costs", "spent", "actions", "remaining", "unfunded"})


def _count_affordable(money: float, cost: float, most: int) -> int:
    """How many actions at `cost` fit in `money`, at most `most` (tiny prices make money/cost infinite)."""
    if cost <= 0:
        return most
    ratio = money / cost
    return most if ratio >= most else max(0, int(np.floor(ratio + 1e-9)))


def _has_repeats(people: np.ndarray, scratch: np.ndarray) -> bool:
    """Does any id occur twice? O(len(people)): write each id's position, read it back.

    With a repeated id, one of its occurrences reads back another occurrence's position, whichever
    write wins.
    """
    positions = np.arange(people.size)
    scratch[people] = positions
    return bool((scratch[people] != positions).any())


_ACTIONS = {int(a): a for a in Action}


def _check_action(action) -> Action:
    if type(action) is Action:
        return action
    # True == 1 would otherwise pass as an acquisition offer.
    if (
        not isinstance(action, bool | np.bool_)
        and isinstance(action, int | np.integer)
        and int(action) in _ACTIONS
    ):
        return _ACTIONS[int(action)]
    valid = ", ".join(f"Action.{a.name}" for a in Action)
    if isinstance(action, bool | np.bool_) or not isinstance(action, int | np.integer):
        raise ValueError(
            f"plan.add: the action must be an Action such as Action.SERVICE, got {action!r}; "
            f"use one of {valid}"
        )
    raise ValueError(f"plan.add: unknown action {action!r}; use one of {valid}")


def _check_max_spend(max_spend) -> float:
    if (
        isinstance(max_spend, bool | np.bool_)
        or not isinstance(max_spend, int | float | np.number)
        or not np.isfinite(max_spend)
        or max_spend < 0
    ):
        raise ValueError(
            f"plan.add: max_spend must be a non-negative number of CU (or None for the whole "
            f"remaining budget), got {max_spend!r}"
        )
    return float(max_spend)


def _check_people(people, n_people: int) -> np.ndarray:
    people = np.atleast_1d(np.asarray(people))
    if people.size == 0:
        return people.astype(np.int64)
    if people.dtype == bool:
        if people.size != n_people:
            raise ValueError(
                f"plan.add: a boolean mask must have one entry per person ({n_people}), got {people.size}"
            )
        return np.flatnonzero(people)
    if not np.issubdtype(people.dtype, np.integer):
        raise ValueError(
            f"plan.add: people must be integer person ids (e.g. from view.in_stage) or a "
            f"boolean mask, got {people.dtype} values such as {people.flat[0]!r}"
        )
    if people.ndim != 1:
        raise ValueError(f"plan.add: people must be a flat list of person ids, got shape {people.shape}")
    if people.min() < 0 or people.max() >= n_people:
        raise ValueError(
            f"plan.add: person ids must be in [0, {n_people - 1}], got {people.min()}..{people.max()}"
        )
    return people.astype(np.int64)


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

    def __init__(
        self,
        model,
        strategy,
        n_people: int,
        weekly_budget: float,
        costs: dict[str, float],
        margin: float,
        rng: np.random.Generator,
    ):
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
        view = FirmView.from_records(
            self.records, week, self.weekly_budget, self.costs, self.strategy_rng, self.model.stream_key
        )
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
            raise fail(
                "the strategy is a generator (it uses yield); it must call plan.add(people, action) "
                "and return nothing"
            )
        if returned is not None:
            raise fail(
                f"the strategy returned {_short_repr(returned)}; a strategy does not return its "
                f"targets, it funds them with plan.add(people, action) and returns nothing"
            )
        actions = plan.actions
        bad = np.flatnonzero((actions < 0) | (actions >= len(Action)))
        if bad.size:
            raise fail(
                f"plan.actions holds {bad.size} code(s) that are not actions (person {bad[0]} has "
                f"{actions[bad[0]]}); valid codes are 0-{len(Action) - 1}: "
                f"use plan.add(people, action)"
            )
        # The firm's prices and budget, not the plan's: the plan is in the strategy's hands.
        planned = float(np.bincount(actions, minlength=len(Action)) @ self.price_table)
        if planned > self.weekly_budget * (1 + 1e-9) + 1e-9:
            raise fail(
                f"the planned actions cost {planned:,.2f} CU, over the weekly budget of "
                f"{self.weekly_budget:,.2f} CU; add actions only through plan.add, which keeps to "
                f"the budget"
            )
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
