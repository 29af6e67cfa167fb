"""Conventions shared with lifetimes and PyMC-Marketing: weekly and monthly periods, purchase days in RFM,
Period observation ends, custom column names; the Gamma-Gamma independence check; holdout diagnostics."""

import warnings

import numpy as np
import pandas as pd
import pytest

from crm_theory import (
    BetaGeoModel,
    GammaGammaModel,
    calibration_holdout_summary,
    expected_cumulative_transactions,
    holdout_comparison,
    load_cdnow_sample,
    purchase_summary,
    rfm_table,
)
from crm_theory.errors import DataError
from crm_theory.gamma_gamma import ModelAssumptionWarning, spend_frequency_correlation


@pytest.fixture
def lifetimes_example():
    """The transaction log of lifetimes' own tests (``transaction_level_data``), observed to 2015-02-07."""
    rows = [
        (1, "2015-02-01"),
        (1, "2015-02-06"),
        (2, "2015-01-01"),
        (3, "2015-01-01"),
        (3, "2015-01-02"),
        (3, "2015-01-05"),
        (4, "2015-01-16"),
        (4, "2015-02-02"),
        (4, "2015-02-05"),
        (5, "2015-01-16"),
        (5, "2015-01-17"),
        (5, "2015-01-18"),
        (6, "2015-02-02"),
    ]
    log = pd.DataFrame(rows, columns=["id", "when"])
    log["when"] = pd.to_datetime(log["when"])
    log["value"] = 1.0
    return log


COLUMNS = {"customer_id": "id", "date": "when", "amount": "value"}


def test_weekly_periods_match_lifetimes_freq_w(lifetimes_example):
    summary = purchase_summary(lifetimes_example, "2015-02-07", columns=COLUMNS)  # the default for weeks
    # lifetimes: summary_data_from_transaction_data(..., observation_period_end="2015-02-07", freq="W")
    expected = [[1, 1, 1], [0, 0, 5], [1, 1, 5], [1, 3, 3], [0, 0, 3], [0, 0, 0]]
    assert summary[["frequency", "recency", "T"]].to_numpy().tolist() == expected
    assert summary.attrs["occasion"] == "period"
    assert summary.attrs["observation_end"] == "2015-02-02/2015-02-08"
    # customer 3 bought on Thursday, Friday and the next Monday: two calendar weeks, one repeat purchase.
    # Days converted to weeks (Fader, Hardie & Lee's convention) count 2 repeats and T = 37 / 7.
    assert summary.loc[3, ["frequency", "T"]].tolist() == [1, 5]
    explicit = purchase_summary(lifetimes_example, "2015-02-07", occasion="period", columns=COLUMNS)
    assert summary.equals(explicit)
    by_day = purchase_summary(lifetimes_example, "2015-02-07", occasion="day", columns=COLUMNS)
    assert by_day.loc[3, ["frequency", "T"]].tolist() == pytest.approx([2, 37 / 7])
    assert by_day.attrs["occasion"] == "day"


def test_monthly_periods_and_a_period_as_observation_end(lifetimes_example):
    end = pd.Period("2015-02", "M")
    summary = purchase_summary(lifetimes_example, end, time_unit="month", columns=COLUMNS)
    assert summary.attrs["occasion"] == "period"  # the default for months
    assert summary.loc[4, ["frequency", "recency", "T"]].tolist() == [1, 1, 1]  # January, then February
    assert summary.loc[1, ["frequency", "T"]].tolist() == [0, 0]  # both in February: one purchase
    # a Period stands for its last day: February 2015 ends on the 28th
    by_day = purchase_summary(lifetimes_example, pd.Period("2015-02", "M"), time_unit="day", columns=COLUMNS)
    assert by_day.attrs["observation_end"] == "2015-02-28"


def test_a_week_log_is_the_same_whichever_occasion():
    log = pd.DataFrame({"customer_id": [5, 5, 5], "week": [3, 3, 6], "amount": [1.0, 2.0, 4.0]})
    assert purchase_summary(log, occasion="period").equals(purchase_summary(log))
    with pytest.raises(DataError, match="occasion 'hour' is not supported"):
        purchase_summary(log, occasion="hour")


