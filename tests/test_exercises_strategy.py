"""Chapter 7, question 5 ("beat mass at the same budget"): only a fair strategy of one's own is Correct."""

import pytest
from answers import answered as answered_by

from exercises import ch7


def answered(code):
    return answered_by(ch7.q5, code)


CHEATS = {
    "sets plan.budget": (
        "def my_strategy(view, plan):\n"
        "    plan.budget = 1e6\n"
        "    plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER)\n"
    ),
    "replaces plan.costs": (
        "def my_strategy(view, plan):\n"
        "    plan.costs = {label: 0.0 for label in plan.costs}\n"
        "    plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER)\n"
    ),
    "writes plan.actions": (
        "def my_strategy(view, plan):\n"
        "    plan.actions[view.in_stage(Stage.PROSPECT)] = Action.ACQUISITION_OFFER\n"
    ),
}


@pytest.mark.parametrize("cheat", CHEATS.values(), ids=CHEATS.keys())
def test_a_strategy_that_cheats_the_budget_is_never_correct(cheat):
    outcome = answered(cheat)
    assert outcome.status == "incorrect"
    assert outcome.message.startswith("your strategy broke the rules:"), outcome.message
    assert "week 1" in outcome.message
    assert "\n" not in outcome.message and "Traceback" not in outcome.message


def test_a_rule_the_simulation_enforces_is_reported_as_broken_not_as_a_crash(monkeypatch):
    # whatever rule the simulation enforces after the strategy has planned (here: a stand-in), the
    # verdict is one line about the rules, not "your code raised"
    from simulation import StrategyError, firm

    original = firm.Firm.plan_week

    def strict(self, week):
        plan = original(self, week)
        if self.strategy.name != "mass" and week == 2:
            raise StrategyError(f"strategy {self.strategy.name!r}, week {week}: it broke a new rule")
        return plan

    monkeypatch.setattr(firm.Firm, "plan_week", strict)
    outcome = answered(ch7.q5.solution_code)
    assert outcome.status == "incorrect"
    assert outcome.message == "your strategy broke the rules: in week 2, it broke a new rule"


def test_the_reference_solution_is_correct():
    assert answered(ch7.q5.solution_code).status == "correct"


def test_a_strategy_that_only_calls_a_built_in_one_is_not_correct():
    outcome = answered("def my_strategy(view, plan):\n    get_strategy('one_to_one').plan(view, plan)")
    assert outcome.status == "incorrect"
    assert "built-in" in outcome.message and "one_to_one" in outcome.message


def test_a_strategy_that_builds_on_a_built_in_one_is_judged_on_its_results():
    code = (
        "def my_strategy(view, plan):\n"
        "    plan.add(view.shuffled(view.in_stage(Stage.PROSPECT)), Action.ACQUISITION_OFFER,\n"
        "             max_spend=0.1 * plan.budget)\n"
        "    get_strategy('one_to_one').plan(view, plan)\n"
    )
    outcome = answered(code)
    assert "built-in" not in outcome.message


def test_an_endless_strategy_is_stopped():
    outcome = answered("def my_strategy(view, plan):\n    while view.week > 3:\n        pass")
    assert outcome.status == "incorrect"
    assert "did not finish" in outcome.message and "week 4" in outcome.message


def test_a_strategy_calling_sys_exit_gets_a_verdict():
    outcome = answered("import sys\ndef my_strategy(view, plan):\n    sys.exit()")
    assert outcome.status == "incorrect" and "sys.exit" in outcome.message


def test_an_error_in_the_strategy_names_the_week():
    outcome = answered("def my_strategy(view, plan):\n    if view.week == 5:\n        1 / 0")
    assert outcome.message.startswith("your strategy raised ZeroDivisionError in week 5")
