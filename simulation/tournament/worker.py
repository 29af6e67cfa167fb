"""What runs in the tournament's worker processes.

Two kinds of worker, each a fresh process started for one entry:

- :func:`play_entry` runs an entry's simulations. It is the only process that ever holds the entry's
  code: it confines itself (:func:`confine`), executes the entry's source (kept in memory by the parent,
  so a change to the file on disk during the tournament changes nothing), finds the strategy function,
  and runs the R markets, stopping the strategy when one week's planning exceeds its limit. It reports
  each run's summary and the actions the firm funded, week by week.
- :func:`replay_entry` never sees student code. It replays the funded actions in the same markets (same
  seeds) and computes the results the leaderboard uses, checking every week's actions against the firm's
  budget and prices. The market's draws do not depend on the strategy (the model keeps separate random
  streams), so an honest entry's replay gives exactly its own results; an entry that changed the
  simulation in its own process, or reported something it did not do, is caught here.

Messages go through :mod:`simulation.tournament.wire` (JSON and numeric arrays, never pickle).
"""

from __future__ import annotations

import os
import re
import resource
import signal
import sys
import time
import traceback
import types
from dataclasses import dataclass, field

import numpy as np

from simulation.experiment import run_simulation
from simulation.firm import StrategyError
from simulation.parameters import Parameters
from simulation.stages import Action
from simulation.strategies import FunctionStrategy, get_strategy
from simulation.tournament import wire

#: the module name an entry's code runs under (each worker holds one entry)
ENTRY_MODULE = "tournament_entry"
ACTION_CODES = {action.label: int(action) for action in Action}


@dataclass(frozen=True)
class Entry:
    """One competitor: a student's file (its source read once by the parent) or a built-in strategy."""

    name: str
    path: str | None = None  # the file, for messages and tracebacks; None for a built-in
    source: str | None = None
    builtin: str | None = None

    @property
    def label(self) -> str:
        """How a reason names the entry: the file name, or the built-in's name."""
        return os.path.basename(self.path) if self.path else f"built-in strategy {self.builtin!r}"


@dataclass(frozen=True)
class Limits:
    """Time and memory limits for one entry's worker process."""

    import_seconds: float = 10.0  # executing the file (its imports and top-level code)
    week_seconds: float = 1.0  # one call of the strategy (one week's planning)
    run_seconds: float = 120.0  # one whole simulation (enforced by the parent, which kills the worker)
    memory_mb: int = 2048  # address space the worker may add to what it starts with

    def __post_init__(self):
        for name in ("import_seconds", "week_seconds", "run_seconds"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 < value <= 86_400):
                raise ValueError(f"{name} must be a number of seconds in (0, 86400], got {value!r}")
        if not (isinstance(self.memory_mb, int) and self.memory_mb >= 64):
            raise ValueError(f"memory_mb must be an integer of at least 64, got {self.memory_mb!r}")


@dataclass
class Failure(Exception):
    """Why an entry is disqualified: a problem, and where (line of its file, week, replication)."""

    problem: str
    line: int | None = None
    line_note: str = ""
    week: int | None = None
    at_import: bool = False
    replication: int | None = None
    extra: dict = field(default_factory=dict)

    def as_header(self) -> dict:
        return {
            "kind": "failed",
            "problem": self.problem,
            "line": self.line,
            "line_note": self.line_note,
            "week": self.week,
            "at_import": self.at_import,
            "replication": self.replication,
        }


class _TimeLimit(BaseException):
    """Raised by the alarm in the entry's own code. A BaseException, so `except Exception` in the entry
    does not swallow it (the firm passes it on too: it wraps only ordinary exceptions)."""


def _alarm(signum, frame):
    raise _TimeLimit()


# --------------------------------------------------------------------------------------------------
# Confinement of a worker that runs student code


def confine(limits: Limits, workdir: str) -> None:
    """Limit what the entry's process can do. Not a security sandbox (see README: 'Isolation').

    - its own process group, so the parent can stop it and anything it started in one go;
    - its working directory is an empty temporary folder;
    - it cannot write to files (a file size limit of 0 bytes; writes fail with "File too large");
    - its memory is limited, and it writes no core dumps;
    - its output goes nowhere (30 entries printing would drown the progress bar).
    """
    os.setsid()
    os.chdir(workdir)
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * resource.getpagesize()
    memory = current + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


