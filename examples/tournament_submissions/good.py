"""Learn, then customise (IDIC): service contacts teach the firm what valuable customers need, and
personal offers go to the customers it knows best; a fifth of the budget keeps acquiring."""

from simulation import Action, Stage


def strategy(view, plan):
    customers = view.in_stage(Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)
    by_value = view.rank_by(customers, view.recent_value)
    knowledge = view.knowledge[by_value]
    rested = view.week - view.last_contact_week[by_value] > 3
    stable = view.rank_by(view.in_stage(Stage.STABLE), view.knowledge)
    prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
    plan.add(prospects, Action.ACQUISITION_OFFER, max_spend=0.2 * plan.budget)
    plan.add(by_value[(knowledge < 0.5) & rested], Action.SERVICE, max_spend=0.3 * plan.budget)
    plan.add(stable[view.knowledge[stable] >= 0.5], Action.CROSS_SELL, max_spend=0.15 * plan.budget)
    known = by_value[knowledge >= 0.3]
    plan.add(view.rank_by(known, view.recent_value * view.knowledge), Action.PERSONAL_OFFER)
    plan.add(prospects, Action.ACQUISITION_OFFER)
