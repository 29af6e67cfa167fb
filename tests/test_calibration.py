"""Calibration: moments of a transaction log, the identification check, a seeded fit, and presets."""

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import simulation
from simulation import Parameters
from simulation.parameters import ParameterError, preset_names
from simulation.sweeps.calibration import (
    CalibrationError,
    calibrate,
    cohort_log,
    make_calibration_spec,
    moment_distance,
    purchase_moments,
    write_preset,
)
from simulation.sweeps.spec import SpecError


def _log(rows):
    return pd.DataFrame(rows, columns=["customer_id", "week", "amount"])


def test_moments_of_a_small_log_by_hand():
    log = _log(
        [
            (1, 0, 10.0),
            (1, 2, 20.0),
            (1, 6, 30.0),  # two repeats, gaps 2 and 4
            (2, 1, 5.0),
            (2, 1, 5.0),  # one occasion: same week, amounts added
            (3, 3, 40.0),
            (3, 4, 40.0),  # one repeat, gap 1
            (4, 8, 99.0),  # first purchase after the acquisition weeks: no cohort
            (1, 12, 7.0),  # after the observation window: not counted
        ]
    )
    moments = purchase_moments(log, acquisition_weeks=5, observed_weeks=10)
    assert moments.attrs["cohort_size"] == 3
    assert moments["repeaters"] == pytest.approx(2 / 3)
    assert moments["repeats_1"] == pytest.approx(1 / 3) and moments["repeats_2"] == pytest.approx(1 / 3)
    assert moments["gap_median"] == 2.0 and moments["gap_q25"] == 1.5
    assert moments["spend_mean"] == pytest.approx((10 + 20 + 30 + 10 + 40 + 40) / 6)
    # repeaters' purchases per week of their active span: customer 1: 3 in 7 weeks, customer 3: 2 in 2
    assert moments["purchases_per_active_week"] == pytest.approx((3 / 7 + 2 / 2) / 2)


def test_a_date_log_is_read_in_weeks_from_its_first_date():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "amount": [1.0, 2.0, 3.0],
            "date": pd.to_datetime(["1997-01-01", "1997-01-15", "1997-01-06"]),
        }
    )
    weekly = cohort_log(log, acquisition_weeks=2, observed_weeks=4)
    assert weekly["week"].tolist() == [0, 2, 0]


def test_distance_is_zero_at_the_data_and_grows_with_scaled_differences():
    data = pd.Series({"repeaters": 0.4, "spend_mean": 40.0})
    weights = pd.Series({"repeaters": 1.0, "spend_mean": 1.0})
    assert moment_distance(data, data, weights) == 0
    off = pd.Series({"repeaters": 0.45, "spend_mean": 40.0})  # 5 points = one scale unit for a share
    assert moment_distance(off, data, weights) == pytest.approx(0.5)


SMALL = {
    "fixed": {"n_people": 500},
    "replications": 2,
    "seed": 4,
    "window": {"acquisition_weeks": 4, "observed_weeks": 12},
    "strategy": "none",
}


def _simulated_log():
    from simulation import run_simulation

    truth = run_simulation("none", seed=99, engine="vector", n_people=3000, weeks=12, purchase_rate_mean=0.15)
    return truth.transactions


def test_a_moment_no_fitted_parameter_moves_is_refused_before_fitting():
    # cost_win_back changes what win-back offers cost, and strategy "none" makes none: no moment moves
    spec = make_calibration_spec(
        data=_simulated_log(),
        fit={"cost_win_back": [1.0, 9.0]},
        moments={"repeaters": 1.0, "spend_mean": 1.0},
        trials=2,
        **SMALL,
    )
    with pytest.raises(
        CalibrationError,
        match=r"moments repeaters, spend_mean hardly respond to the fitted "
        r"parameters \(cost_win_back\)",
    ):
        calibrate(spec)


def test_a_seeded_fit_recovers_a_known_purchase_rate_and_is_reproducible():
    spec = make_calibration_spec(
        data=_simulated_log(),
        fit={"purchase_rate_mean": [0.05, 0.6]},
        moments={"repeaters": 1.0, "gap_median": 1.0},
        trials=14,
        **SMALL,
    )
    result = calibrate(spec)
    assert abs(result.fitted["purchase_rate_mean"] - 0.15) < 0.1  # the truth used to make the log
    assert result.distances["fitted"] < result.distances["default"]
    assert list(result.moments.columns[:4]) == ["meaning", "data", "default", "fitted"]
    assert result.response.loc["repeaters", "purchase_rate_mean"] > 0
    figure = result.repeat_figure()
    assert figure.axes[0].get_xlabel() == "repeat purchases in 12 weeks"
    assert figure.axes[0].get_ylabel() == "share of the cohort"
    again = calibrate(spec)
    assert again.fitted == result.fitted


