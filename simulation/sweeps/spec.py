"""A sweep's description: a TOML file or the same keywords in Python, checked completely before anything runs.

The format (``specs/example_sweep.toml`` is a commented example)::

    name = "acquisition"              # names the output directory by default
    strategies = ["mass", "stage_based"]  # a factor: every design point runs under every strategy
    replications = 5                  # runs per design point and strategy
    seed = 2024                       # root seed: replication seeds are spawned from it
    engine = "vector"                 # "vector" (default) or "agents"
    weekly_metrics = false            # also store each run's weekly metrics

    [fixed]                           # parameters held constant (others keep their defaults)
    n_people = 1000
    weeks = 104

    [design]
    method = "lhs"                    # grid, lhs, sobol, morris or saltelli
    samples = 50                      # points (lhs, sobol), trajectories (morris), base sample N (saltelli)
    seed = 1                          # seed of the design's own randomness (not for grid)
    [design.factors]                  # grid: a list of levels; other methods: [low, high]
    acquisition_response = [0.01, 0.1]

    [sensitivity]                     # morris or saltelli designs only
    output = "profit"                 # which summary output to explain
    keep = 4                          # after Morris screening, Sobol indices for the 4 most influential
    sobol_samples = 64                # Saltelli base sample N for that second stage

Every problem is reported as one line naming the file, the line, the key and what is allowed
(:class:`SpecError`, a ``ValueError``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import numbers
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulation.sweeps.models import Bound, SimulationModel

METHODS = ("grid", "lhs", "sobol", "morris", "saltelli")
ENGINES = ("vector", "agents")
TOP_KEYS = (
    "name",
    "strategies",
    "replications",
    "seed",
    "engine",
    "weekly_metrics",
    "fixed",
    "design",
    "sensitivity",
)
DESIGN_KEYS = ("method", "factors", "samples", "seed", "levels")
SENSITIVITY_KEYS = ("output", "keep", "sobol_samples", "resamples")
MAX_REPLICATIONS = 100_000
MAX_RUNS = 10_000_000


class SpecError(ValueError):
    """A sweep or calibration spec is malformed; the message names the file, line, key and what is allowed."""


class SpecReader:
    """Where a key is in a spec (file and line), for error messages that point at it."""

    def __init__(self, source: str, text: str | None = None):
        self.source = source
        self._lines: dict[tuple[str, str], int] = {}
        if text:
            table = ""
            for number, line in enumerate(text.splitlines(), start=1):
                stripped = line.strip()
                header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
                if header:
                    table = header.group(1)
                    continue
                key = re.match(r'^["\']?([A-Za-z0-9_\-]+)["\']?\s*=', stripped)
                if key:
                    self._lines.setdefault((table, key.group(1)), number)

    def error(self, table: str, key: str | None, problem: str) -> SpecError:
        where = f"[{table}] {key}" if table and key else (f"[{table}]" if table else key or "")
        line = self._lines.get((table, key)) if key else None
        if line is None and key is None:
            line = next(
                (n for (t, _), n in sorted(self._lines.items(), key=lambda item: item[1]) if t == table), None
            )
        location = f"{self.source}, line {line}" if line else self.source
        return SpecError(f"{location}: {where}: {problem}" if where else f"{location}: {problem}")

    def unknown_keys(self, table: str, given, allowed) -> None:
        for key in given:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.error(table, key, f"unknown key{hint}; allowed here: {', '.join(allowed)}")


def _whole(reader: SpecReader, table: str, key: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise reader.error(table, key, f"must be an integer from {low:,} to {high:,}, got {value!r}")
    return int(value)


def _number(reader: SpecReader, table: str, key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise reader.error(table, key, f"must be a number, got {value!r}")
    return value


def _power_of_two(reader: SpecReader, table: str, key: str, value: int, method: str) -> None:
    if value & (value - 1):
        lower = 1 << (value.bit_length() - 1)
        raise reader.error(
            table,
            key,
            f"{method} needs a power of 2 (its balance properties depend on it), "
            f"got {value}; use {lower} or {lower * 2}",
        )


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: design, factors, fixed parameters, strategies, replications and seeds.

    Build one with :func:`load_spec` (a TOML file) or :func:`make_spec` (the same keys as keywords).
    """

    name: str
    method: str
    factors: dict[str, tuple]
    strategies: tuple = ("stage_based",)
    replications: int = 1
    seed: int = 0
    engine: str = "vector"
    fixed: dict[str, Any] = field(default_factory=dict)
    samples: int | None = None
    levels: int = 4
    design_seed: int = 0
    weekly_metrics: bool = False
    sensitivity: dict[str, Any] | None = None
    model: Any = field(default_factory=SimulationModel)
    source: str = "sweep spec"

    @property
    def factor_names(self) -> list[str]:
        return list(self.factors)

    def strategy_names(self) -> list[str]:
        if not self.model.uses_strategies:
            return ["-"]
        from simulation.strategies import get_strategy

        return [get_strategy(s).name for s in self.strategies]

    def bounds(self) -> dict[str, Bound]:
        space = self.model.parameter_space()
        return {name: space[name] for name in self.factors}

    def to_dict(self) -> dict:
        """The spec as plain data (the TOML format's keys); strategies given as objects appear by name."""
        design = {"method": self.method, "factors": {k: list(v) for k, v in self.factors.items()}}
        if self.samples is not None:
            design["samples"] = self.samples
        if self.method == "morris":
            design["levels"] = self.levels
        if self.method != "grid":
            design["seed"] = self.design_seed
        data = {
            "name": self.name,
            "strategies": self.strategy_names(),
            "replications": self.replications,
            "seed": self.seed,
            "engine": self.engine,
            "weekly_metrics": self.weekly_metrics,
            "fixed": dict(self.fixed),
            "design": design,
        }
        if self.sensitivity:
            data["sensitivity"] = dict(self.sensitivity)
        return data

    def fingerprint(self) -> str:
        """Identifies the runs this spec asks for: a resumed sweep must be the same sweep.

        The name and the sensitivity settings are left out (they do not change any run); a strategy given
        as a Python object is identified by its name and source code.
        """
        data = self.to_dict()
        data.pop("name")
        data.pop("sensitivity", None)
        data["model"] = self.model.name
        data["strategy_code"] = (
            [_strategy_code(s) for s in self.strategies] if self.model.uses_strategies else []
        )
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _strategy_code(strategy) -> str:
    if isinstance(strategy, str):
        return strategy
    import inspect

    target = getattr(strategy, "function", strategy)
    try:
        return hashlib.sha256(inspect.getsource(target).encode()).hexdigest()[:16]
    except (OSError, TypeError):
        return getattr(target, "__qualname__", type(target).__name__)


