"""Loading transaction logs from files: the bundled CDNOW data and a user's own CSV files.

Every loader returns the standard schema (``customer_id``, ``date`` as datetime64, ``amount``) and checks
every row: a malformed file raises :class:`~crm_theory.errors.DataError` naming the file, the 1-based line
(the header, if any, is line 1) and the problem. Nothing is dropped, merged or shifted: customer ids in a
CSV file are kept as the text written (``007``, ``7`` and ``7.0`` are three customers), and a row with more
fields than the header is an error, never read with its columns shifted.

The CDNOW files are the ones shipped in the ``lifetimes`` 0.11.3 wheel; ``datasets/cdnow/README.md`` is
their data card. They are read here without ``lifetimes`` (unmaintained, and broken on pandas 3).
"""

from __future__ import annotations

import csv
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.validation import SCHEMA_HINT, validate_transactions

BUNDLED_DATASETS = {
    "cdnow-sample": Path("cdnow") / "CDNOW_sample.txt",
    "cdnow-master": Path("cdnow") / "CDNOW_master.txt",
}
CDNOW_SAMPLE_COLUMNS = ("customer_id", "sample_id", "date", "quantity", "amount")
CDNOW_MASTER_COLUMNS = ("customer_id", "date", "quantity", "amount")


def datasets_dir() -> Path:
    """The repository's ``datasets/`` folder (crm_theory is installed editable from the repository root)."""
    folder = Path(__file__).resolve().parent.parent / "datasets"
    if not folder.is_dir():
        raise DataError(
            f"{folder}: data folder not found; crm_theory must be installed from a checkout of "
            "the CRM Lab repository (pip install -e .) for the bundled data sets to be found"
        )
    return folder


def bundled_dataset_path(name: str) -> Path:
    """Path of a bundled data set by name (``cdnow-sample`` or ``cdnow-master``)."""
    if name not in BUNDLED_DATASETS:
        raise DataError(f"unknown data set {name!r}; bundled data sets: {', '.join(BUNDLED_DATASETS)}")
    path = datasets_dir() / BUNDLED_DATASETS[name]
    if not path.is_file():
        raise DataError(f"{path}: bundled data file is missing from the checkout")
    return path


def load_cdnow_sample() -> pd.DataFrame:
    """The CDNOW 1/10 sample: 2,357 customers, 6,919 transactions, Jan 1997 - Jun 1998.

    Columns: ``customer_id`` (the master file's id, so sample and master customers match), ``sample_id``
    (1-2357), ``date``, ``quantity`` (number of CDs), ``amount`` (US dollars).
    """
    return read_cdnow(bundled_dataset_path("cdnow-sample"))


def load_cdnow_master() -> pd.DataFrame:
    """The full CDNOW cohort: 23,570 customers, 69,659 transactions; columns as :func:`load_cdnow_sample`
    without ``sample_id``."""
    return read_cdnow(bundled_dataset_path("cdnow-master"))


#: The BG/BB donation data of Fader, Hardie & Shang (2010): a summary table, not a transaction log.
DONATIONS_FILE = Path("donations") / "donations.csv"


def load_donations() -> pd.DataFrame:
    """The repeat-donation data of Fader, Hardie & Shang (2010, Table 1): the 11,104 people who first
    donated to a US non-profit in 1995, and whether they donated again in each of the 6 annual fund
    drives 1996-2001. One row per (x, t_x, n) pattern: ``frequency`` (repeat donations), ``recency``
    (year of the last, 1-6; 0 for none), ``n_periods`` (6) and ``customers`` (how many donors share the
    pattern). Fit with ``BetaGeoBetaBinomModel(time_unit="year").fit(data, weights="customers")``.
    Data card: ``datasets/donations/README.md``.
    """
    path = datasets_dir() / DONATIONS_FILE
    if not path.is_file():
        raise DataError(f"{path}: bundled data file is missing from the checkout")
    table = pd.read_csv(path, dtype="int64")
    expected = ["frequency", "recency", "periods", "weights"]
    if list(table.columns) != expected:
        raise DataError(f"columns {list(table.columns)}, expected {expected}", file=path, line=1)
    return table.rename(columns={"periods": "n_periods", "weights": "customers"})


def load_transactions(source: str | Path) -> pd.DataFrame:
    """A transaction log from a bundled data set name (``cdnow-sample``, ``cdnow-master``) or a CSV file."""
    if str(source) in BUNDLED_DATASETS:
        return read_cdnow(bundled_dataset_path(str(source)))
    if not Path(source).exists() and not Path(source).suffix:
        # a bare word that is no file was most likely meant as a data set name
        raise DataError(
            f"no such file, and not a bundled data set ({', '.join(BUNDLED_DATASETS)})", file=source
        )
    return read_transactions_csv(source)


