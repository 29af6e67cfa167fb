"""Grade a class's exercise notebooks: run each in a fresh kernel, re-check every answer here.

    crmlab grade submissions/ --out grades/
    python -m exercises.grade alice/04_rfm_exercises.ipynb bob/04_rfm_exercises.ipynb --out grades/

How a notebook is graded, and why a student cannot forge a verdict:

1. The notebook runs top to bottom in a fresh Jupyter kernel (nbclient) in an empty temporary folder, with
   a time limit per cell and per notebook. A cell that raises does not stop the run; a cell that runs too
   long is interrupted; a cell that kills the kernel is skipped on a second run.
2. A cell the grader appends collects the answers as *data* (:mod:`exercises.grade_kernel`): values as
   JSON / numpy arrays / Arrow tables, a function's results on the test cases the grader sends, a
   strategy's funded actions in each market. It does not judge anything.
3. The grader rebuilds that data without running any of it (no pickle) and judges it with its own copy of
   the checkers, in its own process. A student who replaced ``q1.check``, the question objects or
   functions of ``exercises.core`` changed only their kernel, not the grader, and the change is reported.

Outputs: ``grades.csv`` (student, chapter, question, verdict, feedback, ...), ``students.csv`` (one row per
notebook: score, problems, tampering) and ``questions.csv`` (one row per question, hardest first).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib
import io
import json
import math
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab import arguments
from exercises import core
from exercises.core import FunctionQuestion, Outcome, TimeUp

KERNEL_CODE = Path(__file__).with_name("grade_kernel.py")
VERDICTS = ("correct", "incorrect", "not attempted", "checker error", "not graded")
#: the largest collected-answers file the grader reads (a huge answer is not graded, not loaded)
MAX_COLLECTED_BYTES = 200 * 1024 * 1024
_CHAPTER_IMPORT = re.compile(r"from\s+exercises\.(ch\d+)\s+import")
#: code that redefines the checker: assignments to check/outcome/..., to exercises.core, or `def check`
_TAMPERING = re.compile(
    r"\.\s*(check|outcome|evaluate|_judge|expected|reference|cases)\s*=[^=]"
    r"|exercises\.core\.\w+\s*=[^=]|\bdef\s+check\s*\(|setattr\s*\(\s*(q\d+|core|Question)"
)
_JUDGING = threading.Lock()  # the checkers keep per-question state (the time limit): judge one at a time


# --------------------------------------------------------------------------------------------------
# Reading what the kernel collected, without running it


class Unreadable:
    """Stands for a value the grader does not rebuild (a function where data was expected, an object of
    an unknown type); its repr says what it was, so the verdict can say so."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return self.description


class CollectedDataError(ValueError):
    """What the kernel sent is not in the expected format."""


def decode(node, depth: int = 0):
    """Rebuild a value from :func:`exercises.grade_kernel._crmlab_encode`'s description (safe: no pickle)."""
    if depth > 25 or not isinstance(node, dict):
        raise CollectedDataError("malformed value")
    kind = node.get("t")
    if kind == "blank":
        return core.____
    if kind == "py":
        value = node.get("v")
        if value is not None and not isinstance(value, bool | str):
            raise CollectedDataError("malformed plain value")
        return value
    if kind == "int":
        text = str(node.get("v"))
        if len(text) > 5000:
            return Unreadable("an integer with thousands of digits")
        return int(text)
    if kind == "float":
        return float(str(node.get("v")))
    if kind in ("list", "tuple", "set"):
        items = [decode(v, depth + 1) for v in _list(node.get("v"))]
        if kind == "list":
            return items
        if kind == "tuple":
            return tuple(items)
        try:
            return set(items)
        except TypeError:
            return items
    if kind == "dict":
        result = {}
        for pair in _list(node.get("v")):
            key, value = (decode(part, depth + 1) for part in _list(pair)[:2])
            result[key if _hashable(key) else repr(key)] = value
        return result
    if kind == "ndarray":
        array = np.load(io.BytesIO(base64.b64decode(str(node.get("b")))), allow_pickle=False)
        return array
    if kind == "objarray":
        items = [decode(v, depth + 1) for v in _list(node.get("v"))]
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array
    if kind in ("series", "frame"):
        import pyarrow as pa

        table = pa.ipc.open_stream(base64.b64decode(str(node.get("b")))).read_all()
        frame = table.to_pandas()
        if kind == "series":
            series = frame["__value__"]
            series.name = decode(node.get("name"), depth + 1) if "name" in node else None
            return series
        return frame
    if kind == "columns":
        columns = decode(node.get("columns"), depth + 1)
        data = {str(c): decode(v, depth + 1) for c, v in zip(columns, _list(node.get("data")), strict=False)}
        frame = pd.DataFrame(data, index=decode(node.get("index"), depth + 1))
        if node.get("series"):
            series = frame.iloc[:, 0]
            series.name = decode(node.get("name"), depth + 1) if "name" in node else None
            return series
        return frame
    if kind == "function":
        return Unreadable(f"a function ({str(node.get('name'))[:60]})")
    if kind == "other":
        return Unreadable(f"a {str(node.get('type'))[:60]} ({str(node.get('repr'))[:100]})")
    raise CollectedDataError(f"unknown kind of value {str(kind)[:30]!r}")


