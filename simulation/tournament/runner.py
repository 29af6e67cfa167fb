"""Running a tournament: find the entries, run each in its own worker process, verify, collect.

The parent process (this module) never imports an entry's code. It reads each file once, hands the
source to a fresh worker process (:func:`simulation.tournament.worker.play_entry`), enforces the time
limits a worker cannot escape by itself (a whole run; startup), reads the worker's messages without
unpickling them, and has every run verified by a replay in a second worker that holds no student code
(:func:`~simulation.tournament.worker.replay_entry`). Only the parent writes results.

Workers are started by multiprocessing's ``forkserver``: a clean server process, with the simulation
already imported, forks each worker, so a worker starts in milliseconds and inherits nothing from the
parent (no open files, not the output paths, not the other entries). A pool that reuses its workers
(such as joblib's, which `compare_strategies` uses) is not used here: a worker that has run one student's
code could carry what that code changed into the next entry's runs.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simulation.experiment import MIN_REPLICATIONS, SUMMARY_METRICS, available_cores, replication_seeds
from simulation.model import check_seed
from simulation.parameters import ParameterError, Parameters, preset_names, preset_values
from simulation.strategies import strategy_names
from simulation.tournament import wire, worker
from simulation.tournament.worker import Entry, Failure, Limits

#: Worker processes by default. Measured on the course's 2-core machine (exercises/README.md, "Running a
#: tournament"): a 30-entry tournament took 252 s with 2 workers and 263 s with 1, on a machine other
#: users kept busy (load 6-10); entries are independent processes, so on an idle machine 2 workers should
#: gain more (reasoning, not measured).
DEFAULT_JOBS = 2
#: seconds a new worker may take before it reports (the first one waits for the fork server to start)
STARTUP_SECONDS = 60.0
#: metrics the leaderboard shows by default (profit always comes first: it decides the ranking)
DEFAULT_METRICS = ("profit", "revenue", "retention", "customers_at_end")
#: metrics an entry can be compared on (the headline figures of a run)
METRICS = (*SUMMARY_METRICS, "marketing_cost")


@dataclass(frozen=True)
class Scenario:
    """A named market: parameters that differ from the defaults, and what they mean. A scenario made from
    a market preset (`simulation/presets/NAME.toml`) reads the preset's values only when it is used."""

    name: str
    description: str
    parameters: dict
    preset: bool = False

    def values(self) -> dict:
        return preset_values(self.name) if self.preset else dict(self.parameters)


SCENARIOS: dict[str, Scenario] = {
    "default": Scenario("default", "the default market (Parameters())", {}),
    "locked_in": Scenario(
        "locked_in",
        "high switching costs: bonds, the loyalty programme and learning lock customers in "
        "three times as strongly, up to three times the default ceiling",
        {"switching_cost_strength": 3.0, "max_switching_cost": 3.0},
    ),
    "aggressive_competitor": Scenario(
        "aggressive_competitor",
        "a stronger competitor that runs promotions about every seven weeks, "
        "nearly twice as attractive as the default's",
        {"competitor_value": 0.2, "promotion_rate": 0.15, "promotion_value": 1.5},
    ),
}
# Each market preset (e.g. `cdnow`, calibrated to the CDNOW customers) is a scenario too.
SCENARIOS.update(
    {
        name: Scenario(
            name, f"the market preset {name!r} (see simulation/presets/{name}.md)", {}, preset=True
        )
        for name in preset_names()
        if name not in SCENARIOS
    }
)


def scenario_parameters(scenario: str, parameters: dict | None = None) -> dict:
    """The model parameters of a scenario with `parameters` on top (those win); checked."""
    if scenario not in SCENARIOS:
        raise ParameterError(f"scenario must be one of {', '.join(SCENARIOS)}, got {scenario!r}")
    merged = {**SCENARIOS[scenario].values(), **(parameters or {})}
    Parameters.from_dict(merged)  # unknown names and values out of range fail here, before any process
    return merged


# --------------------------------------------------------------------------------------------------
# Entries


