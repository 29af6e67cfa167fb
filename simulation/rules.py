"""The update rules of a person, as pure elementwise functions.

Every function here works on a whole population (numpy arrays) and on one person (Python floats, or
length-1 arrays): the agent engine calls them once per person with floats, the vector engine once per
week with arrays. To make both give bit-identical numbers the rules use only IEEE arithmetic
(+ - * /, which is correctly rounded everywhere), comparisons and selection - no exp or log, whose
last bit can differ between libm and numpy's SIMD loops. Randomness is never drawn here: the model
draws each week's numbers for everyone at once and hands each person theirs.

The rules follow crm-theory-reference.md §2 (stages and their order), §3 (the loyalty model: four
determinants, four intentions, stage-dependent weights), §6 (learning relationship) and §8 (the
suggested rule set). Section numbers are cited on each function.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulation.stages import Action, Stage

# Plain ints: comparing with an IntEnum member costs an enum lookup per call, which adds up over
# a hundred thousand agent-weeks.
ID, DEV, STABLE, DECLINE, LOST = (int(Stage.IDENTIFICATION), int(Stage.DEVELOPMENT), int(Stage.STABLE),
                                  int(Stage.DECLINE), int(Stage.LOST))
PROSPECT = int(Stage.PROSPECT)
(ACQUISITION_OFFER, SERVICE, GENERIC_OFFER, SEGMENT_OFFER, PERSONAL_OFFER, LOYALTY_PROGRAMME, CROSS_SELL,
 WIN_BACK) = (int(a) for a in (Action.ACQUISITION_OFFER, Action.SERVICE, Action.GENERIC_OFFER,
                               Action.SEGMENT_OFFER, Action.PERSONAL_OFFER, Action.LOYALTY_PROGRAMME,
                               Action.CROSS_SELL, Action.WIN_BACK))

# Weights of the four loyalty determinants (perceived value, satisfaction, trust, switching cost) by
# stage, indexed by Stage. Reference §3: "identification - perceived value dominates; development -
# satisfaction, then trust; stable - trust and switching cost". The numbers are our defaults from that
# ordering (the Chen 2003 coefficients are unverified and not used). Prospect, decline and lost rows are
# never used directly: a declining customer weighs as in the stage its decline began.
DETERMINANT_WEIGHTS = (
    (0.0, 0.0, 0.0, 0.0),  # prospect
    (1.0, 0.6, 0.2, 0.2),  # identification
    (0.8, 0.8, 0.5, 0.4),  # development
    (0.6, 0.3, 0.8, 0.8),  # stable
    (0.0, 0.0, 0.0, 0.0),  # decline
    (0.0, 0.0, 0.0, 0.0),  # lost
)

# Strength of the four loyalty intentions (repeat purchase, price tolerance, cross-buying, referral) by
# stage: the textbook's table in reference §2 (seed 004) read as numbers - none 0, weak 0.25,
# small 0.15, moderate 0.4-0.45, fairly strong 0.75, strong 0.85-0.95. It has no decline column; in
# decline every intention fades (rule `fade_intentions`).
INTENTION_STRENGTH = (
    (0.0, 0.0, 0.0, 0.0),  # prospect
    (0.4, 0.15, 0.0, 0.0),  # identification: moderate, small, none, none
    (0.75, 0.45, 0.25, 0.1),  # development: fairly strong, moderate, weak, none or weak
    (0.95, 0.85, 0.85, 0.85),  # stable: strong on all four
    (0.0, 0.0, 0.0, 0.0),  # decline
    (0.0, 0.0, 0.0, 0.0),  # lost
)

#: Intention level a new customer starts from: identification strength at neutral loyalty (0.5).
NEW_CUSTOMER_INTENTIONS = tuple(0.5 * s for s in INTENTION_STRENGTH[ID])

# Each person's state, as attribute names shared by the agent (`Person`) and the vector engine's arrays.
STATE_FIELDS = (
    "stage", "need", "purchase_rate", "competitor_taste", "expectation", "satisfaction", "trust",
    "switching_cost", "share_of_wallet", "perceived_value", "repeat_purchase", "price_tolerance",
    "cross_buying", "referral", "service_level", "need_shift", "satisfied_weeks", "stable_weeks",
    "cross_sells", "loyalty_member", "acquired_week", "lost_week", "decline_start_stage",
    "satisfaction_at_decline", "times_won_back", "tenure_weeks", "talked",
)


class Draws(NamedTuple):
    """One week's random numbers for one person (floats) or for a group (arrays).

    Everyone gets `acquisition`; only current customers use (and get) the others, which are None for
    prospects and lost customers.
    """

    acquisition: float  # uniform: prospect acquired / lost customer returns
    purchase: float  # uniform: a category purchase occasion this week
    choice: float  # uniform: the purchase is made at the firm
    response: float  # uniform: cross-sell taken up
    need_change: float  # uniform: the customer's needs change
    talk: float  # uniform: the customer recommends the firm this week
    value_noise: float  # normal(0, value_noise): this week's deviation of experienced value
    amount_factor: float  # lognormal with mean 1: this basket relative to the average basket


#: The draws of someone who is not a current customer: everything but `acquisition` is unused.
NO_CUSTOMER_DRAWS = (None,) * (len(Draws._fields) - 1)


class FirmInputs(NamedTuple):
    """What the firm and the network bring to one person (or to everyone) this week."""

    action: int  # an `Action` code
    offer_fit: float  # fit of the offer the firm would make to this person (0-1)
    learning_gain: float  # knowledge the firm gained about this person last week (learning relationship)
    referral_probability: float  # chance that last week's recommendations from neighbours convert


class Market(NamedTuple):
    """The week and the competitor's offer, the same for everyone."""

    week: int
    competitor_value: float
    promotion_value: float


