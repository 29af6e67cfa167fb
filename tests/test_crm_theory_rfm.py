"""RFM: hand-computed examples, scoring invariants (hypothesis), segments and Hughes' cell analysis."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.rfm import (
    DEFAULT_SEGMENT_MAP,
    SegmentRule,
    assign_segments,
    break_even_response_rate,
    build_segment_map,
    cell_response_analysis,
    quintile_scores,
    rfm_analysis,
    rfm_cell_codes,
    rfm_scores,
    rfm_table,
)


@pytest.fixture
def week_log():
    # customer 1: weeks 1, 4, 9 for 10 + 20 + 30; customer 2: week 2 for 5; customer 3: weeks 8, 9 for 7 + 8
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3, 3],
            "week": [1, 4, 9, 2, 8, 9],
            "amount": [10.0, 20.0, 30.0, 5.0, 7.0, 8.0],
        }
    )


def test_rfm_table_by_hand_for_a_week_log(week_log):
    table = rfm_table(week_log, analysis_date=10)
    assert table.loc[1].tolist() == [1, 3, 60.0]
    assert table.loc[2].tolist() == [8, 1, 5.0]
    assert table.loc[3].tolist() == [1, 2, 15.0]
    assert table.attrs["recency_unit"] == "week"


def test_rfm_mean_monetary_and_default_analysis_date(week_log):
    table = rfm_table(week_log, monetary="mean")
    # default analysis date is one week after the last transaction (week 10)
    assert table["recency"].tolist() == [1, 8, 1]
    assert table["monetary"].tolist() == [20.0, 5.0, 7.5]


def test_rfm_table_for_a_date_log_counts_days():
    log = pd.DataFrame(
        {
            "customer_id": [7, 7, 8],
            "date": pd.to_datetime(["2024-01-01", "2024-01-31", "2024-01-15"]),
            "amount": [1.0, 2.0, 0.0],
        }
    )
    table = rfm_table(log, analysis_date="2024-02-01")
    assert table["recency"].tolist() == [1, 17]
    assert table["monetary"].tolist() == [3.0, 0.0]


def test_transactions_after_the_analysis_date_are_excluded_with_a_warning(week_log):
    with pytest.warns(ExcludedRowsWarning, match="2 transactions excluded: after the analysis date week 8"):
        table = rfm_table(week_log, analysis_date=8)
    assert table.loc[1, "frequency"] == 2
    assert table["frequency"].sum() == 4


def test_no_warning_when_nothing_is_excluded(week_log):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rfm_table(week_log, analysis_date=9)


def test_analysis_date_before_all_data_is_an_error(week_log):
    with pytest.raises(DataError, match="no transactions on or before"), pytest.warns(ExcludedRowsWarning):
        rfm_table(week_log, analysis_date=0)


def test_scores_by_hand_recency_reversed():
    rfm = pd.DataFrame(
        {"recency": [50, 40, 30, 20, 10], "frequency": [1, 2, 3, 4, 5], "monetary": [5.0, 4, 3, 2, 1]},
        index=pd.Index([1, 2, 3, 4, 5], name="customer_id"),
    )
    scored = rfm_scores(rfm)
    assert scored["r_score"].tolist() == [1, 2, 3, 4, 5]  # the most recent buyer scores 5
    assert scored["f_score"].tolist() == [1, 2, 3, 4, 5]
    assert scored["m_score"].tolist() == [5, 4, 3, 2, 1]
    assert scored["cell"].tolist() == ["115", "224", "333", "442", "551"]


def test_heavily_tied_frequencies_do_not_collapse_the_bins():
    # 70% one-time buyers: plain quantile cut points would merge the bottom three quintiles
    frequency = pd.Series([1] * 70 + [2] * 15 + [3] * 10 + [8] * 5, name="frequency")
    counts = quintile_scores(frequency).value_counts().sort_index()
    assert counts.tolist() == [20, 20, 20, 20, 20]
    kept = quintile_scores(frequency, ties="keep")
    assert kept.groupby(frequency).nunique().max() == 1  # equal values share one score
    assert kept.between(1, 5).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=300))
def test_scores_are_always_between_1_and_5_and_monotone(values):
    series = pd.Series(values)
    for ties in ("rank", "keep"):
        for higher_is_better in (True, False):
            scores = quintile_scores(series, ties=ties, higher_is_better=higher_is_better)
            assert scores.between(1, 5).all()
            # a better value never gets a lower score
            order = np.argsort(series.to_numpy() if higher_is_better else -series.to_numpy(), kind="stable")
            assert np.all(np.diff(scores.to_numpy()[order]) >= 0)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(min_value=-(10**9), max_value=10**9), min_size=5, max_size=400))
def test_quintiles_hold_a_fifth_each_when_there_are_no_ties(distinct):
    series = pd.Series(sorted(distinct), dtype=float).sample(frac=1.0, random_state=0)
    n = len(series)
    for ties in ("rank", "keep"):
        counts = quintile_scores(series, ties=ties).value_counts().reindex(range(1, 6), fill_value=0)
        assert counts.min() >= n // 5 and counts.max() <= -(-n // 5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=4), min_size=5, max_size=300))
def test_rank_ties_keep_bins_near_a_fifth_whatever_the_ties(values):
    n = len(values)
    counts = quintile_scores(pd.Series(values)).value_counts().reindex(range(1, 6), fill_value=0)
    assert counts.min() >= n // 5 and counts.max() <= -(-n // 5)


def test_there_are_125_cells_and_the_default_map_covers_each_once():
    cells = rfm_cell_codes()
    assert len(cells) == 125 and len(set(cells)) == 125
    assert set(DEFAULT_SEGMENT_MAP) == set(cells)
    assert {"champions", "hibernating", "at risk", "loyal"} <= set(DEFAULT_SEGMENT_MAP.values())
    assert DEFAULT_SEGMENT_MAP["555"] == "champions"
    assert DEFAULT_SEGMENT_MAP["111"] == "hibernating"


def test_users_can_replace_the_segment_map(week_log):
    rules = [
        SegmentRule("recent", (4, 5), (1, 2, 3, 4, 5)),
        SegmentRule("lapsed", (1, 2, 3), (1, 2, 3, 4, 5)),
    ]
    analysis = rfm_analysis(week_log, 10, segment_map=rules)
    assert set(analysis["segment"]) <= {"recent", "lapsed"}
    assert analysis.loc[2, "segment"] == "lapsed"  # the customer who bought only in week 2
    partial = assign_segments(analysis, {"555": "top"})
    assert (partial != "top").sum() == (analysis["cell"] != "555").sum()
    assert set(partial) - {"top"} <= {"unassigned"}


def test_overlapping_segment_rules_are_rejected():
    with pytest.raises(ValueError, match="cell 5.. is in both"):
        build_segment_map([SegmentRule("a", (5,), (5,)), SegmentRule("b", (5,), (4, 5))])


def test_break_even_response_rate_is_cost_over_margin():
    assert break_even_response_rate(0.5, 25.0) == pytest.approx(0.02)
    with pytest.raises(ValueError):
        break_even_response_rate(0.5, 0.0)


def test_hughes_cell_analysis_by_hand():
    # cell 555: 4 of 10 responded; cell 111: 0 of 10; cell 333: 1 of 20
    test = pd.DataFrame(
        {
            "cell": ["555"] * 10 + ["111"] * 10 + ["333"] * 20,
            "responded": [1] * 4 + [0] * 6 + [0] * 10 + [1] + [0] * 19,
        }
    )
    population = pd.Series(["555"] * 100 + ["111"] * 300 + ["333"] * 200)
    table = cell_response_analysis(
        test, cost_per_contact=1.0, margin_per_response=20.0, population_cells=population
    )
    assert table.index.tolist() == ["555", "333", "111"]
    assert table.loc["555", "response_rate"] == pytest.approx(0.4)
    assert table.loc["333", "response_rate"] == pytest.approx(0.05)
    assert np.allclose(table["break_even_rate"], 0.05)
    assert table["roll_out"].tolist() == [True, False, False]  # 0.05 only equals break-even
    assert table.loc["555", "expected_profit"] == pytest.approx(100 * (0.4 * 20 - 1))
    assert table.loc["111", "expected_profit"] == pytest.approx(-300.0)


def test_rfm_on_cdnow_master_gives_balanced_quintiles():
    from crm_theory.data import load_cdnow_master

    analysis = rfm_analysis(load_cdnow_master())
    assert len(analysis) == 23570
    for column in ("r_score", "f_score", "m_score"):
        assert analysis[column].value_counts().tolist() == [4714] * 5
    assert analysis["segment"].ne("unassigned").all()
