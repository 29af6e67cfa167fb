"""The short tasks inside chapter 1 (exercises.ch1.tasks): each solution passes, a blank is 'not attempted',
and a typical wrong answer gets a message that helps."""

import pytest
from answers import answered

from exercises import ch1
from exercises.core import ____

IDS = [name for name in vars(ch1.tasks)]


@pytest.mark.parametrize("task", ch1.TASKS, ids=IDS)
def test_the_worked_answer_passes(task):
    outcome = answered(task, task.solution_code)
    assert outcome.status == "correct", outcome.message


@pytest.mark.parametrize("task", ch1.TASKS, ids=IDS)
def test_the_template_as_given_is_not_attempted(task):
    namespace = {}
    exec(task.setup_code, namespace)
    exec(task.template, namespace)
    assert task.outcome(namespace).status == "not attempted"
    assert ____ is namespace["____"]


@pytest.mark.parametrize("task", ch1.TASKS, ids=IDS)
def test_a_typical_wrong_answer_is_explained(task):
    assert task.wrong_examples and task.hints and task.solution_text
    for code, message in task.wrong_examples:
        outcome = answered(task, code)
        assert outcome.status in ("incorrect", "not attempted") and message in outcome.message, (
            code,
            outcome,
        )
    assert any(answered(task, code).status == "incorrect" for code, _ in task.wrong_examples)