@dataclass
class EntryReport:
    """What the tournament learned about one entry."""

    name: str
    file: str  # the file's name, or "built-in"
    function: str = ""
    line: int | None = None
    doc: str = ""
    status: str = "pending"  # "ok" or "disqualified"
    reason: str = ""
    claimed: dict = field(default_factory=dict)  # replication -> summary its own process reported
    logs: dict = field(default_factory=dict)  # replication -> its funded actions
    verified: dict = field(default_factory=dict)  # replication -> summary of the replay
    seconds: float = 0.0  # wall time of its own worker


def find_entries(folder, include: list[str] | tuple[str, ...] = ()) -> tuple[list[Entry], list[EntryReport]]:
    """The entries in `folder` (every ``*.py`` not starting with ``_`` or ``.``) and the built-ins named in
    `include`. A file that cannot be read as text is reported as disqualified rather than raised."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(
            f"SUBMISSIONS {folder}: "
            + ("is a file; give the folder of submissions" if folder.exists() else "no such folder")
        )
    known = strategy_names()
    for name in include:
        if name not in known:
            raise ValueError(f"--include: unknown strategy {name!r}; built-in strategies: {', '.join(known)}")
    entries, unreadable = [], []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith(("_", ".")):
            continue
        try:
            source = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            unreadable.append(
                EntryReport(
                    path.stem,
                    path.name,
                    status="disqualified",
                    reason=f"{path.name}, at import: cannot be read: not UTF-8 text (byte {error.start})",
                )
            )
            continue
        entries.append(Entry(name=path.stem, path=str(path.resolve()), source=source))
    entries += [Entry(name=f"{name} (built-in)", builtin=name) for name in dict.fromkeys(include)]
    if not entries and not unreadable:
        raise ValueError(f"SUBMISSIONS {folder}: no .py files there (and no --include)")
    return entries, unreadable


def _fingerprints(entries: list[Entry]) -> dict[str, str]:
    prints = {}
    for entry in entries:
        if entry.path:
            try:
                prints[entry.path] = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
            except OSError:
                prints[entry.path] = "unreadable"
    return prints


def reason_text(entry: Entry, failure: Failure) -> str:
    """One line: the file, the line, the week (or 'at import') and the problem."""
    parts = [entry.label]
    if failure.line is not None:
        parts.append(f"line {failure.line}" + (f" ({failure.line_note})" if failure.line_note else ""))
    if failure.at_import:
        parts.append("at import")
    elif failure.week is not None:
        parts.append(f"week {failure.week}")
    if failure.replication is not None:
        parts.append(f"replication {failure.replication + 1}")
    return f"{', '.join(parts)}: {failure.problem}"


# --------------------------------------------------------------------------------------------------
# The scheduler


@dataclass
class _Job:
    kind: str  # "play" or "replay"
    entry: Entry
    process: multiprocessing.process.BaseProcess
    connection: object
    deadline: float
    stage: str = "starting"  # starting, importing, running
    next_replication: int = 0
    started: float = field(default_factory=time.monotonic)
    workdir: str | None = None
    finished: bool = False


class _Tournament:
    def __init__(self, entries, reports, seeds, parameters, limits, workers, verify, progress):
        self.entries, self.reports, self.seeds = entries, reports, seeds
        self.parameters, self.limits, self.workers, self.verify = parameters, limits, workers, verify
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["simulation.tournament.worker"])
        per_entry = len(seeds) * (2 if verify else 1)
        self.bar = tqdm(
            total=len(entries) * per_entry,
            desc="tournament",
            unit="run",
            disable=None if progress is None else not progress,
        )
        self.per_entry = per_entry
        self.counted: dict[str, int] = {}
        self.worker_cpu = 0.0

    # starting and stopping workers ------------------------------------------------------------
    def _start(self, kind: str, entry: Entry) -> _Job:
        receiver, sender = self.context.Pipe(duplex=False)
        workdir = None
        if kind == "play":
            workdir = tempfile.mkdtemp(prefix="crmlab-entry-")
            args = (sender, entry, self.seeds, self.parameters, self.limits, workdir)
            target = worker.play_entry
        else:
            report = self.reports[entry.name]
            logs = [report.logs[r] for r in range(len(self.seeds))]
            args = (sender, entry.name, self.seeds, self.parameters, logs)
            target = worker.replay_entry
        process = self.context.Process(
            target=target, args=args, daemon=True, name=f"tournament-{kind}-{entry.name}"
        )
        with _main_module_not_reimported():
            process.start()
        sender.close()  # the worker holds the only writing end: its exit shows up as end of file here
        return _Job(kind, entry, process, receiver, time.monotonic() + STARTUP_SECONDS, workdir=workdir)

    def _stop(self, job: _Job) -> None:
        job.finished = True
        if job.process.is_alive():
            job.process.kill()
        job.process.join(timeout=10)
        if job.kind == "play" and job.process.pid:
            try:  # anything the entry started in its process group goes with it
                os.killpg(job.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        job.connection.close()
        if job.workdir:
            shutil.rmtree(job.workdir, ignore_errors=True)

    # outcomes -----------------------------------------------------------------------------------
    def _advance(self, entry: Entry, steps: int = 1) -> None:
        self.counted[entry.name] = self.counted.get(entry.name, 0) + steps
        self.bar.update(steps)

    def _disqualify(self, job: _Job, failure: Failure) -> None:
        report = self.reports[job.entry.name]
        if report.status != "disqualified":
            report.status, report.reason = "disqualified", reason_text(job.entry, failure)
        self._advance(job.entry, self.per_entry - self.counted.get(job.entry.name, 0))

    def _handle(self, job: _Job, header: dict, arrays: dict) -> bool:
        """Act on one message; True when the job is over."""
        kind = header.get("kind")
        report = self.reports[job.entry.name]
        now = time.monotonic()
        if kind == "started" and job.stage == "starting":
            job.stage, job.deadline = "importing", now + self.limits.import_seconds + 5.0
            return False
        if kind == "ready" and job.stage == "importing":
            report.function = str(header.get("function", ""))[:200]
            line = header.get("line")
            report.line = line if isinstance(line, int) else None
            report.doc = str(header.get("doc", ""))[:5000]
            job.stage, job.deadline = "running", now + self.limits.run_seconds
            return False
        if kind == "run" and job.stage in ("running", "starting"):
            summary = _checked_summary(header, job, self.seeds)
            if job.kind == "play":
                if set(arrays) != {"week", "person", "action"}:
                    raise Failure("its worker sent a run without its actions")
                report.claimed[job.next_replication] = summary
                report.logs[job.next_replication] = arrays
            else:
                report.verified[job.next_replication] = summary
            job.next_replication += 1
            job.deadline = now + self.limits.run_seconds
            self._advance(job.entry)
            return False
        if kind == "failed":
            failure = Failure(
                str(header.get("problem", "failed"))[:500],
                line=_int_or_none(header.get("line")),
                line_note=str(header.get("line_note", ""))[:100],
                week=_int_or_none(header.get("week")),
                at_import=bool(header.get("at_import")),
                replication=_int_or_none(header.get("replication")),
            )
            if job.kind == "replay":
                failure.problem = f"failed verification: {failure.problem}"
            self._disqualify(job, failure)
            return True
        if kind == "done" and job.next_replication == len(self.seeds):
            if job.kind == "play":
                report.seconds = now - job.started
            cpu = header.get("cpu")
            if isinstance(cpu, int | float) and not isinstance(cpu, bool) and 0 <= cpu < 1e7:
                self.worker_cpu += float(cpu)  # as the worker says: only for the timing note
            return True
        raise Failure(f"its worker sent an unexpected message ({str(kind)[:40]!r} while {job.stage})")

    def _ended(self, job: _Job) -> None:
        """The worker's pipe closed before it said it was done."""
        job.process.join(timeout=5)
        code = job.process.exitcode
        how = (
            f"killed by signal {signal.Signals(-code).name}"
            if code is not None and code < 0
            else f"exit code {code}"
        )
        if code == -signal.SIGKILL:
            how += "; out of memory?"
        running = job.stage == "running"
        self._disqualify(
            job,
            Failure(
                f"its process ended unexpectedly ({how})",
                at_import=not running,
                replication=job.next_replication if running else None,
            ),
        )

    def _overdue(self, job: _Job) -> None:
        if job.stage == "running":
            failure = Failure(
                f"one run took longer than the limit of {self.limits.run_seconds:g} s; its "
                "worker was stopped",
                replication=job.next_replication,
            )
        elif job.stage == "importing":
            failure = Failure(
                f"importing took longer than the limit of {self.limits.import_seconds:g} s and "
                "the file did not let itself be stopped; its worker was ended",
                at_import=True,
            )
        else:
            failure = Failure(f"its worker did not start within {STARTUP_SECONDS:g} s", at_import=True)
        self._disqualify(job, failure)

    # the loop -----------------------------------------------------------------------------------
    def run(self) -> None:
        queue = deque(("play", entry) for entry in self.entries)
        running: list[_Job] = []
        try:
            while queue or running:
                while queue and len(running) < self.workers:
                    running.append(self._start(*queue.popleft()))
                timeout = max(0.0, min(job.deadline for job in running) - time.monotonic())
                ready = wait([job.connection for job in running], timeout=timeout)
                for job in list(running):
                    over = False
                    if job.connection in ready:
                        try:
                            header, arrays = wire.decode(job.connection.recv_bytes(wire.MAX_MESSAGE_BYTES))
                            over = self._handle(job, header, arrays)
                        except (EOFError, OSError):
                            self._ended(job)
                            over = True
                        except (Failure, wire.WireError) as problem:
                            failure = (
                                problem
                                if isinstance(problem, Failure)
                                else Failure(f"its worker sent an unreadable message ({problem})")
                            )
                            failure.replication = (
                                failure.replication
                                if failure.replication is not None
                                else (job.next_replication if job.stage == "running" else None)
                            )
                            self._disqualify(job, failure)
                            over = True
                    elif time.monotonic() > job.deadline:
                        self._overdue(job)
                        over = True
                    if over:
                        self._stop(job)
                        running.remove(job)
                        report = self.reports[job.entry.name]
                        if (
                            job.kind == "play"
                            and self.verify
                            and report.status == "pending"
                            and len(report.logs) == len(self.seeds)
                        ):
                            queue.appendleft(("replay", job.entry))
                        elif report.status == "pending":
                            self._conclude(job.entry)
        finally:
            for job in running:
                self._stop(job)
            self.bar.close()

    def _conclude(self, entry: Entry) -> None:
        """All runs are in (and verified): compare what the entry reported with the replay."""
        report = self.reports[entry.name]
        if not self.verify:
            report.status = "ok"
            return
        for replication in range(len(self.seeds)):
            claimed, verified = report.claimed[replication], report.verified[replication]
            for metric, value in verified.items():
                mine = claimed.get(metric)
                if not _same_number(mine, value):
                    problem = (
                        f"the results its own process reported ({metric} {_short(mine)}) differ from "
                        f"the verified replay of its actions ({metric} {_short(value)}): the entry "
                        "changed the simulation or its results"
                    )
                    report.status = "disqualified"
                    report.reason = reason_text(entry, Failure(problem, replication=replication))
                    return
        report.status = "ok"


