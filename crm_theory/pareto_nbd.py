"""The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), fitted by maximum likelihood.

Follows docs/crm-theory-reference.md §4 (predictive value from transactions), next to BG/NBD. While alive, a
customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); the lifetime is exponential with
rate mu ~ Gamma(s, beta), so a customer can drop out at any moment (in BG/NBD only right after a
purchase). Fader, Hardie & Lee (2005, "Counting your customers the easy way") fit both on CDNOW.

The likelihood (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related expressions")
is

    L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 ]

where A0 holds two Gauss hypergeometric terms, written with (alpha+t) when alpha >= beta and with
(beta+t) otherwise so that the argument z lies in [0, 1). Here each term is moreover put through Pfaff's
transformation 2F1(a, b; a+1; z) = (1-z)^-b 2F1(1, b; a+1; z/(z-1)), whose argument is <= 0 and whose
value lies in (0, 1]: its logarithm never overflows, however many purchases a customer made. The two terms
of A0 and the two terms of L are combined by log-sum-exp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, roots_legendre
from scipy.stats import gamma as gamma_distribution

from crm_theory._fitting import LOG_BOUND
from crm_theory._model import CustomerBaseModel
from crm_theory.purchase_summary import summary_columns, summary_time_unit

#: Gauss-Legendre nodes for P(X(t) = x); the integrand is smooth on [0, t] (checked against adaptive
#: quadrature in the tests to 1e-10).
_NODES, _WEIGHTS = roots_legendre(96)


def _log_a0_term(r, alpha, s, beta, x, t):
    """log of 2F1(...)/(max-scale + t)^(r+s+x), one of A0's two terms at time t (t = t_x or T)."""
    total = r + s + x
    if alpha >= beta:
        # 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t)) / (alpha+t)^(r+s+x), Pfaff-transformed
        w = -(alpha - beta) / (beta + t)
        log_f = np.log(hyp2f1(1.0, s + 1.0, total + 1.0, w))
        return (s + 1.0) * (np.log(alpha + t) - np.log(beta + t)) - total * np.log(alpha + t) + log_f
    # 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t)) / (beta+t)^(r+s+x), Pfaff-transformed
    w = -(beta - alpha) / (alpha + t)
    log_f = np.log(hyp2f1(1.0, r + x, total + 1.0, w))
    return (r + x) * (np.log(beta + t) - np.log(alpha + t)) - total * np.log(beta + t) + log_f


def _log_a0(r, alpha, s, beta, x, t_x, age):
    """log A0 = log(term(t_x) - term(T)); -inf when t_x = T (the customer bought at the very end)."""
    at_last = _log_a0_term(r, alpha, s, beta, x, t_x)
    at_end = _log_a0_term(r, alpha, s, beta, x, age)
    difference = np.minimum(at_end - at_last, 0.0)  # rounding must not make term(T) exceed term(t_x)
    with np.errstate(divide="ignore"):
        return at_last + np.log(-np.expm1(difference))


def _log_likelihood_parts(params, x, t_x, age):
    """(log of the common factor, log of the 'alive at T' term, log of the 'died in (t_x, T]' term)."""
    r, alpha, s, beta = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    died = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, age)
    return common, alive, died


