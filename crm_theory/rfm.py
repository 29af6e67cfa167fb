"""RFM analysis: recency, frequency and monetary value, quintile scores, cells, segments, Hughes' cell test.

Follows docs/crm-theory-reference.md §5 (RFM, after Hughes 1994, *Strategic Database Marketing*):

* recency (最近一次消费) is the time from the last purchase to the analysis date, frequency (消费频率)
  the number of purchases up to the analysis date, monetary value (消费金额) the money spent;
* each dimension is scored in quintiles 1-5, 5 best, so recency is reversed (the most recent buyers
  score 5); ties are broken by rank so that many identical values (typically the one-time buyers'
  frequency of 1) do not collapse the bins;
* the three scores give 125 cells, coded ``"RFM"`` such as ``"545"``;
* Hughes' use of the cells: test-contact a sample, then roll out to the cells whose response rate beats
  the break-even rate = cost per contact / net profit per response.

Named segments (champions, loyal, at risk, hibernating, ...) are a later *industry convention*, not part
of Hughes' theory: :data:`DEFAULT_SEGMENT_RULES` is one example map, and every function that uses it takes
a replacement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import format_point, occasion_index, point_index
from crm_theory.validation import (
    coerce_time_point,
    report_exclusion,
    time_column_of,
    validate_transactions,
    with_schema_names,
)

SCORES = (1, 2, 3, 4, 5)
UNASSIGNED = "unassigned"


def rfm_table(
    transactions: pd.DataFrame, analysis_date=None, *, monetary: str = "total", columns=None
) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer at the analysis date (§5).

    Parameters
    ----------
    transactions:
        A transaction log (``customer_id``, ``week`` or ``date``, ``amount``).
    analysis_date:
        The moment of the analysis: a week number for a ``week`` log, a date for a ``date`` log (a
        ``pandas.Period`` stands for its last day). Transactions on or before it count; later ones are
        excluded with an :class:`~crm_theory.errors.ExcludedRowsWarning`. Default: one week / one day
        after the last transaction (a fixed point after the data, so every recency is at least 1).
    monetary:
        ``"total"`` (money spent up to the analysis date, Hughes' measure) or ``"mean"`` (per purchase
        occasion: the total divided by the frequency).
    columns:
        Mapping of schema names to the log's own column names, e.g.
        ``{"customer_id": "CustomerID", "date": "InvoiceDate", "amount": "Revenue"}``.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with ``recency`` (weeks for a week log, days for a date log),
    ``frequency`` (number of purchase occasions: days with a purchase in a date log, weeks in a week log;
    several transactions on one day are one purchase, as in :func:`~crm_theory.purchase_summary.
    purchase_summary` and in lifetimes and PyMC-Marketing) and ``monetary``.
    """
    transactions = validate_transactions(with_schema_names(transactions, columns))
    if monetary not in ("total", "mean"):
        raise ValueError(f"monetary must be 'total' or 'mean', got {monetary!r}")
    time_column = time_column_of(transactions)
    occasions = occasion_index(transactions[time_column], time_column)
    if len(occasions) == 0:
        raise DataError("the transaction log is empty; RFM needs at least one transaction")
    if analysis_date is None:
        analysis = int(occasions.max()) + 1
    else:
        analysis = point_index(coerce_time_point(analysis_date, time_column), time_column)
    included = occasions <= analysis
    report_exclusion(int((~included).sum()), f"after the analysis date {format_point(analysis, time_column)}")
    if not included.any():
        raise DataError(
            f"no transactions on or before the analysis date {format_point(analysis, time_column)}"
        )

    frame = pd.DataFrame(
        {
            "customer_id": transactions["customer_id"].to_numpy()[included],
            "occasion": occasions[included],
            "amount": transactions["amount"].to_numpy()[included],
        }
    )
    grouped = frame.groupby("customer_id", sort=True)
    total = grouped["amount"].sum()
    purchases = grouped["occasion"].nunique()
    table = pd.DataFrame(
        {
            "recency": analysis - grouped["occasion"].max(),
            "frequency": purchases,
            "monetary": total if monetary == "total" else total / purchases,
        }
    )
    table.attrs["analysis_date"] = format_point(analysis, time_column)
    table.attrs["recency_unit"] = "week" if time_column == "week" else "day"
    return table


