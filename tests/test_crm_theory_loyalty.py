"""Loyalty model: the tables by stage, the stage-weighted index, the textbook's intentions, Dick & Basu."""

from pathlib import Path

import pandas as pd
import pytest

from crm_theory.errors import DataError
from crm_theory.lifecycle import LIFECYCLE_STAGES
from crm_theory.loyalty import (
    DEFAULT_STAGE_WEIGHTS,
    DETERMINANT_WEIGHTS,
    INTENTION_STRENGTH,
    LOYALTY_DETERMINANTS,
    LOYALTY_INTENTIONS,
    STAGE_INTENTIONS,
    dick_basu_type,
    intentions_by_stage,
    loyalty_index,
    repeat_patronage,
)

CODE = {label: code for code, label in enumerate(LIFECYCLE_STAGES)}


def test_four_determinants_and_four_intentions():
    assert LOYALTY_DETERMINANTS == ("perceived_value", "satisfaction", "trust", "switching_cost")
    assert LOYALTY_INTENTIONS == ("repeat_purchase", "price_tolerance", "cross_buying", "referral")
    assert list(intentions_by_stage().columns) == list(LOYALTY_INTENTIONS)


@pytest.mark.parametrize("table", [DETERMINANT_WEIGHTS, INTENTION_STRENGTH])
def test_tables_are_plain_tuples_with_a_row_per_stage_code(table):
    # compiled code reads them as constants: tuples of tuples of floats, nothing else
    assert type(table) is tuple and len(table) == len(LIFECYCLE_STAGES)
    assert all(type(row) is tuple and len(row) == 4 for row in table)
    assert all(type(value) is float and value >= 0 for row in table for value in row)
    for stage in ("prospect", "lost"):
        assert table[CODE[stage]] == (0.0, 0.0, 0.0, 0.0)


def test_the_simulation_runs_on_these_tables():
    from simulation import rules

    assert rules.DETERMINANT_WEIGHTS == DETERMINANT_WEIGHTS
    assert rules.INTENTION_STRENGTH == INTENTION_STRENGTH


def test_the_dataframes_are_views_of_the_tables():
    stages = ["identification", "development", "stable"]
    assert DEFAULT_STAGE_WEIGHTS.index.tolist() == stages == STAGE_INTENTIONS.index.tolist()
    assert DEFAULT_STAGE_WEIGHTS.columns.tolist() == list(LOYALTY_DETERMINANTS)
    for stage in stages:
        assert tuple(DEFAULT_STAGE_WEIGHTS.loc[stage]) == DETERMINANT_WEIGHTS[CODE[stage]]
        assert tuple(STAGE_INTENTIONS.loc[stage]) == INTENTION_STRENGTH[CODE[stage]]
    pd.testing.assert_frame_equal(intentions_by_stage(), STAGE_INTENTIONS)


def test_weights_follow_the_reference_by_stage():
    # §3: identification - perceived value dominates; development - satisfaction, then trust; stable - trust
    # and switching cost. Each determinant weighs most in the stage §3 names for it.
    weights = DEFAULT_STAGE_WEIGHTS
    assert weights.loc["identification"].idxmax() == "perceived_value"
    assert weights.loc["development", "satisfaction"] == weights.loc["development"].max()
    assert set(weights.loc["stable"].nlargest(2).index) == {"trust", "switching_cost"}
    assert weights.idxmax().to_dict() == {
        "perceived_value": "identification",
        "satisfaction": "development",
        "trust": "stable",
        "switching_cost": "stable",
    }
    # trust and switching cost build up as the relationship matures (Morgan & Hunt; Burnham et al.)
    assert weights["trust"].is_monotonic_increasing and weights["switching_cost"].is_monotonic_increasing


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
    # rows are normalised to 1: identification (1.0, 0.6, 0.2, 0.2) / 2.0, stable (0.6, 0.3, 0.8, 0.8) / 2.5
    assert index.iloc[0] == pytest.approx((1.0 * 1.0 + 0.6 * 0.5) / 2.0)
    assert index.iloc[1] == pytest.approx((0.6 * 1.0 + 0.3 * 0.5) / 2.5)
    custom = loyalty_index(
        drivers, "stable", weights={"stable": {name: 1.0 for name in LOYALTY_DETERMINANTS}}
    )
    assert custom.tolist() == pytest.approx([0.375, 0.375])


def test_loyalty_index_is_within_0_and_1_and_rejects_stages_without_weights():
    drivers = pd.DataFrame({name: [0.0, 1.0, 0.3] for name in LOYALTY_DETERMINANTS})
    drivers["stage"] = ["development", "identification", "stable"]
    index = loyalty_index(drivers)
    assert index.tolist() == pytest.approx([0.0, 1.0, 0.3])
    with pytest.raises(DataError, match=r"no loyalty weights for stage\(s\) \['lost'\]"):
        loyalty_index(drivers.assign(stage="lost"))
    with pytest.raises(DataError, match="a declining customer weighs as in the stage the decline began in"):
        loyalty_index(drivers.assign(stage="decline"))
    with pytest.raises(DataError, match="within 0-1"):
        loyalty_index(drivers.assign(trust=[0.0, 2.0, 1.0]))
    rescaled = loyalty_index(drivers.assign(trust=[0.0, 20.0, 10.0]), scale="minmax")
    assert rescaled.between(0, 1).all()


#: The textbook's words in order of strength; small (小) and weak (弱) are not ordered by the textbook.
WORD_RANK = {
    "none (无)": 0,
    "none or weak (无或弱)": 0.5,
    "weak (弱)": 1,
    "small (小)": 1,
    "moderate (一般)": 2,
    "fairly strong (较强)": 3,
    "strong (强)": 4,
}


def test_intention_table_reads_like_the_textbook():
    words = intentions_by_stage(level_names=True)
    assert words.loc["identification", "repeat_purchase"] == "moderate (一般)"
    assert words.loc["identification", "price_tolerance"] == "small (小)"  # not "weak": the textbook's word
    assert words.loc["development", "cross_buying"] == "weak (弱)"
    assert words.loc["development", "referral"] == "none or weak (无或弱)"
    assert (words.loc["stable"] == "strong (强)").all()
    numbers = intentions_by_stage()
    # every intention strengthens as the relationship matures
    assert (numbers.diff().dropna() >= 0).all().all()
    assert ((numbers >= 0) & (numbers <= 1)).all().all()
    # a stronger word never has a smaller number, and "none" is 0
    cells = [(WORD_RANK[words.loc[s, i]], numbers.loc[s, i]) for s in numbers.index for i in numbers.columns]
    for rank, number in cells:
        assert (number == 0) == (rank == 0)
        assert all(number < other for other_rank, other in cells if other_rank > rank)


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


def test_the_tables_import_without_the_purchase_models():
    # the simulation reads the tables at import: crm_theory must not load scipy and the models with them
    import subprocess
    import sys

    code = (
        "import sys, crm_theory.loyalty, crm_theory.lifecycle\n"
        "assert 'scipy' not in sys.modules, 'scipy imported'\n"
        "import crm_theory.predictive_clv\n"
        "from crm_theory import BetaGeoModel, purchase_summary\n"
        "assert not isinstance(purchase_summary, type(sys)), 'the module, not the function'\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
