"""Erlang C staffing (crm_theory.call_centre): known answers, limits a planner relies on, clear errors."""

import math

import pytest

import crm_theory as crm


def erlang_c_by_factorials(load, agents):
    """The textbook formula with factorials, independent of the module's recursion (small cases only)."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    return top / (sum(load**k / math.factorial(k) for k in range(agents)) + top)


def test_the_industry_worked_example():
    # 100 calls in 30 minutes, 3-minute calls (10 Erlangs), target: 80% answered within 20 seconds.
    # Published answer (Call Centre Helper, "Erlang C formula - made simple"): 14 agents, 17.4% of callers
    # wait, service level 88.8%, average speed of answer 7.8 s.
    rate, handle = 100 / 1800, 180  # calls per second, seconds
    assert crm.offered_load(rate, handle) == pytest.approx(10)
    assert crm.probability_of_waiting(rate, handle, 14) == pytest.approx(0.1741, abs=5e-5)
    assert crm.service_level(rate, handle, 14, 20) == pytest.approx(0.8884, abs=5e-5)
    assert crm.mean_wait(rate, handle, 14) == pytest.approx(7.84, abs=5e-3)
    assert crm.agents_needed(rate, handle, 20, 0.8) == 14
    assert crm.service_level(rate, handle, 13, 20) < 0.8  # 13 agents are one too few


def test_closed_forms_for_small_systems():
    # M/M/1: the probability of waiting is the utilisation, the mean wait rho * h / (1 - rho)
    assert crm.probability_of_waiting(0.5, 1.0, 1) == pytest.approx(0.5)
    assert crm.mean_wait(0.5, 1.0, 1) == pytest.approx(1.0)
    # 2 Erlangs on 3 agents: C = 4/9 exactly
    assert crm.probability_of_waiting(2.0, 1.0, 3) == pytest.approx(4 / 9)
    assert crm.erlang_b(2.0, 3) == pytest.approx(4 / 19)
    for load, agents in [(0.3, 1), (4.2, 6), (9.5, 12), (17.0, 25)]:
        assert crm.probability_of_waiting(load, 1.0, agents) == pytest.approx(
            erlang_c_by_factorials(load, agents)
        )


def test_more_agents_always_mean_less_waiting():
    table = crm.staffing_table(300, 4 / 60, range(18, 35), target_time=20 / 3600)  # per hour, in hours
    stable = table[table["occupancy"] < 1]
    assert stable["probability_of_waiting"].is_monotonic_decreasing
    assert stable["mean_wait"].is_monotonic_decreasing
    assert stable["service_level"].is_monotonic_increasing
    assert table.attrs["offered_load"] == pytest.approx(20)
    assert table.loc[20, "service_level"] == 0 and math.isinf(table.loc[20, "mean_wait"])


def test_large_centres_do_not_overflow():
    # 900 Erlangs: factorials of 900 overflow a float; the recursion does not
    waiting = crm.probability_of_waiting(900, 1.0, 950)
    assert 0.05 < waiting < 0.08  # big centres run at high occupancy with little waiting (95% here)
    assert crm.agents_needed(900, 1.0, 0.01, 0.9) > 900


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="agents .* must exceed the offered load"):
        crm.probability_of_waiting(10, 1, 10)
    with pytest.raises(ValueError, match="arrival_rate must be a positive number"):
        crm.mean_wait(-1, 1, 3)
    with pytest.raises(ValueError, match="agents must be a whole number"):
        crm.service_level(1, 1, 2.5, 0.1)
    with pytest.raises(ValueError, match="target_level must lie strictly between 0 and 1"):
        crm.agents_needed(1, 1, 0.1, 80)
    with pytest.raises(ValueError, match="target_time must be"):
        crm.service_level(1, 1, 3, -1)
