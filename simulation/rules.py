"""The update rules of one person, written once as scalar functions.

Every function here takes one person's numbers and uses only IEEE arithmetic (+ - * /, correctly rounded
everywhere), comparisons and conditionals: no exp or log, whose last bit can differ between libraries.
The agent engine calls them per agent in Python; the vector engine runs the very same functions compiled
with numba (no fastmath) inside one loop over the population (`simulation.kernels`). Both therefore give
bit-identical results. Randomness is never drawn here: the engines hand each person their draws
(`simulation.random_streams`).

A person `s` is anything with the fields of `simulation.state.STATE_FIELDS` as attributes: a `Person`
agent, or a record of the vector engine's state array. The week rules update `s` in place (a person's
new state depends only on their own start-of-week state and this week's inputs, so the order in which
people are updated never matters) and return the week's outcomes.

The rules follow docs/crm-theory-reference.md §2 (stages and their order), §3 (the loyalty model: four
determinants, four intentions, stage-dependent weights), §6 (learning relationship) and §8 (the
suggested rule set). Section numbers are cited on each function. The theory's tables (determinant weights
and intention strengths by stage) live in `crm_theory.loyalty`.
"""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from typing import NamedTuple

from crm_theory.loyalty import DETERMINANT_WEIGHTS, INTENTION_STRENGTH
from simulation.stages import Action, Stage

# Plain ints: compiled code cannot read Enum members, and in Python an Enum comparison costs a lookup.
PROSPECT, ID, DEV, STABLE, DECLINE, LOST = (int(s) for s in Stage)
(
    ACQUISITION_OFFER,
    SERVICE,
    GENERIC_OFFER,
    SEGMENT_OFFER,
    PERSONAL_OFFER,
    LOYALTY_PROGRAMME,
    CROSS_SELL,
    WIN_BACK,
) = (
    int(a)
    for a in (
        Action.ACQUISITION_OFFER,
        Action.SERVICE,
        Action.GENERIC_OFFER,
        Action.SEGMENT_OFFER,
        Action.PERSONAL_OFFER,
        Action.LOYALTY_PROGRAMME,
        Action.CROSS_SELL,
        Action.WIN_BACK,
    )
)

#: Intention level a new customer starts from: identification strength at neutral loyalty (0.5).
NEW_REPEAT, NEW_TOLERANCE, NEW_CROSS, NEW_REFERRAL = (0.5 * x for x in INTENTION_STRENGTH[ID])
NEW_CUSTOMER_INTENTIONS = (NEW_REPEAT, NEW_TOLERANCE, NEW_CROSS, NEW_REFERRAL)


class Draws(NamedTuple):
    """One current customer's random numbers for one week (`random_streams.customer_draws`)."""

    purchase: float  # uniform: a category purchase occasion this week
    choice: float  # uniform: the purchase is made at the firm
    response: float  # uniform: cross-sell taken up
    need_change: float  # uniform: the customer's needs change
    talk: float  # uniform: the customer recommends the firm this week
    value_noise: float  # normal(0, value_noise): this week's deviation of experienced value
    amount_factor: float  # lognormal with mean 1: this basket relative to the average basket; NaN when
    # there is no purchase occasion (purchase >= purchase_rate), where no rule may read it


class FirmInputs(NamedTuple):
    """What the firm and the network bring to one person this week."""

    action: int  # an `Action` code
    offer_fit: float  # fit of the offer the firm would make to this person (0-1)
    learning_gain: float  # knowledge the firm gained about this person last week (learning relationship)
    referral_probability: float  # chance that last week's recommendations from neighbours convert


class Market(NamedTuple):
    """The week and the competitor's offer, the same for everyone."""

    week: int
    competitor_value: float
    promotion_value: float


def _parameter_names() -> list[str]:
    from simulation.parameters import Parameters  # the one list of parameter names

    return [f.name for f in dataclasses.fields(Parameters)]


#: The parameters as a named tuple of plain numbers: compiled rules read fields of a tuple, not of a
#: dataclass. A module-level class, so numba's on-disk cache recognises it in every process.
RuleParameters = namedtuple("RuleParameters", _parameter_names())


