"""The vector engine's week: the scalar rules of `simulation.rules`, compiled, in one loop over everyone.

The rules are plain Python functions that call each other by name. To compile them without writing
them twice, every function of `rules` is rebuilt here from its own code object with globals in which its
callees are their compiled versions, then compiled with numba (``fastmath=False``, so each + - * / is
the same IEEE operation as in Python, and the agent engine's results are bit-identical). The compiled
code is cached on disk beside the sources (numba's ``cache=True``): the first run in a fresh clone
compiles for a few seconds, later runs load it.
"""

from __future__ import annotations

import types

import numpy as np
from llvmlite import ir
from numba import njit
from numba import types as nbtypes
from numba.core import cgutils
from numba.extending import intrinsic

from simulation import rules
from simulation.random_streams import acquisition_draw, customer_draws, product_uniforms


def _compiled_rules() -> dict[str, object]:
    """Every function of `rules`, compiled, resolving its callees to their compiled versions."""
    namespace = dict(vars(rules))
    functions = {
        name: value
        for name, value in vars(rules).items()
        if isinstance(value, types.FunctionType)
        and value.__module__ == rules.__name__
        and name != "rule_parameters"
        and not name.startswith("_")
    }
    for name, function in functions.items():
        clone = types.FunctionType(
            function.__code__, namespace, name, function.__defaults__, function.__closure__
        )
        clone.__qualname__ = function.__qualname__
        clone.__module__ = function.__module__
        namespace[name] = njit(cache=True, inline="always")(clone)
    return {name: namespace[name] for name in functions}


_RULES = _compiled_rules()
_prospect_week = _RULES["prospect_week"]
_lost_week = _RULES["lost_week"]
_customer_week = _RULES["customer_week"]
_basket_breadth = _RULES["basket_breadth"]
_choose_category = _RULES["choose_category"]
_acquisition_probability = _RULES["acquisition_probability"]
PROSPECT, LOST, ACQUISITION_OFFER = rules.PROSPECT, rules.LOST, rules.ACQUISITION_OFFER
#: The largest value of `rules.consideration` (2 x loyalty, and loyalty <= 1 in floating point too:
#: x / (1 + |x|) <= 1 because 1 + |x| rounds to no less than |x|).
MOST_CONSIDERATION = 2.0
Draws, FirmInputs = rules.Draws, rules.FirmInputs


