"""Pareto/NBD, sBG and BG/BB against their papers' published estimates, and what every model offers:
standard errors, AIC, from_params, the time unit, JSON, P(X(t) = x)."""

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import betaln, gammaln

from crm_theory import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeometricModel,
    calibration_holdout_summary,
    fit_cohorts,
    load_cdnow_sample,
    load_donations,
)
from crm_theory.errors import DataError

# Fader & Hardie (2007), "How to project customer retention": customers still active, years 0-7
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.fixture(scope="module")
def cdnow_calibration():
    return calibration_holdout_summary(
        load_cdnow_sample(), "1997-09-30", "1998-06-30", time_unit="week", occasion="day"
    )


@pytest.fixture(scope="module")
def pareto_nbd(cdnow_calibration):
    return ParetoNBDModel().fit(cdnow_calibration)


@pytest.fixture(scope="module")
def donations_model():
    return BetaGeoBetaBinomModel(time_unit="year").fit(load_donations(), weights="customers")


def published_bgnbd(time_unit="week"):
    return BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit=time_unit)


# ---------------------------------------------------------------------------------------------------------
# Pareto/NBD


def test_pareto_nbd_reproduces_the_published_cdnow_estimates(pareto_nbd):
    # Fader, Hardie & Lee (2005), Pareto/NBD on the CDNOW sample: r = 0.55, alpha = 10.58, s = 0.61,
    # beta = 11.67, LL = -9595.0
    assert pareto_nbd.r_ == pytest.approx(0.55, abs=0.005)
    assert pareto_nbd.alpha_ == pytest.approx(10.58, abs=0.005)
    assert pareto_nbd.s_ == pytest.approx(0.61, abs=0.005)
    assert pareto_nbd.beta_ == pytest.approx(11.67, abs=0.005)
    assert pareto_nbd.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert pareto_nbd.time_unit_ == "week" and pareto_nbd.n_customers_ == 2357
    assert pareto_nbd.aic_ == pytest.approx(8 + 2 * 9595.0, abs=0.1)


def test_pareto_nbd_likelihood_agrees_with_the_integral_form():
    # L = Gamma(r+x) a^r b^s / Gamma(r) [ (a+T)^-(r+x) (b+T)^-s + s int_{t_x}^T (a+u)^-(r+x) (b+u)^-(s+1) du ]
    for r, alpha, s, beta in [(0.55, 10.58, 0.61, 11.67), (0.55, 30.0, 0.61, 2.0)]:
        model = ParetoNBDModel.from_params(r=r, alpha=alpha, s=s, beta=beta)
        rows = pd.DataFrame(
            {"frequency": [0, 1, 5, 3], "recency": [0.0, 10.0, 30.0, 38.0], "T": [38.0, 38.0, 38.0, 38.0]}
        )
        ours = model.individual_log_likelihood(rows).to_numpy()
        for (x, t_x, age), value in zip(rows.to_numpy(), ours, strict=True):

            def integrand(u, x=x, r=r, alpha=alpha, s=s, beta=beta):
                return (alpha + u) ** -(r + x) * (beta + u) ** -(s + 1)

            integral = quad(integrand, t_x, age)[0]
            direct = (
                gammaln(r + x)
                - gammaln(r)
                + r * np.log(alpha)
                + s * np.log(beta)
                + np.log((alpha + age) ** -(r + x) * (beta + age) ** -s + s * integral)
            )
            assert value == pytest.approx(direct, rel=1e-9)


def test_pareto_nbd_stays_finite_for_extreme_customers():
    model = ParetoNBDModel.from_params(r=0.55, alpha=10.58, s=0.61, beta=11.67)
    extreme = pd.DataFrame(
        {
            "frequency": [0, 5000, 20000, 1, 3],
            "recency": [0.0, 100.0, 1e4, 0.0, 1.0],
            "T": [1e4, 100.0, 1e4, 1e4, 1.0],
        }
    )
    for values in (
        model.conditional_probability_alive(extreme),
        model.individual_log_likelihood(extreme),
        model.conditional_expected_purchases(52, extreme),
    ):
        assert np.isfinite(values.to_numpy()).all()
    alive = model.conditional_probability_alive(extreme)
    assert alive.iloc[1] > 0.999 and alive.iloc[3] < 0.01