def rule_parameters(p) -> RuleParameters:
    """`p` (a `Parameters`) as the `RuleParameters` both engines pass to the rules."""
    return RuleParameters(**{name: getattr(p, name) for name in RuleParameters._fields})


# ---------------------------------------------------------------------------------------------------
# The loyalty model's determinants (reference §3, §8)


def experienced_value(firm_value, need_shift, service_level, offer_value, value_noise):
    """Value the customer gets from the firm this week (§8: offer fit and service, minus price)."""
    return firm_value - need_shift + service_level + offer_value + value_noise


def update_perceived_value(perceived_value, experienced, memory):
    """Perceived value (感知价值) is a running average of experienced value (§3)."""
    return memory * perceived_value + (1.0 - memory) * experienced


def update_satisfaction(satisfaction, experienced, expectation, memory):
    """S <- lambda*S + (1-lambda)*(v - E): outcome against the customer's own comparison level (§2, §8)."""
    return memory * satisfaction + (1.0 - memory) * (experienced - expectation)


def update_expectation(expectation, experienced, rate):
    """E <- E + eta*(v - E): good service raises expectations, poor service lowers them (§8)."""
    return expectation + rate * (experienced - expectation)


def update_trust(trust, experienced, expectation, tolerance, gain, loss_ratio):
    """Trust (信任) grows after acceptable experiences and falls faster after disappointments (§8).

    An experience is acceptable when it is no worse than the expectation minus the zone of tolerance.
    Trust stays in [0, 1]: it gains a share `gain` of the gap to 1, or loses `gain*loss_ratio` of itself.
    """
    if experienced >= expectation - tolerance:
        return trust + gain * (1.0 - trust)
    return trust - min(1.0, gain * loss_ratio) * trust


def update_switching_cost(switching_cost, gain, strength, ceiling):
    """Switching cost (转移成本) accumulates with saturation below `ceiling` (§3, §7: bonds).

    A week's gain closes the share ``strength * gain / ceiling`` of the gap to the ceiling. Where that
    share would exceed the whole gap (large gains against a low ceiling), the switching cost reaches the
    ceiling instead of overshooting it: otherwise the update oscillates and, from a share of 2, diverges.
    """
    step = strength * gain
    if step <= ceiling:
        return switching_cost + step * (1.0 - switching_cost / ceiling)
    return ceiling


def alternative_value(competitor_value, competitor_taste, promotion_value, price_tolerance):
    """Value of the best alternative (CL_alt, §2) as this customer sees it.

    A price-tolerant customer (价格忍耐力) discounts the competitor's promotion.
    """
    return competitor_value + competitor_taste + promotion_value * (1.0 - price_tolerance)


def attractiveness(perceived_value, alternative, satisfaction, trust, switching_cost, weight_stage):
    """A = w_V(P - v_alt) + w_S S + w_T (T - 1/2) + w_SC SC with stage-dependent weights (§3, §8).

    `weight_stage` is the stage whose weights apply (for a declining customer, the stage its decline
    began in).
    """
    w = DETERMINANT_WEIGHTS[weight_stage]
    return (
        w[0] * (perceived_value - alternative)
        + w[1] * satisfaction
        + w[2] * (trust - 0.5)
        + w[3] * switching_cost
    )


def loyalty(attractiveness_value, steepness):
    """Loyalty in (0, 1), 1/2 at zero attractiveness: an algebraic sigmoid (no exp, see module doc)."""
    x = steepness * attractiveness_value
    return 0.5 + 0.5 * x / (1.0 + abs(x))


def update_intention(intention, stage, column, loyalty_value, speed, fade):
    """One of the four intentions (§2 table): toward stage strength x loyalty; fading in decline."""
    if stage == DECLINE:
        return intention * fade
    return intention + speed * (INTENTION_STRENGTH[stage][column] * loyalty_value - intention)


