"""The product catalogue and the transaction lines: a split of each purchase that changes nothing else."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation import Action, CustomerLifecycleModel, Stage, kernels, population, rules, run_simulation
from simulation.catalogue import (
    AFFINITIES,
    CATALOGUE,
    CATEGORIES,
    EXTRA_CATEGORIES_AT_FULL_INTENTION,
    Affinity,
    Catalogue,
    CatalogueError,
)
from simulation.outputs import transaction_line_table
from simulation.random_streams import Purpose

ACTIVE = (Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)


def baskets(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per purchase, one boolean column per category: the input of market-basket analysis."""
    return pd.crosstab([lines["week"], lines["customer_id"]], lines["category"]).astype(bool)


def lift(basket: pd.DataFrame, a: str, b: str) -> float:
    return (basket[a] & basket[b]).mean() / (basket[a].mean() * basket[b].mean())


def cross_sell_even_ids(view, plan):
    """A randomised experiment: every current customer with an even id is offered a cross-sell each week."""
    active = view.in_stage(*ACTIVE)
    plan.add(active[active % 2 == 0], Action.CROSS_SELL)


@pytest.fixture(scope="module")
def long_run():
    return run_simulation("stage_based", seed=7, engine="vector", n_people=4000, weeks=104)


# --- the catalogue's declared values ---------------------------------------------------------------


def test_the_catalogue_is_a_handful_of_categories_with_documented_values():
    table = CATALOGUE.table()
    assert 5 <= len(table) <= 6
    assert list(table.columns) == ["category", "chinese", "price_level", "preference", "why"]
    assert table["preference"].sum() == pytest.approx(1.0)
    assert all(c.why and c.chinese for c in CATEGORIES) and all(a.why for a in AFFINITIES)
    matrix = CATALOGUE.affinity_table()
    np.testing.assert_array_equal(matrix.to_numpy(), matrix.to_numpy().T)
    assert matrix.loc["personal_care", "baby_and_kids"] > 1 > matrix.loc["groceries", "electronics"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"categories": CATEGORIES[:1]}, "between 2 and 16 categories"),
        ({"categories": (*CATEGORIES, CATEGORIES[0])}, "unique; repeated: groceries"),
        (
            {"categories": (replace(CATEGORIES[0], price_level=-1.0), *CATEGORIES[1:])},
            "price_level of category 'groceries' must be between 0.1 and 10.0, got -1.0",
        ),
        (
            {"categories": (replace(CATEGORIES[0], preference="high"), *CATEGORIES[1:])},
            "preference of category 'groceries' must be a number",
        ),
        (
            {"affinities": (Affinity("groceries", "wine", 2.0, ""),)},
            "names unknown category 'wine'; categories are: groceries, household",
        ),
        ({"affinities": (Affinity("groceries", "groceries", 2.0, ""),)}, "two different categories"),
        ({"affinities": (*AFFINITIES, Affinity("household", "groceries", 1.2, ""))}, "declared twice"),
        ({"affinities": (Affinity("groceries", "household", 0.0, ""),)}, "between 0.1 and 10.0, got 0.0"),
        ({"extra_categories": float("nan")}, "extra_categories must be between 0.0 and 10.0"),
    ],
)
def test_bad_catalogue_values_are_rejected_with_a_clear_message(change, message):
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Catalogue(**change)


# --- the rules -------------------------------------------------------------------------------------


def test_higher_cross_buying_intention_gives_wider_baskets_and_each_cross_sell_adds_a_category():
    draws = (np.arange(1000) + 0.5) / 1000
    extra = EXTRA_CATEGORIES_AT_FULL_INTENTION
    means = [np.mean([rules.basket_breadth(x, 0, u, extra) for u in draws]) for x in (0.0, 0.2, 0.5, 0.85)]
    assert means == sorted(means) and means[0] == 1.0
    np.testing.assert_allclose(means, [1.0 + x * extra for x in (0.0, 0.2, 0.5, 0.85)], atol=1e-9)
    for u in draws[::50]:
        assert rules.basket_breadth(0.4, 2, u, extra) == rules.basket_breadth(0.4, 1, u, extra) + 1


