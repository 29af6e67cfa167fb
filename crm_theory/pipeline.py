"""The sales-opportunity pipeline (销售机会/商机 by stage): conversion, win rate, sales cycle, weighted value.

Two of the course's sources describe the sales function of a CRM system as leads, customers, contacts and
business opportunities (业务机会) followed through sales stages (业务阶段划分), which helps managers raise the
win rate (成单率) and shorten the sales cycle (销售周期); one of them manages each opportunity's sales process
stage by stage (阶段管理) and asks what each stage is worth (docs/crm-theory-reference.md §1, CRM in
marketing, sales and service; §6, the four-step strategy's differentiation step).

The calculations are the usual ones of sales management; the texts name the measures without formulas:

- an opportunity moves through ordered ``stages`` and ends won or lost; among closed opportunities, the
  **conversion** of a stage is the share of those that reached it that went on to the next stage, and the
  **win probability** of a stage is the share of those that reached it that were won in the end;
- the **win rate** is won / (won + lost) among closed opportunities;
- the **sales cycle** is the time from opening an opportunity to winning it;
- the **weighted pipeline value** of open opportunities is the sum of each one's amount times the win
  probability of the stage it is in: the revenue the pipeline is expected to bring, if the closed history
  is a guide to the open deals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_theory.errors import DataError

WON = "won"
LOST = "lost"


def _stage_positions(stages: Sequence[str]) -> dict[str, int]:
    stages = list(stages)
    if len(stages) < 1 or len(set(stages)) != len(stages):
        raise DataError(f"stages must list each stage once, in order, at least one; got {stages!r}")
    return {stage: position for position, stage in enumerate(stages)}


def _check_values(values: pd.Series, allowed: Sequence[str], name: str) -> None:
    unknown = sorted(set(values.dropna()) - set(allowed))
    if values.isna().any():
        raise DataError(f"{name} has missing values; every row needs one of {list(allowed)}", column=name)
    if unknown:
        raise DataError(f"{name} has values {unknown!r} that are not among {list(allowed)}", column=name)


def win_rate(outcomes) -> float:
    """Won / (won + lost) over closed opportunities; open ones (any other value, or missing) are ignored."""
    outcomes = pd.Series(outcomes)
    won, lost = int((outcomes == WON).sum()), int((outcomes == LOST).sum())
    if won + lost == 0:
        raise DataError(f"no closed opportunity: outcomes must contain {WON!r} or {LOST!r}")
    return won / (won + lost)


def stage_funnel(
    closed: pd.DataFrame, stages: Sequence[str], *, stage="stage", outcome="outcome"
) -> pd.DataFrame:
    """Conversion and win probability by stage, from closed opportunities.

    ``closed`` has one row per closed opportunity: the furthest ``stage`` it reached (for a won deal, the
    last stage it passed; for a lost one, the stage in which it was lost) and its ``outcome``, ``'won'`` or
    ``'lost'``. A won opportunity is taken to have passed every stage. Returns one row per stage: how many
    opportunities reached it, how many went on to the next stage (for the last stage: were won), the
    conversion (went on / reached) and the win probability (won / reached).
    """
    positions = _stage_positions(stages)
    for column in (stage, outcome):
        if column not in closed:
            raise DataError(f"closed has no column {column!r}; it needs {stage!r} and {outcome!r}")
    _check_values(closed[outcome], [WON, LOST], outcome)
    _check_values(closed[stage], list(positions), stage)
    furthest = closed[stage].map(positions).to_numpy()
    won = (closed[outcome] == WON).to_numpy()
    furthest = np.where(won, len(positions), furthest)  # a won deal passed every stage
    rows = []
    for name, position in positions.items():
        reached = int((furthest >= position).sum())
        went_on = int((furthest > position).sum())
        rows.append((name, reached, went_on, int(won[furthest >= position].sum())))
    table = pd.DataFrame(rows, columns=["stage", "reached", "went_on", "won"]).set_index("stage")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["conversion"] = table["went_on"] / table["reached"].where(table["reached"] > 0)
        table["win_probability"] = table["won"] / table["reached"].where(table["reached"] > 0)
    return table


def sales_cycle(opened, closed, outcomes=None, *, statistic: str = "mean") -> float:
    """Mean (or median) time from opening to closing, over won opportunities when ``outcomes`` is given.

    ``opened`` and ``closed`` are times in any one unit (weeks, or datetimes, which give a Timedelta).
    """
    if statistic not in ("mean", "median"):
        raise DataError(f"statistic must be 'mean' or 'median'; got {statistic!r}")
    frame = pd.DataFrame({"opened": pd.Series(opened).to_numpy(), "closed": pd.Series(closed).to_numpy()})
    if outcomes is not None:
        frame = frame[pd.Series(outcomes).to_numpy() == WON]
    frame = frame.dropna()
    if frame.empty:
        raise DataError("no closed (won) opportunity with both an opening and a closing time")
    length = frame["closed"] - frame["opened"]
    if (length < length * 0).any():
        raise DataError("an opportunity closes before it opens: check the opened and closed columns")
    return getattr(length, statistic)()


def weighted_pipeline(
    open_deals: pd.DataFrame, win_probability, *, stage: str = "stage", amount: str = "amount"
) -> pd.DataFrame:
    """The open pipeline by stage: deals, their amount, the stage's win probability and the weighted value.

    ``win_probability`` maps each stage to the probability that a deal in it is won (e.g. the
    ``win_probability`` column of :func:`stage_funnel`). The total of ``weighted_value`` is the pipeline's
    expected revenue; ``weighted_pipeline(...)["weighted_value"].sum()`` gives it.
    """
    probability = pd.Series(win_probability, dtype=float)
    for column in (stage, amount):
        if column not in open_deals:
            raise DataError(f"open_deals has no column {column!r}; it needs {stage!r} and {amount!r}")
    _check_values(open_deals[stage], list(probability.index), stage)
    if ((probability < 0) | (probability > 1)).any() or probability.isna().any():
        raise DataError(
            f"win_probability must lie between 0 and 1 for every stage; got {probability.to_dict()}"
        )
    amounts = pd.to_numeric(open_deals[amount], errors="coerce")
    if amounts.isna().any() or (amounts < 0).any():
        raise DataError(f"{amount} must be a number of at least 0 for every deal", column=amount)
    table = (
        pd.DataFrame({"stage": open_deals[stage].to_numpy(), "amount": amounts.to_numpy()})
        .groupby("stage", sort=False)
        .agg(deals=("amount", "size"), amount=("amount", "sum"))
        .reindex(probability.index)
        .fillna({"deals": 0, "amount": 0.0})
    )
    table["deals"] = table["deals"].astype(int)
    table["win_probability"] = probability
    table["weighted_value"] = table["amount"] * table["win_probability"]
    table.index.name = "stage"
    return table