def basket(need, purchase_rate, cross_sells, cross_sell_uplift, amount_factor):
    """Money spent on one category purchase occasion, CU.

    The weekly need is met by occasional purchases, so one basket is need / purchase rate; each accepted
    cross-sell adds a category to the basket.
    """
    return need * (1.0 + cross_sell_uplift * cross_sells) / purchase_rate * amount_factor


def basket_breadth(cross_buying, cross_sells, draw, extra_at_full):
    """Product categories one purchase spans, before the catalogue's size caps it (`simulation.catalogue`).

    One, plus the cross-buying intention (交叉购买意向, §2) times `extra_at_full` rounded down or up at
    random (`draw`, a uniform, so the mean is exact), plus one per accepted cross-sell: the categories the
    customer added by cross-buying, which `basket` already counts in the amount.
    """
    return 1 + int(cross_buying * extra_at_full + draw) + cross_sells


def category_weight(category, in_basket, preference, affinity):
    """A free category's weight as the next pick: its preference times its affinities to those chosen."""
    weight = preference[category]
    for b in range(preference.size):
        if in_basket[b]:
            weight *= affinity[b, category]
    return weight


def choose_category(in_basket, preference, affinity, draw):
    """The next category of a basket: drawn with weight preference x affinities to those already in it.

    `in_basket` marks the categories already chosen (never chosen again), `preference` is the catalogue's
    base weight of each category, `affinity[b, c]` how much more often c joins a basket holding b (1:
    independent), `draw` a uniform. At least one category must be free.
    """
    n = preference.size
    total = 0.0
    for c in range(n):
        if not in_basket[c]:
            total += category_weight(c, in_basket, preference, affinity)
    target = draw * total
    cumulative = 0.0
    chosen = -1
    for c in range(n):
        if not in_basket[c]:
            cumulative += category_weight(c, in_basket, preference, affinity)
            chosen = c
            if target < cumulative:
                return c
    return chosen  # rounding left target at the very top: the last free category


def acquisition_probability(baseline, offered, response, referral_probability, consideration):
    """Chance that a prospect becomes a customer this week: unprompted, by offer, or by word of mouth.

    `consideration` (0-2, 1 for a prospect indifferent between the firm and the competitor) scales the
    chance: people who prefer the alternative rarely try the firm, whatever reaches them.
    """
    offer_response = response if offered else 0.0
    chance = 1.0 - (1.0 - baseline) * (1.0 - offer_response) * (1.0 - referral_probability)
    return min(1.0, consideration * chance)


def consideration(firm_value, competitor_value, competitor_taste, promotion_value, steepness):
    """How a person who is not a customer compares the firm with their alternative: 0-2, 1 = indifferent."""
    alternative = alternative_value(competitor_value, competitor_taste, promotion_value, 0.0)
    return 2.0 * loyalty(firm_value - alternative, steepness)


def return_probability(spontaneous, offered, response, trust):
    """Chance that a lost customer comes back: by itself, or by a win-back offer if trust remains (§7)."""
    offer_response = response * trust if offered else 0.0
    return 1.0 - (1.0 - spontaneous) * (1.0 - offer_response)


def referral_conversion(conversion, recommendations):
    """P(a prospect converts) given k recommending neighbours: 1 - (1 - c)^k, by repeated products."""
    stays = 1.0
    for _ in range(recommendations):
        stays *= 1.0 - conversion
    return 1.0 - stays


# ---------------------------------------------------------------------------------------------------
# One week of one person. Each updates `s` in place and returns the week's outcomes
# (spend at the firm, spend at the competitor, responded to the firm's action, became lost).


def start_relationship(s, p) -> float:
    """`s` becomes (again) a customer: identification, with a trial purchase; returns its amount, CU.

    A trial is small: one week of need at the share a new customer gives the firm (§2: trial purchases,
    low volume in identification). Trust is kept if a former customer had more than a newcomer.
    """
    s.stage = ID
    s.satisfaction = 0.0
    s.trust = max(s.trust, p.initial_trust)
    s.perceived_value = s.expectation
    s.share_of_wallet = NEW_REPEAT
    s.repeat_purchase = NEW_REPEAT
    s.price_tolerance = NEW_TOLERANCE
    s.cross_buying = NEW_CROSS
    s.referral = NEW_REFERRAL
    s.satisfied_weeks = 0
    s.tenure_weeks += 1
    return trial_purchase(s.need, s.cross_sells, p)