def _list(value) -> list:
    if not isinstance(value, list):
        raise CollectedDataError("malformed list")
    return value


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _RecordedFunction:
    """The student's function as the kernel ran it on the test cases: each call returns (or raises) what
    the student's function did on the same case, in the same order."""

    def __init__(self, name: str, calls: list, time_limit: float):
        self.__name__, self.calls, self.time_limit = name, calls, time_limit
        self.index, self.spent = 0, 0.0

    def __call__(self, *args):
        if self.index >= len(self.calls):
            raise _named_error("GradingError", "the grader could not run your function on every test case")
        call = self.calls[self.index]
        self.index += 1
        self.spent += float(call.get("seconds", 0.0))
        if self.spent > self.time_limit or call.get("error") == "timeout":
            raise TimeUp()
        if call.get("error") == "exit":
            raise SystemExit()
        if call.get("error"):
            line = call.get("line")
            where = f" (line {line} of your code)" if isinstance(line, int) else ""
            raise _named_error(str(call.get("type", "Exception"))[:60], f"{call.get('message', '')}{where}")
        return decode(call.get("ok"))


def _named_error(name: str, message: str) -> Exception:
    safe = re.sub(r"\W", "", name) or "Exception"
    return type(safe, (Exception,), {})(message)


def market_key(view) -> str:
    """What identifies a market at week 1 (its seed fixes the customers the firm starts with); the same
    computation as the kernel's."""
    return hashlib.sha256(
        np.ascontiguousarray(view.first_purchase_week).tobytes()
        + np.ascontiguousarray(view.total_spend).tobytes()
    ).hexdigest()


class _ReplayedStrategy:
    """The student's strategy as it played in the kernel: in each market and week, fund the same actions."""

    def __init__(self, markets: dict):
        self.markets, self.key = markets, None
        self.__name__ = "my_strategy"

    def __call__(self, view, plan):
        from simulation import Action

        if view.week == 1 or self.key is None:
            self.key = market_key(view)
        people, codes = self.markets.get(self.key, {}).get(str(view.week), [[], []])
        people, codes = np.asarray(people, dtype=np.int64), np.asarray(codes, dtype=np.int64)
        for code in np.unique(codes):
            plan.add(people[codes == code], Action(int(code)))


# --------------------------------------------------------------------------------------------------
# One notebook


@dataclass
class NotebookGrade:
    """The grading of one notebook."""

    file: str
    student: str
    chapter: str = ""
    status: str = "graded"  # graded, failed to run, not an exercise notebook, unreadable
    problems: list[str] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)
    verdicts: list[dict] = field(default_factory=list)
    seconds: float = 0.0


#: the exercise notebooks' own names (a submission is often the same file in the student's folder)
OFFICIAL_STEMS = tuple(p.stem for p in Path(__file__).parent.glob("[0-9]*_*_exercises.ipynb"))


def student_name(path: Path, chapter_module=None) -> str:
    """The student: the file name without the chapter's notebook name, else the folder's name."""
    stem = path.stem
    officials = [Path(chapter_module.NOTEBOOK).stem] if chapter_module is not None else OFFICIAL_STEMS
    for official in officials:
        if official in stem:
            rest = stem.replace(official, "").strip(" _-.")
            return rest or path.parent.name
    return stem


