"""The built-in strategies, from mass marketing to one-to-one (reference §6, §7).

All of them spend from the same weekly budget and see only the firm's observations, so a comparison
between them is fair. Budget shares are of the weekly budget; see `spend_in_order` for rollover.
"""

from __future__ import annotations

import numpy as np

from simulation.firm import FirmView
from simulation.stages import Action, Stage
from simulation.strategies.base import Strategy, register_strategy, spend_in_order

ACTIVE = (Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)

# Strategies rank or shuffle only as many candidates as the budget could possibly fund (`limit=`): a
# partial sort or a random sample in O(N), instead of sorting or shuffling everyone. A group's limit is
# what the whole budget buys of its action, plus what the budget buys of every action given earlier to
# people who may also be in the group (they are passed over), so the funded people are exactly those of
# a full sort.


def _most(plan, *actions: Action) -> int:
    """How many people the whole budget could fund with each of `actions`, added up."""
    most = 0
    for action in actions:  # a loop, not sum() over a generator: this runs several times a week
        most += plan.affordable(action)
    return most


def _prospects(view: FirmView, plan) -> np.ndarray:
    """Random prospects, as many as the whole budget could send acquisition offers to."""
    return view.shuffled(view.in_stage(Stage.PROSPECT), limit=_most(plan, Action.ACQUISITION_OFFER))


def _active_by_value(view: FirmView, limit: int | None = None) -> np.ndarray:
    """Customers the firm believes are active, most valuable (recent weekly spend) first."""
    return view.rank_by(view.in_stage(*ACTIVE), view.recent_value, limit=limit)


@register_strategy
class NoMarketing(Strategy):
    name = "none"
    description = "no marketing at all: the baseline that shows what the market does by itself"

    def plan(self, view, plan):
        return None


@register_strategy
class MassMarketing(Strategy):
    name = "mass"
    description = (
        "mass marketing (盲目大量化营销): the same generic offer to random known customers, "
        "acquisition offers to random prospects"
    )

    def plan(self, view, plan):
        known = view.shuffled(np.flatnonzero(view.purchases > 0), limit=_most(plan, Action.GENERIC_OFFER))
        spend_in_order(
            plan,
            [(_prospects(view, plan), Action.ACQUISITION_OFFER, 0.4), (known, Action.GENERIC_OFFER, 0.6)],
        )


