"""Each update rule, and the promise that the rules run in Python (agents) and compiled (vector) agree
exactly."""

from types import SimpleNamespace

import numpy as np
import pytest

from simulation import rules
from simulation.kernels import people_week
from simulation.parameters import Parameters
from simulation.population import initial_state
from simulation.random_streams import acquisition_draw, customer_draws, stream_key
from simulation.stages import Action, Stage
from simulation.state import OUTCOME_FIELDS, STATE_NAMES, new_outcomes

P = Parameters()
RP = rules.rule_parameters(P)


def test_satisfaction_compares_outcome_with_expectation():
    # S <- lambda S + (1 - lambda)(v - E)
    assert rules.update_satisfaction(0.1, 0.5, 0.2, 0.8) == pytest.approx(0.8 * 0.1 + 0.2 * 0.3)
    assert rules.update_satisfaction(0.0, 0.0, 0.3, 0.8) < 0  # worse than expected: dissatisfied


def test_expectations_rise_after_good_service_and_fall_after_poor():
    assert rules.update_expectation(0.0, 1.0, 0.1) == pytest.approx(0.1)
    assert rules.update_expectation(0.5, 0.0, 0.1) == pytest.approx(0.45)


def test_trust_is_lost_faster_than_gained_and_stays_in_unit_interval():
    gain = rules.update_trust(0.5, 0.3, 0.3, 0.25, 0.04, 3.0) - 0.5
    loss = 0.5 - rules.update_trust(0.5, -1.0, 0.3, 0.25, 0.04, 3.0)
    assert loss == pytest.approx(3 * gain)
    for trust in np.linspace(0, 1, 11):
        for experienced in (-5.0, 5.0):
            assert 0 <= rules.update_trust(trust, experienced, 0.0, 0.25, 1.0, 10.0) <= 1


def test_small_shortfalls_inside_the_zone_of_tolerance_still_build_trust():
    assert rules.update_trust(0.5, 0.1, 0.3, 0.25, 0.04, 3.0) > 0.5
    assert rules.update_trust(0.5, 0.0, 0.3, 0.25, 0.04, 3.0) < 0.5


def test_switching_cost_saturates_below_its_ceiling():
    cost = 0.0
    for _ in range(2000):
        cost = rules.update_switching_cost(cost, 0.05, 1.0, 1.0)
    assert 0.99 < cost < 1.0
    assert rules.update_switching_cost(0.5, 0.1, 2.0, 1.0) > rules.update_switching_cost(0.5, 0.1, 1.0, 1.0)
    # a gain larger than the ceiling reaches it, never overshoots (it used to diverge)
    assert rules.update_switching_cost(0.004, 0.03, 1.0, 0.01) == 0.01


def test_price_tolerant_customers_discount_the_competitors_promotion():
    tolerant = rules.alternative_value(0.0, 0.0, 0.8, price_tolerance=0.9)
    sensitive = rules.alternative_value(0.0, 0.0, 0.8, price_tolerance=0.1)
    assert tolerant < sensitive


def test_determinant_weights_shift_from_value_and_satisfaction_to_trust_and_switching_cost():
    # Reference §3: identification - value; development - satisfaction; stable - trust, switching cost.
    weights = {
        stage: rules.DETERMINANT_WEIGHTS[stage]
        for stage in (Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE)
    }
    value, satisfaction, trust, switching = (np.array([weights[s][k] for s in weights]) for k in range(4))
    assert value.argmax() == 0 and satisfaction.argmax() == 1
    assert trust.argmax() == 2 and switching.argmax() == 2
    assert weights[Stage.STABLE][3] > weights[Stage.STABLE][1]  # lock-in beats satisfaction when stable


def test_attractiveness_uses_the_weights_of_the_stage():
    a_stable = rules.attractiveness(0.0, 0.0, 0.0, 0.5, 1.0, Stage.STABLE)
    a_new = rules.attractiveness(0.0, 0.0, 0.0, 0.5, 1.0, Stage.IDENTIFICATION)
    assert a_stable == pytest.approx(rules.DETERMINANT_WEIGHTS[Stage.STABLE][3])
    assert a_stable > a_new  # the same switching cost binds a stable customer more


def test_loyalty_is_an_increasing_function_into_the_unit_interval():
    x = np.linspace(-10, 10, 201)
    loyal = np.array([rules.loyalty(v, 3.0) for v in x])
    assert np.all(np.diff(loyal) > 0) and np.all((loyal > 0) & (loyal < 1))
    assert rules.loyalty(0.0, 3.0) == 0.5


