"""The observed lifecycle stage: one classifier, for the simulated firm (incremental) and for logs."""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.lifecycle import (
    CALIBRATED_THRESHOLDS,
    LIFECYCLE_STAGES,
    OBSERVED_STAGES,
    StageThresholds,
    classify_stage,
    observed_stage,
    smooth_spend,
    stage_agreement,
)

RULES = CALIBRATED_THRESHOLDS
CODE = {label: code for code, label in enumerate(LIFECYCLE_STAGES)}


def test_stages_are_in_the_simulations_code_order():
    from simulation.stages import Stage

    assert LIFECYCLE_STAGES == ("prospect", "identification", "development", "stable", "decline", "lost")
    assert LIFECYCLE_STAGES == tuple(stage.name.lower() for stage in Stage)
    assert OBSERVED_STAGES == LIFECYCLE_STAGES[1:]


def test_the_calibrated_thresholds():
    assert dataclasses.asdict(RULES) == {
        "fast_smoothing": 0.15,
        "slow_smoothing": 0.04,
        "lapsed_after_weeks": 16,
        "new_customer_weeks": 12,
        "stable_after_weeks": 20,
        "stable_purchases": 4,
        "decline_spend_ratio": 0.4,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fast_smoothing": 0.0}, r"fast_smoothing must be in \(0, 1\]"),
        ({"fast_smoothing": 1.5}, r"fast_smoothing must be in \(0, 1\]"),
        ({"slow_smoothing": 0.2}, "slow_smoothing .* must be below fast_smoothing"),
        ({"lapsed_after_weeks": -1}, "lapsed_after_weeks must be >= 0 weeks"),
        ({"new_customer_weeks": float("nan")}, "new_customer_weeks must be a finite number"),
        ({"stable_purchases": 2.5}, "stable_purchases must be a whole number >= 1"),
        ({"stable_purchases": 0}, "stable_purchases must be a whole number >= 1"),
        ({"decline_spend_ratio": 1.0}, r"decline_spend_ratio must be in \(0, 1\)"),
        ({"stable_after_weeks": "20"}, "stable_after_weeks must be a finite number, got '20'"),
        ({"stable_after_weeks": True}, "stable_after_weeks must be a finite number"),
    ],
)
def test_thresholds_are_validated_with_the_field_named(change, message):
    with pytest.raises(ValueError, match=message):
        StageThresholds(**change)


def test_smooth_spend_is_one_week_of_exponential_smoothing():
    assert smooth_spend(0.0, 10.0, 0.15) == pytest.approx(1.5)
    assert smooth_spend(1.0, 0.0, 0.15) == pytest.approx(0.85)
    # the fast average halves in about 4 weeks without a purchase, the slow one in about 17
    fast, slow = 1.0, 1.0
    for _ in range(4):
        fast = smooth_spend(fast, 0.0, RULES.fast_smoothing)
    for _ in range(17):
        slow = smooth_spend(slow, 0.0, RULES.slow_smoothing)
    assert fast == pytest.approx(0.5, abs=0.03) and slow == pytest.approx(0.5, abs=0.02)
    arrays = smooth_spend(np.array([0.0, 1.0]), np.array([10.0, 0.0]), 0.15)
    np.testing.assert_allclose(arrays, [1.5, 0.85])


def classify_one(week, first, last, purchases, fast, slow, rules=RULES):
    """The rules as the documentation states them, for one customer (an independent statement)."""
    if purchases == 0:
        return "prospect"
    tenure, recency = week - first, week - last
    if recency > rules.lapsed_after_weeks:
        return "lost"
    if tenure < rules.new_customer_weeks or purchases < 2:
        return "identification"
    if fast < rules.decline_spend_ratio * slow:
        return "decline"
    if tenure >= rules.stable_after_weeks and purchases >= rules.stable_purchases:
        return "stable"
    return "development"