#: How many customers' records `people_week` asks the memory for ahead of the one it updates.
PREFETCH_AHEAD = 8


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the processor to bring the record ``array[index]`` into the cache, for writing (LLVM's
    prefetch; numba exposes none). Changes no value: it only lets the memory work ahead of the loop."""
    signature = nbtypes.void(array, index)

    def codegen(context, builder, signature, arguments):
        array_type = signature.args[0]
        records = context.make_array(array_type)(context, builder, arguments[0])
        address = cgutils.get_item_pointer(context, builder, array_type, records, [arguments[1]])
        byte_pointer = ir.IntType(8).as_pointer()
        prefetch = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, *[ir.IntType(32)] * 3]),
            "llvm.prefetch.p0",
        )
        start = builder.bitcast(address, byte_pointer)
        size = context.get_abi_sizeof(context.get_data_type(array_type.dtype))
        write, keep, data = (ir.Constant(ir.IntType(32), flag) for flag in (1, 3, 1))
        for offset in range(0, size, 64):  # every cache line of the record
            line = builder.gep(start, [ir.Constant(ir.IntType(64), offset)])
            builder.call(prefetch, [line, write, keep, data])
        return context.get_dummy_value()

    return signature, codegen


# The week's totals for the metrics, accumulated person by person in id order by `tally`, in the
# vector engine's loop and in `week_totals` (the agent engine), so both add the same numbers in the same
# order. Slots: people per stage code (0-5), then the names below.
(
    NEW_CUSTOMERS,
    WON_BACK,
    LOST_CUSTOMERS,
    REVENUE,
    ORDERS,
    CUSTOMERS_BEFORE,
    RETAINED,
    CUSTOMERS_NOW,
    SUM_SATISFACTION,
    SUM_TRUST,
    SUM_SWITCHING_COST,
    SUM_SHARE_OF_WALLET,
    COMPETITOR_PURCHASES,
) = range(6, 19)
TOTAL_SLOTS = 19


@njit(cache=True, inline="always")
def tally(totals, s, o):
    """Add one person's end-of-week state `s` and week outcomes `o` to the week's totals."""
    now = s.stage
    totals[now] += 1.0
    if o.spend > 0.0:
        totals[REVENUE] += o.spend
        totals[ORDERS] += 1.0
    if o.competitor_spend > 0.0:
        totals[COMPETITOR_PURCHASES] += 1.0
    if o.acquired:
        totals[NEW_CUSTOMERS] += 1.0
    if o.returned:
        totals[WON_BACK] += 1.0
    if o.became_lost:
        totals[LOST_CUSTOMERS] += 1.0
    if PROSPECT < o.previous_stage < LOST:
        totals[CUSTOMERS_BEFORE] += 1.0
        if not o.became_lost:
            totals[RETAINED] += 1.0
    if PROSPECT < now < LOST:
        totals[CUSTOMERS_NOW] += 1.0
        totals[SUM_SATISFACTION] += s.satisfaction
        totals[SUM_TRUST] += s.trust
        totals[SUM_SWITCHING_COST] += s.switching_cost
        totals[SUM_SHARE_OF_WALLET] += s.share_of_wallet


@njit(cache=True)
def week_totals(state, outcomes):
    """The week's totals from everyone's end-of-week state and outcomes (record arrays)."""
    totals = np.zeros(TOTAL_SLOTS)
    for i in range(state.size):
        tally(totals, state[i], outcomes[i])
    return totals


@njit(cache=True)
def people_to_visit(prospects, acquisition, actions, referral_table, recommendations, p):
    """Ids, in order, of everyone but the idle prospects (see `people_week`).

    Branch-free (every id is written, the count moves only for those kept): who is a prospect, and who of
    them draws low enough, is random across ids, so branches would often be mispredicted.
    """
    n = prospects.size
    visit = np.empty(n, dtype=np.int64)
    kept = 0
    for i in range(n):
        could_be_acquired = acquisition[i] < _acquisition_probability(
            p.baseline_acquisition_rate,
            actions[i] == ACQUISITION_OFFER,
            p.acquisition_response,
            referral_table[recommendations[i]],
            MOST_CONSIDERATION,
        )
        visit[kept] = i
        kept += (not prospects[i]) | could_be_acquired
    return visit[:kept]


@njit(cache=True)
def people_week(
    state,
    outcomes,
    key0,
    key1,
    market,
    p,
    actions,
    offer_fit,
    learning_gain,
    referral_table,
    neighbour_start,
    neighbours,
    recommendations,
    next_recommendations,
    extra_categories=0.0,
    breadths=None,
    purchases=None,
    prospects=None,
):
    """One week of everyone, in place; returns the week's totals (`tally`).

    state[i] is updated from its start-of-week value and outcomes[i] receives the week's outcomes. Each
    person draws only the numbers their rule uses. Word of mouth: `recommendations[i]` counts the
    neighbours who recommended the firm last week; this week's recommenders add themselves to their
    neighbours' counts in `next_recommendations` (few people talk, so pushing beats every prospect
    reading all its neighbours).

    If `breadths` (int8, one slot per person) is given, the breadth of each purchase at the firm
    (`purchase_breadth`) is written to its first ``totals[ORDERS]`` slots, in id order: computed here, while
    the person's record is in cache, it costs one draw per purchase.

    If `purchases` (ids at the firm, amounts, ids at the competitor, amounts: int32, float64, int32,
    float64 arrays with one slot per person) is given, the week's purchases are listed there in id order,
    ``totals[ORDERS]`` at the firm and ``totals[COMPETITOR_PURCHASES]`` at the competitor: the lists
    `positive_entries` would find in the outcomes, without another pass over everyone.

    If `prospects` (bool, one per person) marks who is still a prospect (nobody becomes one again; the
    loop unmarks whoever it acquires), idle prospects are passed over without reading their records: a
    prospect whose acquisition draw is not below the chance the week's offer and recommendations would
    give at the largest consideration (`MOST_CONSIDERATION`) is not acquired whatever their record says,
    and their outcomes keep the values a prospect's week writes, which `outcomes` must hold for them on
    entry (as it does from `new_outcomes` and after every week). Most of a market is idle prospects in
    most weeks. A first pass lists the others (`people_to_visit`); their records are then read out of
    order, which the processor's prefetcher cannot foresee, so the loop asks for them `PREFETCH_AHEAD`
    people in advance.
    """
    n = state.size
    week = market.week
    totals = np.zeros(TOTAL_SLOTS)
    acquisition = np.empty(n)
    for i in range(n):  # branch-free: the compiler vectorises the generator
        acquisition[i] = acquisition_draw(key0, key1, i, week)
    if prospects is None:
        visit = np.arange(n)
    else:
        visit = people_to_visit(prospects, acquisition, actions, referral_table, recommendations, p)
    for j in range(visit.size):
        if j + PREFETCH_AHEAD < visit.size:
            _prefetch(state, visit[j + PREFETCH_AHEAD])
            _prefetch(outcomes, visit[j + PREFETCH_AHEAD])
        i = visit[j]
        s = state[i]
        o = outcomes[i]
        stage = s.stage
        o.previous_stage = stage
        o.acquired = False
        o.returned = False
        o.became_lost = False
        o.competitor_spend = 0.0
        if stage == PROSPECT:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], referral_table[recommendations[i]])
            acquired, responded, spend = _prospect_week(s, acquisition[i], x, market, p)
            o.acquired = acquired
            if acquired and prospects is not None:
                prospects[i] = False
        elif stage == LOST:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], 0.0)
            returned, responded, spend = _lost_week(s, acquisition[i], x, market, p)
            o.returned = returned
        else:
            x = FirmInputs(actions[i], offer_fit[i], learning_gain[i], 0.0)
            purchase, choice, response, need_change, talk, value_noise, amount_factor = customer_draws(
                key0, key1, i, week, p.value_noise, p.amount_noise, s.purchase_rate
            )
            d = Draws(purchase, choice, response, need_change, talk, value_noise, amount_factor)
            spend, competitor_spend, responded, became_lost = _customer_week(s, d, x, market, p)
            o.competitor_spend = competitor_spend
            o.became_lost = became_lost
            if s.talked:
                for j in range(neighbour_start[i], neighbour_start[i + 1]):
                    next_recommendations[neighbours[j]] += 1
        o.spend = spend
        o.responded = responded
        if breadths is not None and spend > 0.0:
            breadths[int(totals[ORDERS])] = purchase_breadth(s, key0, key1, i, week, extra_categories)
        if purchases is not None:
            if spend > 0.0:
                purchases[0][int(totals[ORDERS])] = i
                purchases[1][int(totals[ORDERS])] = spend
            if o.competitor_spend > 0.0:
                purchases[2][int(totals[COMPETITOR_PURCHASES])] = i
                purchases[3][int(totals[COMPETITOR_PURCHASES])] = o.competitor_spend
        tally(totals, s, o)
    # what `tally` adds for each idle prospect (whole numbers, so the order of the additions is moot)
    totals[PROSPECT] += n - visit.size
    return totals


@njit(cache=True)
def positive_entries(first, second):
    """(ids, values) of the positive entries of each of two arrays, in id order: two compiled passes
    over the strided outcome fields instead of numpy's mask, nonzero and gather for each."""
    count_first = count_second = 0
    for i in range(first.size):
        if first[i] > 0.0:
            count_first += 1
        if second[i] > 0.0:
            count_second += 1
    ids_first, kept_first = np.empty(count_first, np.int32), np.empty(count_first)
    ids_second, kept_second = np.empty(count_second, np.int32), np.empty(count_second)
    j = k = 0
    for i in range(first.size):
        if first[i] > 0.0:
            ids_first[j] = i
            kept_first[j] = first[i]
            j += 1
        if second[i] > 0.0:
            ids_second[k] = i
            kept_second[k] = second[i]
            k += 1
    return (ids_first, kept_first), (ids_second, kept_second)


