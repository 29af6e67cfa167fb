"""The BG/BB model of discrete-time, non-contractual purchasing (Fader, Hardie & Shang 2010, "Customer-base
analysis in a discrete-time noncontractual setting", Marketing Science 29(6)).

Follows docs/crm-theory-reference.md §4 (predictive value from transactions), for businesses where a customer
can buy at most once per discrete opportunity: an annual fund drive, a yearly conference, an event. After
the first (trial) opportunity there are n more; at each, an alive customer buys with probability
p ~ Beta(alpha, beta), and at the start of each later opportunity may have dropped out for good with
probability theta ~ Beta(gamma, delta). Summary per customer: ``frequency`` x (purchases in the n
opportunities), ``recency`` t_x (the opportunity of the last one, 0 if none) and ``n_periods`` n.

Likelihood (FHS 2010, eq. 5), with B the beta function:

    L = B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
        + sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d),

evaluated in log space (log-sum-exp over the terms).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, psi
from scipy.stats import beta as beta_distribution

from crm_theory._fitting import fit_log_parameters
from crm_theory._model import CustomerBaseModel
from crm_theory.errors import DataError

COLUMNS = ("frequency", "recency", "n_periods")


def opportunity_summary(
    transactions: pd.DataFrame, observation_end=None, *, time_unit: str = "week", columns=None
) -> pd.DataFrame:
    """The BG/BB summary of a transaction log whose calendar periods (weeks, months; a ``week`` log's
    weeks) are the purchase opportunities: per customer ``frequency`` (periods with a purchase after the
    first), ``recency`` (the period of the last, counted from the first) and ``n_periods`` (periods
    observed after the first). It is :func:`~crm_theory.purchase_summary.purchase_summary` with
    ``occasion="period"``, T renamed n_periods."""
    from crm_theory.purchase_summary import purchase_summary

    summary = purchase_summary(
        transactions, observation_end, time_unit=time_unit, occasion="period", columns=columns
    )
    result = summary[["frequency", "recency", "T"]].rename(columns={"T": "n_periods"}).astype("int64")
    result.attrs.update(summary.attrs)
    return result


def opportunity_columns(summary: pd.DataFrame, weights=None) -> tuple[np.ndarray, ...]:
    """frequency, recency, n_periods and the weights (customers per row) of a BG/BB summary, checked:
    whole numbers with 0 <= x <= t_x <= n, t_x = 0 exactly when x = 0, and x <= t_x."""
    missing = [name for name in COLUMNS if name not in summary.columns]
    if missing:
        raise DataError(
            f"BG/BB summary needs columns frequency, recency, n_periods; missing {', '.join(missing)}",
            column=missing[0],
        )
    x, t_x, n = (summary[name].to_numpy(dtype=float) for name in COLUMNS)
    for name, values in zip(COLUMNS, (x, t_x, n), strict=True):
        if not np.isfinite(values).all() or (values < 0).any() or (values != np.floor(values)).any():
            raise DataError(f"column '{name}' must hold whole numbers >= 0", column=name)
    if (x > t_x).any() or (t_x > n).any():
        raise DataError(
            "each row needs frequency <= recency <= n_periods (recency is the opportunity of "
            "the last purchase)",
            column="recency",
        )
    if ((x == 0) != (t_x == 0)).any():
        raise DataError("recency must be 0 exactly for the rows with frequency 0", column="recency")
    if weights is None:
        counts = np.ones_like(x)
    else:
        counts = np.asarray(summary[weights] if isinstance(weights, str) else weights, dtype=float)
        if counts.shape != x.shape or not np.isfinite(counts).all() or (counts < 0).any():
            raise DataError(f"weights must be one finite number >= 0 per row, got {weights!r}")
    return x, t_x, n, counts


def _log_terms(params, x, t_x, n):
    """Per row: (log of the 'alive throughout' term, log-sum-exp of the 'dropped out' terms)."""
    alpha, beta, gamma, delta = params
    base_pb, base_dt = betaln(alpha, beta), betaln(gamma, delta)
    alive = betaln(alpha + x, beta + n - x) - base_pb + betaln(gamma, delta + n) - base_dt
    longest = int(np.max(n - t_x)) if x.size else 0
    i = np.arange(longest)[None, :]
    valid = i < (n - t_x)[:, None]
    with np.errstate(invalid="ignore"):
        terms = (
            betaln(alpha + x[:, None], beta + t_x[:, None] - x[:, None] + i)
            - base_pb
            + betaln(gamma + 1, delta + t_x[:, None] + i)
            - base_dt
        )
    terms = np.where(valid, terms, -np.inf)
    if longest == 0:
        dropped = np.full(x.shape, -np.inf)
    else:
        top = np.max(terms, axis=1)
        safe_top = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            dropped = safe_top + np.log(np.sum(np.exp(terms - safe_top[:, None]), axis=1))
    return alive, dropped


def _log_likelihood_and_gradient(params, x, t_x, n):
    """Per-row log-likelihood and its gradient in (alpha, beta, gamma, delta), fast.

    A dropout term depends on the row only through x and j = t_x + i:
    g(x, j) = B(alpha+x, beta+j-x)/B(alpha,beta) B(gamma+1, delta+j)/B(gamma,delta), which falls with j.
    So each row's dropout sum over j = t_x..n-1 is a difference of tail sums of g over a small grid
    (distinct x by opportunity j), and so is its gradient. Tail sums of a falling sequence lose at most
    a few digits; each x's terms are scaled by g(x, x) so that nothing under- or overflows.
    """
    alpha, beta, gamma, delta = params
    base = betaln(alpha, beta) + betaln(gamma, delta)
    base_gradient = np.array(
        [
            psi(alpha) - psi(alpha + beta),
            psi(beta) - psi(alpha + beta),
            psi(gamma) - psi(gamma + delta),
            psi(delta) - psi(gamma + delta),
        ]
    )

    def term_and_gradient(a_arg, b_arg, c_arg, d_arg):
        value = betaln(a_arg, b_arg) + betaln(c_arg, d_arg) - base
        psi_ab, psi_cd = psi(a_arg + b_arg), psi(c_arg + d_arg)
        gradient = np.stack(
            [psi(a_arg) - psi_ab, psi(b_arg) - psi_ab, psi(c_arg) - psi_cd, psi(d_arg) - psi_cd]
        ) - base_gradient.reshape((4,) + (1,) * np.ndim(value))
        return value, gradient

    levels, row_level = np.unique(x, return_inverse=True)
    row_level = row_level.ravel()
    width = int(np.max(n)) + 1
    j = np.arange(width)[None, :]
    x_grid = levels[:, None]
    usable = j >= x_grid  # t_x >= x, so smaller j never occur
    j_safe = np.where(usable, j, x_grid)
    log_g, grad_g = term_and_gradient(alpha + x_grid, beta + j_safe - x_grid, gamma + 1.0, delta + j_safe)
    scale = log_g[np.arange(levels.size), levels.astype(int)]  # g(x, x), the largest term of each x
    weights = np.where(usable, np.exp(log_g - scale[:, None]), 0.0)

    # tail sums from j to the end of the grid (one extra zero column for "nothing left")
    def tail(values):
        reversed_cumsum = np.cumsum(values[..., ::-1], axis=-1)[..., ::-1]
        return np.concatenate([reversed_cumsum, np.zeros(values.shape[:-1] + (1,))], axis=-1)

    tail_g = tail(weights)
    tail_grad = tail(grad_g * weights[None, :, :])
    t_i, n_i = t_x.astype(int), n.astype(int)
    dropped = tail_g[row_level, t_i] - tail_g[row_level, n_i]
    dropped_grad = tail_grad[:, row_level, t_i] - tail_grad[:, row_level, n_i]

    log_alive, grad_alive = term_and_gradient(alpha + x, beta + n - x, gamma, delta + n)
    alive = np.exp(log_alive - scale[row_level])
    total = alive + dropped
    loglik = scale[row_level] + np.log(total)
    gradient = (grad_alive * alive + dropped_grad) / total
    return loglik, gradient


class BetaGeoBetaBinomModel(CustomerBaseModel):
    """BG/BB model in scikit-learn style: ``BetaGeoBetaBinomModel().fit(summary, weights=...)``.

    Follows docs/crm-theory-reference.md §4 (Fader, Hardie & Shang 2010).

    Fitted attributes: ``alpha_``, ``beta_`` (purchase probability p ~ Beta(alpha, beta)), ``gamma_``,
    ``delta_`` (dropout probability theta ~ Beta(gamma, delta)), ``log_likelihood_``, ``aic_``,
    ``standard_errors_``, ``n_customers_`` and ``time_unit_`` (the name of one opportunity).
    """

    PARAMETERS = ("alpha", "beta", "gamma", "delta")
    DISCRETE_TIME = True

    def __init__(self, *, time_unit: str = "period"):
        self.time_unit = time_unit

    def fit(self, summary: pd.DataFrame, weights: str | np.ndarray | None = None) -> BetaGeoBetaBinomModel:
        """Fit by maximum likelihood. ``weights``: a column name or array with the number of customers
        each row stands for (for data given as a table of (x, t_x, n) patterns), or None for one each."""
        x, t_x, n, counts = opportunity_columns(summary, weights)
        if counts.sum() <= 0:
            raise DataError("BG/BB summary has no customers")
        # identical (x, t_x, n) rows contribute identical terms: fit on the distinct rows, weighted
        rows, inverse = np.unique(np.column_stack([x, t_x, n]), axis=0, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=counts)
        x, t_x, n = rows.T

        def negative_log_likelihood(params):
            with np.errstate(all="ignore"):
                total = float(np.dot(counts, _log_likelihood_and_gradient(params, x, t_x, n)[0]))
            return -total if np.isfinite(total) else np.inf

        def with_gradient(log_params, x, t_x, n, counts):
            params = np.exp(log_params)
            with np.errstate(all="ignore"):
                loglik, gradient = _log_likelihood_and_gradient(params, x, t_x, n)
                total = float(np.dot(counts, loglik))
            if not np.isfinite(total):
                return np.inf, np.zeros(4)
            return -total, -params * (gradient @ counts)  # chain rule for the log-parameters

        starts = [np.zeros(4), np.log([0.5, 2.0, 0.5, 2.0]), np.log([1.0, 10.0, 1.0, 10.0])]
        best = fit_log_parameters(
            with_gradient, starts, (x, t_x, n, counts), ftol=1e-14, gtol=1e-8, maxiter=2000
        )
        self._record_fit(
            np.exp(best.x),
            negative_log_likelihood,
            n_customers=round(counts.sum()),
            time_unit=self.time_unit,
            optimizer_result=best,
        )
        return self

    def _columns(self, summary):
        self._check_time_unit(summary)
        x, t_x, n, _ = opportunity_columns(summary)
        return x, t_x, n

    def individual_log_likelihood(self, summary: pd.DataFrame) -> pd.Series:
        """Each row's log-likelihood under the fitted parameters."""
        alive, dropped = _log_terms(self._param_values(), *self._columns(summary))
        return pd.Series(np.logaddexp(alive, dropped), index=summary.index, name="log_likelihood")

    def conditional_probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive at opportunity n+1 | x, t_x, n) (FHS 2010, eq. 11)."""
        alpha, beta, gamma, delta = self._param_values()
        x, t_x, n = self._columns(summary)
        alive, dropped = _log_terms(self._param_values(), x, t_x, n)
        # alive at n+1 = alive through n times the chance of not dropping at n+1
        next_alive = (
            betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n + 1)
            - betaln(gamma, delta)
        )
        return pd.Series(
            np.exp(next_alive - np.logaddexp(alive, dropped)), index=summary.index, name="p_alive"
        )

    def conditional_expected_purchases(self, future_periods, summary: pd.DataFrame) -> pd.Series:
        """E[purchases in the next ``future_periods`` opportunities | x, t_x, n] (FHS 2010, eq. 13)."""
        alpha, beta, gamma, delta = self._param_values()
        m = self._whole(future_periods, "future_periods")
        x, t_x, n = self._columns(summary)
        alive, dropped = _log_terms(self._param_values(), x, t_x, n)
        log_l = np.logaddexp(alive, dropped)
        # sum_{k=1}^{m} P(alive at n+k) p: the posterior expectations of p (1-theta)^k, in closed form
        k = np.arange(1, int(m) + 1)[None, :]
        log_each = (
            betaln(alpha + x + 1, beta + n - x)[:, None]
            - betaln(alpha, beta)
            + betaln(gamma, delta + n[:, None] + k)
            - betaln(gamma, delta)
        )
        expected = np.exp(log_each - log_l[:, None]).sum(axis=1) if m > 0 else np.zeros_like(x)
        return pd.Series(expected, index=summary.index, name="expected_purchases")

    @staticmethod
    def _whole(value, name):
        number = np.asarray(value, dtype=float)
        if number.ndim != 0 or not np.isfinite(number) or number < 0 or number != np.floor(number):
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        return int(number)

    def expected_purchases(self, n) -> float:
        """E[X(n)]: expected purchases of a new customer in the n opportunities after the first (eq. 9)."""
        alpha, beta, gamma, delta = self._param_values()
        n = self._whole(n, "n")
        k = np.arange(1, n + 1)
        # P(alive at opportunity k) = B(gamma, delta + k) / B(gamma, delta); each purchase has mean p
        return float(alpha / (alpha + beta) * np.exp(betaln(gamma, delta + k) - betaln(gamma, delta)).sum())

    def probability_of_purchases(self, x, n) -> np.ndarray | float:
        """P(X(n) = x): probability of exactly x purchases in the n opportunities after the first (eq. 8)."""
        alpha, beta, gamma, delta = self._param_values()
        n = self._whole(n, "n")
        x_array = np.asarray(x, dtype=float)
        if (x_array < 0).any() or (x_array != np.floor(x_array)).any():
            raise ValueError(f"x must hold whole numbers >= 0, got {x}")

        def log_choose(total, k):
            return gammaln(total + 1) - gammaln(k + 1) - gammaln(total - k + 1)

        flat = np.atleast_1d(x_array)
        result = np.zeros(flat.shape)
        for position, count in enumerate(flat):
            if count > n:
                continue
            total = np.exp(
                log_choose(n, count)
                + betaln(alpha + count, beta + n - count)
                - betaln(alpha, beta)
                + betaln(gamma, delta + n)
                - betaln(gamma, delta)
            )
            i = np.arange(int(count), n)
            total += np.exp(
                log_choose(i, count)
                + betaln(alpha + count, beta + i - count)
                - betaln(alpha, beta)
                + betaln(gamma + 1, delta + i)
                - betaln(gamma, delta)
            ).sum()
            result[position] = total
        return float(result[0]) if x_array.ndim == 0 else result.reshape(x_array.shape)

    def heterogeneity_distributions(self) -> dict:
        """The fitted mixing distributions, for plots: p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta)."""
        alpha, beta, gamma, delta = self._param_values()
        unit = getattr(self, "time_unit_", None) or "period"
        return {
            f"purchase probability per {unit} while alive": beta_distribution(alpha, beta),
            f"dropout probability per {unit}": beta_distribution(gamma, delta),
        }