def _question_kind(question) -> str:
    if isinstance(question, FunctionQuestion):
        return "function"
    if type(question).__name__ == "BeatMass":
        return "strategy"
    return "data"


def _task(module) -> dict:
    """What the kernel needs to collect: each question's variables, test cases and markets."""
    from simulation.experiment import replication_seeds

    questions = {}
    for number, question in enumerate(module.QUESTIONS, start=1):
        kind = _question_kind(question)
        entry = {"variables": list(question.variables), "kind": kind, "time_limit": question.time_limit}
        if kind == "function":
            entry["cases"] = question.cases()
        if kind == "strategy":
            race = dict(module.RACE)
            seeds = replication_seeds(race.pop("seed"), race.pop("replications"))
            entry["race"] = {"seeds": seeds, "parameters": race}
        questions[f"q{number}"] = entry
    return {
        "module": module.__name__,
        "questions": questions,
        "checker_modules": ["exercises.core", module.__name__],
    }


def _execute(
    notebook, workdir: Path, cell_timeout: float, notebook_timeout: float, grade: NotebookGrade
) -> None:
    """Run the notebook's cells (the collecting cell last). A cell that kills the kernel is skipped on a
    second run; after the notebook's time is up, only the collecting cell still runs."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    skipped: set[int] = set()
    last = len(notebook.cells) - 1
    for _attempt in range(3):
        deadline = time.monotonic() + notebook_timeout
        client = NotebookClient(
            notebook,
            timeout=cell_timeout,
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=True,
            resources={"metadata": {"path": str(workdir)}},
        )
        died_at = None
        # the kernel's own start-up warnings would drown the progress bar
        with client.setup_kernel(stderr=subprocess.DEVNULL):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or index in skipped:
                    continue
                if index != last and time.monotonic() > deadline:
                    grade.problems.append(
                        f"the notebook ran out of its {notebook_timeout:g} s: cells from "
                        f"{index + 1} on were not run"
                    )
                    skipped.update(range(index, last))
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    grade.problems.append(
                        f"cell {index + 1} did not finish within {cell_timeout:g} s and "
                        "could not be interrupted"
                    )
                    died_at = index
                    break
                except DeadKernelError:
                    grade.problems.append(
                        f"cell {index + 1} stopped the kernel (it was skipped on a second run)"
                    )
                    died_at = index
                    break
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                if errors and index != last:
                    name = errors[0].get("ename", "an error")
                    if name == "KeyboardInterrupt":
                        grade.problems.append(
                            f"cell {index + 1} ran longer than {cell_timeout:g} s and was "
                            "interrupted (an endless loop?)"
                        )
                    else:
                        grade.problems.append(
                            f"cell {index + 1} raised {name}: {str(errors[0].get('evalue', ''))[:150]}"
                        )
        if died_at is None:
            return
        if died_at == last:
            grade.problems.append("the grader's collecting cell could not finish")
            return
        skipped.add(died_at)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
    grade.problems.append("the kernel kept dying; the answers could not be collected")


def _displayed_correct(notebook, labels: dict[str, str]) -> set[str]:
    """Questions whose check cell displayed 'Correct' in the student's run."""
    shown = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        text = json.dumps(cell.get("outputs", []))
        for name, title in labels.items():
            if f"Correct: {title}" in text or f"Correct: {html_escape(title)}" in text:
                shown.add(name)
    return shown


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def grade_notebook(path, cell_timeout: float = 120.0, notebook_timeout: float = 900.0) -> NotebookGrade:
    """Run one submitted notebook and judge every question (see the module docstring)."""
    import nbformat

    from exercises.grade_kernel import _crmlab_fingerprints

    path = Path(path)
    started = time.monotonic()
    grade = NotebookGrade(file=str(path), student=student_name(path))
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # any unreadable file is reported, not raised
        grade.status = "unreadable"
        grade.problems.append(f"not a notebook ({type(error).__name__}: {str(error)[:150]})")
        return grade
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    match = next((m for s in sources if (m := _CHAPTER_IMPORT.search(s))), None)
    if match is None:
        grade.status = "not an exercise notebook"
        grade.problems.append("no `from exercises.chN import *` cell")
        return grade
    module = importlib.import_module(f"exercises.{match[1]}")
    grade.chapter, grade.student = match[1], student_name(path, module)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and _TAMPERING.search(cell.source):
            line = next(line for line in cell.source.splitlines() if _TAMPERING.search(line + " "))
            grade.tampering.append(f"cell {number} redefines the checker: {line.strip()[:100]}")
    workdir = Path(tempfile.mkdtemp(prefix="crmlab-grade-"))
    try:
        task_path, output_path = workdir / "task.pickle", workdir / f"collected-{time.time_ns()}.json"
        task_path.write_bytes(pickle.dumps(_task(module)))
        collector = KERNEL_CODE.read_text() + f"\n_crmlab_collect({str(task_path)!r}, {str(output_path)!r})\n"
        notebook.cells.append(nbformat.v4.new_code_cell(collector))
        _execute(notebook, workdir, cell_timeout, notebook_timeout, grade)
        collected = None
        if output_path.exists() and output_path.stat().st_size <= MAX_COLLECTED_BYTES:
            try:
                collected = json.loads(output_path.read_text())
            except (ValueError, UnicodeDecodeError):
                collected = None
        if not isinstance(collected, dict):
            grade.status = "failed to run"
            grade.problems.append("the answers could not be collected from the kernel")
        labels = {f"q{n}": q.label for n, q in enumerate(module.QUESTIONS, start=1)}
        with _JUDGING:
            _judge_all(module, collected, grade)
        if isinstance(collected, dict):
            _compare_fingerprints(
                collected.get("fingerprints"),
                _crmlab_fingerprints(["exercises.core", module.__name__]),
                grade,
            )
            for label, info in (collected.get("objects") or {}).items():
                if isinstance(info, dict) and label in labels:
                    if not info.get("same"):
                        grade.tampering.append(
                            f"{label} is not the chapter's question any more (it is a "
                            f"{str(info.get('type'))[:80]})"
                        )
                    for method in info.get("overridden") or []:
                        grade.tampering.append(f"{label}.{str(method)[:30]} was replaced in the notebook")
        verdict_of = {v["question"]: v["verdict"] for v in grade.verdicts}
        for label in sorted(_displayed_correct(notebook, labels)):
            if verdict_of.get(label) != "correct":
                grade.tampering.append(
                    f"{label}: the notebook displayed 'Correct' but the answer is not correct"
                )
        grade.tampering = list(dict.fromkeys(grade.tampering))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        grade.seconds = time.monotonic() - started
    return grade


