"""What every fitted customer-base model shares: parameters, standard errors, AIC, the time unit, JSON.

Each model class lists its parameters in ``PARAMETERS`` and stores the fitted values as attributes with a
trailing underscore (``r_``, ``alpha_``, ...), as scikit-learn does. After a fit it also has:

* ``log_likelihood_`` and ``aic_`` (2k - 2 LL) of the calibration data, ``n_customers_``;
* ``standard_errors_``: square roots of the diagonal of the inverse Hessian of the negative
  log-likelihood, taken numerically by central differences *on the original parameter scale* at the
  optimum (the optimiser works on log-parameters; the standard errors are not of the logs);
* ``time_unit_``: the unit the data were measured in (``"week"``, ``"day"``, ``"month"``, or for the
  discrete-time models the name of one period), checked against every summary it predicts for.

``from_params(...)`` builds a model from published parameters; ``save`` / ``load`` write and read JSON.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import DAYS_PER_UNIT

#: Relative step of the finite differences for the Hessian: about eps^(1/4), the usual optimum for
#: second differences of function values.
HESSIAN_STEP = 1e-4
FORMAT_VERSION = 1


def numerical_hessian(function: Callable[[np.ndarray], float], point: np.ndarray) -> np.ndarray:
    """Hessian of a scalar function by central differences, with a step relative to each coordinate."""
    point = np.asarray(point, dtype=float)
    k = point.size
    steps = HESSIAN_STEP * np.maximum(np.abs(point), 1e-3)
    centre = function(point)
    hessian = np.empty((k, k))

    def shifted(i, di, j=None, dj=0.0):
        moved = point.copy()
        moved[i] += di
        if j is not None:
            moved[j] += dj
        return function(moved)

    for i in range(k):
        h = steps[i]
        hessian[i, i] = (shifted(i, h) - 2 * centre + shifted(i, -h)) / h**2
        for j in range(i + 1, k):
            hj = steps[j]
            value = (
                shifted(i, h, j, hj) - shifted(i, h, j, -hj) - shifted(i, -h, j, hj) + shifted(i, -h, j, -hj)
            ) / (4 * h * hj)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def standard_errors_from_hessian(hessian: np.ndarray, names: tuple[str, ...], model: str) -> dict[str, float]:
    """sqrt(diag(H^-1)); nan, with a warning, where the Hessian is not positive definite (an optimum on
    the boundary or a flat likelihood: the standard errors are then undefined, not zero)."""
    try:
        np.linalg.cholesky(hessian)
        covariance = np.linalg.inv(hessian)
        return {name: float(np.sqrt(covariance[i, i])) for i, name in enumerate(names)}
    except np.linalg.LinAlgError:
        warnings.warn(
            f"{model}: the Hessian of the log-likelihood is not positive definite at the optimum, so the "
            "standard errors are undefined (nan); the data may not identify every parameter",
            UserWarning,
            stacklevel=3,
        )
        return dict.fromkeys(names, float("nan"))


class CustomerBaseModel:
    """Base class: see the module docstring. Subclasses set ``PARAMETERS`` and ``SCALE_PARAMETERS`` (the
    parameters measured in time units, which :meth:`in_time_unit` converts)."""

    PARAMETERS: tuple[str, ...] = ()
    #: parameters that are rates' scales (e.g. alpha of Gamma(r, alpha)), in the model's time unit
    SCALE_PARAMETERS: tuple[str, ...] = ()
    #: True for models of discrete periods (sBG, BG/BB): their time unit is a period name, not convertible
    DISCRETE_TIME = False

    # ------------------------------------------------------------------------------------------------
    # parameters

    def _check_fitted(self) -> None:
        if not hasattr(self, f"{self.PARAMETERS[0]}_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet; call fit(...) first")

    @property
    def params_(self) -> dict[str, float]:
        """Fitted parameters as a dict, e.g. ``{"r": ..., "alpha": ..., ...}``."""
        self._check_fitted()
        return {name: getattr(self, f"{name}_") for name in self.PARAMETERS}

    def _param_values(self) -> tuple[float, ...]:
        self._check_fitted()
        return tuple(getattr(self, f"{name}_") for name in self.PARAMETERS)

    @property
    def aic_(self) -> float:
        """Akaike's information criterion, 2k - 2 log-likelihood (lower is better; compare models only on
        the same data)."""
        if getattr(self, "log_likelihood_", None) is None:
            raise RuntimeError(f"this {type(self).__name__} has no log-likelihood: it was not fitted on data")
        return 2 * len(self.PARAMETERS) - 2 * self.log_likelihood_

    @classmethod
    def from_params(cls, *, time_unit: str | None = None, **params: float):
        """A model with given (e.g. published) parameters, ready to predict; no log-likelihood or
        standard errors. ``time_unit`` is the unit the parameters are in (checked against summaries)."""
        missing = [name for name in cls.PARAMETERS if name not in params]
        unknown = [name for name in params if name not in cls.PARAMETERS]
        if missing or unknown:
            raise ValueError(
                f"{cls.__name__}.from_params needs exactly {', '.join(cls.PARAMETERS)}; "
                + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}")
            )
        model = cls()
        for name in cls.PARAMETERS:
            value = params[name]
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise ValueError(f"parameter {name} must be a number, got {value!r}")
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"parameter {name} must be a finite number > 0, got {value!r}")
            setattr(model, f"{name}_", float(value))
        model.time_unit_ = time_unit
        model.log_likelihood_ = None
        model.standard_errors_ = dict.fromkeys(cls.PARAMETERS, float("nan"))
        model.n_customers_ = None
        return model

    def _record_fit(
        self,
        values,
        negative_log_likelihood: Callable[[np.ndarray], float],
        *,
        n_customers: int,
        time_unit: str | None,
        optimizer_result=None,
    ) -> None:
        """Store the fitted values, log-likelihood and standard errors (Hessian on the original scale)."""
        values = np.asarray(values, dtype=float)
        for name, value in zip(self.PARAMETERS, values, strict=True):
            setattr(self, f"{name}_", float(value))
        self.log_likelihood_ = -float(negative_log_likelihood(values))
        hessian = numerical_hessian(negative_log_likelihood, values)
        self.standard_errors_ = standard_errors_from_hessian(hessian, self.PARAMETERS, type(self).__name__)
        self.n_customers_ = int(n_customers)
        self.time_unit_ = time_unit
        self.optimizer_result_ = optimizer_result

    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and Wald 95% intervals (estimate +- 1.96 SE), one row each."""
        self._check_fitted()
        estimates = pd.Series(self.params_)
        errors = pd.Series(self.standard_errors_).reindex(estimates.index)
        return pd.DataFrame(
            {
                "estimate": estimates,
                "standard_error": errors,
                "lower_95": estimates - 1.96 * errors,
                "upper_95": estimates + 1.96 * errors,
            }
        )

    # ------------------------------------------------------------------------------------------------
    # time units

    def _check_time_unit(self, summary: pd.DataFrame) -> None:
        """Refuse a summary measured in another time unit than the model (its predictions would be in the
        wrong unit without any sign of it)."""
        fitted = getattr(self, "time_unit_", None)
        given = summary.attrs.get("time_unit") if hasattr(summary, "attrs") else None
        if fitted is None or given is None or fitted == given:
            return
        name = type(self).__name__
        advice = (
            f"build the summary with time_unit={fitted!r}"
            if self.DISCRETE_TIME
            else f"build the summary with time_unit={fitted!r}, or convert the model with "
            f"model.in_time_unit({given!r})"
        )
        raise DataError(
            f"this {name} was fitted with time in {fitted}s but the summary is in {given}s; {advice}"
        )

    def _purchase_columns(self, summary: pd.DataFrame):
        """frequency, recency, T of a summary in this model's time unit (checked)."""
        from crm_theory.purchase_summary import summary_columns

        self._check_time_unit(summary)
        return summary_columns(summary)

    def in_time_unit(self, time_unit: str):
        """The same model with time measured in another unit (``"day"``, ``"week"``, ``"month"``): the
        rate scales are multiplied by the ratio of the units' lengths; log-likelihood and standard
        errors are carried over (the likelihood changes only by a constant)."""
        self._check_fitted()
        if self.DISCRETE_TIME:
            raise ValueError(
                f"{type(self).__name__} counts discrete periods; its time unit cannot be converted"
            )
        current = getattr(self, "time_unit_", None)
        if current is None:
            raise ValueError(
                "this model has no recorded time unit; create it with from_params(time_unit=...)"
            )
        for unit in (current, time_unit):
            if unit not in DAYS_PER_UNIT:
                raise ValueError(f"time unit {unit!r} is not supported; allowed: {', '.join(DAYS_PER_UNIT)}")
        factor = DAYS_PER_UNIT[current] / DAYS_PER_UNIT[time_unit]  # e.g. week -> day: 7
        converted = type(self).from_params(time_unit=time_unit, **self.params_)
        for name in self.SCALE_PARAMETERS:
            setattr(converted, f"{name}_", getattr(self, f"{name}_") * factor)
        converted.log_likelihood_ = getattr(self, "log_likelihood_", None)
        converted.n_customers_ = getattr(self, "n_customers_", None)
        converted.standard_errors_ = {
            name: error * (factor if name in self.SCALE_PARAMETERS else 1.0)
            for name, error in self.standard_errors_.items()
        }
        return converted

    # ------------------------------------------------------------------------------------------------
    # JSON

    def to_dict(self) -> dict:
        """Everything needed to predict again: model name, parameters, time unit, fit statistics."""
        self._check_fitted()
        return {
            "model": type(self).__name__,
            "format_version": FORMAT_VERSION,
            "params": self.params_,
            "time_unit": getattr(self, "time_unit_", None),
            "log_likelihood": getattr(self, "log_likelihood_", None),
            "standard_errors": {
                name: (None if not np.isfinite(value) else value)
                for name, value in getattr(self, "standard_errors_", {}).items()
            },
            "n_customers": getattr(self, "n_customers_", None),
        }

    def save(self, path: str | Path) -> None:
        """Write the fitted model to a JSON file."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict):
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or data.get("model") != cls.__name__:
            found = data.get("model") if isinstance(data, dict) else type(data).__name__
            raise DataError(f"not a saved {cls.__name__} (found model {found!r})")
        if data.get("format_version") != FORMAT_VERSION:
            raise DataError(
                f"saved model has format version {data.get('format_version')!r}; "
                f"this version of crm_theory reads {FORMAT_VERSION}"
            )
        try:
            model = cls.from_params(time_unit=data.get("time_unit"), **data["params"])
        except (KeyError, TypeError, ValueError) as error:
            raise DataError(f"saved {cls.__name__} has bad parameters: {error}") from None
        model.log_likelihood_ = data.get("log_likelihood")
        model.n_customers_ = data.get("n_customers")
        errors = data.get("standard_errors") or {}
        model.standard_errors_ = {
            name: float("nan") if errors.get(name) is None else float(errors[name]) for name in cls.PARAMETERS
        }
        return model

    @classmethod
    def load(cls, path: str | Path):
        """Read a model written by :meth:`save`."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError("file not found", file=path) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise DataError(f"not a JSON file ({error})", file=path) from None
        try:
            return cls.from_dict(data)
        except DataError as error:
            raise DataError(error.problem, file=path) from None

    def __repr__(self) -> str:
        if not hasattr(self, f"{self.PARAMETERS[0]}_"):
            return f"{type(self).__name__}() (not fitted)"
        shown = ", ".join(f"{name}={value:.4g}" for name, value in self.params_.items())
        return f"{type(self).__name__}({shown}, time_unit={getattr(self, 'time_unit_', None)!r})"
