"""The sales-opportunity pipeline (crm_theory.pipeline): a hand-worked funnel, forecasts, clear errors."""

import pandas as pd
import pytest

import crm_theory as crm
from crm_theory.errors import DataError

STAGES = ["lead", "qualified", "proposal", "negotiation"]


@pytest.fixture
def closed():
    # 10 closed deals: 4 lost as leads, 2 lost once qualified, 1 lost at the proposal, 3 won
    stages = ["lead"] * 4 + ["qualified"] * 2 + ["proposal"] + ["negotiation"] * 3
    outcomes = ["lost"] * 7 + ["won"] * 3
    return pd.DataFrame({"stage": stages, "outcome": outcomes})


def test_a_hand_worked_funnel(closed):
    funnel = crm.stage_funnel(closed, STAGES)
    assert funnel["reached"].tolist() == [10, 6, 4, 3]
    assert funnel["went_on"].tolist() == [6, 4, 3, 3]
    assert funnel["conversion"].tolist() == pytest.approx([0.6, 4 / 6, 0.75, 1.0])
    assert funnel["win_probability"].tolist() == pytest.approx([0.3, 0.5, 0.75, 1.0])
    # the win probability of the first stage is the overall win rate, the product of the conversions
    assert funnel["conversion"].prod() == pytest.approx(crm.win_rate(closed["outcome"])) == pytest.approx(0.3)


def test_weighted_pipeline_value(closed):
    probability = crm.stage_funnel(closed, STAGES)["win_probability"]
    open_deals = pd.DataFrame(
        {"stage": ["lead", "lead", "proposal", "negotiation"], "amount": [100.0, 300.0, 200.0, 50.0]}
    )
    table = crm.weighted_pipeline(open_deals, probability)
    assert table["deals"].tolist() == [2, 0, 1, 1]
    assert table["weighted_value"].sum() == pytest.approx(400 * 0.3 + 200 * 0.75 + 50 * 1.0)
    assert table.loc["qualified", "amount"] == 0


def test_win_rate_and_sales_cycle_ignore_what_is_still_open():
    assert crm.win_rate(["won", "lost", "open", None, "won"]) == pytest.approx(2 / 3)
    opened, closed_week = [1, 2, 5, 7], [5, 10, 6, None]
    outcomes = ["won", "lost", "won", None]
    assert crm.sales_cycle(opened, closed_week, outcomes) == pytest.approx((4 + 1) / 2)
    assert crm.sales_cycle(opened, closed_week, statistic="median") == pytest.approx(4)
    days = crm.sales_cycle(pd.to_datetime(["2024-01-01"]), pd.to_datetime(["2024-01-15"]))
    assert days == pd.Timedelta(days=14)


def test_bad_input_is_refused_with_a_clear_message(closed):
    with pytest.raises(DataError, match=r"\['closing'\] that are not among"):
        crm.stage_funnel(closed.assign(stage="closing"), STAGES)
    with pytest.raises(DataError, match="stages must list each stage once"):
        crm.stage_funnel(closed, ["lead", "lead"])
    with pytest.raises(DataError, match="no closed opportunity"):
        crm.win_rate(["open", "open"])
    with pytest.raises(DataError, match="win_probability must lie between 0 and 1"):
        crm.weighted_pipeline(pd.DataFrame({"stage": ["lead"], "amount": [1.0]}), {"lead": 30})
    with pytest.raises(DataError, match="closes before it opens"):
        crm.sales_cycle([5], [3])