def quintile_scores(
    values: pd.Series, *, higher_is_better: bool = True, ties: str = "rank", n_bins: int = 5
) -> pd.Series:
    """Score values 1..n_bins by quantile (§5), 5 for the best fifth.

    ``ties="rank"`` (the default, as §5 prescribes) orders customers by value and breaks ties by their
    order in ``values`` (sort by customer id first for reproducible scores), then cuts the ranking into
    equal-sized bins: every score holds n/5 customers (rounded) however many values are tied, so equal
    values may get neighbouring scores. ``ties="keep"`` gives equal values the same score (from their
    mid-rank); bins may then be uneven, but never fail.
    """
    if ties not in ("rank", "keep"):
        raise ValueError(f"ties must be 'rank' or 'keep', got {ties!r}")
    n = len(values)
    if n == 0:
        return pd.Series([], index=values.index, dtype="int64", name=values.name)
    numbers = values.to_numpy(dtype=float)
    if np.isnan(numbers).any():
        raise DataError(f"column {values.name!r} has missing values; cannot score them")
    key = numbers if higher_is_better else -numbers
    if ties == "rank":
        order = np.argsort(key, kind="stable")
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        scores = position * n_bins // n + 1
    else:
        mid_rank = pd.Series(key).rank(method="average").to_numpy()
        scores = np.floor(n_bins * (mid_rank - 0.5) / n).astype(np.int64) + 1
    return pd.Series(scores, index=values.index, name=values.name)


def rfm_scores(rfm: pd.DataFrame, *, ties: str = "rank") -> pd.DataFrame:
    """Add ``r_score``, ``f_score``, ``m_score`` (1-5, recency reversed) and the ``cell`` code to an RFM
    table (§5)."""
    missing = [column for column in ("recency", "frequency", "monetary") if column not in rfm.columns]
    if missing:
        raise DataError(f"RFM table lacks column(s) {missing}; build it with rfm_table()", column=missing[0])
    scored = rfm.sort_index().copy()
    scored["r_score"] = quintile_scores(scored["recency"], higher_is_better=False, ties=ties)
    scored["f_score"] = quintile_scores(scored["frequency"], ties=ties)
    scored["m_score"] = quintile_scores(scored["monetary"], ties=ties)
    scored["cell"] = (
        scored["r_score"].astype(str) + scored["f_score"].astype(str) + scored["m_score"].astype(str)
    )
    return scored


def rfm_cell_codes() -> list[str]:
    """The 125 cell codes ``"111"`` ... ``"555"`` (recency, frequency, monetary score; §5)."""
    return [f"{r}{f}{m}" for r, f, m in product(SCORES, repeat=3)]


# ----------------------------------------------------------------------------------------------------------
# named segments: an industry convention, replaceable


@dataclass(frozen=True)
class SegmentRule:
    """A named segment: every cell whose scores fall in the listed recency, frequency and monetary scores."""

    name: str
    recency_scores: tuple[int, ...]
    frequency_scores: tuple[int, ...]
    monetary_scores: tuple[int, ...] = SCORES


#: An example segment map on the recency x frequency grid, in the style of the industry convention
#: (not Hughes' theory). Every one of the 125 cells falls in exactly one segment.
DEFAULT_SEGMENT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("champions", (5,), (4, 5)),
    SegmentRule("loyal", (3, 4), (4, 5)),
    SegmentRule("potential loyalists", (4, 5), (2, 3)),
    SegmentRule("new customers", (5,), (1,)),
    SegmentRule("promising", (4,), (1,)),
    SegmentRule("need attention", (3,), (3,)),
    SegmentRule("about to sleep", (3,), (1, 2)),
    SegmentRule("at risk", (1, 2), (3, 4)),
    SegmentRule("cannot lose", (1, 2), (5,)),
    SegmentRule("hibernating", (1, 2), (1, 2)),
)


def build_segment_map(rules: Sequence[SegmentRule]) -> dict[str, str]:
    """Turn segment rules into a ``{cell code: segment name}`` map (named segments are an industry
    convention, not theory: §5).

    Raises ``ValueError`` if two rules claim the same cell. Cells no rule claims are left out of the map
    and are labelled ``"unassigned"`` by :func:`assign_segments`.
    """
    segment_map: dict[str, str] = {}
    for rule in rules:
        for scores in (rule.recency_scores, rule.frequency_scores, rule.monetary_scores):
            if not set(scores) <= set(SCORES):
                raise ValueError(f"segment {rule.name!r}: scores must be within 1-5, got {scores}")
        for r, f, m in product(rule.recency_scores, rule.frequency_scores, rule.monetary_scores):
            cell = f"{r}{f}{m}"
            if cell in segment_map:
                raise ValueError(f"cell {cell} is in both {segment_map[cell]!r} and {rule.name!r}")
            segment_map[cell] = rule.name
    return segment_map


DEFAULT_SEGMENT_MAP: dict[str, str] = build_segment_map(DEFAULT_SEGMENT_RULES)