def test_intentions_follow_the_textbook_table_and_fade_in_decline():
    strength = np.array(rules.INTENTION_STRENGTH)
    # every intention grows from identification to development to stable (the textbook's table, §2)
    assert np.all(np.diff(strength[[Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE]], axis=0) >= 0)
    # no cross-buying or referral intention in identification
    assert strength[Stage.IDENTIFICATION][2] == 0 and strength[Stage.IDENTIFICATION][3] == 0
    assert rules.update_intention(0.6, Stage.DECLINE, 0, 1.0, 0.2, 0.85) == pytest.approx(0.51)
    assert rules.update_intention(0.0, Stage.STABLE, 3, 1.0, 0.2, 0.85) > 0


def test_basket_splits_weekly_need_over_purchase_occasions_and_grows_with_cross_buying():
    assert rules.basket(20.0, 0.5, 0, 0.25, 1.0) == pytest.approx(40.0)
    assert rules.basket(20.0, 0.5, 2, 0.25, 1.0) == pytest.approx(60.0)


def test_acquisition_combines_offer_word_of_mouth_and_self_selection():
    base = rules.acquisition_probability(0.01, False, 0.05, 0.0, 1.0)
    assert base == pytest.approx(0.01)
    assert rules.acquisition_probability(0.01, True, 0.05, 0.0, 1.0) > base
    assert rules.acquisition_probability(0.01, False, 0.05, 0.2, 1.0) > base
    assert rules.acquisition_probability(0.01, True, 0.05, 0.2, 0.1) < base + 0.05  # dislikes the firm
    assert rules.acquisition_probability(0.9, True, 0.9, 0.9, 2.0) == 1.0


def test_win_back_works_only_where_trust_remains():
    assert rules.return_probability(0.0, True, 0.2, 0.0) == 0.0
    assert rules.return_probability(0.0, True, 0.2, 1.0) == pytest.approx(0.2)


def test_referral_conversion_counts_each_recommendation_as_an_independent_chance():
    table = [rules.referral_conversion(0.1, k) for k in range(4)]
    np.testing.assert_allclose(table, [0.0, 0.1, 0.19, 0.271])


