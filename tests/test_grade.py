"""`crmlab grade`: a generated class of chapter-4 notebooks (blank, answer key, typical mistakes, tampered,
crashing, endless loop, not a notebook) is graded in one call; verdicts come from the grader's own checks,
never from the student's kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab.cli import main as crmlab
from exercises import ch4
from exercises.answer_key import fill
from exercises.grade import decode, grade_class, student_name

NOTEBOOK = Path(__file__).resolve().parents[1] / "exercises" / ch4.NOTEBOOK
QUESTIONS = [f"q{n}" for n in range(1, len(ch4.QUESTIONS) + 1)]


def _answer_cells(notebook):
    return {
        cell.metadata["exercise"]: cell for cell in notebook.cells if cell.get("metadata", {}).get("exercise")
    }


def _write(notebook, folder: Path, student: str) -> Path:
    path = folder / student / ch4.NOTEBOOK
    path.parent.mkdir(parents=True)
    nbformat.write(notebook, path)
    return path


def _class(folder: Path) -> None:
    blank = nbformat.read(NOTEBOOK, as_version=4)
    _write(blank, folder, "blank")

    key = nbformat.read(NOTEBOOK, as_version=4)
    fill(key)
    _write(key, folder, "answer_key")

    mistakes = nbformat.read(NOTEBOOK, as_version=4)
    for label, cell in _answer_cells(mistakes).items():
        cell.source = getattr(ch4, label).wrong_examples[0][0]
    _write(mistakes, folder, "mistakes")

    # Wrong answers, and a checker that says "Correct" for everything in the student's kernel.
    tampered = nbformat.read(NOTEBOOK, as_version=4)
    cells = _answer_cells(tampered)
    cells["q1"].source = (
        "recency_of_first = 12345\n"
        "import exercises.core\n"
        "exercises.core.Question.outcome = lambda self, namespace=None: "
        "exercises.core.Outcome('correct', 'forged')"
    )
    cells["q2"].source = "monetary = 'forged'\nq2.check = lambda: print('Correct: Question 2')"
    cells["q3"].source = (
        "def recency_score(recency):\n"
        "    import exercises.core as c\n"
        "    c._compare_any = lambda *args, **kwargs: None  # patches only this kernel\n"
        "    return recency * 0"
    )
    _write(tampered, folder, "tampered")

    # Answers q1 correctly, then kills its kernel; the rest is blank.
    crashing = nbformat.read(NOTEBOOK, as_version=4)
    fill(crashing)
    cells = _answer_cells(crashing)
    cells["q2"].source = "import os\nos._exit(3)"
    _write(crashing, folder, "crashing")

    # An endless loop in the answer cell of q2; the other answers are the key's.
    endless = nbformat.read(NOTEBOOK, as_version=4)
    fill(endless)
    _answer_cells(endless)["q2"].source = "while True:\n    pass"
    _write(endless, folder, "endless")

    (folder / "broken").mkdir()
    (folder / "broken" / ch4.NOTEBOOK).write_text("{ this is not a notebook")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    _class(folder)
    result = grade_class([folder], cell_timeout=40, notebook_timeout=400, jobs=2)
    return result, tmp_path_factory.mktemp("grades")


def _verdicts(result, student: str) -> dict[str, str]:
    grades = result.grades
    mine = grades[grades["student"] == student]
    return dict(zip(mine["question"], mine["verdict"], strict=True))


def _feedback(result, student: str) -> dict[str, str]:
    grades = result.grades
    mine = grades[grades["student"] == student]
    return dict(zip(mine["question"], mine["feedback"], strict=True))


def _student(result, student: str):
    return next(g for g in result.notebooks if g.student == student)


def test_the_answer_key_is_correct_everywhere_and_a_blank_notebook_is_not_attempted(graded):
    result, _ = graded
    assert _verdicts(result, "answer_key") == dict.fromkeys(QUESTIONS, "correct")
    assert _verdicts(result, "blank") == dict.fromkeys(QUESTIONS, "not attempted")
    assert not _student(result, "answer_key").tampering
    assert not _student(result, "blank").tampering


def test_typical_mistakes_get_their_own_feedback(graded):
    result, _ = graded
    verdicts, feedback = _verdicts(result, "mistakes"), _feedback(result, "mistakes")
    for label in QUESTIONS:
        message = getattr(ch4, label).wrong_examples[0][1]
        assert verdicts[label] != "correct"
        assert message in feedback[label], (label, feedback[label])


def test_a_tampered_checker_is_reported_and_never_makes_a_wrong_answer_correct(graded):
    result, _ = graded
    verdicts = _verdicts(result, "tampered")
    assert verdicts["q1"] == "incorrect"
    assert verdicts["q2"] == "incorrect"
    assert verdicts["q3"] == "incorrect"
    assert "correct" not in verdicts.values()
    notes = " | ".join(_student(result, "tampered").tampering)
    assert "exercises.core.Question.outcome" in notes  # the changed code is named
    assert "q2.check" in notes  # the replaced method
    assert "displayed 'Correct'" in notes  # the kernel showed a verdict the grader does not give


def test_a_notebook_that_kills_its_kernel_is_reported_and_the_rest_still_graded(graded):
    result, _ = graded
    grade = _student(result, "crashing")
    assert any("stopped the kernel" in problem for problem in grade.problems)
    verdicts = _verdicts(result, "crashing")
    assert verdicts["q1"] == "correct" and verdicts["q3"] == "correct"
    assert verdicts["q2"] == "not attempted"  # its answer cell was the one that killed the kernel


def test_an_endless_loop_is_interrupted_and_the_other_answers_graded(graded):
    result, _ = graded
    grade = _student(result, "endless")
    assert any("interrupted" in problem for problem in grade.problems)
    verdicts = _verdicts(result, "endless")
    assert verdicts["q2"] == "not attempted"
    assert all(verdicts[label] == "correct" for label in QUESTIONS if label != "q2")


def test_a_file_that_is_not_a_notebook_is_reported_not_raised(graded):
    result, _ = graded
    broken = _student(result, "broken")
    assert broken.status == "unreadable" and not broken.verdicts
    assert "not a notebook" in broken.problems[0]


def test_files_and_summaries(graded):
    result, out = graded
    paths = result.write(out)
    grades = pd.read_csv(paths["grades"], keep_default_na=False)
    assert list(grades.columns[:5]) == ["student", "chapter", "question", "verdict", "feedback"]
    assert set(grades["verdict"]) <= {"correct", "incorrect", "not attempted", "checker error", "not graded"}
    students = pd.read_csv(paths["students"]).set_index("student")
    assert students.loc["answer_key", "score"] == 1.0 and students.loc["blank", "score"] == 0.0
    assert students.loc["broken", "status"] == "unreadable"
    questions = pd.read_csv(paths["questions"])
    assert questions["share_correct"].is_monotonic_increasing  # hardest first
    assert (questions["students"] == 6).all()  # six notebooks could be graded


def test_student_names_come_from_the_file_or_its_folder(tmp_path):
    assert student_name(tmp_path / "alice" / ch4.NOTEBOOK, ch4) == "alice"
    assert student_name(tmp_path / f"bob_{ch4.NOTEBOOK}", ch4) == "bob"
    assert student_name(tmp_path / "carol.ipynb", ch4) == "carol"


def test_collected_data_is_rebuilt_without_running_code():
    assert decode({"t": "list", "v": [{"t": "int", "v": "3"}, {"t": "float", "v": "nan"}]})[0] == 3
    forged = {"t": "function", "name": "evil"}
    assert "a function" in repr(decode(forged))
    with pytest.raises(ValueError):
        decode({"t": "pickle", "v": "gASV"})


def test_bad_input_is_one_line_and_exit_status_2(tmp_path, capsys):
    assert crmlab(["grade", str(tmp_path / "missing.ipynb"), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "missing.ipynb" in error and "Traceback" not in error
    (tmp_path / "notes.txt").write_text("x")
    assert crmlab(["grade", str(tmp_path / "notes.txt"), "--out", str(tmp_path / "out")]) == 2
    command = [sys.executable, "-m", "exercises.grade", str(tmp_path), "--out", str(tmp_path / "o")]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "no .ipynb notebooks" in run.stderr and "Traceback" not in run.stderr
    assert json.dumps(run.stderr).count("\\n") == 1


@pytest.mark.parametrize("option", ["--cell-timeout", "--notebook-timeout"])
def test_a_time_limit_is_checked_as_the_tournament_checks_its_own(tmp_path, capsys, option):
    notebook = tmp_path / "answers.ipynb"
    notebook.write_text("{}")
    assert crmlab(["grade", str(notebook), option, "0", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"{option}: must be a number of seconds in (0, 86400], got '0'" in error