def test_pareto_nbd_forecasts_the_cdnow_holdout_about_as_well_as_bgnbd(pareto_nbd, cdnow_calibration):
    actual = cdnow_calibration["frequency_holdout"].sum()  # 1882
    pareto = pareto_nbd.conditional_expected_purchases(39, cdnow_calibration).sum()
    bgnbd = published_bgnbd().conditional_expected_purchases(39, cdnow_calibration).sum()
    # both under-forecast the CDNOW holdout by about 12% (Fader, Hardie & Lee 2005, Figure 4)
    assert pareto == pytest.approx(bgnbd, rel=0.02)
    assert 0.85 * actual < pareto < actual


@pytest.mark.parametrize(
    "model", [published_bgnbd(), ParetoNBDModel.from_params(r=0.55, alpha=10.58, s=0.61, beta=11.67)]
)
def test_probability_of_purchases_sums_to_one_and_has_the_model_mean(model):
    x = np.arange(0, 400)
    for t in (1.0, 39.0, 100.0):
        probabilities = model.probability_of_purchases(x, t)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
        assert (x * probabilities).sum() == pytest.approx(model.expected_purchases(t), rel=1e-7)
    assert model.probability_of_purchases(0, 0.0) == 1.0


def test_pareto_nbd_probability_of_purchases_matches_adaptive_quadrature():
    r, alpha, s, beta = 0.55, 10.58, 0.61, 11.67
    model = ParetoNBDModel.from_params(r=r, alpha=alpha, s=s, beta=beta)

    def nbd(x, tau):
        return (
            np.exp(
                gammaln(r + x)
                - gammaln(r)
                - gammaln(x + 1)
                + r * np.log(alpha / (alpha + tau))
                + x * np.log(tau / (alpha + tau))
            )
            if tau > 0
            else float(x == 0)
        )

    for x, t in [(0, 39.0), (2, 39.0), (7, 78.0)]:
        died = quad(lambda u, x=x: s * beta**s * (beta + u) ** -(s + 1) * nbd(x, u), 0, t, epsabs=1e-13)[0]
        assert model.probability_of_purchases(x, t) == pytest.approx(
            nbd(x, t) * (beta / (beta + t)) ** s + died, abs=1e-10
        )


# ---------------------------------------------------------------------------------------------------------
# standard errors, AIC, from_params, JSON, time units


def test_bgnbd_standard_errors_agree_with_the_analytic_gradient(cdnow_calibration):
    model = BetaGeoModel().fit(cdnow_calibration)
    # an independent Hessian: finite differences of the analytic gradient
    from crm_theory.purchase_summary import summary_columns

    x, t_x, age = summary_columns(cdnow_calibration)
    point = np.array(list(model.params_.values()))

    def gradient(params):
        return -model._log_likelihood_terms(params, x, t_x, age)[1].sum(axis=1)

    hessian = np.empty((4, 4))
    for i in range(4):
        h = 1e-5 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += h
        down[i] -= h
        hessian[:, i] = (gradient(up) - gradient(down)) / (2 * h)
    expected = np.sqrt(np.diag(np.linalg.inv((hessian + hessian.T) / 2)))
    assert list(model.standard_errors_.values()) == pytest.approx(expected, rel=1e-3)
    table = model.summary()
    assert table.columns.tolist() == ["estimate", "standard_error", "lower_95", "upper_95"]
    assert (table["lower_95"] < table["estimate"]).all()


def test_every_fitted_model_has_standard_errors_and_aic(pareto_nbd, donations_model, cdnow_calibration):
    gamma_gamma = GammaGammaModel().fit(cdnow_calibration)
    sbg = ShiftedBetaGeometricModel(time_unit="year").fit(REGULAR)
    for model in (pareto_nbd, donations_model, gamma_gamma, sbg):
        errors = np.array(list(model.standard_errors_.values()))
        assert np.isfinite(errors).all() and (errors > 0).all()
        assert model.aic_ == pytest.approx(2 * len(model.PARAMETERS) - 2 * model.log_likelihood_)


