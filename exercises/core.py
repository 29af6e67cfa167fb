"""Questions with instant feedback, in the style of Kaggle's learntools.

A student fills in variables (or writes a function) in an exercise notebook, then calls::

    q1.check()      # correct / not yet attempted / incorrect, with what is wrong
    q1.hint()       # the next hint (call again for more)
    q1.solution()   # the worked solution

Feedback is displayed, never raised: a notebook with blank answers runs top to bottom. It is rich (coloured
HTML, markdown) in Jupyter and plain text in a Python session without IPython's display machinery. A question
reads the student's answers from the notebook's namespace (``__main__``), by the names it declares.

The student's own code (a function they wrote) runs under a time limit and is kept apart from the checking
code: an error, ``sys.exit()`` or an endless loop in the student's code is a one-line verdict on the answer;
an error in the checking code is reported as a bug in the exercise, never as the student's.

Writing a question (see exercises/README.md): subclass one of the kinds below and declare
``variables``, ``hints``, ``solution`` (markdown shown to the student) and ``solution_code`` (code that
produces the answer; the answer key and the tests run it), plus the expected answer. Typical mistakes
get their own messages through ``mistakes``.
"""

from __future__ import annotations

import ctypes
import html
import math
import reprlib
import signal
import sys
import threading
import time
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


class StudentCodeFailed(Exception):
    """The student's own code failed (raised, called sys.exit, ran out of time); the message says how."""


@dataclass
class Outcome:
    status: str  # "correct", "not attempted", "incorrect", "checker error"
    message: str = ""


#: the longest message a check shows: a huge answer must not become a huge message
MESSAGE_LIMIT = 400


# --------------------------------------------------------------------------------------------------
# Showing a student's value: short, whatever it is


_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlong = 40
_short.maxlist = _short.maxtuple = _short.maxdict = _short.maxset = 6


def shown(value) -> str:
    """A short repr of an answer (long ones cut with '...'), safe for any object."""
    try:
        text = _short.repr(value)
    except Exception:  # a repr that fails (e.g. an int too long to print) must not fail the check
        return f"a {type(value).__name__}"
    return " ".join(text.split())  # one line


def _shorten(message: str, limit: int = MESSAGE_LIMIT) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------
# Comparisons that accept equivalent forms


def is_blank(value) -> bool:
    return value is ____ or isinstance(value, Blank)


def rounding_tolerance(decimals: int | None) -> float:
    """The absolute error of an answer rounded to `decimals` places (half a unit of the last place).

    None means the answer is exact (a count, a computed value): only floating-point noise is allowed."""
    if decimals is None:
        return 1e-9
    return 0.5 * 10.0**-decimals * (1 + 1e-6)  # the slack keeps x.xx5 rounded either way inside


def as_number(value, name: str) -> float:
    """One number from an int, a float, a numpy scalar or a one-element array; Incorrect otherwise."""
    if isinstance(value, str | bytes):
        raise Incorrect(
            f"`{name}` should be a number, not text: write it without quotes (got {shown(value)})"
        )
    if isinstance(value, bool | np.bool_):
        raise Incorrect(f"`{name}` should be a number, not {value}")
    if isinstance(value, list | tuple | dict | set) and len(value) != 1:
        raise Incorrect(
            f"`{name}` should be one number, but it is a {type(value).__name__} of {len(value):,} values"
        )
    if not isinstance(value, int | float | np.integer | np.floating):
        size = getattr(value, "size", 1)
        if isinstance(size, int | np.integer) and size != 1:
            raise Incorrect(
                f"`{name}` should be one number, but it is a {type(value).__name__} of {int(size):,} values"
            )
        try:
            value = np.asarray(value).item()
        except (TypeError, ValueError):
            raise Incorrect(
                f"`{name}` should be a number, but it is {type(value).__name__}: {shown(value)}"
            ) from None
        if isinstance(value, str | bytes | bool):
            return as_number(value, name)
    try:
        number = float(value)
    except OverflowError:
        raise Incorrect(f"`{name}` is far too large to be right") from None
    except (TypeError, ValueError):
        raise Incorrect(
            f"`{name}` should be a number, but it is {type(value).__name__}: {shown(value)}"
        ) from None
    if math.isnan(number):
        raise Incorrect(f"`{name}` is NaN (not a number): check for a division by zero or a missing value")
    return number


