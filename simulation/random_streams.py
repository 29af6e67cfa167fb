"""Counter-based random streams: every draw is a pure function of (seed, person, week, purpose).

Each draw comes from Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy
as 1, 2, 3"), keyed by the run's seed, with the counter ``(person, week, purpose, 0)``. Hence:

- person i meets the same luck in week t under every strategy (common random numbers), although only
  the people who use a draw compute it (customers draw purchases, prospects draw acquisition);
- the draws do not depend on the population's order, on how many others are customers, or on the
  engine: both engines call these same compiled functions;
- a new kind of draw gets a new `Purpose` and changes no existing draw.

Philox is written here (numba, no fastmath) because numpy's Philox bit generator is a sequential
stream (4x64) that cannot be evaluated at an arbitrary (person, week, purpose) counter from compiled
loops. It is checked against the published known-answer vectors of the Random123 reference
implementation (tests/test_random_streams.py).

Normal variates use the Box-Muller transform, which is exact; lognormal basket factors are computed here
too, so the only exp/log/sin/cos calls of the model live in compiled code that both engines share.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
from numba import njit


class Purpose(IntEnum):
    """What a draw is for: the third counter word. Append new purposes; never renumber."""

    ACQUISITION = 1  # a prospect is acquired, or a lost customer returns (one uniform)
    CUSTOMER = 2  # purchase occasion, choice of the firm, cross-sell response, change of needs
    CUSTOMER_NOISE = 3  # experienced value noise and basket size (two normals), and word of mouth
    COMPETITOR = 4  # market-wide (person 0): the competitor's drift shock
    PROMOTION = 5  # market-wide (person 0): the competitor starts a promotion
    SHUFFLE = 6  # a person's place in this week's random orders of the firm's strategy (view.shuffled)
    PRODUCT = 7  # a purchase's categories: basket breadth, then each category chosen (simulation.catalogue)


_MASK32 = np.uint64(0xFFFFFFFF)
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_SHIFT32 = np.uint64(32)
_TO_UNIT = 1.0 / 4294967296.0  # 2^-32
_TWO_PI = 2.0 * math.pi


@njit(cache=True, inline="always")
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10: four 32-bit counter words and two key words -> four 32-bit random words."""
    x0, x1, x2, x3 = np.uint64(c0), np.uint64(c1), np.uint64(c2), np.uint64(c3)
    key0, key1 = np.uint64(k0), np.uint64(k1)
    for _ in range(10):
        product0 = _M0 * x0
        product1 = _M1 * x2
        hi0, lo0 = product0 >> _SHIFT32, product0 & _MASK32
        hi1, lo1 = product1 >> _SHIFT32, product1 & _MASK32
        x0, x1, x2, x3 = hi1 ^ x1 ^ key0, lo1, hi0 ^ x3 ^ key1, lo0
        key0 = (key0 + _W0) & _MASK32
        key1 = (key1 + _W1) & _MASK32
    return x0, x1, x2, x3


@njit(cache=True, inline="always")
def _unit(word):
    """A 32-bit word as a uniform in the open interval (0, 1): (w + 1/2) / 2^32."""
    return (float(word) + 0.5) * _TO_UNIT


@njit(cache=True, inline="always")
def uniforms(k0, k1, person, week, purpose):
    """Four independent uniforms in (0, 1) for (person, week, purpose)."""
    w0, w1, w2, w3 = philox4x32(person, week, purpose, 0, k0, k1)
    return _unit(w0), _unit(w1), _unit(w2), _unit(w3)


@njit(cache=True, inline="always")
def uniform(k0, k1, person, week, purpose):
    """One uniform in (0, 1) for (person, week, purpose)."""
    return _unit(philox4x32(person, week, purpose, 0, k0, k1)[0])


@njit(cache=True, inline="always")
def normal_pair(k0, k1, person, week, purpose):
    """Two independent standard normals (Box-Muller on the first two words)."""
    w0, w1, _, _ = philox4x32(person, week, purpose, 0, k0, k1)
    radius = math.sqrt(-2.0 * math.log(_unit(w0)))
    angle = _TWO_PI * _unit(w1)
    return radius * math.cos(angle), radius * math.sin(angle)


@njit(cache=True, inline="always")
def customer_draws(k0, k1, person, week, value_sd, amount_sd, purchase_rate):
    """A current customer's draws for one week, from two counters.

    Returns (purchase, choice, response, need_change, talk, value_noise, amount_factor): five uniforms,
    the normal(0, value_sd) deviation of experienced value, and a lognormal basket factor with mean 1
    (exp(N(-s^2/2, s)) with s = amount_sd).

    A basket is bought only on a purchase occasion, ``purchase < purchase_rate`` (the person's weekly
    rate; `rules.customer_week`, step 5), so only then is its factor computed: elsewhere it is NaN. Most
    customer-weeks have no occasion, and the exp they skip is about 3% of the people loop; a rule that
    read the factor outside an occasion would spend NaN, which the engines' tests would catch.
    """
    purchase, choice, response, need_change = uniforms(k0, k1, person, week, 2)  # Purpose.CUSTOMER
    w0, w1, w2, _ = philox4x32(person, week, 3, 0, k0, k1)  # Purpose.CUSTOMER_NOISE
    radius = math.sqrt(-2.0 * math.log(_unit(w0)))
    angle = _TWO_PI * _unit(w1)
    amount_factor = math.nan
    if purchase < purchase_rate:
        amount_factor = math.exp(amount_sd * radius * math.sin(angle) - 0.5 * amount_sd * amount_sd)
    return (
        purchase,
        choice,
        response,
        need_change,
        _unit(w2),
        value_sd * radius * math.cos(angle),
        amount_factor,
    )


@njit(cache=True)
def competitor_draws(k0, k1, week):
    """The competitor's week: a standard normal drift shock and the uniform of a promotion start."""
    shock, _ = normal_pair(k0, k1, 0, week, 4)  # Purpose.COMPETITOR
    return shock, uniforms(k0, k1, 0, week, 5)[0]  # Purpose.PROMOTION


@njit(cache=True, inline="always")
def acquisition_draw(k0, k1, person, week):
    """The uniform that decides whether a prospect is acquired (or a lost customer returns)."""
    return uniform(k0, k1, person, week, 1)  # Purpose.ACQUISITION


@njit(cache=True, inline="always")
def product_uniforms(k0, k1, person, week, block):
    """Four uniforms for the categories of the purchase of `person` in `week` (Purpose.PRODUCT).

    Block 0's first uniform sets the basket's breadth, the next ones choose its categories; a basket of
    many categories reads further blocks (the fourth counter word, 0 in every other draw).
    """
    w0, w1, w2, w3 = philox4x32(person, week, 7, block, k0, k1)  # Purpose.PRODUCT
    return _unit(w0), _unit(w1), _unit(w2), _unit(w3)


@njit(cache=True)
def uniform_block(k0, k1, people, week, purpose):
    """Uniforms for many people at once (tests and bulk use): the first word of each counter."""
    out = np.empty(people.size)
    for j in range(people.size):
        out[j] = uniform(k0, k1, people[j], week, purpose)
    return out


def stream_key(seed: int) -> tuple[int, int]:
    """The two 32-bit Philox key words of a run, from its seed (numpy's SeedSequence hashing)."""
    words = np.random.SeedSequence(seed).generate_state(2, dtype=np.uint32)
    return int(words[0]), int(words[1])


# The compiled functions above spell the purposes as numbers (numba reads no Enum members).
assert [int(p) for p in Purpose] == [1, 2, 3, 4, 5, 6, 7]