def test_save_and_load_give_the_same_predictions(tmp_path, pareto_nbd, cdnow_calibration):
    path = tmp_path / "pareto.json"
    pareto_nbd.save(path)
    loaded = ParetoNBDModel.load(path)
    assert loaded.params_ == pareto_nbd.params_ and loaded.time_unit_ == "week"
    assert loaded.standard_errors_ == pytest.approx(pareto_nbd.standard_errors_)
    assert loaded.log_likelihood_ == pytest.approx(pareto_nbd.log_likelihood_)
    pd.testing.assert_series_equal(
        loaded.conditional_probability_alive(cdnow_calibration),
        pareto_nbd.conditional_probability_alive(cdnow_calibration),
    )
    with pytest.raises(DataError, match="pareto.json: not a saved BetaGeoModel"):
        BetaGeoModel.load(path)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="broken.json: not a JSON file"):
        BetaGeoModel.load(tmp_path / "broken.json")


def test_from_params_checks_its_parameters():
    with pytest.raises(ValueError, match="needs exactly r, alpha, a, b; missing b"):
        BetaGeoModel.from_params(r=1, alpha=1, a=1)
    with pytest.raises(ValueError, match="parameter alpha must be a finite number > 0"):
        BetaGeoModel.from_params(r=1, alpha=-1, a=1, b=1)
    with pytest.raises(RuntimeError, match="no log-likelihood"):
        _ = published_bgnbd().aic_


def test_a_model_fitted_in_days_refuses_a_summary_in_weeks_or_converts():
    log = load_cdnow_sample()
    in_days = calibration_holdout_summary(log, "1997-09-30", time_unit="day")
    in_weeks = calibration_holdout_summary(log, "1997-09-30", time_unit="week", occasion="day")
    model = BetaGeoModel().fit(in_days)
    assert model.time_unit_ == "day"
    with pytest.raises(
        DataError,
        match="fitted with time in days but the summary is in weeks; .*"
        r"model.in_time_unit\('week'\)",
    ):
        model.conditional_expected_purchases(39, in_weeks)
    weekly = model.in_time_unit("week")
    assert weekly.alpha_ == pytest.approx(model.alpha_ / 7)
    pd.testing.assert_series_equal(
        weekly.conditional_expected_purchases(39, in_weeks),
        model.conditional_expected_purchases(273, in_days),
        rtol=1e-9,
    )


# ---------------------------------------------------------------------------------------------------------
# sBG


