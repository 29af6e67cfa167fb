"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4)).

Follows docs/crm-theory-reference.md §4 (predictive value from transactions). A customer's transaction values
vary around their own mean as Gamma(p, nu); the scale nu varies across customers as Gamma(q, gamma).
Fitted on the mean repeat spend m_x of customers with x > 0 repeat purchases; the model assumes spend is
independent of the purchase process, so it pairs with :class:`~crm_theory.bgnbd.BetaGeoModel` for CLV.

Written here with scipy rather than taken from ``lifetimes`` (unmaintained, breaks on pandas 3), in log
space throughout.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import gammaln, psi
from scipy.stats import invgamma

from crm_theory._fitting import fit_log_parameters
from crm_theory._model import CustomerBaseModel
from crm_theory.errors import DataError
from crm_theory.purchase_summary import monetary_column, summary_columns
from crm_theory.validation import report_exclusion

#: |correlation| between frequency and mean spend from which the Gamma-Gamma assumption is taken as
#: broken: a "medium" correlation in Cohen's terms. (A significance test would flag negligible
#: correlations in any large data set, so the size of the correlation is what is judged.)
MAX_INDEPENDENCE_CORRELATION = 0.3


class ModelAssumptionWarning(UserWarning):
    """The data break an assumption of the model being fitted; its predictions may be biased."""


def spend_frequency_correlation(summary: pd.DataFrame) -> float:
    """Pearson correlation between repeat frequency and mean repeat spend over the customers with
    repeat purchases: the Gamma-Gamma model assumes spend per purchase is independent of how often a
    customer buys (Fader, Hardie & Lee 2005, "RFM and CLV"; about 0.11 on CDNOW)."""
    frequency, _, _ = summary_columns(summary)
    spend = monetary_column(summary)
    used = (frequency > 0) & (spend > 0)
    if used.sum() < 3:
        raise DataError("the correlation needs at least 3 customers with repeat purchases and spend > 0")
    if np.ptp(frequency[used]) == 0 or np.ptp(spend[used]) == 0:
        raise DataError("frequency or mean spend is the same for every repeat customer: no correlation")
    return float(np.corrcoef(frequency[used], spend[used])[0, 1])


