"""How often the observed stage (crm_theory.lifecycle) names the simulation's true stage.

Runs default markets (vector engine; by default 3 seeds x 2 strategies, 2,500 people, 104 weeks), reads
each run's transaction log with :func:`crm_theory.observed_stage` as of the last week, and compares it
with the true stage of every person who ever bought (``result.customers["stage"]`` at the end of the run).
Prints, as Markdown tables for docs/observed-stage.md: accuracy and Cohen's kappa of each run, and recall
and precision by stage over all runs pooled. ``--sensitivity`` also varies each threshold around its
calibrated value, the others fixed, and prints the pooled accuracy and kappa of each value (the logs are
simulated once; only the classification is repeated).

    .venv/bin/python benchmarks/observed_stage_accuracy.py [--seeds 0 1 2] [--sensitivity]
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
from pathlib import Path

import pandas as pd

from crm_theory.lifecycle import CALIBRATED_THRESHOLDS, OBSERVED_STAGES, observed_stage, stage_agreement

#: Values tried for each threshold by --sensitivity (the calibrated value is among them).
SENSITIVITY = {
    "fast_smoothing": (0.08, 0.1, 0.15, 0.2, 0.3),
    "slow_smoothing": (0.02, 0.03, 0.04, 0.06, 0.08),
    "lapsed_after_weeks": (8, 12, 16, 20, 26),
    "new_customer_weeks": (4, 8, 12, 16, 20),
    "stable_after_weeks": (12, 16, 20, 26, 32),
    "stable_purchases": (2, 3, 4, 6, 8),
    "decline_spend_ratio": (0.2, 0.3, 0.4, 0.5, 0.6),
}


def engine_version() -> str:
    """Where the simulation package was imported from, and its git commit ("+ changes" if it differs)."""
    import simulation

    package = Path(simulation.__file__).resolve().parent
    git = ["git", "-C", str(package)]
    try:
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "."], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{package} (not in a git checkout)"
    return f"{package} at commit {commit}" + (" + uncommitted changes" if dirty else "")


def simulate(seeds, strategies, people: int, weeks: int) -> list[tuple[str, int, pd.DataFrame, pd.Series]]:
    from simulation import run_simulation

    runs = []
    for strategy in strategies:
        for seed in seeds:
            result = run_simulation(strategy, seed=seed, engine="vector", n_people=people, weeks=weeks)
            truth = result.customers.set_index("customer_id")["stage"].astype(str)
            runs.append((strategy, seed, result.transactions, truth))
    return runs


def agreements(runs, weeks: int, rules=CALIBRATED_THRESHOLDS):
    """Agreement of each run, and of all runs pooled (customers of different runs kept apart)."""
    per_run, observed_all, true_all = [], [], []
    for strategy, seed, transactions, truth in runs:
        observed = observed_stage(transactions, weeks, rules=rules)["stage"]
        per_run.append((strategy, seed, stage_agreement(observed, truth)))
        observed_all.append(observed)
        true_all.append(truth)
    keys = range(len(runs))  # the run number keeps the same customer_id of different runs apart
    return per_run, stage_agreement(pd.concat(observed_all, keys=keys), pd.concat(true_all, keys=keys))


def markdown(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    rule = "|" + "|".join("---:" if is_number else "---" for is_number in numeric) + "|"
    rows = [
        "| " + " | ".join(format(v, floatfmt) if isinstance(v, float) else str(v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--strategies", nargs="+", default=["stage_based", "none"])
    parser.add_argument("--people", type=int, default=2500)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--sensitivity", action="store_true", help="also vary each threshold")
    args = parser.parse_args(argv)

    print(f"simulation: {engine_version()}")
    print(
        f"vector engine, {args.people:,} people, {args.weeks} weeks, "
        f"strategies {', '.join(args.strategies)}, seeds {', '.join(map(str, args.seeds))}"
    )
    runs = simulate(args.seeds, args.strategies, args.people, args.weeks)
    per_run, pooled = agreements(runs, args.weeks)

    print("\nAgreement with the true stage, per run (people who ever bought):\n")
    table = pd.DataFrame(
        [(s, seed, a.n_compared, a.accuracy, a.kappa) for s, seed, a in per_run],
        columns=["strategy", "seed", "people", "accuracy", "kappa"],
    )
    mean = ("mean", "", int(table["people"].mean()), table["accuracy"].mean(), table["kappa"].mean())
    pool = ("all runs pooled", "", pooled.n_compared, pooled.accuracy, pooled.kappa)
    print(markdown(pd.concat([table, pd.DataFrame([mean, pool], columns=table.columns)], ignore_index=True)))

    print(
        "\nBy stage, all runs pooled (recall: share of the people truly in the stage that the rule names;"
        "\nprecision: share of the people the rule puts in the stage that are truly there):\n"
    )
    stages = pooled.per_stage.loc[list(OBSERVED_STAGES)]
    by_stage = pd.DataFrame(
        {
            "stage": stages.index,
            "true share": stages["true_count"].to_numpy() / pooled.n_compared,
            "observed share": stages["observed_count"].to_numpy() / pooled.n_compared,
            "recall": stages["recall"].to_numpy(),
            "precision": stages["precision"].to_numpy(),
        }
    )
    print(markdown(by_stage))
    print("\nConfusion, all runs pooled (rows: true stage, columns: observed stage):\n")
    confusion = pooled.confusion.loc[list(OBSERVED_STAGES), list(OBSERVED_STAGES)]
    print(markdown(confusion.reset_index().rename(columns={"true": "true \\ observed"}), "d"))

    if args.sensitivity:
        print("\nSensitivity: each threshold varied alone, all runs pooled (* calibrated value):\n")
        rows = []
        for name, values in SENSITIVITY.items():
            for value in values:
                rules = dataclasses.replace(CALIBRATED_THRESHOLDS, **{name: value})
                _, varied = agreements(runs, args.weeks, rules)
                mark = "*" if value == getattr(CALIBRATED_THRESHOLDS, name) else ""
                rows.append((name, f"{value}{mark}", varied.accuracy, varied.kappa))
        print(markdown(pd.DataFrame(rows, columns=["threshold", "value", "accuracy", "kappa"])))


if __name__ == "__main__":
    main()
