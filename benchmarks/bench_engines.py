"""Both engines side by side: seconds, person-weeks per second, speed-up and peak memory.

Usage: python benchmarks/bench_engines.py [--quick]

Each configuration runs in a fresh process, so its peak resident memory (ru_maxrss) is its own. Targets
on a 2-core machine: the vector engine at least 100x the agent engine at 10k people; at least 5 million
person-weeks per second at 100k people; 1 million people x 52 weeks within 8 GB. The agent engine skips
sizes where it would take over five minutes (estimated from the smaller runs).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

AGENT_LIMIT_SECONDS = 300


def _run(engine: str, people: int, weeks: int, queue) -> None:
    from simulation import CustomerLifecycleModel

    start = time.perf_counter()
    model = CustomerLifecycleModel(strategy="stage_based", seed=1, engine=engine, n_people=people,
                                   weeks=weeks)
    built = time.perf_counter()
    result = model.run()
    done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    queue.put({"build": built - start, "run": done - built, "peak_mb": peak_mb,
               "transactions": len(result.transactions)})


def measure(engine: str, people: int, weeks: int) -> dict:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(engine, people, weeks, queue))
    process.start()
    row = queue.get()
    process.join()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100k agent run and the 1M run")
    args = parser.parse_args()

    weeks = 104
    sizes = [1_000, 10_000, 100_000]
    header = (f"{'people':>9} {'weeks':>5} {'engine':>7} {'build s':>8} {'run s':>8} {'person-weeks/s':>15} "
              f"{'vs agents':>9} {'peak MB':>8}")
    print(header)
    print("-" * len(header))
    agent_rate = None
    for people in sizes:
        results = {}
        for engine in ("agents", "vector"):
            if engine == "agents" and agent_rate and people * weeks / agent_rate > AGENT_LIMIT_SECONDS:
                print(f"{people:>9,} {weeks:>5} {engine:>7}   skipped: estimated "
                      f"{people * weeks / agent_rate:,.0f} s at {agent_rate:,.0f} person-weeks/s")
                continue
            if engine == "agents" and args.quick and people > 10_000:
                continue
            row = measure(engine, people, weeks)
            rate = people * weeks / row["run"]
            results[engine] = rate
            if engine == "agents":
                agent_rate = rate
            ratio = f"{rate / results['agents']:.0f}x" if engine == "vector" and "agents" in results else ""
            print(f"{people:>9,} {weeks:>5} {engine:>7} {row['build']:8.2f} {row['run']:8.2f} {rate:15,.0f} "
                  f"{ratio:>9} {row['peak_mb']:8,.0f}")
    if not args.quick:
        row = measure("vector", 1_000_000, 52)
        rate = 1_000_000 * 52 / row["run"]
        verdict = "within" if row["peak_mb"] <= 8 * 1024 else "OVER"
        print(f"{1_000_000:>9,} {52:>5} {'vector':>7} {row['build']:8.2f} {row['run']:8.2f} {rate:15,.0f} "
              f"{'':>9} {row['peak_mb']:8,.0f}  ({verdict} 8 GB)")


if __name__ == "__main__":
    main()
