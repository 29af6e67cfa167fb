"""Diagnostic plots for the customer-base models (matplotlib). Each function draws on ``ax`` (a new figure
if None) and returns the Axes, titled and with axis labels that give their units.

Follows docs/crm-theory-reference.md §4: the checks Fader, Hardie & Lee (2005) make on CDNOW -- repeat
purchases per customer (actual vs model), holdout purchases by calibration frequency, cumulative and
weekly repeat purchases over time -- plus the model's view of individual customers (expected purchases
and P(alive) by frequency and recency, one customer's P(alive) over time), the fitted heterogeneity, the
Gamma-Gamma independence check and, for contractual settings, sBG survival and retention curves.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.gamma_gamma import spend_frequency_correlation
from crm_theory.predictive_clv import expected_cumulative_transactions, holdout_comparison
from crm_theory.purchase_summary import _occasions, monetary_column, summary_columns


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    return ax


def _unit(model, default: str = "time unit") -> str:
    return getattr(model, "time_unit_", None) or default


def _model_name(model) -> str:
    return {
        "BetaGeoModel": "BG/NBD",
        "ParetoNBDModel": "Pareto/NBD",
        "BetaGeoBetaBinomModel": "BG/BB",
        "ShiftedBetaGeometricModel": "sBG",
        "GammaGammaModel": "Gamma-Gamma",
    }.get(type(model).__name__, type(model).__name__)


def period_transactions(
    model, summary: pd.DataFrame, *, max_frequency: int = 7, weights=None
) -> pd.DataFrame:
    """Customers by number of repeat purchases in the calibration period, actual and expected by the
    model (sum over customers of P(X(T_i) = x); the last row ``"7+"`` is the rest)."""
    if not (isinstance(max_frequency, int) and max_frequency >= 1):
        raise ValueError(f"max_frequency must be a whole number >= 1, got {max_frequency!r}")
    counts_x = np.arange(max_frequency)
    if "n_periods" in summary.columns:  # BG/BB: discrete opportunities
        from crm_theory.bgbb import opportunity_columns

        frequency, _, n, counts = opportunity_columns(summary, weights)
        lengths, inverse = np.unique(n, return_inverse=True)
        per_length = np.bincount(inverse, weights=counts)
        probabilities = np.stack(
            [model.probability_of_purchases(counts_x, int(length)) for length in lengths]
        )
    else:
        frequency, _, age = summary_columns(summary)
        model._check_time_unit(summary)
        counts = np.ones_like(frequency)
        lengths, per_length = np.unique(age, return_counts=True)
        probabilities = model.probability_of_purchases(counts_x[None, :], lengths[:, None])
    expected = per_length @ probabilities
    total = counts.sum()
    actual = np.array([counts[frequency == x].sum() for x in counts_x])
    labels = [str(x) for x in counts_x] + [f"{max_frequency}+"]
    return pd.DataFrame(
        {
            "actual": np.append(actual, total - actual.sum()),
            "expected": np.append(expected, total - expected.sum()),
        },
        index=pd.Index(labels, name="repeat purchases"),
    )


def plot_period_transactions(model, summary: pd.DataFrame, *, max_frequency: int = 7, weights=None, ax=None):
    """Bar chart: customers by number of repeat purchases in the calibration period, actual vs model."""
    table = period_transactions(model, summary, max_frequency=max_frequency, weights=weights)
    ax = _axes(ax)
    positions = np.arange(len(table))
    ax.bar(positions - 0.2, table["actual"], width=0.4, label="actual", color="0.3")
    ax.bar(positions + 0.2, table["expected"], width=0.4, label=_model_name(model), color="tab:blue")
    ax.set_xticks(positions, table.index)
    ax.set(
        title=f"Repeat purchases per customer: actual vs {_model_name(model)}",
        xlabel="repeat purchases in the calibration period",
        ylabel="customers",
    )
    ax.legend()
    return ax


def _grid_summary(model, max_frequency: int, observed: float):
    """A summary with one row per (frequency, recency) on a grid, all observed for ``observed``."""
    recencies = np.arange(0, int(np.floor(observed)) + 1, dtype=float)
    frequency, recency = np.meshgrid(np.arange(max_frequency + 1, dtype=float), recencies, indexing="ij")
    recency = np.where(frequency == 0, 0.0, recency)  # without repeat purchases recency is 0 by definition
    grid = pd.DataFrame({"frequency": frequency.ravel(), "recency": recency.ravel(), "T": float(observed)})
    grid.attrs["time_unit"] = getattr(model, "time_unit_", None)
    return grid, frequency.shape, recencies


def _matrix_plot(values, recencies, max_frequency, ax, colour_label, title, unit):
    image = ax.imshow(
        values,
        origin="lower",
        aspect="auto",
        cmap="viridis",
        extent=(recencies[0] - 0.5, recencies[-1] + 0.5, -0.5, max_frequency + 0.5),
    )
    ax.figure.colorbar(image, ax=ax, label=colour_label)
    ax.set(
        title=title,
        xlabel=f"recency: {unit}s from the first to the last purchase",
        ylabel="repeat purchases (frequency)",
    )
    return ax


def plot_frequency_recency_matrix(
    model, *, observed: float, t: float = 1.0, max_frequency: int = 20, ax=None
):
    """Heat map of the purchases expected in the next ``t`` time units by frequency and recency, for
    customers observed for ``observed`` time units since their first purchase (BG/NBD, Pareto/NBD)."""
    grid, shape, recencies = _grid_summary(model, max_frequency, observed)
    values = model.conditional_expected_purchases(t, grid).to_numpy().reshape(shape)
    unit = _unit(model)
    return _matrix_plot(
        values,
        recencies,
        max_frequency,
        _axes(ax),
        f"expected purchases in the next {t:g} {unit}s",
        f"{_model_name(model)}: expected purchases, customers observed {observed:g} {unit}s",
        unit,
    )


def plot_probability_alive_matrix(model, *, observed: float, max_frequency: int = 20, ax=None):
    """Heat map of P(alive) by frequency and recency for customers observed for ``observed`` units."""
    grid, shape, recencies = _grid_summary(model, max_frequency, observed)
    values = model.conditional_probability_alive(grid).to_numpy().reshape(shape)
    unit = _unit(model)
    return _matrix_plot(
        values,
        recencies,
        max_frequency,
        _axes(ax),
        "P(alive)",
        f"{_model_name(model)}: P(alive), customers observed {observed:g} {unit}s",
        unit,
    )


def plot_calibration_purchases_vs_holdout_purchases(
    model,
    cal_holdout: pd.DataFrame,
    *,
    by: str = "frequency_cal",
    max_frequency: int = 7,
    bins: int = 8,
    ax=None,
):
    """Mean holdout purchases per customer, actual vs predicted, by calibration frequency, recency or
    time since the last purchase (:func:`~crm_theory.predictive_clv.holdout_comparison`)."""
    table = holdout_comparison(model, cal_holdout, by=by, max_frequency=max_frequency, bins=bins)
    table = table.drop(index="all")
    ax = _axes(ax)
    positions = np.arange(len(table))
    ax.plot(positions, table["actual"], marker="o", color="black", label="actual")
    ax.plot(
        positions, table["predicted"], marker="s", linestyle="--", color="tab:blue", label=_model_name(model)
    )
    ax.set_xticks(positions, table.index, rotation=30 if by != "frequency_cal" else 0)
    unit = _unit(model)
    xlabels = {
        "frequency_cal": "repeat purchases in the calibration period",
        "recency_cal": f"recency at the calibration end ({unit}s)",
        "time_since_last_purchase": f"{unit}s since the last purchase at the calibration end",
    }
    duration = float(cal_holdout["duration_holdout"].iloc[0])
    ax.set(
        title=f"Holdout ({duration:g} {unit}s): purchases per customer, actual vs predicted",
        xlabel=xlabels[by],
        ylabel="mean purchases per customer in the holdout",
    )
    ax.legend()
    return ax


def _tracking(model, transactions, calibration_end, incremental, ax, **options):
    table = expected_cumulative_transactions(model, transactions, **options)
    ax = _axes(ax)
    kind = "incremental" if incremental else "cumulative"
    columns = ("actual_incremental", "expected_incremental") if incremental else ("actual", "expected")
    ax.plot(table.index, table[columns[0]], color="black", label="actual")
    ax.plot(table.index, table[columns[1]], color="tab:blue", linestyle="--", label=_model_name(model))
    if calibration_end is not None:
        ax.axvline(calibration_end, color="0.5", linestyle=":", label="end of calibration")
    unit = options.get("time_unit", "week")
    per = f"per {unit}" if incremental else "cumulative"
    ax.set(
        title=f"Repeat purchases over time ({kind}): actual vs {_model_name(model)}",
        xlabel=f"{unit}s since {table.attrs['start']}",
        ylabel=f"repeat purchases ({per})",
    )
    ax.legend()
    return ax


def plot_cumulative_transactions(
    model, transactions: pd.DataFrame, *, calibration_end: float | None = None, ax=None, **options
):
    """Cumulative repeat purchases of the customer base over time, actual vs expected;
    ``calibration_end`` in time units since the first transaction marks the end of the calibration
    period. ``options`` go to :func:`~crm_theory.predictive_clv.expected_cumulative_transactions`."""
    return _tracking(model, transactions, calibration_end, False, ax, **options)


def plot_incremental_transactions(
    model, transactions: pd.DataFrame, *, calibration_end: float | None = None, ax=None, **options
):
    """Repeat purchases per time unit, actual vs expected (as :func:`plot_cumulative_transactions`)."""
    return _tracking(model, transactions, calibration_end, True, ax, **options)


def probability_alive_history(
    model,
    transactions: pd.DataFrame,
    customer_id,
    *,
    end=None,
    time_unit: str = "week",
    occasion: str | None = None,
    resolution: float = 1.0,
    columns=None,
) -> pd.DataFrame:
    """One customer's P(alive) from the first purchase to ``end`` (default: the log's last transaction),
    every ``resolution`` time units: the model's view of that customer as the history unfolded."""
    occasions, scale = _occasions(transactions, time_unit, occasion, columns)
    own = occasions[occasions["customer_id"] == customer_id]
    if own.empty:
        raise DataError(f"customer {customer_id!r} has no transactions in the log")
    first = int(own["occasion"].min())
    last_index = int(occasions["occasion"].max()) if end is None else scale.point(end, "end")
    purchase_times = np.sort(scale.to_units(own["occasion"].to_numpy() - first))
    horizon = float(scale.to_units(last_index - first))
    if horizon < 0:
        raise DataError(f"end {scale.format(last_index)} is before the customer's first purchase")
    if not (np.isfinite(resolution) and resolution > 0) or horizon / resolution > 100_000:
        raise ValueError(f"resolution must be > 0 and give at most 100000 points, got {resolution!r}")
    times = np.append(np.arange(0.0, horizon, resolution), horizon)
    made = np.searchsorted(purchase_times, times, side="right")  # purchases up to each time, first included
    frequency = made - 1
    recency = purchase_times[made - 1]
    grid = pd.DataFrame({"frequency": frequency, "recency": recency, "T": times})
    grid.attrs["time_unit"] = time_unit
    alive = model.conditional_probability_alive(grid).to_numpy()
    history = pd.DataFrame(
        {"p_alive": alive, "repeat_purchases": frequency},
        index=pd.Index(times, name=f"{time_unit}s since the first purchase"),
    )
    history.attrs.update(purchases=purchase_times, customer_id=customer_id, time_unit=time_unit)
    return history