def test_category_choice_follows_preference_and_affinity_and_agrees_with_its_compiled_version():
    preference, affinity = CATALOGUE.preferences, CATALOGUE.affinity_matrix
    compiled = kernels._choose_category
    empty = np.zeros(len(CATALOGUE), dtype=bool)
    draws = (np.arange(20_000) + 0.5) / 20_000
    first = np.array([rules.choose_category(empty, preference, affinity, u) for u in draws])
    np.testing.assert_allclose(np.bincount(first, minlength=6) / draws.size, preference, atol=1e-3)
    with_baby = empty.copy()
    with_baby[CATALOGUE.names.index("baby_and_kids")] = True
    second = [rules.choose_category(with_baby, preference, affinity, u) for u in draws]
    assert CATALOGUE.names.index("baby_and_kids") not in second
    # the next category's chance is its preference times its affinity with the basket, normalised
    weight = np.where(with_baby, 0.0, preference * affinity[with_baby].prod(axis=0))
    np.testing.assert_allclose(
        np.bincount(second, minlength=6) / draws.size, weight / weight.sum(), atol=1e-3
    )
    for u in draws[::997]:
        for basket in (empty, with_baby):
            assert compiled(basket, preference, affinity, u) == rules.choose_category(
                basket, preference, affinity, u
            )


# --- the lines of a run ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_engines_give_identical_lines(seed):
    runs = [
        run_simulation("one_to_one", seed=seed, engine=engine, n_people=500, weeks=40)
        for engine in ("agents", "vector")
    ]
    assert len(runs[0].transaction_lines) > len(runs[0].transactions) > 0
    pd.testing.assert_frame_equal(runs[0].transaction_lines, runs[1].transaction_lines)


def test_lines_add_up_to_each_transaction(long_run):
    lines, transactions = long_run.transaction_lines, long_run.transactions
    assert list(lines.columns) == ["customer_id", "week", "category", "amount"]
    assert list(lines["category"].cat.categories) == CATALOGUE.names
    assert (lines["amount"] > 0).all()
    per_purchase = lines.groupby(["week", "customer_id"], sort=True)
    assert per_purchase["category"].nunique().eq(per_purchase.size()).all()  # a category once per basket
    # The last line is the amount minus the others, so the sum is the amount up to the last bit.
    summed = per_purchase["amount"].sum().to_numpy()
    expected = transactions.sort_values(["week", "customer_id"])["amount"].to_numpy()
    assert summed.size == expected.size
    np.testing.assert_allclose(summed, expected, rtol=1e-14, atol=0)
    # Lines of a purchase share its amount in proportion to the categories' price levels.
    two = lines[per_purchase["amount"].transform("size") == 2].reset_index(drop=True)
    price = CATALOGUE.table().set_index("category")["price_level"]
    ratio = two["amount"].to_numpy()[::2] / two["amount"].to_numpy()[1::2]
    levels = price[two["category"].astype(str)].to_numpy()
    np.testing.assert_allclose(ratio, levels[::2] / levels[1::2], rtol=1e-9)


def test_affinities_show_up_as_lift_in_the_baskets(long_run):
    basket = baskets(long_run.transaction_lines)
    assert (basket.sum(axis=1) >= 2).mean() > 0.2  # enough multi-category baskets to learn from
    assert lift(basket, "personal_care", "baby_and_kids") > 1.1
    assert lift(basket, "home_and_kitchen", "electronics") > 1.1
    assert lift(basket, "personal_care", "baby_and_kids") > lift(basket, "groceries", "electronics")


def test_cross_sell_recipients_baskets_span_more_categories_than_comparable_non_recipients():
    result = run_simulation(
        cross_sell_even_ids, seed=4, engine="vector", n_people=3000, weeks=78, weekly_budget_per_person=5.0
    )
    offered = result.actions[result.actions["action"] == "cross_sell"]
    assert (offered["customer_id"] % 2 == 0).all() and len(offered) > 1000
    breadth = result.transaction_lines.groupby(["week", "customer_id"]).size().reset_index(name="n")
    breadth = breadth[breadth["week"] > 0]
    even = breadth[breadth["customer_id"] % 2 == 0]["n"]
    odd = breadth[breadth["customer_id"] % 2 == 1]["n"]
    assert even.mean() > odd.mean() + 0.3


