"""The built-in strategies, from mass marketing to one-to-one (reference §6, §7).

All of them spend from the same weekly budget and see only the firm's observations, so a comparison
between them is fair. Budget shares are of the weekly budget; see `spend_in_order` for rollover.
"""

from __future__ import annotations

import numpy as np

from simulation.firm_view import FirmView
from simulation.stages import Action, Stage
from simulation.strategies.base import Strategy, register_strategy, spend_in_order

ACTIVE = (Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)


def _active_by_value(view: FirmView) -> np.ndarray:
    """Customers the firm believes are active, most valuable (recent weekly spend) first."""
    return view.rank_by(view.in_stage(*ACTIVE), view.recent_value)


@register_strategy
class NoMarketing(Strategy):
    name = "none"
    description = "no marketing at all: the baseline that shows what the market does by itself"

    def plan(self, view, plan):
        return None


@register_strategy
class MassMarketing(Strategy):
    name = "mass"
    description = "mass marketing (盲目大量化营销): the same generic offer to random known customers, " \
                  "acquisition offers to random prospects"

    def plan(self, view, plan):
        prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
        known = view.shuffled(np.flatnonzero(view.purchases > 0))
        spend_in_order(plan, [(prospects, Action.ACQUISITION_OFFER, 0.4),
                              (known, Action.GENERIC_OFFER, 0.6)])


@register_strategy
class TargetedMarketing(Strategy):
    name = "targeted"
    description = "target marketing (目标营销): segments by observed value; offers and service go to " \
                  "the most valuable active customers first"

    def plan(self, view, plan):
        by_value = _active_by_value(view)
        top_tenth = by_value[: max(1, by_value.size // 10)]
        prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
        spend_in_order(plan, [(prospects, Action.ACQUISITION_OFFER, 0.25),
                              (top_tenth, Action.SERVICE, 0.15),
                              (by_value, Action.GENERIC_OFFER, 0.6)])


@register_strategy
class NeedsBasedMarketing(Strategy):
    name = "needs_based"
    description = "needs-oriented marketing (客户需求导向营销): offers designed for each needs " \
                  "segment, cross-selling to regular customers"

    def plan(self, view, plan):
        by_value = _active_by_value(view)
        regulars = view.rank_by(view.in_stage(Stage.STABLE, Stage.DEVELOPMENT), view.recent_value)
        prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
        spend_in_order(plan, [(prospects, Action.ACQUISITION_OFFER, 0.25),
                              (regulars, Action.CROSS_SELL, 0.15),
                              (by_value, Action.SEGMENT_OFFER, 0.6)])


@register_strategy
class OneToOneMarketing(Strategy):
    name = "one_to_one"
    description = "one-to-one marketing (IDIC): identify, differentiate by value and needs, interact to " \
                  "learn each customer's needs, customise offers from what was learned"

    def plan(self, view, plan):
        # Identify: everyone who has bought. Differentiate: by value, and by how well we know them.
        by_value = _active_by_value(view)
        knowledge = view.knowledge[by_value]
        # Interact: valuable customers we know little about, not contacted in the last three weeks,
        # continuing the dialogue from the last contact.
        rested = view.week - view.last_contact_week[by_value] > 3
        to_learn = by_value[(knowledge < 0.5) & rested]
        # Customise: personal offers where we know enough, ranked by value x knowledge.
        known_well = by_value[knowledge >= 0.3]
        customise = view.rank_by(known_well, view.recent_value * view.knowledge)
        cross = view.rank_by(view.in_stage(Stage.STABLE), view.knowledge)
        prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
        spend_in_order(plan, [(prospects, Action.ACQUISITION_OFFER, 0.2),
                              (to_learn, Action.SERVICE, 0.3),
                              (cross[view.knowledge[cross] >= 0.5], Action.CROSS_SELL, 0.15),
                              (customise, Action.PERSONAL_OFFER, 0.35)])


@register_strategy
class ParetoMarketing(Strategy):
    name = "pareto"
    description = "the 80/20 rule: 80% of the budget on the top 20% of customers by value, 20% on the rest"

    def plan(self, view, plan):
        by_value = _active_by_value(view)
        top = by_value[: int(np.ceil(0.2 * by_value.size))]
        rest = by_value[top.size:]
        not_members = top[~view.loyalty_member[top]]
        prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
        spend_in_order(plan, [(not_members, Action.LOYALTY_PROGRAMME, 0.2),
                              (top, Action.SERVICE, 0.3),
                              (top, Action.PERSONAL_OFFER, 0.3),
                              (prospects, Action.ACQUISITION_OFFER, 0.1),
                              (rest, Action.GENERIC_OFFER, 0.1)])


@register_strategy
class StageBasedMarketing(Strategy):
    name = "stage_based"
    description = "lifecycle management: a different action for each observed stage, with early " \
                  "warning of decline and selective win-back of valuable lost customers"

    def plan(self, view, plan):
        def stage(s):
            return view.rank_by(view.in_stage(s), view.recent_value)

        stable = stage(Stage.STABLE)
        # Win back selectively: former customers who spent most in total (Thomas et al. 2004).
        lost = view.rank_by(view.in_stage(Stage.LOST), view.total_spend)
        lost = lost[: max(1, lost.size // 4)]
        spend_in_order(plan, [
            (view.shuffled(view.in_stage(Stage.PROSPECT)), Action.ACQUISITION_OFFER, 0.2),
            (stage(Stage.IDENTIFICATION), Action.SERVICE, 0.15),  # exceed expectations early
            (stage(Stage.DECLINE), Action.PERSONAL_OFFER, 0.15),  # early warning: act before it is lost
            (stable[~view.loyalty_member[stable]], Action.LOYALTY_PROGRAMME, 0.15),  # financial bond
            (stage(Stage.DEVELOPMENT), Action.PERSONAL_OFFER, 0.15),  # grow share of wallet
            (stable, Action.CROSS_SELL, 0.1),
            (lost, Action.WIN_BACK, 0.1),
        ])
