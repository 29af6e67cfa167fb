"""The diagnostic plots draw what they say: the expected artists, a title and axis labels with units."""

import matplotlib.pyplot as plt
import pytest

from crm_theory import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeometricModel,
    calibration_holdout_summary,
    load_cdnow_sample,
    load_donations,
    plots,
)

plt.switch_backend("Agg")  # no display in CI

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


@pytest.fixture(scope="module")
def cdnow():
    log = load_cdnow_sample()
    return log, calibration_holdout_summary(log, "1997-09-30", "1998-06-30", occasion="day")


@pytest.fixture(scope="module")
def bgnbd():
    return BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")


@pytest.fixture(scope="module")
def pareto():
    return ParetoNBDModel.from_params(r=0.553, alpha=10.58, s=0.606, beta=11.67, time_unit="week")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labelled(ax, *, title: str, xlabel: str, ylabel: str):
    assert isinstance(ax, plt.Axes)
    assert title in ax.get_title() and xlabel in ax.get_xlabel() and ylabel in ax.get_ylabel()


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_period_transactions(bgnbd, cdnow):
    _, summary = cdnow
    ax = plots.plot_period_transactions(bgnbd, summary)
    labelled(
        ax,
        title="Repeat purchases per customer: actual vs BG/NBD",
        xlabel="repeat purchases in the calibration period",
        ylabel="customers",
    )
    assert len(ax.patches) == 16  # 8 bars actual, 8 model
    assert [tick.get_text() for tick in ax.get_xticklabels()][-1] == "7+"
    table = plots.period_transactions(bgnbd, summary)
    assert table["actual"].sum() == pytest.approx(table["expected"].sum()) == len(summary)
    assert table.loc["0", "actual"] == 1411


def test_period_transactions_for_bgbb():
    data = load_donations()
    model = BetaGeoBetaBinomModel.from_params(
        alpha=1.204, beta=0.750, gamma=0.657, delta=2.783, time_unit="year"
    )
    table = plots.period_transactions(model, data, max_frequency=6, weights="customers")
    assert table["actual"].tolist() == [3464, 1823, 1430, 1085, 1036, 1063, 1203]
    assert table["expected"].sum() == pytest.approx(11104)


@pytest.mark.parametrize("which", ["frequency_recency", "alive"])
def test_matrices(pareto, which):
    if which == "alive":
        ax = plots.plot_probability_alive_matrix(pareto, observed=39, max_frequency=10)
        colour = "P(alive)"
    else:
        ax = plots.plot_frequency_recency_matrix(pareto, observed=39, t=13, max_frequency=10)
        colour = "expected purchases in the next 13 weeks"
    labelled(
        ax,
        title="Pareto/NBD",
        xlabel="recency: weeks from the first to the last purchase",
        ylabel="repeat purchases (frequency)",
    )
    image = ax.get_images()[0]
    assert image.get_array().shape == (11, 40)
    assert ax.figure.axes[-1].get_ylabel() == colour  # the colour bar says what the colours mean


@pytest.mark.parametrize("by", ["frequency_cal", "recency_cal", "time_since_last_purchase"])
def test_calibration_vs_holdout(bgnbd, cdnow, by):
    _, summary = cdnow
    ax = plots.plot_calibration_purchases_vs_holdout_purchases(bgnbd, summary, by=by)
    labelled(ax, title="Holdout (39 weeks)", xlabel="", ylabel="mean purchases per customer in the holdout")
    assert legend_texts(ax) == ["actual", "BG/NBD"]
    assert len(ax.lines) == 2


@pytest.mark.parametrize("incremental", [False, True])
def test_tracking_plots(bgnbd, cdnow, incremental):
    log, _ = cdnow
    draw = plots.plot_incremental_transactions if incremental else plots.plot_cumulative_transactions
    ax = draw(bgnbd, log, calibration_end=39, occasion="day")
    labelled(
        ax,
        title="Repeat purchases over time",
        xlabel="weeks since 1997-01-01",
        ylabel="per week" if incremental else "cumulative",
    )
    assert legend_texts(ax) == ["actual", "BG/NBD", "end of calibration"]
    assert len(ax.lines[0].get_xdata()) == 78


def test_history_alive(bgnbd, cdnow):
    log, summary = cdnow
    customer = summary["frequency_cal"].idxmax()
    history = plots.probability_alive_history(
        bgnbd, log, customer, occasion="day"
    )  # as the fixture was fitted
    assert history["p_alive"].between(0, 1).all()
    assert (
        history["repeat_purchases"].iloc[-1]
        == log[log["customer_id"] == customer]["date"].dt.floor("D").nunique() - 1
    )
    ax = plots.plot_history_alive(bgnbd, log, customer, occasion="day")
    labelled(
        ax, title=f"Customer {customer}: P(alive)", xlabel="weeks since the first purchase", ylabel="P(alive)"
    )
    assert "purchase" in legend_texts(ax)


@pytest.mark.parametrize(
    ("model", "which", "xlabel"),
    [
        (
            BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week"),
            0,
            "purchase rate while alive (purchases per week)",
        ),
        (
            BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week"),
            1,
            "dropout probability after a purchase",
        ),
        (
            ParetoNBDModel.from_params(r=0.553, alpha=10.58, s=0.606, beta=11.67, time_unit="week"),
            1,
            "dropout rate (per week)",
        ),
        (
            ShiftedBetaGeometricModel.from_params(alpha=0.704, beta=1.182, time_unit="year"),
            0,
            "churn probability per year",
        ),
        (GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44), 0, "customer's mean spend per purchase"),
    ],
)
def test_heterogeneity(model, which, xlabel):
    ax = plots.plot_heterogeneity(model, which)
    labelled(ax, title="heterogeneity across customers", xlabel=xlabel, ylabel="density")
    assert len(ax.lines) == 2  # the density and its mean
    mean = list(model.heterogeneity_distributions().values())[which].mean()
    assert legend_texts(ax) == [f"mean {mean:.3g}"]


def test_spend_vs_frequency(cdnow):
    _, summary = cdnow
    ax = plots.plot_spend_vs_frequency(summary)
    labelled(
        ax,
        title="correlation 0.11",
        xlabel="repeat purchases (frequency)",
        ylabel="mean spend per repeat purchase (currency units)",
    )
    assert len(ax.collections[0].get_offsets()) == 946


def test_sbg_survival_and_retention():
    model = ShiftedBetaGeometricModel(time_unit="year").fit(REGULAR)
    ax = plots.plot_survival(model, REGULAR, periods=12)
    labelled(ax, title="Survival", xlabel="years since joining", ylabel="% of the cohort still active")
    assert ax.lines[0].get_ydata()[1] == pytest.approx(63.1)
    assert len(ax.lines[1].get_xdata()) == 13
    ax = plots.plot_retention_rates(model, REGULAR, periods=12)
    labelled(ax, title="Retention rate", xlabel="year since joining", ylabel="renewing")
    assert legend_texts(ax) == ["actual", "sBG"]