def _population(n, seed):
    """A population in every stage with varied state (a record array), and varied firm inputs."""
    rng = np.random.default_rng(seed)
    p = P.replace(n_people=n)
    state = initial_state(p, rng)
    state["stage"] = rng.integers(0, 6, n)
    for name in ("satisfaction", "expectation", "perceived_value", "service_level", "need_shift"):
        state[name] = rng.normal(0, 0.3, n)
    for name in (
        "trust",
        "switching_cost",
        "share_of_wallet",
        "repeat_purchase",
        "price_tolerance",
        "cross_buying",
        "referral",
    ):
        state[name] = rng.random(n)
    state["decline_start_stage"] = rng.integers(1, 4, n)
    state["satisfied_weeks"] = rng.integers(0, 8, n)
    state["cross_sells"] = rng.integers(0, 4, n)
    state["loyalty_member"] = rng.integers(0, 2, n)
    state["talked"] = rng.random(n) < 0.3
    firm = (rng.integers(0, len(Action), n).astype(np.int8), rng.random(n), rng.random(n) * 0.1)
    return state, firm


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_python_rules_and_the_compiled_loop_give_bit_identical_weeks(seed):
    n = 600
    state, (actions, offer_fit, learning_gain) = _population(n, seed)
    market = rules.Market(17, 0.1, 0.8)
    key = stream_key(seed)
    referral_table = np.array([rules.referral_conversion(0.08, k) for k in range(n)])
    before = state.copy()
    outcomes = new_outcomes(n)
    no_neighbours = np.zeros(n + 1, dtype=np.int64)
    people_week(
        state,
        outcomes,
        key[0],
        key[1],
        market,
        RP,
        actions,
        offer_fit,
        learning_gain,
        referral_table,
        no_neighbours,
        np.zeros(0, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )
    for i in range(n):
        person = SimpleNamespace(**{name: before[name][i].item() for name in STATE_NAMES})
        stage = person.stage
        if stage in (Stage.PROSPECT, Stage.LOST):
            x = rules.FirmInputs(
                int(actions[i]),
                float(offer_fit[i]),
                float(learning_gain[i]),
                referral_table[0] if stage == Stage.PROSPECT else 0.0,
            )
            rule = rules.prospect_week if stage == Stage.PROSPECT else rules.lost_week
            happened, responded, spend = rule(person, acquisition_draw(*key, i, market.week), x, market, RP)
            assert outcomes["acquired" if stage == Stage.PROSPECT else "returned"][i] == happened
        else:
            x = rules.FirmInputs(int(actions[i]), float(offer_fit[i]), float(learning_gain[i]), 0.0)
            d = rules.Draws(
                *customer_draws(*key, i, market.week, RP.value_noise, RP.amount_noise, person.purchase_rate)
            )
            spend, competitor_spend, responded, lost = rules.customer_week(person, d, x, market, RP)
            assert (outcomes["competitor_spend"][i], outcomes["became_lost"][i]) == (competitor_spend, lost)
        assert (outcomes["spend"][i], outcomes["responded"][i]) == (spend, responded), i
        for name in STATE_NAMES:
            assert state[name][i] == getattr(person, name), (name, Stage(stage), i)
    assert {f.name for f in OUTCOME_FIELDS} <= set(outcomes.dtype.names)


def test_stages_are_passed_in_order():
    n = 3000
    state, _ = _population(n, 9)
    key = stream_key(9)
    allowed = {
        Stage.PROSPECT: {Stage.PROSPECT, Stage.IDENTIFICATION},
        Stage.IDENTIFICATION: {Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.DECLINE},
        Stage.DEVELOPMENT: {Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE},
        Stage.STABLE: {Stage.STABLE, Stage.DECLINE},
        Stage.DECLINE: {Stage.DECLINE, Stage.LOST, Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE},
        Stage.LOST: {Stage.LOST, Stage.IDENTIFICATION},
    }
    market = rules.Market(5, 0.0, 0.8)
    x = rules.FirmInputs(int(Action.WIN_BACK), 0.5, 0.0, 0.3)
    for i in range(n):
        person = SimpleNamespace(**{name: state[name][i].item() for name in STATE_NAMES})
        before = Stage(person.stage)
        if before == Stage.PROSPECT:
            rules.prospect_week(person, acquisition_draw(*key, i, 5), x, market, RP)
        elif before == Stage.LOST:
            rules.lost_week(person, acquisition_draw(*key, i, 5), x, market, RP)
        else:
            d = rules.Draws(*customer_draws(*key, i, 5, 0.3, 0.3, person.purchase_rate))
            rules.customer_week(person, d, x, market, RP)
        after = Stage(person.stage)
        assert after in allowed[before], (before, after)
        if before == Stage.DECLINE and after not in (Stage.DECLINE, Stage.LOST):
            assert after == state["decline_start_stage"][i]  # recovery returns to where decline began


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_passing_over_idle_prospects_changes_nothing(seed):
    # people_week with the index of prospects skips the records of prospects whose draw rules out
    # acquisition; every number must be as if it had read them, week after week.
    n = 3000
    state, (actions, offer_fit, learning_gain) = _population(n, seed)
    state["stage"][: n // 2] = Stage.PROSPECT  # many prospects, as in a real market
    rng = np.random.default_rng(seed)
    key = stream_key(seed)
    referral_table = np.array([rules.referral_conversion(0.3, k) for k in range(n)])
    # a generous baseline and strong offers, so that prospects are acquired every week
    parameters = rules.rule_parameters(P.replace(baseline_acquisition_rate=0.05, acquisition_response=0.4))
    neighbour_start = np.arange(0, 2 * n + 1, 2, dtype=np.int64)
    neighbours = rng.integers(0, n, 2 * n).astype(np.int64)
    runs = []
    for with_index in (False, True):
        s, outcomes = state.copy(), new_outcomes(n)
        recommendations, next_recommendations = np.zeros(n, np.int64), np.zeros(n, np.int64)
        prospects = s["stage"] == Stage.PROSPECT if with_index else None
        weeks = []
        for week in range(1, 9):
            market = rules.Market(week, 0.1 * week, 0.5 if week % 3 == 0 else 0.0)
            totals = people_week(
                s,
                outcomes,
                key[0],
                key[1],
                market,
                parameters,
                actions,
                offer_fit,
                learning_gain,
                referral_table,
                neighbour_start,
                neighbours,
                recommendations,
                next_recommendations,
                prospects=prospects,
            )
            weeks.append((s.copy(), outcomes.copy(), totals, next_recommendations.copy()))
            if with_index:
                np.testing.assert_array_equal(prospects, s["stage"] == Stage.PROSPECT)
            recommendations, next_recommendations = next_recommendations, recommendations
            next_recommendations.fill(0)
        runs.append(weeks)
    acquired = sum(int(week[1]["acquired"].sum()) for week in runs[0])
    assert acquired > 50, "the test needs acquisitions to mean anything"
    for week, (plain, indexed) in enumerate(zip(*runs, strict=True), start=1):
        for a, b in zip(plain[:2], indexed[:2], strict=True):
            for name in a.dtype.names:
                np.testing.assert_array_equal(a[name], b[name], err_msg=f"week {week}: {name}")
        np.testing.assert_array_equal(plain[2], indexed[2], err_msg=f"week {week}: totals")
        np.testing.assert_array_equal(plain[3], indexed[3], err_msg=f"week {week}: recommendations")