def _compare_fingerprints(theirs, ours: dict, grade: NotebookGrade) -> None:
    if not isinstance(theirs, dict):
        return
    changed = sorted(name for name, digest in ours.items() if name in theirs and theirs[name] != digest)
    added = sorted(name for name in theirs if name not in ours)
    if changed:
        grade.tampering.append(
            f"the notebook changed the checker's code: {', '.join(changed[:5])}"
            + (" ..." if len(changed) > 5 else "")
        )
    if added:
        grade.tampering.append(f"the notebook added functions to the checker: {', '.join(added[:5])}")


def _judge_all(module, collected: dict | None, grade: NotebookGrade) -> None:
    for number, question in enumerate(module.QUESTIONS, start=1):
        label = f"q{number}"
        if not isinstance(collected, dict):
            outcome = Outcome(
                "not graded", "the notebook could not be run to the end; see the notebook's problems"
            )
        else:
            try:
                outcome = _judge(question, label, collected)
            except (CollectedDataError, ValueError, TypeError, KeyError, OSError) as error:
                outcome = Outcome(
                    "not graded",
                    f"the grader could not read the answer ({type(error).__name__}: {str(error)[:150]})",
                )
        grade.verdicts.append(
            {
                "question": label,
                "title": question.label,
                "verdict": outcome.status,
                "feedback": " ".join(outcome.message.split()),
            }
        )


def _judge(question, label: str, collected: dict) -> Outcome:
    answers = collected.get("answers") or {}
    namespace = {name: decode(answers[name]) for name in question.variables if name in answers}
    kind = _question_kind(question)
    name = question.variables[0] if question.variables else None
    is_function = isinstance(namespace.get(name), Unreadable) and answers[name].get("t") == "function"
    if kind == "function" and is_function:
        namespace[name] = _RecordedFunction(
            name, (collected.get("calls") or {}).get(label) or [], question.time_limit
        )
    elif kind == "strategy" and is_function:
        race = (collected.get("races") or {}).get(label)
        if not isinstance(race, dict):
            return Outcome("not graded", "the grader could not run your strategy in the kernel")
        if race.get("failure"):
            return _strategy_failure(question, name, race["failure"])
        namespace[name] = _ReplayedStrategy(race.get("markets") or {})
        outcome = question.outcome(namespace)
        if outcome.status == "correct":
            return _only_built_in(question, race.get("markets") or {}) or outcome
        return outcome
    return question.outcome(namespace)