def test_each_rule_and_its_priority():
    week = 100
    cases = {  # first, last, purchases, fast, slow -> stage
        "never bought": ((-1, -1, 0, 0.0, 0.0), "prospect"),
        "long and frequent": ((60, 100, 30, 10.0, 10.0), "stable"),
        "tenure 20, 4 purchases": ((80, 99, 4, 10.0, 10.0), "stable"),
        "tenure 19": ((81, 99, 10, 10.0, 10.0), "development"),
        "3 purchases": ((50, 99, 3, 10.0, 10.0), "development"),
        "spend fell below 40%": ((50, 95, 20, 3.9, 10.0), "decline"),
        "spend at exactly 40%": ((50, 95, 20, 4.0, 10.0), "stable"),
        "new and falling": ((89, 95, 5, 1.0, 10.0), "identification"),
        "tenure 12": ((88, 99, 5, 10.0, 10.0), "development"),
        "one purchase long ago, recently": ((84, 84, 1, 1.0, 1.0), "identification"),
        "silent for 16 weeks": ((10, 84, 40, 1.0, 10.0), "decline"),
        "silent for 17 weeks": ((10, 83, 40, 1.0, 10.0), "lost"),
        "one purchase, silent": ((70, 70, 1, 0.1, 0.5), "lost"),
    }
    columns = list(zip(*(inputs for inputs, _ in cases.values()), strict=True))
    dtypes = [np.int32] * 3 + [float] * 2
    arrays = [np.array(column, dtype=dtype) for column, dtype in zip(columns, dtypes, strict=True)]
    codes = classify_stage(week, *arrays)
    assert codes.dtype == np.int8
    got = dict(zip(cases, (LIFECYCLE_STAGES[code] for code in codes), strict=True))
    assert got == {name: stage for name, (_, stage) in cases.items()}
    for name, (inputs, stage) in cases.items():
        assert classify_one(week, *inputs) == stage, name


def test_the_classifier_follows_its_documented_rules_on_random_customers():
    rng = np.random.default_rng(5)
    n, week = 5000, 104
    first = rng.integers(0, 105, n)
    last = np.minimum(week, first + rng.integers(0, 105, n))
    purchases = np.where(rng.random(n) < 0.1, 0, 1 + rng.integers(0, 40, n))
    first[purchases == 0] = last[purchases == 0] = -1
    slow = rng.gamma(2.0, 5.0, n) * (purchases > 0)
    fast = slow * rng.uniform(0.0, 2.0, n)
    rules = StageThresholds(lapsed_after_weeks=10, new_customer_weeks=5, stable_purchases=6)
    for thresholds in (RULES, rules):
        codes = classify_stage(week, first, last, purchases, fast, slow, thresholds)
        rows = zip(first, last, purchases, fast, slow, strict=True)
        expected = [classify_one(week, *row, thresholds) for row in rows]
        assert [LIFECYCLE_STAGES[code] for code in codes] == expected
        known = np.flatnonzero(purchases > 0)
        again = classify_stage(week, first, last, purchases, fast, slow, thresholds, known=known)
        np.testing.assert_array_equal(again, codes)


def test_arrays_of_different_lengths_are_refused_by_name():
    with pytest.raises(ValueError, match=r"spend_slow has shape \(2,\), but purchases has shape \(3,\)"):
        classify_stage(10, np.zeros(3), np.zeros(3), np.ones(3), np.zeros(3), np.zeros(2))


# ---------------------------------------------------------------------------------------------------
# From a transaction log


def test_a_steady_weekly_buyer_in_a_log():
    log = pd.DataFrame({"customer_id": 7, "week": range(0, 41), "amount": 10.0})
    row = observed_stage(log, 40).loc[7]
    assert row["stage"] == "stable"
    assert (row["tenure_weeks"], row["weeks_since_last"], row["purchase_weeks"]) == (40, 0, 41)
    # s = a * sum over 41 weeks of (1 - a)^k * 10 = 10 (1 - (1 - a)^41)
    assert row["spend_fast"] == pytest.approx(10 * (1 - 0.85**41))
    assert row["spend_slow"] == pytest.approx(10 * (1 - 0.96**41))


