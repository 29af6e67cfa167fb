"""The BG/NBD purchase model (Fader, Hardie & Lee 2005, Marketing Science 24(2)), fitted by maximum
likelihood.

Follows docs/crm-theory-reference.md §4 (predictive value from transactions). While alive, a customer buys
as a Poisson process with rate lambda ~ Gamma(r, alpha); after every purchase the customer drops out with
probability p ~ Beta(a, b). Given a customer's frequency x, recency t_x and age T (see
:mod:`crm_theory.purchase_summary`), the model gives the probability the customer is still alive and the
purchases to expect in a future period.

Written here with scipy rather than taken from ``lifetimes``, which is unmaintained and breaks on pandas 3.
Every formula is evaluated in log space so that customers with no repeat purchases or with very many do
not overflow or produce NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, expit, gammaln, hyp2f1, psi
from scipy.stats import beta as beta_distribution
from scipy.stats import gamma as gamma_distribution

from crm_theory._fitting import fit_log_parameters
from crm_theory._model import CustomerBaseModel
from crm_theory.purchase_summary import summary_columns, summary_time_unit


class BetaGeoModel(CustomerBaseModel):
    """BG/NBD model in scikit-learn style: ``BetaGeoModel().fit(summary)`` returns the fitted model.

    Follows docs/crm-theory-reference.md §4 (BG/NBD, Fader, Hardie & Lee 2005).

    Fitted attributes: ``r_``, ``alpha_`` (the Gamma purchase-rate heterogeneity, alpha in the summary's
    time unit), ``a_``, ``b_`` (the Beta dropout heterogeneity), ``log_likelihood_`` (of the whole
    calibration sample), ``aic_``, ``standard_errors_``, ``time_unit_`` (from the summary),
    ``n_customers_`` and ``optimizer_result_``; see :mod:`crm_theory._model` for ``from_params``,
    ``summary()``, ``save``/``load`` and ``in_time_unit``.
    """

    PARAMETERS = ("r", "alpha", "a", "b")
    SCALE_PARAMETERS = ("alpha",)

    def __init__(
        self, *, initial_params: tuple[float, float, float, float] | None = None, tol: float = 1e-10
    ):
        self.initial_params = initial_params
        self.tol = tol

    # --------------------------------------------------------------------------------------------------
    # likelihood

    @staticmethod
    def _log_likelihood_terms(params, frequency, recency, age):
        """Per-customer log-likelihood and its gradient with respect to (r, alpha, a, b)."""
        r, alpha, a, b = params
        x = frequency
        has_repeat = x > 0
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        beta_ab = betaln(a, b)
        still_alive = betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + age)
        # Dropped out right after the last purchase; only possible with a repeat purchase. b + x - 1 >= b > 0
        # where it is used, but np.where evaluates both branches, so guard the argument.
        b_shifted = np.where(has_repeat, b + x - 1, b)
        dropped = np.where(
            has_repeat, betaln(a + 1, b_shifted) - beta_ab - (r + x) * np.log(alpha + recency), -np.inf
        )
        mixture = np.logaddexp(still_alive, dropped)
        loglik = common + mixture

        weight_alive = np.exp(still_alive - mixture)
        weight_dropped = 1.0 - weight_alive
        d_r = (
            psi(r + x)
            - psi(r)
            + np.log(alpha)
            - weight_alive * np.log(alpha + age)
            - weight_dropped * np.log(alpha + recency)
        )
        d_alpha = (
            r / alpha - weight_alive * (r + x) / (alpha + age) - weight_dropped * (r + x) / (alpha + recency)
        )
        psi_abx = psi(a + b + x)
        d_beta_ab_a = psi(a) - psi(a + b)
        d_beta_ab_b = psi(b) - psi(a + b)
        d_a = weight_alive * (psi(a) - psi_abx) + weight_dropped * (psi(a + 1) - psi_abx) - d_beta_ab_a
        d_b = (
            weight_alive * (psi(b + x) - psi_abx)
            + np.where(has_repeat, weight_dropped * (psi(b_shifted) - psi_abx), 0.0)
            - d_beta_ab_b
        )
        return loglik, np.stack([d_r, d_alpha, d_a, d_b])

    def _negative_log_likelihood(self, log_params, frequency, recency, age, counts):
        params = np.exp(log_params)
        loglik, gradient = self._log_likelihood_terms(params, frequency, recency, age)
        total = float(np.dot(counts, loglik))
        # chain rule for optimising log parameters: d/d(log p) = p d/dp
        log_gradient = params * (gradient @ counts)
        if not np.isfinite(total):
            return np.inf, np.zeros(4)
        return -total, -log_gradient

    def fit(self, summary: pd.DataFrame) -> BetaGeoModel:
        """Fit r, alpha, a, b by maximum likelihood on a summary with ``frequency``, ``recency``, ``T``."""
        frequency, recency, age = summary_columns(summary)
        # customers with identical (x, t_x, T) contribute identical terms: fit on the distinct rows, weighted
        rows, counts = np.unique(np.column_stack([frequency, recency, age]), axis=0, return_counts=True)
        x, t_x, big_t = rows.T
        counts = counts.astype(float)
        if self.initial_params is not None:
            starts = [np.log(np.asarray(self.initial_params, dtype=float))]
        else:
            # the purchase-rate scale alpha is in the summary's time unit: start it at the mean age
            scale = max(float(np.average(big_t, weights=counts)), 1e-3)
            starts = [np.log([1.0, scale, 1.0, 1.0]), np.log([0.5, scale / 4, 0.5, 2.0])]
        best = fit_log_parameters(
            self._negative_log_likelihood,
            starts,
            (x, t_x, big_t, counts),
            ftol=self.tol,
            gtol=1e-8,
            maxiter=2000,
        )

        def negative_log_likelihood(params):
            loglik, _ = self._log_likelihood_terms(params, x, t_x, big_t)
            return -float(np.dot(counts, loglik))

        self._record_fit(
            np.exp(best.x),
            negative_log_likelihood,
            n_customers=counts.sum(),
            time_unit=summary_time_unit(summary),
            optimizer_result=best,
        )
        return self

    def _params(self):
        return self._param_values()

    def individual_log_likelihood(self, summary: pd.DataFrame) -> pd.Series:
        """Each customer's log-likelihood under the fitted parameters."""
        frequency, recency, age = self._purchase_columns(summary)
        loglik, _ = self._log_likelihood_terms(self._params(), frequency, recency, age)
        return pd.Series(loglik, index=summary.index, name="log_likelihood")

    # --------------------------------------------------------------------------------------------------
    # predictions

    def _log_odds_dead(self, frequency, recency, age):
        """log of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x); -inf for customers without repeat purchases."""
        r, alpha, a, b = self._params()
        has_repeat = frequency > 0
        shifted = np.where(has_repeat, b + frequency - 1, 1.0)
        log_odds = (
            np.log(a) - np.log(shifted) + (r + frequency) * (np.log(alpha + age) - np.log(alpha + recency))
        )
        return np.where(has_repeat, log_odds, -np.inf)

    def conditional_probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T): 1 for customers without repeat purchases (the model lets a customer drop
        out only right after a purchase)."""
        frequency, recency, age = self._purchase_columns(summary)
        probability = expit(-self._log_odds_dead(frequency, recency, age))
        return pd.Series(probability, index=summary.index, name="p_alive")

    def _expected_given_alive_factor(self, t, frequency, age):
        """E[purchases in (T, T+t] | alive], multiplied by P(alive)'s denominator factor (FHL 2005, eq. 10).

        The textbook form has ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z), whose two factors
        under- and overflow for large x. Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A,C-B;C;z)
        turns the product into (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), which stays tame for any x.
        """
        r, alpha, a, b = self._params()
        if abs(a - 1.0) < 1e-7:
            a = 1.0 + 1e-7  # the formula is 0/0 at a = 1 and continuous there; step off the singular point
        t = np.asarray(t, dtype=float)
        z = t / (alpha + age + t)
        c = a + b + frequency - 1
        transformed = np.exp((a - 1) * np.log1p(-z)) * hyp2f1(a + b - 1 - r, a - 1, c, z)
        return c / (a - 1) * (1.0 - transformed)

    def conditional_expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` time units for each customer (FHL 2005, eq. 10)."""
        if np.any(np.asarray(t) < 0):
            raise ValueError(f"t must be >= 0, got {t}")
        frequency, recency, age = self._purchase_columns(summary)
        given_alive = self._expected_given_alive_factor(t, frequency, age)
        expected = given_alive * expit(-self._log_odds_dead(frequency, recency, age))
        return pd.Series(expected, index=summary.index, name="expected_purchases")

    def expected_purchases(self, t) -> np.ndarray | float:
        """Expected purchases of a newly acquired customer in (0, t] (FHL 2005, eq. 7)."""
        t_array = np.atleast_1d(np.asarray(t, dtype=float))
        zeros = np.zeros_like(t_array)
        values = self._expected_given_alive_factor(t_array, zeros, zeros)
        return float(values[0]) if np.ndim(t) == 0 else values

    def probability_of_purchases(self, x, t) -> np.ndarray | float:
        """P(X(t) = x): the probability that a newly acquired customer makes exactly ``x`` repeat purchases
        in (0, t] (FHL 2005, eq. 8). ``x`` and ``t`` broadcast against each other.

        Still alive after x purchases: B(a, b+x)/B(a, b) NBD(x; r, alpha, t); or dropped out after the
        x-th: B(a+1, b+x-1)/B(a, b) times P(at least x purchases by t) under the NBD.
        """
        r, alpha, a, b = self._params()
        x_array, t_array = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
        if (x_array < 0).any() or (x_array != np.floor(x_array)).any():
            raise ValueError(f"x must hold whole numbers >= 0, got {x}")
        if (t_array < 0).any() or not np.isfinite(t_array).all():
            raise ValueError(f"t must be finite and >= 0, got {t}")
        log_p0 = r * (np.log(alpha) - np.log(alpha + t_array))
        with np.errstate(divide="ignore", invalid="ignore"):  # t = 0: log 0 = -inf, used only where x > 0
            log_q = np.log(t_array) - np.log(alpha + t_array)
            log_nbd = (
                gammaln(r + x_array)
                - gammaln(r)
                - gammaln(x_array + 1)
                + log_p0
                + np.where(x_array > 0, x_array * log_q, 0.0)
            )
        alive = np.exp(betaln(a, b + x_array) - betaln(a, b) + log_nbd)
        # P(N(t) >= x) under the NBD = 1 - P(N(t) <= x - 1): the negative binomial's survival function
        at_least_x = np.where(x_array > 0, nbinom_survival(x_array - 1, r, alpha, t_array), 0.0)
        shifted = np.where(x_array > 0, b + x_array - 1, b)
        dropped = np.where(x_array > 0, np.exp(betaln(a + 1, shifted) - betaln(a, b)) * at_least_x, 0.0)
        result = alive + dropped
        return float(result) if result.ndim == 0 else result

    def heterogeneity_distributions(self) -> dict:
        """The fitted mixing distributions, for plots: purchase rate lambda ~ Gamma(r, alpha) (per time
        unit) and dropout probability p ~ Beta(a, b) (after each purchase)."""
        r, alpha, a, b = self._params()
        unit = getattr(self, "time_unit_", None) or "time unit"
        return {
            f"purchase rate while alive (purchases per {unit})": gamma_distribution(r, scale=1.0 / alpha),
            "dropout probability after a purchase": beta_distribution(a, b),
        }


def nbinom_survival(k, r, alpha, t):
    """P(N > k) for N ~ NBD with shape r and p = alpha / (alpha + t): the purchases in (0, t] of a
    Poisson process whose rate is Gamma(r, alpha). At t = 0 nobody buys, so it is 0."""
    from scipy.stats import nbinom

    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = nbinom.sf(k, r, alpha / (alpha + t))
    return np.where(t > 0, survival, 0.0)