# ----------------------------------------------------------------------------------------------------------
# helpers shared by both file formats


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise DataError("file not found", file=path)
    if path.is_dir():
        raise DataError("is a directory, not a file", file=path)
    if not path.is_file():
        raise DataError("not a regular file", file=path)


def _non_blank_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of each line that has something on it."""
    # utf-8-sig: spreadsheet programs often start a CSV file with a byte-order mark
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text


def _first_line(path: Path, empty_message: str) -> tuple[int, str]:
    """(line number, text) of the first non-blank line of a readable UTF-8 file; clear errors otherwise."""
    _check_readable(path)
    try:
        first = next(_non_blank_lines(path), None)
    except UnicodeDecodeError:
        raise DataError("not a UTF-8 text file", file=path) from None
    if first is None:
        raise DataError(empty_message, file=path, line=1)
    return first


def _record_line_numbers(path: Path, skip_header: bool) -> list[int]:
    """Line number of every data record, in the order pandas reads them (blank lines are skipped).

    Only used once something is wrong, so the fast path never reads a file twice.
    """
    numbers = [number for number, _ in _non_blank_lines(path)]
    return numbers[1:] if skip_header else numbers


def _raise_at_record(
    path: Path, line_numbers: Callable[[], list[int]], bad: np.ndarray, problem: Callable[[int], str]
) -> None:
    """Raise a DataError at the first record where ``bad`` is true; ``problem(i)`` describes record ``i``.

    ``line_numbers`` is called only then: finding line numbers rereads the file.
    """
    positions = np.flatnonzero(bad)
    if len(positions) == 0:
        return
    first = int(positions[0])
    more = f" (and {len(positions) - 1} more lines like it)" if len(positions) > 1 else ""
    raise DataError(problem(first) + more, file=path, line=line_numbers()[first])


def _missing(values: pd.Series) -> np.ndarray:
    return (values.isna() | (values.astype("str").str.strip() == "")).to_numpy()


def _parse_customer_ids(path, ids: pd.Series, lines: Callable[[], list[int]]) -> pd.Series:
    """Customer ids as the text written (surrounding spaces aside): converting them to numbers would
    merge ``007``, ``7`` and ``7.0`` into one customer."""
    _raise_at_record(path, lines, _missing(ids), lambda i: "missing value in column 'customer_id'")
    return ids.str.strip()


def _parse_numbered_ids(path, ids: pd.Series, lines: Callable[[], list[int]], what: str) -> pd.Series:
    """Whole-number ids written zero-padded to a fixed width (the CDNOW files) as integers.

    Two spellings of one number (``00001`` and ``1``) would become one customer: that is an error.
    """
    _raise_at_record(path, lines, _missing(ids), lambda i: f"missing value in column '{what}'")
    text = ids.str.strip()
    _raise_at_record(
        path,
        lines,
        ~text.str.fullmatch(r"[0-9]+").to_numpy(dtype=bool),
        lambda i: f"{what} {text.iloc[i]!r} is not a whole number",
    )
    numbers = text.astype("int64")
    first_spelling = text.groupby(numbers.to_numpy()).transform("first")
    _raise_at_record(
        path,
        lines,
        (text != first_spelling).to_numpy(dtype=bool),
        lambda i: (
            f"{what} {text.iloc[i]!r} is the number of id {first_spelling.iloc[i]!r} written "
            "differently; ids must be written one way"
        ),
    )
    return numbers


def _parse_amounts(path, raw: pd.Series, lines: Callable[[], list[int]], column: str) -> np.ndarray:
    _raise_at_record(path, lines, _missing(raw), lambda i: f"missing value in column '{column}'")
    amounts = pd.to_numeric(raw.str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    _raise_at_record(
        path,
        lines,
        np.isnan(amounts),
        lambda i: f"amount {raw.iloc[i].strip()!r} in column '{column}' is not a number",
    )
    _raise_at_record(
        path,
        lines,
        np.isinf(amounts),
        lambda i: (
            f"amount {raw.iloc[i].strip()!r} in column '{column}' is too large "
            f"(the largest number is about {sys.float_info.max:.1e})"
        ),
    )
    _raise_at_record(
        path,
        lines,
        amounts < 0,
        lambda i: f"negative amount {amounts[i]:g} in column '{column}' (amounts must be >= 0)",
    )
    # amounts are >= 0, so if the total is finite every customer's and every period's sum is too
    with np.errstate(over="ignore"):
        total = amounts.sum()
    if not np.isfinite(total):
        raise DataError(
            f"the amounts add up to more than the largest number (about {sys.float_info.max:.1e}); "
            "record them in a larger unit (e.g. thousands)",
            file=path,
        )
    return amounts


def _raise_mixed_time_zones(path, text: pd.Series, lines: Callable[[], list[int]], date_format: str) -> None:
    """Name the first date whose time zone differs from the first date's (pandas only says 'mixed')."""
    stamps = [pd.to_datetime(value, format=date_format, errors="coerce") for value in text]
    offsets = [None if pd.isna(s) or s.tzinfo is None else s.utcoffset() for s in stamps]
    valid = [i for i, s in enumerate(stamps) if not pd.isna(s)]
    first = valid[0]
    for i in valid[1:]:
        if offsets[i] != offsets[first]:
            zone = "has no time zone" if offsets[i] is None else f"is in {stamps[i].tzinfo}"
            first_zone = "has none" if offsets[first] is None else f"is in {stamps[first].tzinfo}"
            raise DataError(
                f"date {text.iloc[i]!r} {zone} but the date on line {lines()[first]} {first_zone}; "
                "write every date in one time zone (e.g. all in UTC) or all without one",
                file=path,
                line=lines()[i],
            )


