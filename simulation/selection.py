"""Compiled selection for strategies: rank, sample and fund people in time proportional to the group.

`FirmView.rank_by`, `FirmView.shuffled` and `Plan.add` are called several times a week by every strategy;
written with numpy they cost a dozen array passes and temporaries each (and sort everything they are
given). These kernels do each in one or two passes, with the exact results of the numpy definitions:

- ranking is the stable sort of the keys (ties keep their order in the group), and with a limit the first
  `limit` of that sort. Keys are compared as numbers, with -0.0 equal to 0.0 and NaN after everything (as
  numpy sorts), through an order-preserving map of each key to an unsigned 64-bit integer;
- funding walks the people in order, giving the action to those without one until the money runs out.

Hand-written because no library offers a stable partial argsort; numpy's selection and its SIMD sort of
integers do the heavy lifting.
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


#: Up to this many keys, numpy's stable argsort costs less than packing and sorting (1.2 against 3.6
#: microseconds for 30 keys, 4.2 against 5.7 for 300; at 739, 12 against 9), and a small market's
#: strategy ranks many small groups.
_FEW = 500


@njit(cache=True, inline="always")
def _bit_length(value):
    """How many bits the unsigned 64-bit `value` needs (0 for 0), as Python's int.bit_length."""
    bits = 0
    while bits < 64 and (value >> np.uint64(bits)) != 0:
        bits += 1
    return bits


def first_in_order(people: np.ndarray, keys: np.ndarray, limit: int) -> np.ndarray:
    """The first `limit` of `people` stably sorted by `keys` (all of them when limit >= people.size)."""
    n = people.size
    if limit <= 0:
        return people[:0].copy()
    if n <= _FEW:
        return people[keys.argsort(kind="stable")[:limit]]
    if limit >= n:
        return _sorted_people(people, np.arange(n), keys)
    # numpy's introselect finds the limit-th key several times faster than numba's np.partition
    threshold = np.partition(keys, limit - 1)[limit - 1]
    # Keys below 2^32 (a shuffle's) leave room for the ids; wide-ranging float keys go straight on.
    if int(threshold).bit_length() + max(1, int(people[-1]).bit_length()) <= 64:
        packed, id_bits = _members_packed_with_ids(people, keys, threshold, limit)
        if id_bits:
            packed.sort()
            return _unpack_ids(packed, id_bits)
    positions = _first_below(keys, threshold, limit)
    return _sorted_people(people, positions, keys[positions])


@njit(cache=True)
def _members_packed_with_ids(people, keys, threshold, limit):
    """The members of the first `limit` (keys below `threshold`, then the earliest ties), each packed as
    its key's offset from the smallest key above its person id, when that is exact: `people` ascending
    (so id order is the group's order, and sorting the packed numbers is the stable sort) and the offsets
    and the ids fit in 64 bits together, as a shuffle's 32-bit keys do. Returns the packed numbers and
    the ids' bits, or 0 bits if not (then the caller packs positions). Packing ids instead of positions
    spares a gather of the ids in sorted order, a random read of a large group per member."""
    n = keys.size
    below = 0
    smallest = keys[0]
    ascending = True
    for j in range(n):
        below += keys[j] < threshold
        smallest = min(smallest, keys[j])
        if j > 0:
            ascending &= people[j] > people[j - 1]
    id_bits = max(1, _bit_length(np.uint64(people[n - 1])))
    span_bits = _bit_length(threshold - smallest)
    if not ascending or people[0] < 0 or span_bits + id_bits > 64 or below > limit:
        return np.empty(0, dtype=np.uint64), 0  # (below > limit: `threshold` is not the limit-th key)
    ties = limit - below
    packed = np.empty(limit + 1, dtype=np.uint64)  # one slot more: non-members are written, not counted
    count = 0
    shift = np.uint64(id_bits)
    for j in range(n):  # branch-free, as in _first_below
        key = keys[j]
        tie = (key == threshold) & (ties > 0)
        ties -= tie
        packed[count] = ((key - smallest) << shift) | np.uint64(people[j])
        count += (key < threshold) | tie
    return packed[:limit], id_bits


@njit(cache=True)
def _unpack_ids(packed, id_bits):
    """The person ids (or positions) packed into the low `id_bits` of each number, in order."""
    low = (np.uint64(1) << np.uint64(id_bits)) - np.uint64(1)
    ids = np.empty(packed.size, dtype=np.int64)
    for j in range(packed.size):
        ids[j] = np.int64(packed[j] & low)
    return ids


@njit(cache=True)
def _first_below(keys, threshold, limit):
    """Positions, in order, of the keys below `threshold` and then of as many keys equal to it as make
    `limit` (the earliest ones): the members of the first `limit` of a stable sort."""
    below = 0
    for j in range(keys.size):
        below += keys[j] < threshold
    ties = limit - below
    # Branch-free (every position is written, the count moves only for members): the keys' order is
    # random, so branches would be mispredicted half the time.
    positions = np.empty(keys.size + 1, dtype=np.int64)
    count = 0
    for j in range(keys.size):
        key = keys[j]
        tie = (key == threshold) & (ties > 0)
        ties -= tie
        positions[count] = j
        count += (key < threshold) | tie
    return positions[:limit]


