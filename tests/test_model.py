"""Output invariants, reproducibility, engines, the firm's information and the strategy interface."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulation import (
    Action,
    CustomerLifecycleModel,
    ParameterError,
    Stage,
    get_strategy,
    run_simulation,
    strategy_names,
)
from simulation.firm import FirmView, Plan
from simulation.outputs import CUSTOMER_COLUMNS, METRIC_COLUMNS
from simulation.stages import STAGE_LABELS
from simulation.state import OUTCOME_NAMES, STATE_NAMES


def test_metrics_have_one_row_per_week_and_the_documented_columns(default_run):
    m = default_run.metrics
    assert list(m.columns) == list(METRIC_COLUMNS)
    assert m["week"].tolist() == list(range(1, 105))


def test_stage_counts_sum_to_the_market_size_every_week(default_run):
    assert (default_run.metrics[list(STAGE_LABELS)].sum(axis=1) == 1000).all()


def test_shares_and_rates_stay_in_the_unit_interval_and_nothing_is_nan(default_run):
    m = default_run.metrics
    assert not m.isna().any().any()
    for column in ("retention_rate", "mean_share_of_wallet", "mean_trust"):
        assert m[column].between(0, 1).all(), column
    assert (m["mean_switching_cost"] >= 0).all()


def test_the_budget_is_never_exceeded_and_profit_adds_up(default_run):
    m = default_run.metrics
    assert (m["marketing_cost"] <= 0.15 * 1000 + 1e-9).all()
    orders = default_run.transactions.groupby("week").size().reindex(m["week"], fill_value=0).to_numpy()
    np.testing.assert_allclose(m["service_cost"], 1.5 * orders)
    np.testing.assert_allclose(m["profit"], 0.3 * m["revenue"] - m["service_cost"] - m["marketing_cost"])


def test_revenue_equals_the_transaction_log(default_run):
    tx = default_run.transactions
    assert list(tx.columns) == ["customer_id", "week", "amount"]
    assert (tx["amount"] > 0).all()
    weekly = tx.groupby("week")["amount"].sum().reindex(range(1, 105), fill_value=0.0)
    np.testing.assert_allclose(weekly.to_numpy(), default_run.metrics["revenue"].to_numpy())


def test_customer_table_agrees_with_transactions_and_stages(default_run):
    c = default_run.customers
    assert list(c.columns) == list(CUSTOMER_COLUMNS)
    assert c["customer_id"].is_unique
    revenue = default_run.transactions.groupby("customer_id")["amount"].sum()
    np.testing.assert_allclose(c.set_index("customer_id")["revenue"].reindex(revenue.index), revenue)
    assert set(c["stage"]) <= set(STAGE_LABELS) - {"prospect"}
    lost = c["stage"] == "lost"
    assert c.loc[lost, "lost_week"].notna().all() and c.loc[~lost, "lost_week"].isna().all()
    assert (c.loc[lost, "lost_week"] >= c.loc[lost, "acquired_week"]).all()
    last = default_run.metrics.iloc[-1]
    assert len(c) == 1000 - last["prospect"]


def test_customer_table_text_columns_are_what_pandas_makes_of_the_labels(default_run):
    # The table picks its labels by code (fast); a reader must get the very column pandas would build
    # from the labels themselves: the same dtype, the same values, and missing values where there is none.
    c = default_run.customers
    for column in ("stage", "decline_start_stage", "pattern"):
        as_pandas_builds_it = pd.Series(c[column].astype(object).where(c[column].notna(), None).tolist())
        pd.testing.assert_series_equal(
            c[column].reset_index(drop=True), as_pandas_builds_it, check_names=False, obj=column
        )
    assert c["pattern"].isna().any() and c["decline_start_stage"].isna().any()
    assert set(c["pattern"].dropna()) <= {"I", "II", "III", "IV"}
    assert (c["decline_start_stage"].isna() == c["satisfaction_at_decline"].isna()).all()


def test_same_seed_gives_identical_outputs_and_another_seed_does_not():
    a = run_simulation(seed=5, n_people=300, weeks=30)
    b = run_simulation(seed=5, n_people=300, weeks=30)
    c = run_simulation(seed=6, n_people=300, weeks=30)
    for name in ("metrics", "transactions", "customers"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert not a.transactions.equals(c.transactions)


def test_same_seed_gives_identical_files_in_another_process(tmp_path):
    code = (
        "from simulation import run_simulation; "
        f"run_simulation(seed=5, n_people=300, weeks=30).write(r'{tmp_path}')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    here = run_simulation(seed=5, n_people=300, weeks=30)
    there = pd.read_csv(tmp_path / "transactions.csv")
    pd.testing.assert_frame_equal(here.transactions, there, check_exact=True)
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    pd.testing.assert_frame_equal(here.metrics, metrics, check_exact=True, check_dtype=False)


@pytest.mark.parametrize("seed", [3, 11, 2024])
@pytest.mark.parametrize("strategy", strategy_names())
def test_both_engines_give_identical_results_for_every_strategy(strategy, seed):
    kwargs = dict(strategy=strategy, seed=seed, n_people=400, weeks=90)
    agents = CustomerLifecycleModel(engine="agents", **kwargs)
    vector = CustomerLifecycleModel(engine="vector", **kwargs)
    talked = declined = 0
    for _ in range(90):  # step side by side: every person's whole state must agree every week
        agents.step()
        vector.step()
        for name in STATE_NAMES + OUTCOME_NAMES:
            np.testing.assert_array_equal(agents.people.field(name), vector.people.field(name), err_msg=name)
        talked += int(vector.people.field("talked").sum())
        declined += int((vector.people.field("stage") == Stage.DECLINE).sum())
    a, v = agents.results(), vector.results()
    for name in ("metrics", "transactions", "customers", "actions", "category_spend"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(v, name), check_exact=True)
    # the paths that matter were exercised: word of mouth, decline, loss (and win-back where offered)
    assert talked > 0 and declined > 0 and a.metrics["lost_customers"].sum() > 0
    if strategy == "stage_based":
        assert a.metrics["won_back"].sum() > 0


def _user_strategy(view, plan):
    """A student's strategy: random prospects, then its own random draws for regulars."""
    plan.add(view.shuffled(view.in_stage(Stage.PROSPECT))[:30], Action.ACQUISITION_OFFER)
    regulars = view.in_stage(Stage.DEVELOPMENT, Stage.STABLE)
    plan.add(regulars[view.rng.random(regulars.size) < 0.5], Action.SERVICE, max_spend=20.0)