def _parse_dates(path, raw: pd.Series, lines: Callable[[], list[int]], date_format: str, expected: str):
    _raise_at_record(path, lines, _missing(raw), lambda i: "missing value in column 'date'")
    text = raw.str.strip()
    try:
        dates = pd.to_datetime(text, format=date_format, errors="coerce")
    except ValueError:  # pandas refuses a column whose dates are in different time zones
        _raise_mixed_time_zones(path, text, lines, date_format)
        raise
    _raise_at_record(
        path,
        lines,
        dates.isna().to_numpy(),
        lambda i: f"unparsable date {raw.iloc[i].strip()!r} (expected {expected})",
    )
    return dates


def _lazy(compute: Callable[[], list[int]]) -> Callable[[], list[int]]:
    """Compute line numbers at most once, and only if asked."""
    cache: list[list[int]] = []

    def get() -> list[int]:
        if not cache:
            cache.append(compute())
        return cache[0]

    return get


# ----------------------------------------------------------------------------------------------------------
# CDNOW: whitespace-separated text, no header in the sample file, a header line in the master file


def read_cdnow(path: str | Path) -> pd.DataFrame:
    """Read a CDNOW file in either layout shipped with ``lifetimes``.

    The sample file has five fields and no header (master id, sample id, yyyymmdd date, number of CDs,
    dollars); the master file has a header line and four fields (id, date, number of CDs, dollars).
    Ids are whole numbers zero-padded to a fixed width (``00004``), read as integers so that sample and
    master customers match; an id written two ways (``00004`` and ``4``) is an error, not one customer.
    """
    path = Path(path)
    first = _first_line(path, "empty file, expected CDNOW transactions")
    first_number, first_text = first
    has_header = not first_text.split()[0].isdigit()
    if has_header:
        header = first_text.split()
        if len(header) != len(CDNOW_MASTER_COLUMNS):
            raise DataError(
                f"header has {len(header)} columns, expected 4 (customer_id date number_of_cds dollar_value)",
                file=path,
                line=first_number,
            )
        columns = CDNOW_MASTER_COLUMNS
    else:
        n_fields = len(first_text.split())
        if n_fields == len(CDNOW_SAMPLE_COLUMNS):
            columns = CDNOW_SAMPLE_COLUMNS
        elif n_fields == len(CDNOW_MASTER_COLUMNS):
            columns = CDNOW_MASTER_COLUMNS
        else:
            raise DataError(
                f"expected 5 fields (master id, sample id, date, CDs, dollars) or 4, found {n_fields}",
                file=path,
                line=first_number,
            )

    lines = _lazy(lambda: _record_line_numbers(path, has_header))
    try:
        raw = _read_text_table(
            path,
            sep=r"\s+",
            header=0 if has_header else None,
            names=list(columns),
        )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
        _raise_field_count_error(path, lines(), len(columns), str.split, error)
    except UnicodeDecodeError:
        raise DataError("not a UTF-8 text file", file=path) from None
    if raw.empty:
        raise DataError("no transactions in file", file=path, line=first_number)

    # pandas fills short lines with missing values: say which column is absent
    for column in columns:
        _raise_at_record(
            path,
            lines,
            _missing(raw[column]),
            lambda i, column=column: (
                f"expected {len(columns)} fields ({' '.join(columns)}), "
                f"found fewer: missing column '{column}'"
            ),
        )
    frame = pd.DataFrame(
        {
            "customer_id": _parse_numbered_ids(path, raw["customer_id"], lines, "customer id"),
            "date": _parse_dates(path, raw["date"], lines, "%Y%m%d", "yyyymmdd"),
            "amount": _parse_amounts(path, raw["amount"], lines, "amount"),
        }
    )
    quantity = pd.to_numeric(raw["quantity"], errors="coerce")
    _raise_at_record(
        path,
        lines,
        (quantity.isna() | (quantity < 0)).to_numpy(),
        lambda i: f"number of CDs {raw['quantity'].iloc[i]!r} is not a whole number >= 0",
    )
    frame["quantity"] = quantity.astype("int64")
    if "sample_id" in raw.columns:
        frame["sample_id"] = _parse_numbered_ids(path, raw["sample_id"], lines, "sample id")
    return validate_transactions(frame, name=str(path))


