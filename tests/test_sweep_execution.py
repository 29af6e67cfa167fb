"""Sweeps on Dask: the same dataset serially, on 1 worker and on N; nothing lost when a worker, the
client or the user (Ctrl-C) interrupts; runs that raise are recorded; no worker outlives a sweep.

One LocalCluster of 2 workers is shared by the tests of this file (starting one takes seconds)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.sweeps import TIMING_COLUMNS, StoreError, make_spec, read_results, run_sweep
from simulation.sweeps.store import done_run_ids

distributed = pytest.importorskip("distributed")

SMALL = {"n_people": 200, "weeks": 12}
#: 4 points x 2 strategies x 2 replications = 16 runs of a fraction of a second each
FACTORS = {"acquisition_response": [0.02, 0.08], "firm_value": [0.0, 0.3]}


def small_spec(**changes):
    keywords = {
        "method": "grid",
        "factors": FACTORS,
        "strategies": ["mass", "stage_based"],
        "replications": 2,
        "seed": 11,
        "fixed": SMALL,
        "name": "small",
    }
    return make_spec(**{**keywords, **changes})


def values(results: pd.DataFrame) -> pd.DataFrame:
    return results.drop(columns=list(TIMING_COLUMNS))


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep, run serially in this process."""
    out = tmp_path_factory.mktemp("reference")
    return run_sweep(small_spec(), out, serial=True, progress=False)


def _worker_processes():
    import psutil

    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(child.cmdline())
    ]


def test_the_same_spec_gives_the_same_values_serially_on_one_worker_and_on_n(tmp_path, reference, cluster):
    assert len(reference) == 16 and (reference["status"] == "ok").all()
    before = _worker_processes()
    one = run_sweep(small_spec(), tmp_path / "one", workers=1, progress=False)  # a LocalCluster of its own
    assert _worker_processes() == before  # started and closed by the sweep
    many = run_sweep(small_spec(), tmp_path / "many", scheduler=cluster.scheduler_address, progress=False)
    pd.testing.assert_frame_equal(values(one), values(reference))
    pd.testing.assert_frame_equal(values(many), values(reference))
    # byte-equal floats, not merely close
    assert many["profit"].to_numpy().tobytes() == reference["profit"].to_numpy().tobytes()


def test_a_restarted_sweep_runs_nothing_again(tmp_path, reference):
    out = tmp_path / "again"
    run_sweep(small_spec(), out, serial=True, progress=False)
    again = run_sweep(small_spec(), out, serial=True, progress=False)
    assert again.attrs["sweep"]["ran"] == 0 and again.attrs["sweep"]["skipped"] == 16
    pd.testing.assert_frame_equal(values(again), values(reference))


@pytest.mark.parametrize("where", ["serial", "dask"])
def test_ctrl_c_keeps_what_was_done_and_the_restart_completes_only_the_rest(
    tmp_path, reference, cluster, where
):
    out = tmp_path / "interrupted"
    execution = {"serial": True} if where == "serial" else {"scheduler": cluster.scheduler_address}
    seen = []

    def press_ctrl_c(row):
        seen.append(row["run_id"])
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(small_spec(), out, progress=False, on_run=press_ctrl_c, **execution)
    assert len(done_run_ids(out)) == 5  # flushed on the way out
    finished = run_sweep(small_spec(), out, progress=False, **execution)
    assert finished.attrs["sweep"]["ran"] == 16 - 5
    pd.testing.assert_frame_equal(values(finished), values(reference))


def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path, reference, cluster):
    from distributed import Client

    with Client(cluster.scheduler_address) as client:
        victims = list(client.run(os.getpid).values())
    killed = []

    def kill_a_worker(row):
        if not killed:
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])

    results = run_sweep(
        small_spec(),
        tmp_path / "killed",
        scheduler=cluster.scheduler_address,
        progress=False,
        on_run=kill_a_worker,
    )
    assert killed
    ok = results["status"] == "ok"
    if not ok.all():  # the scheduler gave up on a run after repeated deaths: a restart completes it
        assert set(results.loc[~ok, "status"]) == {"worker_lost"}
        results = run_sweep(
            small_spec(), tmp_path / "killed", scheduler=cluster.scheduler_address, progress=False
        )
    pd.testing.assert_frame_equal(values(results), values(reference))


