"""The researcher's workbench: parameter sweeps on Dask, sensitivity analysis and calibration to real data.

Quick start::

    from simulation.sweeps import make_spec, run_sweep
    spec = make_spec(method="lhs", samples=20, factors={"acquisition_response": (0.01, 0.1)},
                     strategies=["mass", "stage_based"], replications=3, seed=1,
                     fixed={"n_people": 500, "weeks": 52})
    results = run_sweep(spec, "sweep-out", serial=True)   # or workers=2, or scheduler="tcp://..."

From the command line: ``crmlab sweep specs/example_sweep.toml`` and ``crmlab calibrate
specs/cdnow_calibration.toml``. Modules: :mod:`.spec` (the spec format), :mod:`.designs`, :mod:`.execution`
(Dask), :mod:`.store` (Parquet with resume), :mod:`.sensitivity` (Morris, Sobol), :mod:`.calibration`
(moments, simulated method of moments).
"""

from simulation.sweeps.execution import open_executor, run_sweep
from simulation.sweeps.models import Bound, IshigamiModel, SimulationModel
from simulation.sweeps.spec import SpecError, SweepSpec, load_spec, make_spec
from simulation.sweeps.store import TIMING_COLUMNS, StoreError, read_results, read_weekly


def register(subparsers) -> None:
    """Add ``crmlab sweep`` and ``crmlab calibrate`` (see :mod:`simulation.sweeps.cli`)."""
    from simulation.sweeps.cli import register as register_commands

    register_commands(subparsers)


__all__ = [
    "TIMING_COLUMNS",
    "Bound",
    "IshigamiModel",
    "SimulationModel",
    "SpecError",
    "StoreError",
    "SweepSpec",
    "load_spec",
    "make_spec",
    "open_executor",
    "read_results",
    "read_weekly",
    "register",
    "run_sweep",
]
