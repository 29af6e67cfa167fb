"""Which parameters matter: Morris screening, then Sobol first-order and total indices (SALib).

The indices explain one summary output (profit, retention, realised CLV, ...) averaged over a design
point's replications, separately for each strategy. Morris elementary effects rank every factor cheaply
(``mu_star``: mean absolute effect; ``sigma``: its spread, a sign of interactions or non-linearity); Sobol
indices then split the output's variance among the most influential ones (``S1``: alone; ``ST``: with
all interactions). Confidence intervals are SALib's bootstrap intervals.

The same code path is checked on the Ishigami function, whose indices are known
(`simulation.sweeps.models.IshigamiModel`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

INDEX_COLUMNS = ("strategy", "output", "parameter", "index", "value", "ci_low", "ci_high")


class AnalysisError(ValueError):
    """A sensitivity analysis cannot be computed from these results."""


def point_means(results: pd.DataFrame, spec, output: str, strategy: str) -> np.ndarray:
    """The output's mean over replications at every design point (in point order) for one strategy.

    Every run must have finished: a point with a failed or missing run would bias the indices, so it is an
    error naming the points rather than a silently dropped row.
    """
    from simulation.sweeps.designs import build_design

    if output not in spec.model.outputs:
        raise AnalysisError(f"output {output!r}: choose one of {', '.join(spec.model.outputs)}")
    n_points = len(build_design(spec))
    runs = results[results["strategy"] == strategy]
    bad = runs.loc[runs["status"] != "ok", "point"].unique()
    counts = runs[runs["status"] == "ok"].groupby("point").size().reindex(range(n_points), fill_value=0)
    short = counts.index[counts < spec.replications]
    if len(bad) or len(short):
        points = sorted(set(bad.tolist()) | set(short.tolist()))
        raise AnalysisError(
            f"strategy {strategy}: {len(points)} design point(s) without all "
            f"{spec.replications} replications finished (e.g. point {points[0]}); "
            "finish or fix the sweep before the analysis"
        )
    means = runs.groupby("point")[output].mean().reindex(range(n_points))
    values = means.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        first = int(np.flatnonzero(~np.isfinite(values))[0])
        raise AnalysisError(f"output {output!r} is not finite at design point {first} (strategy {strategy})")
    return values


def _problem(spec) -> dict:
    from simulation.sweeps.designs import salib_problem

    return salib_problem(spec.factor_names, {n: _range_bound(spec, n) for n in spec.factor_names})


def _range_bound(spec, name):
    from simulation.sweeps.models import Bound

    low, high = spec.factors[name]
    return Bound(low, high)


def _salib_seed(seed: int) -> int:
    """SALib seeds its bootstrap only for a truthy seed (0 means "unseeded"): shift by one, so every seed,
    0 included, gives reproducible intervals."""
    return int(seed) + 1


def morris_indices(
    results: pd.DataFrame,
    spec,
    output: str,
    *,
    resamples: int = 1000,
    conf_level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris ``mu_star`` (with its bootstrap interval), ``mu`` and ``sigma`` of each factor, by strategy."""
    from SALib.analyze import morris

    from simulation.sweeps.designs import unit_design

    if spec.method != "morris":
        raise AnalysisError(f"Morris indices need a morris design, this sweep is {spec.method}")
    x = unit_design(spec)
    rows = []
    for strategy in spec.strategy_names():
        y = point_means(results, spec, output, strategy)
        found = morris.analyze(
            _problem(spec),
            x,
            y,
            num_resamples=resamples,
            conf_level=conf_level,
            num_levels=spec.levels,
            seed=_salib_seed(seed),
        )
        for i, name in enumerate(spec.factor_names):
            star, half = float(found["mu_star"][i]), float(found["mu_star_conf"][i])
            rows.append((strategy, output, name, "mu_star", star, star - half, star + half))
            rows.append((strategy, output, name, "mu", float(found["mu"][i]), np.nan, np.nan))
            rows.append((strategy, output, name, "sigma", float(found["sigma"][i]), np.nan, np.nan))
    return pd.DataFrame(rows, columns=list(INDEX_COLUMNS))


