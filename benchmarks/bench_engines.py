"""The engines against their targets: speed-up over the agent engine, person-weeks per second, memory,
the fixed cost of a week, and the first (compiling) run.

Usage: python benchmarks/bench_engines.py [--quick]

Times are CPU seconds of the measuring process (the machine is shared and noisy), the minimum of three
repeats, each configuration in a fresh process so that its peak resident memory is its own. The table
has the figures measured before the engine rebuild ("before"), the required targets and the goals.
``--quick`` runs one repeat and smaller markets (1k agents, 10k vector, no 1M run).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(engine: str, people: int, weeks: int, repeats: int, queue) -> None:
    from simulation import CustomerLifecycleModel

    CustomerLifecycleModel(strategy="stage_based", seed=1, engine=engine, n_people=50, weeks=2).run()  # warm
    best = float("inf")
    for _ in range(repeats):
        model = CustomerLifecycleModel(
            strategy="stage_based", seed=1, engine=engine, n_people=people, weeks=weeks
        )
        start = time.process_time()
        model.run()
        best = min(best, time.process_time() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    queue.put({"cpu": best, "peak_mb": peak_mb})


def measure(engine: str, people: int, weeks: int, repeats: int) -> dict:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(engine, people, weeks, repeats, queue))
    process.start()
    row = queue.get()
    process.join()
    return row


def first_run_in_fresh_clone() -> tuple[float, float]:
    """Wall seconds of the first run in a fresh copy of the sources (numba compiles), and of a second
    process (numba loads its cache), each including Python's imports."""
    code = (
        "from simulation import run_simulation; "
        "run_simulation('stage_based', seed=1, engine='vector', n_people=1000, weeks=104)"
    )
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "crmlab"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(".venv", "__pycache__", ".git", "build", "*.ipynb", "datasets"),
        )
        env = {**os.environ, "PYTHONPATH": str(copy)}
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=copy, env=env, check=True)
            times.append(time.perf_counter() - start)
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, smaller markets, no 1M run")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    weeks = 104

    agents_size = 1_000 if args.quick else 10_000
    agents = measure("agents", agents_size, weeks, 1)  # minutes at 10k: one repeat is enough
    vector_small = measure("vector", agents_size, weeks, repeats)
    speedup = agents["cpu"] / vector_small["cpu"]
    vector_100k = measure("vector", 10_000 if args.quick else 100_000, weeks, repeats)
    size_100k = 10_000 if args.quick else 100_000
    rate_100k = size_100k * weeks / vector_100k["cpu"]
    tiny = measure("vector", 1_000, weeks, repeats)
    fixed_ms = tiny["cpu"] / weeks * 1000
    rows = [
        (
            f"vector / agents, {agents_size:,} x {weeks}, stage_based",
            "29x",
            "100x",
            "300x",
            f"{speedup:,.0f}x",
        ),
        (f"vector, {size_100k:,} x {weeks}", "1.84 M/s", "10 M/s", "20 M/s", f"{rate_100k / 1e6:.2f} M/s"),
        ("cost per week at 1k people (all of it)", "~2.1 ms", "< 0.5 ms", "", f"{fixed_ms:.2f} ms"),
    ]
    if not args.quick:
        big = measure("vector", 1_000_000, 52, 1)
        rows.insert(
            1,
            (
                "vector, 1,000,000 x 52",
                "1.43 M/s, 794 MB",
                "10 M/s, < 1 GB",
                "20 M/s",
                f"{52e6 / big['cpu'] / 1e6:.2f} M/s, {big['peak_mb']:,.0f} MB",
            ),
        )
        first, later = first_run_in_fresh_clone()
        rows.append(
            (
                "first run in a fresh clone (compile); a later process",
                "",
                "< 20 s; < 1 s extra",
                "",
                f"{first:.1f} s; {later:.1f} s",
            )
        )
    widths = [
        max(len(row[i]) for row in rows + [("measure", "before", "required", "goal", "measured")])
        for i in range(5)
    ]
    header = ("measure", "before", "required", "goal", "measured")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(
        f"\nCPU seconds: agents {agents['cpu']:.2f}, vector {vector_small['cpu']:.3f} at {agents_size:,}; "
        f"vector {vector_100k['cpu']:.2f} at {size_100k:,} (peak {vector_100k['peak_mb']:,.0f} MB)"
    )


if __name__ == "__main__":
    main()