def test_written_presets_read_back_through_parameters(tmp_path, monkeypatch):
    import simulation.parameters

    spec = make_calibration_spec(
        data=_simulated_log(),
        fit={"purchase_rate_mean": [0.05, 0.6]},
        moments={"repeaters": 1.0},
        trials=2,
        name="toy",
        **SMALL,
    )
    result = calibrate(spec)
    paths = write_preset(result, tmp_path, "pytest")
    assert [p.name for p in paths] == ["toy.toml", "toy.md"]
    monkeypatch.setattr(simulation.parameters, "PRESETS_DIR", tmp_path)
    params = Parameters.preset("toy", n_people=50)
    assert params.n_people == 50 and params.purchase_rate_mean == result.fitted["purchase_rate_mean"]
    card = (tmp_path / "toy.md").read_text()
    assert "engine commit" in card and "What it does not match" in card


def test_the_shipped_cdnow_preset_loads_and_names_the_engine_it_was_calibrated_on():
    assert "cdnow" in preset_names()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # calibrated on the current engine: no "provisional" warning
        params = Parameters.preset("cdnow")
    card = (Path(simulation.__file__).parent / "presets" / "cdnow.md").read_text()
    assert "Provisional" not in card and re.search(r"engine commit `[0-9a-f]{40}`", card)
    assert params.purchase_rate_mean != Parameters().purchase_rate_mean
    with pytest.raises(ParameterError, match="unknown preset 'nope'; presets: .*cdnow"):
        Parameters.preset("nope")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (
            {"fit": {"purchase_rate_mean": [0.5, 0.1]}},
            r"\[fit\] purchase_rate_mean: range \[0.5, 0.1\] must have low",
        ),
        ({"fit": {"purchase_rate": [0.1, 0.5]}}, r"\[fit\] purchase_rate: unknown parameter; did you mean"),
        ({"fit": {"n_people": [10, 50]}}, r"n_people: describes the experiment, not the market"),
        ({"fit": {"margin": [0.1, 0.5]}, "moments": {"share": 1.0}}, r"\[moments\] share: unknown moment"),
    ],
)
def test_bad_calibration_specs_are_named(keywords, message):
    with pytest.raises(SpecError, match=message):
        make_calibration_spec(data="cdnow-sample", **{"fit": {"margin": [0.1, 0.5]}, **keywords})


def test_crmlab_calibrate_writes_moments_side_by_side_and_the_figure(tmp_path, capsys):
    from crmlab.cli import main

    _simulated_log().to_csv(tmp_path / "log.csv", index=False)
    spec = tmp_path / "fit.toml"
    spec.write_text(
        'name = "toy"\ndata = "log.csv"\nstrategy = "none"\nreplications = 1\ntrials = 3\n'
        "[fixed]\nn_people = 400\n[window]\nacquisition_weeks = 4\nobserved_weeks = 12\n"
        "[fit]\npurchase_rate_mean = [0.05, 0.6]\n[moments]\nrepeaters = 1.0\n"
    )
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--serial"]) == 0
    moments = pd.read_csv(out / "moments.csv", index_col="moment")
    assert list(moments.columns[:4]) == ["meaning", "data", "default", "fitted"]
    assert (out / "repeat_purchases.png").stat().st_size > 0
    assert "distance: default" in capsys.readouterr().out


def test_crmlab_calibrate_names_a_bad_spec_key_and_exits_2(tmp_path, capsys):
    from crmlab.cli import main

    spec = tmp_path / "bad.toml"
    spec.write_text('data = "cdnow-sample"\n[fit]\npurchase_rate_mean = [0.05, 1.6]\n')
    assert main(["calibrate", str(spec), "--serial"]) == 2
    assert (
        f"crmlab: error: {spec}, line 3: [fit] purchase_rate_mean: range [0.05, 1.6] must have low < "
        "high and lie within the parameter's range [0.02, 1]"
    ) in capsys.readouterr().err


def test_a_simulated_market_without_customers_counts_as_far_off_rather_than_stopping_the_fit():
    from simulation.sweeps.calibration import MomentsModel

    outputs, _ = MomentsModel(4, 12).run(
        "none",
        1,
        "vector",
        {"n_people": 50, "weeks": 12, "initial_customer_share": 0.0, "baseline_acquisition_rate": 0.0},
    )
    assert outputs["cohort_size"] == 0
    data = pd.Series({"repeaters": 0.4})
    simulated = pd.Series(outputs)
    assert moment_distance(simulated, data, pd.Series({"repeaters": 1.0})) > 1e5
