"""Running many simulations: in this process, on a local Dask cluster, or on an existing Dask cluster.

One function, :func:`execute_run`, runs one simulation wherever it is sent; the executors hand it out and
give back outcomes as they arrive. :func:`run_sweep` (sweeps), `compare_strategies` and the calibration all
use them, so a notebook-defined strategy works everywhere: it travels by value (cloudpickle, as Dask itself
does for functions defined in ``__main__``), while built-in strategies travel by name.

Dask details that shape the code: each worker is a process with one thread (the simulation is numpy code
holding the GIL); a task that kills its worker is retried on another and, after a few deaths, fails with
``KilledWorker``: that run is recorded as ``worker_lost`` and retried when the sweep is started again.
Dask's ``retries=`` only covers tasks that raise, and a run that raises is an outcome worth keeping, so the
task catches its own exceptions and reports them as the run's ``error``.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


# ---------------------------------------------------------------------------------------------------
# one run, wherever it is executed
def strategy_payload(strategy):
    """What travels to a worker: a built-in strategy's name, or any other strategy by value (cloudpickle)."""
    from simulation.strategies import STRATEGIES, get_strategy

    if isinstance(strategy, str):
        if strategy in STRATEGIES or strategy == "-":
            return strategy
        get_strategy(strategy)  # raises the library's message for an unknown name
    import cloudpickle

    return cloudpickle.dumps(get_strategy(strategy))


def _strategy_from(payload):
    if isinstance(payload, bytes):
        import cloudpickle

        return cloudpickle.loads(payload)
    return payload


def execute_run(
    model,
    strategy,
    parameters: dict,
    seed: int,
    engine: str,
    weekly: bool = False,
    capture_errors: bool = True,
) -> dict:
    """Run one simulation; return its outputs, status, error, run time, CPU time (and weekly table).

    With `capture_errors`, an exception inside the run becomes ``status="error"`` and its one-line
    description, so one bad corner of a design does not stop the sweep; without, it propagates.
    """
    # the CPU time of this thread: what the run itself cost, without a Dask worker's own threads
    wall, cpu = time.perf_counter(), time.thread_time()
    outputs, week_table, status, error = {}, None, "ok", None
    try:
        outputs, week_table = model.run(_strategy_from(strategy), int(seed), engine, parameters, weekly)
    except Exception as exc:
        if not capture_errors:
            raise
        text = str(exc).strip().splitlines()
        status, error = "error", f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
    return {
        "outputs": outputs,
        "weekly": week_table,
        "status": status,
        "error": error,
        "run_time_s": time.perf_counter() - wall,
        "cpu_time_s": time.thread_time() - cpu,
    }


# ---------------------------------------------------------------------------------------------------
# executors
@dataclass
class Outcome:
    index: int
    value: dict | None  # execute_run's result, or None if the run was lost with its worker
    lost: str | None = None


class SerialExecutor:
    """Runs tasks one after the other in this process."""

    description = "serially in this process"

    def map_unordered(self, function: Callable, tasks: list[tuple]) -> Iterator[Outcome]:
        for index, task in enumerate(tasks):
            yield Outcome(index, function(*task))


class DaskExecutor:
    """Submits tasks to a Dask cluster and yields their outcomes as they complete."""

    def __init__(self, client, description: str):
        self.client = client
        self.description = description

    def map_unordered(self, function: Callable, tasks: list[tuple]) -> Iterator[Outcome]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not tasks:
            return
        batch = f"crmlab-{time.time_ns():x}"
        keys = [f"{batch}-{i}" for i in range(len(tasks))]
        futures = self.client.map(function, *zip(*tasks, strict=True), key=keys, pure=False)
        position = {key: i for i, key in enumerate(keys)}
        pending = set(futures)
        try:
            for future in as_completed(futures):
                pending.discard(future)
                index = position[future.key]
                try:
                    value = future.result()
                except KilledWorker as error:
                    yield Outcome(index, None, lost=f"KilledWorker: {error}".splitlines()[0])
                    continue
                finally:
                    future.release()
                yield Outcome(index, value)
        finally:
            if pending:  # interrupted: do not leave work running on a shared cluster
                self.client.cancel(list(pending))