def sobol_indices(
    results: pd.DataFrame,
    spec,
    output: str,
    *,
    resamples: int = 1000,
    conf_level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Sobol first-order (``S1``) and total (``ST``) indices with bootstrap intervals, per strategy."""
    from SALib.analyze import sobol

    if spec.method != "saltelli":
        raise AnalysisError(f"Sobol indices need a saltelli design, this sweep is {spec.method}")
    rows = []
    for strategy in spec.strategy_names():
        y = point_means(results, spec, output, strategy)
        if np.ptp(y) == 0:
            raise AnalysisError(
                f"output {output!r} is the same at every design point (strategy {strategy}): "
                "no variance to apportion; choose another output or wider ranges"
            )
        found = sobol.analyze(
            _problem(spec),
            y,
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=conf_level,
            seed=_salib_seed(seed),
        )
        for i, name in enumerate(spec.factor_names):
            for index in ("S1", "ST"):
                value, half = float(found[index][i]), float(found[f"{index}_conf"][i])
                rows.append((strategy, output, name, index, value, value - half, value + half))
    return pd.DataFrame(rows, columns=list(INDEX_COLUMNS))


def most_influential(morris_table: pd.DataFrame, keep: int) -> list[str]:
    """The `keep` factors with the largest Morris ``mu_star`` (the largest over strategies)."""
    star = morris_table[morris_table["index"] == "mu_star"].groupby("parameter", sort=False)["value"].max()
    return star.sort_values(ascending=False, kind="stable").index[:keep].tolist()


def sobol_stage_spec(morris_spec, keep_factors: list[str], samples: int):
    """The Saltelli sweep for the kept factors, over the same ranges; the screened-out factors are held at
    their default values (or their range's midpoint, if the default is outside the range)."""
    defaults = morris_spec.model.defaults()
    fixed = dict(morris_spec.fixed)
    for name in morris_spec.factor_names:
        if name in keep_factors:
            continue
        low, high = morris_spec.factors[name]
        default = defaults.get(name)
        value = default if default is not None and low <= default <= high else (low + high) / 2
        fixed[name] = morris_spec.model.parameter_space()[name].snap(value)
    return replace(
        morris_spec,
        name=f"{morris_spec.name}-sobol",
        method="saltelli",
        samples=samples,
        factors={n: morris_spec.factors[n] for n in keep_factors},
        fixed=fixed,
        levels=4,
        sensitivity=None,
    )


def screen_then_sobol(
    spec,
    out=None,
    *,
    output: str | None = None,
    keep: int | None = None,
    sobol_samples: int | None = None,
    resamples: int | None = None,
    **execution,
):
    """Morris screening of every factor of a morris `spec`, then Sobol indices of the `keep` most influential.

    Runs both sweeps (the second in ``out/sobol`` when `out` is given; both resume like any sweep) with the
    `execution` keywords of :func:`~simulation.sweeps.execution.run_sweep`. Returns the tidy tables
    ``(morris_table, sobol_table)``.
    """
    from simulation.sweeps.execution import run_sweep

    settings = spec.sensitivity or {}
    output = output or settings.get("output", spec.model.outputs[0])
    keep = keep or settings.get("keep", min(4, len(spec.factors)))
    sobol_samples = sobol_samples or settings.get("sobol_samples", 64)
    resamples = resamples or settings.get("resamples", 1000)
    morris_results = run_sweep(spec, out, **execution)
    morris_table = morris_indices(morris_results, spec, output, resamples=resamples)
    second = sobol_stage_spec(spec, most_influential(morris_table, keep), sobol_samples)
    sobol_results = run_sweep(second, Path(out) / "sobol" if out is not None else None, **execution)
    sobol_table = sobol_indices(sobol_results, second, output, resamples=resamples)
    return morris_table, sobol_table


def sensitivity_figure(table: pd.DataFrame, title: str | None = None):
    """Bars with confidence intervals: Sobol S1 and ST side by side, or Morris mu_star (one panel per
    strategy). Returns a matplotlib Figure."""
    from matplotlib.figure import Figure

    indices = [i for i in ("S1", "ST", "mu_star") if i in set(table["index"])]
    if not indices:
        raise AnalysisError("the table holds no S1, ST or mu_star rows to plot")
    strategies = list(dict.fromkeys(table["strategy"]))
    output = table["output"].iloc[0]
    figure = Figure(
        figsize=(6.4, 1.2 + 0.45 * table["parameter"].nunique() * len(strategies)), layout="constrained"
    )
    axes = figure.subplots(len(strategies), 1, squeeze=False)[:, 0]
    for ax, strategy in zip(axes, strategies, strict=True):
        part = table[(table["strategy"] == strategy) & table["index"].isin(indices)]
        order = part[part["index"] == indices[-1]].sort_values("value")["parameter"].tolist()
        width = 0.8 / len(indices)
        for k, index in enumerate(indices):
            rows = part[part["index"] == index].set_index("parameter").loc[order]
            y = np.arange(len(order)) + (k - (len(indices) - 1) / 2) * width
            error = np.vstack([rows["value"] - rows["ci_low"], rows["ci_high"] - rows["value"]])
            label = {"S1": "first order S1", "ST": "total ST", "mu_star": "Morris mu*"}[index]
            ax.barh(y, rows["value"], height=width, xerr=error, capsize=3, label=label)
        ax.set_yticks(np.arange(len(order)), order)
        ax.set_ylabel("parameter")
        ax.set_xlabel(
            "Sobol index (share of variance)"
            if indices != ["mu_star"]
            else f"mean absolute elementary effect on {output}"
        )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(f"strategy {strategy}" if strategy != "-" else "", fontsize="medium")
        ax.legend(loc="lower right", fontsize="small")
    figure.suptitle(title or f"Sensitivity of {output} (95% bootstrap intervals)")
    return figure