def test_stages_from_hand_made_histories():
    weeks = {
        1: range(95, 101),  # six weeks old
        2: range(70, 101, 2),  # 30 weeks, every other week
        3: [*range(40, 90), 95],  # bought every week, then almost stopped
        4: range(10, 80),  # silent for 20 weeks
        5: range(86, 101, 3),  # tenure 14, five purchases
    }
    log = pd.DataFrame(
        [(customer, week, 10.0) for customer, purchase_weeks in weeks.items() for week in purchase_weeks],
        columns=["customer_id", "week", "amount"],
    )
    stages = observed_stage(log, 100)
    assert stages["stage"].to_dict() == {
        1: "identification",
        2: "stable",
        3: "decline",
        4: "lost",
        5: "development",
    }
    assert stages.loc[4, "weeks_since_last"] == 21
    assert list(stages.columns) == [
        "stage",
        "tenure_weeks",
        "weeks_since_last",
        "purchase_weeks",
        "spend_fast",
        "spend_slow",
    ]
    assert stages.attrs["analysis_date"] == "week 100"


def test_several_transactions_in_a_week_are_one_purchase_week_with_their_total_spend():
    split = pd.DataFrame({"customer_id": 1, "week": [3, 3, 5], "amount": [4.0, 6.0, 10.0]})
    whole = pd.DataFrame({"customer_id": 1, "week": [3, 5], "amount": [10.0, 10.0]})
    pd.testing.assert_frame_equal(observed_stage(split, 8), observed_stage(whole, 8))
    assert observed_stage(split, 8).loc[1, "purchase_weeks"] == 2


def test_later_transactions_are_excluded_with_a_warning():
    log = pd.DataFrame({"customer_id": [1, 1, 2], "week": [1, 30, 40], "amount": 5.0})
    with pytest.warns(ExcludedRowsWarning, match="2 transactions excluded: after the analysis date week 20"):
        stages = observed_stage(log, 20)
    assert stages.index.tolist() == [1]
    assert stages.loc[1, "weeks_since_last"] == 19
    with (
        pytest.warns(ExcludedRowsWarning),
        pytest.raises(DataError, match="no transactions on or before the analysis date week 0"),
    ):
        observed_stage(log, 0)


def test_date_logs_count_whole_weeks_from_the_first_date():
    rng = np.random.default_rng(3)
    n = 600
    week_log = pd.DataFrame(
        {"customer_id": rng.integers(0, 40, n), "week": rng.integers(0, 60, n), "amount": rng.gamma(2, 5, n)}
    )
    week_log.loc[0, "week"] = 0
    start = pd.Timestamp("2023-03-01")  # a Wednesday: the log's weeks run from Wednesday to Tuesday
    day_in_week = rng.integers(0, 7, n)
    day_in_week[0] = 0  # the first date in the log
    date_log = week_log.drop(columns="week").assign(
        date=start + pd.to_timedelta(7 * week_log["week"] + day_in_week, unit="D")
    )
    last_day_of_week_59 = start + pd.Timedelta(days=7 * 60 - 1)
    by_date = observed_stage(date_log, last_day_of_week_59)
    pd.testing.assert_frame_equal(by_date, observed_stage(week_log, 59), check_dtype=False)
    assert by_date.attrs["analysis_date"] == "2024-04-23"


def test_observed_stage_wants_stage_thresholds():
    log = pd.DataFrame({"customer_id": [1], "week": [1], "amount": [5.0]})
    with pytest.raises(TypeError, match="rules must be a StageThresholds, got dict"):
        observed_stage(log, rules={"lapsed_after_weeks": 10})
    stricter = observed_stage(log, 9, rules=StageThresholds(lapsed_after_weeks=5)).loc[1, "stage"]
    assert stricter == "lost"


# ---------------------------------------------------------------------------------------------------
# On a simulated market: the firm's incremental view and the log agree; the stages are mostly right


@pytest.fixture(scope="module")
def simulated_run():
    from simulation import run_simulation

    return run_simulation("stage_based", seed=0, engine="vector", n_people=2500, weeks=104)


