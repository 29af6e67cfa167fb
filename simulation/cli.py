"""The simulation's ``crmlab`` subcommands: ``run``, ``compare``, ``strategies`` and ``parameters``.

:func:`register` adds them to the ``crmlab`` parser, whose entry point is :mod:`crmlab.cli`. Handlers
leave the checking of strategies and parameters to the library (`get_strategy`, `Parameters`,
`compare_strategies`) and let its ``ValueError`` through; the entry point prints it as one line with
exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from crmlab import arguments
from simulation.experiment import (
    MIN_REPLICATIONS,
    available_cores,
    compare_strategies,
    run_simulation,
)
from simulation.parameters import Parameters, preset_names, preset_values
from simulation.strategies import STRATEGIES, get_strategy

MAX_CUSTOMERS = 5_000_000
MAX_WEEKS = 1040


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be a positive integer or -1 (all cores), got {text!r}")
    return value


def _parameter_setting(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expects NAME=VALUE, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: value must be a number, got {value!r}") from None
    return name.strip(), number


def _directory(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "give a directory name (an empty name would write into the current directory)"
        )
    return Path(text)


def _add_market_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--customers",
        type=arguments.whole_number(1, MAX_CUSTOMERS),
        default=1000,
        metavar="N",
        help="market size N: people in the market (default 1000)",
    )
    parser.add_argument(
        "--weeks",
        type=arguments.whole_number(1, MAX_WEEKS),
        default=104,
        metavar="W",
        help=f"weeks to simulate, 1 to {MAX_WEEKS} (default 104)",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="S",
        help="random seed; the same seed gives identical files (default 0)",
    )
    parser.add_argument(
        "--engine",
        choices=("agents", "vector"),
        default=None,
        help="agents: a Mesa agent per person; vector: numpy arrays, same results, much "
        "faster (default: agents for run, vector for compare)",
    )
    parser.add_argument(
        "--set",
        type=_parameter_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="settings",
        help="set any model parameter, e.g. --set switching_cost_strength=2 "
        "(repeatable; `crmlab parameters` lists them)",
    )
    parser.add_argument(
        "--preset",
        default=None,
        metavar="NAME",
        help=f"start from a named market preset ({', '.join(preset_names()) or 'none yet'}; "
        "see simulation/presets/NAME.md); --set changes it further",
    )
    parser.add_argument(
        "--out",
        type=_directory,
        required=True,
        metavar="DIR",
        help="directory for the output CSV files (created if missing)",
    )


def register(subparsers) -> None:
    """Add ``run``, ``compare``, ``strategies`` and ``parameters`` to the ``crmlab`` parser (`crmlab.cli`)."""
    run = subparsers.add_parser(
        "run",
        help="simulate one market under one strategy",
        description="Simulate one market under one strategy and write "
        "metrics.csv, transactions.csv, customers.csv, actions.csv, category_spend.csv and "
        "transaction_lines.csv.",
    )
    run.add_argument(
        "--strategy",
        default="stage_based",
        metavar="NAME",
        help=f"marketing strategy: {', '.join(STRATEGIES)} (default stage_based)",
    )
    _add_market_options(run)
    run.set_defaults(handler=_run)

    compare = subparsers.add_parser(
        "compare",
        help="compare strategies with replications and 95%% CIs",
        description="Run each strategy R times (common seeds spawned from "
        "--seed) and write comparison.csv: strategy, metric, mean, "
        "ci_low, ci_high.",
    )
    compare.add_argument(
        "--strategies",
        required=True,
        metavar="A,B,C",
        help=f"comma-separated strategy names from: {', '.join(STRATEGIES)}",
    )
    compare.add_argument(
        "--replications",
        type=arguments.whole_number(MIN_REPLICATIONS, 10_000),
        default=10,
        metavar="R",
        help=f"replications per strategy, at least {MIN_REPLICATIONS} for a confidence interval (default 10)",
    )
    compare.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="J",
        help=f"worker processes, at most the machine's cores ({available_cores()} here; "
        "-1 uses them all). Default 1: each worker first spends about 2 s importing, "
        "which outweighs the gain for runs of a few seconds",
    )
    _add_market_options(compare)
    compare.set_defaults(handler=_compare)

    listing = subparsers.add_parser(
        "strategies",
        help="list the built-in strategies",
        description="List the built-in strategies, one line each.",
    )
    listing.set_defaults(handler=_strategies)

    params = subparsers.add_parser(
        "parameters",
        help="list the model parameters with defaults and ranges",
        description="List every model parameter: default, range and meaning.",
    )
    params.set_defaults(handler=_parameters)


def _model_parameters(args) -> dict:
    """The model parameters the options give (the library checks them when the model is built)."""
    settings = dict(args.settings)
    for reserved, flag in (("n_people", "--customers"), ("weeks", "--weeks")):
        if reserved in settings:
            raise ValueError(f"--set {reserved}: use {flag} instead")
    preset = preset_values(args.preset) if args.preset is not None else {}
    return {**preset, "n_people": args.customers, "weeks": args.weeks, **settings}


@contextmanager
def _output_directory(path: Path) -> Iterator[Path]:
    """Make the output directory before the work starts (a run is not lost to an unwritable --out), and
    remove what was made if the library then refuses the input, so that bad input leaves nothing behind."""
    if path.exists() and not path.is_dir():
        raise ValueError(f"--out {path}: is a file; give a directory for the output files")
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".crmlab-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ValueError(f"--out {path}: cannot write there ({reason})") from None
    try:
        yield path
    except BaseException:
        for folder in missing:  # innermost first; only folders this command made, and only if empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def _run(args) -> int:
    strategy = get_strategy(args.strategy)
    parameters = _model_parameters(args)
    with _output_directory(args.out) as out:
        result = run_simulation(
            strategy=strategy, seed=args.seed, engine=args.engine or "agents", progress=None, **parameters
        )
        paths = result.write(out)
    summary = result.summary()
    print(
        f"{strategy.name}: {args.customers} people, {args.weeks} weeks, seed {args.seed}, "
        f"engine {result.engine}"
    )
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {value:,.4f}" if abs(value) < 10 else f"  {key:<{width}}  {value:,.2f}")
    print(f"  customers ever acquired  {len(result.customers):,}; transactions {len(result.transactions):,}")
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


def _compare(args) -> int:
    names = [name.strip() for name in args.strategies.split(",")]
    if not all(names):
        raise ValueError(f"--strategies: expects names separated by commas, got {args.strategies!r}")
    parameters = _model_parameters(args)
    cores = available_cores()
    jobs = cores if args.jobs == -1 else args.jobs
    if jobs > cores:  # more processes than cores only add start-up cost
        print(
            f"crmlab: note: --jobs {jobs} reduced to {cores}: this machine has {cores} CPU "
            f"core{'s' if cores > 1 else ''}",
            file=sys.stderr,
        )
        jobs = cores
    with _output_directory(args.out) as out:
        table = compare_strategies(
            names,
            replications=args.replications,
            seed=args.seed,
            engine=args.engine or "vector",
            n_jobs=jobs,
            progress=None,
            **parameters,
        )
        path = out / "comparison.csv"
        table.to_csv(path, index=False)
    with pd.option_context(
        "display.width", 120, "display.max_rows", 500, "display.float_format", "{:,.3f}".format
    ):
        print(table.to_string(index=False))
    print(f"wrote {path}")
    return 0


def _strategies(args) -> int:
    width = max(len(name) for name in STRATEGIES)
    for name in STRATEGIES:
        print(f"{name:<{width}}  {get_strategy(name).description}")
    return 0


def _parameters(args) -> int:
    table = Parameters.describe()
    for name, row in table.iterrows():
        bounds = f"[{row['low']:g}, {row['high']:g}]"
        print(f"{name}  default {row['default']!r}  range {bounds}  {row['meaning']}")
    return 0