def close(actual: float, expected: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_tol)


def as_series(value, name: str, index=None) -> pd.Series:
    """A Series from a Series, a one-column DataFrame, a dict, a list or an array."""
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise Incorrect(
                f"`{name}` should be one column of values, but it has columns {shown(list(value.columns))}"
            )
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        return value
    if isinstance(value, dict):
        return pd.Series(value)
    if isinstance(value, list | tuple | np.ndarray):
        if index is not None and len(value) != len(index):
            raise Incorrect(
                f"`{name}` should have {len(index)} values, one per customer; it has {len(value):,}"
            )
        array = np.asarray(value)
        if array.ndim != 1:
            raise Incorrect(f"`{name}` should be a flat list of values, but it has shape {array.shape}")
        return pd.Series(array, index=index)
    raise Incorrect(f"`{name}` should be a list or a pandas Series, but it is {type(value).__name__}")


def compare_series(actual, expected: pd.Series, name: str, rel: float = 1e-6, abs_tol: float = 1e-9) -> None:
    """Raise Incorrect unless `actual` matches `expected` (values by label, or by position if unlabelled)."""
    positional = not isinstance(actual, pd.Series | pd.DataFrame | dict)
    actual = as_series(actual, name, index=expected.index if positional else None)
    if len(actual) != len(expected):
        raise Incorrect(f"`{name}` has {len(actual):,} values; expected {len(expected)}, one per customer")
    if not positional:
        missing = expected.index.difference(actual.index)
        if len(missing):
            raise Incorrect(
                f"`{name}` has no value for {shown(list(missing[:5]))}: index it by "
                f"{expected.index.name or 'id'}"
            )
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
        raise Incorrect(
            f"`{name}` is wrong for {np.count_nonzero(wrong)} of {len(expected)}; e.g. for "
            f"{shown(label)}: expected {_fmt(expected.loc[label])}, "
            f"got {_fmt(actual.loc[label])}"
        )


def compare_frames(
    actual, expected: pd.DataFrame, name: str, rel: float = 1e-6, abs_tol: float = 1e-9
) -> None:
    """Raise Incorrect unless the DataFrames agree (columns in any order, rows by index)."""
    if not isinstance(actual, pd.DataFrame):
        raise Incorrect(f"`{name}` should be a pandas DataFrame, but it is {type(actual).__name__}")
    missing = [c for c in expected.columns if c not in actual.columns]
    if missing:
        raise Incorrect(f"`{name}` lacks the column(s) {missing}; it has {shown(list(actual.columns))}")
    for column in expected.columns:
        compare_series(actual[column], expected[column], f"{name}['{column}']", rel=rel, abs_tol=abs_tol)


def _fmt(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:,.6g}"
    return shown(value)


# --------------------------------------------------------------------------------------------------
# Display: rich in Jupyter, plain text elsewhere


_COLOURS = {
    "correct": "#1a7f37",
    "not attempted": "#7a7a7a",
    "incorrect": "#c62828",
    "hint": "#1f5fa8",
    "checker error": "#b26a00",
}


class Feedback:
    """A check's verdict or a hint. Jupyter shows the coloured HTML; a plain Python session, which cannot
    render HTML, prints the text (`str`, `repr`), so the student never sees `<...HTML object>`."""

    def __init__(self, kind: str, title: str, body: str = ""):
        self.kind, self.title, self.body = kind, title, body

    def __str__(self) -> str:
        return f"{self.title} {self.body}".strip()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        text = f'<div style="color:{_COLOURS[self.kind]}"><b>{html.escape(self.title)}</b>'
        if self.body:
            text += f" {html.escape(self.body)}"
        return text + "</div>"


