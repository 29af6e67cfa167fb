"""Thinks far too long in week 3 (an endless search for the perfect customer)."""

from simulation import Action, Stage


def strategy(view, plan):
    if view.week == 3:
        best = 0
        while True:  # never ends: the per-week time limit stops it
            best += 1
    plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER)
