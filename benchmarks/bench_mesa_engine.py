"""Time the Mesa agent engine at classroom size: 1,000 people x 104 weeks (target: under 3 s).

Usage: python benchmarks/bench_mesa_engine.py [--people 1000] [--weeks 104] [--repeats 3]
Prints one row per strategy: best and median wall time of `repeats` runs, and person-weeks per second.
"""

import argparse
import statistics
import time

from simulation import run_simulation, strategy_names

TARGET_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    run_simulation(n_people=50, weeks=2)  # warm up imports and caches outside the timings
    print(f"Mesa agent engine, {args.people:,} people x {args.weeks} weeks, best of {args.repeats}")
    print(f"{'strategy':<12} {'best s':>8} {'median s':>9} {'person-weeks/s':>15} {'target':>8}")
    for strategy in strategy_names():
        times = []
        for repeat in range(args.repeats):
            start = time.perf_counter()
            run_simulation(strategy=strategy, seed=repeat, n_people=args.people, weeks=args.weeks)
            times.append(time.perf_counter() - start)
        best = min(times)
        verdict = "ok" if best < TARGET_SECONDS else "MISSED"
        rate = args.people * args.weeks / best
        print(f"{strategy:<12} {best:8.2f} {statistics.median(times):9.2f} {rate:15,.0f} {verdict:>8}")


if __name__ == "__main__":
    main()
