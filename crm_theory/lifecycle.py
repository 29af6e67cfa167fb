"""Observed lifecycle stage: infer a customer's relationship stage from the purchase history alone.

Follows docs/crm-theory-reference.md §2 (relationship lifecycle, Dwyer, Schurr & Oh 1987) and §7 (lifecycle
management: recognise the stage, and see decline early). A firm sees only its transactions, so the stage it
can name is a rule of thumb over four facts per customer: tenure (weeks since the first purchase), recency
(weeks since the last), the number of weeks with a purchase, and two exponentially smoothed averages of
weekly spend, a fast one (half-life about 4 weeks) and a slow one (half-life about 17 weeks), whose ratio
shows whether spending is rising or falling.

This module holds the one classifier of the project, :func:`stage_code` (one customer, plain comparisons).
The simulated firm (``simulation``) applies it, compiled, to its records every week as it books the week,
updating the smoothed spend with :func:`smooth_spend`; :func:`classify_stage` applies it to arrays, and
:func:`observed_stage` computes the same facts from a transaction log and calls the same classifier, so a
log of a simulated run gives exactly the stages the simulated firm saw. The rules, later ones overriding
earlier ones (thresholds from :class:`StageThresholds`):

1. **stable**: tenure of at least ``stable_after_weeks`` and at least ``stable_purchases`` purchase weeks;
2. **development**: otherwise;
3. **decline**: the fast average under ``decline_spend_ratio`` times the slow one (§7's early warning);
4. **identification**: tenure under ``new_customer_weeks``, or a single purchase week;
5. **lost**: no purchase for more than ``lapsed_after_weeks`` weeks;
6. **prospect**: never bought.

The thresholds are rules of thumb calibrated on simulated markets, where the true stage is known (see
``docs/observed-stage.md`` for how, and for the classifier's accuracy and Cohen's kappa by stage). Retune
them before trusting them on real data: a market with slower purchase cycles needs a longer
``lapsed_after_weeks``.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import format_point, occasion_index, point_index
from crm_theory.validation import coerce_time_point, report_exclusion, time_column_of, validate_transactions

#: The lifecycle stages in the order of their codes (0-5), which are the simulation's ``Stage`` codes.
LIFECYCLE_STAGES = ("prospect", "identification", "development", "stable", "decline", "lost")
PROSPECT, IDENTIFICATION, DEVELOPMENT, STABLE, DECLINE, LOST = range(len(LIFECYCLE_STAGES))
#: The stages a transaction log can show: everyone in a log has bought, so nobody in it is a prospect.
OBSERVED_STAGES = LIFECYCLE_STAGES[1:]

#: Days in one week of a ``date`` log (weeks are counted from the first date in the log).
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class StageThresholds:
    """Thresholds of the observed-stage rules (module docstring), in weeks and purchase weeks.

    The defaults are the calibrated values (``docs/observed-stage.md``). A smoothing rate ``a`` updates an
    average weekly as ``s <- s + a (x - s)``: its half-life is ``ln 2 / -ln(1 - a)`` weeks.
    """

    fast_smoothing: float = 0.15  #: rate of the fast spend average (half-life ~4 weeks)
    slow_smoothing: float = 0.04  #: rate of the slow spend average (half-life ~17 weeks)
    lapsed_after_weeks: float = 16  #: no purchase for longer than this: lost
    new_customer_weeks: float = 12  #: tenure below this: identification
    stable_after_weeks: float = 20  #: tenure from which a customer with enough purchases looks stable
    stable_purchases: int = 4  #: purchase weeks needed to look stable
    decline_spend_ratio: float = 0.4  #: fast average under this share of the slow one: decline

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"StageThresholds: {field.name} must be a finite number, got {value!r}")
        for name in ("fast_smoothing", "slow_smoothing"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(
                    f"StageThresholds: {name} must be in (0, 1] (the weight of this week's spend), "
                    f"got {getattr(self, name)!r}"
                )
        if self.slow_smoothing >= self.fast_smoothing:
            raise ValueError(
                f"StageThresholds: slow_smoothing ({self.slow_smoothing!r}) must be below fast_smoothing "
                f"({self.fast_smoothing!r}): the slow average is the long-run reference"
            )
        for name in ("lapsed_after_weeks", "new_customer_weeks", "stable_after_weeks"):
            if getattr(self, name) < 0:
                raise ValueError(f"StageThresholds: {name} must be >= 0 weeks, got {getattr(self, name)!r}")
        if not isinstance(self.stable_purchases, numbers.Integral) or self.stable_purchases < 1:
            raise ValueError(
                "StageThresholds: stable_purchases must be a whole number >= 1, "
                f"got {self.stable_purchases!r}"
            )
        if not 0 < self.decline_spend_ratio < 1:
            raise ValueError(
                "StageThresholds: decline_spend_ratio must be in (0, 1) (recent spend as a share of long-run "
                f"spend), got {self.decline_spend_ratio!r}"
            )


#: The calibrated thresholds, used by default everywhere.
CALIBRATED_THRESHOLDS = StageThresholds()


def smooth_spend(previous, spend, rate):
    """One week of exponential smoothing of weekly spend: ``previous + rate * (spend - previous)``.

    Plain arithmetic, so it serves one customer (floats), many (numpy arrays) and compiled code alike; the
    simulated firm and :func:`observed_stage` both update through it, so they agree to the last bit.
    """
    return previous + rate * (spend - previous)


def stage_code(
    tenure,
    recency,
    purchase_weeks,
    fast,
    slow,
    lapsed_after_weeks,
    new_customer_weeks,
    decline_spend_ratio,
    stable_after_weeks,
    stable_purchases,
):
    """The observed stage code of one customer who has bought (the rules of the module docstring).

    Plain comparisons, in the rules' order of priority (lost beats everything), so the same function
    serves :func:`classify_stage` and the simulated firm's compiled weekly booking.
    """
    if recency > lapsed_after_weeks:
        return LOST
    if tenure < new_customer_weeks or purchase_weeks < 2:
        return IDENTIFICATION
    if fast < decline_spend_ratio * slow:
        return DECLINE
    if tenure < stable_after_weeks or purchase_weeks < stable_purchases:
        return DEVELOPMENT
    return STABLE


def threshold_arguments(rules: StageThresholds) -> tuple:
    """The thresholds in the order :func:`stage_code` takes them after the five facts."""
    return (
        float(rules.lapsed_after_weeks),
        float(rules.new_customer_weeks),
        float(rules.decline_spend_ratio),
        float(rules.stable_after_weeks),
        int(rules.stable_purchases),
    )


def _classify_known(week, known, first, last, purchases, fast, slow, stage, thresholds):
    """Write `stage_code` of each of `known` into `stage` (compiled on first use: `_compiled_classifier`)."""
    lapsed, new_weeks, ratio, stable_weeks, stable_purchases = thresholds
    for i in known:
        stage[i] = _stage_code_compiled(
            week - first[i],
            week - last[i],
            purchases[i],
            fast[i],
            slow[i],
            lapsed,
            new_weeks,
            ratio,
            stable_weeks,
            stable_purchases,
        )


_stage_code_compiled = None


@functools.cache
def _compiled_classifier():
    """`_classify_known` compiled with numba, which is imported only now: numba loads scipy, and the
    tables of this package stay importable without either (tests/test_crm_theory_loyalty.py)."""
    global _stage_code_compiled
    from numba import njit

    _stage_code_compiled = njit(cache=True, inline="always")(stage_code)
    return njit(cache=True)(_classify_known)


def classify_stage(
    week,
    first_purchase_week: np.ndarray,
    last_purchase_week: np.ndarray,
    purchases: np.ndarray,
    spend_fast: np.ndarray,
    spend_slow: np.ndarray,
    rules: StageThresholds = CALIBRATED_THRESHOLDS,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """The observed stage code (index into :data:`LIFECYCLE_STAGES`) of every customer at ``week``.

    Arrays are one entry per customer: the weeks of the first and last purchase, the number of weeks with a
    purchase (0: never bought, a prospect), and the fast and slow averages of weekly spend, updated with
    :func:`smooth_spend` every week from the first purchase through ``week``. ``known`` optionally gives
    the positions of the customers who ever bought (a speed-up for callers that keep it; default: where
    ``purchases > 0``). Returns int8 codes; the rules are in the module docstring (:func:`stage_code`).
    """
    purchases = np.asarray(purchases)
    arrays = {
        "first_purchase_week": first_purchase_week,
        "last_purchase_week": last_purchase_week,
        "spend_fast": spend_fast,
        "spend_slow": spend_slow,
    }
    for name, array in arrays.items():
        if np.shape(array) != purchases.shape:
            raise ValueError(
                f"classify_stage: {name} has shape {np.shape(array)}, but purchases has shape "
                f"{purchases.shape}; give one entry per customer in every array"
            )
    stage = np.full(purchases.shape, PROSPECT, dtype=np.int8)
    known = np.flatnonzero(purchases > 0) if known is None else np.asarray(known, dtype=np.int64)
    _compiled_classifier()(
        week,
        known,
        np.asarray(first_purchase_week, dtype=np.int64),
        np.asarray(last_purchase_week, dtype=np.int64),
        purchases.astype(np.int64, copy=False),
        np.asarray(spend_fast, dtype=np.float64),
        np.asarray(spend_slow, dtype=np.float64),
        stage,
        threshold_arguments(rules),
    )
    return stage


def observed_stage(
    transactions: pd.DataFrame, analysis_date=None, *, rules: StageThresholds = CALIBRATED_THRESHOLDS
) -> pd.DataFrame:
    """The observed stage of every customer in a transaction log as of the end of the analysis week.

    Follows docs/crm-theory-reference.md §2 and §7; computes the facts :func:`classify_stage` reads from
    the log:

    - time in whole weeks: a ``week`` log uses its week numbers; a ``date`` log counts whole weeks of 7 days
      from the first date in the log (days 0-6 are week 0, days 7-13 week 1, ...), so a week's purchases are
      those of seven consecutive days, whatever the weekday the log starts on;
    - a customer's spend in a week is the sum of their amounts in it, and a week with at least one
      transaction (zero-amount ones included) counts as one purchase week;
    - both spend averages start at 0 and are updated (:func:`smooth_spend`) in every week from the
      customer's first purchase through the analysis week, purchase or not.

    ``analysis_date`` is a week number or a date (default: the last transaction's); its whole week is
    included and later transactions are excluded with a warning. Given the log of a simulated run and its
    last week, the stages are exactly those the simulated firm's records give at the end of that week.

    Returns, indexed by ``customer_id``: ``stage`` (a :data:`LIFECYCLE_STAGES` label), ``tenure_weeks``
    and ``weeks_since_last`` (weeks since the first and the last purchase), ``purchase_weeks``,
    ``spend_fast`` and ``spend_slow``; ``attrs["analysis_date"]`` names the analysis date.
    """
    if not isinstance(rules, StageThresholds):
        raise TypeError(f"observed_stage: rules must be a StageThresholds, got {type(rules).__name__}")
    transactions = validate_transactions(transactions)
    time_column = time_column_of(transactions)
    occasions = occasion_index(transactions[time_column], time_column)
    if len(occasions) == 0:
        raise DataError("the transaction log is empty")
    end = (
        int(occasions.max())
        if analysis_date is None
        else point_index(coerce_time_point(analysis_date, time_column), time_column)
    )
    keep = occasions <= end
    report_exclusion(int((~keep).sum()), f"after the analysis date {format_point(end, time_column)}")
    if not keep.any():
        raise DataError(f"no transactions on or before the analysis date {format_point(end, time_column)}")

    if time_column == "week":
        weeks, analysis_week = occasions[keep], end
    else:
        origin = int(occasions.min())
        weeks = (occasions[keep] - origin) // DAYS_PER_WEEK
        analysis_week = (end - origin) // DAYS_PER_WEEK
    codes, customers = pd.factorize(transactions["customer_id"].to_numpy()[keep], sort=True)
    n = len(customers)
    amount = transactions["amount"].to_numpy(dtype=float)[keep]

    # One row per customer and purchase week, in week order: the weekly spend the firm would book.
    weekly = (
        pd.DataFrame({"week": weeks, "customer": codes, "amount": amount})
        .groupby(["week", "customer"], sort=True)["amount"]
        .sum()
    )
    week_of = weekly.index.get_level_values("week").to_numpy()
    customer_of = weekly.index.get_level_values("customer").to_numpy()
    spend_of = weekly.to_numpy()
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, customer_of, week_of)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, customer_of, week_of)
    purchase_weeks = np.bincount(customer_of, minlength=n)

    # Smoothing week by week, as the firm does. Before a customer's first purchase both the average and
    # the spend are 0, and 0 + a(0 - 0) = 0 exactly, so updating everyone every week changes nothing
    # for them and keeps the arithmetic identical to the firm's.
    fast, slow = np.zeros(n), np.zeros(n)
    spend = np.zeros(n)
    bounds = np.searchsorted(week_of, np.arange(week_of[0], analysis_week + 2))
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        buyers = customer_of[start:stop]
        spend[buyers] = spend_of[start:stop]
        fast = smooth_spend(fast, spend, rules.fast_smoothing)
        slow = smooth_spend(slow, spend, rules.slow_smoothing)
        spend[buyers] = 0.0

    stage = classify_stage(analysis_week, first, last, purchase_weeks, fast, slow, rules)
    result = pd.DataFrame(
        {
            "stage": np.asarray(LIFECYCLE_STAGES, dtype=object)[stage],
            "tenure_weeks": analysis_week - first,
            "weeks_since_last": analysis_week - last,
            "purchase_weeks": purchase_weeks,
            "spend_fast": fast,
            "spend_slow": slow,
        },
        index=pd.Index(customers, name="customer_id"),
    )
    result.attrs["analysis_date"] = format_point(end, time_column)
    return result


@dataclass(frozen=True)
class StageAgreement:
    """How well observed stages match the true ones (e.g. the simulation's ``stage`` column)."""

    confusion: pd.DataFrame  #: customers by true stage (rows) x observed stage (columns)
    accuracy: float  #: share of compared customers whose observed stage is the true one
    kappa: float  #: Cohen's kappa: agreement beyond what chance would give (1 perfect, 0 chance level)
    per_stage: pd.DataFrame  #: precision and recall of each observed stage
    n_compared: int
    only_observed: int  #: customers with an observed stage but no true stage
    only_true: int  #: customers with a true stage but no transactions to observe (e.g. prospects)


def stage_agreement(observed: pd.Series, true: pd.Series) -> StageAgreement:
    """Compare observed with true stages, both Series indexed by ``customer_id``.

    Only customers in both are compared; how many are in one only is reported, not hidden.
    """
    for name, series in (("observed", observed), ("true", true)):
        if not isinstance(series, pd.Series):
            raise DataError(f"{name} stages must be a pandas Series indexed by customer_id")
        if series.index.has_duplicates:
            raise DataError(f"{name} stages list a customer_id more than once")
    common = observed.index.intersection(true.index)
    if len(common) == 0:
        raise DataError("observed and true stages share no customer_id")
    observed_common = observed.loc[common].astype(str)
    true_common = true.loc[common].astype(str)
    labels = list(OBSERVED_STAGES) + sorted((set(observed_common) | set(true_common)) - set(OBSERVED_STAGES))
    confusion = pd.crosstab(
        pd.Categorical(true_common, categories=labels),
        pd.Categorical(observed_common, categories=labels),
        dropna=False,
    )
    confusion.index.name, confusion.columns.name = "true", "observed"
    counts = confusion.to_numpy(dtype=float)
    total = counts.sum()
    accuracy = float(np.trace(counts) / total)
    chance = float(np.sum(counts.sum(axis=0) * counts.sum(axis=1)) / total**2)
    kappa = float((accuracy - chance) / (1 - chance)) if chance < 1 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        per_stage = pd.DataFrame(
            {
                "true_count": counts.sum(axis=1),
                "observed_count": counts.sum(axis=0),
                "precision": np.diag(counts) / counts.sum(axis=0),
                "recall": np.diag(counts) / counts.sum(axis=1),
            },
            index=pd.Index(labels, name="stage"),
        )
    return StageAgreement(
        confusion=confusion,
        accuracy=accuracy,
        kappa=kappa,
        per_stage=per_stage,
        n_compared=len(common),
        only_observed=len(observed.index.difference(true.index)),
        only_true=len(true.index.difference(observed.index)),
    )
