"""Questions with instant feedback, in the style of Kaggle's learntools.

A student fills in variables (or writes a function) in an exercise notebook, then calls::

    q1.check()      # correct / not yet attempted / incorrect, with what is wrong
    q1.hint()       # the next hint (call again for more)
    q1.solution()   # the worked solution

Feedback is displayed, never raised: a notebook with blank answers runs top to bottom. A question
reads the student's answers from the notebook's namespace (``__main__``), by the names it declares.

Writing a question (see exercises/README.md): subclass one of the kinds below and declare
``variables``, ``hints``, ``solution`` (markdown shown to the student) and ``solution_code`` (code that
produces the answer; the answer key and the tests run it), plus the expected answer. Typical mistakes
get their own messages through ``mistakes``.
"""

from __future__ import annotations

import html
import math
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


class Blank:
    """The placeholder ``____`` in a fresh exercise notebook: an answer not yet given."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __call__(self, *args, **kwargs):  # a blank function body `return ____` still runs
        return self


____ = Blank()


class Incorrect(Exception):
    """Raised inside a check to report what is wrong; shown to the student as feedback."""


class NotAttempted(Exception):
    """Raised inside a check when an answer is still blank."""


@dataclass
class Outcome:
    status: str  # "correct", "not attempted", "incorrect"
    message: str = ""


# --------------------------------------------------------------------------------------------------
# Comparisons that accept equivalent forms


def is_blank(value) -> bool:
    return value is ____ or isinstance(value, Blank)


def as_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        try:
            value = float(np.asarray(value).item())
        except (TypeError, ValueError):
            raise Incorrect(f"`{name}` should be a number, but it is {type(value).__name__}: {value!r}") \
                from None
    value = float(value)
    if math.isnan(value):
        raise Incorrect(f"`{name}` is NaN (not a number): check for a division by zero or a missing value")
    return value


def close(actual: float, expected: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_tol)


def as_series(value, name: str, index=None) -> pd.Series:
    """A Series from a Series, a one-column DataFrame, a dict, a list or an array."""
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise Incorrect(f"`{name}` should be one column of values, but it has columns "
                            f"{list(value.columns)}")
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        return value
    if isinstance(value, dict):
        return pd.Series(value)
    if isinstance(value, list | tuple | np.ndarray):
        array = np.asarray(value)
        if array.ndim != 1:
            raise Incorrect(f"`{name}` should be a flat list of values, but it has shape {array.shape}")
        if index is not None and len(array) != len(index):
            raise Incorrect(f"`{name}` should have {len(index)} values, one per customer; "
                            f"it has {len(array)}")
        return pd.Series(array, index=index)
    raise Incorrect(f"`{name}` should be a list or a pandas Series, but it is {type(value).__name__}")


def compare_series(actual, expected: pd.Series, name: str, rel: float = 1e-6, abs_tol: float = 1e-9) -> None:
    """Raise Incorrect unless `actual` matches `expected` (values by label, or by position if unlabelled)."""
    positional = not isinstance(actual, pd.Series | pd.DataFrame | dict)
    actual = as_series(actual, name, index=expected.index if positional else None)
    if len(actual) != len(expected):
        raise Incorrect(f"`{name}` has {len(actual)} values; expected {len(expected)}, one per customer")
    if not positional:
        missing = expected.index.difference(actual.index)
        if len(missing):
            raise Incorrect(f"`{name}` has no value for {list(missing[:5])}: index it by "
                            f"{expected.index.name or 'id'}")
        actual = actual.loc[expected.index]
    if pd.api.types.is_numeric_dtype(expected):
        try:
            values = actual.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise Incorrect(f"`{name}` should hold numbers") from None
        wrong = ~np.isclose(values, expected.to_numpy(dtype=float), rtol=rel, atol=abs_tol)
    else:
        wrong = actual.astype(str).to_numpy() != expected.astype(str).to_numpy()
    if wrong.any():
        label = expected.index[np.argmax(wrong)]
        raise Incorrect(f"`{name}` is wrong for {np.count_nonzero(wrong)} of {len(expected)}; e.g. for "
                        f"{label}: expected {_fmt(expected.loc[label])}, got {_fmt(actual.loc[label])}")


def compare_frames(actual, expected: pd.DataFrame, name: str, rel: float = 1e-6) -> None:
    """Raise Incorrect unless the DataFrames agree (columns in any order, rows by index)."""
    if not isinstance(actual, pd.DataFrame):
        raise Incorrect(f"`{name}` should be a pandas DataFrame, but it is {type(actual).__name__}")
    missing = [c for c in expected.columns if c not in actual.columns]
    if missing:
        raise Incorrect(f"`{name}` lacks the column(s) {missing}; it has {list(actual.columns)}")
    for column in expected.columns:
        compare_series(actual[column], expected[column], f"{name}['{column}']", rel=rel)


def _fmt(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:,.6g}"
    return repr(value)


# --------------------------------------------------------------------------------------------------
# Display


_COLOURS = {"correct": "#1a7f37", "not attempted": "#7a7a7a", "incorrect": "#c62828", "hint": "#1f5fa8",
            "solution": "#5d3fd3"}


def _show(kind: str, title: str, body: str = "") -> None:
    text = f'<div style="color:{_COLOURS[kind]}"><b>{html.escape(title)}</b>'
    if body:
        text += f" {html.escape(body)}"
    text += "</div>"
    try:
        from IPython.display import HTML, display
        display(HTML(text))
    except ImportError:  # plain Python: print instead
        print(f"{title} {body}".strip())


def _show_solution(markdown: str, code: str) -> None:
    try:
        from IPython.display import Markdown, display
        text = markdown.strip()
        if code.strip():
            text += "\n\n```python\n" + code.strip() + "\n```"
        display(Markdown(text))
    except ImportError:
        print(markdown, code, sep="\n\n")


# --------------------------------------------------------------------------------------------------
# Questions


class Question:
    """One question. Subclasses implement `evaluate(answers)`, raising Incorrect or NotAttempted."""

    #: what the student reads (markdown) and the answer cell they get, with ____ for the blanks
    statement: str = ""
    template: str = ""
    #: names of the notebook variables that hold the answer, in order
    variables: Sequence[str] = ()
    #: graded hints, shown one at a time
    hints: Sequence[str] = ()
    #: the worked solution, in markdown, and code that produces the answer
    solution_text: str = ""
    solution_code: str = ""
    #: (code producing a typical wrong answer, part of the message it must get) - used by the tests
    wrong_examples: Sequence[tuple[str, str]] = ()
    #: code run before any answer code (imports and data the notebook's set-up cell provides)
    setup_code: str = ""

    def __init__(self, label: str):
        self.label = label
        self._hints_shown = 0

    # what the student calls ------------------------------------------------------------------
    def check(self, namespace: dict | None = None) -> None:
        outcome = self.outcome(namespace)
        if outcome.status == "correct":
            _show("correct", f"Correct: {self.label}.", outcome.message)
        elif outcome.status == "not attempted":
            _show("not attempted", f"{self.label}: not yet attempted.", outcome.message)
        else:
            _show("incorrect", f"Not yet: {self.label}.", outcome.message)

    def hint(self) -> None:
        if not self.hints:
            _show("hint", "No hint for this one: try the solution.")
            return
        number = min(self._hints_shown, len(self.hints) - 1)
        self._hints_shown += 1
        more = f" (hint {number + 1} of {len(self.hints)})" if len(self.hints) > 1 else ""
        _show("hint", f"Hint{more}:", self.hints[number])

    def solution(self) -> None:
        _show_solution(f"**Solution to {self.label}.** {self.solution_text}", self.solution_code)

    # machinery --------------------------------------------------------------------------------
    def outcome(self, namespace: dict | None = None) -> Outcome:
        """Evaluate the answer without displaying anything (used by `check` and the tests)."""
        namespace = vars(sys.modules["__main__"]) if namespace is None else namespace
        answers = {}
        for name in self.variables:
            if name not in namespace:
                return Outcome("not attempted", f"Fill in `{name}` in the cell above, run it, then check.")
            answers[name] = namespace[name]
        if any(is_blank(value) for value in answers.values()):
            blank = next(name for name, value in answers.items() if is_blank(value))
            return Outcome("not attempted", f"Replace the ____ in `{blank}` with your answer.")
        try:
            message = self.evaluate(answers) or ""
        except NotAttempted as reason:
            return Outcome("not attempted", str(reason))
        except Incorrect as reason:
            return Outcome("incorrect", str(reason))
        except Exception as error:  # a bug in the student's code: say what, without a traceback
            return Outcome("incorrect", _describe_error(error))
        return Outcome("correct", message)

    def evaluate(self, answers: dict) -> str | None:
        raise NotImplementedError


def _describe_error(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    student = [f for f in frames if f.filename.startswith("<") or "ipykernel" in f.filename]
    where = f" (line {student[-1].lineno} of your code)" if student else ""
    return f"your code raised {type(error).__name__}: {error}{where}"


class NumberQuestion(Question):
    """A number, compared with a tolerance. `expected()` computes the answer; `mistakes` maps typical
    wrong values (computed by functions) to messages."""

    tolerance: float = 1e-4  # relative
    absolute_tolerance: float = 1e-9

    def expected(self) -> float:
        raise NotImplementedError

    def mistakes(self) -> list[tuple[float, str]]:
        return []

    def evaluate(self, answers):
        name = self.variables[0]
        value = as_number(answers[name], name)
        expected = self.expected()
        if close(value, expected, self.tolerance, self.absolute_tolerance):
            return None
        for wrong, message in self.mistakes():
            if close(value, wrong, self.tolerance, self.absolute_tolerance):
                raise Incorrect(message)
        raise Incorrect(f"`{name}` = {_fmt(value)} is not right. Check each step; `q.hint()` helps.")


class ChoiceQuestion(Question):
    """Multiple choice: the answer is one of `options` (keys); each wrong option has its own feedback."""

    options: dict[str, str] = {}
    correct: str = ""
    feedback: dict[str, str] = {}

    def evaluate(self, answers):
        name = self.variables[0]
        answer = answers[name]
        key = str(answer).strip().lower() if isinstance(answer, str) else answer
        if key not in self.options:
            choices = ", ".join(repr(k) for k in self.options)
            raise Incorrect(f"`{name}` should be one of {choices}; got {answer!r}")
        if key != self.correct:
            raise Incorrect(self.feedback.get(key, f"{key!r} is not the best answer. Reread the options."))
        return self.feedback.get(self.correct)


class SeriesQuestion(Question):
    """One value per customer (or per item): a Series, a list or an array. `expected()` is a Series."""

    tolerance: float = 1e-6

    def expected(self) -> pd.Series:
        raise NotImplementedError

    def mistakes(self) -> list[tuple[pd.Series, str]]:
        return []

    def evaluate(self, answers):
        name = self.variables[0]
        expected = self.expected()
        try:
            compare_series(answers[name], expected, name, rel=self.tolerance)
        except Incorrect:
            for wrong, message in self.mistakes():
                try:
                    compare_series(answers[name], wrong, name, rel=self.tolerance)
                except Incorrect:
                    continue
                raise Incorrect(message) from None
            raise


class FrameQuestion(Question):
    """A DataFrame; columns may come in any order, extra columns are allowed."""

    tolerance: float = 1e-6

    def expected(self) -> pd.DataFrame:
        raise NotImplementedError

    def evaluate(self, answers):
        compare_frames(answers[self.variables[0]], self.expected(), self.variables[0], rel=self.tolerance)


class FunctionQuestion(Question):
    """A function the student writes, checked on hidden test cases against a reference function.

    `cases()` returns argument tuples; `reference(*args)` gives the right result. Results may be numbers,
    Series/lists or DataFrames and are compared as such.
    """

    tolerance: float = 1e-6

    def reference(self, *args):
        raise NotImplementedError

    def cases(self) -> list[tuple]:
        raise NotImplementedError

    def mistakes(self) -> list[tuple[Callable, str]]:
        """(a typical wrong function, the message for it)."""
        return []

    def evaluate(self, answers):
        name = self.variables[0]
        function = answers[name]
        if not callable(function):
            raise Incorrect(f"`{name}` should be a function (def {name}(...): ...)")
        for args in self.cases():
            result = function(*_copies(args))
            if is_blank(result):
                raise NotAttempted(f"`{name}` still returns ____: write its body.")
            try:
                _compare_any(result, self.reference(*_copies(args)), f"{name}(...)", self.tolerance)
            except Incorrect as wrong:
                for typical, message in self.mistakes():
                    try:
                        _compare_any(result, typical(*_copies(args)), f"{name}(...)", self.tolerance)
                    except Incorrect:
                        continue
                    raise Incorrect(message) from None
                raise Incorrect(f"on a test case ({_describe_args(args)}): {wrong}") from None
        return f"it passed {len(self.cases())} test cases."


def _copies(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, pd.DataFrame | pd.Series | np.ndarray) else a for a in args)


def _describe_args(args: tuple) -> str:
    parts = []
    for a in args:
        if isinstance(a, pd.DataFrame):
            parts.append(f"a log of {len(a)} rows")
        else:
            parts.append(repr(a))
    return ", ".join(parts)


def _compare_any(actual, expected, name: str, tolerance: float) -> None:
    if isinstance(expected, pd.DataFrame):
        compare_frames(actual, expected, name, rel=tolerance)
    elif isinstance(expected, pd.Series):
        compare_series(actual, expected, name, rel=tolerance)
    else:
        value = as_number(actual, name)
        if not close(value, float(expected), tolerance):
            raise Incorrect(f"`{name}` returned {_fmt(value)}, expected {_fmt(float(expected))}")


# --------------------------------------------------------------------------------------------------
# Questions whose answers are labels: matching, ordering, and functions that return a label


def _label_text(value) -> str | None:
    """A label as plain lower-case text; None for 'no label' (None, NaN, pd.NA, empty string)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text.lower() if text else None


