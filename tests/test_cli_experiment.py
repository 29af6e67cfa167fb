"""What `crmlab compare` relies on in `compare_strategies`: real intervals, capped pools, no stray workers."""

import warnings

import pandas as pd
import pytest

import simulation.experiment
from simulation.experiment import compare_strategies, confidence_table
from simulation.parameters import ParameterError

TINY = {"n_people": 200, "weeks": 10, "engine": "vector"}


def test_one_replication_is_refused_rather_than_giving_nan_intervals():
    with pytest.raises(ParameterError, match="at least 2 .*confidence interval.*got 1"):
        compare_strategies(["mass"], replications=1, **TINY)


def test_a_confidence_table_from_a_single_run_is_refused():
    runs = pd.DataFrame(
        {
            "strategy": ["a"],
            "profit": [1.0],
            "revenue": 1.0,
            "customers_at_end": 1.0,
            "retention": 1.0,
            "share_of_wallet": 1.0,
            "realised_clv": 1.0,
        }
    )
    with pytest.raises(ValueError, match="strategy 'a' has 1 run; a confidence interval needs at least 2"):
        confidence_table(runs)


def test_more_jobs_than_cores_is_reduced_with_a_warning(monkeypatch):
    monkeypatch.setattr(simulation.experiment, "available_cores", lambda: 1)
    with pytest.warns(UserWarning, match="n_jobs=4 reduced to 1: this machine has 1 CPU cores"):
        table = compare_strategies(["none", "mass"], replications=2, n_jobs=4, **TINY)
    assert not table[["ci_low", "ci_high"]].isna().any().any()


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, True])
def test_impossible_job_counts_are_named(n_jobs):
    with pytest.raises(ParameterError, match="n_jobs must be a positive integer or -1"):
        compare_strategies(["mass"], replications=2, n_jobs=n_jobs, **TINY)


def _worker_processes():
    psutil = pytest.importorskip("psutil")
    children = psutil.Process().children(recursive=True)
    # The resource trackers of multiprocessing and loky, and the forkserver a tournament starts its
    # workers from, are one helper per interpreter, not workers: they wait for the interpreter to exit
    # (test_cli checks that nothing outlives the crmlab command). Run after the tournament tests, this
    # check would otherwise see their forkserver.
    helpers = ("resource_tracker", "forkserver")
    return [child for child in children if not any(h in " ".join(child.cmdline()) for h in helpers)]


def test_no_worker_process_outlives_a_parallel_comparison():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # on a 1-core machine n_jobs=2 is reduced
        compare_strategies(["none", "mass"], replications=2, n_jobs=2, **TINY)
    assert _worker_processes() == []