def _strategy_failure(question, name: str, failure: dict) -> Outcome:
    """The verdict for a strategy that failed in the kernel (never 'correct', whatever the data says)."""
    week = failure.get("week")
    kind = failure.get("error")
    if kind == "blank":
        return Outcome("not attempted", f"`{name}` still returns ____: write the body of your strategy.")
    if kind == "timeout":
        message = (
            f"your strategy did not finish within {question.time_limit:g} s of computing, in week "
            f"{week} (an endless loop?); the check stopped it"
        )
    elif kind == "exit":
        message = (
            f"your strategy called sys.exit() in week {week}: a strategy funds actions with plan.add "
            "and returns nothing"
        )
    elif kind == "raised":
        line = failure.get("line")
        where = f" (line {line} of your code)" if isinstance(line, int) else ""
        message = (
            f"your strategy raised {failure.get('type')} in week {week}: {failure.get('message')}{where}"
        )
    elif kind == "returned":
        message = (
            f"your strategy broke the rules: in week {week}, it returned something; a strategy does "
            "not return its targets, it funds them with plan.add(people, action) and returns nothing"
        )
    else:
        text = re.sub(r"^strategy '.*?', week \d+: ", "", str(failure.get("message", "")))
        message = f"your strategy broke the rules: in week {week}, {text}"
    return Outcome("incorrect", core._shorten(message))


def _only_built_in(question, markets: dict) -> Outcome | None:
    """Chapter 7's rule that a strategy must be one's own: identical results to a built-in in every market."""
    from exercises import ch7
    from simulation.strategies.base import STRATEGIES, FunctionStrategy

    results = ch7.race(FunctionStrategy(_ReplayedStrategy(markets), name="your_strategy"))
    mine = results.set_index(["strategy", "seed"]).loc["your_strategy"]
    for built_in in STRATEGIES:
        if built_in != "none" and ch7._same_results(mine, built_in):
            return Outcome(
                "incorrect",
                f"your strategy only calls the built-in `{built_in}` strategy: it "
                "gets exactly its results in every market. Write a strategy of your "
                "own; `q5.hint()` has ideas.",
            )
    return None


# --------------------------------------------------------------------------------------------------
# A class


@dataclass
class ClassGrades:
    """Every notebook's grading, and the tables written from it."""

    notebooks: list[NotebookGrade]

    @property
    def grades(self) -> pd.DataFrame:
        rows = [
            {
                "student": g.student,
                "chapter": g.chapter,
                "question": v["question"],
                "verdict": v["verdict"],
                "feedback": v["feedback"],
                "title": v["title"],
                "file": g.file,
            }
            for g in self.notebooks
            for v in g.verdicts
        ]
        return pd.DataFrame(
            rows, columns=["student", "chapter", "question", "verdict", "feedback", "title", "file"]
        )

    @property
    def students(self) -> pd.DataFrame:
        rows = []
        for g in self.notebooks:
            counts = {v: sum(x["verdict"] == v for x in g.verdicts) for v in VERDICTS}
            total = len(g.verdicts)
            rows.append(
                {
                    "student": g.student,
                    "chapter": g.chapter,
                    "file": g.file,
                    "status": g.status,
                    "questions": total,
                    **{k.replace(" ", "_"): n for k, n in counts.items()},
                    "score": round(counts["correct"] / total, 3) if total else math.nan,
                    "tampering": "; ".join(g.tampering),
                    "problems": "; ".join(g.problems),
                }
            )
        return pd.DataFrame(rows)

    @property
    def questions(self) -> pd.DataFrame:
        """One row per question, hardest first (the smallest share of students with a correct answer)."""
        grades = self.grades
        if grades.empty:
            return pd.DataFrame(columns=["chapter", "question", "title", "students", "share_correct"])
        table = (
            grades.groupby(["chapter", "question", "title"])["verdict"]
            .value_counts()
            .unstack(fill_value=0)
            .reindex(columns=list(VERDICTS), fill_value=0)
        )
        table.columns = [c.replace(" ", "_") for c in table.columns]
        table.insert(0, "students", table.sum(axis=1))
        table["share_correct"] = (table["correct"] / table["students"]).round(3)
        table = table.reset_index()
        table = table.sort_values(["share_correct", "chapter", "question"], kind="stable")
        return table.reset_index(drop=True)

    def write(self, out) -> dict[str, Path]:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {name: out / f"{name}.csv" for name in ("grades", "students", "questions")}
        self.grades.to_csv(paths["grades"], index=False)
        self.students.to_csv(paths["students"], index=False)
        self.questions.to_csv(paths["questions"], index=False)
        return paths