class MatchingQuestion(Question):
    """Give each item (a key) one of a few labels; the answer is a dict or a Series keyed by item, or a
    list in item order. Wrong items are named without revealing their label; `item_feedback` maps
    (item, wrong label) to a specific message."""

    #: item key -> correct label (canonical, lower case)
    answers: dict[str, str] = {}
    #: accepted spellings (lower case) -> canonical label
    synonyms: dict[str, str] = {}
    #: (item, canonical wrong label) -> message
    item_feedback: dict[tuple[str, str], str] = {}
    #: said when some items are wrong and no specific feedback applies
    retry: str = "Reread the statements and the chapter's table."

    def canonical(self, value) -> str | None:
        text = _label_text(value)
        if text is None:
            return None
        return self.synonyms.get(text, text)

    def evaluate(self, answers):
        name = self.variables[0]
        value = answers[name]
        keys = list(self.answers)
        if isinstance(value, pd.Series):
            value = value.to_dict()
        elif isinstance(value, list | tuple | np.ndarray):
            if len(value) != len(keys):
                raise Incorrect(f"`{name}` should have {len(keys)} labels, one per item ({', '.join(keys)})")
            value = dict(zip(keys, value, strict=True))
        if not isinstance(value, dict):
            raise Incorrect(f"`{name}` should be a dict {{item: label}}, but it is {type(value).__name__}")
        value = {str(k).strip().upper() if len(str(k).strip()) == 1 else str(k).strip(): v
                 for k, v in value.items()}
        missing = [k for k in keys if k not in value]
        if missing:
            raise Incorrect(f"`{name}` has no label for {missing}: give one for each of {keys}")
        blank = [k for k in keys if is_blank(value[k])]
        if blank:
            raise NotAttempted(f"Replace the ____ for {', '.join(blank)} in `{name}`.")
        allowed = sorted(set(self.answers.values()))
        given = {k: self.canonical(value[k]) for k in keys}
        unknown = [k for k in keys if given[k] not in allowed]
        if unknown:
            k = unknown[0]
            raise Incorrect(f"the label for {k} is {value[k]!r}; use one of {', '.join(map(repr, allowed))}")
        wrong = [k for k in keys if given[k] != self.answers[k]]
        if wrong:
            specific = [self.item_feedback[(k, given[k])] for k in wrong
                        if (k, given[k]) in self.item_feedback]
            detail = specific[0] if specific else self.retry
            verb = "are" if len(wrong) > 1 else "is"
            raise Incorrect(f"{len(wrong)} of {len(keys)} labels {verb} not right ({', '.join(wrong)}). "
                            f"{detail}")
        return None


