"""A fresh clone's first run compiles every kernel it uses (issue 10: under 20 s). Each kernel must then
compile once: a second signature (a writable array where a read-only one came before, a strided array
where a contiguous one did) compiles the whole function again, for seconds."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CODE = textwrap.dedent(
    """
    from numba.core.registry import CPUDispatcher
    import simulation.firm, simulation.kernels, simulation.model, simulation.random_streams
    import simulation.selection
    from simulation import run_simulation, strategy_names

    for name in strategy_names():
        run_simulation(name, seed=1, engine="vector", n_people=400, weeks=30)
    for module in (simulation.firm, simulation.kernels, simulation.model, simulation.random_streams,
                   simulation.selection):
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and len(value.signatures) > 1:
                print(f"{module.__name__}.{name}: {[str(s) for s in value.signatures]}")
    """
)


def test_every_kernel_compiles_once_for_all_built_in_strategies():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "", f"kernels compiled for more than one signature:\n{done.stdout}"