def trial_purchase(need, cross_sells, p):
    """A new customer's trial purchase, CU: one week of need at a newcomer's share of wallet (§2).

    Plain arithmetic, so it also applies elementwise to arrays (the customers the firm starts with).
    """
    return NEW_REPEAT * need * (1.0 + p.cross_sell_uplift * cross_sells)


def prospect_week(s, acquisition_draw, x: FirmInputs, m: Market, p):
    """A prospect's week (§2): they may try the firm, unprompted, after an offer or by word of mouth.

    Prospects self-select: the consideration factor scales the chance by how the firm compares with
    their alternative (§2, §8). Returns (acquired, responded, spend).
    """
    offered = x.action == ACQUISITION_OFFER
    chance = acquisition_probability(
        p.baseline_acquisition_rate,
        offered,
        p.acquisition_response,
        x.referral_probability,
        consideration(
            p.firm_value, m.competitor_value, s.competitor_taste, m.promotion_value, p.loyalty_steepness
        ),
    )
    if acquisition_draw < chance:
        spend = start_relationship(s, p)
        s.acquired_week = m.week
        return True, offered, spend
    return False, False, 0.0


def lost_week(s, acquisition_draw, x: FirmInputs, m: Market, p):
    """A lost customer's week (§2, §7): they may come back, on their own or after a win-back offer.

    Returns (returned, responded, spend).
    """
    offered = x.action == WIN_BACK
    if acquisition_draw < return_probability(
        p.spontaneous_return_rate, offered, p.win_back_response, s.trust
    ):
        spend = start_relationship(s, p)
        s.lost_week = -1
        s.times_won_back += 1
        return True, offered, spend
    return False, False, 0.0