@pytest.mark.parametrize(("survivors", "alpha", "beta"), [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_sbg_reproduces_the_two_cohorts_of_fader_and_hardie_2007(survivors, alpha, beta):
    model = ShiftedBetaGeometricModel(time_unit="year").fit(survivors)
    assert model.alpha_ == pytest.approx(alpha, abs=6e-4)
    assert model.beta_ == pytest.approx(beta, abs=6e-4)
    assert model.n_customers_ == 1000 and model.n_periods_ == 7
    # the model tracks the 7 years it was fitted on to within 2 percentage points
    assert 1000 * model.survival_function(np.arange(8)) == pytest.approx(survivors, abs=20)


def test_sbg_log_likelihoods_and_the_cohort_table():
    models = fit_cohorts(pd.DataFrame({"regular": REGULAR, "high_end": HIGH_END}), time_unit="year")
    assert models["regular"].log_likelihood_ == pytest.approx(-1680.27, abs=0.01)
    assert models["high_end"].log_likelihood_ == pytest.approx(-1611.16, abs=0.01)
    younger = pd.DataFrame({"old": REGULAR, "new": [1000, 700, 500] + [np.nan] * 5})
    assert fit_cohorts(younger)["new"].n_periods_ == 2
    with pytest.raises(DataError, match="cohort 'gap': missing values may only come at the end"):
        fit_cohorts(pd.DataFrame({"gap": [1000, np.nan, 500]}))


def test_sbg_retention_rises_and_del_derl_are_the_discounted_sums():
    model = ShiftedBetaGeometricModel.from_params(alpha=0.704, beta=1.182)
    rates = model.retention_rate(np.arange(1, 20))
    assert np.all(np.diff(rates) > 0)
    t = np.arange(0, 5000)
    survival = model.survival_function(t)
    assert model.discounted_expected_lifetime(0.1) == pytest.approx((survival / 1.1**t).sum(), rel=1e-9)
    for renewals in (0, 1, 4):
        n = renewals + 1
        future = np.arange(n, 5000)
        conditional = model.survival_function(future) / model.survival_function(n - 1)
        series = (conditional / 1.1 ** (future - n)).sum()
        assert model.discounted_expected_residual_lifetime(0.1, renewals) == pytest.approx(series, rel=1e-9)
    # a customer who has renewed more often is worth more: the likely leavers have gone
    assert np.all(np.diff(model.discounted_expected_residual_lifetime(0.1, np.arange(6))) > 0)
    assert model.probability_of_churn_at(np.arange(1, 5000)).sum() == pytest.approx(1 - survival[-1])


def test_sbg_refuses_survivors_that_cannot_be_a_cohort():
    with pytest.raises(DataError, match="survivors rise from 500 to 600 at period 2"):
        ShiftedBetaGeometricModel().fit([1000, 500, 600])
    with pytest.raises(DataError, match="nobody left the cohort"):
        ShiftedBetaGeometricModel().fit([10, 10, 10])
    with pytest.raises(DataError, match="whole numbers"):
        ShiftedBetaGeometricModel().fit([10, 5.5])


# ---------------------------------------------------------------------------------------------------------
# BG/BB


def test_donation_data_is_the_papers_table():
    data = load_donations()
    assert data.columns.tolist() == ["frequency", "recency", "n_periods", "customers"]
    assert len(data) == 22 and data["customers"].sum() == 11104
    assert (data["n_periods"] == 6).all()


def test_bgbb_reproduces_the_published_donation_estimates(donations_model):
    # Fader, Hardie & Shang (2010): alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6
    model = donations_model
    assert model.alpha_ == pytest.approx(1.204, abs=6e-4)
    assert model.beta_ == pytest.approx(0.750, abs=6e-4)
    assert model.gamma_ == pytest.approx(0.657, abs=6e-4)
    assert model.delta_ == pytest.approx(2.783, abs=6e-4)
    assert model.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)
    assert model.n_customers_ == 11104


def test_bgbb_expectations_agree_with_the_papers_closed_forms(donations_model):
    model = donations_model
    alpha, beta, gamma, delta = model.params_.values()
    n = 6
    closed = (
        alpha
        / (alpha + beta)
        * delta
        / (gamma - 1)
        * (
            1
            - np.exp(
                gammaln(gamma + delta)
                - gammaln(gamma + delta + n)
                + gammaln(1 + delta + n)
                - gammaln(1 + delta)
            )
        )
    )
    assert model.expected_purchases(n) == pytest.approx(closed, rel=1e-10)
    x = np.arange(0, 7)
    probabilities = model.probability_of_purchases(x, n)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert (x * probabilities).sum() == pytest.approx(closed, rel=1e-10)
    data = load_donations()
    likelihood = np.exp(model.individual_log_likelihood(data).to_numpy())
    xs, ns, future = data["frequency"].to_numpy(), data["n_periods"].to_numpy(), 5
    eq13 = (
        1
        / likelihood
        * np.exp(betaln(alpha + xs + 1, beta + ns - xs) - betaln(alpha, beta))
        * delta
        / (gamma - 1)
        * np.exp(gammaln(gamma + delta) - gammaln(1 + delta))
        * (
            np.exp(gammaln(1 + delta + ns) - gammaln(gamma + delta + ns))
            - np.exp(gammaln(1 + delta + ns + future) - gammaln(gamma + delta + ns + future))
        )
    )
    assert model.conditional_expected_purchases(future, data).to_numpy() == pytest.approx(eq13, rel=1e-10)
    alive = model.conditional_probability_alive(data)
    # whoever gave in the last drive (t_x = n) is alive then, whatever their frequency: all share the
    # highest P(alive); among those who stopped early, the frequent donors are the likelier gone
    assert alive[data["recency"] == 6].to_numpy() == pytest.approx(alive.max())
    stopped_1997 = alive[(data["recency"] == 2)]
    assert stopped_1997[data["frequency"] == 2].item() < stopped_1997[data["frequency"] == 1].item()
    assert alive.between(0, 1).all()


def test_bgbb_summary_is_checked():
    with pytest.raises(DataError, match="frequency <= recency <= n_periods"):
        BetaGeoBetaBinomModel().fit(pd.DataFrame({"frequency": [3], "recency": [2], "n_periods": [6]}))
    with pytest.raises(DataError, match="missing n_periods"):
        BetaGeoBetaBinomModel().fit(pd.DataFrame({"frequency": [3], "recency": [2]}))
