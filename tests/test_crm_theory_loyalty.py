"""Loyalty model: stage-weighted index, the textbook's intention table, Dick & Basu's types."""

import pandas as pd
import pytest

from crm_theory.errors import DataError
from crm_theory.loyalty import (
    DEFAULT_STAGE_WEIGHTS,
    LOYALTY_DETERMINANTS,
    LOYALTY_INTENTIONS,
    dick_basu_type,
    intentions_by_stage,
    loyalty_index,
    repeat_patronage,
)


def test_four_determinants_and_four_intentions():
    assert LOYALTY_DETERMINANTS == ("perceived_value", "satisfaction", "trust", "switching_cost")
    assert LOYALTY_INTENTIONS == ("repeat_purchase", "price_tolerance", "cross_buying", "referral")
    assert list(intentions_by_stage().columns) == list(LOYALTY_INTENTIONS)


def test_default_weights_follow_the_reference_by_stage():
    weights = DEFAULT_STAGE_WEIGHTS
    assert weights.sum(axis=1).tolist() == pytest.approx([1.0] * 4)
    assert weights.loc["identification"].idxmax() == "perceived_value"
    assert weights.loc["development"].idxmax() == "satisfaction"
    assert weights.loc["development", "trust"] > weights.loc["development", "perceived_value"]
    stable = weights.loc["stable"]
    assert set(stable.nlargest(2).index) == {"trust", "switching_cost"}


def test_loyalty_index_by_hand_and_stage_dependence():
    # high value, low trust and switching cost: loyal-looking early, much less so once stable
    drivers = pd.DataFrame(
        {
            "perceived_value": [1.0, 1.0],
            "satisfaction": [0.5, 0.5],
            "trust": [0.0, 0.0],
            "switching_cost": [0.0, 0.0],
        }
    )
    index = loyalty_index(drivers, pd.Series(["identification", "stable"]))
    assert index.iloc[0] == pytest.approx(0.55 * 1.0 + 0.20 * 0.5)
    assert index.iloc[1] == pytest.approx(0.15 * 1.0 + 0.15 * 0.5)
    custom = loyalty_index(
        drivers, "stable", weights={"stable": {name: 1.0 for name in LOYALTY_DETERMINANTS}}
    )
    assert custom.tolist() == pytest.approx([0.375, 0.375])


def test_loyalty_index_is_within_0_and_1_and_rejects_unknown_stages():
    drivers = pd.DataFrame({name: [0.0, 1.0, 0.3] for name in LOYALTY_DETERMINANTS})
    drivers["stage"] = ["development", "decline", "stable"]
    index = loyalty_index(drivers)
    assert index.tolist() == pytest.approx([0.0, 1.0, 0.3])
    with pytest.raises(DataError, match=r"no loyalty weights for stage\(s\) \['lost'\]"):
        loyalty_index(drivers.assign(stage="lost"))
    with pytest.raises(DataError, match="within 0-1"):
        loyalty_index(drivers.assign(trust=[0.0, 2.0, 1.0]))
    rescaled = loyalty_index(drivers.assign(trust=[0.0, 20.0, 10.0]), scale="minmax")
    assert rescaled.between(0, 1).all()


def test_intention_table_reads_like_the_textbook():
    words = intentions_by_stage(level_names=True)
    assert words.loc["identification", "repeat_purchase"] == "moderate (一般)"
    assert words.loc["identification", "price_tolerance"] == "small (小)"  # not "weak": the textbook's word
    assert words.loc["development", "cross_buying"] == "weak (弱)"
    assert words.loc["development", "referral"] == "none or weak (无或弱)"
    assert (words.loc["stable"] == "strong (强)").all()
    numbers = intentions_by_stage()
    assert (
        (numbers.diff().dropna() >= 0).all().all()
    )  # every intention strengthens as the relationship matures


def test_dick_and_basu_types():
    attitude = pd.Series({1: 0.9, 2: 0.9, 3: 0.1, 4: 0.1})
    repeat = pd.Series({1: 0.8, 2: 0.2, 3: 0.8, 4: 0.2})
    types = dick_basu_type(attitude, repeat)
    assert types.tolist() == ["true loyalty", "latent loyalty", "spurious loyalty", "no loyalty"]


def test_repeat_patronage_counts_active_periods():
    # customer 1 buys in every 4-week period of weeks 1-16; customer 2 only in the first and last
    log = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 2], "week": [1, 5, 9, 13, 1, 16], "amount": [1.0] * 6})
    patronage = repeat_patronage(log, period_weeks=4, analysis_date=16)
    assert patronage.loc[1] == pytest.approx(1.0)
    assert patronage.loc[2] == pytest.approx(0.5)
