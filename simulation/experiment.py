"""Running the model: one run, and strategy comparisons with replications and confidence intervals.

Mesa's `batch_run` is not used: it has no seed argument, runs one step more than `max_steps`, shifts
step labels, lets a reporter named like a parameter overwrite that column, and hangs with several
processes when the model class lives in a notebook cell. Here each run is an ordinary function call
with an explicit seed. Comparisons run on the sweeps' execution machinery (`simulation.sweeps`): in this
process, on a local Dask cluster, or on an existing one; a strategy defined in a notebook cell travels to
the workers by value (cloudpickle), so a student's strategy works in parallel.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from joblib import cpu_count

from simulation.model import CustomerLifecycleModel, check_seed
from simulation.outputs import SimulationResult
from simulation.parameters import ParameterError, Parameters
from simulation.strategies import get_strategy

SUMMARY_METRICS = ("profit", "revenue", "customers_at_end", "retention", "share_of_wallet", "realised_clv")
#: A confidence interval needs a sample standard deviation, hence at least two replications.
MIN_REPLICATIONS = 2


def available_cores() -> int:
    """CPU cores this process may use (joblib counts CPU affinity and container CPU quotas)."""
    return max(1, cpu_count())


def worker_count(n_jobs: int) -> int:
    """Worker processes for `n_jobs` (-1: every core): more workers than cores only add overhead, so a
    larger request is reduced to the number of cores with a warning saying so."""
    whole = isinstance(n_jobs, int | np.integer) and not isinstance(n_jobs, bool)
    if not whole or not (n_jobs >= 1 or n_jobs == -1):
        raise ParameterError(f"n_jobs must be a positive integer or -1 (every core), got {n_jobs!r}")
    cores = available_cores()
    if n_jobs == -1:
        return cores
    if n_jobs > cores:
        warnings.warn(
            f"n_jobs={n_jobs} reduced to {cores}: this machine has {cores} CPU cores",
            UserWarning,
            stacklevel=3,
        )
        return cores
    return int(n_jobs)


def run_simulation(
    strategy="stage_based", seed: int = 0, engine: str = "agents", progress: bool | None = False, **parameters
) -> SimulationResult:
    """Build a model, run all its weeks and return its outputs (see `CustomerLifecycleModel`)."""
    model = CustomerLifecycleModel(strategy=strategy, seed=seed, engine=engine, **parameters)
    return model.run(progress=progress)


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Independent seeds for R replications, spawned from one root seed (numpy SeedSequence)."""
    children = np.random.SeedSequence(check_seed(root_seed)).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def compare_strategies(
    strategies,
    replications: int = 10,
    seed: int = 0,
    engine: str = "vector",
    n_jobs: int = 1,
    progress: bool | None = False,
    return_runs: bool = False,
    scheduler: str | None = None,
    **parameters,
):
    """Run each strategy `replications` times and report the mean and 95% CI of each summary metric.

    Replication r uses the same seed for every strategy (common random numbers: the same people and the
    same luck), so differences between strategies are not noise between markets. Seeds are spawned
    from the root `seed`. `n_jobs` > 1 runs on a local Dask cluster of that many worker processes (-1:
    all cores; more than the machine's cores is reduced to that, with a warning), closed before
    returning; `scheduler` ("tcp://host:port") runs on an existing Dask cluster instead. Each worker
    spends about 2 s importing first and the cluster about 4 s starting, so parallel runs only pay off
    when the runs take much longer than that. The results are the same however they are run. The default
    engine is the vector engine (same results as the agent engine, much faster). At least two
    replications are needed (a confidence interval needs a standard deviation).

    Returns a tidy DataFrame with columns ``strategy, metric, mean, ci_low, ci_high`` (and, with
    `return_runs`, also the per-run table).
    """
    from simulation.sweeps.execution import run_tasks, strategy_payload
    from simulation.sweeps.models import SimulationModel

    if (
        isinstance(replications, bool)
        or not isinstance(replications, int | np.integer)
        or replications < MIN_REPLICATIONS
    ):
        raise ParameterError(
            f"replications must be a positive integer of at least {MIN_REPLICATIONS} (a "
            f"confidence interval needs two runs), got {replications!r}; for a single run "
            "use run_simulation"
        )
    workers = worker_count(n_jobs)
    if isinstance(strategies, str):
        strategies = [s.strip() for s in strategies.split(",") if s.strip()]
    resolved = [get_strategy(s) for s in strategies]
    if not resolved:
        raise ParameterError("strategies: give at least one strategy")
    names = [s.name for s in resolved]
    if len(set(names)) != len(names):
        raise ParameterError(f"strategies: each strategy must have a distinct name, got {names}")
    Parameters.from_dict(parameters)  # fail fast, before starting any process
    seeds = replication_seeds(seed, int(replications))
    model = SimulationModel()
    # In this process the strategies run as they are: a pickled copy would not share its state (or a
    # notebook's monkeypatches) with the caller. Other processes get them pickled.
    in_process = workers == 1 and not scheduler
    payloads = resolved if in_process else [strategy_payload(s) for s in resolved]
    order = [
        (name, payload, r_seed) for r_seed in seeds for name, payload in zip(names, payloads, strict=True)
    ]
    tasks = [(model, payload, parameters, r_seed, engine, False, False) for _, payload, r_seed in order]
    results = run_tasks(tasks, workers=workers, scheduler=scheduler, progress=progress)
    runs = pd.DataFrame(
        [
            {"strategy": name, "seed": r_seed, **result["outputs"]}
            for (name, _, r_seed), result in zip(order, results, strict=True)
        ]
    )
    table = confidence_table(runs, names)
    return (table, runs) if return_runs else table


def confidence_table(runs: pd.DataFrame, order: list[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-based confidence interval per strategy and metric from a per-run table."""
    from scipy import stats  # imported here: scipy.stats alone takes ~0.8 s to import

    records = []
    for strategy, group in runs.groupby("strategy", sort=False):
        for metric in SUMMARY_METRICS:
            values = group[metric].to_numpy(dtype=float)
            if values.size < MIN_REPLICATIONS:
                raise ValueError(
                    f"strategy {strategy!r} has {values.size} run; a confidence interval needs "
                    f"at least {MIN_REPLICATIONS}"
                )
            mean = float(values.mean())
            half = float(
                stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
            )
            records.append(
                {
                    "strategy": strategy,
                    "metric": metric,
                    "mean": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                }
            )
    table = pd.DataFrame(records)
    if order:
        table["strategy"] = pd.Categorical(table["strategy"], categories=order, ordered=True)
        table = table.sort_values(["strategy"], kind="stable").reset_index(drop=True)
        table["strategy"] = table["strategy"].astype(str)
    return table
