"""Customer lifetime value from the purchase models, and checking the models against a holdout period.

Follows docs/crm-theory-reference.md §4 (predictive value from transactions): BG/NBD gives how many purchases
to expect, Gamma-Gamma how much each will be worth; their product, times the margin and discounted, is the
customer's expected future value. Discounting is done in steps (default one month): the purchases
expected within each step are discounted from the step's end at an annual rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.timeaxis import DAYS_PER_UNIT, UNITS_PER_YEAR


def _time_unit_of(summary: pd.DataFrame, time_unit: str | None) -> str:
    unit = time_unit or summary.attrs.get("time_unit", "week")
    if unit not in UNITS_PER_YEAR:
        raise DataError(f"time unit {unit!r} is not supported; allowed: {', '.join(UNITS_PER_YEAR)}")
    return unit


#: The longest horizon: far beyond any sensible forecast (the CLI uses the same limit).
MAX_HORIZON_YEARS = 100
#: The most discounting steps: each is one pass over the customers.
MAX_STEPS = 100_000


def _finite(value, name: str, *, above: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not (np.isfinite(number) and number > above):
        raise ValueError(f"{name} must be a finite number > {above:g}, got {number:g}")
    return number


def predicted_clv(
    bgnbd,
    gamma_gamma: GammaGammaModel,
    summary: pd.DataFrame,
    *,
    horizon: float | None = None,
    margin: float = 1.0,
    annual_discount_rate: float = 0.10,
    time_unit: str | None = None,
    step: float | None = None,
) -> pd.DataFrame:
    """Per-customer P(alive), expected purchases and spend over the horizon, and the discounted CLV.

    Parameters
    ----------
    bgnbd, gamma_gamma:
        Fitted models (on this summary or another from the same business). The purchase model is a
        :class:`~crm_theory.bgnbd.BetaGeoModel` or a :class:`~crm_theory.pareto_nbd.ParetoNBDModel`; its
        time unit must be the summary's.
    summary:
        Output of :func:`~crm_theory.purchase_summary.purchase_summary` or of
        :func:`~crm_theory.purchase_summary.calibration_holdout_summary` (then the calibration columns).
    horizon:
        How far ahead, in the summary's time unit; default one year; at most 100 years.
    margin:
        Share of spend that is profit (1.0 gives CLV in revenue terms).
    annual_discount_rate:
        Yearly discount rate d (10% by default, as in §4's examples), finite and > -1.
    time_unit:
        The summary's time unit; default taken from ``summary.attrs`` (set by the summary builders).
    step:
        Length of a discounting step in time units; default one month; at most 100,000 steps.

    Returns
    -------
    DataFrame indexed like ``summary`` with ``p_alive``, ``expected_purchases``, ``expected_spend`` and
    ``clv``.
    """
    unit = _time_unit_of(summary, time_unit)
    per_year = UNITS_PER_YEAR[unit]
    horizon = per_year if horizon is None else _finite(horizon, "horizon", above=0)
    step = 30.436875 / DAYS_PER_UNIT[unit] if step is None else _finite(step, "step", above=0)
    longest = MAX_HORIZON_YEARS * per_year
    if horizon > longest:
        raise ValueError(
            f"horizon must be at most {MAX_HORIZON_YEARS} years ({longest:.0f} {unit}s), got {horizon:g}"
        )
    if horizon / step > MAX_STEPS:
        raise ValueError(
            f"horizon / step = {horizon / step:.3g} discounting steps; at most {MAX_STEPS}: "
            "give a longer step"
        )
    if not 0 <= margin <= 1:
        raise ValueError(f"margin is a share of spend, within 0-1; got {margin}")
    annual_discount_rate = _finite(annual_discount_rate, "annual_discount_rate", above=-1)

    boundaries = np.append(np.arange(step, horizon, step), horizon)
    discount = (1.0 + annual_discount_rate) ** (-boundaries / per_year)
    # step by step, so memory stays one column per customer however long the horizon
    previous = np.zeros(len(summary))
    discounted_purchases = np.zeros(len(summary))
    for end, factor in zip(boundaries, discount, strict=True):
        cumulative = bgnbd.conditional_expected_purchases(end, summary).to_numpy()
        discounted_purchases += (cumulative - previous) * factor
        previous = cumulative
    spend = gamma_gamma.conditional_expected_spend(summary)
    return pd.DataFrame(
        {
            "p_alive": bgnbd.conditional_probability_alive(summary),
            "expected_purchases": previous,
            "expected_spend": spend,
            "clv": margin * spend.to_numpy() * discounted_purchases,
        },
        index=summary.index,
    )


def predicted_vs_actual(bgnbd, cal_holdout: pd.DataFrame) -> pd.DataFrame:
    """Per customer: purchases in the holdout period, actual and as the model expected from calibration."""
    for column in ("frequency_holdout", "duration_holdout"):
        if column not in cal_holdout.columns:
            raise DataError(
                f"needs column '{column}'; build the table with calibration_holdout_summary()", column=column
            )
    duration = cal_holdout["duration_holdout"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "frequency_cal": cal_holdout["frequency_cal"],
            "actual": cal_holdout["frequency_holdout"],
            "predicted": bgnbd.conditional_expected_purchases(duration, cal_holdout),
        },
        index=cal_holdout.index,
    )


def holdout_comparison(
    bgnbd, cal_holdout: pd.DataFrame, *, max_frequency: int = 7, by: str = "frequency_cal", bins: int = 8
) -> pd.DataFrame:
    """Mean holdout purchases, actual vs predicted, by a calibration characteristic (§4; FHL 2005's check
    of conditional expectations).

    ``by="frequency_cal"`` (default): rows ``"0"``, ``"1"``, ... ``"7+"`` (``max_frequency``);
    ``by="recency_cal"`` or ``by="time_since_last_purchase"`` (T - t_x at the calibration end): ``bins``
    equal-width intervals of that time. Then a final ``"all"`` row. Columns ``customers``, ``actual``,
    ``predicted`` (means per customer), ``actual_total``, ``predicted_total``.
    """
    per_customer = predicted_vs_actual(bgnbd, cal_holdout)
    if by == "frequency_cal":
        capped = per_customer["frequency_cal"].clip(upper=max_frequency).astype(int)
        labels = capped.astype(str).where(capped < max_frequency, f"{max_frequency}+")
        key = capped
    elif by in ("recency_cal", "time_since_last_purchase"):
        if by == "recency_cal":
            values = cal_holdout["recency_cal"].astype(float)
        else:
            values = cal_holdout["T_cal"].astype(float) - cal_holdout["recency_cal"].astype(float)
        if not (isinstance(bins, int) and bins >= 1):
            raise ValueError(f"bins must be a whole number >= 1, got {bins!r}")
        key = pd.cut(values, bins=bins, include_lowest=True, precision=1)
        labels = key.astype(str)
    else:
        raise ValueError(
            f"by must be 'frequency_cal', 'recency_cal' or 'time_since_last_purchase', got {by!r}"
        )
    grouped = per_customer.groupby(key, observed=True)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "actual": grouped["actual"].mean(),
            "predicted": grouped["predicted"].mean(),
            "actual_total": grouped["actual"].sum(),
            "predicted_total": grouped["predicted"].sum(),
        }
    )
    table.index = [str(labels[key == value].iloc[0]) for value in table.index]
    table.loc["all"] = [
        len(per_customer),
        per_customer["actual"].mean(),
        per_customer["predicted"].mean(),
        per_customer["actual"].sum(),
        per_customer["predicted"].sum(),
    ]
    table["customers"] = table["customers"].astype(int)
    table.index.name = by
    return table


def expected_cumulative_transactions(
    model,
    transactions: pd.DataFrame,
    *,
    time_unit: str = "week",
    occasion: str | None = None,
    periods: int | None = None,
    columns=None,
) -> pd.DataFrame:
    """Repeat purchases of the whole customer base over time, actual and as the model expects (§4; the
    tracking plot of Fader, Hardie & Lee 2005).

    Time is counted in ``time_unit`` from the first transaction in the log; row k (1, 2, ...) holds the
    repeat purchase occasions up to time k: ``actual`` (observed), ``expected`` (each customer's
    E[X(k - t0)] from their own first purchase t0, summed), and the per-period differences
    ``actual_incremental`` and ``expected_incremental``. ``periods`` defaults to the data's span. The
    model must be measured in the same unit, and the log summarised the same way: ``occasion`` as in
    :func:`~crm_theory.purchase_summary.purchase_summary` (default calendar periods for weeks and months;
    ``"day"`` for a model fitted on a day-resolution summary such as Fader, Hardie & Lee's).
    """
    from crm_theory.purchase_summary import _occasions

    fitted = getattr(model, "time_unit_", None)
    if fitted is not None and fitted != time_unit:
        raise DataError(f"the model was fitted with time in {fitted}s; call with time_unit={fitted!r}")
    occasions, scale = _occasions(transactions, time_unit, occasion, columns)
    start = int(occasions["occasion"].min())
    times = scale.to_units(occasions["occasion"].to_numpy() - start)
    first = (
        occasions.groupby("customer_id")["occasion"].transform("min").to_numpy()
        == occasions["occasion"].to_numpy()
    )
    span = float(times.max())
    if periods is None:
        periods = max(int(np.ceil(span)), 1)
    elif not (isinstance(periods, (int, np.integer)) and 1 <= periods <= 100_000):
        raise ValueError(f"periods must be a whole number within 1-100000, got {periods!r}")
    grid = np.arange(1, periods + 1, dtype=float)
    repeat_times = np.sort(times[~first])
    actual = np.searchsorted(repeat_times, grid, side="right").astype(float)
    cohort_starts, cohort_sizes = np.unique(times[first], return_counts=True)
    expected = np.zeros_like(grid)
    for start_time, size in zip(cohort_starts, cohort_sizes, strict=True):
        ages = np.clip(grid - start_time, 0.0, None)
        expected += size * np.asarray(model.expected_purchases(ages), dtype=float)
    table = pd.DataFrame(
        {
            "actual": actual,
            "expected": expected,
            "actual_incremental": np.diff(actual, prepend=0.0),
            "expected_incremental": np.diff(expected, prepend=0.0),
        },
        index=pd.Index(grid.astype(int), name=f"{time_unit}s since {scale.format(start)}"),
    )
    table.attrs.update(time_unit=time_unit, start=scale.format(start))
    return table
