"""`crmlab`: run the simulation, compare strategies, and analyse transaction logs from the shell.

Bad input exits with status 2 and one line naming the problem, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from simulation.experiment import compare_strategies, run_simulation
from simulation.parameters import ParameterError, Parameters
from simulation.strategies import STRATEGIES, get_strategy

MAX_CUSTOMERS = 5_000_000
MAX_WEEKS = 1040


class UsageError(ValueError):
    """Bad command-line input; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + message; we want one line and status 2
        raise UsageError(message)


def _positive_int(high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer from 1 to {high}, got {text!r}") from None
        if not 1 <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from 1 to {high}, got {value}")
        return value
    return parse


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


def _add_market_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customers", type=_positive_int(MAX_CUSTOMERS), default=1000,
                        metavar="N", help="market size N: people in the market (default 1000)")
    parser.add_argument("--weeks", type=_positive_int(MAX_WEEKS), default=104, metavar="W",
                        help=f"weeks to simulate, 1 to {MAX_WEEKS} (default 104)")
    parser.add_argument("--seed", type=_seed, default=0, metavar="S",
                        help="random seed; the same seed gives identical files (default 0)")
    parser.add_argument("--engine", choices=("agents", "vector"), default=None,
                        help="agents: a Mesa agent per person; vector: numpy arrays, same results, much "
                             "faster (default: agents for run, vector for compare)")
    parser.add_argument("--set", type=_parameter_setting, action="append", default=[], metavar="NAME=VALUE",
                        dest="settings", help="set any model parameter, e.g. --set switching_cost_strength=2 "
                                              "(repeatable; `crmlab parameters` lists them)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="directory for the output CSV files (created if missing)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crmlab", description="CRM Lab: customer-lifecycle simulation and CRM analytics.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    run = commands.add_parser("run", help="simulate one market under one strategy",
                              description="Simulate one market under one strategy and write "
                                          "metrics.csv, transactions.csv and customers.csv.")
    run.add_argument("--strategy", default="stage_based", metavar="NAME",
                     help=f"marketing strategy: {', '.join(STRATEGIES)} (default stage_based)")
    _add_market_options(run)
    run.set_defaults(handler=_run)

    compare = commands.add_parser("compare", help="compare strategies with replications and 95%% CIs",
                                  description="Run each strategy R times (common seeds spawned from "
                                              "--seed) and write comparison.csv: strategy, metric, mean, "
                                              "ci_low, ci_high.")
    compare.add_argument("--strategies", required=True, metavar="A,B,C",
                         help=f"comma-separated strategy names from: {', '.join(STRATEGIES)}")
    compare.add_argument("--replications", type=_positive_int(10_000), default=10,
                         metavar="R", help="replications per strategy (default 10)")
    compare.add_argument("--jobs", type=_jobs, default=1, metavar="J",
                         help="worker processes (default 1; -1 uses every core)")
    _add_market_options(compare)
    compare.set_defaults(handler=_compare)

    listing = commands.add_parser("strategies", help="list the built-in strategies",
                                  description="List the built-in strategies, one line each.")
    listing.set_defaults(handler=_strategies)

    params = commands.add_parser("parameters", help="list the model parameters with defaults and ranges",
                                 description="List every model parameter: default, range and meaning.")
    params.set_defaults(handler=_parameters)

    try:
        from crm_theory.cli import register
    except ImportError:  # the analytics commands come with crm_theory
        register = None
    if register is not None:
        register(commands)
    return parser


def _model_parameters(args) -> dict:
    settings = dict(args.settings)
    for reserved in ("n_people", "weeks"):
        if reserved in settings:
            flag = "--customers" if reserved == "n_people" else "--weeks"
            raise UsageError(f"--set {reserved}: use {flag} instead")
    parameters = {"n_people": args.customers, "weeks": args.weeks, **settings}
    Parameters.from_dict(parameters)
    return parameters


def _writable_directory(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".crmlab-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"--out {path}: cannot write there ({reason})") from None
    return path


def _check_strategy(name: str) -> str:
    if name not in STRATEGIES:
        raise UsageError(f"unknown strategy {name!r}; valid strategies: {', '.join(STRATEGIES)}")
    return name


def _run(args) -> int:
    strategy = _check_strategy(args.strategy)
    parameters = _model_parameters(args)
    out = _writable_directory(args.out)
    result = run_simulation(strategy=strategy, seed=args.seed, engine=args.engine or "agents",
                            progress=None, **parameters)
    paths = result.write(out)
    summary = result.summary()
    print(f"{strategy}: {args.customers} people, {args.weeks} weeks, seed {args.seed}, "
          f"engine {result.engine}")
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {value:,.4f}" if abs(value) < 10 else f"  {key:<{width}}  {value:,.2f}")
    print(f"  customers ever acquired  {len(result.customers):,}; transactions {len(result.transactions):,}")
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


def _compare(args) -> int:
    names = [name.strip() for name in args.strategies.split(",") if name.strip()]
    if not names:
        raise UsageError("--strategies: give at least one strategy name")
    for name in names:
        _check_strategy(name)
    if len(set(names)) != len(names):
        raise UsageError(f"--strategies: each strategy once, got {args.strategies!r}")
    parameters = _model_parameters(args)
    out = _writable_directory(args.out)
    table = compare_strategies(names, replications=args.replications, seed=args.seed,
                               engine=args.engine or "vector", n_jobs=args.jobs, progress=None, **parameters)
    path = out / "comparison.csv"
    table.to_csv(path, index=False)
    with pd.option_context("display.width", 120, "display.max_rows", 500,
                           "display.float_format", "{:,.3f}".format):
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args) or 0)
    except (UsageError, ParameterError, ValueError, OSError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"crmlab: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crmlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