@register_strategy
class TargetedMarketing(Strategy):
    name = "targeted"
    description = (
        "target marketing (目标营销): segments by observed value; offers and service go to "
        "the most valuable active customers first"
    )

    def plan(self, view, plan):
        active = view.in_stage(*ACTIVE)
        top_tenth = view.rank_by(active, view.recent_value, limit=max(1, active.size // 10))
        by_value = _active_by_value(view, limit=_most(plan, Action.GENERIC_OFFER, Action.SERVICE))
        spend_in_order(
            plan,
            [
                (_prospects(view, plan), Action.ACQUISITION_OFFER, 0.25),
                (top_tenth, Action.SERVICE, 0.15),
                (by_value, Action.GENERIC_OFFER, 0.6),
            ],
        )


@register_strategy
class NeedsBasedMarketing(Strategy):
    name = "needs_based"
    description = (
        "needs-oriented marketing (客户需求导向营销): offers designed for each needs "
        "segment, cross-selling to regular customers"
    )

    def plan(self, view, plan):
        by_value = _active_by_value(view, limit=_most(plan, Action.SEGMENT_OFFER, Action.CROSS_SELL))
        regulars = view.rank_by(
            view.in_stage(Stage.STABLE, Stage.DEVELOPMENT),
            view.recent_value,
            limit=_most(plan, Action.CROSS_SELL),
        )
        spend_in_order(
            plan,
            [
                (_prospects(view, plan), Action.ACQUISITION_OFFER, 0.25),
                (regulars, Action.CROSS_SELL, 0.15),
                (by_value, Action.SEGMENT_OFFER, 0.6),
            ],
        )


@register_strategy
class OneToOneMarketing(Strategy):
    name = "one_to_one"
    description = (
        "one-to-one marketing (IDIC): identify, differentiate by value and needs, interact to "
        "learn each customer's needs, customise offers from what was learned"
    )

    def plan(self, view, plan):
        # Identify: everyone who has bought. Differentiate: by value, and by how well we know them.
        active = view.in_stage(*ACTIVE)
        knowledge = view.knowledge[active]
        # Interact: valuable customers we know little about, not contacted in the last three weeks,
        # continuing the dialogue from the last contact.
        rested = view.week - view.last_contact_week[active] > 3
        to_learn = view.rank_by(
            active[(knowledge < 0.5) & rested], view.recent_value, limit=_most(plan, Action.SERVICE)
        )
        # Customise: personal offers where we know enough, ranked by value x knowledge.
        customise = view.rank_by(
            active[knowledge >= 0.3],
            view.recent_value * view.knowledge,
            limit=_most(plan, Action.PERSONAL_OFFER, Action.SERVICE, Action.CROSS_SELL),
        )
        stable = view.in_stage(Stage.STABLE)
        cross = view.rank_by(
            stable[view.knowledge[stable] >= 0.5],
            view.knowledge,
            limit=_most(plan, Action.CROSS_SELL, Action.SERVICE),
        )
        spend_in_order(
            plan,
            [
                (_prospects(view, plan), Action.ACQUISITION_OFFER, 0.2),
                (to_learn, Action.SERVICE, 0.3),
                (cross, Action.CROSS_SELL, 0.15),
                (customise, Action.PERSONAL_OFFER, 0.35),
            ],
        )


@register_strategy
class ParetoMarketing(Strategy):
    name = "pareto"
    description = "the 80/20 rule: 80% of the budget on the top 20% of customers by value, 20% on the rest"

    def plan(self, view, plan):
        active = view.in_stage(*ACTIVE)
        top = view.rank_by(active, view.recent_value, limit=int(np.ceil(0.2 * active.size)))
        in_top = np.zeros(view.n_people, dtype=bool)
        in_top[top] = True
        rest = view.rank_by(
            active[~in_top[active]], view.recent_value, limit=_most(plan, Action.GENERIC_OFFER)
        )
        not_members = top[~view.loyalty_member[top]]
        spend_in_order(
            plan,
            [
                (not_members, Action.LOYALTY_PROGRAMME, 0.2),
                (top, Action.SERVICE, 0.3),
                (top, Action.PERSONAL_OFFER, 0.3),
                (_prospects(view, plan), Action.ACQUISITION_OFFER, 0.1),
                (rest, Action.GENERIC_OFFER, 0.1),
            ],
        )


@register_strategy
class StageBasedMarketing(Strategy):
    name = "stage_based"
    description = (
        "lifecycle management: a different action for each observed stage, with early "
        "warning of decline and selective win-back of valuable lost customers"
    )

    def plan(self, view, plan):
        def stage(s, *actions):
            return view.rank_by(view.in_stage(s), view.recent_value, limit=_most(plan, *actions))

        stable = view.in_stage(Stage.STABLE)
        not_members = view.rank_by(
            stable[~view.loyalty_member[stable]],
            view.recent_value,
            limit=_most(plan, Action.LOYALTY_PROGRAMME),
        )
        # Win back selectively: the quarter of former customers who spent most in total (Thomas et al.
        # 2004).
        lost = view.in_stage(Stage.LOST)
        lost = view.rank_by(
            lost, view.total_spend, limit=min(max(1, lost.size // 4), _most(plan, Action.WIN_BACK))
        )
        spend_in_order(
            plan,
            [
                (_prospects(view, plan), Action.ACQUISITION_OFFER, 0.2),
                (
                    stage(Stage.IDENTIFICATION, Action.SERVICE),
                    Action.SERVICE,
                    0.15,
                ),  # exceed expectations early
                # early warning: act before the customer is lost
                (stage(Stage.DECLINE, Action.PERSONAL_OFFER), Action.PERSONAL_OFFER, 0.15),
                (not_members, Action.LOYALTY_PROGRAMME, 0.15),  # financial bond
                (
                    stage(Stage.DEVELOPMENT, Action.PERSONAL_OFFER),
                    Action.PERSONAL_OFFER,
                    0.15,
                ),  # grow share of wallet
                (stage(Stage.STABLE, Action.CROSS_SELL, Action.LOYALTY_PROGRAMME), Action.CROSS_SELL, 0.1),
                (lost, Action.WIN_BACK, 0.1),
            ],
        )
