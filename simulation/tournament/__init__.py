"""A class strategy tournament: every student's strategy file in the same markets, fairly and safely.

    from simulation.tournament import run_tournament
    result = run_tournament("submissions/", replications=10, include=["mass"], progress=True)
    result.leaderboard            # ranked, with 95% intervals and the paired comparison with the leader
    result.write("results/")      # leaderboard.csv, runs.csv, forest_plot.png, report.html

or from the shell: ``crmlab tournament submissions/ --out results/``. What the isolation of entries does
and does not give is documented in exercises/README.md ("Running a tournament").
"""

from simulation.tournament.results import TournamentResult
from simulation.tournament.runner import (
    DEFAULT_JOBS,
    DEFAULT_METRICS,
    METRICS,
    SCENARIOS,
    EntryReport,
    find_entries,
    run_tournament,
    scenario_parameters,
)
from simulation.tournament.worker import Limits

__all__ = [
    "DEFAULT_JOBS",
    "DEFAULT_METRICS",
    "METRICS",
    "SCENARIOS",
    "EntryReport",
    "Limits",
    "TournamentResult",
    "find_entries",
    "run_tournament",
    "scenario_parameters",
]