# ---------------------------------------------------------------------------------------------------
# Elementwise helpers: numpy for arrays, plain Python for one person (numpy's per-call overhead on a
# length-1 array is ~1 us, ten times the whole arithmetic of a rule).


def select(condition, if_true, if_false):
    """`if_true` where `condition` holds, else `if_false` (like np.where, also for one person)."""
    if isinstance(condition, np.ndarray):
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def minimum(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.minimum(a, b)
    return a if a <= b else b


def maximum(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.maximum(a, b)
    return a if a >= b else b


def by_stage(table: tuple, stage, column: int):
    """Look up ``table[stage][column]`` for one stage or an array of stages."""
    if isinstance(stage, np.ndarray):
        return np.asarray([row[column] for row in table])[stage]
    return table[stage][column]


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
    acceptable = experienced >= expectation - tolerance
    loss_share = minimum(1.0, gain * loss_ratio)
    return select(acceptable, trust + gain * (1.0 - trust), trust - loss_share * trust)


def update_switching_cost(switching_cost, gain, strength, ceiling):
    """Switching cost (转移成本) accumulates with saturation below `ceiling` (§3, §7: bonds).

    A week's gain closes the share ``strength * gain / ceiling`` of the gap to the ceiling. Where that
    share would exceed the whole gap (large gains against a low ceiling), the switching cost reaches the
    ceiling instead of overshooting it: otherwise the update oscillates and, from a share of 2, diverges.
    """
    step = strength * gain
    return select(step <= ceiling, switching_cost + step * (1.0 - switching_cost / ceiling), ceiling)


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
    return (by_stage(DETERMINANT_WEIGHTS, weight_stage, 0) * (perceived_value - alternative)
            + by_stage(DETERMINANT_WEIGHTS, weight_stage, 1) * satisfaction
            + by_stage(DETERMINANT_WEIGHTS, weight_stage, 2) * (trust - 0.5)
            + by_stage(DETERMINANT_WEIGHTS, weight_stage, 3) * switching_cost)


def loyalty(attractiveness_value, steepness):
    """Loyalty in (0, 1), 1/2 at zero attractiveness: an algebraic sigmoid (no exp, see module doc)."""
    x = steepness * attractiveness_value
    return 0.5 + 0.5 * x / (1.0 + abs(x))


def move_toward(current, target, speed):
    return current + speed * (target - current)


def update_intention(intention, stage, column, loyalty_value, speed, fade):
    """One of the four intentions (§2 table): toward stage strength x loyalty; fading in decline."""
    target = by_stage(INTENTION_STRENGTH, stage, column) * loyalty_value
    return select(stage == DECLINE, intention * fade, move_toward(intention, target, speed))


def basket(need, purchase_rate, cross_sells, cross_sell_uplift, amount_factor):
    """Money spent on one category purchase occasion at the firm, CU.

    The weekly need is met by occasional purchases, so one basket is need / purchase rate; each accepted
    cross-sell adds a category to the basket.
    """
    return need * (1.0 + cross_sell_uplift * cross_sells) / purchase_rate * amount_factor


def acquisition_probability(baseline, offered, response, referral_probability, consideration):
    """Chance that a prospect becomes a customer this week: unprompted, by offer, or by word of mouth.

    `consideration` (0-2, 1 for a prospect indifferent between the firm and the competitor) scales the
    chance: people who prefer the alternative rarely try the firm, whatever reaches them.
    """
    chance = 1.0 - (1.0 - baseline) * (1.0 - offered * response) * (1.0 - referral_probability)
    return minimum(1.0, consideration * chance)


def return_probability(spontaneous, offered, response, trust):
    """Chance that a lost customer comes back: by itself, or by a win-back offer if trust remains (§7)."""
    return 1.0 - (1.0 - spontaneous) * (1.0 - offered * response * trust)


def referral_conversion_table(conversion: float, max_neighbours: int) -> np.ndarray:
    """P(a prospect converts) given k recommending neighbours: 1 - (1 - c)^k, for k = 0..max.

    Computed once per model so both engines look up the very same floats.
    """
    return 1.0 - (1.0 - conversion) ** np.arange(max_neighbours + 1, dtype=float)


# ---------------------------------------------------------------------------------------------------
# One week of one person, by where they are in the lifecycle. Each returns the changed state fields
# and the week's outcomes: `spend` (0 if no purchase at the firm), `responded` (the person took up the
# firm's action), `acquired`, `returned`, `became_lost`.


def acquisition_event(s, d: Draws, x: FirmInputs, m: Market, p):
    """Does a prospect try the firm this week: unprompted, after an acquisition offer, or by word of mouth?

    Returns (acquired, offered). Prospects self-select: the consideration factor scales the chance by
    how the firm compares with their alternative (§2, §8).
    """
    offered = x.action == ACQUISITION_OFFER
    alternative = alternative_value(m.competitor_value, s.competitor_taste, m.promotion_value, 0.0)
    consideration = 2.0 * loyalty(p.firm_value - alternative, p.loyalty_steepness)
    chance = acquisition_probability(p.baseline_acquisition_rate, offered, p.acquisition_response,
                                     x.referral_probability, consideration)
    return d.acquisition < chance, offered


def return_event(s, d: Draws, x: FirmInputs, m: Market, p):
    """Does a lost customer come back, on their own or after a win-back offer (§2, §7)? (returned, offered)"""
    offered = x.action == WIN_BACK
    chance = return_probability(p.spontaneous_return_rate, offered, p.win_back_response, s.trust)
    return d.acquisition < chance, offered


def start_relationship(s, p) -> dict:
    """The state of someone who becomes (again) a customer: identification, with a trial purchase.

    Values that are the same for everyone are plain numbers; they broadcast over a group.

    A trial is small: one week of need at the share a new customer gives the firm (§2: trial purchases,
    low volume in identification). Trust is kept if a former customer had more than a newcomer.
    """
    repeat, tolerance, cross, refer = NEW_CUSTOMER_INTENTIONS
    return {
        "stage": ID,
        "satisfaction": 0.0,
        "trust": maximum(s.trust, p.initial_trust),
        "perceived_value": s.expectation,
        "share_of_wallet": repeat,
        "repeat_purchase": repeat,
        "price_tolerance": tolerance,
        "cross_buying": cross,
        "referral": refer,
        "satisfied_weeks": 0,
        "tenure_weeks": s.tenure_weeks + 1,
        "spend": repeat * s.need * (1.0 + p.cross_sell_uplift * s.cross_sells),
    }


def new_customer(s, p, week) -> dict:
    """A prospect acquired this week."""
    return {**start_relationship(s, p), "acquired_week": week}


def returning_customer(s, p) -> dict:
    """A lost customer won back this week."""
    return {**start_relationship(s, p), "lost_week": -1, "times_won_back": s.times_won_back + 1}


#: Outcomes of a week, for someone to whom nothing happens.
NO_EVENT = {"spend": 0.0, "responded": False, "acquired": False, "returned": False, "became_lost": False,
            "talked": False}


def _happened(event) -> bool:
    """Did the event happen to this person, or to anyone in this group?"""
    return bool(event.any()) if isinstance(event, np.ndarray) else event


def _where(event, changes: dict, s, outcomes: dict) -> dict:
    """`changes` where the event happened, the old state (and no-event outcomes) elsewhere."""
    if not isinstance(event, np.ndarray):  # one person: only what the event changed
        return {**NO_EVENT, **changes, **outcomes} if event else {**NO_EVENT, **outcomes}
    merged = {name: select(event, value, NO_EVENT[name] if name in NO_EVENT else getattr(s, name))
              for name, value in changes.items()}
    return {**{k: np.zeros(event.shape, dtype=type(v)) for k, v in NO_EVENT.items()}, **merged, **outcomes}


def prospect_week(s, d: Draws, x: FirmInputs, m: Market, p) -> dict:
    """A prospect's week (§2): they may become a customer in identification."""
    acquired, offered = acquisition_event(s, d, x, m, p)
    changes = new_customer(s, p, m.week) if _happened(acquired) else {}
    return _where(acquired, changes, s, {"acquired": acquired, "responded": acquired & offered})


def lost_week(s, d: Draws, x: FirmInputs, m: Market, p) -> dict:
    """A lost customer's week (§2, §7): they may come back into identification."""
    returned, offered = return_event(s, d, x, m, p)
    changes = returning_customer(s, p) if _happened(returned) else {}
    return _where(returned, changes, s, {"returned": returned, "responded": returned & offered})


def customer_week(s, d: Draws, x: FirmInputs, m: Market, p) -> dict:
    """A current customer's week (identification, development, stable or decline); reference §2, §3, §8.

    1. the firm's action this week (service, offer, loyalty programme, cross-sell) changes value, bonds
       and the basket;
    2. experienced value updates perceived value, satisfaction, expectation and trust;
    3. switching cost gains from bonds, the programme, the learning relationship and cross-buying;
    4. attractiveness against the competitor -> loyalty -> the four intentions -> share of wallet;
    5. a purchase occasion may bring a basket to the firm;
    6. stage transitions, in order: decline may start from any stage (clearly negative attractiveness or
       a change of needs); identification -> development after sustained satisfaction; development ->
       stable with high trust and share of wallet; decline -> lost when share of wallet is near zero, or
       back to the stage it began in when attractiveness recovers.

    Conditions are Python bools for one person and bool arrays for many; ``&``, ``|`` and ``^ True``
    (not) work on both, and ``condition * amount`` adds `amount` only where the condition holds.
    """
    stage = s.stage
    action = x.action
    in_decline = stage == DECLINE
    active = in_decline ^ True
    weight_stage = select(in_decline, s.decline_start_stage, stage)

    # 1. the firm's action
    is_offer = ((action == GENERIC_OFFER) | (action == SEGMENT_OFFER)
                | (action == PERSONAL_OFFER))
    serviced = action == SERVICE
    enrols = (action == LOYALTY_PROGRAMME) & (s.loyalty_member == 0)
    takes_cross_sell = ((action == CROSS_SELL) & (s.cross_sells < p.max_cross_sells)
                        & (d.response < s.cross_buying * x.offer_fit))
    offer_value = is_offer * (p.offer_value * x.offer_fit)
    service_level = s.service_level * 0.85 + serviced * p.service_boost
    need_changes = d.need_change < p.need_change_rate
    need_shift = s.need_shift * 0.98 + need_changes * p.need_change_value_loss

    # 2. determinants
    value = experienced_value(p.firm_value, need_shift, service_level, offer_value, d.value_noise)
    perceived = update_perceived_value(s.perceived_value, value, p.satisfaction_memory)
    satisfaction = update_satisfaction(s.satisfaction, value, s.expectation, p.satisfaction_memory)
    expectation = update_expectation(s.expectation, value, p.expectation_rate)
    trust = update_trust(s.trust, value, s.expectation, p.tolerance, p.trust_gain, p.trust_loss_ratio)

    # 3. switching cost: bonds build in development and stable; they erode in decline
    bonding = (stage == DEV) | (stage == STABLE)
    gain = (bonding * p.bond_growth + enrols * p.loyalty_switching_cost
            + p.learning_switching_cost * x.learning_gain + serviced * p.service_switching_cost
            + takes_cross_sell * p.cross_buy_switching_cost)
    switching_cost = update_switching_cost(s.switching_cost, gain, p.switching_cost_strength,
                                           p.max_switching_cost)
    switching_cost = select(in_decline, switching_cost * 0.98, switching_cost)

    # 4. attractiveness, loyalty, intentions, share of wallet
    alternative = alternative_value(m.competitor_value, s.competitor_taste, m.promotion_value,
                                    s.price_tolerance)
    attract = attractiveness(perceived, alternative, satisfaction, trust, switching_cost, weight_stage)
    loyal = loyalty(attract, p.loyalty_steepness)
    speed, fade = p.intention_speed, p.decline_fade
    repeat = update_intention(s.repeat_purchase, stage, 0, loyal, speed, fade)
    tolerance = update_intention(s.price_tolerance, stage, 1, loyal, speed, fade)
    cross = update_intention(s.cross_buying, stage, 2, loyal, speed, fade)
    refer = update_intention(s.referral, stage, 3, loyal, speed, fade)
    share = move_toward(s.share_of_wallet, repeat, speed)

    # 5. purchase
    cross_sells = s.cross_sells + takes_cross_sell
    choice_probability = share + (1.0 - share) * (is_offer * (p.offer_pull * x.offer_fit))
    buys_here = (d.purchase < s.purchase_rate) & (d.choice < choice_probability)
    spend = buys_here * basket(s.need, s.purchase_rate, cross_sells, p.cross_sell_uplift, d.amount_factor)

    # 6. stage transitions
    starts_decline = active & ((attract < -p.decline_threshold) | need_changes)
    satisfied_weeks = s.satisfied_weeks + ((stage == ID) & (satisfaction > p.development_satisfaction))
    to_development = (stage == ID) & (satisfied_weeks >= p.development_weeks)
    to_stable = (stage == DEV) & (trust >= p.stable_trust) & (share >= p.stable_share)
    becomes_lost = in_decline & (share < p.lost_share)
    recovers = in_decline & (becomes_lost ^ True) & (attract > p.recovery_threshold)
    new_stage = select(to_development, DEV, stage)
    new_stage = select(to_stable, STABLE, new_stage)
    new_stage = select(starts_decline, DECLINE, new_stage)
    new_stage = select(becomes_lost, LOST, new_stage)
    new_stage = select(recovers, s.decline_start_stage, new_stage)
    stays = becomes_lost ^ True

    return {
        "stage": new_stage,
        "satisfaction": satisfaction,
        "expectation": expectation,
        "trust": trust,
        "perceived_value": perceived,
        "switching_cost": stays * switching_cost,
        "share_of_wallet": stays * share,
        "repeat_purchase": repeat,
        "price_tolerance": tolerance,
        "cross_buying": cross,
        "referral": refer,
        "service_level": service_level,
        "need_shift": need_shift,
        "satisfied_weeks": satisfied_weeks,
        "stable_weeks": s.stable_weeks + (new_stage == STABLE),
        "cross_sells": cross_sells,
        "loyalty_member": stays * (s.loyalty_member | enrols),
        "lost_week": select(becomes_lost, m.week, s.lost_week),
        "decline_start_stage": select(starts_decline, stage, s.decline_start_stage),
        "satisfaction_at_decline": select(starts_decline, satisfaction, s.satisfaction_at_decline),
        "tenure_weeks": s.tenure_weeks + stays,
        "talked": active & (starts_decline ^ True) & (d.talk < p.referral_rate * refer),
        "spend": spend,
        "responded": ((is_offer | serviced) & buys_here) | takes_cross_sell | enrols,
        "acquired": buys_here & False,
        "returned": buys_here & False,
        "became_lost": becomes_lost,
    }


def person_week(s, d: Draws, x: FirmInputs, m: Market, p) -> dict:
    """One person's week, whatever their stage (the agent engine's entry point)."""
    stage = s.stage
    if stage == PROSPECT:
        return prospect_week(s, d, x, m, p)
    if stage == LOST:
        return lost_week(s, d, x, m, p)
    return customer_week(s, d, x, m, p)