def replay_firm_records(transactions: pd.DataFrame, n_people: int, weeks: int, check_at):
    """Replay a run's purchases week by week as the simulated firm books them, classifying at `check_at`."""
    first = np.full(n_people, -1, dtype=np.int32)
    last = np.full(n_people, -1, dtype=np.int32)
    purchases = np.zeros(n_people, dtype=np.int32)
    fast, slow = np.zeros(n_people), np.zeros(n_people)
    by_week = dict(tuple(transactions.groupby("week")))
    views = {}
    for week in range(weeks + 1):
        spend = np.zeros(n_people)
        if week in by_week:
            spend[by_week[week]["customer_id"].to_numpy()] = by_week[week]["amount"].to_numpy()
        buyers = np.flatnonzero(spend > 0)
        first[buyers[first[buyers] < 0]] = week
        last[buyers] = week
        purchases[buyers] += 1
        known = np.flatnonzero(purchases > 0)  # the firm smooths only the spend of people who ever bought
        fast[known] = smooth_spend(fast[known], spend[known], RULES.fast_smoothing)
        slow[known] = smooth_spend(slow[known], spend[known], RULES.slow_smoothing)
        if week in check_at:
            stage = classify_stage(week, first, last, purchases, fast, slow, known=known)
            views[week] = (stage, fast.copy(), slow.copy(), purchases.copy())
    return views


def test_the_log_gives_the_stages_the_firms_incremental_records_give(simulated_run):
    transactions = simulated_run.transactions
    check_at = (8, 30, 61, 104)
    views = replay_firm_records(transactions, 2500, 104, check_at)
    for week in check_at:
        stage, fast, slow, purchases = views[week]
        if week < 104:
            with pytest.warns(ExcludedRowsWarning, match="after the analysis date"):
                from_log = observed_stage(transactions, week)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                from_log = observed_stage(transactions, week)
        ids = from_log.index.to_numpy()
        assert np.array_equal(purchases > 0, np.isin(np.arange(2500), ids)), week  # the log knows the buyers
        assert (stage[purchases == 0] == CODE["prospect"]).all()
        assert from_log["stage"].tolist() == [LIFECYCLE_STAGES[code] for code in stage[ids]], week
        np.testing.assert_allclose(from_log["spend_fast"], fast[ids], rtol=1e-12, atol=0)
        np.testing.assert_allclose(from_log["spend_slow"], slow[ids], rtol=1e-12, atol=0)
        assert (from_log["purchase_weeks"].to_numpy() == purchases[ids]).all()


def test_the_classifier_names_most_true_stages_of_a_simulated_market(simulated_run):
    customers = simulated_run.customers.set_index("customer_id")
    observed = observed_stage(simulated_run.transactions, 104)
    agreement = stage_agreement(observed["stage"], customers["stage"])
    # everyone who bought is compared, and everyone who was ever a customer bought
    assert agreement.n_compared == len(observed) == len(customers)
    assert agreement.only_observed == 0 and agreement.only_true == 0
    # measured 0.744 and 0.623 at commit b2ffc71 (0.679 and 0.533 before the engine rebuild); more seeds
    # and per stage in docs/observed-stage.md
    assert agreement.accuracy >= 0.6
    assert agreement.kappa >= 0.4
    assert agreement.per_stage.loc["lost", "recall"] > 0.85


# ---------------------------------------------------------------------------------------------------
# Agreement with a known truth


def test_stage_agreement_by_hand():
    observed = pd.Series({1: "stable", 2: "decline", 3: "lost", 4: "stable", 9: "development"})
    true = pd.Series({1: "stable", 2: "stable", 3: "lost", 4: "stable", 5: "prospect"})
    agreement = stage_agreement(observed, true)
    assert agreement.n_compared == 4 and agreement.only_observed == 1 and agreement.only_true == 1
    assert agreement.accuracy == pytest.approx(0.75)
    assert agreement.confusion.loc["stable", "decline"] == 1
    assert agreement.confusion.loc["stable", "stable"] == 2
    # chance agreement: true stable 3/4 x observed stable 2/4 + lost 1/4 x 1/4 = 7/16
    assert agreement.kappa == pytest.approx((0.75 - 7 / 16) / (1 - 7 / 16))
    assert agreement.per_stage.loc["stable", "recall"] == pytest.approx(2 / 3)
    assert list(agreement.confusion.index[:5]) == list(OBSERVED_STAGES)


def test_stage_agreement_needs_common_customers():
    with pytest.raises(DataError, match="share no customer_id"):
        stage_agreement(pd.Series({1: "stable"}), pd.Series({2: "stable"}))
