"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, "How to project
customer retention", Journal of Interactive Marketing 21(1)).

Follows docs/crm-theory-reference.md §4 (customer lifetime value; retention). In a contractual setting
(subscriptions, memberships) we see when a customer leaves. Each customer renews at the end of every
period with a constant probability 1 - theta, and theta varies across customers as Beta(alpha, beta).
Fitted on one cohort's survival counts: how many of the customers who signed up at period 0 are still
customers at the end of periods 1, 2, ...

* survival S(t) = B(alpha, beta + t) / B(alpha, beta);
* P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta), the share who leave at period t;
* retention rate r_t = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1), which *rises* with t
  although no customer's own retention changes: the ones likely to leave go first.

Customer-base value (Fader & Hardie 2010, "Customer-base valuation in a contractual setting: the perils of
ignoring heterogeneity", Marketing Science 29(1)), in units of one period's payment, with discount rate d
per period:

* DEL(d) = sum_{t>=0} S(t) / (1+d)^t = 2F1(1, beta; alpha+beta; 1/(1+d)), the discounted expected lifetime
  of a customer about to make their first payment (which is counted, undiscounted);
* DERL(d | n-1 renewals) = sum_{t>=n} S(t | alive at n-1) / (1+d)^(t-n)
  = (beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d)), the discounted expected residual
  lifetime of a customer who has renewed n-1 times, counted from the next payment (undiscounted).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import betaln, hyp2f1
from scipy.stats import beta as beta_distribution

from crm_theory._fitting import LOG_BOUND
from crm_theory._model import CustomerBaseModel
from crm_theory.errors import DataError


def _survivor_counts(survivors, what: str) -> np.ndarray:
    """Check a cohort's survivor counts: whole numbers, not rising, at least the start and one more."""
    values = np.asarray(
        pd.Series(survivors).dropna() if isinstance(survivors, pd.Series) else survivors, dtype=float
    )
    if values.ndim != 1 or values.size < 2:
        raise DataError(
            f"{what}: needs the cohort size at period 0 and the survivors of at least one "
            f"more period, got {values.size} number(s)"
        )
    if not np.isfinite(values).all() or (values < 0).any() or (values != np.floor(values)).any():
        raise DataError(f"{what}: survivor counts must be whole numbers >= 0")
    if values[0] <= 0:
        raise DataError(f"{what}: the cohort is empty at period 0")
    rising = np.flatnonzero(np.diff(values) > 0)
    if rising.size:
        i = int(rising[0]) + 1
        raise DataError(
            f"{what}: survivors rise from {values[i - 1]:g} to {values[i]:g} at period {i}; a cohort can "
            "only shrink (count each customer in the cohort they joined)"
        )
    return values


