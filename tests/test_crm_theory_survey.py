"""The satisfaction survey: answers stay on the scale, intervals cover the truth and narrow with n."""

import numpy as np
import pandas as pd
import pytest

from crm_theory import estimate_mean, rating_answers, satisfaction_survey
from crm_theory.survey import draw_sample


@pytest.fixture
def population():
    rng = np.random.default_rng(0)
    return pd.Series(rng.normal(0.0, 0.2, 5000), index=np.arange(100, 5100), name="satisfaction")


def test_answers_are_whole_points_on_the_scale():
    rng = np.random.default_rng(1)
    answers = rating_answers(np.array([-5.0, -0.1, 0.0, 0.1, 5.0]), rng, scale=10)
    assert answers.dtype.kind == "i"
    assert answers.min() >= 1 and answers.max() <= 10
    assert answers[0] == 1 and answers[-1] == 10  # extreme customers hit the ends of the scale


def test_more_satisfied_customers_answer_higher_on_average():
    rng = np.random.default_rng(2)
    low = rating_answers(np.full(2000, -0.2), rng).mean()
    high = rating_answers(np.full(2000, 0.2), rng).mean()
    assert high > low + 1


def test_sample_asks_each_customer_once_and_is_reproducible(population):
    first = satisfaction_survey(population, 400, np.random.default_rng(3))
    again = satisfaction_survey(population, 400, np.random.default_rng(3))
    pd.testing.assert_frame_equal(first, again)
    assert first.index.is_unique and first.index.isin(population.index).all()
    assert (first["latent"] == population.loc[first.index].to_numpy()).all()


def test_interval_covers_the_population_mean_about_as_often_as_promised(population):
    rng = np.random.default_rng(4)
    census = rating_answers(population.to_numpy(), np.random.default_rng(5))
    truth = census.mean()
    hits = 0
    for _ in range(400):
        sample = rng.choice(census, 100, replace=False)
        estimate = estimate_mean(sample, population=census.size)
        hits += estimate.low <= truth <= estimate.high
    assert 0.91 <= hits / 400 <= 0.99


def test_interval_narrows_with_the_square_root_of_the_sample(population):
    rng = np.random.default_rng(6)
    widths = {
        n: np.mean(
            [estimate_mean(satisfaction_survey(population, n, rng)["answer"]).half_width for _ in range(50)]
        )
        for n in (100, 400)
    }
    assert widths[400] == pytest.approx(widths[100] / 2, rel=0.15)


def test_a_census_has_no_sampling_error():
    estimate = estimate_mean([1, 2, 3, 4, 5], population=5)
    assert estimate.mean == 3 and estimate.standard_error == 0 and estimate.low == estimate.high == 3


def test_non_response_is_left_out_not_counted_as_zero():
    assert estimate_mean([4, 5, np.nan, 4]).n == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: estimate_mean([3]), "at least 2 answers"),
        (lambda: estimate_mean([3, 4], confidence=95), "confidence must be between 0 and 1"),
        (lambda: estimate_mean([3, 4, 5], population=2), "population must be"),
        (lambda: rating_answers([0.1], np.random.default_rng(0), scale=1), "scale must be"),
        (lambda: rating_answers([np.nan], np.random.default_rng(0)), "finite"),
        (lambda: rating_answers([0.1], 7), "numpy Generator"),
        (
            lambda: draw_sample(np.arange(10), 11, np.random.default_rng(0)),
            "from 1 to the number of customers",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
