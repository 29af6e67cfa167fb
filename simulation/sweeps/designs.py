"""Design points of a sweep: full grid, Latin hypercube, Sobol sequence, Morris and Saltelli samples.

LHS and Sobol come from ``scipy.stats.qmc``, Morris and Saltelli samples from SALib, so a sensitivity
analysis can be computed from the same points. Every design is deterministic given the spec (its design
seed), so a resumed sweep and a later analysis regenerate exactly the same points.

Integer parameters are rounded to the nearest allowed value (even ones to the nearest even integer) for
the runs; :func:`unit_design` keeps the unrounded values, which Morris analysis needs for its steps.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def salib_problem(names, bounds) -> dict:
    """SALib's problem description for the given factor names and Bounds."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[float(bounds[n].low), float(bounds[n].high)] for n in names],
    }


def unit_design(spec) -> np.ndarray:
    """The design's points as a float array (rows: points, columns: factors), before integer rounding."""
    names = spec.factor_names
    if spec.method == "grid":
        return np.array(list(itertools.product(*(spec.factors[n] for n in names))), dtype=float)
    lows = np.array([spec.factors[n][0] for n in names])
    highs = np.array([spec.factors[n][1] for n in names])
    if spec.method in ("lhs", "sobol"):
        from scipy.stats import qmc

        sampler = (
            qmc.LatinHypercube(d=len(names), seed=spec.design_seed)
            if spec.method == "lhs"
            else qmc.Sobol(d=len(names), scramble=True, seed=spec.design_seed)
        )
        return qmc.scale(sampler.random(spec.samples), lows, highs)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(lo), float(hi)] for lo, hi in zip(lows, highs, strict=True)],
    }
    if spec.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, N=spec.samples, num_levels=spec.levels, seed=spec.design_seed)
    from SALib.sample import sobol

    return sobol.sample(problem, N=spec.samples, calc_second_order=False, seed=spec.design_seed)


def build_design(spec) -> pd.DataFrame:
    """One row per design point, one column per factor, with the values the runs use."""
    raw = unit_design(spec)
    bounds = spec.model.parameter_space()
    columns = {}
    for j, name in enumerate(spec.factor_names):
        bound = bounds[name]
        if bound.integer:
            columns[name] = np.array([bound.snap(v) for v in raw[:, j]], dtype=np.int64)
        else:
            # clip only the last-bit overshoot of floating-point scaling; the spec's range is inside
            # the parameter's range, so nothing meaningful is changed
            columns[name] = np.clip(raw[:, j], *spec.factors[name]) if spec.method != "grid" else raw[:, j]
    design = pd.DataFrame(columns)
    design.index.name = "point"
    return design