class OrderQuestion(Question):
    """Put the items (letters) in order; `mistakes` maps typical wrong orders to messages."""

    correct_order: Sequence[str] = ()
    mistakes: dict[tuple[str, ...], str] = {}

    def evaluate(self, answers):
        name = self.variables[0]
        value = answers[name]
        if isinstance(value, str):
            separated = " " in value or "," in value
            value = value.replace(",", " ").split() if separated else list(value)
        if not isinstance(value, list | tuple | np.ndarray | pd.Series):
            raise Incorrect(f"`{name}` should be a list of letters, e.g. ['a', 'b', ...]")
        value = list(value)
        if any(is_blank(v) for v in value):
            raise NotAttempted(f"Replace every ____ in `{name}` with a letter.")
        order = tuple(str(v).strip().lower() for v in value)
        if sorted(order) != sorted(self.correct_order):
            raise Incorrect(f"`{name}` should hold each of {', '.join(sorted(self.correct_order))} exactly "
                            f"once; got {list(order)}")
        if order == tuple(self.correct_order):
            return None
        if order in self.mistakes:
            raise Incorrect(self.mistakes[order])
        right = sum(a == b for a, b in zip(order, self.correct_order, strict=True))
        raise Incorrect(f"{right} of {len(order)} are in the right place. Reread the chapter's sequence.")