@contextmanager
def _main_module_not_reimported():
    """Start a worker without it importing the caller's main script.

    multiprocessing re-imports the parent's ``__main__`` file in every worker it starts by forkserver or
    spawn. The workers need nothing from it (their code is in this package), and a script without an
    ``if __name__ == "__main__":`` guard (e.g. a notebook exported as a script) would run its whole
    tournament again inside each worker. Hiding the file name while the worker starts prevents that.
    """
    main = sys.modules.get("__main__")
    saved = {name: vars(main)[name] for name in ("__file__", "__spec__") if main and name in vars(main)}
    try:
        for name in saved:
            if name == "__file__":
                del main.__file__
            else:
                main.__spec__ = None
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _checked_summary(header: dict, job: _Job, seeds: list[int]) -> dict[str, float]:
    if (
        header.get("replication") != job.next_replication
        or job.next_replication >= len(seeds)
        or header.get("seed") != seeds[job.next_replication]
    ):
        raise Failure("its worker reported a run out of order")
    summary = header.get("summary")
    if not isinstance(summary, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in summary.items()
    ):
        raise Failure("its worker reported a summary that is not a table of numbers")
    return {k: float(v) for k, v in summary.items()}


def _same_number(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _short(value) -> str:
    return "missing" if value is None else f"{value:,.2f}"


# --------------------------------------------------------------------------------------------------
# The public entry point


def run_tournament(
    submissions,
    *,
    replications: int = 10,
    seed: int = 0,
    private: bool = False,
    scenario: str = "default",
    include=(),
    parameters: dict | None = None,
    metrics=DEFAULT_METRICS,
    jobs: int = DEFAULT_JOBS,
    limits: Limits | None = None,
    verify: bool = True,
    progress: bool | None = False,
):
    """Run every entry in `submissions` (a folder of ``.py`` files) in the same R markets.

    Replication r uses the same seed for every entry (common random numbers), spawned from `seed`
    (`private=True` marks it as the instructor's private seed: reports do not show it). `scenario` names
    a market of :data:`SCENARIOS`; `parameters` (e.g. ``n_people``, ``weeks``) go on top. `include` adds
    built-in strategies as benchmarks. `jobs` worker processes run at once. An entry that fails is
    disqualified with a one-line reason and the others go on. Returns a :class:`TournamentResult`.
    """
    from simulation.tournament.results import TournamentResult

    if (
        isinstance(replications, bool)
        or not isinstance(replications, int | np.integer)
        or replications < MIN_REPLICATIONS
    ):
        raise ParameterError(
            f"replications must be an integer of at least {MIN_REPLICATIONS} (a confidence "
            f"interval needs two runs), got {replications!r}"
        )
    check_seed(seed)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs must be a positive integer, got {jobs!r}")
    metrics = tuple(dict.fromkeys(["profit", *metrics]))
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ParameterError(f"metrics: unknown metric {unknown[0]!r}; choose from {', '.join(METRICS)}")
    limits = limits or Limits()
    merged = scenario_parameters(scenario, parameters)
    entries, unreadable = find_entries(submissions, list(include))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"two entries have the same name: {twice}")
    before = _fingerprints(entries)
    seeds = replication_seeds(seed, int(replications))
    reports = {
        e.name: EntryReport(e.name, os.path.basename(e.path) if e.path else "built-in") for e in entries
    }
    workers = min(jobs, max(1, len(entries)))
    started = time.perf_counter()
    cpu_before = _cpu_seconds()
    tournament = _Tournament(entries, reports, seeds, merged, limits, workers, verify, progress)
    tournament.run()
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before + tournament.worker_cpu
    after = _fingerprints(entries)
    changed = sorted(os.path.basename(path) for path in before if after.get(path) != before[path])
    all_reports = [reports[e.name] for e in entries] + unreadable
    runs = _runs_table(all_reports, seeds, verify)
    settings = {
        "scenario": scenario,
        "scenario_description": SCENARIOS[scenario].description,
        "parameters": merged,
        "replications": int(replications),
        "seed": None if private else int(seed),
        "private": private,
        "metrics": list(metrics),
        "limits": limits,
        "workers": workers,
        "verified": verify,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "n_people": Parameters.from_dict(merged).n_people,
        "weeks": Parameters.from_dict(merged).weeks,
        "changed_files": changed,
    }
    return TournamentResult(entries=all_reports, runs=runs, settings=settings)


def _cpu_seconds() -> float:
    """CPU time of this process, in seconds (the workers are children of the fork server, not of this
    process, so they report their own)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _runs_table(reports: list[EntryReport], seeds: list[int], verify: bool) -> pd.DataFrame:
    rows = []
    for report in reports:
        for replication in sorted(set(report.claimed) | set(report.verified)):
            checked = replication in report.verified
            summary = report.verified[replication] if checked else report.claimed[replication]
            rows.append(
                {
                    "entry": report.name,
                    "replication": replication + 1,
                    "seed": seeds[replication],
                    "counted": report.status == "ok",
                    "verified": checked,
                    **summary,
                }
            )
    columns = ["entry", "replication", "seed", "counted", "verified", *METRICS]
    table = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    return table


__all__ = [
    "DEFAULT_JOBS",
    "DEFAULT_METRICS",
    "METRICS",
    "SCENARIOS",
    "EntryReport",
    "Scenario",
    "available_cores",
    "find_entries",
    "run_tournament",
    "scenario_parameters",
]
