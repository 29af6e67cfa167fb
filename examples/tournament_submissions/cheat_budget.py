"""Tries to spend a hundred times the budget by changing the plan's private budget."""

from simulation import Action, Stage


def strategy(view, plan):
    plan._budget = 100 * plan.budget  # the firm checks the actions against its own budget afterwards
    customers = view.in_stage(Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)
    plan.add(customers, Action.PERSONAL_OFFER)
    plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER)
