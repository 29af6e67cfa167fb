"""From a transaction log to the per-customer summary the purchase models need.

Follows docs/crm-theory-reference.md §4 (predictive value from transactions; Fader, Hardie & Lee 2005):

* ``frequency`` x: the number of *repeat* purchase occasions (purchases after the first);
* ``recency`` t_x: time from the first purchase to the last one (0 for customers without repeats);
* ``T``: time from the first purchase to the end of the observation period;
* ``monetary_value``: mean spend per repeat occasion (0 for customers without repeats, whom the
  Gamma-Gamma model does not use).

A purchase occasion is a week in a ``week`` log. In a ``date`` log it is chosen with ``occasion``
(see :mod:`crm_theory.timeaxis`):

* ``"period"`` (lifetimes' ``freq="W"`` / ``"M"`` convention; the default when ``time_unit`` is
  ``"week"`` or ``"month"``): dates are floored to calendar weeks (Monday to Sunday) or calendar months,
  all purchases in one period count as one, and times are whole numbers of periods;
* ``"day"`` (Fader, Hardie & Lee's CDNOW convention; the default when ``time_unit`` is ``"day"``, where
  the two conventions agree): a purchase occasion is a calendar day, and
  times in days are converted to the time unit (a week is 7 days, a month 365.2425/12 days), so T can be
  38.86 weeks.

Several transactions in one occasion count as one purchase and their amounts add up.

Which to use: the default reproduces lifetimes' ``summary_data_from_transaction_data(..., freq="W")``;
``occasion="day"`` reproduces the published CDNOW estimates (give it explicitly, as chapter 5 does).
With lifetimes' own example (customer 3 buys on Thursday 2015-01-01, Friday 01-02 and Monday 01-05,
observed to 2015-02-07) weekly periods give frequency 1, recency 1, T 5 (three purchases in two calendar
weeks), and days give frequency 2, recency 0.57, T 5.29.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import (
    check_occasion,
    check_time_unit,
    format_point,
    occasion_index,
    occasions_to_units,
    period_index,
    point_index,
    point_period,
)
from crm_theory.validation import (
    coerce_time_point,
    report_exclusion,
    time_column_of,
    validate_transactions,
    with_schema_names,
)


def default_occasion(time_unit: str) -> str:
    """The purchase occasion used when none is given: calendar periods for weeks and months (lifetimes'
    ``freq="W"`` / ``"M"``), days for days."""
    return "day" if time_unit == "day" else "period"


def _occasions(transactions: pd.DataFrame, time_unit: str, occasion: str | None, columns=None):
    """One row per customer and purchase occasion, amounts summed, sorted by customer then time; and a
    function mapping a point in time to the same occasion scale. ``occasion=None``: the default of
    :func:`default_occasion`."""
    transactions = validate_transactions(with_schema_names(transactions, columns))
    time_column = time_column_of(transactions)
    check_time_unit(time_unit, time_column)
    if occasion is None:
        occasion = default_occasion(time_unit)
    check_occasion(occasion)
    by_period = occasion == "period" and time_column == "date"
    when = transactions[time_column]
    frame = pd.DataFrame(
        {
            "customer_id": transactions["customer_id"].to_numpy(),
            "occasion": period_index(when, time_unit) if by_period else occasion_index(when, time_column),
            "amount": transactions["amount"].to_numpy(dtype=float),
        }
    )
    if frame.empty:
        raise DataError("the transaction log is empty; purchase models need at least one transaction")
    occasions = frame.groupby(["customer_id", "occasion"], sort=True, as_index=False)["amount"].sum()
    scale = _Scale(time_column, time_unit, by_period)
    return occasions, scale


class _Scale:
    """How occasion indices of one log relate to points in time, to units and to text."""

    def __init__(self, time_column: str, time_unit: str, by_period: bool):
        self.time_column, self.time_unit, self.by_period = time_column, time_unit, by_period

    def point(self, value, what: str) -> int:
        point = coerce_time_point(value, self.time_column, what=what)
        if self.by_period:
            return point_period(point, self.time_unit)
        return point_index(point, self.time_column)

    def to_units(self, differences):
        if self.by_period:
            return np.asarray(differences, dtype=float)  # whole periods
        return occasions_to_units(differences, self.time_column, self.time_unit)

    def format(self, index: int) -> str:
        return format_point(index, self.time_column, self.time_unit if self.by_period else None)

    def attrs(self) -> dict:
        occasion = "week" if self.time_column == "week" else ("period" if self.by_period else "day")
        return {"time_unit": self.time_unit, "occasion": occasion}


def _end_point(value, occasions: pd.DataFrame, scale: _Scale, what: str) -> int:
    if value is None:
        return int(occasions["occasion"].max())
    return scale.point(value, what)


def _summarise(occasions: pd.DataFrame, end: int, scale: _Scale) -> pd.DataFrame:
    """frequency / recency / T / monetary_value for occasions all on or before ``end``."""
    grouped = occasions.groupby("customer_id", sort=True)
    first = grouped["occasion"].min()
    last = grouped["occasion"].max()
    count = grouped.size()
    total = grouped["amount"].sum()
    first_amount = grouped["amount"].first()  # occasions are sorted, so this is the first purchase's spend
    frequency = count - 1
    repeat_spend = (total - first_amount).clip(lower=0.0)  # clip: rounding in the sums must not go below 0
    monetary = np.where(frequency > 0, repeat_spend / frequency.where(frequency > 0, 1), 0.0)
    summary = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            "recency": scale.to_units((last - first).to_numpy()),
            "T": scale.to_units((end - first).to_numpy()),
            "monetary_value": monetary,
        },
        index=first.index,
    )
    return summary


def purchase_summary(
    transactions: pd.DataFrame,
    observation_end=None,
    *,
    time_unit: str = "week",
    occasion: str | None = None,
    columns=None,
) -> pd.DataFrame:
    """Per-customer ``frequency``, ``recency``, ``T`` and ``monetary_value`` at the end of observation (§4).

    ``observation_end`` is a week number or a date (a ``pandas.Period`` stands for its last day; default:
    the last transaction); transactions after it are excluded with a warning. ``time_unit`` is
    ``"week"``, ``"day"`` or ``"month"`` for a date log (a week log is always measured in weeks);
    ``occasion`` is ``"period"`` (the default for weeks and months: calendar periods, as lifetimes'
    ``freq="W"``) or ``"day"`` (days converted to the time unit, as Fader, Hardie & Lee; module
    docstring; the default for days). ``columns`` maps schema names to the log's own, e.g.
    ``{"customer_id": "CustomerID", "date": "InvoiceDate", "amount": "Revenue"}``. The result's
    ``attrs`` record the time unit, the occasion and the end.
    """
    occasions, scale = _occasions(transactions, time_unit, occasion, columns)
    end = _end_point(observation_end, occasions, scale, "observation end")
    late = occasions["occasion"] > end
    report_exclusion(
        int(late.sum()),
        f"purchase occasions after the observation end {scale.format(end)}",
        what="purchase occasions",
    )
    occasions = occasions[~late]
    if occasions.empty:
        raise DataError(f"no transactions on or before the observation end {scale.format(end)}")
    summary = _summarise(occasions, end, scale)
    summary.attrs.update(**scale.attrs(), observation_end=scale.format(end))
    return summary


def calibration_holdout_summary(
    transactions: pd.DataFrame,
    calibration_end,
    observation_end=None,
    *,
    time_unit: str = "week",
    occasion: str | None = None,
    columns=None,
) -> pd.DataFrame:
    """Split the log at ``calibration_end`` (inclusive) into a calibration and a holdout period (§4, as
    Fader, Hardie & Lee validate BG/NBD on CDNOW).

    Returns, per customer who bought in the calibration period: ``frequency_cal``, ``recency_cal``,
    ``T_cal``, ``monetary_value_cal`` (as :func:`purchase_summary`), ``frequency_holdout`` (purchase
    occasions in the holdout period), ``monetary_value_holdout`` (mean spend per holdout occasion, 0 if
    none) and ``duration_holdout`` (length of the holdout period in ``time_unit``). The holdout runs to
    ``observation_end``, by default the last transaction. To fit on all the data and forecast from its
    end, give the last transaction's date as the calibration end (the holdout is then empty).

    A calibration end after the last transaction needs an explicit ``observation_end``: only you know
    whether the quiet time after the data was observed (time without purchases) or not.

    Customers whose first purchase falls in the holdout period cannot be in a calibration summary; their
    occasions are excluded with a warning, as are occasions after ``observation_end``. ``time_unit``,
    ``occasion`` and ``columns`` as in :func:`purchase_summary`.
    """
    occasions, scale = _occasions(transactions, time_unit, occasion, columns)
    cal_end = scale.point(calibration_end, "calibration end")
    last = int(occasions["occasion"].max())
    if observation_end is None:
        if cal_end > last:
            raise DataError(
                f"calibration end {scale.format(cal_end)} is after the last transaction "
                f"({scale.format(last)}), and the time after the data may not have been observed; give an "
                "observation end (the end of the period the data cover) or a calibration end within the data"
            )
        obs_end = last
    else:
        obs_end = _end_point(observation_end, occasions, scale, "observation end")
    if obs_end < cal_end:
        raise DataError(
            f"observation end {scale.format(obs_end)} is before the calibration end {scale.format(cal_end)}"
        )
    late = occasions["occasion"] > obs_end
    report_exclusion(
        int(late.sum()),
        f"after the observation end {scale.format(obs_end)}",
        what="purchase occasions",
    )
    occasions = occasions[~late]

    first_purchase = occasions.groupby("customer_id")["occasion"].transform("min")
    newcomers = first_purchase > cal_end
    if newcomers.any():
        report_exclusion(
            int(newcomers.sum()),
            f"made by {occasions.loc[newcomers, 'customer_id'].nunique()} customers whose first purchase "
            f"is after the calibration end {scale.format(cal_end)}",
            what="purchase occasions",
        )
    occasions = occasions[~newcomers]
    if occasions.empty:
        raise DataError(f"no customer bought on or before the calibration end {scale.format(cal_end)}")

    in_calibration = occasions["occasion"] <= cal_end
    summary = _summarise(occasions[in_calibration], cal_end, scale).add_suffix("_cal")
    holdout = occasions[~in_calibration].groupby("customer_id")["amount"].agg(["size", "mean"])
    summary["frequency_holdout"] = holdout["size"].reindex(summary.index).fillna(0).astype("int64")
    summary["monetary_value_holdout"] = holdout["mean"].reindex(summary.index).fillna(0.0)
    summary["duration_holdout"] = float(scale.to_units(obs_end - cal_end))
    summary.attrs.update(
        **scale.attrs(),
        calibration_end=scale.format(cal_end),
        observation_end=scale.format(obs_end),
    )
    return summary


def summary_columns(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``frequency``, ``recency``, ``T`` as arrays, from a summary or a calibration/holdout summary.

    Checks what the models assume: frequency a whole number >= 0, 0 <= recency <= T, recency 0 when
    frequency is 0.
    """
    if {"frequency", "recency", "T"} <= set(summary.columns):
        names = ("frequency", "recency", "T")
    elif {"frequency_cal", "recency_cal", "T_cal"} <= set(summary.columns):
        names = ("frequency_cal", "recency_cal", "T_cal")
    else:
        raise DataError(
            "summary needs columns frequency, recency and T (or frequency_cal, recency_cal, T_cal); "
            "build it with purchase_summary()",
            column="frequency",
        )
    frequency, recency, age = (summary[name].to_numpy(dtype=float) for name in names)
    if not (np.isfinite(frequency).all() and np.isfinite(recency).all() and np.isfinite(age).all()):
        raise DataError("summary has missing or infinite values", column=names[0])
    if (frequency < 0).any() or (frequency != np.floor(frequency)).any():
        raise DataError(f"column '{names[0]}' must hold whole numbers >= 0", column=names[0])
    if (recency < 0).any() or (recency > age + 1e-9).any():
        raise DataError(
            f"'{names[1]}' must lie within 0 and '{names[2]}' for every customer", column=names[1]
        )
    if (recency[frequency == 0] != 0).any():
        raise DataError(f"'{names[1]}' must be 0 for customers with no repeat purchase", column=names[1])
    return frequency, recency, age


def summary_time_unit(summary: pd.DataFrame) -> str | None:
    """The time unit a summary records in its ``attrs`` (set by the summary builders), or None."""
    return getattr(summary, "attrs", {}).get("time_unit")


def monetary_column(summary: pd.DataFrame) -> np.ndarray:
    """Mean repeat spend from a summary (``monetary_value`` or ``monetary_value_cal``)."""
    for name in ("monetary_value", "monetary_value_cal"):
        if name in summary.columns:
            values = summary[name].to_numpy(dtype=float)
            if not np.isfinite(values).all() or (values < 0).any():
                raise DataError(f"column '{name}' must hold finite amounts >= 0", column=name)
            return values
    raise DataError(
        "summary needs a monetary_value column; build it with purchase_summary()", column="monetary_value"
    )
