"""Compiled selection for strategies: rank, sample and fund people in time proportional to the group.

`FirmView.rank_by`, `FirmView.shuffled` and `Plan.add` are called several times a week by every strategy;
written with numpy they cost a dozen array passes and temporaries each (and sort everything they are
given). These kernels do each in one or two passes, with the exact results of the numpy definitions:

- ranking is the stable sort of the keys (ties keep their order in the group), and with a limit the first
  `limit` of that sort. Keys are compared as numbers, with -0.0 equal to 0.0 and NaN after everything (as
  numpy sorts), through an order-preserving map of each key to an unsigned 64-bit integer;
- funding walks the people in order, giving the action to those without one until the money runs out.

Hand-written because no library offers a stable partial argsort; numba's `np.partition` and merge sort
do the heavy lifting.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.random_streams import philox4x32

_SIGN = np.uint64(1) << np.uint64(63)
_ALL = ~np.uint64(0)
# The canonical quiet NaN: every NaN maps here, above +inf.
_NAN_KEY = np.uint64(0x7FF8000000000000) ^ _SIGN


@njit(cache=True, inline="always")
def _float_key(value, bits):
    """`bits` is `value`'s IEEE bit pattern with -0.0 made 0.0; map it to an unsigned integer in the
    numbers' order (negative numbers: all bits flipped; others: the sign bit set)."""
    if value != value:
        return _NAN_KEY
    if bits & _SIGN:
        return bits ^ _ALL
    return bits ^ _SIGN


@njit(cache=True)
def float_keys(people, score, descending):
    """Sort keys of `score[people]` (negated when `descending`), as order-preserving unsigned integers."""
    values = np.empty(people.size)
    for j in range(people.size):
        v = score[people[j]]
        values[j] = (-v if descending else v) + 0.0  # + 0.0 turns -0.0 into 0.0
    bits = values.view(np.uint64)
    keys = np.empty(people.size, dtype=np.uint64)
    for j in range(people.size):
        keys[j] = _float_key(values[j], bits[j])
    return keys


@njit(cache=True)
def integer_keys(people, score, descending):
    """Sort keys of integer `score[people]` (negated when `descending`): the sign bit flipped."""
    keys = np.empty(people.size, dtype=np.uint64)
    for j in range(people.size):
        v = np.int64(score[people[j]])
        if descending:
            v = -v
        keys[j] = np.uint64(v) ^ _SIGN
    return keys


@njit(cache=True)
def shuffle_keys(people, k0, k1, week, purpose):
    """Sort keys of each person's counter-based uniform for (seed, person, week, purpose): the generator's
    32-bit word itself, since `random_streams.uniform` maps words to uniforms one to one, in order."""
    keys = np.empty(people.size, dtype=np.uint64)
    for j in range(people.size):  # branch-free: the compiler vectorises the generator
        keys[j] = philox4x32(people[j], week, purpose, 0, k0, k1)[0]
    return keys


def first_in_order(people: np.ndarray, keys: np.ndarray, limit: int) -> np.ndarray:
    """The first `limit` of `people` stably sorted by `keys` (all of them when limit >= people.size)."""
    n = people.size
    if limit <= 0:
        return people[:0].copy()
    if limit >= n:
        return _sorted_people(people, np.arange(n), keys)
    # numpy's introselect finds the limit-th key several times faster than numba's np.partition
    threshold = np.partition(keys, limit - 1)[limit - 1]
    positions = _first_below(keys, threshold, limit)
    return _sorted_people(people, positions, keys[positions])


@njit(cache=True)
def _first_below(keys, threshold, limit):
    """Positions, in order, of the keys below `threshold` and then of as many keys equal to it as make
    `limit` (the earliest ones): the members of the first `limit` of a stable sort."""
    below = 0
    for j in range(keys.size):
        if keys[j] < threshold:
            below += 1
    ties = limit - below
    positions = np.empty(limit, dtype=np.int64)
    count = 0
    for j in range(keys.size):
        key = keys[j]
        if key < threshold or (key == threshold and ties > 0):
            if key == threshold:
                ties -= 1
            positions[count] = j
            count += 1
    return positions


_DIGIT_BITS = 11
_DIGITS = 6  # 6 x 11 bits cover the 64-bit keys
_SMALL = 512  # below this many keys a merge sort beats the radix sort's fixed cost


@njit(cache=True)
def _sorted_people(people, positions, keys):
    """people[positions] in the stable order of `keys` (one key per position)."""
    n = keys.size
    if n < _SMALL:
        order = np.argsort(keys, kind="mergesort")
        out = np.empty(n, dtype=people.dtype)
        for j in range(n):
            out[j] = people[positions[order[j]]]
        return out
    # Least-significant-digit radix sort: stable, linear in n. One pass counts all digits; a digit that
    # is the same in every key is skipped.
    bins = 1 << _DIGIT_BITS
    mask = np.uint64(bins - 1)
    counts = np.zeros((_DIGITS, bins), dtype=np.int64)
    for j in range(n):
        key = keys[j]
        for d in range(_DIGITS):
            counts[d, (key >> np.uint64(d * _DIGIT_BITS)) & mask] += 1
    source_keys, source_pos = keys.copy(), positions.copy()
    target_keys, target_pos = np.empty_like(keys), np.empty_like(positions)
    for d in range(_DIGITS):
        shift = np.uint64(d * _DIGIT_BITS)
        if counts[d, (source_keys[0] >> shift) & mask] == n:
            continue
        start = np.empty(bins, dtype=np.int64)
        total = 0
        for b in range(bins):
            start[b] = total
            total += counts[d, b]
        for j in range(n):
            key = source_keys[j]
            b = (key >> shift) & mask
            target_keys[start[b]] = key
            target_pos[start[b]] = source_pos[j]
            start[b] += 1
        source_keys, target_keys = target_keys, source_keys
        source_pos, target_pos = target_pos, source_pos
    out = np.empty(n, dtype=people.dtype)
    for j in range(n):
        out[j] = people[source_pos[j]]
    return out


@njit(cache=True)
def out_of_range(people, n_people):
    """Position of the first id outside [0, n_people), or -1."""
    for j in range(people.size):
        if people[j] < 0 or people[j] >= n_people:
            return j
    return -1


@njit(cache=True)
def fund(people, action, most, actions, wanted):
    """Mark all `people` as wanted; give `action` to the first `most` of them without an action this week,
    in order (a repeated person is funded once); returns how many were funded."""
    funded = 0
    for j in range(people.size):
        person = people[j]
        wanted[person] = True
        if funded < most and actions[person] == 0:
            actions[person] = action
            funded += 1
    return funded


@njit(cache=True)
def check_actions(actions, n_actions):
    """How many people got each action code, and the first person with a code that is not an action
    (-1 if none)."""
    counts = np.zeros(n_actions, dtype=np.int64)
    for i in range(actions.size):
        code = actions[i]
        if code < 0 or code >= n_actions:
            return counts, i
        counts[code] += 1
    return counts, -1