class GammaGammaModel(CustomerBaseModel):
    """Gamma-Gamma spend model in scikit-learn style: ``GammaGammaModel().fit(summary)`` returns the model.

    Follows docs/crm-theory-reference.md §4 (Gamma-Gamma, Fader, Hardie & Lee 2005 "RFM and CLV").

    Fitted attributes: ``p_``, ``q_``, ``gamma_``, ``log_likelihood_`` (of the customers used), ``aic_``,
    ``standard_errors_``, ``n_customers_`` (customers with repeat purchases and positive mean spend),
    ``spend_frequency_correlation_`` and ``optimizer_result_``.

    The model assumes spend per purchase is independent of purchase frequency. ``fit`` checks it: where
    |correlation| >= ``max_correlation`` (default 0.3) it warns with :class:`ModelAssumptionWarning`, or,
    with ``on_dependence="raise"``, refuses with a :class:`DataError`.
    """

    PARAMETERS = ("p", "q", "gamma")

    def __init__(
        self,
        *,
        initial_params: tuple[float, float, float] | None = None,
        tol: float = 1e-12,
        max_correlation: float = MAX_INDEPENDENCE_CORRELATION,
        on_dependence: str = "warn",
    ):
        self.initial_params = initial_params
        self.tol = tol
        self.max_correlation = max_correlation
        self.on_dependence = on_dependence

    @staticmethod
    def _log_likelihood_terms(params, frequency, mean_spend):
        """Per-customer log density of the mean spend m_x given x, and its gradient in (p, q, gamma)."""
        p, q, gamma = params
        x, m = frequency, mean_spend
        px = p * x
        log_scaled = np.log(gamma + x * m)
        loglik = (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(gamma)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * log_scaled
        )
        d_p = x * (psi(px + q) - psi(px) + np.log(m) + np.log(x) - log_scaled)
        d_q = psi(px + q) - psi(q) + np.log(gamma) - log_scaled
        d_gamma = q / gamma - (px + q) / (gamma + x * m)
        return loglik, np.stack([d_p, d_q, d_gamma])

    def _negative_log_likelihood(self, log_params, frequency, mean_spend):
        params = np.exp(log_params)
        loglik, gradient = self._log_likelihood_terms(params, frequency, mean_spend)
        total = float(loglik.sum())
        if not np.isfinite(total):
            return np.inf, np.zeros(3)
        return -total, -params * gradient.sum(axis=1)

    @staticmethod
    def _fitting_sample(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        frequency, _, _ = summary_columns(summary)
        spend = monetary_column(summary)
        repeaters = frequency > 0
        zero_spend = repeaters & (spend <= 0)
        # Zero-dollar purchases are legal data, but a mean spend of 0 has zero density under a Gamma
        # distribution: say how many customers that leaves out rather than fail or drop them quietly.
        report_exclusion(
            int(zero_spend.sum()),
            "their mean repeat spend is 0, which the Gamma-Gamma model cannot fit (spend must be > 0)",
            what="customers",
        )
        used = repeaters & ~zero_spend
        if used.sum() < 2:
            raise DataError(
                "the Gamma-Gamma model needs at least 2 customers with repeat purchases and spend > 0"
            )
        return frequency[used], spend[used]

    def _check_independence(self, frequency: np.ndarray, spend: np.ndarray) -> float:
        if self.on_dependence not in ("warn", "raise", "ignore"):
            raise ValueError(f"on_dependence must be 'warn', 'raise' or 'ignore', got {self.on_dependence!r}")
        if frequency.size < 3 or np.ptp(frequency) == 0 or np.ptp(spend) == 0:
            return float("nan")
        correlation = float(np.corrcoef(frequency, spend)[0, 1])
        if abs(correlation) >= self.max_correlation and self.on_dependence != "ignore":
            message = (
                f"mean spend and purchase frequency are correlated (r = {correlation:.2f}, |r| >= "
                f"{self.max_correlation:g}): the Gamma-Gamma model assumes they are independent, so its "
                "expected spend will be biased; model spend by segment or with frequency as a covariate"
            )
            if self.on_dependence == "raise":
                raise DataError(message)
            warnings.warn(message, ModelAssumptionWarning, stacklevel=3)
        return correlation

    def fit(self, summary: pd.DataFrame) -> GammaGammaModel:
        """Fit p, q, gamma by maximum likelihood on the customers with repeat purchases (x > 0)."""
        frequency, spend = self._fitting_sample(summary)
        correlation = self._check_independence(frequency, spend)
        if self.initial_params is not None:
            starts = [np.log(np.asarray(self.initial_params, dtype=float))]
        else:
            # two starts whose implied mean spend p gamma / (q - 1) is the sample mean; the better fit wins
            mean_spend = float(np.mean(spend))
            starts = [np.log([1.0, 2.0, mean_spend]), np.log([5.0, 5.0, 0.8 * mean_spend])]
        best = fit_log_parameters(
            self._negative_log_likelihood, starts, (frequency, spend), ftol=self.tol, gtol=1e-9, maxiter=5000
        )

        def negative_log_likelihood(params):
            return -float(self._log_likelihood_terms(params, frequency, spend)[0].sum())

        self._record_fit(
            np.exp(best.x),
            negative_log_likelihood,
            n_customers=frequency.size,
            time_unit=None,
            optimizer_result=best,
        )
        self.spend_frequency_correlation_ = correlation
        return self

    def population_mean_spend(self) -> float:
        """Mean spend per transaction across the population, p gamma / (q - 1) (finite only for q > 1)."""
        self._check_fitted()
        if self.q_ <= 1:
            raise ValueError(
                f"q = {self.q_:.3g} <= 1: the population's mean spend is infinite under this fit"
            )
        return self.p_ * self.gamma_ / (self.q_ - 1)

    def conditional_expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """E[spend per transaction | x, m_x]: a weighted average of the population mean and the customer's
        own mean, the weight on the own mean growing with x (FHL 2005 "RFM and CLV").

        Customers without repeat purchases get the population mean.
        """
        frequency, _, _ = summary_columns(summary)
        spend = monetary_column(summary)
        population_mean = self.population_mean_spend()
        p, q = self.p_, self.q_
        weight_own = p * frequency / (p * frequency + q - 1)
        expected = (1 - weight_own) * population_mean + weight_own * np.where(frequency > 0, spend, 0.0)
        return pd.Series(expected, index=summary.index, name="expected_spend")

    def heterogeneity_distributions(self) -> dict:
        """The fitted spread of customers' own mean spend per purchase, p / nu with nu ~ Gamma(q, gamma):
        an inverse-gamma distribution with shape q and scale p gamma, for plots."""
        self._check_fitted()
        return {"customer's mean spend per purchase": invgamma(self.q_, scale=self.p_ * self.gamma_)}
