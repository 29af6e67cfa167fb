"""The focal firm: its customer records, the view a strategy gets, the plan it funds, and the firm itself.

The firm sees only what a real firm sees (reference §7, database marketing): its transactions, its own
contacts and their responses, tenure, enrolment in its programme, and what it has learned from
interactions. It never reads a person's latent satisfaction, trust or stage: it infers a stage from
purchase history with the calibrated classifier of `crm_theory.lifecycle` (docs/observed-stage.md),
updated incrementally from its records each week.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from mesa import Agent
from numba import njit

from crm_theory.lifecycle import CALIBRATED_THRESHOLDS as STAGE_RULES
from crm_theory.lifecycle import (
    LIFECYCLE_STAGES,
    classify_stage,
    smooth_spend,
    stage_code,
    threshold_arguments,
)
from simulation import selection
from simulation.random_streams import Purpose
from simulation.stages import Action, Stage

#: Purchases after which the firm can place a customer in a needs segment (needs-based marketing).
PURCHASES_TO_KNOW_SEGMENT = 3
#: Actions whose answered interactions teach the firm about the individual customer (§6, IDIC).
LEARNING_ACTIONS = (Action.SERVICE, Action.PERSONAL_OFFER, Action.CROSS_SELL)
_IS_LEARNING_ACTION = np.isin(np.arange(len(Action)), LEARNING_ACTIONS)


assert LIFECYCLE_STAGES == tuple(stage.label for stage in Stage), "crm_theory's stage codes are Stage's"


#: The arrays of the records a strategy may read, by the name the view gives them.
VIEW_FIELDS = (
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
)
_THRESHOLDS = threshold_arguments(STAGE_RULES)


class CustomerRecords:
    """The firm's customer database: one entry per person in the market, as arrays.

    Booking a week (:meth:`record_week`) also classifies everyone who ever bought for the coming week
    (`observed_stage`, with crm_theory's :func:`~crm_theory.lifecycle.stage_code`), in the same compiled
    pass, so the view a strategy gets costs nothing to build.
    """

    def __init__(self, n_people: int, price_table: np.ndarray | None = None):
        self.n_people = n_people
        self.price_table = np.zeros(len(Action)) if price_table is None else price_table
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
        # The stage each person shows in week `stage_week` (prospects until they buy).
        self.observed_stage = np.zeros(n_people, dtype=np.int8)
        self.stage_week = 0
        #: ids of everyone who ever bought, in id order
        self.known = np.empty(0, dtype=np.int64)
        self._gained = np.empty(0, dtype=np.int64)
        # Read-only views, made once: they follow the arrays as the weeks are booked.
        self.read_only = {name: _read_only(getattr(self, name)) for name in VIEW_FIELDS}
        self.read_only.update(
            recent_value=_read_only(self.spend_slow),
            spend_fast=_read_only(self.spend_fast),
            observed_stage=_read_only(self.observed_stage),
        )
        # The offer fit of last week's contacts is reset to the generic fit after use (see offer_fit).
        self._fit = None
        self._fitted = np.empty(0, dtype=np.int64)

    def record_week(
        self,
        week: int,
        actions: np.ndarray,
        contacted: np.ndarray,
        buyers: np.ndarray,
        amounts: np.ndarray,
        responded: np.ndarray,
        learning_rate: float,
    ) -> None:
        """Book one week: actions taken and their cost at the firm's prices, purchases, responses, and
        what was learned; then classify everyone who ever bought for week ``week + 1``.

        `contacted` are the ids with an action, `buyers` those who bought at the firm and `amounts` what
        each spent, in id order: the booking visits only them and the people who ever bought, not the
        whole market.
        """
        self.known = _book_week(
            week,
            actions,
            contacted,
            self._gained,
            self.price_table,
            buyers,
            amounts,
            self.known,
            responded,
            learning_rate,
            _IS_LEARNING_ACTION,
            int(Action.LOYALTY_PROGRAMME),
            STAGE_RULES.fast_smoothing,
            STAGE_RULES.slow_smoothing,
            _THRESHOLDS,
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
            self.observed_stage,
        )
        self._gained = contacted  # whose learning gain to reset next week
        self.stage_week = week + 1

    def stages_in_week(self, week: int) -> np.ndarray:
        """Everyone's observed stage in `week` (read-only): the booked classification when the records
        are up to the week before, else classified afresh."""
        if week == self.stage_week:
            return self.read_only["observed_stage"]
        stage = classify_stage(
            week,
            self.first_purchase_week,
            self.last_purchase_week,
            self.purchases,
            self.spend_fast,
            self.spend_slow,
            STAGE_RULES,
            known=self.known,
        )
        return _read_only(stage)

    def offer_fit(
        self, actions: np.ndarray, contacted: np.ndarray, generic_fit: float, segment_fit: float
    ) -> np.ndarray:
        """Fit of each action's offer, from what the firm knows (§6: mass -> segment -> one-to-one).

        `contacted`: the ids with an action (fit matters only where an offer is made). The array is
        reused from week to week (only last week's contacts are reset), so do not keep it beyond the week.
        """
        if self._fit is None or self._fit_generic != generic_fit:
            self._fit = np.full(self.n_people, generic_fit)
            self._fit_generic = generic_fit
        else:
            self._fit[self._fitted] = generic_fit
        _offer_fit(
            actions,
            contacted,
            self.purchases,
            self.knowledge,
            generic_fit,
            segment_fit,
            PURCHASES_TO_KNOW_SEGMENT,
            int(Action.SEGMENT_OFFER),
            int(Action.PERSONAL_OFFER),
            int(Action.CROSS_SELL),
            self._fit,
        )
        self._fitted = contacted
        return self._fit


@njit(cache=True)
def _offer_fit(
    actions,
    contacted,
    purchases,
    knowledge,
    generic_fit,
    segment_fit,
    to_know,
    segment,
    personal,
    cross_sell,
    fit,
):
    """Write the fit of each contact's offer into `fit` (everyone else keeps the generic fit)."""
    for i in contacted:
        action = actions[i]
        base = segment_fit if purchases[i] >= to_know else generic_fit
        if action == segment:
            fit[i] = base
        elif action == personal or action == cross_sell:
            fit[i] = base + (1.0 - base) * knowledge[i]
        else:
            fit[i] = generic_fit


smooth_spend_compiled = njit(cache=True, inline="always")(smooth_spend)
stage_code_compiled = njit(cache=True, inline="always")(stage_code)


@njit(cache=True)
def _book_week(
    week,
    actions,
    contacted,
    gained,
    price_table,
    buyers,
    amounts,
    known,
    responded,
    learning_rate,
    is_learning_action,
    loyalty_programme,
    fast_rate,
    slow_rate,
    thresholds,
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
    observed_stage,
):
    """`CustomerRecords.record_week`, compiled, visiting only the contacted, the buyers and the people who
    ever bought; returns the ids of everyone who ever bought. Smoothed spend moves only for people who
    ever bought (everyone else stays at 0), with crm_theory's `smooth_spend`, and their stage for next
    week comes from crm_theory's `stage_code`, so the firm's records equal `crm_theory.observed_stage`
    on its log.

    A person's spend this week is read from `amounts` as the walk through everyone who ever bought meets
    the (sorted) buyers, not from the week's outcomes: at a million people those are 24 MB of records,
    of which the booking would touch a cache line for every person who ever bought."""
    lapsed, new_weeks, ratio, stable_weeks, stable_purchases = thresholds
    for i in gained:  # last week's learning gains
        learning_gain[i] = 0.0
    for i in contacted:
        action = actions[i]
        contacts[i] += 1
        last_contact_week[i] = week
        last_action[i] = action
        marketing_cost[i] += price_table[action]
        if responded[i]:
            responses[i] += 1
            if is_learning_action[action]:
                gain = learning_rate * (1.0 - knowledge[i])
                knowledge[i] += gain
                learning_gain[i] = gain
        if action == loyalty_programme:
            loyalty_member[i] = True
    newcomers = 0
    for j in range(buyers.size):
        i = buyers[j]
        if first_purchase_week[i] < 0:
            first_purchase_week[i] = week
            newcomers += 1
        last_purchase_week[i] = week
        purchases[i] += 1
        total_spend[i] += amounts[j]
    if newcomers:
        # merge the first-time buyers into the sorted ids of everyone who ever bought
        merged = np.empty(known.size + newcomers, dtype=np.int64)
        k = 0
        m = 0
        for i in buyers:
            if first_purchase_week[i] == week and purchases[i] == 1:
                while k < known.size and known[k] < i:
                    merged[m] = known[k]
                    m += 1
                    k += 1
                merged[m] = i
                m += 1
        while k < known.size:
            merged[m] = known[k]
            m += 1
            k += 1
        known = merged
    next_week = week + 1
    bought = 0  # the next buyer's place in `buyers`
    for i in known:
        # branch-free: whether the walk meets a buyer is random from one person to the next
        next_buyer = buyers[bought] if bought < buyers.size else -1
        meets = next_buyer == i
        spend = amounts[bought] if meets else 0.0
        bought += meets
        spend_fast[i] = smooth_spend_compiled(spend_fast[i], spend, fast_rate)
        spend_slow[i] = smooth_spend_compiled(spend_slow[i], spend, slow_rate)
        observed_stage[i] = stage_code_compiled(
            next_week - first_purchase_week[i],
            next_week - last_purchase_week[i],
            purchases[i],
            spend_fast[i],
            spend_slow[i],
            lapsed,
            new_weeks,
            ratio,
            stable_weeks,
            stable_purchases,
        )
    if bought != buyers.size:  # every buyer was merged into `known` above; the walk must meet them all
        raise AssertionError("_book_week: a buyer is missing from the people who ever bought")
    return known


@dataclass(frozen=True, eq=False)
class FirmView:
    """Everything a strategy may look at this week. Arrays are indexed by person (0..N-1), read-only.

    Attributes hold the firm's records as of the end of last week; `observed_stage` is the firm's
    inferred stage (`crm_theory.lifecycle.classify_stage`), `recent_value` the weekly spend over recent
    months, `known` the ids of everyone who ever bought (in id order; everyone else is a prospect).
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
    known: np.ndarray
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
        arrays = dict(records.read_only)
        arrays["observed_stage"] = records.stages_in_week(week)
        arrays["known"] = _read_only(records.known)
        return cls(week=week, budget=budget, costs=costs, rng=rng, stream_key=stream_key, **arrays)

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
        codes = [_stage_code(stage) for stage in stages]
        if len(codes) == 1 and codes[0] != _PROSPECT:
            grouped, starts = self._groups_of_known
            return grouped[starts[codes[0]] : starts[codes[0] + 1]]  # read-only, as `grouped` is
        if codes == [_PROSPECT]:
            return self._prospect_ids
        wanted = np.zeros(len(Stage), dtype=bool)
        wanted[codes] = True
        if wanted[_PROSPECT]:
            return _read_only(np.flatnonzero(wanted[self.observed_stage]))
        return _read_only(selection.with_code(self.known, self.observed_stage, wanted))

    @cached_property
    def _prospect_ids(self) -> np.ndarray:
        # found once per week, when a strategy asks
        return _read_only(np.flatnonzero(self.observed_stage == _PROSPECT))

    @cached_property
    def _groups_of_known(self) -> tuple[np.ndarray, np.ndarray]:
        # Only people who ever bought show a stage other than prospect: grouping them by stage in one
        # pass costs less than scanning the whole market once per stage.
        grouped, starts = selection.group_by_code(self.known, self.observed_stage, len(Stage))
        return _read_only(grouped), starts

    @cached_property
    def recent_trend(self) -> np.ndarray:
        """Recent against long-run weekly spend (fast over slow average); 0 for people who never bought."""
        slow = self.recent_value
        return _read_only(np.where(slow > 0, self.spend_fast / np.where(slow > 0, slow, 1.0), 0.0))

    def rank_by(
        self, people: np.ndarray, score: np.ndarray, descending: bool = True, limit: int | None = None
    ) -> np.ndarray:
        """`people` sorted by `score` (highest first by default); ties keep their order in `people`.

        `score` is indexed by person (one entry per person in the market, e.g. `view.recent_value`);
        NaN scores come last. With `limit`, only the first `limit` of that order, found in
        O(len(people)) (a partial sort): a strategy rarely affords more than a few of its candidates.
        """
        people = self._ids(people, "rank_by")
        if type(score) is np.ndarray and score.dtype == np.float64 and score.shape == (self.n_people,):
            keys = selection.float_keys(people, _frozen(score), bool(descending))
            return selection.first_in_order(people, keys, _limit(limit, people.size, "rank_by"))
        score = np.asarray(score)
        if score.ndim != 1 or score.size != self.n_people:
            raise ValueError(
                f"view.rank_by: score must have one value per person ({self.n_people}), "
                f"got shape {score.shape}"
            )
        if score.dtype.kind in "iub":
            keys = selection.integer_keys(
                people, _frozen(score.astype(np.int64, copy=False)), bool(descending)
            )
        elif score.dtype.kind == "f":
            keys = selection.float_keys(
                people, _frozen(score.astype(np.float64, copy=False)), bool(descending)
            )
        else:
            raise ValueError(f"view.rank_by: score must be numbers, got {score.dtype} values")
        return selection.first_in_order(people, keys, _limit(limit, people.size, "rank_by"))

    def shuffled(self, people: np.ndarray, limit: int | None = None) -> np.ndarray:
        """`people` in a random order (with `limit`, only the first `limit` of it, found in O(N)).

        Each person's place comes from a counter-based draw for (seed, person, week): the same person
        gets the same priority this week whoever else is in `people` and whatever the limit, so two
        strategies (or two budgets) compared on one seed reach the same prospects as far as they can
        (common random numbers). `view.rng` remains for strategies that want their own draws.
        """
        people = self._ids(people, "shuffled")
        keys = selection.shuffle_keys(people, *self.stream_key, self.week, int(Purpose.SHUFFLE))
        return selection.first_in_order(people, keys, _limit(limit, people.size, "shuffled"))

    def _ids(self, people, method: str) -> np.ndarray:
        """`people` as read-only int64 person ids (`_frozen`; a boolean mask becomes the ids where it is
        True)."""
        if type(people) is np.ndarray and people.dtype == np.int64 and people.ndim == 1:
            people = _frozen(people)
            bad = selection.out_of_range(people, self.n_people)
            if bad >= 0:
                raise ValueError(
                    f"view.{method}: person ids must be in [0, {self.n_people - 1}], got {people[bad]}"
                )
            return people
        people = np.asarray(people)
        if people.dtype == bool:
            if people.shape != (self.n_people,):
                raise ValueError(
                    f"view.{method}: a boolean mask must have one entry per person ({self.n_people}), "
                    f"got shape {people.shape}"
                )
            return _frozen(np.flatnonzero(people))
        if people.ndim != 1 or (people.size and people.dtype.kind not in "iu"):
            raise ValueError(
                f"view.{method}: people must be a flat array of integer person ids (e.g. from "
                f"view.in_stage), got {people.dtype} values of shape {people.shape}"
            )
        people = _frozen(people.astype(np.int64, copy=False))
        bad = selection.out_of_range(people, self.n_people)
        if bad >= 0:
            raise ValueError(
                f"view.{method}: person ids must be in [0, {self.n_people - 1}], got {people[bad]}"
            )
        return people

    def cost(self, action: Action) -> float:
        return self.costs[Action(action).label]


_STAGES = {int(stage): stage for stage in Stage}
_PROSPECT = int(Stage.PROSPECT)  # a plain int: an Enum member costs a lookup at every use


def _stage_code(stage) -> int:
    if type(stage) is Stage:
        return int(stage)
    if not isinstance(stage, bool | np.bool_) and isinstance(stage, int | np.integer) and stage in _STAGES:
        return int(stage)
    valid = ", ".join(f"Stage.{s.name}" for s in Stage)
    raise ValueError(f"view.in_stage: stages must be Stage values ({valid}), got {stage!r}")


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def _frozen(ids: np.ndarray) -> np.ndarray:
    """`ids` read-only: the compiled selection then sees one array type whatever the strategy passes,
    so numba compiles each of its functions once (a fresh clone's first run compiles less)."""
    return _read_only(ids) if ids.flags.writeable else ids


def _limit(limit, size: int, method: str) -> int:
    if limit is None:
        return size
    if type(limit) is int:
        return min(limit, size)
    if isinstance(limit, bool | np.bool_) or not isinstance(limit, int | np.integer):
        raise ValueError(f"view.{method}: limit must be a whole number of people or None, got {limit!r}")
    return min(int(limit), size)


class StrategyError(ValueError):
    """A strategy broke the rules of the game (or raised); the message names the strategy and the week."""


def _firm_owned(getter):
    """A read-only property of the plan whose assignment names the rule (a setter that refuses, so plain
    attribute writes stay as fast as Python's)."""
    name = getter.__name__

    def refuse(self, value):
        raise AttributeError(
            f"plan.{name} belongs to the firm and cannot be changed by a strategy; "
            f"fund actions with plan.add(people, action)"
        )

    return property(getter, refuse, doc=getter.__doc__)


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

    def __init__(
        self,
        n_people: int,
        budget: float,
        costs: Mapping[str, float],
        *,
        cost_by_code: tuple[float, ...] | None = None,
    ):
        self.n_people = n_people
        self._budget = float(budget)
        self._costs = MappingProxyType(dict(costs))
        # by action code: the labels' lookup costs more than the rest of a small plan.add (the firm
        # passes its prices this way, made once, not every week)
        self._cost_by_code = cost_by_code or _prices_by_code(costs)
        self._actions = np.zeros(n_people, dtype=np.int8)
        self._spent = 0.0
        self._wanted = np.zeros(n_people, dtype=bool)

    @_firm_owned
    def budget(self) -> float:
        """This week's marketing budget, CU (set by the firm)."""
        return self._budget

    @_firm_owned
    def costs(self) -> Mapping[str, float]:
        """Cost of one action, CU, by the action's lower-case name (the firm's prices, read-only)."""
        return self._costs

    @_firm_owned
    def spent(self) -> float:
        """Money committed so far this week by plan.add."""
        return self._spent

    @_firm_owned
    def actions(self) -> np.ndarray:
        """This week's action code (`Action`) for each person; 0 = none."""
        return self._actions

    @_firm_owned
    def unfunded(self) -> int:
        """People the strategy tried to reach this week who got no action (the budget ran out)."""
        return int(np.count_nonzero(self._wanted & (self._actions == Action.NONE)))

    @_firm_owned
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
        cost = self._cost_by_code[action]
        money = self.remaining if max_spend is None else min(self.remaining, max_spend)
        count = selection.fund(
            people, int(action), _count_affordable(money, cost, people.size), self._actions, self._wanted
        )
        self._spent += count * cost
        return count


def _prices_by_code(costs: Mapping[str, float]) -> tuple[float, ...]:
    """The cost of each action, by action code (0 for no action)."""
    return tuple(0.0 if a == Action.NONE else float(costs[a.label]) for a in Action)


def _count_affordable(money: float, cost: float, most: int) -> int:
    """How many actions at `cost` fit in `money`, at most `most` (tiny prices make money/cost infinite)."""
    if cost <= 0:
        return most
    ratio = money / cost
    return most if ratio >= most else max(0, math.floor(ratio + 1e-9))


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
    if type(max_spend) is float and 0.0 <= max_spend < math.inf:
        return max_spend
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
    """`people` as read-only int64 person ids (`_frozen`), checked against the market's size."""
    if type(people) is np.ndarray and people.dtype == np.int64 and people.ndim == 1:
        people = _frozen(people)
        if selection.out_of_range(people, n_people) < 0:
            return people
    people = np.atleast_1d(np.asarray(people))
    if people.size == 0:
        return _frozen(people.astype(np.int64))
    if people.dtype == bool:
        if people.size != n_people:
            raise ValueError(
                f"plan.add: a boolean mask must have one entry per person ({n_people}), got {people.size}"
            )
        return _frozen(np.flatnonzero(people))
    if not np.issubdtype(people.dtype, np.integer):
        raise ValueError(
            f"plan.add: people must be integer person ids (e.g. from view.in_stage) or a "
            f"boolean mask, got {people.dtype} values such as {people.flat[0]!r}"
        )
    if people.ndim != 1:
        raise ValueError(f"plan.add: people must be a flat list of person ids, got shape {people.shape}")
    people = _frozen(people.astype(np.int64, copy=False))
    if selection.out_of_range(people, n_people) >= 0:
        raise ValueError(
            f"plan.add: person ids must be in [0, {n_people - 1}], got {people.min()}..{people.max()}"
        )
    return people


class WeekPlan(NamedTuple):
    """The week's checked plan: an `Action` code per person, its cost at the firm's prices, how many
    people the strategy wanted to reach but could not fund, and who is contacted."""

    actions: np.ndarray
    cost: float
    unfunded: int
    contacted: np.ndarray  # ids of the people with an action, in id order


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
        self.weekly_budget = weekly_budget
        self.costs = MappingProxyType(dict(costs))  # read-only: strategies see prices, cannot change them
        self._cost_by_code = _prices_by_code(self.costs)
        self.price_table = np.zeros(len(Action))  # cost of one action, by action code
        for action in Action:
            if action != Action.NONE:
                self.price_table[action] = costs[action.label]
        self.price_table.flags.writeable = False
        self.records = CustomerRecords(n_people, self.price_table)
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
        plan = Plan(self.records.n_people, self.weekly_budget, self.costs, cost_by_code=self._cost_by_code)
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
        counts, contacted, unfunded, first_bad = selection.check_actions(actions, plan._wanted, len(Action))
        if first_bad >= 0:
            bad = np.flatnonzero((actions < 0) | (actions >= len(Action)))
            raise fail(
                f"plan.actions holds {bad.size} code(s) that are not actions (person {bad[0]} has "
                f"{actions[bad[0]]}); valid codes are 0-{len(Action) - 1}: "
                f"use plan.add(people, action)"
            )
        # The firm's prices and budget, not the plan's: the plan is in the strategy's hands.
        planned = float(counts @ self.price_table)
        if planned > self.weekly_budget * (1 + 1e-9) + 1e-9:
            raise fail(
                f"the planned actions cost {planned:,.2f} CU, over the weekly budget of "
                f"{self.weekly_budget:,.2f} CU; add actions only through plan.add, which keeps to "
                f"the budget"
            )
        return WeekPlan(actions.copy(), planned, unfunded, contacted)


def _short_repr(value, limit: int = 80) -> str:
    """One line describing `value`, for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of {value.size} {value.dtype} values"
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
