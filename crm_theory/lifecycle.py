"""Observed lifecycle stage: infer a customer's relationship stage from the transaction history alone.

Follows crm-theory-reference.md §2 (relationship lifecycle, Dwyer, Schurr & Oh 1987) and §7 (lifecycle
management). The stages show in the transaction volume: low in identification, rising fast in
development, a flat peak in the stable stage, falling in decline; a lost customer stops buying. A firm
sees only the transactions, so these rules read the stage from spending rates:

1. **lost**: no purchase for longer than ``lost_after_weeks`` and than ``lost_gap_multiple`` times the
   customer's own median gap between purchase occasions;
2. **identification**: the relationship is younger than ``identification_weeks``, or has fewer than
   ``min_purchases`` purchase occasions (trial purchases only);
3. **decline**: the spending rate of the last window is below ``decline_ratio`` times the rate of the
   ``baseline_windows`` windows before it;
4. **development**: the recent rate is above ``growth_ratio`` times that baseline;
5. otherwise the rate is flat: **stable** if it has grown to at least ``growth_ratio`` times the rate of
   the customer's first window, else still **identification** (trial-level spending).

A window is ``window_weeks`` long, or longer for a sparse buyer: long enough to hold
``purchases_per_window`` purchases at the customer's mean gap, so one missing purchase is not a trend.

The names are the simulation's lower-case stage labels, so :func:`stage_agreement` can compare the
observed stage with the simulation's true ``stage``. The thresholds are rules of thumb, not theory: tune
them (e.g. on simulated data, where the truth is known) before using them on real data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import format_point, occasion_index, point_index
from crm_theory.validation import coerce_time_point, report_exclusion, time_column_of, validate_transactions

OBSERVED_STAGES = ("identification", "development", "stable", "decline", "lost")


@dataclass(frozen=True)
class StageRules:
    """Thresholds of the observed-stage rules; times in weeks (date logs are converted, 7 days a week)."""

    window_weeks: float = 12.0
    purchases_per_window: float = 2.0
    baseline_windows: float = 2.0
    identification_weeks: float = 8.0
    min_purchases: int = 3
    lost_after_weeks: float = 16.0
    lost_gap_multiple: float = 4.0
    decline_ratio: float = 0.6
    growth_ratio: float = 1.5

    def __post_init__(self):
        for name in (
            "window_weeks",
            "purchases_per_window",
            "baseline_windows",
            "identification_weeks",
            "lost_after_weeks",
            "lost_gap_multiple",
            "growth_ratio",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if not 0 < self.decline_ratio < 1 < self.growth_ratio:
            raise ValueError("need 0 < decline_ratio < 1 < growth_ratio")


def observed_stage(
    transactions: pd.DataFrame, analysis_date=None, *, rules: StageRules | None = None
) -> pd.DataFrame:
    """The observed stage of every customer at the analysis date, with the measures the rules used.

    Follows crm-theory-reference.md §2 (transaction volume by stage); the rules are in the module docstring.

    ``analysis_date`` is a week number or a date (default: the last transaction's week or day); later
    transactions are excluded with a warning. Returns, indexed by ``customer_id``: ``stage``,
    ``tenure_weeks``, ``weeks_since_last``, ``recent_rate``, ``baseline_rate``, ``start_rate`` (spend per
    week in the last window, the baseline before it and the first window) and ``lost_threshold_weeks``.
    """
    rules = rules or StageRules()
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

    # Time in weeks; one occasion (a week, or a day) is the log's resolution.
    per_week = 1.0 if time_column == "week" else 7.0
    resolution = 1.0 / per_week
    codes, customers = pd.factorize(transactions["customer_id"].to_numpy()[keep], sort=True)
    weeks_ago = (end - occasions[keep]) / per_week
    amount = transactions["amount"].to_numpy(dtype=float)[keep]
    n = len(customers)

    def per_customer_sum(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=amount[mask], minlength=n)

    first_ago = np.full(n, -np.inf)
    np.maximum.at(first_ago, codes, weeks_ago)
    last_ago = np.full(n, np.inf)
    np.minimum.at(last_ago, codes, weeks_ago)
    tenure = first_ago + resolution  # weeks the relationship has run, counting the analysis occasion

    # median gap between distinct purchase occasions
    frame = (
        pd.DataFrame({"customer": codes, "ago": weeks_ago}).drop_duplicates().sort_values(["customer", "ago"])
    )
    gaps = frame.groupby("customer")["ago"].diff()
    median_gap = gaps.groupby(frame["customer"]).median().reindex(range(n)).to_numpy()
    lost_threshold = np.fmax(rules.lost_after_weeks, rules.lost_gap_multiple * median_gap)

    n_occasions = np.bincount(frame["customer"].to_numpy(), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap = np.where(n_occasions > 1, (first_ago - last_ago) / (n_occasions - 1), np.nan)
    # A window must hold a few purchases to show a trend: sparse buyers get longer windows.
    window = np.fmax(rules.window_weeks, rules.purchases_per_window * mean_gap)
    baseline_weeks = rules.baseline_windows * window
    window_of = window[codes]
    recent_length = np.minimum(window, tenure)
    recent_rate = per_customer_sum(weeks_ago < window_of) / recent_length
    baseline_length = np.minimum(window + baseline_weeks, tenure) - window  # <= 0: younger than one window
    baseline_spend = per_customer_sum(
        (weeks_ago >= window_of) & (weeks_ago < window_of + baseline_weeks[codes])
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline_rate = np.where(baseline_length > 0, baseline_spend / baseline_length, np.nan)
    since_first = first_ago[codes] - weeks_ago  # weeks from the customer's first purchase to this one
    start_rate = per_customer_sum(since_first < window_of) / recent_length

    has_baseline = baseline_length >= window / 2  # at least half a window to compare with
    stage = np.full(n, "stable", dtype=object)
    stage[recent_rate < rules.growth_ratio * start_rate] = "identification"  # flat at the trial level
    stage[has_baseline & (recent_rate > rules.growth_ratio * baseline_rate)] = "development"
    stage[has_baseline & (recent_rate < rules.decline_ratio * baseline_rate)] = "decline"
    stage[(tenure <= rules.identification_weeks) | (n_occasions < rules.min_purchases)] = "identification"
    stage[last_ago > lost_threshold] = "lost"

    result = pd.DataFrame(
        {
            "stage": stage,
            "tenure_weeks": tenure,
            "weeks_since_last": last_ago,
            "recent_rate": recent_rate,
            "baseline_rate": baseline_rate,
            "start_rate": start_rate,
            "window_weeks": window,
            "lost_threshold_weeks": lost_threshold,
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
