"""Observed lifecycle stage from transactions, and its agreement with a known true stage."""

import numpy as np
import pandas as pd
import pytest

from crm_theory.errors import DataError
from crm_theory.lifecycle import OBSERVED_STAGES, StageRules, observed_stage, stage_agreement

END = 100  # analysis week


def weekly_spend(stage: str, week: int) -> float | None:
    """Spend per week of a customer whose true stage at week 100 is ``stage`` (None: no purchase that week).

    Shapes follow §2: low trial spend, a fast rise, a flat peak, a fall; a lost customer stops buying.
    """
    if stage == "identification":
        return 10.0 if week >= 84 else None
    if stage == "development":
        if week < 72:
            return None
        return 10.0 if week < 80 else 10.0 + 1.5 * (week - 80)
    if stage == "stable":
        if week < 10:
            return None
        return 10.0 if week < 20 else min(40.0, 10.0 + 1.5 * (week - 20))
    if stage == "decline":
        if week < 5:
            return None
        if week < 84:
            return 10.0 if week < 15 else min(40.0, 10.0 + 1.5 * (week - 15))
        return max(2.0, 40.0 - 2.5 * (week - 84))
    if stage == "lost":
        if week < 5 or week >= 70:
            return None
        return 10.0 if week < 15 else min(40.0, 10.0 + 1.5 * (week - 15))
    raise ValueError(stage)


def synthetic_log(per_stage: int, purchase_probability: float, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """A week log with known true stages; each week a customer buys with the given probability, spending
    their weekly rate / probability on average (so the expected spending path is the same)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], {}
    customer_id = 0
    for stage in OBSERVED_STAGES:
        for _ in range(per_stage):
            customer_id += 1
            truth[customer_id] = stage
            for week in range(1, END + 1):
                rate = weekly_spend(stage, week)
                if rate is not None and rng.random() < purchase_probability:
                    amount = rate / purchase_probability * rng.lognormal(-0.045, 0.3)
                    rows.append((customer_id, week, amount))
    log = pd.DataFrame(rows, columns=["customer_id", "week", "amount"])
    return log, pd.Series(truth, name="stage")


def test_each_stage_is_recognised_on_clean_weekly_buyers():
    log, truth = synthetic_log(per_stage=1, purchase_probability=1.0, seed=0)
    stages = observed_stage(log, END)
    assert stages["stage"].to_dict() == truth.to_dict()


def test_a_new_customer_is_in_identification_and_a_silent_one_is_lost():
    log = pd.DataFrame({"customer_id": [1, 2, 2], "week": [98, 10, 20], "amount": [5.0, 5.0, 5.0]})
    stages = observed_stage(log, END)
    assert stages.loc[1, "stage"] == "identification"
    assert stages.loc[2, "stage"] == "lost"
    assert stages.loc[2, "weeks_since_last"] == 80


def test_lost_threshold_adapts_to_a_customers_usual_gap():
    # buys every 10 weeks: 15 weeks of silence is normal for this customer, 45 is not
    log = pd.DataFrame({"customer_id": 1, "week": [5, 15, 25, 35, 45, 55, 65, 75, 85], "amount": 20.0})
    assert observed_stage(log, 100).loc[1, "stage"] != "lost"
    assert observed_stage(log, 130).loc[1, "stage"] == "lost"
    assert observed_stage(log, 100).loc[1, "lost_threshold_weeks"] == 40.0


def test_date_logs_are_read_in_weeks():
    log, _ = synthetic_log(per_stage=1, purchase_probability=1.0, seed=0)
    dated = log.assign(date=pd.Timestamp("2023-01-01") + pd.to_timedelta(7 * (log["week"] - 1), unit="D"))
    by_date = observed_stage(
        dated.drop(columns="week"), pd.Timestamp("2023-01-01") + pd.Timedelta(weeks=END - 1)
    )
    assert by_date["stage"].tolist() == observed_stage(log, END)["stage"].tolist()


def test_agreement_with_the_truth_on_noisy_purchase_logs():
    # purchases in about a third of the weeks, as in the simulation's defaults
    log, truth = synthetic_log(per_stage=40, purchase_probability=0.35, seed=1)
    agreement = stage_agreement(observed_stage(log, END)["stage"], truth)
    assert agreement.n_compared == 200
    assert agreement.accuracy > 0.7
    assert agreement.kappa > 0.6
    assert agreement.per_stage.loc["lost", "recall"] == 1.0
    assert agreement.confusion.to_numpy().sum() == 200


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


def test_rules_are_validated():
    with pytest.raises(ValueError, match="decline_ratio"):
        StageRules(decline_ratio=1.2)


def test_agreement_on_a_simulated_market():
    experiment = pytest.importorskip(
        "simulation.experiment", reason="the simulation package is not available"
    )
    result = experiment.run_simulation(seed=0)
    transactions, customers = result.transactions, result.customers.set_index("customer_id")
    observed = observed_stage(transactions)
    assert set(observed["stage"]) <= set(OBSERVED_STAGES)
    agreement = stage_agreement(observed["stage"], customers["stage"])
    # every customer who bought is compared; customers without a purchase are counted, not hidden
    assert agreement.n_compared == transactions["customer_id"].nunique()
    assert agreement.only_observed == 0
    assert agreement.n_compared + agreement.only_true == len(customers)
    assert set(customers["stage"]) <= set(OBSERVED_STAGES) | {"prospect"}
    # the firm sees only purchases, yet the observed stage agrees with the truth better than chance
    assert agreement.kappa > 0
