"""Maximum likelihood for the purchase and spend models: the shared multi-start optimiser."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import OptimizeResult, minimize

#: log-parameters are kept within exp(+-12), i.e. about 6e-6 to 1.6e5: wide enough for any data we
#: have seen, and it keeps the optimiser away from overflow.
LOG_BOUND = 12.0


def fit_log_parameters(
    negative_log_likelihood: Callable,
    starts: Sequence[np.ndarray],
    args: tuple,
    *,
    ftol: float,
    gtol: float,
    maxiter: int,
) -> OptimizeResult:
    """Minimise `negative_log_likelihood(log_params, *args)` (returning value and gradient) from each
    start with L-BFGS-B, and keep the best result. Parameters are positive, so they are fitted as logs."""
    best = None
    for start in starts:
        result = minimize(
            negative_log_likelihood,
            start,
            args=args,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
            options={"ftol": ftol, "gtol": gtol, "maxiter": maxiter},
        )
        if best is None or result.fun < best.fun:
            best = result
    return best