def customer_week(s, d: Draws, x: FirmInputs, m: Market, p):
    """A current customer's week (identification, development, stable or decline); reference §2, §3, §8.

    1. the firm's action this week (service, offer, loyalty programme, cross-sell) changes value, bonds
       and the basket;
    2. experienced value updates perceived value, satisfaction, expectation and trust;
    3. switching cost gains from bonds, the programme, the learning relationship and cross-buying;
    4. attractiveness against the competitor -> loyalty -> the four intentions -> share of wallet;
    5. a purchase occasion brings a basket to the firm or to the competitor;
    6. stage transitions, in order: decline may start from any stage (clearly negative attractiveness or
       a change of needs); identification -> development after sustained satisfaction; development ->
       stable with high trust and share of wallet; decline -> lost when share of wallet is near zero, or
       back to the stage it began in when attractiveness recovers.

    Returns (spend, competitor_spend, responded, became_lost).
    """
    stage = s.stage
    action = x.action
    in_decline = stage == DECLINE
    weight_stage = s.decline_start_stage if in_decline else stage

    # 1. the firm's action
    is_offer = action == GENERIC_OFFER or action == SEGMENT_OFFER or action == PERSONAL_OFFER
    serviced = action == SERVICE
    enrols = action == LOYALTY_PROGRAMME and s.loyalty_member == 0
    takes_cross_sell = (
        action == CROSS_SELL
        and s.cross_sells < p.max_cross_sells
        and d.response < s.cross_buying * x.offer_fit
    )
    offer_value = p.offer_value * x.offer_fit if is_offer else 0.0
    service_level = s.service_level * 0.85 + (p.service_boost if serviced else 0.0)
    need_changes = d.need_change < p.need_change_rate
    need_shift = s.need_shift * 0.98 + (p.need_change_value_loss if need_changes else 0.0)

    # 2. determinants
    value = experienced_value(p.firm_value, need_shift, service_level, offer_value, d.value_noise)
    perceived = update_perceived_value(s.perceived_value, value, p.satisfaction_memory)
    satisfaction = update_satisfaction(s.satisfaction, value, s.expectation, p.satisfaction_memory)
    trust = update_trust(s.trust, value, s.expectation, p.tolerance, p.trust_gain, p.trust_loss_ratio)
    expectation = update_expectation(s.expectation, value, p.expectation_rate)

    # 3. switching cost: bonds build in development and stable; they erode in decline
    gain = p.learning_switching_cost * x.learning_gain
    if stage == DEV or stage == STABLE:
        gain += p.bond_growth
    if enrols:
        gain += p.loyalty_switching_cost
    if serviced:
        gain += p.service_switching_cost
    if takes_cross_sell:
        gain += p.cross_buy_switching_cost
    switching_cost = update_switching_cost(
        s.switching_cost, gain, p.switching_cost_strength, p.max_switching_cost
    )
    if in_decline:
        switching_cost = switching_cost * 0.98

    # 4. attractiveness, loyalty, intentions, share of wallet
    alternative = alternative_value(
        m.competitor_value, s.competitor_taste, m.promotion_value, s.price_tolerance
    )
    attract = attractiveness(perceived, alternative, satisfaction, trust, switching_cost, weight_stage)
    loyal = loyalty(attract, p.loyalty_steepness)
    speed, fade = p.intention_speed, p.decline_fade
    repeat = update_intention(s.repeat_purchase, stage, 0, loyal, speed, fade)
    tolerance = update_intention(s.price_tolerance, stage, 1, loyal, speed, fade)
    cross = update_intention(s.cross_buying, stage, 2, loyal, speed, fade)
    refer = update_intention(s.referral, stage, 3, loyal, speed, fade)
    share = s.share_of_wallet + speed * (repeat - s.share_of_wallet)

    # 5. purchase: at the firm, or (a current customer's other occasions) at the competitor
    cross_sells = s.cross_sells + 1 if takes_cross_sell else s.cross_sells
    pull = p.offer_pull * x.offer_fit if is_offer else 0.0
    spend = 0.0
    competitor_spend = 0.0
    buys_here = False
    if d.purchase < s.purchase_rate:
        amount = basket(s.need, s.purchase_rate, cross_sells, p.cross_sell_uplift, d.amount_factor)
        if d.choice < share + (1.0 - share) * pull:
            buys_here = True
            spend = amount
        else:
            competitor_spend = amount

    # 6. stage transitions
    starts_decline = not in_decline and (attract < -p.decline_threshold or need_changes)
    satisfied_weeks = s.satisfied_weeks
    if stage == ID and satisfaction > p.development_satisfaction:
        satisfied_weeks += 1
    becomes_lost = in_decline and share < p.lost_share
    new_stage = stage
    if stage == ID and satisfied_weeks >= p.development_weeks:
        new_stage = DEV
    if stage == DEV and trust >= p.stable_trust and share >= p.stable_share:
        new_stage = STABLE
    if starts_decline:
        new_stage = DECLINE
        s.decline_start_stage = stage
        s.satisfaction_at_decline = satisfaction
    if becomes_lost:
        new_stage = LOST
        s.lost_week = m.week
    elif in_decline and attract > p.recovery_threshold:
        new_stage = s.decline_start_stage

    s.stage = new_stage
    s.satisfaction = satisfaction
    s.expectation = expectation
    s.trust = trust
    s.perceived_value = perceived
    s.switching_cost = 0.0 if becomes_lost else switching_cost
    s.share_of_wallet = 0.0 if becomes_lost else share
    s.repeat_purchase = repeat
    s.price_tolerance = tolerance
    s.cross_buying = cross
    s.referral = refer
    s.service_level = service_level
    s.need_shift = need_shift
    s.satisfied_weeks = satisfied_weeks
    if new_stage == STABLE:
        s.stable_weeks += 1
    s.cross_sells = cross_sells
    if becomes_lost:
        s.loyalty_member = 0
    elif enrols:
        s.loyalty_member = 1
    if not becomes_lost:
        s.tenure_weeks += 1
    s.talked = not in_decline and not starts_decline and d.talk < p.referral_rate * refer
    responded = ((is_offer or serviced) and buys_here) or takes_cross_sell or enrols
    return spend, competitor_spend, responded, becomes_lost
