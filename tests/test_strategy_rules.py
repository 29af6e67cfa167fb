"""Strategies are user code: every way of breaking the rules of the game is stopped at once, named.

The firm owns the budget and the prices; a strategy acts only through ``plan.add``. Each broken rule
raises `StrategyError` in the week it happens, naming the strategy, the week and the problem.
"""

from __future__ import annotations

import re
from types import MappingProxyType

import numpy as np
import pytest

from simulation import Action, Parameters, Stage, StrategyError, run_simulation

SMALL = {"n_people": 300, "weeks": 6, "seed": 4}


def _run(strategy, engine="vector", **overrides):
    return run_simulation(strategy=strategy, engine=engine, **{**SMALL, **overrides})


def _fails_naming(strategy, problem: str, week: int = 1, **overrides):
    with pytest.raises(StrategyError) as caught:
        _run(strategy, **overrides)
    message = str(caught.value)
    assert message.startswith(f"strategy {strategy.__name__!r}, week {week}: "), message
    assert re.search(problem, message), message
    return message


def test_shuffling_an_empty_group_is_an_empty_order():
    def win_back_the_lost(view, plan):
        lost = view.shuffled(view.in_stage(Stage.LOST))  # nobody is lost in week 1
        plan.add(lost, Action.WIN_BACK)

    result = _run(win_back_the_lost)
    assert len(result.metrics) == SMALL["weeks"]


def test_builtin_strategies_run_in_a_market_without_prospects():
    # The crash reported on `crmlab run --weeks 520 --engine vector`: built-in strategies shuffle
    # stages that are empty in some week (here: nobody is a prospect).
    for strategy in ("mass", "targeted", "needs_based", "one_to_one", "pareto", "stage_based"):
        result = _run(strategy, n_people=1, weeks=30, initial_customer_share=1.0)  # no prospects
        assert len(result.metrics) == 30


# --- the budget belongs to the firm ------------------------------------------------------------------


def test_strategy_cannot_raise_its_budget():
    def bigger_budget(view, plan):
        plan.budget = 1e6
        plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER)

    _fails_naming(bigger_budget, r"plan\.budget belongs to the firm")


def test_strategy_cannot_replace_or_edit_the_prices():
    def free_actions(view, plan):
        plan.costs = {label: 0.0 for label in plan.costs}

    def cheaper_service(view, plan):
        plan.costs["service"] = 0.0

    _fails_naming(free_actions, r"plan\.costs belongs to the firm")
    _fails_naming(cheaper_service, r"TypeError")


def test_firm_checks_at_its_own_prices_even_if_the_plans_prices_are_forged():
    def forged_prices(view, plan):
        object.__setattr__(plan, "_costs", MappingProxyType({label: 0.0 for label in plan.costs}))
        object.__setattr__(plan, "_budget", 1e9)
        plan.add(np.arange(view.n_people), Action.LOYALTY_PROGRAMME)

    _fails_naming(forged_prices, r"cost .* CU, over the weekly budget of 45\.00 CU")


def test_actions_written_past_the_budget_are_refused():
    def write_directly(view, plan):
        plan.actions[:] = Action.PERSONAL_OFFER

    _fails_naming(write_directly, r"over the weekly budget")


def test_actions_cannot_be_replaced():
    def new_array(view, plan):
        plan.actions = np.zeros(view.n_people, dtype=np.int8)

    _fails_naming(new_array, r"plan\.actions belongs to the firm")


@pytest.mark.parametrize("code", [42, -1])
def test_codes_that_are_not_actions_are_refused(code):
    def bad_code(view, plan):
        plan.actions[7] = code

    _fails_naming(bad_code, rf"not actions \(person 7 has {code}\)")


@pytest.mark.parametrize("max_spend", [-1, float("nan"), float("inf"), True, "10"])
def test_max_spend_must_be_a_non_negative_amount(max_spend):
    def spend(view, plan):
        plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER, max_spend=max_spend)

    _fails_naming(spend, r"max_spend must be a non-negative number")


def test_marketing_cost_never_negative_and_within_budget():
    def two_steps(view, plan):
        plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER, max_spend=0.0)
        plan.add(view.in_stage(Stage.IDENTIFICATION), Action.SERVICE, max_spend=10.0)

    metrics = _run(two_steps).metrics
    budget = Parameters(**{"n_people": SMALL["n_people"]}).weekly_budget
    assert (metrics["marketing_cost"] >= 0).all() and (metrics["marketing_cost"] <= budget).all()
    assert (metrics["marketing_cost"] <= 10.0).all()


# --- strategies that misuse the interface ------------------------------------------------------------


def test_returning_targets_instead_of_funding_them():
    def returns_targets(view, plan):
        return view.in_stage(Stage.PROSPECT)

    _fails_naming(returns_targets, r"returned an array of \d+ int64 values; .*plan\.add\(people, action\)")


def test_generator_strategy():
    def generator(view, plan):
        yield view.in_stage(Stage.PROSPECT)

    _fails_naming(generator, r"generator \(it uses yield\)")


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        (True, r"must be an Action .* got True"),
        (np.True_, r"must be an Action"),
        (42, r"unknown action 42"),
        ("service", r"must be an Action .* got 'service'"),
        (2.0, r"must be an Action .* got 2\.0"),
    ],
)
def test_bad_actions(action, problem):
    def bad_action(view, plan):
        plan.add(view.in_stage(Stage.PROSPECT), action)

    _fails_naming(bad_action, problem)


@pytest.mark.parametrize(
    ("people", "problem"),
    [
        ([1.0, 2.0], r"integer person ids .* got float64"),
        (np.array([0.5]), r"integer person ids"),
        ([0, 300], r"person ids must be in \[0, 299\], got 0\.\.300"),
        ([-1], r"person ids must be in \[0, 299\]"),
        (np.ones((2, 2), dtype=int), r"flat list"),
        (np.ones(5, dtype=bool), r"boolean mask must have one entry per person \(300\)"),
    ],
)
def test_bad_people(people, problem):
    def bad_people(view, plan):
        plan.add(people, Action.SERVICE)

    _fails_naming(bad_people, problem)


def test_a_strategy_that_raises_is_named_with_its_week():
    def crashes_later(view, plan):
        if view.week == 3:
            raise KeyError("segment")

    message = _fails_naming(crashes_later, r"KeyError: 'segment'", week=3)
    assert "\n" not in message


@pytest.mark.parametrize("engine", ["agents", "vector"])
def test_both_engines_report_the_same_error(engine):
    def returns_targets(view, plan):
        return [1, 2, 3]

    with pytest.raises(StrategyError, match=r"'returns_targets', week 1: the strategy returned \[1, 2, 3\]"):
        _run(returns_targets, engine=engine, n_people=30)