def available_cores() -> int:
    from simulation.experiment import available_cores as cores

    return cores()


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None, serial: bool = False):
    """An executor for the duration of the ``with`` block.

    `scheduler` ("tcp://host:port"): connect to that Dask cluster (left running afterwards). Otherwise
    `serial`: run in this process; otherwise start a LocalCluster of `workers` processes (default: this
    machine's cores; more is reduced to the cores, with a warning) and close it at the end.
    """
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except OSError as error:
            raise ValueError(
                f"--scheduler {scheduler}: cannot connect to a Dask scheduler there ({error})"
            ) from None
        try:
            n = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            yield DaskExecutor(client, f"on the Dask cluster at {scheduler} ({n} workers)")
        finally:
            client.close()
        return
    if serial:
        yield SerialExecutor()
        return
    cores = available_cores()
    if workers is None:
        workers = cores
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if workers > cores:
        warnings.warn(
            f"workers={workers} reduced to {cores}: this machine has {cores} CPU cores",
            UserWarning,
            stacklevel=3,
        )
        workers = cores
    import dask
    from distributed import Client, LocalCluster

    # Dask's statistical profiler samples every worker's stack every 10 ms; nobody reads it here, and it
    # cost about a tenth of each run's CPU time when measured (benchmarks/bench_sweep.py)
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = LocalCluster(
            n_workers=int(workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    try:
        client = Client(cluster)
        try:
            yield DaskExecutor(
                client, f"on a local Dask cluster of {workers} worker process{'es' if workers > 1 else ''}"
            )
        finally:
            client.close()
    finally:
        cluster.close()


# ---------------------------------------------------------------------------------------------------
# sweeps
def run_ids(spec, design: pd.DataFrame) -> list[tuple[str, int, str, int]]:
    """(run_id, point, strategy, replication) of every run, in run order."""
    names = spec.strategy_names()
    return [
        (f"{point}:{name}:{rep}", point, name, rep)
        for point in range(len(design))
        for name in names
        for rep in range(spec.replications)
    ]


def _plain(value):
    return (
        int(value)
        if isinstance(value, np.integer)
        else float(value)
        if isinstance(value, np.floating)
        else value
    )


class _MemoryStore:
    """The store's interface, keeping rows in memory (a sweep without an output directory)."""

    def __init__(self):
        self.rows: list[dict] = []
        self.weekly: list[pd.DataFrame] = []
        self.written = 0

    def open(self, restart=False):
        return set()

    def add(self, row, weekly=None):
        self.rows.append(row)
        if weekly is not None:
            self.weekly.append(weekly.assign(run_id=row["run_id"]))
        self.written += 1

    def flush(self):
        pass


def run_sweep(
    spec,
    out=None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    progress: bool | None = None,
    restart: bool = False,
    flush_every: int = 200,
    flush_seconds: float = 5.0,
    on_run: Callable[[dict], None] | None = None,
) -> pd.DataFrame:
    """Run every run of a sweep that is not done yet, writing results as they arrive; return the dataset.

    `spec`: a :class:`~simulation.sweeps.spec.SweepSpec` or the path of a TOML spec. `out`: the output
    directory (a Parquet dataset, see :mod:`simulation.sweeps.store`); ``None`` keeps results in memory.
    Started again with the same spec and `out`, only the missing runs are run, and the dataset equals an
    uninterrupted sweep's. Execution: `scheduler` (an existing Dask cluster), `serial` (this process), or
    by default a LocalCluster of `workers` processes started and closed here. `progress`: a progress bar
    with runs done, failed and the rate (None: only on a terminal). `on_run(row)` is called after each
    run is recorded. Returns one row per run in run order (see :func:`~simulation.sweeps.store.read_results`).
    """
    from simulation.experiment import replication_seeds
    from simulation.sweeps.designs import build_design
    from simulation.sweeps.spec import SweepSpec, load_spec
    from simulation.sweeps.store import ResultStore, read_results

    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    design = build_design(spec)
    seeds = replication_seeds(spec.seed, spec.replications)
    store = (
        ResultStore(out, spec, flush_every=flush_every, flush_seconds=flush_seconds)
        if out is not None
        else _MemoryStore()
    )
    done = store.open(restart=restart)
    payload = {
        name: strategy_payload(s) for name, s in zip(spec.strategy_names(), spec.strategies, strict=True)
    }
    todo = [run for run in run_ids(spec, design) if run[0] not in done]
    points = [{k: _plain(v) for k, v in row.items()} for row in design.to_dict("records")]
    tasks = [
        (
            spec.model,
            payload[name],
            {**spec.fixed, **points[point]},
            seeds[rep],
            spec.engine,
            spec.weekly_metrics,
            True,
        )
        for _, point, name, rep in todo
    ]
    total = len(done) + len(todo)
    counts = {"ran": 0, "failed": 0, "lost": 0, "skipped": len(done)}
    started = time.perf_counter()
    with _progress_bar(total, len(done), spec.name, progress) as bar:
        try:
            if todo:
                with open_executor(workers, scheduler, serial) as executor:
                    bar.set_description(spec.name)
                    for outcome in executor.map_unordered(execute_run, tasks):
                        run_id, point, name, rep = todo[outcome.index]
                        row = {
                            "run_id": run_id,
                            "point": point,
                            "strategy": name,
                            "replication": rep,
                            "seed": seeds[rep],
                            **points[point],
                        }
                        value = outcome.value
                        if value is None:
                            row.update(
                                {o: float("nan") for o in spec.model.outputs},
                                status="worker_lost",
                                error=outcome.lost,
                                run_time_s=float("nan"),
                                cpu_time_s=float("nan"),
                            )
                            counts["lost"] += 1
                        else:
                            row.update(
                                {o: float(value["outputs"].get(o, float("nan"))) for o in spec.model.outputs},
                                status=value["status"],
                                error=value["error"],
                                run_time_s=value["run_time_s"],
                                cpu_time_s=value["cpu_time_s"],
                            )
                            counts["failed"] += value["status"] != "ok"
                        counts["ran"] += 1
                        store.add(row, value["weekly"] if value is not None else None)
                        bar.update(1)
                        bar.set_postfix(failed=counts["failed"], lost=counts["lost"], refresh=False)
                        if on_run is not None:
                            on_run(row)
        except KeyboardInterrupt:
            store.flush()
            where = f" in {out}" if out is not None else ""
            print(
                f"\ninterrupted: {counts['skipped'] + store.written} of {total} runs saved{where}; start "
                "the same sweep again to run only the missing ones",
                file=sys.stderr,
            )
            raise
        finally:
            store.flush()
    seconds = time.perf_counter() - started
    if out is not None:
        results = read_results(out)
    else:
        results = _memory_results(store, spec)
    results.attrs["sweep"] = {
        **counts,
        "total": total,
        "seconds": seconds,
        "out": str(out) if out is not None else None,
    }
    return results


def _memory_results(store: _MemoryStore, spec) -> pd.DataFrame:
    import pyarrow as pa

    from simulation.sweeps.store import _schema

    # through Arrow, so the columns have exactly the types read_results gives for a stored sweep
    table = pa.Table.from_pylist(store.rows, schema=_schema(spec)).to_pandas()
    order = {name: i for i, name in enumerate(spec.strategy_names())}
    table = table.assign(_s=table["strategy"].map(order)).sort_values(["point", "_s", "replication"])
    table = table.drop(columns="_s").reset_index(drop=True)
    if store.weekly:
        table.attrs["weekly"] = pd.concat(store.weekly, ignore_index=True)
    return table


@contextmanager
def _progress_bar(total: int, initial: int, name: str, progress: bool | None):
    from tqdm.auto import tqdm

    bar = tqdm(
        total=total,
        initial=initial,
        unit="run",
        desc=f"{name} (starting)",
        smoothing=0.1,
        disable=None if progress is None else not progress,
        file=sys.stderr,
    )
    try:
        yield bar
    finally:
        bar.close()


def run_tasks(
    tasks: Iterable[tuple],
    *,
    workers: int | None = 1,
    scheduler: str | None = None,
    progress: bool | None = False,
    desc: str = "runs",
) -> list[dict]:
    """Run `execute_run` on each task and return the results in task order (errors propagate).

    The machinery of :func:`run_sweep` without a store, for callers that need every result before going
    on (strategy comparisons, calibration). `workers` 1 without a `scheduler` runs in this process.
    """
    from tqdm.auto import tqdm

    tasks = list(tasks)
    results: list[dict | None] = [None] * len(tasks)
    with (
        open_executor(workers, scheduler, serial=workers == 1 and not scheduler) as executor,
        tqdm(
            total=len(tasks),
            desc=desc,
            unit="run",
            disable=None if progress is None else not progress,
            file=sys.stderr,
        ) as bar,
    ):
        for outcome in executor.map_unordered(execute_run, tasks):
            if outcome.value is None:
                raise RuntimeError(
                    f"run {outcome.index} was lost: its worker process died repeatedly ({outcome.lost})"
                )
            results[outcome.index] = outcome.value
            bar.update(1)
    return results


def default_out(spec) -> Path:
    return Path(f"sweep-{spec.name}")