class Solution:
    """A worked solution: markdown with its code in Jupyter, the same text printed elsewhere."""

    def __init__(self, markdown: str, code: str):
        self.markdown, self.code = markdown.strip(), code.strip()

    def __str__(self) -> str:
        return f"{self.markdown}\n\n{self.code}" if self.code else self.markdown

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"{self.markdown}\n\n```python\n{self.code}\n```" if self.code else self.markdown


def _display(item) -> None:
    try:
        from IPython.display import display
    except ImportError:  # no IPython at all: plain text
        print(item)
        return
    display(item)  # without a running IPython shell this prints str(item)


# --------------------------------------------------------------------------------------------------
# Running the student's code: a time limit, and its failures told apart from the checker's


class TimeUp(BaseException):
    """Raised inside the student's code when its time is up. A BaseException, so that a student's
    `except Exception:` cannot swallow it."""


def run_with_time_limit(function: Callable, args: tuple, seconds: float):
    """Call `function(*args)`; raise TimeUp if it runs longer than `seconds`.

    Why two mechanisms: a Jupyter kernel (ipykernel) runs cells in the main thread of the process, and on
    Linux and macOS the main thread can be interrupted with a real-time timer (`signal.setitimer`, SIGALRM):
    the handler raises TimeUp at the student's next Python instruction, even inside `while True: pass` or
    `time.sleep`, and leaves no thread behind. Signals reach only the main thread and do not exist on
    Windows, so anywhere else the function runs in a helper thread; if it overruns, TimeUp is injected into
    that thread (`PyThreadState_SetAsyncExc`) so that it stops at its next Python instruction. Neither can
    stop a single long call into C code (e.g. one huge numpy operation) before it returns.
    """
    if (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) is not None
    ):  # None: a handler we could not restore
        return _run_with_alarm(function, args, seconds)
    return _run_in_thread(function, args, seconds)


def _run_with_alarm(function: Callable, args: tuple, seconds: float):
    armed = True

    def time_up(signum, frame):
        if armed:
            raise TimeUp()

    previous_handler = signal.signal(signal.SIGALRM, time_up)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    started = time.monotonic()
    try:
        return function(*args)
    finally:
        try:
            armed = False  # a late alarm must not fire in the checker's own code
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if previous_delay > 0:  # someone else's timer (e.g. a test runner's): give it back
                left = max(previous_delay - (time.monotonic() - started), 1e-3)
                signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _run_in_thread(function: Callable, args: tuple, seconds: float):
    result: dict = {}

    def target():
        try:
            result["value"] = function(*args)
        except TimeUp:
            pass
        except BaseException as error:  # handed back to the caller below, whatever it is
            result["error"] = error

    worker = threading.Thread(target=target, name="student-code", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(TimeUp))
        raise TimeUp()
    if "error" in result:
        raise result["error"]
    return result["value"]


