"""Runs per second of a 200-run sweep (1,000 people x 104 weeks, vector engine): serially and on a local
Dask cluster of 2 workers, with the cluster's start-up time shown separately.

Usage: python benchmarks/bench_sweep.py [--runs 200] [--workers 2]

The sweep: a Latin hypercube over three parameters, strategies mass and stage_based, 2 replications per
point (runs / 4 points). Results are kept in memory, so the times are execution, not disk. Reported:

- wall seconds and runs per second (wall) of the sweep itself;
- CPU seconds of the runs (the sum of each run's CPU time, measured in the thread that ran it): what the
  work costs whatever else the machine is doing, and so a steadier figure on a shared, noisy machine;
  a Dask worker's own threads (communication, heartbeats) are not in it, they show in the wall time;
- the client's CPU seconds (this process; with a LocalCluster it also hosts the Dask scheduler);
- for the cluster: the start-up (LocalCluster and Client, then each worker importing the simulation,
  which it would otherwise do during its first run), measured apart from the sweep.
"""

from __future__ import annotations

import argparse
import logging
import os
import time


def build_spec(runs: int):
    from simulation.sweeps import make_spec

    points = max(1, runs // 4)
    return make_spec(
        name="bench",
        method="lhs",
        samples=points,
        design_seed=1,
        replications=2,
        seed=1,
        strategies=["mass", "stage_based"],
        fixed={"n_people": 1000, "weeks": 104},
        factors={
            "acquisition_response": (0.01, 0.1),
            "firm_value": (-0.3, 0.5),
            "purchase_rate_mean": (0.1, 0.6),
        },
    )


def _warm_import():
    import simulation.experiment  # noqa: F401

    return os.getpid()


def measure_serial(spec) -> dict:
    from simulation.sweeps import run_sweep

    wall, cpu = time.perf_counter(), time.process_time()
    results = run_sweep(spec, None, serial=True, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "setting": "serial (this process)",
        "startup_s": 0.0,
        "wall_s": wall,
        "runs": len(results),
        "run_cpu_s": float(results["cpu_time_s"].sum()),
        "client_cpu_s": cpu,
    }


def measure_cluster(spec, workers: int) -> dict:
    import dask
    from distributed import Client, LocalCluster

    from simulation.sweeps import run_sweep

    start = time.perf_counter()
    with dask.config.set({"distributed.worker.profile.enabled": False}):  # as run_sweep's own clusters
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    started = time.perf_counter() - start
    client.run(_warm_import)
    imported = time.perf_counter() - start
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        results = run_sweep(spec, None, scheduler=cluster.scheduler_address, progress=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        client.close()
        cluster.close()
    return {
        "setting": f"LocalCluster, {workers} workers",
        "startup_s": imported,
        "cluster_only_s": started,
        "wall_s": wall,
        "runs": len(results),
        "run_cpu_s": float(results["cpu_time_s"].sum()),
        "client_cpu_s": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    spec = build_spec(args.runs)
    rows = [measure_serial(spec), measure_cluster(spec, args.workers)]
    print(
        f"{'setting':<26} {'start-up s':>10} {'sweep wall s':>12} {'runs/s':>7} {'run CPU s':>9} "
        f"{'CPU s/run':>9} {'client CPU s':>12}"
    )
    for row in rows:
        print(
            f"{row['setting']:<26} {row['startup_s']:>10.1f} {row['wall_s']:>12.1f} "
            f"{row['runs'] / row['wall_s']:>7.2f} {row['run_cpu_s']:>9.1f} "
            f"{row['run_cpu_s'] / row['runs']:>9.3f} "
            f"{row['client_cpu_s']:>12.1f}"
        )
    cluster = rows[1]
    print(
        f"cluster start-up: {cluster['cluster_only_s']:.1f} s to start LocalCluster + Client, "
        f"{cluster['startup_s'] - cluster['cluster_only_s']:.1f} s more for the workers to import the "
        "simulation"
    )
    print(f"load average during the measurement: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