# --------------------------------------------------------------------------------------------------
# Loading an entry


def _entry_line(error: BaseException, path: str | None) -> int | None:
    """The line of the entry's file nearest to where `error` was raised (None if not in its file)."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == path]
    if lines:
        return lines[-1]
    cause = error.__cause__ or error.__context__
    return _entry_line(cause, path) if cause is not None and cause is not error else None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_strategy(entry: Entry, limits: Limits):
    """The entry's strategy function and what the report shows about it; Failure if unusable."""
    if entry.builtin is not None:
        strategy = get_strategy(entry.builtin)
        return strategy, {"function": entry.builtin, "line": None, "doc": strategy.description}
    try:
        code = compile(entry.source, entry.path, "exec")
    except SyntaxError as error:
        raise Failure(
            f"cannot be read: SyntaxError: {error.msg}", line=error.lineno, at_import=True
        ) from None
    except ValueError as error:  # e.g. a null byte in the source
        raise Failure(f"cannot be read: {error}", at_import=True) from None
    module = types.ModuleType(ENTRY_MODULE)
    module.__file__ = entry.path
    sys.modules[ENTRY_MODULE] = module  # so that dataclasses and the like defined in the entry work
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limits.import_seconds)
    try:
        exec(code, module.__dict__)
    except _TimeLimit as error:
        raise Failure(
            f"importing took longer than the limit of {limits.import_seconds:g} s",
            line=_entry_line(error, entry.path),
            line_note="where it was stopped",
            at_import=True,
        ) from None
    except SystemExit as error:
        raise Failure(
            f"called sys.exit({error.code!r}) while being imported",
            line=_entry_line(error, entry.path),
            at_import=True,
        ) from None
    except BaseException as error:  # student code: anything it raises disqualifies it, named
        raise Failure(
            f"raised {type(error).__name__} while being imported: {_one_line(error)}",
            line=_entry_line(error, entry.path),
            at_import=True,
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    function = _strategy_function(module, entry)
    doc = (function.__doc__ or module.__doc__ or "").strip()
    return function, {"function": function.__name__, "line": function.__code__.co_firstlineno, "doc": doc}


def _strategy_function(module, entry: Entry):
    """`strategy` if the file defines it, else its only public function of two parameters."""
    named = module.__dict__.get("strategy")
    if named is not None:
        if not isinstance(named, types.FunctionType):
            raise Failure(
                f"`strategy` is a {type(named).__name__}, not a function f(view, plan)", at_import=True
            )
        return _check_signature(named)
    candidates = [
        value
        for key, value in module.__dict__.items()
        if isinstance(value, types.FunctionType)
        and not key.startswith("_")
        and value.__module__ == ENTRY_MODULE
        and value.__code__.co_filename == entry.path
        and _positional_count(value) == 2
    ]
    if not candidates:
        raise Failure(
            "defines no strategy function f(view, plan) (a function of two parameters)", at_import=True
        )
    if len(candidates) > 1:
        names = ", ".join(c.__name__ for c in candidates)
        raise Failure(
            f"defines several functions f(view, plan) ({names}); name the one that competes `strategy`",
            line=candidates[1].__code__.co_firstlineno,
            at_import=True,
        )
    return candidates[0]


def _positional_count(function) -> int:
    code = function.__code__
    return code.co_argcount - len(function.__defaults__ or ())


def _check_signature(function):
    if _positional_count(function) != 2:
        raise Failure(
            f"`{function.__name__}` takes {_positional_count(function)} required parameters; a "
            "strategy is f(view, plan)",
            line=function.__code__.co_firstlineno,
            at_import=True,
        )
    return function


# --------------------------------------------------------------------------------------------------
# Playing the entry's markets


class _WeekClock:
    """Wraps the strategy so that one week's planning cannot run longer than the limit."""

    def __init__(self, function, seconds: float):
        self.function, self.seconds, self.week = function, seconds, None

    def __call__(self, view, plan):
        self.week = view.week
        # Set again every week: the entry may have replaced the handler or stopped the timer.
        signal.signal(signal.SIGALRM, _alarm)
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            returned = self.function(view, plan)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if time.perf_counter() - started > self.seconds * 1.05 + 0.01:  # it caught the alarm itself
            raise _TimeLimit()
        return returned


_STRATEGY_PREFIX = re.compile(r"^strategy '.*?', week \d+: ", flags=re.DOTALL)


def _run_failure(
    error: BaseException, entry: Entry, info: dict, clock: _WeekClock, limits: Limits, replication: int
) -> Failure:
    week = clock.week
    if isinstance(error, _TimeLimit):
        return Failure(
            f"one week's planning took longer than the limit of {limits.week_seconds:g} s",
            line=_entry_line(error, entry.path),
            line_note="where it was stopped",
            week=week,
            replication=replication,
        )
    if isinstance(error, MemoryError):
        return Failure(
            f"ran out of memory (the limit is {limits.memory_mb:,} MB)",
            week=week,
            line=_entry_line(error, entry.path),
            replication=replication,
        )
    if isinstance(error, StrategyError):
        problem = _STRATEGY_PREFIX.sub("", str(error))
        cause = error.__cause__
        if cause is not None:  # the strategy raised; the firm reported it
            line = _entry_line(cause, entry.path)
            return Failure(f"raised {_one_line(problem)}", line=line, week=week, replication=replication)
        return Failure(
            f"broke the rules: {_one_line(problem)}",
            line=info["line"],
            line_note=f"def {info['function']}" if info["line"] else "",
            week=week,
            replication=replication,
        )
    if isinstance(error, SystemExit):
        return Failure(
            f"called sys.exit({error.code!r})",
            line=_entry_line(error, entry.path),
            week=week,
            replication=replication,
        )
    return Failure(
        f"the simulation failed: {type(error).__name__}: {_one_line(error)}",
        line=_entry_line(error, entry.path),
        week=week,
        replication=replication,
    )


def _action_arrays(result) -> dict[str, np.ndarray]:
    actions = result.actions
    codes = actions["action"].astype(str).map(ACTION_CODES).to_numpy(dtype=np.int8)
    return {
        "week": actions["week"].to_numpy(dtype=np.int32),
        "person": actions["customer_id"].to_numpy(dtype=np.int64),
        "action": codes,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _quiet_progress_lock() -> None:
    """tqdm's default lock is a multiprocessing semaphore, which a worker ending with os._exit never
    releases (Python then warns of "leaked semaphore objects" at exit); a thread lock does here."""
    import threading

    from tqdm import auto, std

    for bar in {std.tqdm, auto.tqdm}:
        bar.set_lock(threading.RLock())


def _send(connection, header: dict, arrays=None) -> None:
    connection.send_bytes(wire.encode(header, arrays))


def play_entry(
    connection, entry: Entry, seeds: list[int], parameters: dict, limits: Limits, workdir: str
) -> None:
    """Worker process: load the entry and run it in every market; report each run (see module doc)."""
    _quiet_progress_lock()
    try:
        if entry.builtin is None:
            confine(limits, workdir)
        _send(connection, {"kind": "started"})
        try:
            function, info = load_strategy(entry, limits)
        except Failure as failure:
            _send(connection, failure.as_header())
            return
        _send(connection, {"kind": "ready", **info})
        if entry.builtin is not None:
            clock = _WeekClock(function.plan, limits.week_seconds)
            strategy = FunctionStrategy(clock, name=entry.name)
        else:
            clock = _WeekClock(function, limits.week_seconds)
            strategy = FunctionStrategy(clock, name=entry.name)
        for replication, seed in enumerate(seeds):
            clock.week = None
            try:
                result = run_simulation(strategy=strategy, seed=seed, engine="vector", **parameters)
            except BaseException as error:  # the entry's code ran inside: whatever it raised is its failure
                _send(connection, _run_failure(error, entry, info, clock, limits, replication).as_header())
                return
            _send(
                connection,
                {"kind": "run", "replication": replication, "seed": seed, "summary": result.summary()},
                _action_arrays(result),
            )
        _send(connection, {"kind": "done", "cpu": _cpu_seconds()})
    except (BrokenPipeError, EOFError, OSError):
        pass  # the parent stopped listening (it was interrupted, or it stopped this worker)
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------------
# Replaying an entry's actions (trusted: no student code in this process)


class ActionReplay:
    """A strategy that funds exactly the actions of a log, week by week."""

    def __init__(self, weeks: np.ndarray, people: np.ndarray, actions: np.ndarray):
        order = np.lexsort((people, actions, weeks))
        weeks, people, actions = weeks[order], people[order], actions[order]
        self.by_week: dict[int, list[tuple[int, np.ndarray]]] = {}
        if weeks.size:
            keys = np.stack([weeks, actions.astype(np.int64)], axis=1)
            starts = np.flatnonzero(np.r_[True, (np.diff(keys, axis=0) != 0).any(axis=1)])
            ends = np.r_[starts[1:], weeks.size]
            for start, end in zip(starts, ends, strict=True):
                group = (int(actions[start]), people[start:end])
                self.by_week.setdefault(int(weeks[start]), []).append(group)

    def __call__(self, view, plan):
        for action, people in self.by_week.get(view.week, []):
            plan.add(people, Action(action))


def check_budget(weeks: np.ndarray, actions: np.ndarray, parameters: Parameters) -> str | None:
    """A one-line problem if some week's actions cost more than the weekly budget at the firm's prices."""
    if actions.size and (actions.min() < 1 or actions.max() >= len(Action)):
        return "its action log holds codes that are not actions"
    prices = np.zeros(len(Action))
    for action in Action:
        if action != Action.NONE:
            prices[action] = parameters.action_costs()[action.label]
    if not weeks.size:
        return None
    if weeks.min() < 1 or weeks.max() > parameters.weeks:
        return f"its action log names weeks outside 1-{parameters.weeks}"
    spent = np.bincount(weeks, weights=prices[actions])
    over = np.flatnonzero(spent > parameters.weekly_budget * (1 + 1e-9) + 1e-9)
    if over.size:
        week = int(over[0])
        return (
            f"in week {week} its funded actions cost {spent[week]:,.2f} CU, over the weekly budget of "
            f"{parameters.weekly_budget:,.2f} CU (the firm's budget check was got around)"
        )
    return None


def replay_entry(
    connection, name: str, seeds: list[int], parameters: dict, logs: list[dict[str, np.ndarray]]
) -> None:
    """Worker process: replay each run's actions in the same market and report the verified results."""
    _quiet_progress_lock()
    try:
        checked = Parameters.from_dict(parameters)
        for replication, (seed, log) in enumerate(zip(seeds, logs, strict=True)):
            weeks, people, actions = log["week"], log["person"], log["action"]
            problem = check_budget(weeks, actions, checked)
            if problem is None and people.size and (people.min() < 0 or people.max() >= checked.n_people):
                problem = "its action log names people who are not in the market"
            if problem is None:
                try:
                    result = run_simulation(
                        strategy=FunctionStrategy(ActionReplay(weeks, people, actions), name=name),
                        seed=seed,
                        engine="vector",
                        **parameters,
                    )
                except (StrategyError, ValueError) as error:
                    problem = f"its action log cannot be replayed ({_one_line(error)})"
            if problem is None:
                replayed = _action_arrays(result)
                if not _same_actions(replayed, log):
                    problem = (
                        "the actions it reported are not the actions the firm funds in the same "
                        "market (it has the same person twice in a week, or acts in weeks that do "
                        "not exist)"
                    )
            if problem is not None:
                _send(connection, Failure(problem, replication=replication).as_header())
                return
            _send(
                connection,
                {"kind": "run", "replication": replication, "seed": seed, "summary": result.summary()},
            )
        _send(connection, {"kind": "done", "cpu": _cpu_seconds()})
    except (BrokenPipeError, EOFError, OSError):
        pass
    finally:
        connection.close()


def _same_actions(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    if a["week"].size != b["week"].size:
        return False
    order_a = np.lexsort((a["person"], a["week"]))
    order_b = np.lexsort((b["person"], b["week"]))
    return all(np.array_equal(a[key][order_a], b[key][order_b]) for key in ("week", "person", "action"))
