"""The compiled selection (simulation.selection) gives exactly the numpy definitions strategies rely on:
`view.rank_by` is the stable sort of the scores (ties in the group's order, NaN last), `limit` its first
entries, and `plan.add` funds people in order."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import Action, CustomerLifecycleModel, Stage, selection
from simulation.firm import FirmView, Plan


def _reference(people, score, descending, limit):
    key = -score[people] if descending else score[people]
    order = people[np.argsort(key, kind="stable")]
    return order if limit is None else order[: max(limit, 0)]


def _view(n_people: int) -> FirmView:
    model = CustomerLifecycleModel(strategy="none", seed=3, engine="vector", n_people=n_people, weeks=3)
    model.step()
    return FirmView.from_records(
        model.firm.records, 2, 100.0, model.firm.costs, np.random.default_rng(0), model.stream_key
    )


@pytest.mark.parametrize("size", [0, 1, 7, 600, 5000])
@pytest.mark.parametrize("kind", ["ties", "continuous", "special", "integers"])
def test_rank_by_is_the_stable_sort_and_its_first_entries(size, kind):
    n_people = 6000
    view = _view(n_people)
    rng = np.random.default_rng(size)
    if kind == "ties":
        score = rng.integers(0, 5, n_people).astype(float)
    elif kind == "continuous":
        score = rng.normal(size=n_people)
    elif kind == "special":
        score = rng.choice([np.nan, -0.0, 0.0, np.inf, -np.inf, 1.5, -2.0], n_people)
    else:
        score = rng.integers(-3, 4, n_people)
    people = rng.choice(n_people, size, replace=False)
    for descending in (True, False):
        for limit in (None, 0, 1, size // 3, size, size + 5, -1):
            got = view.rank_by(people, score, descending=descending, limit=limit)
            np.testing.assert_array_equal(
                got, _reference(people, score, descending, limit), err_msg=f"{descending=} {limit=}"
            )


def test_keys_that_differ_only_in_their_lowest_bits_are_ordered_exactly():
    # Keys spanning the whole float range leave too few bits beside the position for the packed sort:
    # these keys agree in the bits it keeps and differ below them, so the fix-up must order them.
    rng = np.random.default_rng(2)
    values = 1.0 + np.spacing(1.0) * rng.integers(0, 50, 4000)
    values[::7] = 1.0  # and exact ties among them
    values[::11] = -1e300
    values[::13] = 1e300
    people = rng.permutation(4000)
    for limit in (4000, 1000):
        keys = selection.float_keys(people, values, False)
        assert selection._pack(keys, 12)[1], "the packed keys must lose bits for this test to test"
        got = selection.first_in_order(people, keys, limit)
        expected = people[np.argsort(values[people], kind="stable")][:limit]
        np.testing.assert_array_equal(got, expected)


def test_in_stage_gives_the_ids_of_each_observed_stage_and_of_any_set_of_stages():
    model = CustomerLifecycleModel(strategy="stage_based", seed=4, engine="vector", n_people=3000, weeks=40)
    model.run()
    records = model.firm.records
    for week in (records.stage_week, records.stage_week - 5):  # booked, and classified afresh
        view = FirmView.from_records(
            records, week, 100.0, model.firm.costs, np.random.default_rng(0), model.stream_key
        )
        stage = view.observed_stage
        assert len(np.unique(stage)) == len(Stage), "every stage should occur in this market"
        for s in Stage:
            np.testing.assert_array_equal(view.in_stage(s), np.flatnonzero(stage == s))
        for group in [(Stage.STABLE, Stage.DEVELOPMENT), (Stage.PROSPECT, Stage.LOST), tuple(Stage)]:
            np.testing.assert_array_equal(view.in_stage(*group), np.flatnonzero(np.isin(stage, group)))
        assert not view.in_stage(Stage.STABLE).flags.writeable


@pytest.mark.parametrize("bad", [6, -1, 2.0, True, "stable"])
def test_in_stage_names_the_allowed_stages_for_anything_else(bad):
    view = _view(50)
    with pytest.raises(ValueError, match="view.in_stage: stages must be Stage values"):
        view.in_stage(bad)


def test_sort_orders_large_groups_of_wide_ranging_keys():
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(0, 1e-300, 3000), rng.normal(0, 1e300, 3000), np.zeros(500)])
    rng.shuffle(values)
    people = np.arange(values.size)
    got = selection.first_in_order(people, selection.float_keys(people, values, False), values.size)
    np.testing.assert_array_equal(got, np.argsort(values, kind="stable"))


def test_shuffled_prefix_does_not_depend_on_the_limit_or_the_rest_of_the_group():
    view = _view(3000)
    everyone = np.arange(3000)
    full = view.shuffled(everyone)
    assert sorted(full) == list(everyone)
    np.testing.assert_array_equal(view.shuffled(everyone, limit=100), full[:100])
    half = everyone[::2]
    np.testing.assert_array_equal(view.shuffled(half), full[np.isin(full, half)])


def test_rank_by_rejects_ids_and_scores_it_cannot_use():
    view = _view(100)
    with pytest.raises(ValueError, match=r"person ids must be in \[0, 99\], got 100"):
        view.rank_by(np.array([1, 100]), view.recent_value)
    with pytest.raises(ValueError, match="one value per person"):
        view.rank_by(np.array([1, 2]), np.ones(5))
    with pytest.raises(ValueError, match="limit must be a whole number"):
        view.shuffled(np.array([1, 2]), limit=2.5)


def test_plan_add_funds_in_order_once_each_within_the_money():
    costs = {a.label: 1.0 for a in Action if a != Action.NONE}
    plan = Plan(10, 3.0, costs)
    assert plan.add([4, 4, 2, 7, 1], Action.SERVICE) == 3
    assert list(np.flatnonzero(plan.actions)) == [2, 4, 7]
    assert plan.unfunded == 1  # person 1 was wanted and not reached
    assert plan.add([4, 9], Action.SERVICE) == 0  # the budget is spent
    assert plan.unfunded == 2


def test_shuffled_orders_people_by_their_shuffle_uniform():
    from simulation.random_streams import Purpose, uniform_block

    view = _view(2000)
    people = np.random.default_rng(4).choice(2000, 700, replace=False)
    priority = np.full(2000, np.inf)
    priority[people] = uniform_block(*view.stream_key, people, view.week, int(Purpose.SHUFFLE))
    np.testing.assert_array_equal(view.shuffled(people), _reference(people, priority, False, None))
    np.testing.assert_array_equal(view.shuffled(people, limit=50), _reference(people, priority, False, 50))


def test_runs_of_keys_that_agree_in_their_top_bits_are_sorted_in_place_and_exactly():
    # Pairs of keys one unit in the last place apart, the larger first, at scales so far apart that the
    # packed sort keeps only the keys' top bits: every pair is a run the compiled fix-up must reverse,
    # with exact ties (the third copy of each value) kept in position order.
    rng = np.random.default_rng(5)
    scales = 10.0 ** rng.uniform(-250, 250, 1500)
    values = np.stack([np.nextafter(scales, np.inf), scales, scales], axis=1).ravel()
    people = np.arange(values.size)
    keys = selection.float_keys(people, values, False)
    position_bits = int(values.size - 1).bit_length()
    packed, needs_fixing = selection._pack(keys, position_bits)
    packed.sort()
    order, fixed = selection._fix_runs(packed, position_bits, keys)
    assert needs_fixing and fixed, "the runs must need fixing, and be fixed without the fallback"
    np.testing.assert_array_equal(order, np.argsort(values, kind="stable"))
    for limit in (values.size, 700):
        got = selection.first_in_order(people, keys, limit)
        np.testing.assert_array_equal(got, np.argsort(values, kind="stable")[:limit])


def test_a_long_unordered_run_of_keys_that_agree_in_their_top_bits_falls_back_to_a_full_stable_sort():
    rng = np.random.default_rng(6)
    values = 1.0 + np.spacing(1.0) * rng.permutation(3000)  # one run of 3,000 keys in random order
    values[0] = 1e300  # a wide span, so that the low bits are not packed
    people = rng.permutation(values.size)
    keys = selection.float_keys(people, values, False)
    position_bits = int(values.size - 1).bit_length()
    packed, _ = selection._pack(keys, position_bits)
    packed.sort()
    assert not selection._fix_runs(packed, position_bits, keys)[1]
    got = selection.first_in_order(people, keys, values.size)
    np.testing.assert_array_equal(got, people[np.argsort(values[people], kind="stable")])


@pytest.mark.parametrize("order", ["ascending", "shuffled"])
def test_narrow_keys_with_ties_give_the_stable_sort_whether_ids_or_positions_are_packed(order):
    # Keys below 2^32 (a shuffle's words) are packed with the person ids when the group is in id order,
    # with the positions otherwise; ties at the limit must go to the earliest people either way.
    rng = np.random.default_rng(7)
    people = np.sort(rng.choice(3_000_000, 6000, replace=False)).astype(np.int64)
    if order == "shuffled":
        people = rng.permutation(people)
    keys = rng.integers(0, 40, people.size).astype(np.uint64)  # many ties at every key
    keys[::5] = rng.integers(0, 2**32, people[::5].size, dtype=np.uint64)
    for limit in (1, 37, 600, 5999):
        got = selection.first_in_order(people, keys, limit)
        np.testing.assert_array_equal(got, people[np.argsort(keys, kind="stable")][:limit])
    threshold = np.partition(keys, 99)[99]
    packed, id_bits = selection._members_packed_with_ids(people, keys, threshold, 100)
    assert (id_bits > 0) == (order == "ascending")
