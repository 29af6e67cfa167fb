"""From a transaction log to the per-customer summary the purchase models need.

Follows crm-theory-reference.md §4 (predictive value from transactions; Fader, Hardie & Lee 2005):

* ``frequency`` x: the number of *repeat* purchase occasions (purchases after the first);
* ``recency`` t_x: time from the first purchase to the last one (0 for customers without repeats);
* ``T``: time from the first purchase to the end of the observation period;
* ``monetary_value``: mean spend per repeat occasion (0 for customers without repeats, whom the
  Gamma-Gamma model does not use).

A purchase occasion is a calendar day in a ``date`` log and a week in a ``week`` log; several
transactions in one occasion count as one purchase and their amounts add up (as FHL count CDNOW purchases).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import check_time_unit, format_point, occasion_index, occasions_to_units, point_index
from crm_theory.validation import coerce_time_point, report_exclusion, time_column_of, validate_transactions


def _occasions(transactions: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """One row per customer and purchase occasion, amounts summed, sorted by customer then time."""
    transactions = validate_transactions(transactions)
    time_column = time_column_of(transactions)
    frame = pd.DataFrame(
        {
            "customer_id": transactions["customer_id"].to_numpy(),
            "occasion": occasion_index(transactions[time_column], time_column),
            "amount": transactions["amount"].to_numpy(dtype=float),
        }
    )
    if frame.empty:
        raise DataError("the transaction log is empty; purchase models need at least one transaction")
    occasions = frame.groupby(["customer_id", "occasion"], sort=True, as_index=False)["amount"].sum()
    return occasions, time_column


def _end_point(value, occasions: pd.DataFrame, time_column: str, what: str) -> int:
    if value is None:
        return int(occasions["occasion"].max())
    return point_index(coerce_time_point(value, time_column, what=what), time_column)


def _summarise(occasions: pd.DataFrame, end: int, time_column: str, time_unit: str) -> pd.DataFrame:
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
            "recency": occasions_to_units((last - first).to_numpy(), time_column, time_unit),
            "T": occasions_to_units((end - first).to_numpy(), time_column, time_unit),
            "monetary_value": monetary,
        },
        index=first.index,
    )
    return summary


def purchase_summary(
    transactions: pd.DataFrame, observation_end=None, *, time_unit: str = "week"
) -> pd.DataFrame:
    """Per-customer ``frequency``, ``recency``, ``T`` and ``monetary_value`` at the end of observation (§4).

    ``observation_end`` is a week number or a date (default: the last transaction); transactions after it
    are excluded with a warning. ``time_unit`` is ``"week"``, ``"day"`` or ``"month"`` for a date log
    (a week log is always measured in weeks). The result's ``attrs`` record the time unit and the end.
    """
    occasions, time_column = _occasions(transactions)
    check_time_unit(time_unit, time_column)
    end = _end_point(observation_end, occasions, time_column, "observation end")
    late = occasions["occasion"] > end
    report_exclusion(
        int(late.sum()),
        f"purchase occasions after the observation end {format_point(end, time_column)}",
        what="purchase occasions",
    )
    occasions = occasions[~late]
    if occasions.empty:
        raise DataError(f"no transactions on or before the observation end {format_point(end, time_column)}")
    summary = _summarise(occasions, end, time_column, time_unit)
    summary.attrs.update(time_unit=time_unit, observation_end=format_point(end, time_column))
    return summary


def calibration_holdout_summary(
    transactions: pd.DataFrame, calibration_end, observation_end=None, *, time_unit: str = "week"
) -> pd.DataFrame:
    """Split the log at ``calibration_end`` (inclusive) into a calibration and a holdout period (§4, as
    Fader, Hardie & Lee validate BG/NBD on CDNOW).

    Returns, per customer who bought in the calibration period: ``frequency_cal``, ``recency_cal``,
    ``T_cal``, ``monetary_value_cal`` (as :func:`purchase_summary`), ``frequency_holdout`` (purchase
    occasions in the holdout period), ``monetary_value_holdout`` (mean spend per holdout occasion, 0 if
    none) and ``duration_holdout`` (length of the holdout period in ``time_unit``). The holdout runs to
    ``observation_end``, by default the last transaction; with no data after the calibration end it is
    empty (duration 0), which is how to fit on all the data and forecast from its end.

    Customers whose first purchase falls in the holdout period cannot be in a calibration summary; their
    occasions are excluded with a warning, as are occasions after ``observation_end``.
    """
    occasions, time_column = _occasions(transactions)
    check_time_unit(time_unit, time_column)
    cal_end = point_index(
        coerce_time_point(calibration_end, time_column, what="calibration end"), time_column
    )
    if observation_end is None:
        # default: the last transaction, or the calibration end if the data stop before it (no holdout)
        obs_end = max(int(occasions["occasion"].max()), cal_end)
    else:
        obs_end = _end_point(observation_end, occasions, time_column, "observation end")
    if obs_end < cal_end:
        raise DataError(
            f"observation end {format_point(obs_end, time_column)} is before the calibration end "
            f"{format_point(cal_end, time_column)}"
        )
    late = occasions["occasion"] > obs_end
    report_exclusion(
        int(late.sum()),
        f"after the observation end {format_point(obs_end, time_column)}",
        what="purchase occasions",
    )
    occasions = occasions[~late]

    first_purchase = occasions.groupby("customer_id")["occasion"].transform("min")
    newcomers = first_purchase > cal_end
    if newcomers.any():
        report_exclusion(
            int(newcomers.sum()),
            f"made by {occasions.loc[newcomers, 'customer_id'].nunique()} customers whose first purchase "
            f"is after the calibration end {format_point(cal_end, time_column)}",
            what="purchase occasions",
        )
    occasions = occasions[~newcomers]
    if occasions.empty:
        raise DataError(
            f"no customer bought on or before the calibration end {format_point(cal_end, time_column)}"
        )

    in_calibration = occasions["occasion"] <= cal_end
    summary = _summarise(occasions[in_calibration], cal_end, time_column, time_unit).add_suffix("_cal")
    holdout = occasions[~in_calibration].groupby("customer_id")["amount"].agg(["size", "mean"])
    summary["frequency_holdout"] = holdout["size"].reindex(summary.index).fillna(0).astype("int64")
    summary["monetary_value_holdout"] = holdout["mean"].reindex(summary.index).fillna(0.0)
    summary["duration_holdout"] = float(occasions_to_units(obs_end - cal_end, time_column, time_unit))
    summary.attrs.update(
        time_unit=time_unit,
        calibration_end=format_point(cal_end, time_column),
        observation_end=format_point(obs_end, time_column),
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