def _sorted_people(people: np.ndarray, positions: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """people[positions] in the stable order of `keys` (one key per position).

    numpy's SIMD sort of plain integers is several times faster than any stable argsort, so each key is
    packed with its position: the key's offset from the smallest key above the position's bits. Sorting
    the packed numbers orders by key, ties by position. When the keys span more values than the bits
    left over hold (keys of wide-ranging floats, as most scores are), only the offset's top bits are
    packed; the order is then right except within runs of keys that agree in those bits, which
    `_fix_runs` sorts by key (usually a few keys each, mostly exact ties already in order). Should that
    take many moves (many keys that agree in their top bits, in no order), a stable sort of all keys in
    the packed order (numpy's timsort) puts them right instead.
    """
    n = keys.size
    position_bits = max(1, int(n - 1).bit_length())
    packed, needs_fixing = _pack(keys, position_bits)
    packed.sort()
    if not needs_fixing:
        return _take_packed(people, positions, packed, position_bits)
    order, fixed = _fix_runs(packed, position_bits, keys)
    if not fixed:
        order = order[np.argsort(keys[order], kind="stable")]
    return _take(people, positions, order)


@njit(cache=True)
def _pack(keys, position_bits):
    """((key - smallest key) >> dropped bits) << position_bits | position, dropping as few of the
    offset's low bits as make it fit in 64; returns the packed numbers and whether any key lost bits."""
    n = keys.size
    packed = np.empty(n, dtype=np.uint64)
    if n == 0:
        return packed, False
    smallest = keys[0]
    largest = keys[0]
    for j in range(1, n):
        smallest = min(smallest, keys[j])
        largest = max(largest, keys[j])
    span_bits = _bit_length(largest - smallest)
    drop = np.uint64(max(0, span_bits + position_bits - 64))
    low = (np.uint64(1) << drop) - np.uint64(1)
    lost = np.uint64(0)
    for j in range(n):
        offset = keys[j] - smallest
        lost |= offset & low
        packed[j] = ((offset >> drop) << np.uint64(position_bits)) | np.uint64(j)
    return packed, lost != 0


#: `_fix_runs` gives up after this many moves per key (insertion sort is quadratic in a long unordered run).
_MOVES_PER_KEY = 4


@njit(cache=True)
def _fix_runs(packed, position_bits, keys):
    """The positions packed into the sorted `packed`, with each run of numbers that agree above the
    position bits put in the stable order of `keys` (an insertion sort: a run's positions are ascending,
    so ties stay in position order); and whether that took fewer than `_MOVES_PER_KEY` moves per key.
    If not, the positions come back in packed order, for the caller to sort."""
    n = packed.size
    shift = np.uint64(position_bits)
    order = _unpack_ids(packed, position_bits)  # the positions, in the packed order
    moves_left = _MOVES_PER_KEY * n
    start = 0
    while start < n:
        top = packed[start] >> shift
        end = start + 1
        while end < n and (packed[end] >> shift) == top:
            end += 1
        for a in range(start + 1, end):
            item = order[a]
            key = keys[item]
            b = a - 1
            while b >= start and keys[order[b]] > key:
                order[b + 1] = order[b]
                b -= 1
                moves_left -= 1
            order[b + 1] = item
            if moves_left < 0:
                return _unpack_ids(packed, position_bits), False
        start = end
    return order, True


@njit(cache=True)
def _take_packed(people, positions, packed, position_bits):
    """people[positions[p]] for the position p packed into each number, in one pass."""
    low = (np.uint64(1) << np.uint64(position_bits)) - np.uint64(1)
    out = np.empty(packed.size, dtype=people.dtype)
    for j in range(packed.size):
        out[j] = people[positions[np.int64(packed[j] & low)]]
    return out


@njit(cache=True)
def _take(people, positions, order):
    """people[positions[order]] in one pass, without numpy's intermediate array."""
    out = np.empty(order.size, dtype=people.dtype)
    for j in range(order.size):
        out[j] = people[positions[order[j]]]
    return out


@njit(cache=True)
def group_by_code(people, codes, n_codes):
    """`people` grouped by ``codes[person]`` (a counting sort: each group keeps the order of `people`):
    returns the grouped ids and where each code's group starts (n_codes + 1 offsets)."""
    starts = np.zeros(n_codes + 1, dtype=np.int64)
    for j in range(people.size):
        starts[codes[people[j]] + 1] += 1
    for c in range(n_codes):
        starts[c + 1] += starts[c]
    filled = starts[:-1].copy()
    grouped = np.empty(people.size, dtype=np.int64)
    for j in range(people.size):
        code = codes[people[j]]
        grouped[filled[code]] = people[j]
        filled[code] += 1
    return grouped, starts


@njit(cache=True)
def with_code(people, codes, wanted):
    """Those of `people` whose ``codes[person]`` is wanted (``wanted[code]``), in their order."""
    chosen = np.empty(people.size, dtype=np.int64)
    count = 0
    for j in range(people.size):  # branch-free: every id is written, the count moves for the chosen
        chosen[count] = people[j]
        count += wanted[codes[people[j]]]
    return chosen[:count].copy()


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
def check_actions(actions, wanted, n_actions):
    """One pass over the week's actions: how many people got each action code, the ids of everyone with
    an action (in id order), how many were wanted but got none, and the first person with a code that is
    not an action (-1 if none)."""
    counts = np.zeros(n_actions, dtype=np.int64)
    contacted = np.empty(actions.size, dtype=np.int64)
    reached = 0
    unfunded = 0
    for i in range(actions.size):
        code = actions[i]
        if code == 0:
            if wanted[i]:
                unfunded += 1
            continue
        if code < 0 or code >= n_actions:
            return counts, contacted[:0], unfunded, i
        counts[code] += 1
        contacted[reached] = i
        reached += 1
    counts[0] = actions.size - reached
    return counts, contacted[:reached].copy(), unfunded, -1
