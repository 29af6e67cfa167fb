"""The counter-based generator: published known answers, statistical quality, and independence."""

import numpy as np
import pytest
from scipy import stats

from simulation.random_streams import (
    Purpose,
    customer_draws,
    normal_pair,
    philox4x32,
    stream_key,
    uniform_block,
    uniforms,
)

# Random123's known-answer vectors for Philox4x32-10 (Salmon et al. 2011, tests/kat_vectors).
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_matches_the_published_known_answers(counter, key, expected):
    assert tuple(int(word) for word in philox4x32(*counter, *key)) == expected


@pytest.fixture(scope="module")
def ten_million():
    """10^7 uniforms: one per person for a population of ten million, in one week."""
    return uniform_block(
        *stream_key(2024), np.arange(10_000_000, dtype=np.int64), 3, int(Purpose.ACQUISITION)
    )


def test_uniforms_are_uniform_chi_square(ten_million):
    counts = np.bincount((ten_million * 1000).astype(np.int64), minlength=1000)
    assert counts.sum() == ten_million.size and ten_million.min() > 0 and ten_million.max() < 1
    assert stats.chisquare(counts).pvalue > 1e-3


def test_neighbouring_people_are_uncorrelated(ten_million):
    r = np.corrcoef(ten_million[:-1], ten_million[1:])[0, 1]
    assert abs(r) < 5 / np.sqrt(ten_million.size)  # five standard errors


def test_one_persons_weeks_are_uncorrelated_and_uniform():
    key = stream_key(7)
    weeks = np.array([uniforms(*key, 12345, week, int(Purpose.CUSTOMER))[0] for week in range(20_000)])
    assert abs(np.corrcoef(weeks[:-1], weeks[1:])[0, 1]) < 5 / np.sqrt(weeks.size)
    assert stats.kstest(weeks, "uniform").pvalue > 1e-3


def test_purposes_and_seeds_give_independent_streams():
    people = np.arange(200_000, dtype=np.int64)
    key = stream_key(1)
    acquisition = uniform_block(*key, people, 4, int(Purpose.ACQUISITION))
    shuffle = uniform_block(*key, people, 4, int(Purpose.SHUFFLE))
    other_seed = uniform_block(*stream_key(2), people, 4, int(Purpose.ACQUISITION))
    for a, b in ((acquisition, shuffle), (acquisition, other_seed)):
        assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(people.size)
        assert not np.array_equal(a, b)


def test_a_draw_depends_only_on_seed_person_week_and_purpose():
    key = stream_key(3)
    one = uniform_block(*key, np.array([5, 900_000], dtype=np.int64), 8, 1)
    many = uniform_block(*key, np.arange(1_000_000, dtype=np.int64), 8, 1)
    assert one[0] == many[5] and one[1] == many[900_000]
    assert customer_draws(*key, 5, 8, 0.3, 0.3, 1.0) == customer_draws(*key, 5, 8, 0.3, 0.3, 1.0)


def test_normals_and_the_lognormal_basket_factor_have_their_moments():
    key = stream_key(11)
    pairs = np.array([normal_pair(*key, person, 1, int(Purpose.COMPETITOR)) for person in range(100_000)])
    for column in pairs.T:
        assert stats.kstest(column, "norm").pvalue > 1e-3
    assert abs(np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]) < 0.02
    factors = np.array([customer_draws(*key, person, 2, 0.3, 0.3, 1.0)[6] for person in range(100_000)])
    assert factors.mean() == pytest.approx(1.0, abs=0.01)  # mean-one basket factor
    assert np.log(factors).std() == pytest.approx(0.3, abs=0.01)


def test_the_basket_factor_is_drawn_only_on_a_purchase_occasion():
    """Skipped without an occasion (NaN), and the same number as always when there is one, whatever the
    person's rate: whether it is computed must not change which factor a basket gets."""
    key = stream_key(5)
    for person in range(2_000):
        always = customer_draws(*key, person, 9, 0.3, 0.3, 1.0)
        for rate in (0.05, 0.35, 0.9):
            draws = customer_draws(*key, person, 9, 0.3, 0.3, rate)
            assert draws[:6] == always[:6]
            if always[0] < rate:
                assert draws[6] == always[6]
            else:
                assert np.isnan(draws[6])


def test_purposes_are_never_renumbered():
    # Existing draws must not change when a purpose is added: the numbers are part of every result.
    assert {p.name: int(p) for p in Purpose} == {
        "ACQUISITION": 1,
        "CUSTOMER": 2,
        "CUSTOMER_NOISE": 3,
        "COMPETITOR": 4,
        "PROMOTION": 5,
        "SHUFFLE": 6,
        "PRODUCT": 7,
    }
