import pytest

from simulation import run_simulation


@pytest.fixture(scope="session")
def default_run():
    """One seeded default run of the agent engine (1,000 people x 104 weeks), shared by many tests."""
    return run_simulation(strategy="stage_based", seed=11, engine="agents")


@pytest.fixture(scope="session")
def fidelity_run():
    """A seeded run of a few thousand people over four years, for the stylised facts."""
    return run_simulation(strategy="stage_based", seed=2024, engine="vector", n_people=3000, weeks=208)
