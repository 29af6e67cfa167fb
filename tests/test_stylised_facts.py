"""The stylised facts of docs/crm-theory-reference.md (end of §8), on seeded runs of a few thousand people."""

import numpy as np
import pytest

from simulation import CustomerLifecycleModel
from simulation.analysis import completed_lifetimes, lifetime_volume_curve
from simulation.stages import Stage


def test_volume_over_completed_lifetimes_is_an_inverted_u(fidelity_run):
    done = completed_lifetimes(fidelity_run)
    assert len(done) > 300
    volume = lifetime_volume_curve(fidelity_run, done).to_numpy()
    peak = volume.argmax()
    assert 1 <= peak <= 3, volume  # low -> rising -> peak -> falling
    assert volume[peak] > 1.2 * volume[0] and volume[peak] > 1.5 * volume[4], volume
    # full lifecycles (through the stable stage) show it strongly
    full = lifetime_volume_curve(fidelity_run, done[done["stable_weeks"] > 0]).to_numpy()
    assert full[2] > 1.5 * full[0] and full[2] > 1.5 * full[4], full


def test_all_four_patterns_occur(fidelity_run):
    shares = fidelity_run.customers["pattern"].value_counts(normalize=True)
    for pattern in ("I", "II", "III", "IV"):
        assert shares.get(pattern, 0) > 0.02, shares


def test_many_defectors_were_satisfied_when_their_decline_began(fidelity_run):
    lost = fidelity_run.customers.query("stage == 'lost'")
    assert len(lost) > 200
    assert (lost["satisfaction_at_decline"] > 0).mean() > 0.2  # one in five or more (27% here)


def test_top_fifth_gives_60_to_85_percent_of_revenue_and_profit_is_more_concentrated(fidelity_run):
    c = fidelity_run.customers

    def top_fifth_share(values):
        ordered = np.sort(values)[::-1]
        return ordered[: int(np.ceil(0.2 * ordered.size))].sum() / ordered.sum()

    revenue_share = top_fifth_share(c["revenue"].to_numpy())
    assert 0.60 <= revenue_share <= 0.85
    assert top_fifth_share(c["profit"].to_numpy()) > revenue_share
    assert (c["profit"] < 0).any()  # the whale curve: some customers lose money


def retention_of_dissatisfied(strength):
    """Share of week-52 customers with negative satisfaction who are still customers at week 78."""
    model = CustomerLifecycleModel(
        strategy="stage_based",
        seed=77,
        engine="vector",
        n_people=3000,
        weeks=78,
        switching_cost_strength=strength,
    )
    model.run(weeks=52)
    state = model.people.state
    active = (state["stage"] >= Stage.IDENTIFICATION) & (state["stage"] <= Stage.DECLINE)
    unhappy = np.flatnonzero(active & (state["satisfaction"] < 0))
    result = model.run()
    still = (state["stage"][unhappy] >= Stage.IDENTIFICATION) & (state["stage"][unhappy] <= Stage.DECLINE)
    return still.mean(), result.metrics["retention_rate"].mean()


def test_switching_costs_raise_retention_even_of_dissatisfied_customers():
    low, low_overall = retention_of_dissatisfied(0.2)
    high, high_overall = retention_of_dissatisfied(3.0)
    assert high_overall > low_overall
    assert high > low + 0.05  # spurious loyalty: kept by the cost of leaving, not by satisfaction


@pytest.mark.parametrize("strength", [0.0, 1.0])
def test_retention_is_high_but_not_total(strength):
    model = CustomerLifecycleModel(
        seed=5, engine="vector", n_people=2000, weeks=104, switching_cost_strength=strength
    )
    weekly = model.run().metrics["retention_rate"]
    assert 0.95 < weekly.mean() < 0.9999