def test_baskets_widen_with_the_customers_cross_buying_intention():
    model = CustomerLifecycleModel("none", seed=5, engine="vector", n_people=3000, weeks=80)
    intention, breadth = [], []
    for _ in range(80):
        model.step()
        buyers = np.flatnonzero(model.people.field("spend") > 0)
        intention.append(model.people.field("cross_buying")[buyers])
        breadth.append(model.log.baskets[-1])
    intention, breadth = np.concatenate(intention), np.concatenate(breadth)
    assert breadth.size == sum(ids.size for ids, _ in model.log.purchases[1:])
    low, high = intention < 0.1, intention > 0.4
    assert low.sum() > 100 and high.sum() > 100
    assert breadth[high].mean() > breadth[low].mean() + 0.8
    # without cross-sells, the mean breadth is 1 + intention x extra categories (random rounding is fair)
    assert breadth.mean() == pytest.approx(
        1 + EXTRA_CATEGORIES_AT_FULL_INTENTION * intention.mean(), rel=0.02
    )
    lines = model.results().transaction_lines
    per_purchase = lines.groupby(["week", "customer_id"], sort=True).size().to_numpy()
    first = (lines.groupby(["week", "customer_id"], sort=True)["week"].first() > 0).to_numpy()
    np.testing.assert_array_equal(per_purchase[first], np.minimum(breadth, len(CATALOGUE)))


# --- nothing else changes --------------------------------------------------------------------------


def test_the_product_draws_are_a_new_purpose_and_the_old_ones_keep_their_numbers():
    assert int(Purpose.PRODUCT) == 7 == max(int(p) for p in Purpose)
    assert [int(p) for p in Purpose] == list(range(1, 8))


def test_existing_outputs_are_those_of_a_run_without_lines(monkeypatch):
    def run():
        return run_simulation("stage_based", seed=3, engine="vector", n_people=400, weeks=40)

    with_lines = run()
    assert len(with_lines.transaction_lines) > 0
    monkeypatch.setattr(population, "record_baskets", lambda *args: None)
    without = run()
    assert without.log.baskets == []
    for name in ("metrics", "transactions", "customers", "actions", "category_spend"):
        pd.testing.assert_frame_equal(getattr(with_lines, name), getattr(without, name))
    # the same figures as before the catalogue existed (computed on the commit before it)
    assert float(with_lines.transactions["amount"].sum()) == 30431.020509380076
    assert float(with_lines.metrics["profit"].sum()) == 6138.945266945597
    with pytest.raises(ValueError, match="no basket breadths"):
        _ = without.transaction_lines


def test_lines_are_written_with_the_other_tables(tmp_path):
    result = run_simulation("stage_based", seed=2, engine="vector", n_people=300, weeks=20)
    paths = result.write(tmp_path)
    written = pd.read_csv(paths["transaction_lines"])
    assert list(written.columns) == ["customer_id", "week", "category", "amount"]
    assert written["category"].tolist() == result.transaction_lines["category"].astype(str).tolist()
    np.testing.assert_allclose(written["amount"], result.transaction_lines["amount"])


def test_another_catalogue_splits_the_same_purchases_over_its_own_categories(long_run):
    three = Catalogue(categories=CATEGORIES[:3], affinities=AFFINITIES[:2])
    lines = transaction_line_table(long_run.log, long_run.seed, three)
    assert list(lines["category"].cat.categories) == ["groceries", "household", "personal_care"]
    assert lines.groupby(["week", "customer_id"]).size().max() == 3
    summed = lines.groupby(["week", "customer_id"], sort=True)["amount"].sum().to_numpy()
    expected = long_run.transactions.sort_values(["week", "customer_id"])["amount"].to_numpy()
    np.testing.assert_allclose(summed, expected, rtol=1e-14, atol=0)
    with pytest.raises(ValueError, match="extra_categories must be the run's"):
        transaction_line_table(long_run.log, long_run.seed, Catalogue(extra_categories=1.0))
