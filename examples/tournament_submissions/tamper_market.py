"""Changes the simulation in its own process: every run reports ten times its profit. The tournament
replays its actions in a process without student code, so the inflated profit is caught."""

from simulation import Action, Stage
from simulation.outputs import SimulationResult

_honest_summary = SimulationResult.summary


def _inflated(self):
    figures = _honest_summary(self)
    figures["profit"] *= 10
    return figures


SimulationResult.summary = _inflated


def strategy(view, plan):
    plan.add(view.shuffled(view.in_stage(Stage.PROSPECT)), Action.ACQUISITION_OFFER)