def _student_line(error: BaseException) -> str:
    """' (line N of your code)' for the innermost frame of the student's code in the traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    student = [f for f in frames if _is_student_file(f.filename)]
    return f" (line {student[-1].lineno} of your code)" if student else ""


def _is_student_file(filename: str) -> bool:
    # notebook cells run as "<ipython-input-...>" or ipykernel's /tmp/ipykernel_N/M.py; exec'd code "<string>"
    return filename.startswith("<") or "ipykernel_" in filename


def describe_student_error(error: BaseException) -> str:
    return f"your code raised {type(error).__name__}: {error}{_student_line(error)}"


# --------------------------------------------------------------------------------------------------
# Questions


class Question:
    """One question. Subclasses implement `evaluate(answers)`, raising Incorrect or NotAttempted, and call
    the student's functions through `run_student`."""

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
    #: seconds the student's own code may run in one check, all calls together
    time_limit: float = 5.0

    def __init__(self, label: str):
        self.label = label
        self._hints_shown = 0
        self._deadline = math.inf

    def prompt(self) -> str:
        """The statement as the notebook shows it."""
        return self.statement.strip()

    # what the student calls ------------------------------------------------------------------
    def check(self, namespace: dict | None = None) -> None:
        outcome = self.outcome(namespace)
        if outcome.status == "correct":
            _display(Feedback("correct", f"Correct: {self.label}.", outcome.message))
        elif outcome.status == "not attempted":
            _display(Feedback("not attempted", f"{self.label}: not yet attempted.", outcome.message))
        elif outcome.status == "checker error":
            _display(Feedback("checker error", f"{self.label}: the checker failed.", outcome.message))
        else:
            _display(Feedback("incorrect", f"Not yet: {self.label}.", outcome.message))

    def hint(self) -> None:
        if not self.hints:
            _display(Feedback("hint", "No hint for this one: try the solution."))
            return
        number = min(self._hints_shown, len(self.hints) - 1)
        self._hints_shown += 1
        more = f" (hint {number + 1} of {len(self.hints)})" if len(self.hints) > 1 else ""
        _display(Feedback("hint", f"Hint{more}:", self.hints[number]))

    def solution(self) -> None:
        _display(Solution(f"**Solution to {self.label}.** {self.solution_text}", self.solution_code))

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
        outcome = self._judge(answers)
        return Outcome(outcome.status, _shorten(outcome.message))

    def _judge(self, answers: dict) -> Outcome:
        self._deadline = time.monotonic() + self.time_limit
        try:
            message = self.evaluate(answers) or ""
        except NotAttempted as reason:
            return Outcome("not attempted", str(reason))
        except Incorrect as reason:
            return Outcome("incorrect", str(reason))
        except StudentCodeFailed as failure:
            return Outcome("incorrect", str(failure))
        except SystemExit:  # the checker never exits: only the student's code can have asked for it
            return Outcome("incorrect", "your code called sys.exit(): give your answer instead of exiting")
        except Exception as error:
            if _student_line(error):  # raised in the student's code, e.g. a method of their own object
                return Outcome("incorrect", describe_student_error(error))
            return Outcome(
                "checker error",
                "This is a bug in the exercise, not in your answer: the "
                f"checking code raised {type(error).__name__}: {error}. Please "
                "tell your instructor.",
            )
        finally:
            self._deadline = math.inf
        return Outcome("correct", message)

    def time_left(self) -> float:
        """Seconds the student's code may still run in this check."""
        return min(self._deadline - time.monotonic(), self.time_limit)

    def run_student(self, function: Callable, *args, name: str = "your function"):
        """Call the student's `function(*args)` within what is left of the check's time limit.

        Whatever goes wrong inside it becomes StudentCodeFailed with a one-line verdict."""
        left = self.time_left()
        try:
            if left <= 0:
                raise TimeUp()
            return run_with_time_limit(function, args, left)
        except TimeUp:
            raise StudentCodeFailed(
                f"{name} did not finish within {self.time_limit:g} s (an endless loop?); the check stopped it"
            ) from None
        except SystemExit:
            raise StudentCodeFailed(f"{name} called sys.exit(): return a result instead of exiting") from None
        except Exception as error:
            raise StudentCodeFailed(describe_student_error(error)) from None

    def evaluate(self, answers: dict) -> str | None:
        raise NotImplementedError


class RoundedAnswer:
    """Mixin for questions with numeric answers: `decimals` is how far the question lets the student round
    (None: exact, e.g. a count). The tolerance follows from it, and the notebook states it, so an answer
    rounded the way the question's own text rounds always passes."""

    #: an answer rounded to this many decimals passes (None: the exact value, within float noise)
    decimals: int | None = None
    #: relative tolerance, for answers computed another valid way (e.g. from a constant the text rounds)
    tolerance: float = 1e-6

    @property
    def absolute_tolerance(self) -> float:
        return rounding_tolerance(self.decimals)

    def precision_note(self) -> str:
        if self.decimals is None:
            return ""
        places = "the nearest whole number" if self.decimals == 0 else f"{self.decimals} decimals"
        return f"(Rounded to {places} is precise enough.)"

    def prompt(self) -> str:
        note = self.precision_note()
        return f"{self.statement.strip()} {note}".strip() if note else self.statement.strip()