def load_spec(path, model=None) -> SweepSpec:
    """Read and check a sweep spec from a TOML file (see the module docstring for the format)."""
    path = Path(path)
    text = read_spec_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML ({error})") from None
    return build_spec(data, SpecReader(str(path), text), default_name=path.stem, model=model)


def read_spec_text(path: Path) -> str:
    if not path.is_file():
        raise SpecError(f"{path}: spec file not found" if not path.exists() else f"{path}: is not a file")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read the spec ({error})") from None


def make_spec(*, method: str, factors: dict, model=None, **keywords) -> SweepSpec:
    """A sweep spec from Python keywords: ``method``, ``factors`` and ``samples``, ``levels``,
    ``design_seed`` as in ``[design]``; the top-level keys (``strategies``, ``replications``, ``seed``,
    ``engine``, ``fixed``, ``weekly_metrics``, ``sensitivity``, ``name``) as in the TOML file. Strategies
    may be names, Strategy objects or functions ``f(view, plan)`` (e.g. defined in a notebook cell)."""
    design = {"method": method, "factors": factors}
    for key, design_key in (("samples", "samples"), ("levels", "levels"), ("design_seed", "seed")):
        if key in keywords:
            design[design_key] = keywords.pop(key)
    return build_spec(
        {**keywords, "design": design}, SpecReader("sweep spec"), default_name="sweep", model=model
    )


