"""Errors and warnings raised by crm_theory when a transaction log cannot be used as it is."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """A transaction log (a file or a DataFrame) breaks the schema.

    The message is one line. For a file it names the file, the 1-based line (the header is line 1) and the
    problem, e.g. ``orders.csv, line 7: negative amount -3.5 in column 'amount' (amounts must be >= 0)``.
    For a DataFrame it names the column and what the column allows.

    A subclass of ``ValueError`` so that callers (and the ``crmlab`` command) can treat every bad-input
    problem in one ``except ValueError`` clause.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ):
        self.problem = " ".join(str(problem).split())  # one line, whatever the caller passed
        self.file = None if file is None else str(file)
        self.line = line
        self.column = column
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


class ExcludedRowsWarning(UserWarning):
    """Some rows of a transaction log were left out of an analysis; the message says how many and why."""