class NumberQuestion(RoundedAnswer, Question):
    """A number, compared with a tolerance. `expected()` computes the answer; `mistakes` maps typical
    wrong values (computed by functions) to messages."""

    tolerance: float = 1e-6

    def expected(self) -> float:
        raise NotImplementedError

    def mistakes(self) -> list[tuple[float, str]]:
        return []

    def matches(self, value: float, target: float) -> bool:
        return close(value, target, self.tolerance, self.absolute_tolerance)

    def evaluate(self, answers):
        name = self.variables[0]
        value = as_number(answers[name], name)
        if self.matches(value, self.expected()):
            return None
        for wrong, message in self.mistakes():
            if self.matches(value, wrong):
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
        letters = ", ".join(repr(k) for k in self.options)
        example = repr(next(iter(self.options), "a"))
        if not isinstance(answer, str):
            kind = f"a {type(answer).__name__} " if answer is not None else ""
            raise Incorrect(
                f"`{name}` should be one letter ({letters}) as a string, like "
                f"{name} = {example}; got {kind}{shown(answer)}"
            )
        key = answer.strip().lower()
        if key not in self.options:
            raise Incorrect(
                f"`{name}` should be one of {letters} (one letter, as a string, like "
                f"{name} = {example}); got {shown(answer)}"
            )
        if key != self.correct:
            raise Incorrect(self.feedback.get(key, f"{key!r} is not the best answer. Reread the options."))
        return self.feedback.get(self.correct)


class SeriesQuestion(RoundedAnswer, Question):
    """One value per customer (or per item): a Series, a list or an array. `expected()` is a Series."""

    def expected(self) -> pd.Series:
        raise NotImplementedError

    def mistakes(self) -> list[tuple[pd.Series, str]]:
        return []

    def compare(self, value, target: pd.Series, name: str) -> None:
        compare_series(value, target, name, rel=self.tolerance, abs_tol=self.absolute_tolerance)

    def evaluate(self, answers):
        name = self.variables[0]
        expected = self.expected()
        try:
            self.compare(answers[name], expected, name)
        except Incorrect:
            for wrong, message in self.mistakes():
                try:
                    self.compare(answers[name], wrong, name)
                except Incorrect:
                    continue
                raise Incorrect(message) from None
            raise


class FrameQuestion(RoundedAnswer, Question):
    """A DataFrame; columns may come in any order, extra columns are allowed."""

    def expected(self) -> pd.DataFrame:
        raise NotImplementedError

    def compare(self, value, target: pd.DataFrame, name: str) -> None:
        compare_frames(value, target, name, rel=self.tolerance, abs_tol=self.absolute_tolerance)

    def evaluate(self, answers):
        self.compare(answers[self.variables[0]], self.expected(), self.variables[0])


class FunctionQuestion(RoundedAnswer, Question):
    """A function the student writes, checked on hidden test cases against a reference function.

    `cases()` returns argument tuples; `reference(*args)` gives the right result. Results may be numbers,
    Series/lists or DataFrames and are compared as such (`judge` can be overridden).
    """

    def reference(self, *args):
        raise NotImplementedError

    def cases(self) -> list[tuple]:
        raise NotImplementedError

    def mistakes(self) -> list[tuple[Callable, str]]:
        """(a typical wrong function, the message for it)."""
        return []

    def prompt(self) -> str:  # a function is not rounded by hand: no precision note
        return self.statement.strip()

    def judge(self, result, args: tuple, name: str) -> None:
        """Raise Incorrect unless `result` is right for `args`."""
        _compare_any(
            result, self.reference(*_copies(args)), f"{name}(...)", self.tolerance, self.absolute_tolerance
        )

    def evaluate(self, answers):
        name = self.variables[0]
        function = answers[name]
        if not callable(function):
            raise Incorrect(f"`{name}` should be a function (def {name}(...): ...)")
        cases = self.cases()
        for args in cases:
            result = self.run_student(function, *_copies(args), name=f"`{name}`")
            if is_blank(result):
                raise NotAttempted(f"`{name}` still returns ____: write its body.")
            try:
                self.judge(result, args, name)
            except Incorrect as wrong:
                for typical, message in self.mistakes():
                    try:
                        _compare_any(
                            result,
                            typical(*_copies(args)),
                            f"{name}(...)",
                            self.tolerance,
                            self.absolute_tolerance,
                        )
                    except Incorrect:
                        continue
                    raise Incorrect(message) from None
                raise Incorrect(f"on a test case ({_describe_args(args)}): {wrong}") from None
        return f"it passed {len(cases)} test cases."


