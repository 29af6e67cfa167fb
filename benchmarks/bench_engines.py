"""The engines against their targets: speed-up over the agent engine, person-weeks per second, memory,
the fixed cost of a week, and the first (compiling) run.

Usage: python benchmarks/bench_engines.py [--quick] [--before COMMIT]

Times are CPU seconds of the measuring process (the machine is shared and noisy), the minimum of three
repeats, each configuration in a fresh process so that its peak resident memory is its own; the first
run in a fresh clone is the CPU seconds of its whole process, the minimum over three fresh copies. The table
has the figures measured when the targets were set ("filed"), the required targets and the goals.

Because the machine's speed drifts from hour to hour, the engine as it was before the rebuild (commit
`--before`, taken from this clone's git history) is measured in the same run, alternating with today's
engine, on the same markets: the "speed-up" column is their ratio, and "needed" the ratio the required
figure asks of the filed one. Without git history that comparison is left out, with a note.
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
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent


#: The last commit before the engine rebuild (issue 10): the engine the targets were set against.
BEFORE_REBUILD = "2027012f574f923e3c61bd21886b0d27a4ab8cdb"


def _run(engine: str, people: int, weeks: int, repeats: int, queue, tree: str | None = None) -> None:
    if tree is not None:  # another version of the sources: its packages come first on the path
        sys.path.insert(0, tree)
    from simulation import CustomerLifecycleModel

    # Warm up on a market that reaches every stage and ranks groups large enough for every path of the
    # selection (more than selection._FEW people), so that no compiled function is first loaded from
    # numba's cache (or compiled) inside a timed run.
    CustomerLifecycleModel(strategy="stage_based", seed=2, engine=engine, n_people=8000, weeks=40).run()
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


def measure(engine: str, people: int, weeks: int, repeats: int, tree: str | None = None) -> dict:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(engine, people, weeks, repeats, queue, tree))
    process.start()
    while True:  # a child that dies (say, an old commit that no longer imports) must not hang the run
        try:
            row = queue.get(timeout=1.0)
            break
        except Empty:
            if not process.is_alive():
                where = f"the sources of {tree}" if tree else "this tree"
                raise SystemExit(
                    f"bench_engines: the {engine} engine from {where} stopped with exit code "
                    f"{process.exitcode} before reporting ({people:,} people x {weeks} weeks); "
                    "its traceback is above"
                ) from None
    process.join()
    return row


def first_run_in_fresh_clone(repeats: int) -> tuple[float, float, float]:
    """The first run in a fresh copy of the sources, where numba compiles: CPU seconds of the whole
    process, Python's imports included. Then a later process, where numba loads its cache: the CPU
    seconds of the whole process, and what its first run costs over an identical second run in the
    same process (the cache's extra). Each is the minimum over `repeats` fresh copies. The market is
    the warm-up's, large enough to use every compiled function (a 1,000-person market leaves the
    selection's paths for large groups uncompiled, about 3 s of a larger market's first run)."""
    code = (
        "import time, sys; from simulation import run_simulation\n"
        "def run():\n"
        "    start = time.process_time()\n"
        "    run_simulation('stage_based', seed=2, engine='vector', n_people=8000, weeks=40)\n"
        "    return time.process_time() - start\n"
        "first = run(); second = run(); print(first - second)\n"
    )
    first = later = extra = float("inf")
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "crmlab"
            shutil.copytree(
                ROOT,
                copy,
                ignore=shutil.ignore_patterns(".venv", "__pycache__", ".git", "build", "*.ipynb", "datasets"),
            )
            env = {**os.environ, "PYTHONPATH": str(copy)}
            seconds = []
            for _ in range(2):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                done = subprocess.run(
                    [sys.executable, "-c", code],
                    cwd=copy,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                seconds.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            first, later = min(first, seconds[0]), min(later, seconds[1])
            extra = min(extra, float(done.stdout.split()[-1]))
    return first, later, extra


def checkout(commit: str, folder: Path) -> Path | None:
    """The sources of `commit` from this clone's git history, unpacked into `folder` (None, with a
    note on standard error, if there is no history or no such commit)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "simulation", "crm_theory"],
        capture_output=True,
    )
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        print(
            f"note: cannot read commit {commit[:12]} from git ({message[-1] if message else 'no git'}); "
            "the table leaves out the same-run comparison with the engine before the rebuild",
            file=sys.stderr,
        )
        return None
    tree = folder / f"before-{commit[:12]}"
    tree.mkdir()
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def paired(
    engine: str, people: int, weeks: int, rounds: int, tree: Path | None, runs: int = 1
) -> tuple[dict, dict | None]:
    """Today's engine and the engine in `tree`, measured alternately (`rounds` rounds of a fresh process
    each, `runs` runs in each process; the minimum of all), so that a slow spell of the machine falls
    on both. Short runs need several per process: the first few after the warm-up are slower."""
    now = before = None
    for _ in range(rounds):
        row = measure(engine, people, weeks, runs)
        now = row if now is None or row["cpu"] < now["cpu"] else now
        if tree is not None:
            row = measure(engine, people, weeks, runs, str(tree))
            before = row if before is None or row["cpu"] < before["cpu"] else before
    return now, before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, smaller markets, no 1M run")
    parser.add_argument(
        "--before",
        default=BEFORE_REBUILD,
        metavar="COMMIT",
        help="the commit whose engine is measured alongside (default: the last one before the rebuild)",
    )
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    weeks = 104
    with tempfile.TemporaryDirectory() as folder:
        tree = checkout(args.before, Path(folder))
        rows = _rows(args.quick, repeats, weeks, tree)
    header = ("measure", "filed", "required", "goal", "measured", "before, this run", "speed-up", "needed")
    widths = [max(len(row[i]) for row in [*rows, header]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def _rows(quick: bool, repeats: int, weeks: int, tree: Path | None) -> list[tuple[str, ...]]:
    """One row per target: measure, filed, required, goal, measured, before (this run), speed-up over
    before, and the speed-up the required figure asks of the filed one."""

    def compared(now_rate: float, before: dict | None, before_rate: float, needed: float, unit: str):
        if before is None:
            return ("", "", f"{needed:.1f}x")
        return (f"{before_rate:.2f} {unit}", f"{now_rate / before_rate:.1f}x", f"{needed:.1f}x")

    agents_size = 1_000 if quick else 10_000
    agents = measure("agents", agents_size, weeks, repeats)  # the minimum of three, as for the vector
    vector_small = measure("vector", agents_size, weeks, repeats)
    speedup = agents["cpu"] / vector_small["cpu"]
    size_100k = 10_000 if quick else 100_000
    now, before = paired("vector", size_100k, weeks, repeats, tree)
    rate = size_100k * weeks / now["cpu"] / 1e6
    before_rate = size_100k * weeks / before["cpu"] / 1e6 if before else 0.0
    rows = [
        (
            f"vector / agents, {agents_size:,} x {weeks}, stage_based",
            "29x",
            "100x",
            "300x",
            f"{speedup:,.0f}x",
        )
        + ("", "", ""),
        (f"vector, {size_100k:,} x {weeks}", "1.84 M/s", "10 M/s", "20 M/s", f"{rate:.2f} M/s")
        + compared(rate, before, before_rate, 10 / 1.84, "M/s"),
    ]
    tiny, tiny_before = paired("vector", 1_000, weeks, repeats, tree, runs=5)
    fixed_ms = tiny["cpu"] / weeks * 1000
    before_ms = tiny_before["cpu"] / weeks * 1000 if tiny_before else 0.0
    row = ("cost per week at 1k people (all of it)", "~2.1 ms", "< 0.5 ms", "", f"{fixed_ms:.2f} ms")
    if tiny_before is None:
        rows.append(row + ("", "", f"{2.1 / 0.5:.1f}x"))
    else:
        rows.append(row + (f"{before_ms:.2f} ms", f"{before_ms / fixed_ms:.1f}x", f"{2.1 / 0.5:.1f}x"))
    if not quick:
        big, big_before = paired("vector", 1_000_000, 52, repeats, tree)
        big_rate = 52 / big["cpu"]
        big_before_rate = 52 / big_before["cpu"] if big_before else 0.0
        rows.insert(
            1,
            (
                "vector, 1,000,000 x 52",
                "1.43 M/s, 794 MB",
                "10 M/s, < 1 GB",
                "20 M/s",
                f"{big_rate:.2f} M/s, {big['peak_mb']:,.0f} MB",
            )
            + compared(big_rate, big_before, big_before_rate, 10 / 1.43, "M/s"),
        )
        first, later, extra = first_run_in_fresh_clone(repeats)
        rows.append(
            ("first run in a fresh clone (compile); a later run, extra", "", "< 20 s; < 1 s extra", "")
            + (f"{first:.1f} s; {extra:.2f} s ({later:.1f} s in all)", "", "", "")
        )
    print(
        f"CPU seconds: agents {agents['cpu']:.2f}, vector {vector_small['cpu']:.3f} at {agents_size:,}; "
        f"vector {now['cpu']:.2f} at {size_100k:,} (peak {now['peak_mb']:,.0f} MB)"
        + (f", before the rebuild {before['cpu']:.2f}" if before else "")
        + "\n"
    )
    return rows


if __name__ == "__main__":
    main()