class ParetoNBDModel(CustomerBaseModel):
    """Pareto/NBD model in scikit-learn style: ``ParetoNBDModel().fit(summary)`` returns the fitted model.

    Follows docs/crm-theory-reference.md §4 (Schmittlein, Morrison & Colombo 1987; Fader, Hardie & Lee 2005).

    Fitted attributes: ``r_``, ``alpha_`` (purchase rate lambda ~ Gamma(r, alpha)), ``s_``, ``beta_``
    (dropout rate mu ~ Gamma(s, beta)); alpha and beta are in the summary's time unit. Plus, as every
    model here, ``log_likelihood_``, ``aic_``, ``standard_errors_``, ``time_unit_``, ``n_customers_``.
    """

    PARAMETERS = ("r", "alpha", "s", "beta")
    SCALE_PARAMETERS = ("alpha", "beta")

    def __init__(
        self, *, initial_params: tuple[float, float, float, float] | None = None, tol: float = 1e-10
    ):
        self.initial_params = initial_params
        self.tol = tol

    # --------------------------------------------------------------------------------------------------
    # likelihood

    @staticmethod
    def _log_likelihood_terms(params, frequency, recency, age):
        common, alive, died = _log_likelihood_parts(params, frequency, recency, age)
        return common + np.logaddexp(alive, died)

    def fit(self, summary: pd.DataFrame) -> ParetoNBDModel:
        """Fit r, alpha, s, beta by maximum likelihood on a summary with ``frequency``, ``recency``, ``T``.

        The likelihood has no cheap analytic gradient (it runs through hypergeometric functions), so it
        is maximised over the log-parameters by Nelder-Mead, then polished by L-BFGS-B.
        """
        frequency, recency, age = summary_columns(summary)
        rows, counts = np.unique(np.column_stack([frequency, recency, age]), axis=0, return_counts=True)
        x, t_x, big_t = rows.T
        counts = counts.astype(float)
        # A0's hypergeometric terms depend on (x, t_x) and on (x, T) only: evaluate them once per pair
        last_pairs, at_last_row = np.unique(rows[:, :2], axis=0, return_inverse=True)
        end_pairs, at_end_row = np.unique(rows[:, [0, 2]], axis=0, return_inverse=True)
        at_last_row, at_end_row = at_last_row.ravel(), at_end_row.ravel()

        def negative_log_likelihood(params):
            r, alpha, s, beta = params
            with np.errstate(all="ignore"):
                at_last = _log_a0_term(r, alpha, s, beta, *last_pairs.T)[at_last_row]
                at_end = _log_a0_term(r, alpha, s, beta, *end_pairs.T)[at_end_row]
                log_a0 = at_last + np.log(-np.expm1(np.minimum(at_end - at_last, 0.0)))
                common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
                alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
                died = np.log(s) - np.log(r + s + x) + log_a0
                total = float(np.dot(counts, common + np.logaddexp(alive, died)))
            return -total if np.isfinite(total) else np.inf

        def on_log_scale(log_params):
            if np.any(np.abs(log_params) > LOG_BOUND):
                return np.inf
            return negative_log_likelihood(np.exp(log_params))

        if self.initial_params is not None:
            starts = [np.log(np.asarray(self.initial_params, dtype=float))]
        else:
            scale = max(float(np.average(big_t, weights=counts)), 1e-3)
            starts = [np.log([0.5, scale / 4, 0.5, scale / 4]), np.log([1.0, scale, 1.0, scale])]
        best = None
        for start in starts:
            # Nelder-Mead copes with the regions where the likelihood is not finite; L-BFGS-B polishes
            coarse = minimize(
                on_log_scale,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-5, "fatol": 1e-6, "maxiter": 4000},
            )
            result = minimize(
                on_log_scale,
                coarse.x,
                method="L-BFGS-B",
                bounds=[(-LOG_BOUND, LOG_BOUND)] * 4,
                options={"ftol": self.tol, "gtol": 1e-7, "maxiter": 500},
            )
            if not result.fun <= coarse.fun:
                result = coarse
            if best is None or result.fun < best.fun:
                best = result
            # the second start is a fallback: a fit that converged inside the bounds is kept
            if best.success and np.all(np.abs(best.x) < LOG_BOUND - 1):
                break
        self._record_fit(
            np.exp(best.x),
            negative_log_likelihood,
            n_customers=counts.sum(),
            time_unit=summary_time_unit(summary),
            optimizer_result=best,
        )
        return self

    def individual_log_likelihood(self, summary: pd.DataFrame) -> pd.Series:
        """Each customer's log-likelihood under the fitted parameters."""
        frequency, recency, age = self._purchase_columns(summary)
        loglik = self._log_likelihood_terms(self._param_values(), frequency, recency, age)
        return pd.Series(loglik, index=summary.index, name="log_likelihood")

    # --------------------------------------------------------------------------------------------------
    # predictions

    def _log_probability_alive(self, frequency, recency, age):
        _, alive, died = _log_likelihood_parts(self._param_values(), frequency, recency, age)
        return alive - np.logaddexp(alive, died)

    def conditional_probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive at T | x, t_x, T) (Fader & Hardie 2005 note, eq. 18)."""
        frequency, recency, age = self._purchase_columns(summary)
        probability = np.exp(self._log_probability_alive(frequency, recency, age))
        return pd.Series(probability, index=summary.index, name="p_alive")

    @staticmethod
    def _expected_given_alive(r_plus_x, alpha_t, s, beta_t, t):
        """E[purchases in (T, T+t] | alive at T, posterior Gamma(r+x, alpha+T) x Gamma(s, beta+T)]."""
        t = np.asarray(t, dtype=float)
        rate = r_plus_x / alpha_t
        if abs(s - 1.0) < 1e-8:
            return rate * beta_t * np.log1p(t / beta_t)  # the limit s -> 1
        return rate * beta_t / (s - 1.0) * (1.0 - np.exp((s - 1.0) * (np.log(beta_t) - np.log(beta_t + t))))

    def conditional_expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` time units for each customer (FH 2005 note, eq. 22)."""
        t_array = np.asarray(t, dtype=float)
        if (t_array < 0).any() or not np.isfinite(t_array).all():
            raise ValueError(f"t must be finite and >= 0, got {t}")
        frequency, recency, age = self._purchase_columns(summary)
        r, alpha, s, beta = self._param_values()
        given_alive = self._expected_given_alive(r + frequency, alpha + age, s, beta + age, t_array)
        expected = given_alive * np.exp(self._log_probability_alive(frequency, recency, age))
        return pd.Series(expected, index=summary.index, name="expected_purchases")

    def expected_purchases(self, t) -> np.ndarray | float:
        """Expected purchases of a newly acquired customer in (0, t] (FH 2005 note, eq. 17)."""
        r, alpha, s, beta = self._param_values()
        t_array = np.asarray(t, dtype=float)
        if (t_array < 0).any() or not np.isfinite(t_array).all():
            raise ValueError(f"t must be finite and >= 0, got {t}")
        values = self._expected_given_alive(r, alpha, s, beta, t_array)
        return float(values) if np.ndim(values) == 0 else values

    def probability_of_purchases(self, x, t) -> np.ndarray | float:
        """P(X(t) = x) for a newly acquired customer, by one-dimensional quadrature:

            P(X(t)=x) = NBD(x; r, alpha, t) (beta/(beta+t))^s
                        + integral_0^t s beta^s (beta+tau)^-(s+1) NBD(x; r, alpha, tau) d tau,

        alive throughout (0, t], or dead at tau after x purchases; NBD(x; r, alpha, tau) is the number of
        purchases of a Gamma(r, alpha)-mixed Poisson process in (0, tau]. ``x`` and ``t`` broadcast.
        """
        r, alpha, s, beta = self._param_values()
        x_array, t_array = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
        if (x_array < 0).any() or (x_array != np.floor(x_array)).any():
            raise ValueError(f"x must hold whole numbers >= 0, got {x}")
        if (t_array < 0).any() or not np.isfinite(t_array).all():
            raise ValueError(f"t must be finite and >= 0, got {t}")

        def log_nbd(count, tau):
            with np.errstate(divide="ignore", invalid="ignore"):
                log_tau = np.where(count > 0, count * (np.log(tau) - np.log(alpha + tau)), 0.0)
                return (
                    gammaln(r + count)
                    - gammaln(r)
                    - gammaln(count + 1)
                    + r * (np.log(alpha) - np.log(alpha + tau))
                    + log_tau
                )

        still_alive = np.exp(log_nbd(x_array, t_array) + s * (np.log(beta) - np.log(beta + t_array)))
        # quadrature on [0, t]: nodes tau = t (u + 1) / 2
        tau = t_array[..., None] * (_NODES + 1.0) / 2.0
        integrand = np.exp(
            np.log(s) + s * np.log(beta) - (s + 1.0) * np.log(beta + tau) + log_nbd(x_array[..., None], tau)
        )
        died = t_array / 2.0 * (integrand @ _WEIGHTS)
        result = still_alive + died
        return float(result) if result.ndim == 0 else result

    def heterogeneity_distributions(self) -> dict:
        """The fitted mixing distributions, for plots: lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta)."""
        r, alpha, s, beta = self._param_values()
        unit = getattr(self, "time_unit_", None) or "time unit"
        return {
            f"purchase rate while alive (purchases per {unit})": gamma_distribution(r, scale=1.0 / alpha),
            f"dropout rate (per {unit})": gamma_distribution(s, scale=1.0 / beta),
        }
