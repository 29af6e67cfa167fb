"""A customer satisfaction survey (客户满意度调查): a random sample, answers on a rating scale, and the mean
with its confidence interval.

The article *Customer relationship management strategy* (reference Sources, "seed 002") asks firms to run
regular customer satisfaction surveys (定期的客户满意度调查) to learn how customers' rising expectations are
met. A survey never reads satisfaction itself: it asks a random sample, each answer is a coarse and noisy
reading of the customer's satisfaction on a bounded scale, and the firm's estimate of the mean carries
**sampling error** (抽样误差). This module simulates that measurement on top of a latent satisfaction (the
simulation's value units, reference §3 and §8: satisfaction compares the experience with the customer's own
expectation, so 0 means "as expected").

* :func:`draw_sample` - a simple random sample of customers, without replacement;
* :func:`rating_answers` - latent satisfaction to answers on a 1..``scale`` rating scale;
* :func:`satisfaction_survey` - both steps, one row per respondent;
* :func:`estimate_mean` - the mean answer with its standard error and confidence interval.

Every random step takes a seeded :class:`numpy.random.Generator`, so a survey can be repeated exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SurveyEstimate:
    """A survey's estimate of the mean: ``mean`` +- the interval's half-width at ``confidence``."""

    mean: float
    standard_error: float
    low: float
    high: float
    n: int
    confidence: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator such as np.random.default_rng(1), got {type(rng).__name__}"
        )
    return rng


def draw_sample(ids, n: int, rng: np.random.Generator) -> np.ndarray:
    """A simple random sample of `n` of `ids`, without replacement (each customer is asked at most once)."""
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one-dimensional, got shape {ids.shape}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= ids.size:
        raise ValueError(
            f"n must be a whole number from 1 to the number of customers ({ids.size}), got {n!r}"
        )
    return _check_rng(rng).choice(ids, size=int(n), replace=False)


def rating_answers(
    satisfaction,
    rng: np.random.Generator,
    *,
    scale: int = 5,
    points_per_unit: float = 5.0,
    noise_sd: float = 0.8,
) -> np.ndarray:
    """Each customer's answer, a whole number from 1 to `scale`, to "how satisfied are you?".

    The answer centres on the scale's midpoint for a customer whose experience matched their expectation
    (latent satisfaction 0) and moves `points_per_unit` scale points per value unit of satisfaction. A
    respondent's mood, wording and rounding add normal noise of `noise_sd` scale points; the answer is then
    rounded and kept on the scale, which is why a survey mean is a compressed, noisy reading of the latent
    mean, not the latent mean itself.
    """
    latent = np.asarray(satisfaction, dtype=float)
    if not np.isfinite(latent).all():
        raise ValueError("satisfaction must be finite numbers (no NaN or infinity)")
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < 2:
        raise ValueError(f"scale must be a whole number of points, at least 2 (e.g. 5 or 10), got {scale!r}")
    if not np.isfinite(points_per_unit) or points_per_unit <= 0:
        raise ValueError(f"points_per_unit must be a positive number, got {points_per_unit!r}")
    if not np.isfinite(noise_sd) or noise_sd < 0:
        raise ValueError(f"noise_sd must be zero or positive, got {noise_sd!r}")
    rng = _check_rng(rng)
    midpoint = (1 + scale) / 2
    raw = midpoint + points_per_unit * latent + rng.normal(0.0, noise_sd, latent.shape)
    return np.clip(np.rint(raw), 1, scale).astype(int)


def satisfaction_survey(
    satisfaction: pd.Series,
    n: int,
    rng: np.random.Generator,
    *,
    scale: int = 5,
    points_per_unit: float = 5.0,
    noise_sd: float = 0.8,
) -> pd.DataFrame:
    """Survey `n` randomly chosen customers: one row per respondent with their latent and stated satisfaction.

    `satisfaction` is indexed by customer (the simulation's latent state, which the firm never sees); the
    result has columns ``latent`` and ``answer``, indexed by the respondents' ids in the order drawn.
    """
    if not isinstance(satisfaction, pd.Series):
        raise TypeError("satisfaction must be a pandas Series of latent satisfaction indexed by customer")
    rng = _check_rng(rng)
    chosen = draw_sample(satisfaction.index.to_numpy(), n, rng)
    latent = satisfaction.loc[chosen]
    answers = rating_answers(
        latent.to_numpy(), rng, scale=scale, points_per_unit=points_per_unit, noise_sd=noise_sd
    )
    return pd.DataFrame({"latent": latent.to_numpy(), "answer": answers}, index=latent.index)


def estimate_mean(answers, confidence: float = 0.95, population: int | None = None) -> SurveyEstimate:
    """The mean of `answers`, its standard error and a `confidence` interval (Student's t).

    With `population` (the number of customers the sample was drawn from), the standard error carries the
    finite population correction: a survey of everyone has no sampling error.
    """
    values = np.asarray(answers, dtype=float)
    values = values[~np.isnan(values)]  # non-response: a blank answer is not a zero
    n = values.size
    if n < 2:
        raise ValueError(f"answers must hold at least 2 answers to estimate a sampling error, got {n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    correction = 1.0
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, int | np.integer) or population < n:
            raise ValueError(
                f"population must be a whole number at least the sample size ({n}), got {population!r}"
            )
        correction = np.sqrt((population - n) / (population - 1)) if population > 1 else 0.0
    from scipy import stats  # only here: importing crm_theory does not load scipy

    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(n) * correction)
    margin = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se
    return SurveyEstimate(mean, se, mean - margin, mean + margin, n, confidence)
