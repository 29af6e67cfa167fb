"""An exercise notebook, answered in JupyterLab as a student does: typed into cells and checked."""

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "exercises/04_rfm_exercises.ipynb"


def test_a_wrong_and_a_right_answer_get_their_feedback(lab):
    lab.open(NOTEBOOK)
    lab.run(lab.cell("from exercises.ch4 import *"))

    lab.type_into(lab.cell("recency_of_first = ____"), "recency_of_first = 999")
    lab.run(lab.cell("recency_of_first = 999"))
    wrong = lab.cell("q1.check()")
    lab.run(wrong)

    lab.type_into(lab.cell("break_even_rate = ____"), "break_even_rate = 0.80 / 20")
    lab.run(lab.cell("break_even_rate = 0.80 / 20"))
    right = lab.cell("q5.check()")
    lab.run(right)

    wrong_feedback = wrong.locator(".jp-OutputArea-output").inner_text()
    right_feedback = right.locator(".jp-OutputArea-output").inner_text()
    assert wrong_feedback.startswith("Not yet: Question 1 (recency)."), wrong_feedback
    assert right_feedback.startswith("Correct: Question 5 (break-even response rate)."), right_feedback
    assert "Traceback" not in wrong_feedback + right_feedback
