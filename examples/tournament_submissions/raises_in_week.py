"""Works until week 5, then divides by zero (no customer is in the loyalty programme yet)."""

from simulation import Action, Stage


def strategy(view, plan):
    prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
    plan.add(prospects, Action.ACQUISITION_OFFER, max_spend=0.5 * plan.budget)
    if view.week >= 5:
        members = int(view.loyalty_member.sum())
        share = len(view.in_stage(Stage.STABLE)) / members  # ZeroDivisionError in week 5
        plan.add(view.in_stage(Stage.STABLE)[: int(share)], Action.SERVICE)