def build_spec(data: dict, reader: SpecReader, default_name: str = "sweep", model=None) -> SweepSpec:
    """Check every key of a parsed spec and return the :class:`SweepSpec`."""
    model = model or SimulationModel()
    reader.unknown_keys("", data, TOP_KEYS)
    name = data.get("name", default_name)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise reader.error("", "name", f"must be a name of letters, digits, '_', '-' or '.', got {name!r}")
    if model.uses_strategies:
        strategies = _strategies(reader, data.get("strategies", ["stage_based"]))
    elif "strategies" in data:
        raise reader.error("", "strategies", f"the {model.name} model has no strategies; remove the key")
    else:
        strategies = ("-",)
    replications = _whole(reader, "", "replications", data.get("replications", 1), 1, MAX_REPLICATIONS)
    seed = _whole(reader, "", "seed", data.get("seed", 0), 0, 2**63 - 1)
    engine = data.get("engine", "vector")
    if engine not in ENGINES:
        raise reader.error("", "engine", f"must be one of {', '.join(ENGINES)}, got {engine!r}")
    weekly = data.get("weekly_metrics", False)
    if not isinstance(weekly, bool):
        raise reader.error("", "weekly_metrics", f"must be true or false, got {weekly!r}")
    space = model.parameter_space()
    fixed = _fixed(reader, data.get("fixed", {}), space, model)

    design = data.get("design")
    if not isinstance(design, dict):
        raise reader.error("", "design", "missing [design] table: give method and factors")
    reader.unknown_keys("design", design, DESIGN_KEYS)
    method = design.get("method")
    if method not in METHODS:
        raise reader.error("design", "method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    factors = _factors(reader, design.get("factors"), method, space, fixed)
    samples, levels, design_seed = _design_sizes(reader, design, method, len(factors))
    sensitivity = _sensitivity(reader, data.get("sensitivity"), method, model, len(factors))

    spec = SweepSpec(
        name=name,
        method=method,
        factors=factors,
        strategies=strategies,
        replications=replications,
        seed=seed,
        engine=engine,
        fixed=fixed,
        samples=samples,
        levels=levels,
        design_seed=design_seed,
        weekly_metrics=weekly,
        sensitivity=sensitivity,
        model=model,
        source=reader.source,
    )
    from simulation.sweeps.designs import build_design

    points = build_design(spec)
    runs = len(points) * len(spec.strategy_names()) * replications
    if runs > MAX_RUNS:
        raise reader.error("design", None, f"asks for {runs:,} runs; at most {MAX_RUNS:,} in one sweep")
    _check_points(reader, points, spec)
    return spec


def _strategies(reader: SpecReader, value) -> tuple:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise reader.error("", "strategies", f"must be a non-empty list of strategy names, got {value!r}")
    from simulation.strategies import STRATEGIES, get_strategy

    names = []
    for item in value:
        try:
            names.append(get_strategy(item).name)
        except ValueError:
            raise reader.error(
                "", "strategies", f"unknown strategy {item!r}; built-in strategies: {', '.join(STRATEGIES)}"
            ) from None
    if len(set(names)) != len(names):
        raise reader.error("", "strategies", f"each strategy must appear once, got {names}")
    return tuple(value)


def _fixed(reader: SpecReader, fixed, space: dict[str, Bound], model) -> dict:
    if not isinstance(fixed, dict):
        raise reader.error("", "fixed", "must be a table of parameter = value")
    for key, value in fixed.items():
        _known_parameter(reader, "fixed", key, space)
        _number(reader, "fixed", key, value)
        bound = space[key]
        if (
            not bound.low <= value <= bound.high
            or (bound.integer and float(value) != int(value))
            or (bound.even and int(value) % 2)
        ):
            raise reader.error("fixed", key, f"must be {bound.describe()}, got {value!r}")
    try:
        model.check(dict(fixed))
    except ValueError as error:
        raise reader.error("fixed", None, str(error)) from None
    return dict(fixed)


def _known_parameter(reader: SpecReader, table: str, key: str, space: dict) -> None:
    if key not in space:
        close = difflib.get_close_matches(str(key), list(space), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `crmlab parameters` lists them all"
        raise reader.error(table, key, f"unknown parameter{hint}")


def _factors(reader: SpecReader, factors, method: str, space: dict[str, Bound], fixed: dict) -> dict:
    table = "design.factors"
    if not isinstance(factors, dict) or not factors:
        raise reader.error(
            "design",
            "factors",
            "the design is empty: give at least one factor in "
            "[design.factors] (parameter = [low, high], or a list of "
            "levels for a grid)",
        )
    checked = {}
    for key, value in factors.items():
        _known_parameter(reader, table, key, space)
        if key in fixed:
            raise reader.error(table, key, "is also in [fixed]; a parameter is either fixed or a factor")
        bound = space[key]
        if not isinstance(value, list | tuple) or not value:
            what = "a non-empty list of levels" if method == "grid" else "[low, high]"
            raise reader.error(table, key, f"must be {what}, got {value!r}")
        for item in value:
            _number(reader, table, key, item)
        if method == "grid":
            for item in value:
                if (
                    not bound.low <= item <= bound.high
                    or (bound.integer and float(item) != int(item))
                    or (bound.even and int(item) % 2)
                ):
                    raise reader.error(
                        table,
                        key,
                        f"level {item!r} is outside the parameter's range: "
                        f"each level must be {bound.describe()}",
                    )
            if len(set(value)) != len(value):
                raise reader.error(table, key, f"levels must be distinct, got {list(value)}")
            checked[key] = tuple(int(v) if bound.integer else float(v) for v in value)
        else:
            if len(value) != 2:
                raise reader.error(table, key, f"{method} needs a range [low, high], got {list(value)}")
            low, high = value
            if not low < high:
                raise reader.error(table, key, f"needs low < high, got [{low}, {high}]")
            if low < bound.low or high > bound.high:
                raise reader.error(
                    table,
                    key,
                    f"range [{low:g}, {high:g}] is outside the parameter's range: "
                    f"must lie within [{bound.low:g}, {bound.high:g}]",
                )
            if bound.integer and bound.snap(low) == bound.snap(high):
                raise reader.error(
                    table,
                    key,
                    f"an integer parameter needs a range holding two allowed values, got [{low}, {high}]",
                )
            checked[key] = (float(low), float(high))
    return checked


def _design_sizes(reader: SpecReader, design: dict, method: str, k: int) -> tuple[int | None, int, int]:
    if method == "grid":
        for key in ("samples", "seed", "levels"):
            if key in design:
                raise reader.error(
                    "design", key, f"a grid takes its points from the factors' levels; remove {key!r}"
                )
        return None, 4, 0
    if "samples" not in design:
        what = {
            "lhs": "points",
            "sobol": "points (a power of 2)",
            "morris": "trajectories",
            "saltelli": "base sample N (a power of 2; N*(k+2) points)",
        }[method]
        raise reader.error("design", None, f"missing samples: the number of {what}")
    samples = _whole(reader, "design", "samples", design["samples"], 1, 10_000_000)
    if method in ("sobol", "saltelli"):
        _power_of_two(reader, "design", "samples", samples, method)
    if method == "morris" and samples < 2:
        raise reader.error(
            "design", "samples", f"Morris screening needs at least 2 trajectories, got {samples}"
        )
    if "levels" in design and method != "morris":
        raise reader.error("design", "levels", "only a morris design has levels")
    levels = _whole(reader, "design", "levels", design.get("levels", 4), 2, 100)
    if levels % 2:
        raise reader.error("design", "levels", f"Morris levels must be even (SALib's design), got {levels}")
    design_seed = _whole(reader, "design", "seed", design.get("seed", 0), 0, 2**32 - 1)
    return samples, levels, design_seed


def _sensitivity(reader: SpecReader, section, method: str, model, k: int) -> dict | None:
    if section is None:
        return None
    if not isinstance(section, dict):
        raise reader.error("", "sensitivity", "must be a table")
    reader.unknown_keys("sensitivity", section, SENSITIVITY_KEYS)
    if method not in ("morris", "saltelli"):
        raise reader.error(
            "sensitivity", None, f"sensitivity analysis needs a morris or saltelli design, not {method}"
        )
    output = section.get("output", model.outputs[0])
    if output not in model.outputs:
        raise reader.error(
            "sensitivity", "output", f"must be one of {', '.join(model.outputs)}, got {output!r}"
        )
    result = {
        "output": output,
        "resamples": _whole(reader, "sensitivity", "resamples", section.get("resamples", 1000), 10, 100_000),
    }
    if method == "morris":
        keep = _whole(reader, "sensitivity", "keep", section.get("keep", min(k, 4)), 1, k)
        sobol_samples = _whole(
            reader, "sensitivity", "sobol_samples", section.get("sobol_samples", 64), 2, 1_000_000
        )
        _power_of_two(reader, "sensitivity", "sobol_samples", sobol_samples, "a Saltelli sample")
        result.update(keep=keep, sobol_samples=sobol_samples)
    else:
        for key in ("keep", "sobol_samples"):
            if key in section:
                raise reader.error("sensitivity", key, "applies to a morris design (screening first)")
    return result


def _check_points(reader: SpecReader, points, spec: SweepSpec) -> None:
    """Every design point must make a valid parameter set (some parameters constrain each other)."""
    for index, row in enumerate(points.itertuples(index=False)):
        values = dict(zip(points.columns, row, strict=True))
        try:
            spec.model.check({**spec.fixed, **values})
        except ValueError as error:
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            raise reader.error(
                "design", None, f"design point {index} ({shown}) is not a valid parameter set: {error}"
            ) from None