class LabelFunctionQuestion(FunctionQuestion):
    """A function returning a label (text, or None for 'no label'), checked on hidden cases.

    A typical mistake (`mistakes()`: functions) is recognised when the student's function agrees with it
    on every case; otherwise the first failing case is shown, without its right label."""

    def normalise(self, label) -> str | None:
        return _label_text(label)

    def describe(self, args: tuple) -> str:
        return ", ".join(repr(a) for a in args)

    def evaluate(self, answers):
        name = self.variables[0]
        function = answers[name]
        if not callable(function):
            raise Incorrect(f"`{name}` should be a function (def {name}(...): ...)")
        cases = self.cases()
        given = []
        for args in cases:
            result = function(*_copies(args))
            if is_blank(result):
                raise NotAttempted(f"`{name}` still returns ____: write its body.")
            given.append(self.normalise(result))
        expected = [self.normalise(self.reference(*args)) for args in cases]
        if given == expected:
            return f"it passed {len(cases)} test cases."
        for typical, message in self.mistakes():
            if given == [self.normalise(typical(*args)) for args in cases]:
                raise Incorrect(message)
        first = next(i for i, (g, e) in enumerate(zip(given, expected, strict=True)) if g != e)
        wrong = sum(g != e for g, e in zip(given, expected, strict=True))
        raise Incorrect(f"wrong on {wrong} of {len(cases)} test cases; e.g. for "
                        f"({self.describe(cases[first])}) it returned {given[first]!r}, which is not right.")
