"""``crmlab tournament SUBMISSIONS/``: a class strategy tournament in one command (see :mod:`crmlab.cli`)."""

from __future__ import annotations

import argparse
import sys

from crmlab import arguments
from simulation.cli import (
    MAX_CUSTOMERS,
    MAX_WEEKS,
    _directory,
    _output_directory,
    _parameter_setting,
    _seed,
)
from simulation.experiment import MIN_REPLICATIONS, available_cores
from simulation.tournament.runner import DEFAULT_JOBS, DEFAULT_METRICS, METRICS, SCENARIOS, run_tournament
from simulation.tournament.worker import Limits


def _names(allowed, what: str):
    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",")]
        if not all(names):
            raise argparse.ArgumentTypeError(f"expects {what} names separated by commas, got {text!r}")
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {unknown[0]!r}; choose from {', '.join(allowed)}"
            )
        return names

    return parse


def register(subparsers) -> None:
    """Add ``tournament`` to the ``crmlab`` parser."""
    from simulation.strategies import strategy_names

    parser = subparsers.add_parser(
        "tournament",
        help="run a class strategy tournament on a folder of strategy files",
        description="Run every strategy file in SUBMISSIONS (one f(view, plan) per .py file) in the same "
        "R markets, each in its own time-limited process; disqualify broken entries with a "
        "one-line reason; write leaderboard.csv, runs.csv, forest_plot.png and report.html.",
    )
    parser.add_argument(
        "submissions",
        type=_directory,
        metavar="SUBMISSIONS",
        help="folder of .py files, one entry each (names starting with _ are skipped)",
    )
    parser.add_argument(
        "--out",
        type=_directory,
        required=True,
        metavar="DIR",
        help="directory for the results (created if missing)",
    )
    parser.add_argument(
        "--scenario",
        choices=list(SCENARIOS),
        default="default",
        help="market: " + "; ".join(f"{s.name}: {s.description}" for s in SCENARIOS.values()),
    )
    parser.add_argument(
        "--replications",
        type=arguments.whole_number(MIN_REPLICATIONS, 10_000),
        default=10,
        metavar="R",
        help="markets per entry (common random numbers: market r is the same for everyone); default 10",
    )
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="public root seed, for practice runs students can repeat (default 0)",
    )
    seeds.add_argument(
        "--private-seed",
        type=_seed,
        metavar="N",
        help="the instructor's private root seed for the final ranking (not shown in reports)",
    )
    parser.add_argument(
        "--include",
        type=_names(strategy_names(), "strategy"),
        default=[],
        metavar="A,B",
        help=f"built-in strategies to add as benchmarks: {', '.join(strategy_names())}",
    )
    parser.add_argument(
        "--metrics",
        type=_names(METRICS, "metric"),
        default=list(DEFAULT_METRICS),
        metavar="A,B",
        help=f"metrics on the leaderboard (profit always; it ranks): "
        f"{', '.join(METRICS)}; default {','.join(DEFAULT_METRICS)}",
    )
    parser.add_argument(
        "--customers",
        type=arguments.whole_number(1, MAX_CUSTOMERS),
        default=1000,
        metavar="N",
        help="people in each market (default 1000)",
    )
    parser.add_argument(
        "--weeks",
        type=arguments.whole_number(1, MAX_WEEKS),
        default=104,
        metavar="W",
        help="weeks per market (default 104)",
    )
    parser.add_argument(
        "--set",
        type=_parameter_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="settings",
        help="set a model parameter on top of the scenario (repeatable)",
    )
    parser.add_argument(
        "--jobs",
        type=arguments.whole_number(1, 256),
        default=DEFAULT_JOBS,
        metavar="J",
        help=f"worker processes at once (default {DEFAULT_JOBS}, measured best on 2 cores; "
        f"this machine has {available_cores()})",
    )
    parser.add_argument(
        "--import-limit",
        type=arguments.seconds,
        default=Limits.import_seconds,
        metavar="S",
        help=f"seconds an entry may take to import (default {Limits.import_seconds:g})",
    )
    parser.add_argument(
        "--week-limit",
        type=arguments.seconds,
        default=Limits.week_seconds,
        metavar="S",
        help=f"seconds an entry may plan one week (default {Limits.week_seconds:g})",
    )
    parser.add_argument(
        "--run-limit",
        type=arguments.seconds,
        default=Limits.run_seconds,
        metavar="S",
        help=f"seconds one whole run may take (default {Limits.run_seconds:g})",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the replay that checks each run in a process without student code "
        "(about half the time; then an entry that changes the simulation is not caught)",
    )
    parser.set_defaults(handler=_tournament)


def _tournament(args) -> int:
    settings = dict(args.settings)
    for reserved, flag in (("n_people", "--customers"), ("weeks", "--weeks")):
        if reserved in settings:
            raise ValueError(f"--set {reserved}: use {flag} instead")
    parameters = {**settings, "n_people": args.customers, "weeks": args.weeks}
    if not args.submissions.is_dir():
        what = "is a file; give the folder of submissions" if args.submissions.exists() else "no such folder"
        raise ValueError(f"SUBMISSIONS {args.submissions}: {what}")
    private = args.private_seed is not None
    limits = Limits(
        import_seconds=args.import_limit, week_seconds=args.week_limit, run_seconds=args.run_limit
    )
    with _output_directory(args.out) as out:
        result = run_tournament(
            args.submissions,
            replications=args.replications,
            seed=args.private_seed if private else args.seed,
            private=private,
            scenario=args.scenario,
            include=args.include,
            parameters=parameters,
            metrics=args.metrics,
            jobs=args.jobs,
            limits=limits,
            verify=not args.no_verify,
            progress=None,
        )
        paths = result.write(out)
    board = result.leaderboard
    ranked = board[board["status"] == "ok"]
    print(
        f"{len(ranked)} entries ranked, {len(board) - len(ranked)} disqualified; {result.describe_market()}"
    )
    for _, row in ranked.head(10).iterrows():
        print(
            f"  {int(row['rank']):>3}. {row['entry']}: mean profit {row['profit_mean']:,.0f} CU "
            f"[{row['profit_ci_low']:,.0f}, {row['profit_ci_high']:,.0f}]; told apart from the leader: "
            f"{row['told_apart_from_leader']}"
        )
    for name, reason in result.disqualified.items():
        print(f"  disqualified {name}: {reason}")
    if result.settings["changed_files"]:
        print(
            f"crmlab: note: submission files changed during the tournament: "
            f"{', '.join(result.settings['changed_files'])}",
            file=sys.stderr,
        )
    timing = result.settings
    print(
        f"took {timing['wall_seconds']:,.1f} s of wall time and {timing['cpu_seconds']:,.1f} s "
        f"of CPU time (this process and its workers) with {result.settings['workers']} worker(s)"
    )
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0
