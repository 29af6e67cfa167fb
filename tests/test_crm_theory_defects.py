"""Reported defects in the analytics library, each pinned by a test that failed before its fix."""

import numpy as np
import pandas as pd
import pytest

from crm_theory.bgnbd import BetaGeoModel
from crm_theory.errors import DataError
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.predictive_clv import predicted_clv
from crm_theory.purchase_summary import calibration_holdout_summary, purchase_summary
from crm_theory.validation import validate_transactions


@pytest.fixture(scope="module")
def small_models():
    summary = pd.DataFrame(
        {
            "frequency": [0, 2, 5],
            "recency": [0.0, 10.0, 30.0],
            "T": [40.0, 40.0, 40.0],
            "monetary_value": [0.0, 20.0, 30.0],
        }
    )
    summary.attrs["time_unit"] = "week"
    bgnbd = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    gamma_gamma = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    return bgnbd, gamma_gamma, summary


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"horizon": float("nan")}, "horizon must be a finite number > 0, got nan"),
        ({"horizon": float("inf")}, "horizon must be a finite number > 0, got inf"),
        (
            {"annual_discount_rate": float("inf")},
            "annual_discount_rate must be a finite number > -1, got inf",
        ),
        ({"annual_discount_rate": -2.0}, "annual_discount_rate must be a finite number > -1, got -2"),
        ({"margin": float("nan")}, "margin is a share of spend, within 0-1; got nan"),
        ({"step": float("nan")}, "step must be a finite number > 0, got nan"),
        ({"horizon": 1e12}, "horizon must be at most 100 years (5218 weeks), got 1e+12"),
        ({"horizon": 5000.0, "step": 1e-6}, "horizon / step = 5e+09 discounting steps; at most 100000"),
    ],
)
def test_predicted_clv_rejects_non_finite_and_absurd_inputs(small_models, options, message):
    bgnbd, gamma_gamma, summary = small_models
    with pytest.raises(ValueError) as caught:
        predicted_clv(bgnbd, gamma_gamma, summary, **options)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_predicted_clv_over_a_long_horizon_does_not_hold_a_matrix_per_step(small_models):
    bgnbd, gamma_gamma, summary = small_models
    table = predicted_clv(bgnbd, gamma_gamma, summary, horizon=100 * 52, annual_discount_rate=0.1)
    assert np.isfinite(table["clv"]).all() and (table["clv"] > 0).all()


def test_calibration_end_after_the_last_transaction_without_an_observation_end_is_refused():
    log = pd.DataFrame({"customer_id": [1, 1, 2], "week": [1, 5, 3], "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(
        DataError,
        match=r"calibration end week 10 is after the last transaction \(week 5\).*"
        r"give an observation end.*or a calibration end within the data",
    ):
        calibration_holdout_summary(log, 10)
    # with the end of observation stated, the quiet weeks are observed time without purchases
    split = calibration_holdout_summary(log, 10, observation_end=10)
    assert split["T_cal"].tolist() == [9.0, 7.0]
    assert (split["duration_holdout"] == 0).all()


def test_an_id_column_mixing_numbers_and_text_is_refused_naming_the_column():
    log = pd.DataFrame(
        {"customer_id": pd.Series([7, "7", 8], dtype=object), "week": [1, 2, 3], "amount": [1.0, 2.0, 3.0]}
    )
    with pytest.raises(DataError, match="column 'customer_id' mixes integers and strings"):
        validate_transactions(log)
    with pytest.raises(DataError, match="column 'customer_id' mixes integers and strings"):
        purchase_summary(log)


def test_an_id_column_of_other_objects_is_refused():
    ids = pd.Series([7.5, 8.0], dtype=object)
    log = pd.DataFrame({"customer_id": ids, "week": [1, 2], "amount": [1.0, 2.0]})
    with pytest.raises(DataError, match="column 'customer_id' holds float values"):
        validate_transactions(log)


def test_amounts_whose_sum_overflows_are_refused():
    log = pd.DataFrame({"customer_id": [1, 1], "week": [1, 2], "amount": [1e308, 1e308]})
    with pytest.raises(DataError, match="'amount': the amounts add up to more than the largest number"):
        validate_transactions(log)
