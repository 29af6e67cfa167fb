"""Argument types shared by every ``crmlab`` subcommand, so that one kind of value is checked, and its
error worded, the same way in each (argparse prefixes the option's name: ``--weeks: must be ...``).

Kept free of heavy imports: each package's CLI imports it, and ``crmlab --help`` loads them all.
"""

from __future__ import annotations

import argparse

#: The longest time limit any subcommand accepts, in seconds: a day.
MAX_SECONDS = 86_400


def whole_number(low: int, high: int):
    """An argparse type for an integer from `low` to `high`, both included."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer from {low} to {high}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}, got {value}")
        return value

    return parse


def seconds(text: str) -> float:
    """An argparse type for a time limit: a number of seconds above 0 and at most a day."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be a number of seconds in (0, {MAX_SECONDS}], got {text!r}")
    return value