# ---------------------------------------------------------------------------------------------------
# Transaction lines (simulation.catalogue). During the run only each purchase's breadth is recorded (one
# byte; it needs the customer's cross-buying intention and cross-sells of that week, which the log does
# not keep). Which categories, and the amount of each line, are derived from the seed only when
# `SimulationResult.transaction_lines` is read: a run that never asks pays one draw per purchase.


@njit(cache=True, inline="always")
def purchase_breadth(s, key0, key1, person, week, extra_at_full):
    """The breadth (`rules.basket_breadth`, uncapped, at most 127) of person's purchase this week.

    Read from the end-of-week state `s`: the intention and the cross-sells the week's basket was made
    with (a trial purchase: a new customer's intention). The engines call this on identical records.
    """
    draw = product_uniforms(key0, key1, person, week, 0)[0]
    return min(_basket_breadth(s.cross_buying, s.cross_sells, draw, extra_at_full), 127)


@njit(cache=True)
def basket_breadths(state, outcomes, key0, key1, week, extra_at_full):
    """`purchase_breadth` of each purchase at the firm this week (the agent engine's end-of-week records).

    In id order of the people with ``spend > 0``, the order in which the model logs purchases; the
    vector engine writes the same numbers from inside `people_week`.
    """
    count = 0
    for i in range(outcomes.size):
        if outcomes[i].spend > 0.0:
            count += 1
    breadths = np.empty(count, np.int8)
    j = 0
    for i in range(outcomes.size):
        if outcomes[i].spend > 0.0:
            breadths[j] = purchase_breadth(state[i], key0, key1, i, week, extra_at_full)
            j += 1
    return breadths