def assign_segments(
    scores: pd.DataFrame, segment_map: Mapping[str, str] | Sequence[SegmentRule] | None = None
) -> pd.Series:
    """The segment name of every customer, from the ``cell`` column of :func:`rfm_scores`.

    ``segment_map`` is a ``{cell: name}`` mapping or a sequence of :class:`SegmentRule`; default
    :data:`DEFAULT_SEGMENT_MAP`. Cells the map does not cover are labelled ``"unassigned"`` (kept, not
    dropped).
    """
    if segment_map is None:
        segment_map = DEFAULT_SEGMENT_MAP
    elif not isinstance(segment_map, Mapping):
        segment_map = build_segment_map(segment_map)
    unknown = sorted(set(segment_map) - set(rfm_cell_codes()))
    if unknown:
        raise ValueError(f"segment map has cell codes that do not exist: {unknown[:5]}")
    return scores["cell"].map(segment_map).fillna(UNASSIGNED).rename("segment")


def rfm_analysis(
    transactions: pd.DataFrame,
    analysis_date=None,
    *,
    monetary: str = "total",
    ties: str = "rank",
    segment_map: Mapping[str, str] | Sequence[SegmentRule] | None = None,
) -> pd.DataFrame:
    """Everything per customer in one table (§5): recency, frequency, monetary, the three scores, the cell
    and the segment (by default the example map of the industry convention)."""
    table = rfm_scores(rfm_table(transactions, analysis_date, monetary=monetary), ties=ties)
    table["segment"] = assign_segments(table, segment_map)
    return table


def segment_counts(analysis: pd.DataFrame) -> pd.DataFrame:
    """Customers, share of customers and mean R, F, M per segment, largest segment first."""
    grouped = analysis.groupby("segment")
    counts = pd.DataFrame(
        {
            "customers": grouped.size(),
            "share": grouped.size() / len(analysis),
            "mean_recency": grouped["recency"].mean(),
            "mean_frequency": grouped["frequency"].mean(),
            "mean_monetary": grouped["monetary"].mean(),
        }
    )
    return counts.sort_values("customers", ascending=False, kind="stable")


# ----------------------------------------------------------------------------------------------------------
# Hughes' cell analysis


def break_even_response_rate(cost_per_contact: float, margin_per_response: float) -> float:
    """The response rate at which a contact pays for itself (§5, Hughes):
    cost per contact / net profit per response."""
    if cost_per_contact < 0:
        raise ValueError(f"cost per contact must be >= 0, got {cost_per_contact}")
    if margin_per_response <= 0:
        raise ValueError(f"margin per response must be > 0, got {margin_per_response}")
    return cost_per_contact / margin_per_response


def cell_response_analysis(
    test_results: pd.DataFrame,
    *,
    cost_per_contact: float,
    margin_per_response: float,
    population_cells: pd.Series | None = None,
    cell_column: str = "cell",
    response_column: str = "responded",
) -> pd.DataFrame:
    """Hughes' test-and-roll-out analysis per RFM cell (§5).

    ``test_results`` has one row per customer contacted in the test, with the customer's cell and whether
    they responded (bool or 0/1). Returns per cell: ``contacted``, ``responses``, ``response_rate``,
    ``break_even_rate``, ``profit_per_contact`` (rate x margin - cost) and ``roll_out`` (rate beats
    break-even), best cell first. With ``population_cells`` (the cell of every customer who could be
    contacted) it adds ``population`` and ``expected_profit`` of rolling out to the whole cell.
    """
    for column in (cell_column, response_column):
        if column not in test_results.columns:
            raise DataError(f"test results lack column '{column}'", column=column)
    responded = test_results[response_column]
    if responded.isna().any() or not responded.isin([0, 1, True, False]).all():
        raise DataError(
            f"column '{response_column}' must be true/false (or 1/0) for every contacted customer",
            column=response_column,
        )
    break_even = break_even_response_rate(cost_per_contact, margin_per_response)
    grouped = responded.astype(int).groupby(test_results[cell_column])
    table = pd.DataFrame({"contacted": grouped.size(), "responses": grouped.sum()})
    table["response_rate"] = table["responses"] / table["contacted"]
    table["break_even_rate"] = break_even
    table["profit_per_contact"] = table["response_rate"] * margin_per_response - cost_per_contact
    table["roll_out"] = table["response_rate"] > break_even
    if population_cells is not None:
        population = population_cells.value_counts()
        table["population"] = population.reindex(table.index).fillna(0).astype(int)
        table["expected_profit"] = table["population"] * table["profit_per_contact"]
    table.index.name = "cell"
    return table.sort_values("response_rate", ascending=False, kind="stable")