def test_unknown_or_absent_column_names_are_refused(lifetimes_example):
    with pytest.raises(DataError, match="the log has no column 'CustomerID'"):
        rfm_table(lifetimes_example, columns={"customer_id": "CustomerID", "date": "when", "amount": "value"})
    with pytest.raises(DataError, match="unknown schema name"):
        rfm_table(lifetimes_example, columns={"customer": "id"})


def test_rfm_frequency_counts_purchase_days_like_the_purchase_summary():
    log = load_cdnow_sample()
    table = rfm_table(log)
    rows = log.groupby("customer_id").size()
    days = log.assign(day=log["date"].dt.floor("D")).groupby("customer_id")["day"].nunique()
    assert (table["frequency"] == days).all()
    assert (table["frequency"] != rows).sum() == 118  # customers with two orders on one day
    summary = purchase_summary(log, "1998-06-30", occasion="day")
    assert (table["frequency"] == summary["frequency"] + 1).all()
    mean = rfm_table(log, monetary="mean")
    assert mean["monetary"].to_numpy() == pytest.approx((table["monetary"] / table["frequency"]).to_numpy())


def test_rfm_accepts_a_period_analysis_date_and_custom_columns(lifetimes_example):
    table = rfm_table(lifetimes_example, pd.Period("2015-02-08", "D"), columns=COLUMNS)
    assert table.attrs["analysis_date"] == "2015-02-08"
    assert table.loc[3, ["recency", "frequency"]].tolist() == [34, 3]


def test_gamma_gamma_warns_or_refuses_when_spend_depends_on_frequency():
    rng = np.random.default_rng(1)
    frequency = rng.integers(1, 20, 500)
    dependent = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": 5.0,
            "T": 10.0,
            "monetary_value": 10.0 * frequency * rng.gamma(20, 1 / 20, 500),
        }
    )
    assert spend_frequency_correlation(dependent) > 0.9
    with pytest.warns(ModelAssumptionWarning, match=r"correlated \(r = 0.9\d.*assumes they are independent"):
        model = GammaGammaModel().fit(dependent)
    assert model.spend_frequency_correlation_ > 0.9
    with pytest.raises(DataError, match="mean spend and purchase frequency are correlated"):
        GammaGammaModel(on_dependence="raise").fit(dependent)


def test_gamma_gamma_is_quiet_on_cdnow():
    summary = calibration_holdout_summary(load_cdnow_sample(), "1997-09-30", "1998-06-30", occasion="day")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelAssumptionWarning)
        model = GammaGammaModel().fit(summary)
    assert model.spend_frequency_correlation_ == pytest.approx(0.11, abs=0.01)


@pytest.fixture(scope="module")
def cdnow_fit():
    log = load_cdnow_sample()
    summary = calibration_holdout_summary(log, "1997-09-30", "1998-06-30", occasion="day")
    return log, summary, BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")


def test_expected_cumulative_transactions_track_cdnow(cdnow_fit):
    log, summary, model = cdnow_fit
    table = expected_cumulative_transactions(model, log, occasion="day")
    assert len(table) == 78 and table.index[0] == 1
    assert table["actual"].is_monotonic_increasing and table["expected"].is_monotonic_increasing
    # every repeat purchase up to the end of the data is counted
    assert table["actual"].iloc[-1] == (purchase_summary(log, occasion="day")["frequency"]).sum()
    # the calibration period is fitted closely; the holdout is under-forecast (FHL 2005, Figure 2)
    assert table.loc[39, "expected"] == pytest.approx(table.loc[39, "actual"], rel=0.03)
    assert table["actual_incremental"].sum() == table["actual"].iloc[-1]
    with pytest.raises(DataError, match="fitted with time in weeks; call with time_unit='week'"):
        expected_cumulative_transactions(model, log, time_unit="day")


@pytest.mark.parametrize("by", ["recency_cal", "time_since_last_purchase"])
def test_holdout_comparison_by_recency_and_time_since_the_last_purchase(cdnow_fit, by):
    _, summary, model = cdnow_fit
    table = holdout_comparison(model, summary, by=by, bins=5)
    assert table.index.name == by and table.index[-1] == "all"
    assert table["customers"].iloc[:-1].sum() == len(summary) == table.loc["all", "customers"]
    assert table.loc["all", "actual_total"] == summary["frequency_holdout"].sum()
    with pytest.raises(ValueError, match="by must be"):
        holdout_comparison(model, summary, by="monetary")
