"""The ``crmlab`` command: a parser that each package fills with its own subcommands.

A package offers subcommands through a ``register(subparsers)`` function that adds them with
``subparsers.add_parser(...)`` and gives each a ``handler`` default: a function ``handler(args) -> int``.
Adding a package's commands is one line in :data:`COMMAND_PACKAGES`.

The contract for every handler: bad input raises ``ValueError`` (the libraries' ``ParameterError`` and
``DataError`` are ``ValueError`` subclasses) or ``OSError``; :func:`main` prints it as one line,
``crmlab: error: ...``, and exits with status 2, never with a traceback. Warnings a library raises
while a command runs are printed as one-line ``crmlab: note: ...`` on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable

import crm_theory.cli
import exercises.grade
import simulation.cli
import simulation.sweeps
import simulation.tournament.cli

#: Every ``register(subparsers)`` function, in the order their commands appear in ``crmlab --help``.
COMMAND_PACKAGES: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    simulation.cli.register,
    crm_theory.cli.register,
    simulation.tournament.cli.register,
    exercises.grade.register,
    simulation.sweeps.register,
)


class UsageError(ValueError):
    """Bad command-line syntax (unknown option, missing argument, ...); one line and exit status 2."""


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the usage and exits; we want one line and status 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The ``crmlab`` parser with every registered subcommand."""
    parser = _OneLineParser(
        prog="crmlab", description="CRM Lab: customer-lifecycle simulation and CRM analytics."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    commands.required = True
    for register in COMMAND_PACKAGES:
        register(commands)
    return parser


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _print_note(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"crmlab: note: {_first_line(Warning(message))}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one ``crmlab`` command; returns the exit status (0 ok, 2 bad input, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        with warnings.catch_warnings():
            warnings.showwarning = _print_note
            status = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe must show up here, not at interpreter exit
        return status
    except BrokenPipeError:
        # the reader stopped early (`crmlab ... | head`): not an error; silence the final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError) as error:
        print(f"crmlab: error: {_first_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crmlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
