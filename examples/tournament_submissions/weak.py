"""Spend the whole budget on service calls to people who have never bought (a weak entry: service
does nothing for a prospect, so this is pure cost)."""

from simulation import Action, Stage


def strategy(view, plan):
    plan.add(view.in_stage(Stage.PROSPECT), Action.SERVICE)