def _read_text_table(path: Path, **options) -> pd.DataFrame:
    """Every field as text, nothing turned into NaN, and never a column taken as the index.

    By default pandas silently makes the first column the index when rows have one field more than the
    header, shifting every column; with ``index_col=False`` it drops the extra field with a ParserWarning
    instead, which is raised here so that the caller can name the line.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False, **options)


def _raise_field_count_error(
    path: Path,
    line_numbers: list[int],
    expected: int,
    splitter: Callable[[str], list[str]],
    error: Exception,
) -> None:
    """Raise a DataError at the first record whose number of fields is not ``expected``."""
    wanted = set(line_numbers)
    for number, text in _non_blank_lines(path):
        if number in wanted and len(splitter(text)) != expected:
            raise DataError(
                f"expected {expected} fields, found {len(splitter(text))}", file=path, line=number
            ) from None
    # e.g. a quoted field spanning lines: say what pandas found, in one line
    raise DataError(f"cannot read as a table: {str(error).strip().splitlines()[0]}", file=path) from None


# ----------------------------------------------------------------------------------------------------------
# CSV in the standard schema


def _csv_fields(text: str) -> list[str]:
    return next(csv.reader([text]))


def read_transactions_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV transaction log in the standard schema.

    The header names ``customer_id`` (kept as text, exactly as written), one of ``week`` (whole numbers
    >= 0) or ``date`` (ISO 8601, e.g. ``1997-01-31``; all in one time zone, or none) and ``amount``
    (numbers >= 0); other columns are kept as text. Each column is named once.
    """
    path = Path(path)
    first = _first_line(path, f"empty file; {SCHEMA_HINT}")
    header_line, header_text = first
    header = [name.strip() for name in _csv_fields(header_text)]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        # pandas would rename the second one 'amount.1' and silently use the first
        name = repeated[0]
        raise DataError(
            f"column '{name}' appears {header.count(name)} times in the header; name each column once",
            file=path,
            line=header_line,
        )
    for column in ("customer_id", "amount"):
        if column not in header:
            raise DataError(
                f"missing column '{column}' (header has: {', '.join(header)}); {SCHEMA_HINT}",
                file=path,
                line=header_line,
            )
    time_columns = [name for name in ("week", "date") if name in header]
    if len(time_columns) != 1:
        problem = (
            "missing time column 'week' or 'date'"
            if not time_columns
            else "both 'week' and 'date' columns; keep only the one to analyse"
        )
        raise DataError(f"{problem} (header has: {', '.join(header)})", file=path, line=header_line)
    time_column = time_columns[0]

    lines = _lazy(lambda: _record_line_numbers(path, True))
    try:
        raw = _read_text_table(path, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
        _raise_field_count_error(path, lines(), len(header), _csv_fields, error)
    except UnicodeDecodeError:
        raise DataError("not a UTF-8 text file", file=path) from None
    raw.columns = [str(name).strip() for name in raw.columns]
    if raw.empty:
        raise DataError("no transactions after the header", file=path, line=header_line)

    frame = raw.copy()
    frame["customer_id"] = _parse_customer_ids(path, raw["customer_id"], lines)
    if time_column == "week":
        _raise_at_record(path, lines, _missing(raw["week"]), lambda i: "missing value in column 'week'")
        weeks = pd.to_numeric(raw["week"].str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(weeks) | (weeks != np.floor(weeks)) | (weeks < 0)
        _raise_at_record(
            path, lines, bad, lambda i: f"week {raw['week'].iloc[i].strip()!r} is not a whole number >= 0"
        )
        frame["week"] = weeks.astype("int64")
    else:
        frame["date"] = _parse_dates(
            path, raw["date"], lines, "ISO8601", "an ISO 8601 date such as 1997-01-31"
        )
    frame["amount"] = _parse_amounts(path, raw["amount"], lines, "amount")
    return validate_transactions(frame, name=str(path))
