"""Purchase models: the summary builder, BG/NBD and Gamma-Gamma on CDNOW (published figures), on data drawn
from the models themselves, and at numerical edge cases."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from crm_theory.bgnbd import BetaGeoModel
from crm_theory.data import load_cdnow_sample
from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.predictive_clv import holdout_comparison, predicted_clv, predicted_vs_actual
from crm_theory.purchase_summary import calibration_holdout_summary, purchase_summary


@pytest.fixture(scope="module")
def cdnow_calibration():
    return calibration_holdout_summary(
        load_cdnow_sample(), "1997-09-30", "1998-06-30", time_unit="week", occasion="day"
    )


@pytest.fixture(scope="module")
def cdnow_models(cdnow_calibration):
    return BetaGeoModel().fit(cdnow_calibration), GammaGammaModel().fit(cdnow_calibration)


def fitted_bgnbd(r, alpha, a, b):
    model = BetaGeoModel()
    model.r_, model.alpha_, model.a_, model.b_ = r, alpha, a, b
    return model


def summary_frame(rows):
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"], dtype=float)


# ---------------------------------------------------------------------------------------------------------
# the summary builder


def test_summary_merges_same_day_purchases_and_measures_weeks():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2],
            "date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-15", "2020-01-29", "2020-01-08"]),
            "amount": [10.0, 5.0, 20.0, 30.0, 7.0],
        }
    )
    summary = purchase_summary(log, observation_end="2020-02-12")
    assert summary.loc[1].tolist() == pytest.approx(
        [2, 4.0, 6.0, 25.0]
    )  # x, t_x, T in weeks, mean repeat spend
    assert summary.loc[2].tolist() == pytest.approx([0, 0.0, 5.0, 0.0])
    in_days = purchase_summary(log, observation_end="2020-02-12", time_unit="day")
    assert in_days.loc[1, "T"] == 42.0


def test_calibration_holdout_split_by_hand():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3],
            "date": pd.to_datetime(["2020-01-01", "2020-01-15", "2020-01-29", "2020-01-08", "2020-02-01"]),
            "amount": [10.0, 20.0, 30.0, 7.0, 9.0],
        }
    )
    with pytest.warns(
        ExcludedRowsWarning, match="1 purchase occasions excluded: made by 1 customers whose first"
    ):
        split = calibration_holdout_summary(log, "2020-01-20", "2020-02-12", time_unit="day")
    assert split.index.tolist() == [1, 2]
    assert split.loc[1, ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]].tolist() == [
        1,
        14,
        19,
        20,
    ]
    assert split.loc[1, "frequency_holdout"] == 1
    assert split.loc[2, "frequency_holdout"] == 0
    assert (split["duration_holdout"] == 23).all()


def test_week_logs_count_one_purchase_per_week():
    log = pd.DataFrame({"customer_id": [5, 5, 5, 5], "week": [3, 3, 6, 10], "amount": [1.0, 2.0, 4.0, 8.0]})
    summary = purchase_summary(log)
    assert summary.loc[5].tolist() == pytest.approx([2, 7, 7, 6.0])
    with pytest.raises(DataError, match="measured in weeks"):
        purchase_summary(log, time_unit="day")


def test_models_reject_summaries_that_break_their_assumptions():
    with pytest.raises(DataError, match="within 0 and 'T'"):
        BetaGeoModel().fit(summary_frame([[2, 10, 5], [0, 0, 5]]))
    with pytest.raises(DataError, match="no repeat purchase"):
        BetaGeoModel().fit(summary_frame([[0, 3, 5], [1, 2, 5]]))


# ---------------------------------------------------------------------------------------------------------
# CDNOW: the published estimates


def test_cdnow_calibration_summary_has_the_papers_counts(cdnow_calibration):
    assert len(cdnow_calibration) == 2357
    assert (cdnow_calibration["frequency_cal"] > 0).sum() == 946  # repeaters used by Gamma-Gamma
    assert cdnow_calibration["T_cal"].max() == pytest.approx(38.857, abs=1e-3)  # 1997-01-01 to 09-30
    assert cdnow_calibration["duration_holdout"].iloc[0] == pytest.approx(39.0)


def test_bgnbd_reproduces_the_published_cdnow_estimates(cdnow_models):
    bgnbd, _ = cdnow_models
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
    assert bgnbd.r_ == pytest.approx(0.243, abs=6e-4)
    assert bgnbd.alpha_ == pytest.approx(4.414, abs=6e-4)
    assert bgnbd.a_ == pytest.approx(0.793, abs=6e-4)
    assert bgnbd.b_ == pytest.approx(2.426, abs=6e-4)
    assert bgnbd.log_likelihood_ == pytest.approx(-9582.4, abs=0.06)
    assert bgnbd.n_customers_ == 2357


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(cdnow_models):
    _, gamma_gamma = cdnow_models
    # Fader, Hardie & Lee (2005, "RFM and CLV"): p = 6.25, q = 3.74, gamma = 15.44
    assert gamma_gamma.p_ == pytest.approx(6.25, rel=2e-3)
    assert gamma_gamma.q_ == pytest.approx(3.74, rel=2e-3)
    assert gamma_gamma.gamma_ == pytest.approx(15.44, rel=2e-3)
    assert gamma_gamma.n_customers_ == 946


def test_cdnow_holdout_comparison_table(cdnow_models, cdnow_calibration):
    bgnbd, _ = cdnow_models
    table = holdout_comparison(bgnbd, cdnow_calibration)
    assert table.index.tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+", "all"]
    assert table.loc["all", "customers"] == 2357
    assert table.loc["all", "actual_total"] == cdnow_calibration["frequency_holdout"].sum()
    # customers who bought more often in calibration are expected to, and do, buy more in the holdout
    assert table["predicted"].iloc[:-1].is_monotonic_increasing
    assert table.loc["7+", "actual"] > 3 * table.loc["1", "actual"]


def test_cdnow_clv_is_positive_and_ranks_frequent_recent_buyers_first(cdnow_models, cdnow_calibration):
    bgnbd, gamma_gamma = cdnow_models
    clv = predicted_clv(bgnbd, gamma_gamma, cdnow_calibration, margin=0.3)
    assert clv.notna().all().all() and (clv["clv"] >= 0).all()
    assert clv["p_alive"].between(0, 1).all()
    top = clv["clv"].idxmax()
    assert cdnow_calibration.loc[top, "frequency_cal"] >= 10


# ---------------------------------------------------------------------------------------------------------
# formulas and numerical edge cases


def test_conditional_expectation_agrees_with_the_textbook_form():
    # FHL (2005) eq. 10 evaluated directly, where it is still numerically safe (small x)
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    model = fitted_bgnbd(r, alpha, a, b)
    rows = [[0, 0, 38], [1, 10, 38], [5, 30, 38], [20, 37, 38], [2, 5, 20], [0, 0, 0]]
    for t in (1.0, 39.0, 100.0):
        ours = model.conditional_expected_purchases(t, summary_frame(rows)).to_numpy()
        for (x, t_x, age), value in zip(rows, ours, strict=True):
            z = t / (alpha + age + t)
            given_alive = (
                (a + b + x - 1)
                / (a - 1)
                * (
                    1
                    - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
                )
            )
            odds = a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
            assert value == pytest.approx(given_alive / (1 + odds), rel=1e-9)


def test_new_customer_expectation_equals_the_conditional_one_at_time_zero():
    model = fitted_bgnbd(0.243, 4.414, 0.793, 2.426)
    fresh = summary_frame([[0, 0, 0]])
    assert model.expected_purchases(39.0) == pytest.approx(
        model.conditional_expected_purchases(39.0, fresh)[0]
    )
    assert np.all(np.diff(model.expected_purchases(np.array([1.0, 10.0, 50.0, 200.0]))) > 0)


def test_no_repeat_purchases_and_huge_frequencies_stay_finite():
    model = fitted_bgnbd(0.243, 4.414, 0.793, 2.426)
    extreme = summary_frame(
        [[0, 0, 0], [0, 0, 1e4], [1, 0, 1e4], [5000, 100, 100], [20000, 1e4, 1e4], [3, 1e-9, 1]]
    )
    alive = model.conditional_probability_alive(extreme)
    expected = model.conditional_expected_purchases(52.0, extreme)
    loglik = model.individual_log_likelihood(extreme)
    for values in (alive, expected, loglik):
        assert np.isfinite(values.to_numpy()).all()
    assert alive.iloc[0] == 1.0 and alive.iloc[1] == 1.0  # no repeat purchase: cannot have dropped out
    assert alive.iloc[3] > 0.999  # bought 5000 times, last at the end
    assert alive.iloc[2] < 1e-3  # one repeat right away, then silence for 10,000 weeks
    assert expected.iloc[3] > 1000  # a very frequent buyer keeps buying


def test_fit_on_customers_without_repeat_purchases_does_not_fail():
    # nobody ever repeats: the likelihood pushes the purchase rate to zero but must stay finite
    summary = summary_frame([[0, 0, t] for t in np.linspace(1, 52, 200)])
    # the optimum is on the boundary, so the standard errors are undefined, and it says so
    with pytest.warns(UserWarning, match="standard errors are undefined"):
        model = BetaGeoModel().fit(summary)
    assert np.isnan(list(model.standard_errors_.values())).all()
    assert np.isfinite([model.r_, model.alpha_, model.a_, model.b_, model.log_likelihood_]).all()
    assert model.expected_purchases(52.0) < 0.05
    assert model.conditional_probability_alive(summary).eq(1.0).all()


def test_gamma_gamma_expected_spend_shrinks_towards_the_population_mean():
    model = GammaGammaModel()
    model.p_, model.q_, model.gamma_ = 6.25, 3.74, 15.44
    population = 6.25 * 15.44 / 2.74
    summary = pd.DataFrame(
        {
            "frequency": [0, 1, 1000],
            "recency": [0, 5, 30],
            "T": [30, 30, 30],
            "monetary_value": [0, 100.0, 100.0],
        }
    )
    spend = model.conditional_expected_spend(summary)
    assert spend.iloc[0] == pytest.approx(population)
    assert population < spend.iloc[1] < 100.0
    assert spend.iloc[2] == pytest.approx(100.0, rel=1e-3)


def test_zero_dollar_repeat_customers_are_left_out_of_the_spend_fit_with_a_warning():
    rng = np.random.default_rng(3)
    frequency = rng.integers(1, 6, 200)
    summary = pd.DataFrame(
        {"frequency": frequency, "recency": 5.0, "T": 10.0, "monetary_value": rng.gamma(4.0, 10.0, 200)}
    )
    summary.loc[[0, 1], "monetary_value"] = 0.0
    with pytest.warns(ExcludedRowsWarning, match="2 customers excluded: their mean repeat spend is 0"):
        model = GammaGammaModel().fit(summary)
    assert model.n_customers_ == 198


# ---------------------------------------------------------------------------------------------------------
# data drawn from the models: parameters are recovered and the holdout is forecast


def simulate_bgnbd(n, r, alpha, a, b, calibration_weeks, holdout_weeks, rng):
    """Calibration/holdout summary of customers who follow the BG/NBD story exactly."""
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    age = rng.uniform(0.3, 1.0, n) * calibration_weeks  # first purchases spread over the calibration period
    clock = np.zeros(n)
    last = np.zeros(n)
    repeats = np.zeros(n, dtype=int)
    holdout = np.zeros(n, dtype=int)
    active = rate > 0
    while active.any():
        who = np.flatnonzero(active)
        clock[who] += rng.exponential(1.0 / rate[who])
        beyond = clock[who] > age[who] + holdout_weeks
        active[who[beyond]] = False
        who = who[~beyond]
        in_calibration = clock[who] <= age[who]
        repeats[who[in_calibration]] += 1
        last[who[in_calibration]] = clock[who[in_calibration]]
        holdout[who[~in_calibration]] += 1
        active[who[rng.random(who.size) < dropout[who]]] = False  # may drop out after each repeat purchase
    return pd.DataFrame(
        {
            "frequency_cal": repeats,
            "recency_cal": np.where(repeats > 0, last, 0.0),
            "T_cal": age,
            "frequency_holdout": holdout,
            "duration_holdout": float(holdout_weeks),
        }
    )


def test_bgnbd_recovers_parameters_and_forecasts_the_holdout_on_model_data():
    truth = {"r": 0.6, "alpha": 5.0, "a": 0.8, "b": 3.0}
    data = simulate_bgnbd(
        6000, **truth, calibration_weeks=52, holdout_weeks=52, rng=np.random.default_rng(11)
    )
    model = BetaGeoModel().fit(data)
    true_model = fitted_bgnbd(**truth)
    # the maximum likelihood is at least as high as the likelihood at the true parameters
    assert model.log_likelihood_ >= true_model.individual_log_likelihood(data).sum() - 1e-6
    assert model.r_ == pytest.approx(truth["r"], rel=0.2)
    assert model.alpha_ == pytest.approx(truth["alpha"], rel=0.25)
    assert model.a_ == pytest.approx(truth["a"], rel=0.35)
    assert model.b_ == pytest.approx(truth["b"], rel=0.35)
    comparison = predicted_vs_actual(model, data)
    # totals are dominated by a few heavy buyers: over seeds they differ by about 3% (sd) without bias
    assert comparison["predicted"].sum() == pytest.approx(comparison["actual"].sum(), rel=0.1)
    # the model ranks customers: those expected to buy most do buy more
    top = comparison["predicted"] >= comparison["predicted"].quantile(0.9)
    assert comparison.loc[top, "actual"].mean() > 3 * comparison.loc[~top, "actual"].mean()


def test_gamma_gamma_recovers_parameters_on_model_data():
    rng = np.random.default_rng(5)
    p, q, gamma = 6.0, 4.0, 15.0
    n = 4000
    frequency = rng.integers(1, 12, n)
    scale = rng.gamma(q, 1.0 / gamma, n)  # nu ~ Gamma(q, gamma)
    mean_spend = rng.gamma(p * frequency, 1.0 / (scale * frequency))  # mean of x Gamma(p, nu) draws
    summary = pd.DataFrame({"frequency": frequency, "recency": 1.0, "T": 2.0, "monetary_value": mean_spend})
    model = GammaGammaModel().fit(summary)
    truth = GammaGammaModel()
    truth.p_, truth.q_, truth.gamma_ = p, q, gamma
    true_loglik = truth._log_likelihood_terms((p, q, gamma), frequency.astype(float), mean_spend)[0].sum()
    assert model.log_likelihood_ >= true_loglik - 1e-6
    assert model.p_ == pytest.approx(p, rel=0.15)
    assert model.q_ == pytest.approx(q, rel=0.2)
    assert model.gamma_ == pytest.approx(gamma, rel=0.25)


def test_predicted_clv_scales_with_margin_and_falls_with_discounting(cdnow_models, cdnow_calibration):
    bgnbd, gamma_gamma = cdnow_models
    base = predicted_clv(bgnbd, gamma_gamma, cdnow_calibration, margin=0.5, annual_discount_rate=0.0)
    # undiscounted CLV = margin x expected spend x expected purchases over the horizon
    assert base["clv"].to_numpy() == pytest.approx(
        0.5 * base["expected_spend"].to_numpy() * base["expected_purchases"].to_numpy(), rel=1e-9
    )
    full = predicted_clv(bgnbd, gamma_gamma, cdnow_calibration, margin=1.0, annual_discount_rate=0.0)
    assert full["clv"].sum() == pytest.approx(2 * base["clv"].sum())
    discounted = predicted_clv(bgnbd, gamma_gamma, cdnow_calibration, margin=0.5, annual_discount_rate=0.2)
    assert (discounted["clv"] <= base["clv"] + 1e-12).all()
    longer = predicted_clv(bgnbd, gamma_gamma, cdnow_calibration, margin=0.5, horizon=104.0)
    assert longer["clv"].sum() > discounted["clv"].sum()


def test_unfitted_models_say_so():
    with pytest.raises(RuntimeError, match="not fitted"):
        BetaGeoModel().conditional_probability_alive(summary_frame([[0, 0, 1]]))
    with pytest.raises(RuntimeError, match="not fitted"):
        GammaGammaModel().population_mean_spend()