def test_both_engines_agree_for_a_user_strategy_with_its_own_draws():
    results = [
        run_simulation(_user_strategy, seed=5, engine=engine, n_people=300, weeks=60)
        for engine in ("agents", "vector")
    ]
    for name in ("metrics", "transactions", "customers", "actions", "category_spend"):
        pd.testing.assert_frame_equal(getattr(results[0], name), getattr(results[1], name), check_exact=True)


def test_word_of_mouth_brings_in_customers():
    quiet = run_simulation(
        strategy="none", seed=4, n_people=1500, weeks=60, engine="vector", referral_rate=0.0
    )
    talkative = run_simulation(
        strategy="none", seed=4, n_people=1500, weeks=60, engine="vector", referral_rate=0.5
    )
    assert talkative.metrics["new_customers"].sum() > 1.3 * quiet.metrics["new_customers"].sum()


def test_people_are_mesa_agents_on_a_network():
    model = CustomerLifecycleModel(seed=1, n_people=50, weeks=3)
    model.run()
    people = model.people.people
    assert len(people) == 50 and all(p.cell is not None for p in people)
    neighbours = {p.person_id: {n.person_id for n in p.neighbours} for p in people}
    assert sum(len(v) for v in neighbours.values()) > 0
    assert all(i in neighbours[j] for i, others in neighbours.items() for j in others)  # undirected
    assert {Stage(p.stage) for p in people} <= set(Stage)


def test_the_firm_sees_only_observables():
    latent = {
        "satisfaction",
        "trust",
        "switching_cost",
        "share_of_wallet",
        "expectation",
        "stage",
        "repeat_purchase",
        "price_tolerance",
        "cross_buying",
        "referral",
        "need",
    }
    fields = set(FirmView.__dataclass_fields__)
    assert not fields & latent

    seen = []

    def spy(view, plan):
        seen.append(view)
        assert not hasattr(view, "model")
        with pytest.raises(ValueError):
            view.purchases[0] = 1  # read-only records

    run_simulation(strategy=spy, seed=1, n_people=100, weeks=2)
    assert len(seen) == 2 and seen[1].week == 2


def test_a_student_strategy_is_a_plain_function():
    def pamper_regulars(view, plan):
        """Service for every customer seen in development or stable."""
        plan.add(view.in_stage(Stage.DEVELOPMENT, Stage.STABLE), Action.SERVICE)

    result = run_simulation(strategy=pamper_regulars, seed=2, n_people=400, weeks=40)
    assert result.strategy == "pamper_regulars"
    assert result.metrics["marketing_cost"].sum() > 0
    assert get_strategy(pamper_regulars).description.startswith("Service for every")


def test_plan_funds_in_order_within_budget_and_counts_the_rest():
    costs = {a.label: 2.0 for a in Action if a != Action.NONE}
    plan = Plan(10, budget=7.0, costs=costs)
    assert plan.add([4, 2, 9, 1], Action.SERVICE) == 3
    assert plan.actions[[4, 2, 9]].tolist() == [Action.SERVICE] * 3 and plan.actions[1] == Action.NONE
    assert plan.spent == 6.0 and plan.unfunded == 1
    assert plan.add([4], Action.PERSONAL_OFFER) == 0  # one action per person per week
    assert plan.actions[4] == Action.SERVICE


