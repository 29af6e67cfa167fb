"""What a sweep runs: the customer-lifecycle simulation, or a test function with known answers.

A sweep model says which parameters exist and their allowed ranges (so a spec is checked before anything
runs), checks one complete parameter set, and runs once for a strategy and a seed, returning its summary
outputs (and, if asked, a weekly table). :class:`SimulationModel` wraps `run_simulation`;
:class:`IshigamiModel` is the Ishigami function, whose Sobol indices are known exactly, so the whole
sensitivity pipeline (design, execution, store, analysis) can be checked against them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Bound:
    """The allowed range of one parameter (inclusive), and whether it must be an (even) integer."""

    low: float
    high: float
    integer: bool = False
    even: bool = False

    def describe(self) -> str:
        kind = f"an {'even ' if self.even else ''}integer" if self.integer else "a number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"

    def snap(self, value: float):
        """The nearest allowed value of this kind (integers rounded; even integers to the nearest even)."""
        if not self.integer:
            return float(value)
        step = 2 if self.even else 1
        snapped = int(round(value / step)) * step
        return int(min(max(snapped, math.ceil(self.low / step) * step), math.floor(self.high / step) * step))


#: The summary outputs of one simulation run (`SimulationResult.summary`), in the order they are stored.
SIMULATION_OUTPUTS = (
    "profit",
    "revenue",
    "marketing_cost",
    "customers_at_end",
    "retention",
    "share_of_wallet",
    "realised_clv",
)


def simulation_code_version() -> str:
    """A fingerprint of the simulation's source code (every ``simulation/**/*.py`` except the sweep
    machinery itself): results written by different model code must not be mixed in one dataset."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "sweeps" in path.relative_to(root).parts:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class SimulationModel:
    """The customer-lifecycle simulation (`simulation.run_simulation`) as a sweep model."""

    name = "simulation"
    outputs = SIMULATION_OUTPUTS
    uses_strategies = True

    def parameter_space(self) -> dict[str, Bound]:
        from simulation.parameters import Parameters

        return {
            f.name: Bound(f.metadata["low"], f.metadata["high"], f.metadata["integer"], f.metadata["even"])
            for f in dataclasses.fields(Parameters)
        }

    def defaults(self) -> dict:
        from simulation.parameters import Parameters

        return Parameters().to_dict()

    def check(self, parameters: dict) -> None:
        from simulation.parameters import Parameters

        Parameters.from_dict(parameters)

    def version(self) -> str:
        return simulation_code_version()

    def run(self, strategy, seed: int, engine: str, parameters: dict, weekly: bool = False):
        from simulation.experiment import run_simulation

        result = run_simulation(strategy=strategy, seed=seed, engine=engine, **parameters)
        summary = result.summary()
        if set(summary) != set(self.outputs):
            # the stored table has one column per output; an engine that reports other outputs must not
            # have some silently dropped or left empty
            raise RuntimeError(
                f"the simulation reported outputs {sorted(summary)}, the sweep store expects "
                f"{sorted(self.outputs)}: update SIMULATION_OUTPUTS"
            )
        return summary, (result.metrics if weekly else None)

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))


class IshigamiModel:
    """The Ishigami function f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3 (a=7, b=0.1).

    A standard test of sensitivity analysis (Ishigami & Homma 1990) because its Sobol indices are known in
    closed form (:meth:`analytical_indices`). Strategy and seed are ignored: it is deterministic.
    """

    name = "ishigami"
    outputs = ("y",)
    uses_strategies = False

    def __init__(self, a: float = 7.0, b: float = 0.1):
        self.a, self.b = float(a), float(b)

    def parameter_space(self) -> dict[str, Bound]:
        return {name: Bound(-math.pi, math.pi) for name in ("x1", "x2", "x3")}

    def defaults(self) -> dict:
        return {"x1": 0.0, "x2": 0.0, "x3": 0.0}

    def check(self, parameters: dict) -> None:
        space = self.parameter_space()
        for name, value in parameters.items():
            if name not in space:
                raise ValueError(f"unknown parameter {name!r}; the Ishigami function has x1, x2, x3")
            if not space[name].low <= value <= space[name].high:
                raise ValueError(f"parameter {name!r} must be {space[name].describe()}, got {value!r}")

    def version(self) -> str:
        return f"ishigami(a={self.a}, b={self.b})"

    def run(self, strategy, seed: int, engine: str, parameters: dict, weekly: bool = False):
        x = {**self.defaults(), **parameters}
        y = np.sin(x["x1"]) + self.a * np.sin(x["x2"]) ** 2 + self.b * x["x3"] ** 4 * np.sin(x["x1"])
        return {"y": float(y)}, (pd.DataFrame({"week": [1], "y": [float(y)]}) if weekly else None)

    def analytical_indices(self) -> pd.DataFrame:
        """First-order and total Sobol indices of x1, x2, x3, in closed form."""
        a, b, pi = self.a, self.b, math.pi
        v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
        v2 = a**2 / 8
        v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
        total = v1 + v2 + v13
        return pd.DataFrame(
            {"S1": [v1 / total, v2 / total, 0.0], "ST": [(v1 + v13) / total, v2 / total, v13 / total]},
            index=pd.Index(["x1", "x2", "x3"], name="parameter"),
        )

    def __eq__(self, other):
        return type(other) is type(self) and (other.a, other.b) == (self.a, self.b)

    def __hash__(self):
        return hash((type(self), self.a, self.b))