class ShiftedBetaGeometricModel(CustomerBaseModel):
    """sBG retention model in scikit-learn style: ``ShiftedBetaGeometricModel().fit(survivors)``.

    Follows docs/crm-theory-reference.md §4 (retention; Fader & Hardie 2007, 2010).

    Fitted attributes: ``alpha_``, ``beta_`` (churn probability theta ~ Beta(alpha, beta)),
    ``log_likelihood_``, ``aic_``, ``standard_errors_``, ``time_unit_`` (the name of one period, e.g.
    ``"year"``), ``n_customers_`` (cohort size) and ``n_periods_`` (periods observed).
    """

    PARAMETERS = ("alpha", "beta")
    DISCRETE_TIME = True

    def __init__(self, *, time_unit: str = "period"):
        self.time_unit = time_unit

    @staticmethod
    def _log_likelihood(params, survivors):
        alpha, beta = params
        periods = np.arange(1, survivors.size)
        churned = survivors[:-1] - survivors[1:]
        log_churn = betaln(alpha + 1, beta + periods - 1) - betaln(alpha, beta)
        log_survive = betaln(alpha, beta + periods[-1]) - betaln(alpha, beta)
        return float(np.dot(churned, log_churn) + survivors[-1] * log_survive)

    def fit(self, survivors: Sequence[float] | pd.Series) -> ShiftedBetaGeometricModel:
        """Fit alpha, beta by maximum likelihood on one cohort's survivors at periods 0, 1, ..., n
        (counts, e.g. ``[1000, 631, 468, ...]``; in a Series, missing values at the end are periods not
        yet observed and are dropped)."""
        counts = _survivor_counts(survivors, "survivors")
        if counts[-1] == counts[0]:
            raise DataError("survivors: nobody left the cohort, so churn cannot be estimated")

        def negative_log_likelihood(params):
            with np.errstate(all="ignore"):
                value = -self._log_likelihood(params, counts)
            return value if np.isfinite(value) else np.inf

        from scipy.optimize import minimize

        best = None
        for start in ([0.0, 0.0], [np.log(0.5), np.log(2.0)], [np.log(2.0), np.log(0.5)]):
            result = minimize(
                lambda log_p: negative_log_likelihood(np.exp(log_p)),
                start,
                method="L-BFGS-B",
                bounds=[(-LOG_BOUND, LOG_BOUND)] * 2,
                options={"ftol": 1e-14, "gtol": 1e-9},
            )
            if best is None or result.fun < best.fun:
                best = result
        self._record_fit(
            np.exp(best.x),
            negative_log_likelihood,
            n_customers=counts[0],
            time_unit=self.time_unit,
            optimizer_result=best,
        )
        self.n_periods_ = counts.size - 1
        return self

    # --------------------------------------------------------------------------------------------------
    # projections

    @staticmethod
    def _periods(t) -> np.ndarray:
        t_array = np.asarray(t, dtype=float)
        if (t_array < 0).any() or (t_array != np.floor(t_array)).any():
            raise ValueError(f"periods must be whole numbers >= 0, got {t}")
        return t_array

    def survival_function(self, t) -> np.ndarray | float:
        """S(t): the share of a new cohort still customers after t periods (t = 0, 1, 2, ...)."""
        alpha, beta = self._param_values()
        t_array = self._periods(t)
        values = np.exp(betaln(alpha, beta + t_array) - betaln(alpha, beta))
        return float(values) if values.ndim == 0 else values

    def probability_of_churn_at(self, t) -> np.ndarray | float:
        """P(T = t): the share of a new cohort who leave at period t >= 1 (the model's lifetime pmf)."""
        alpha, beta = self._param_values()
        t_array = self._periods(t)
        if (t_array < 1).any():
            raise ValueError(f"a customer can leave at period 1 at the earliest, got {t}")
        values = np.exp(betaln(alpha + 1, beta + t_array - 1) - betaln(alpha, beta))
        return float(values) if values.ndim == 0 else values

    def retention_rate(self, t) -> np.ndarray | float:
        """r_t = S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1), the cohort's retention rate in period t >= 1."""
        alpha, beta = self._param_values()
        t_array = self._periods(t)
        if (t_array < 1).any():
            raise ValueError(f"retention rates start at period 1, got {t}")
        values = (beta + t_array - 1) / (alpha + beta + t_array - 1)
        return float(values) if values.ndim == 0 else values

    def projected_survivors(self, cohort_size: float, periods: int) -> pd.Series:
        """Expected survivors of a cohort of ``cohort_size`` at periods 0..``periods``."""
        t = np.arange(int(periods) + 1)
        return pd.Series(
            cohort_size * self.survival_function(t),
            index=pd.Index(t, name="period"),
            name="expected_survivors",
        )

    @staticmethod
    def _discount(discount_rate: float) -> float:
        if not (np.isfinite(discount_rate) and discount_rate > 0):
            raise ValueError(f"discount rate per period must be a finite number > 0, got {discount_rate}")
        return 1.0 / (1.0 + discount_rate)

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL(d) (Fader & Hardie 2010): expected discounted number of payments of a new customer, the
        first one counted at time 0. Multiply by the payment (margin) per period for the expected CLV."""
        alpha, beta = self._param_values()
        return float(hyp2f1(1.0, beta, alpha + beta, self._discount(discount_rate)))

    def discounted_expected_residual_lifetime(self, discount_rate: float, renewals) -> np.ndarray | float:
        """DERL(d | n-1 renewals) (Fader & Hardie 2010): expected discounted number of payments still to
        come from a customer who has renewed ``renewals`` = n-1 times, counting the next payment
        undiscounted. Multiply by the payment per period for the customer's residual value."""
        alpha, beta = self._param_values()
        n = self._periods(renewals) + 1.0
        x = self._discount(discount_rate)
        values = (beta + n - 1) / (alpha + beta + n - 1) * hyp2f1(1.0, beta + n, alpha + beta + n, x)
        return float(values) if np.ndim(values) == 0 else values

    def heterogeneity_distributions(self) -> dict:
        """The fitted mixing distribution, for plots: churn probability theta ~ Beta(alpha, beta)."""
        alpha, beta = self._param_values()
        unit = getattr(self, "time_unit_", None) or "period"
        return {f"churn probability per {unit}": beta_distribution(alpha, beta)}


def fit_cohorts(cohorts: pd.DataFrame, *, time_unit: str = "period") -> dict[str, ShiftedBetaGeometricModel]:
    """Fit one sBG model per column of a cohort table (rows: periods 0, 1, ...; columns: cohorts; cells:
    customers still active; a younger cohort's unobserved periods are missing values at the end)."""
    if not isinstance(cohorts, pd.DataFrame) or cohorts.empty:
        raise DataError("cohort table: expected a non-empty DataFrame, one column per cohort")
    models = {}
    for name in cohorts.columns:
        column = cohorts[name]
        observed = column.notna().to_numpy()
        if observed.any() and not observed[: observed.sum()].all():
            raise DataError(
                f"cohort {name!r}: missing values may only come at the end (periods not yet observed)",
                column=str(name),
            )
        try:
            models[str(name)] = ShiftedBetaGeometricModel(time_unit=time_unit).fit(column.dropna())
        except DataError as error:
            raise DataError(f"cohort {name!r}: {error.problem}", column=str(name)) from None
    return models