def plot_history_alive(model, transactions: pd.DataFrame, customer_id, *, ax=None, **options):
    """One customer's P(alive) over time, with their purchases marked (options as
    :func:`probability_alive_history`)."""
    history = probability_alive_history(model, transactions, customer_id, **options)
    ax = _axes(ax)
    ax.plot(history.index, history["p_alive"], color="tab:blue", label="P(alive)")
    for number, when in enumerate(history.attrs["purchases"]):
        ax.axvline(when, color="tab:red", linestyle=":", label="purchase" if number == 0 else None)
    unit = history.attrs["time_unit"]
    ax.set(
        title=f"Customer {customer_id}: P(alive) under {_model_name(model)}",
        ylim=(0, 1.05),
        xlabel=f"{unit}s since the first purchase",
        ylabel="P(alive)",
    )
    ax.legend()
    return ax


def plot_heterogeneity(model, which: int | str = 0, *, ax=None):
    """Density of one fitted heterogeneity (mixing) distribution of the model: ``which`` is its index or
    name in ``model.heterogeneity_distributions()`` (e.g. BG/NBD: 0 the purchase rate, 1 the dropout
    probability). Call once per distribution."""
    distributions = model.heterogeneity_distributions()
    names = list(distributions)
    if isinstance(which, str):
        if which not in distributions:
            raise ValueError(f"which must be one of {names}, got {which!r}")
        name = which
    elif isinstance(which, int) and 0 <= which < len(names):
        name = names[which]
    else:
        raise ValueError(f"which must be 0-{len(names) - 1} or one of {names}, got {which!r}")
    distribution = distributions[name]
    ax = _axes(ax)
    low, high = distribution.ppf(0.001), distribution.ppf(0.99)
    if distribution.support()[1] == 1:  # a probability: show all of 0-1
        low, high = 0.0, 1.0
    x = np.linspace(max(low, 1e-6), high * (1 - 1e-9) if high == 1 else high, 400)
    density = distribution.pdf(x)
    ax.plot(x, density, color="tab:blue")
    # a shape below 1 puts an infinite peak at 0: scale the axis to the bulk of the distribution
    ax.set_ylim(0, min(float(np.nanmax(density)), 4 * float(distribution.pdf(distribution.ppf(0.25)))) * 1.05)
    ax.fill_between(x, distribution.pdf(x), alpha=0.2, color="tab:blue")
    ax.axvline(distribution.mean(), color="black", linestyle="--", label=f"mean {distribution.mean():.3g}")
    ax.set(title=f"{_model_name(model)}: heterogeneity across customers", xlabel=name, ylabel="density")
    ax.legend()
    return ax


