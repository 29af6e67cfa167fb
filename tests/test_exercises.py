"""Every exercise question: its solution passes, a blank is 'not attempted', typical mistakes are caught."""

import importlib
import pkgutil

import nbformat
import pandas as pd
import pytest
from answers import answered

import exercises
from exercises import answer_key
from exercises.core import Incorrect, ____, compare_frames, compare_series

CHAPTERS = sorted(m.name for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("ch"))
QUESTIONS = [
    (chapter, question)
    for chapter in CHAPTERS
    for question in importlib.import_module(f"exercises.{chapter}").QUESTIONS
]
IDS = [f"{chapter}-{q.variables[0]}" for chapter, q in QUESTIONS]


def test_every_chapter_from_1_to_7_9_and_10_has_4_to_8_questions():
    counts = pd.Series([chapter for chapter, _ in QUESTIONS]).value_counts()
    assert {f"ch{n}" for n in [*range(1, 8), 9, 10]} <= set(counts.index)
    assert counts.between(4, 8).all(), counts


@pytest.mark.parametrize("chapter, question", QUESTIONS, ids=IDS)
def test_the_reference_solution_passes(chapter, question):
    outcome = answered(question, question.solution_code)
    assert outcome.status == "correct", outcome.message


@pytest.mark.parametrize("chapter, question", QUESTIONS, ids=IDS)
def test_a_blank_answer_is_not_attempted(chapter, question):
    namespace = {}
    exec(question.setup_code, namespace)
    namespace.update({name: ____ for name in question.variables})
    assert question.outcome(namespace).status == "not attempted"
    assert question.outcome({}).status == "not attempted"  # the answer cell was never run


@pytest.mark.parametrize("chapter, question", QUESTIONS, ids=IDS)
def test_typical_wrong_answers_get_a_useful_message(chapter, question):
    assert question.wrong_examples, "each question needs at least one typical wrong answer"
    for code, message in question.wrong_examples:
        outcome = answered(question, code)
        assert outcome.status in ("incorrect", "not attempted") and message in outcome.message, (
            code,
            outcome,
        )
    assert any(answered(question, code).status == "incorrect" for code, _ in question.wrong_examples)


@pytest.mark.parametrize("chapter, question", QUESTIONS, ids=IDS)
def test_hints_and_solution_display_without_error(chapter, question, capsys):
    question.check({})
    for _ in range(len(question.hints) + 1):
        question.hint()
    question.solution()
    assert question.hints and question.solution_text and question.solution_code


def test_equivalent_forms_are_accepted():
    expected = pd.Series([1.0, 2.5, 3.0], index=pd.Index([7, 8, 9], name="customer_id"))
    compare_series([1.0, 2.5, 3.0], expected, "x")  # a list, in order
    compare_series(expected.sample(frac=1, random_state=1), expected, "x")  # a Series in another order
    compare_series(expected + 1e-9, expected, "x")  # floats within tolerance
    frame = pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]})
    compare_frames(frame[["b", "a"]].assign(extra=0), frame, "df")  # columns in any order, extras allowed
    with pytest.raises(Incorrect, match="lacks the column"):
        compare_frames(frame[["a"]], frame, "df")
    with pytest.raises(Incorrect, match="wrong for 1 of 3"):
        compare_series([1.0, 2.5, 4.0], expected, "x")


def test_a_crash_in_student_code_is_reported_without_a_traceback():
    from exercises.ch4 import q3

    outcome = answered(q3, "def recency_score(recency):\n    return recency / 0 + undefined_name")
    assert outcome.status == "incorrect"
    assert "NameError" in outcome.message and "Traceback" not in outcome.message


def test_the_answer_key_fills_every_answer_cell(tmp_path):
    notebooks = sorted(answer_key.EXERCISES.glob("[0-9]*_*.ipynb"))
    assert len(notebooks) == len(CHAPTERS)
    for path in notebooks:
        key = answer_key.write_key(path, tmp_path, execute=False)
        notebook = nbformat.read(key, as_version=4)
        module = answer_key.chapter_module(notebook)
        answers = [c for c in notebook.cells if c.get("metadata", {}).get("exercise")]
        assert len(answers) == len(module.QUESTIONS)
        assert all("____" not in c.source for c in answers)
