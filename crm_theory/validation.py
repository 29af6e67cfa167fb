"""Checks that a transaction log follows the schema every crm_theory function expects.

The schema is the simulation's: ``customer_id`` (integer or string), one time column — ``week`` (integer
simulation week) or ``date`` (datetime64) — and ``amount`` (a number >= 0; zero-amount rows are legal,
negative amounts are errors). Extra columns are kept and ignored.

Nothing is dropped silently: validation either accepts every row or raises :class:`DataError`; functions
that must leave rows out of an analysis (e.g. transactions after the analysis date) call
:func:`report_exclusion`, which warns with the number of rows and the reason.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from crm_theory.errors import DataError, ExcludedRowsWarning

TIME_COLUMNS = ("week", "date")
SCHEMA_HINT = "a transaction log needs columns customer_id, week or date, and amount"


def time_column_of(transactions: pd.DataFrame) -> str:
    """Return ``"week"`` or ``"date"``: the time column this log uses.

    Raises :class:`DataError` if it has neither or both (choosing one silently could mix time scales).
    """
    present = [name for name in TIME_COLUMNS if name in transactions.columns]
    if not present:
        raise DataError(f"missing time column: {SCHEMA_HINT}", column="week")
    if len(present) == 2:
        raise DataError(
            "both 'week' and 'date' columns are present; keep only the one to analyse", column="date"
        )
    return present[0]


def _first_bad_row(mask: pd.Series | np.ndarray, frame: pd.DataFrame) -> str:
    mask = np.asarray(mask, dtype=bool)
    positions = np.flatnonzero(mask)
    label = frame.index[positions[0]]
    more = f" (and {len(positions) - 1} more rows)" if len(positions) > 1 else ""
    return f"row with index {label!r}{more}"


def validate_transactions(transactions: pd.DataFrame, *, name: str = "transactions") -> pd.DataFrame:
    """Check a transaction log and return it with ``amount`` as float64 (the input is not modified).

    Raises :class:`DataError` naming the column, the first offending row and what the column allows.
    """
    if not isinstance(transactions, pd.DataFrame):
        raise DataError(f"{name}: expected a pandas DataFrame, got {type(transactions).__name__}")
    for column in ("customer_id", "amount"):
        if column not in transactions.columns:
            raise DataError(f"{name}: missing column '{column}'; {SCHEMA_HINT}", column=column)
    time_column = time_column_of(transactions)

    customer_id = transactions["customer_id"]
    id_is_text = pd.api.types.is_string_dtype(customer_id) or pd.api.types.is_object_dtype(customer_id)
    if not (pd.api.types.is_integer_dtype(customer_id) or id_is_text) or pd.api.types.is_bool_dtype(
        customer_id
    ):
        raise DataError(
            f"{name}: column 'customer_id' has dtype {customer_id.dtype}; allowed: integers or strings",
            column="customer_id",
        )
    if customer_id.isna().any():
        raise DataError(
            f"{name}: column 'customer_id' is missing in {_first_bad_row(customer_id.isna(), transactions)}; "
            "every transaction needs a customer",
            column="customer_id",
        )

    if pd.api.types.is_object_dtype(customer_id):
        _check_one_id_type(customer_id, transactions, name)

    when = transactions[time_column]
    if time_column == "week":
        if not pd.api.types.is_integer_dtype(when) or pd.api.types.is_bool_dtype(when):
            raise DataError(
                f"{name}: column 'week' has dtype {when.dtype}; allowed: integer week numbers", column="week"
            )
        if when.isna().any():
            raise DataError(
                f"{name}: column 'week' is missing in {_first_bad_row(when.isna(), transactions)}",
                column="week",
            )
        negative = when < 0
        if negative.any():
            raise DataError(
                f"{name}: column 'week' is negative in {_first_bad_row(negative, transactions)}; "
                "allowed: week numbers >= 0",
                column="week",
            )
    else:
        if not pd.api.types.is_datetime64_any_dtype(when):
            raise DataError(
                f"{name}: column 'date' has dtype {when.dtype}; allowed: datetime64 "
                "(parse it with pandas.to_datetime)",
                column="date",
            )
        if when.isna().any():
            raise DataError(
                f"{name}: column 'date' is missing (NaT) in {_first_bad_row(when.isna(), transactions)}",
                column="date",
            )

    amount = transactions["amount"]
    if not pd.api.types.is_numeric_dtype(amount) or pd.api.types.is_bool_dtype(amount):
        raise DataError(
            f"{name}: column 'amount' has dtype {amount.dtype}; allowed: numbers >= 0", column="amount"
        )
    values = amount.to_numpy(dtype=float, na_value=np.nan)
    not_finite = ~np.isfinite(values)
    if not_finite.any():
        raise DataError(
            f"{name}: column 'amount' is missing or infinite in {_first_bad_row(not_finite, transactions)}; "
            "allowed: finite numbers >= 0",
            column="amount",
        )
    negative = values < 0
    if negative.any():
        raise DataError(
            f"{name}: column 'amount' is negative in {_first_bad_row(negative, transactions)}; "
            "allowed: numbers >= 0 (record refunds by reducing the original sale)",
            column="amount",
        )

    with np.errstate(over="ignore"):  # an overflowing sum is the error reported here
        total = values.sum()
    if not np.isfinite(total):
        raise DataError(
            f"{name}: column 'amount': the amounts add up to more than the largest number; record them in a "
            "larger unit (e.g. thousands)",
            column="amount",
        )

    if amount.dtype == np.float64:
        return transactions
    validated = transactions.copy(deep=False)
    validated["amount"] = values
    return validated


def _id_kind(value) -> str:
    if isinstance(value, str):
        return "str"
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return "int"
    return type(value).__name__


def _check_one_id_type(customer_id: pd.Series, frame: pd.DataFrame, name: str) -> None:
    """An object column of ids must hold only integers or only strings: 7 and "7" would be two
    customers, and sorting them fails later with a TypeError."""
    kinds = customer_id.map(_id_kind)
    other = ~kinds.isin(["int", "str"])
    if other.any():
        kind = kinds[other].iloc[0]
        raise DataError(
            f"{name}: column 'customer_id' holds {kind} values (first in {_first_bad_row(other, frame)}); "
            "allowed: integers or strings",
            column="customer_id",
        )
    if kinds.nunique() > 1:
        first_int = customer_id[kinds == "int"].iloc[0]
        first_str = customer_id[kinds == "str"].iloc[0]
        raise DataError(
            f"{name}: column 'customer_id' mixes integers and strings (e.g. {first_int!r} and {first_str!r}, "
            f"{_first_bad_row(kinds == 'str', frame)} is a string); use one type, e.g. "
            "df['customer_id'].astype(str)",
            column="customer_id",
        )


SCHEMA_NAMES = ("customer_id", "week", "date", "amount")


def with_schema_names(transactions: pd.DataFrame, columns=None) -> pd.DataFrame:
    """The log with its columns named as the schema, from a mapping schema name -> the log's own name,
    e.g. ``{"customer_id": "CustomerID", "date": "InvoiceDate", "amount": "Revenue"}``. Only the schema's
    columns are kept (an unmapped column that already has a schema name is used as it is)."""
    if columns is None:
        return transactions
    if not isinstance(transactions, pd.DataFrame):
        return transactions  # validate_transactions says what is wrong
    unknown = [key for key in columns if key not in SCHEMA_NAMES]
    if unknown:
        raise DataError(
            f"columns: unknown schema name(s) {', '.join(map(repr, unknown))}; allowed keys: "
            f"{', '.join(SCHEMA_NAMES)}"
        )
    absent = [source for source in columns.values() if source not in transactions.columns]
    if absent:
        present = ", ".join(map(str, transactions.columns))
        raise DataError(
            f"columns: the log has no column {absent[0]!r} (it has {present})", column=str(absent[0])
        )
    picked = {}
    mapped_time = "week" in columns or "date" in columns
    for schema_name in SCHEMA_NAMES:
        if schema_name in columns:
            picked[schema_name] = transactions[columns[schema_name]]
        elif schema_name in transactions.columns and not (schema_name in ("week", "date") and mapped_time):
            picked[schema_name] = transactions[schema_name]
    return pd.DataFrame(picked, index=transactions.index)


def coerce_time_point(value, time_column: str, *, what: str = "analysis date"):
    """Turn a user-given point in time into the log's time scale: an ``int`` week or a ``pd.Timestamp``."""
    if time_column == "week":
        if isinstance(value, pd.Period):
            raise DataError(f"{what} must be a week number for a log with a 'week' column, got {value!r}")
        if isinstance(value, bool):
            raise DataError(f"{what} must be a week number for a log with a 'week' column, got {value!r}")
        try:
            week = float(value)
        except (TypeError, ValueError):
            raise DataError(
                f"{what} must be a week number for a log with a 'week' column, got {value!r}"
            ) from None
        if not week.is_integer():
            raise DataError(f"{what} must be a whole week number, got {value!r}")
        return int(week)
    if isinstance(value, pd.Period):
        # a period stands for all of its time: observed up to and including its last day
        return value.end_time.floor("D")
    try:
        timestamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise DataError(
            f"{what} must be a date (YYYY-MM-DD) for a log with a 'date' column, got {value!r}"
        ) from None
    if pd.isna(timestamp):
        raise DataError(f"{what} must be a date (YYYY-MM-DD), got {value!r}")
    return timestamp


def report_exclusion(n_rows: int, reason: str, *, what: str = "transactions") -> None:
    """Warn that ``n_rows`` rows were left out of an analysis, and why (never exclude silently)."""
    if n_rows:
        warnings.warn(f"{n_rows} {what} excluded: {reason}", ExcludedRowsWarning, stacklevel=3)