def _copies(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, pd.DataFrame | pd.Series | np.ndarray) else a for a in args)


def _describe_args(args: tuple) -> str:
    parts = []
    for a in args:
        if isinstance(a, pd.DataFrame):
            parts.append(f"a log of {len(a)} rows")
        elif isinstance(a, pd.Series):
            parts.append(f"a Series of {len(a)} values")
        else:
            parts.append(shown(a))
    return ", ".join(parts)


def _compare_any(actual, expected, name: str, tolerance: float, abs_tol: float = 1e-9) -> None:
    if isinstance(expected, pd.DataFrame):
        compare_frames(actual, expected, name, rel=tolerance, abs_tol=abs_tol)
    elif isinstance(expected, pd.Series):
        compare_series(actual, expected, name, rel=tolerance, abs_tol=abs_tol)
    else:
        value = as_number(actual, name)
        if not close(value, float(expected), tolerance, abs_tol):
            raise Incorrect(f"`{name}` returned {_fmt(value)}, expected {_fmt(float(expected))}")


# --------------------------------------------------------------------------------------------------
# Questions whose answers are labels: matching, ordering, and functions that return a label


def _label_text(value) -> str | None:
    """A label as plain lower-case text; None for 'no label' (None, NaN, pd.NA, empty string)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        text = str(value).strip()
    except ValueError:  # e.g. an int too long to print: not a label at all
        return f"<a {type(value).__name__}>"
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
        value = {
            str(k).strip().upper() if len(str(k).strip()) == 1 else str(k).strip(): v
            for k, v in value.items()
        }
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
            raise Incorrect(
                f"the label for {k} is {shown(value[k])}; use one of {', '.join(map(repr, allowed))}"
            )
        wrong = [k for k in keys if given[k] != self.answers[k]]
        if wrong:
            specific = [
                self.item_feedback[(k, given[k])] for k in wrong if (k, given[k]) in self.item_feedback
            ]
            detail = specific[0] if specific else self.retry
            verb = "are" if len(wrong) > 1 else "is"
            raise Incorrect(
                f"{len(wrong)} of {len(keys)} labels {verb} not right ({', '.join(wrong)}). {detail}"
            )
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
        if len(value) != len(self.correct_order):
            raise Incorrect(
                f"`{name}` should hold the {len(self.correct_order)} letters "
                f"{', '.join(sorted(self.correct_order))}; it has {len(value):,} items"
            )
        if any(is_blank(v) for v in value):
            raise NotAttempted(f"Replace every ____ in `{name}` with a letter.")
        order = tuple(str(v).strip().lower() for v in value)
        if sorted(order) != sorted(self.correct_order):
            raise Incorrect(
                f"`{name}` should hold each of {', '.join(sorted(self.correct_order))} exactly "
                f"once; got {shown(list(order))}"
            )
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
        return ", ".join(shown(a) for a in args)

    def evaluate(self, answers):
        name = self.variables[0]
        function = answers[name]
        if not callable(function):
            raise Incorrect(f"`{name}` should be a function (def {name}(...): ...)")
        cases = self.cases()
        given = []
        for args in cases:
            result = self.run_student(function, *_copies(args), name=f"`{name}`")
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
        raise Incorrect(
            f"wrong on {wrong} of {len(cases)} test cases; e.g. for "
            f"({self.describe(cases[first])}) it returned {shown(given[first])}, which is not "
            "right."
        )
