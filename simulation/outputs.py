"""A run's outputs as pandas DataFrames and files.

- `metrics`: one row per week (1..W) from the Mesa DataCollector: people per stage, new, won-back and
  lost customers, revenue, gross margin, marketing cost, profit, retention rate, mean satisfaction /
  trust / switching cost / share of wallet of current customers, the competitor's offer, and how many
  planned actions were funded or not.
- `transactions`: ``customer_id, week, amount`` - the schema `crm_theory` consumes. Week 0 holds the
  trial purchases of the customers the firm starts with (`initial_customer_share`); weeks 1..W the run.
- `customers`: one row per person who was ever a customer.
- `actions`: ``customer_id, week, action`` - every action the firm funded (the firm's contact history).
- `category_spend`: ``customer_id, week, firm, competitor`` - each week a customer bought in the category,
  at the firm and at the competitor: what a wallet survey measures.
- `transaction_lines`: ``customer_id, week, category, amount`` - each purchase at the firm split into one
  line per product category (`simulation.catalogue`); a purchase's lines add up to its amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.catalogue import CATALOGUE, Catalogue
from simulation.random_streams import stream_key
from simulation.stages import STAGE_LABELS, Action, Stage

METRIC_COLUMNS = (
    "week",
    *STAGE_LABELS,
    "new_customers",
    "won_back",
    "lost_customers",
    "revenue",
    "gross_margin",
    "service_cost",
    "marketing_cost",
    "profit",
    "retention_rate",
    "mean_satisfaction",
    "mean_trust",
    "mean_switching_cost",
    "mean_share_of_wallet",
    "competitor_value",
    "competitor_promotion",
    "actions_funded",
    "actions_unfunded",
)
CUSTOMER_COLUMNS = (
    "customer_id",
    "acquired_week",
    "lost_week",
    "stage",
    "decline_start_stage",
    "pattern",
    "tenure_weeks",
    "revenue",
    "profit",
    "marketing_cost",
    "stable_weeks",
    "times_won_back",
    "satisfaction_at_decline",
)
#: Patterns of relationship development (reference §2; the names are the textbook's, unverified).
PATTERNS = {
    "I": "aborted in identification",
    "II": "aborted in development",
    "III": "early exit from the stable stage",
    "IV": "long-kept relationship",
}


@dataclass
class WeeklyLog:
    """What one run booked, week by week, kept compact until a table is asked for.

    ``purchases[w]`` is (ids, amounts) of week w's purchases at the firm (week 0: the starting customers'
    trial purchases); ``competitor[w]`` the same at the competitor (current customers only);
    ``actions[w - 1]`` is (ids, action codes) of week w's funded actions. Ids are int32 and the week is the
    list position, so a million-person market's log stays small. ``baskets[w - 1]`` holds the breadth
    (int8, `rules.basket_breadth`) of each of week w's purchases at the firm, in the order of
    ``purchases[w]``; the people record it (`population`), and `transaction_line_table` derives the lines.
    """

    purchases: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    competitor: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    actions: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    baskets: list[np.ndarray] = field(default_factory=list)


def _stack(weekly: list[tuple[np.ndarray, np.ndarray]], first_week: int, value_dtype) -> tuple:
    ids = np.concatenate([part[0] for part in weekly] or [np.empty(0, np.int32)]).astype(np.int64)
    values = np.concatenate([part[1] for part in weekly] or [np.empty(0, value_dtype)])
    weeks = (
        np.repeat(
            np.arange(first_week, first_week + len(weekly), dtype=np.int64), [part[0].size for part in weekly]
        )
        if weekly
        else np.empty(0, np.int64)
    )
    return ids, weeks, values


def transaction_table(log: WeeklyLog) -> pd.DataFrame:
    """``customer_id, week, amount``: every purchase at the firm, in week and id order."""
    ids, weeks, amounts = _stack(log.purchases, 0, np.float64)
    return pd.DataFrame({"customer_id": ids, "week": weeks, "amount": amounts})


def category_spend_table(log: WeeklyLog) -> pd.DataFrame:
    """``customer_id, week, firm, competitor``: each purchase week of a customer, and where the money went.

    What a wallet survey asks (reference §6): summed by customer, ``firm`` over ``firm + competitor`` is
    the share of wallet (`crm_theory.share_of_wallet`).
    """
    ids, weeks, firm = _stack(log.purchases, 0, np.float64)
    competitor_ids, competitor_weeks, competitor = _stack(log.competitor, 0, np.float64)
    # A customer buys at most once a week, at one seller: the two logs never share a (week, id).
    table = pd.DataFrame(
        {
            "customer_id": np.concatenate([ids, competitor_ids]),
            "week": np.concatenate([weeks, competitor_weeks]),
            "firm": np.concatenate([firm, np.zeros(competitor.size)]),
            "competitor": np.concatenate([np.zeros(firm.size), competitor]),
        }
    )
    return table.sort_values(["week", "customer_id"], kind="stable", ignore_index=True)


def transaction_line_table(log: WeeklyLog, seed: int, catalogue: Catalogue = CATALOGUE) -> pd.DataFrame:
    """``customer_id, week, category, amount``: every purchase at the firm, one line per category.

    In the order of `transaction_table` (week, then customer), a purchase's lines in catalogue order;
    `category` is a pandas Categorical of the catalogue's names. The lines of a purchase add up to its
    amount: all but the last are the amount times the category's share of the basket's price levels, the
    last is the amount minus the others (so a left-to-right sum returns the amount up to rounding in the
    last bit). Derived from the run's seed and the breadths the run recorded (`WeeklyLog.baskets`); week
    0's trial purchases were made with a new customer's intention and no cross-sells. Deterministic: the
    same run gives the same lines in either engine, every time. Another `catalogue` (for experiments)
    splits the same purchases over its own categories; a basket's breadth is capped at its size.
    """
    from simulation import kernels, rules  # compiled code: loaded only when lines are asked for

    if catalogue.extra_categories != CATALOGUE.extra_categories:
        raise ValueError(
            "catalogue.extra_categories must be the run's "
            f"({CATALOGUE.extra_categories}): basket breadths are recorded while the run goes; another "
            "catalogue may change only the categories, their price levels, preferences and affinities"
        )
    if len(log.baskets) != max(len(log.purchases) - 1, 0) or any(
        b.size != ids.size for b, (ids, _) in zip(log.baskets, log.purchases[1:], strict=True)
    ):
        raise ValueError(
            "the log holds no basket breadths for some weeks: transaction lines need a run made by "
            "CustomerLifecycleModel (its people record them each week)"
        )
    key0, key1 = stream_key(seed)
    ids, weeks, amounts = _stack(log.purchases, 0, np.float64)
    first = log.purchases[0][0] if log.purchases else np.empty(0, np.int32)
    breadths = np.concatenate(
        [
            kernels.trial_breadths(
                first.astype(np.int64), 0, key0, key1, rules.NEW_CROSS, catalogue.extra_categories
            ),
            *log.baskets,
        ]
    )
    purchase, category, line_amounts = kernels.basket_lines(
        ids,
        weeks,
        amounts,
        breadths.astype(np.int64),
        key0,
        key1,
        catalogue.preferences,
        catalogue.affinity_matrix,
        catalogue.price_levels,
    )
    return pd.DataFrame(
        {
            "customer_id": ids[purchase],
            "week": weeks[purchase],
            "category": pd.Categorical.from_codes(category.astype(np.int64), categories=catalogue.names),
            "amount": line_amounts,
        }
    )


def action_table(log: WeeklyLog) -> pd.DataFrame:
    """``customer_id, week, action`` (the action's lower-case name) for every funded action."""
    ids, weeks, codes = _stack(log.actions, 1, np.int8)
    labels = pd.Categorical.from_codes(codes.astype(np.int64), categories=[a.label for a in Action])
    return pd.DataFrame({"customer_id": ids, "week": weeks, "action": labels})


#: The relationship patterns of `relationship_pattern`, by code (-1: none yet).
PATTERNS = ("I", "II", "III", "IV")


def relationship_pattern(
    stage: np.ndarray, decline_start_stage: np.ndarray, stable_weeks: np.ndarray, long_kept_weeks: int
) -> np.ndarray:
    """Pattern I-IV of each relationship (reference §2; the names are the textbook's, unverified).

    IV: long-kept - at least `long_kept_weeks` in the stable stage, whatever came after. Otherwise a
    relationship that ended (the customer is lost) is classified by the stage in which its final decline
    began: I identification (aborted early), II development (aborted in development), III stable (early
    exit from the stable stage). A relationship still going (including one in a decline it may recover
    from) has no pattern yet: empty.
    """
    codes = _pattern_codes(stage, decline_start_stage, stable_weeks, long_kept_weeks)
    return np.array([*PATTERNS, ""], dtype=object)[codes]  # code -1 picks the last: ""


def _pattern_codes(stage, decline_start_stage, stable_weeks, long_kept_weeks) -> np.ndarray:
    """`relationship_pattern` as positions in `PATTERNS`, -1 for none yet."""
    codes = np.full(decline_start_stage.shape, -1, dtype=np.int64)
    ended = stage == Stage.LOST
    codes[ended & (decline_start_stage == Stage.IDENTIFICATION)] = 0
    codes[ended & (decline_start_stage == Stage.DEVELOPMENT)] = 1
    codes[ended & (decline_start_stage == Stage.STABLE)] = 2
    codes[stable_weeks >= long_kept_weeks] = 3
    return codes


# What pandas makes of a column of labels with gaps: its text dtype (pandas 3: `str`, stored by pyarrow,
# missing values NaN; before: object, missing values None).
_TEXT_DTYPE = pd.DataFrame({"label": np.array(["a", None], dtype=object)})["label"].dtype


def _text_column(codes: np.ndarray, names) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """``names[code]`` for each code, missing where the code is negative, as the column pandas would
    make of those labels. Picked by pyarrow from the few names, not inferred from one Python string per
    row by pandas (about 9 ms per column of 50,000 rows, most of the customer table's cost)."""
    missing = codes < 0
    if not isinstance(_TEXT_DTYPE, pd.StringDtype):
        labels = np.array(list(names), dtype=object)[np.maximum(codes, 0)]
        labels[missing] = None
        return labels
    import pyarrow as pa

    picked = pa.array(list(names), type=pa.large_string()).take(pa.array(codes, mask=missing))
    return pd.array(picked, dtype=_TEXT_DTYPE)


def customer_table(state: dict[str, np.ndarray], records, p) -> pd.DataFrame:
    """One row per person who was ever a customer.

    `lost_week` is empty unless the customer is lost at the end; `decline_start_stage` is the stage in
    which the latest decline began (empty if none); `profit` is gross margin minus the cost of serving
    this person's orders and the marketing cost spent on them (including offers made before they were
    acquired);
    `satisfaction_at_decline` is the latent satisfaction when that decline began (the firm never sees it;
    it is here for teaching).
    """
    ever = np.flatnonzero(state["acquired_week"] >= 0)
    decline_stage = state["decline_start_stage"][ever].astype(np.int64)
    revenue = records.total_spend[ever]
    cost = records.marketing_cost[ever]
    lost_week = state["lost_week"][ever]
    pattern = _pattern_codes(
        state["stage"][ever], decline_stage, state["stable_weeks"][ever], p.long_kept_weeks
    )
    return pd.DataFrame(
        {
            "customer_id": ever.astype(np.int64),
            "acquired_week": state["acquired_week"][ever].astype(np.int64),
            "lost_week": pd.arrays.IntegerArray(
                np.where(lost_week >= 0, lost_week, 0).astype(np.int64), lost_week < 0
            ),
            "stage": _text_column(state["stage"][ever].astype(np.int64), STAGE_LABELS),
            "decline_start_stage": _text_column(decline_stage, STAGE_LABELS),
            "pattern": _text_column(pattern, PATTERNS),
            "tenure_weeks": state["tenure_weeks"][ever].astype(np.int64),
            "revenue": revenue,
            "profit": p.margin * revenue - p.cost_per_order * records.purchases[ever] - cost,
            "marketing_cost": cost,
            "stable_weeks": state["stable_weeks"][ever].astype(np.int64),
            "times_won_back": state["times_won_back"][ever].astype(np.int64),
            "satisfaction_at_decline": np.where(
                decline_stage >= 0, state["satisfaction_at_decline"][ever], np.nan
            ),
        }
    )


@dataclass
class SimulationResult:
    """Everything one run produced. `metrics` and `customers` are DataFrames; `transactions`,
    `category_spend`, `actions` and `transaction_lines` are built from the run's compact log when first
    read."""

    metrics: pd.DataFrame
    customers: pd.DataFrame
    log: WeeklyLog = field(repr=False)
    parameters: object
    strategy: str
    seed: int
    engine: str

    @cached_property
    def transactions(self) -> pd.DataFrame:
        return transaction_table(self.log)

    @cached_property
    def category_spend(self) -> pd.DataFrame:
        return category_spend_table(self.log)

    @cached_property
    def actions(self) -> pd.DataFrame:
        return action_table(self.log)

    @cached_property
    def transaction_lines(self) -> pd.DataFrame:
        return transaction_line_table(self.log, self.seed)

    def summary(self) -> dict[str, float]:
        """Headline figures of the run (the quantities strategy comparisons report)."""
        m, c = self.metrics, self.customers
        last = m.iloc[-1] if len(m) else None
        current = (
            sum(int(last[s.label]) for s in Stage if s not in (Stage.PROSPECT, Stage.LOST))
            if last is not None
            else 0
        )
        return {
            "profit": float(m["profit"].sum()),
            "revenue": float(m["revenue"].sum()),
            "marketing_cost": float(m["marketing_cost"].sum()),
            "customers_at_end": float(current),
            "retention": float(m["retention_rate"].mean()),
            "share_of_wallet": float(last["mean_share_of_wallet"]) if last is not None else float("nan"),
            "realised_clv": float(c["profit"].mean()) if len(c) else float("nan"),
        }

    def stage_mix(self) -> pd.DataFrame:
        """People per stage by week (weeks as index), for plotting."""
        return self.metrics.set_index("week")[list(STAGE_LABELS)]

    def write(self, out_dir) -> dict[str, Path]:
        """Write metrics, transactions, customers, actions, category_spend and transaction_lines as CSV files
        into `out_dir`."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            name: out / f"{name}.csv"
            for name in (
                "metrics",
                "transactions",
                "customers",
                "actions",
                "category_spend",
                "transaction_lines",
            )
        }
        for name, path in paths.items():
            getattr(self, name).to_csv(path, index=False)
        return paths