def find_notebooks(paths) -> list[Path]:
    """The notebooks named, and every ``*.ipynb`` under the folders named (checkpoints skipped)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            if path.suffix != ".ipynb":
                raise ValueError(f"NOTEBOOKS {path}: not a .ipynb notebook")
            found.append(path)
        else:
            raise ValueError(f"NOTEBOOKS {path}: no such file or folder")
    if not found:
        raise ValueError("NOTEBOOKS: no .ipynb notebooks found in " + ", ".join(map(str, paths)))
    return list(dict.fromkeys(found))


def grade_class(
    paths,
    cell_timeout: float = 120.0,
    notebook_timeout: float = 900.0,
    jobs: int = 1,
    progress: bool | None = False,
) -> ClassGrades:
    """Grade every notebook (`jobs` kernels at once); a notebook that fails is reported, never raised."""
    from tqdm.auto import tqdm

    notebooks = find_notebooks(paths)
    with tqdm(
        total=len(notebooks),
        desc="notebooks",
        unit="notebook",
        disable=None if progress is None else not progress,
    ) as bar:

        def one(path):
            try:
                return grade_notebook(path, cell_timeout, notebook_timeout)
            finally:
                bar.update(1)

        if jobs == 1:
            results = [one(p) for p in notebooks]
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                results = list(pool.map(one, notebooks))
    return ClassGrades(results)


# --------------------------------------------------------------------------------------------------
# Command line


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to 64, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "notebooks",
        nargs="+",
        metavar="NOTEBOOKS",
        help="submitted exercise notebooks, or folders of them (searched recursively)",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="directory for grades.csv, students.csv and questions.csv (created if missing)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=arguments.seconds,
        default=120.0,
        metavar="S",
        help="seconds one cell may run before it is interrupted (default 120)",
    )
    parser.add_argument(
        "--notebook-timeout",
        type=arguments.seconds,
        default=900.0,
        metavar="S",
        help="seconds one notebook may run in all (default 900)",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="J",
        help="notebooks graded at once, each in its own kernel (default 1)",
    )


def register(subparsers) -> None:
    """Add ``grade`` to the ``crmlab`` parser."""
    parser = subparsers.add_parser(
        "grade",
        help="grade submitted exercise notebooks",
        description="Run each submitted exercise notebook in a fresh kernel, "
        "re-check every answer in the grader's own process, and write "
        "grades.csv, students.csv and questions.csv (hardest "
        "questions first).",
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    notebooks = find_notebooks(args.notebooks)  # bad names fail here, before anything is written
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: is a file; give a directory")
    result = grade_class(notebooks, args.cell_timeout, args.notebook_timeout, args.jobs, progress=None)
    paths = result.write(out)
    students = result.students
    for _, row in students.iterrows():
        notes = []
        if row["tampering"]:
            notes.append(f"TAMPERING: {row['tampering']}")
        if row["problems"]:
            notes.append(f"problems: {row['problems']}")
        score = "-" if pd.isna(row["score"]) else f"{row['correct']}/{row['questions']}"
        print(
            f"{row['student']} ({row['chapter'] or '?'}): {score} correct, {row['status']}"
            + (f"; {'; '.join(notes)}" if notes else "")
        )
    hardest = result.questions.head(3)
    if len(hardest):
        print(
            "hardest: "
            + "; ".join(
                f"{r.chapter} {r.question} ({r.share_correct:.0%} correct)" for r in hardest.itertuples()
            )
        )
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineParser(prog="python -m exercises.grade", description=__doc__.splitlines()[0])
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except (ValueError, OSError) as error:
        print(
            f"grade: error: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