def plot_spend_vs_frequency(summary: pd.DataFrame, *, ax=None):
    """Mean repeat spend against repeat frequency for the customers with repeat purchases: the
    Gamma-Gamma model needs them independent (title gives the correlation)."""
    frequency, _, _ = summary_columns(summary)
    spend = monetary_column(summary)
    used = (frequency > 0) & (spend > 0)
    correlation = spend_frequency_correlation(summary)
    ax = _axes(ax)
    ax.scatter(frequency[used], spend[used], s=8, alpha=0.4, color="tab:blue")
    ax.set(
        title=f"Spend vs frequency (correlation {correlation:.2f}): Gamma-Gamma assumes none",
        xlabel="repeat purchases (frequency)",
        ylabel="mean spend per repeat purchase (currency units)",
    )
    return ax


def plot_survival(model, survivors, *, periods: int | None = None, ax=None):
    """sBG: share of the cohort still active, actual (the data it was fitted on) vs the model, projected
    to ``periods`` (default twice the observed periods)."""
    survivors = np.asarray(pd.Series(survivors).dropna(), dtype=float)
    periods = 2 * (survivors.size - 1) if periods is None else int(periods)
    t = np.arange(periods + 1)
    ax = _axes(ax)
    ax.plot(
        np.arange(survivors.size), 100 * survivors / survivors[0], marker="o", color="black", label="actual"
    )
    ax.plot(t, 100 * model.survival_function(t), linestyle="--", color="tab:blue", label="sBG")
    ax.axvline(survivors.size - 1, color="0.5", linestyle=":", label="end of the data")
    unit = _unit(model, "period")
    ax.set(
        title="Survival: share of the cohort still customers",
        xlabel=f"{unit}s since joining",
        ylabel="% of the cohort still active",
        ylim=(0, 105),
    )
    ax.legend()
    return ax


def plot_retention_rates(model, survivors, *, periods: int | None = None, ax=None):
    """sBG: retention rate per period, actual S(t)/S(t-1) vs the model's (beta+t-1)/(alpha+beta+t-1)."""
    survivors = np.asarray(pd.Series(survivors).dropna(), dtype=float)
    periods = 2 * (survivors.size - 1) if periods is None else int(periods)
    observed = np.arange(1, survivors.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = survivors[1:] / survivors[:-1]
    t = np.arange(1, periods + 1)
    ax = _axes(ax)
    ax.plot(observed, 100 * actual, marker="o", color="black", label="actual")
    ax.plot(t, 100 * model.retention_rate(t), linestyle="--", color="tab:blue", label="sBG")
    unit = _unit(model, "period")
    ax.set(
        title="Retention rate by period: it rises as the likely leavers go first",
        xlabel=f"{unit} since joining",
        ylabel="% of the previous period's customers renewing",
    )
    ax.legend()
    return ax
