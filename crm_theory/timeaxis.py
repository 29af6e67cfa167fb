"""Measuring time in a transaction log, whichever time column it has.

A ``week`` log counts time in whole simulation weeks. A ``date`` log is measured in one of two ways,
chosen with ``occasion``:

* ``occasion="day"`` (Fader, Hardie & Lee's convention for CDNOW): a purchase occasion is a calendar day,
  several transactions on one day count as one purchase, and times are days converted to the time unit
  (a week is 7 days, a month 365.2425/12 days), so T can be 38.857 weeks;
* ``occasion="period"`` (lifetimes' ``freq="W"`` / ``"M"`` convention): dates are first floored to
  calendar periods of the time unit -- weeks Monday to Sunday (pandas' ``"W"``), calendar months -- all
  purchases in one period count as one, and times are whole numbers of periods between the periods.

For a ``week`` log both are the same thing: the week is the purchase occasion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory.errors import DataError

#: Length of each supported time unit in days (a month is an average Gregorian month).
DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12}
#: How many of each unit make one year, for annual discount rates.
UNITS_PER_YEAR = {"day": 365.2425, "week": 365.2425 / 7, "month": 12.0}


def check_time_unit(time_unit: str, time_column: str) -> str:
    """Validate a time unit for a log with this time column (a week log can only be measured in weeks)."""
    if time_unit not in DAYS_PER_UNIT:
        raise DataError(f"time unit {time_unit!r} is not supported; allowed: {', '.join(DAYS_PER_UNIT)}")
    if time_column == "week" and time_unit != "week":
        raise DataError(
            f"a log with a 'week' column is measured in weeks; time unit {time_unit!r} is not allowed"
        )
    return time_unit


def occasion_index(times: pd.Series, time_column: str) -> np.ndarray:
    """An integer per transaction that is equal for transactions in the same purchase occasion.

    For dates: whole days since 1970-01-01 (times of day are ignored); for weeks: the week number.
    """
    if time_column == "week":
        return times.to_numpy(dtype=np.int64)
    if times.dt.tz is not None:
        times = times.dt.tz_localize(None)  # the customer's local calendar day is the purchase occasion
    days = times.dt.floor("D").to_numpy(dtype="datetime64[D]")
    return days.astype(np.int64)


#: pandas period code of each time unit, for ``occasion="period"``
PERIOD_FREQUENCIES = {"day": "D", "week": "W", "month": "M"}
OCCASIONS = ("day", "period")


def check_occasion(occasion: str) -> str:
    if occasion not in OCCASIONS:
        raise DataError(
            f"occasion {occasion!r} is not supported; allowed: 'day' (a purchase occasion is a "
            "calendar day) or 'period' (one per calendar period of the time unit)"
        )
    return occasion


def period_index(times: pd.Series, time_unit: str) -> np.ndarray:
    """An integer per transaction: the ordinal of its calendar period (day, Monday-Sunday week, month)."""
    if times.dt.tz is not None:
        times = times.dt.tz_localize(None)
    return pd.PeriodIndex(times, freq=PERIOD_FREQUENCIES[time_unit]).asi8.astype(np.int64)


def point_period(point, time_unit: str) -> int:
    """The period ordinal of one point in time (a ``pd.Timestamp``)."""
    timestamp = pd.Timestamp(point)
    if timestamp.tzinfo is not None:
        timestamp = timestamp.tz_localize(None)
    return int(timestamp.to_period(PERIOD_FREQUENCIES[time_unit]).ordinal)


def point_index(point, time_column: str) -> int:
    """The occasion index of one point in time (an ``int`` week or a ``pd.Timestamp``)."""
    if time_column == "week":
        return int(point)
    timestamp = pd.Timestamp(point)
    if timestamp.tzinfo is not None:
        timestamp = timestamp.tz_localize(None)
    return int(np.datetime64(timestamp.floor("D"), "D").astype(np.int64))


def occasions_to_units(occasions, time_column: str, time_unit: str):
    """Convert a difference of occasion indices (days or weeks) into the requested time unit."""
    if time_column == "week":
        return np.asarray(occasions, dtype=float)
    return np.asarray(occasions, dtype=float) / DAYS_PER_UNIT[time_unit]


def format_point(index: int, time_column: str, period: str | None = None) -> str:
    """Human-readable form of an occasion index, for messages (``period``: the time unit of a period
    ordinal, for ``occasion="period"``)."""
    if time_column == "week":
        return f"week {index}"
    if period is not None and period != "day":
        return str(pd.Period(ordinal=index, freq=PERIOD_FREQUENCIES[period]))
    return str(np.datetime64(index, "D"))