CLIENT_SCRIPT = """
import sys, time
from simulation.sweeps import run_sweep
sys.path.insert(0, {tests!r})
from test_sweep_execution import small_spec
# the client dawdles after each result, so that it is surely killed mid-sweep however fast the runs are
run_sweep(small_spec(), {out!r}, scheduler={address!r}, progress=False, flush_every=1,
          on_run=lambda row: time.sleep(0.25))
"""


def test_a_client_killed_mid_sweep_loses_nothing_written_and_the_restart_completes_it(
    tmp_path, reference, cluster
):
    out = tmp_path / "client-killed"
    script = CLIENT_SCRIPT.format(
        tests=str(Path(__file__).parent), out=str(out), address=cluster.scheduler_address
    )
    client = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and client.poll() is None:
            if (out / "runs").is_dir() and len(list((out / "runs").glob("part-*.parquet"))) >= 3:
                break
            time.sleep(0.02)
        assert client.poll() is None, client.stderr.read().decode()[-2000:]
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
    written = len(done_run_ids(out))
    assert 3 <= written < 16  # killed mid-sweep, with what was written kept
    finished = run_sweep(small_spec(), out, scheduler=cluster.scheduler_address, progress=False)
    assert finished.attrs["sweep"]["ran"] == 16 - written
    pd.testing.assert_frame_equal(values(finished), values(reference))


NOTEBOOK_CELL = '''
def fails_in_big_markets(view, plan):
    """Raises in week 3 when the market has more than 150 people."""
    if view.week == 3 and view.n_people > 150:
        raise ValueError("this strategy cannot cope with big markets")
'''


def test_a_run_that_raises_is_recorded_with_its_error_and_the_sweep_goes_on(tmp_path, cluster):
    namespace = {"__name__": "__main__"}  # as if defined in a notebook cell: travels by value
    exec(NOTEBOOK_CELL, namespace)
    spec = make_spec(
        method="grid",
        factors={"n_people": [100, 200]},
        strategies=[namespace["fails_in_big_markets"]],
        replications=2,
        fixed={"weeks": 5},
    )
    results = run_sweep(spec, tmp_path / "raising", scheduler=cluster.scheduler_address, progress=False)
    assert results["status"].tolist() == ["ok", "ok", "error", "error"]
    assert results["error"].iloc[2].endswith("this strategy cannot cope with big markets")
    assert results["profit"].iloc[2:].isna().all() and results["profit"].iloc[:2].notna().all()
    # a recorded error is an outcome: a restart does not run it again
    assert run_sweep(spec, tmp_path / "raising", serial=True, progress=False).attrs["sweep"]["ran"] == 0


def test_weekly_metrics_are_stored_for_every_run_when_asked(tmp_path):
    from simulation.sweeps import read_weekly

    spec = small_spec(weekly_metrics=True, factors={"acquisition_response": [0.02]}, replications=2)
    run_sweep(spec, tmp_path / "weekly", serial=True, progress=False, flush_every=1)
    weekly = read_weekly(tmp_path / "weekly")
    assert weekly.groupby("run_id").size().tolist() == [SMALL["weeks"]] * 4
    assert {"profit", "revenue", "stable"} <= set(weekly.columns)


def test_results_of_another_spec_or_model_version_are_never_mixed_in(tmp_path):
    out = tmp_path / "mixed"
    run_sweep(
        small_spec(factors={"acquisition_response": [0.02]}, replications=1), out, serial=True, progress=False
    )
    with pytest.raises(
        StoreError,
        match=r"holds the results of a different sweep \(the spec differs in "
        r"replications\)",
    ):
        run_sweep(
            small_spec(factors={"acquisition_response": [0.02]}, replications=2),
            out,
            serial=True,
            progress=False,
        )
    meta = out / "sweep.json"
    meta.write_text(meta.read_text().replace('"model_version": "', '"model_version": "old-'))
    with pytest.raises(StoreError, match="another version of the simulation code"):
        run_sweep(
            small_spec(factors={"acquisition_response": [0.02]}, replications=1),
            out,
            serial=True,
            progress=False,
        )
    restarted = run_sweep(
        small_spec(factors={"acquisition_response": [0.02]}, replications=1),
        out,
        serial=True,
        progress=False,
        restart=True,
    )
    assert restarted.attrs["sweep"]["ran"] == 2
    assert len(read_results(out)) == 2