def test_plan_rejects_bad_people_and_actions_with_clear_messages():
    plan = Plan(5, 10.0, {a.label: 1.0 for a in Action if a != Action.NONE})
    with pytest.raises(ValueError, match=r"person ids must be in \[0, 4\]"):
        plan.add([7], Action.SERVICE)
    with pytest.raises(ValueError, match="unknown action 42"):
        plan.add([1], 42)
    with pytest.raises(ValueError, match="integer person ids"):
        plan.add([0.5], Action.SERVICE)


def test_every_strategy_spends_within_the_same_budget():
    for name in strategy_names():
        m = run_simulation(strategy=name, seed=8, n_people=300, weeks=20, engine="vector").metrics
        assert (m["marketing_cost"] <= 45.0 + 1e-9).all(), name
        if name != "none":
            assert m["marketing_cost"].sum() > 0.5 * 45.0 * 20, name  # and actually uses it


def test_unknown_strategy_and_engine_are_rejected_with_the_valid_names():
    with pytest.raises(ValueError, match="valid strategies: none, mass"):
        run_simulation(strategy="magic")
    with pytest.raises(ParameterError, match="engine must be one of agents, vector"):
        run_simulation(engine="gpu")
    with pytest.raises(ParameterError, match="seed must be a non-negative integer"):
        run_simulation(seed=-1)


def test_the_firms_rule_of_thumb_names_most_true_stages():
    from crm_theory.lifecycle import classify_stage

    model = CustomerLifecycleModel(seed=21, n_people=2500, weeks=104, engine="vector")
    model.run()
    records = model.firm.records
    seen = classify_stage(
        104,
        records.first_purchase_week,
        records.last_purchase_week,
        records.purchases,
        records.spend_fast,
        records.spend_slow,
    )
    known = records.purchases > 0
    true = model.people.field("stage")
    assert (seen[known] == true[known]).mean() > 0.6
    assert (seen[~known] == Stage.PROSPECT).all()


def test_the_firm_knows_the_customers_it_starts_with(default_run):
    tx, c = default_run.transactions, default_run.customers
    starters = set(c.loc[c["acquired_week"] == 0, "customer_id"])
    assert starters and set(tx.loc[tx["week"] == 0, "customer_id"]) == starters
    # so no acquisition offer is wasted on them
    offers = default_run.actions.query("action == 'acquisition_offer'")
    assert not set(offers["customer_id"]) & starters


def test_the_action_log_matches_the_marketing_cost(default_run):
    actions = default_run.actions
    assert list(actions.columns) == ["customer_id", "week", "action"]
    costs = default_run.parameters.action_costs()
    spent = actions["action"].astype(str).map(costs).groupby(actions["week"]).sum()
    np.testing.assert_allclose(
        spent.reindex(range(1, 105), fill_value=0).to_numpy(),
        default_run.metrics["marketing_cost"].to_numpy(),
    )
    assert (actions.groupby(["week", "customer_id"]).size() == 1).all()  # one action a week each


def test_a_strategy_cannot_bypass_the_budget():
    def greedy(view, plan):
        plan.actions[:] = Action.SERVICE  # writes actions directly instead of plan.add

    with pytest.raises(ValueError, match="over the weekly budget.*through plan.add"):
        run_simulation(strategy=greedy, seed=1, n_people=100, weeks=2)


def test_share_of_wallet_can_be_measured_from_category_spend_as_a_survey_would():
    from crm_theory import share_of_wallet

    result = run_simulation("stage_based", seed=8, engine="vector", n_people=1500, weeks=52)
    spend = result.category_spend
    assert list(spend.columns) == ["customer_id", "week", "firm", "competitor"]
    assert ((spend["firm"] > 0) | (spend["competitor"] > 0)).all()
    # the firm's column is the transaction log, week by week
    firm = spend.loc[spend["firm"] > 0, ["customer_id", "week", "firm"]].reset_index(drop=True)
    tx = result.transactions.rename(columns={"amount": "firm"})
    pd.testing.assert_frame_equal(firm, tx[["customer_id", "week", "firm"]])
    totals = spend.groupby("customer_id")[["firm", "competitor"]].sum()
    share = share_of_wallet(totals["firm"], totals["firm"] + totals["competitor"])
    assert share.between(0, 1).all()
    # customers who reached the stable stage buy more of their category at the firm
    stable = result.customers.set_index("customer_id")["stable_weeks"] > 0
    assert (
        share[stable.reindex(share.index, fill_value=False)].mean()
        > share[~stable.reindex(share.index, fill_value=False)].mean()
    )