@njit(cache=True)
def trial_breadths(ids, week, key0, key1, cross_buying, extra_at_full):
    """Breadths of trial purchases made with the intention `cross_buying` and no cross-sells."""
    breadths = np.empty(ids.size, np.int8)
    for j in range(ids.size):
        draw = product_uniforms(key0, key1, ids[j], week, 0)[0]
        breadths[j] = min(_basket_breadth(cross_buying, 0, draw, extra_at_full), 127)
    return breadths


@njit(cache=True)
def basket_lines(ids, weeks, amounts, breadths, key0, key1, preference, affinity, price_level):
    """Split each purchase into lines: (purchase index, category code, amount) per line.

    A purchase of breadth k (capped at the catalogue's size) draws its categories one by one
    (`rules.choose_category`) with the uniforms after the breadth's in its ``PRODUCT`` counter blocks.
    Lines come in catalogue order; each is the amount times its category's share of the basket's price
    levels, except the last, which is the amount minus the others.
    """
    n_categories = preference.size
    total = 0
    for j in range(breadths.size):
        total += min(breadths[j], n_categories)
    purchase = np.empty(total, np.int64)
    category = np.empty(total, np.int8)
    line_amount = np.empty(total)
    in_basket = np.zeros(n_categories, np.bool_)
    line = 0
    for j in range(ids.size):
        k = min(breadths[j], n_categories)
        in_basket[:] = False
        u = product_uniforms(key0, key1, ids[j], weeks[j], 0)
        for pick in range(k):
            slot = pick + 1  # slot 0 of block 0 set the breadth
            if slot % 4 == 0:
                u = product_uniforms(key0, key1, ids[j], weeks[j], slot // 4)
            in_basket[_choose_category(in_basket, preference, affinity, u[slot % 4])] = True
        basket_price = 0.0
        for c in range(n_categories):
            if in_basket[c]:
                basket_price += price_level[c]
        allocated = 0.0
        written = 0
        for c in range(n_categories):
            if in_basket[c]:
                written += 1
                share = amounts[j] * price_level[c] / basket_price
                amount = share if written < k else amounts[j] - allocated
                allocated += amount
                purchase[line] = j
                category[line] = c
                line_amount[line] = amount
                line += 1
    return purchase, category, line_amount
