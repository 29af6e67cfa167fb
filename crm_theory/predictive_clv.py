"""Customer lifetime value from the purchase models, and checking the models against a holdout period.

Follows crm-theory-reference.md §4 (predictive value from transactions): BG/NBD gives how many purchases
to expect, Gamma-Gamma how much each will be worth; their product, times the margin and discounted, is the
customer's expected future value. Discounting is done in steps (default one month): the purchases
expected within each step are discounted from the step's end at an annual rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_theory.bgnbd import BetaGeoModel
from crm_theory.errors import DataError
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.timeaxis import DAYS_PER_UNIT, UNITS_PER_YEAR


def _time_unit_of(summary: pd.DataFrame, time_unit: str | None) -> str:
    unit = time_unit or summary.attrs.get("time_unit", "week")
    if unit not in UNITS_PER_YEAR:
        raise DataError(f"time unit {unit!r} is not supported; allowed: {', '.join(UNITS_PER_YEAR)}")
    return unit


def predicted_clv(
    bgnbd: BetaGeoModel,
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
        Fitted models (on this summary or another from the same business).
    summary:
        Output of :func:`~crm_theory.purchase_summary.purchase_summary` or of
        :func:`~crm_theory.purchase_summary.calibration_holdout_summary` (then the calibration columns).
    horizon:
        How far ahead, in the summary's time unit; default one year.
    margin:
        Share of spend that is profit (1.0 gives CLV in revenue terms).
    annual_discount_rate:
        Yearly discount rate d (10% by default, as in §4's examples).
    time_unit:
        The summary's time unit; default taken from ``summary.attrs`` (set by the summary builders).
    step:
        Length of a discounting step in time units; default one month.

    Returns
    -------
    DataFrame indexed like ``summary`` with ``p_alive``, ``expected_purchases``, ``expected_spend`` and
    ``clv``.
    """
    unit = _time_unit_of(summary, time_unit)
    per_year = UNITS_PER_YEAR[unit]
    horizon = per_year if horizon is None else float(horizon)
    step = 30.436875 / DAYS_PER_UNIT[unit] if step is None else float(step)
    if horizon <= 0 or step <= 0:
        raise ValueError(f"horizon and step must be > 0, got {horizon} and {step}")
    if not 0 <= margin <= 1:
        raise ValueError(f"margin is a share of spend, within 0-1; got {margin}")
    if annual_discount_rate <= -1:
        raise ValueError(f"annual discount rate must be > -1, got {annual_discount_rate}")

    boundaries = np.append(np.arange(step, horizon, step), horizon)
    cumulative = np.column_stack(
        [bgnbd.conditional_expected_purchases(end, summary).to_numpy() for end in boundaries]
    )
    per_step = np.diff(np.column_stack([np.zeros(len(summary)), cumulative]), axis=1)
    discount = (1.0 + annual_discount_rate) ** (-boundaries / per_year)
    spend = gamma_gamma.conditional_expected_spend(summary)
    return pd.DataFrame(
        {
            "p_alive": bgnbd.conditional_probability_alive(summary),
            "expected_purchases": cumulative[:, -1],
            "expected_spend": spend,
            "clv": margin * spend.to_numpy() * (per_step @ discount),
        },
        index=summary.index,
    )


def predicted_vs_actual(bgnbd: BetaGeoModel, cal_holdout: pd.DataFrame) -> pd.DataFrame:
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
    bgnbd: BetaGeoModel, cal_holdout: pd.DataFrame, *, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean holdout purchases, actual vs predicted, by calibration frequency (§4; FHL 2005's check of
    conditional expectations).

    Rows ``"0"``, ``"1"``, ... ``"7+"`` and a final ``"all"`` row; columns ``customers``, ``actual``,
    ``predicted`` (means per customer) and ``actual_total``, ``predicted_total``.
    """
    per_customer = predicted_vs_actual(bgnbd, cal_holdout)
    capped = per_customer["frequency_cal"].clip(upper=max_frequency).astype(int)
    labels = capped.astype(str).where(capped < max_frequency, f"{max_frequency}+")
    grouped = per_customer.groupby(capped)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "actual": grouped["actual"].mean(),
            "predicted": grouped["predicted"].mean(),
            "actual_total": grouped["actual"].sum(),
            "predicted_total": grouped["predicted"].sum(),
        }
    )
    table.index = [labels[capped == value].iloc[0] for value in table.index]
    table.loc["all"] = [
        len(per_customer),
        per_customer["actual"].mean(),
        per_customer["predicted"].mean(),
        per_customer["actual"].sum(),
        per_customer["predicted"].sum(),
    ]
    table["customers"] = table["customers"].astype(int)
    table.index.name = "frequency_cal"
    return table
