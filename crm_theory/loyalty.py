"""The customer loyalty model: four determinants, four intentions, a stage-weighted index and Dick &
Basu's loyalty types.

Follows crm-theory-reference.md §3 (loyalty model) and §2 (the intentions by stage).

The textbook states (seed 004, attributed to Chen Mingliang 2003; coefficients unverified) that perceived
value (感知价值), satisfaction (满意), trust (信任) and switching cost (转移成本) each raise loyalty, with
weights that differ by relationship stage, and that loyalty shows as repeat-purchase intention, price
tolerance, cross-buying intention and referral intention. Chen's coefficients are not reproduced here:
:data:`DEFAULT_STAGE_WEIGHTS` is the course's default from the Western evidence §3 summarises (Oliver 1999;
Jones & Sasser 1995; Burnham, Frels & Mahajan 2003), and every function takes replacement weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.timeaxis import occasion_index, point_index
from crm_theory.validation import coerce_time_point, report_exclusion, time_column_of, validate_transactions

LOYALTY_DETERMINANTS = ("perceived_value", "satisfaction", "trust", "switching_cost")
LOYALTY_INTENTIONS = ("repeat_purchase", "price_tolerance", "cross_buying", "referral")

#: Weights of the four determinants per stage (each row sums to 1). From §3's "reasonable default":
#: perceived value dominates in identification; satisfaction, then trust, in development; trust and
#: switching cost in the stable stage. The reference gives nothing for decline, so decline weighs the four
#: equally: a neutral choice, to be replaced when evidence is available.
DEFAULT_STAGE_WEIGHTS = pd.DataFrame(
    [[0.55, 0.20, 0.15, 0.10], [0.20, 0.40, 0.30, 0.10], [0.15, 0.15, 0.35, 0.35], [0.25, 0.25, 0.25, 0.25]],
    index=pd.Index(["identification", "development", "stable", "decline"], name="stage"),
    columns=list(LOYALTY_DETERMINANTS),
)

#: The textbook's ordinal scale for intention strength (无, 弱, 一般, 较强, 强).
INTENTION_LEVELS = {0: "none", 1: "weak", 2: "moderate", 3: "fairly strong", 4: "strong"}

#: The textbook states (seed 004, §2 table) how strong each intention is by stage, on INTENTION_LEVELS.
#: "none or weak" (无或弱) for referral in development is coded 0.5. The table has no decline column.
STAGE_INTENTIONS = pd.DataFrame(
    {
        "repeat_purchase": [2, 3, 4],
        "price_tolerance": [1, 2, 4],
        "cross_buying": [0, 1, 4],
        "referral": [0, 0.5, 4],
    },
    index=pd.Index(["identification", "development", "stable"], name="stage"),
).astype(float)

DICK_BASU_TYPES = {
    (True, True): "true loyalty",
    (True, False): "latent loyalty",
    (False, True): "spurious loyalty",
    (False, False): "no loyalty",
}


def _weights_table(weights: pd.DataFrame | Mapping | None) -> pd.DataFrame:
    if weights is None:
        table = DEFAULT_STAGE_WEIGHTS
    elif isinstance(weights, Mapping):
        table = pd.DataFrame(weights).T  # {stage: {determinant: weight}}
    else:
        table = weights
    missing = [name for name in LOYALTY_DETERMINANTS if name not in table.columns]
    if missing:
        raise DataError(
            f"stage weights lack determinant(s) {missing}; columns must be {list(LOYALTY_DETERMINANTS)}"
        )
    table = table[list(LOYALTY_DETERMINANTS)].astype(float)
    if (table.to_numpy() < 0).any():
        raise DataError("stage weights must be >= 0 (§3: every determinant raises loyalty)")
    sums = table.sum(axis=1)
    if (sums <= 0).any():
        raise DataError("every stage needs at least one positive weight")
    return table.div(sums, axis=0)  # so the index stays on the drivers' 0-1 scale


def loyalty_index(
    drivers: pd.DataFrame,
    stage: pd.Series | str | None = None,
    *,
    weights: pd.DataFrame | Mapping | None = None,
    scale: str = "none",
) -> pd.Series:
    """Loyalty index = stage-weighted sum of the four determinants (§3), one value per row of ``drivers``.

    Parameters
    ----------
    drivers:
        Columns ``perceived_value``, ``satisfaction``, ``trust``, ``switching_cost``. With ``scale="none"``
        each must already lie in 0-1 (e.g. survey scores rescaled); ``scale="minmax"`` rescales each column
        to 0-1 across the rows first.
    stage:
        The relationship stage per row (a Series aligned with ``drivers``, a single stage name, or None to
        use ``drivers["stage"]``). Stages: identification, development, stable, decline.
    weights:
        A table (stages x determinants) replacing :data:`DEFAULT_STAGE_WEIGHTS`; rows are normalised to 1.
    """
    missing = [name for name in LOYALTY_DETERMINANTS if name not in drivers.columns]
    if missing:
        raise DataError(
            f"drivers lack column(s) {missing}; allowed columns: {list(LOYALTY_DETERMINANTS)}",
            column=missing[0],
        )
    values = drivers[list(LOYALTY_DETERMINANTS)].astype(float)
    if values.isna().to_numpy().any():
        raise DataError("drivers have missing values; every customer needs all four determinants")
    if scale == "minmax":
        spread = (values.max() - values.min()).replace(0.0, 1.0)
        values = (values - values.min()) / spread
    elif scale != "none":
        raise ValueError(f"scale must be 'none' or 'minmax', got {scale!r}")
    elif ((values < 0) | (values > 1)).to_numpy().any():
        raise DataError("determinants must lie within 0-1 (or pass scale='minmax')")

    table = _weights_table(weights)
    if stage is None:
        if "stage" not in drivers.columns:
            raise DataError("no stage given: pass stage= or add a 'stage' column", column="stage")
        stage = drivers["stage"]
    stages = pd.Series(stage, index=drivers.index) if isinstance(stage, str) else stage.reindex(drivers.index)
    unknown = sorted(set(stages.dropna()) - set(table.index)) + (["<missing>"] if stages.isna().any() else [])
    if unknown:
        raise DataError(
            f"no loyalty weights for stage(s) {unknown}; allowed: {list(table.index)} "
            "(lost customers and prospects have no loyalty to weigh)",
            column="stage",
        )
    row_weights = table.loc[stages.to_numpy()].to_numpy()
    return pd.Series(
        np.sum(row_weights * values.to_numpy(), axis=1), index=drivers.index, name="loyalty_index"
    )


#: The textbook's own words for each cell (seed 004): it says 小 (small) for price tolerance in
#: identification but 弱 (weak) for cross-buying in development, both coded 1 above.
STAGE_INTENTION_WORDS = pd.DataFrame(
    {
        "repeat_purchase": ["moderate (一般)", "fairly strong (较强)", "strong (强)"],
        "price_tolerance": ["small (小)", "moderate (一般)", "strong (强)"],
        "cross_buying": ["none (无)", "weak (弱)", "strong (强)"],
        "referral": ["none (无)", "none or weak (无或弱)", "strong (强)"],
    },
    index=STAGE_INTENTIONS.index,
)


def intentions_by_stage(level_names: bool = False) -> pd.DataFrame:
    """The textbook's table of intention strength by stage (§2): ordinal numbers 0-4, or its own words."""
    if not level_names:
        return STAGE_INTENTIONS.copy()
    return STAGE_INTENTION_WORDS.copy()


def dick_basu_type(
    attitude: pd.Series,
    repeat_patronage: pd.Series,
    *,
    attitude_threshold: float = 0.5,
    repeat_threshold: float = 0.5,
) -> pd.Series:
    """Dick & Basu's (1994) loyalty types from relative attitude x repeat patronage (§3).

    High attitude and high repeat: true loyalty; high attitude, low repeat: latent loyalty; low attitude,
    high repeat: spurious loyalty (e.g. held by switching costs); both low: no loyalty. "High" means above
    the threshold; both inputs are indexed by customer.
    """
    frame = pd.concat({"attitude": attitude, "repeat": repeat_patronage}, axis=1)
    if frame.isna().to_numpy().any():
        raise DataError("attitude and repeat patronage must both be given for every customer")
    high_attitude = frame["attitude"] > attitude_threshold
    high_repeat = frame["repeat"] > repeat_threshold
    types = [DICK_BASU_TYPES[(bool(a), bool(r))] for a, r in zip(high_attitude, high_repeat, strict=True)]
    return pd.Series(types, index=frame.index, name="loyalty_type")


def repeat_patronage(transactions: pd.DataFrame, period_weeks: float = 4.0, analysis_date=None) -> pd.Series:
    """Share of periods (default 4 weeks) since each customer's first purchase in which they bought: a 0-1
    measure of repeat behaviour for :func:`dick_basu_type` (§3, Dick & Basu's repeat patronage).

    Periods are counted back from the analysis date (default: the last transaction); the period holding the
    first purchase counts as a whole.
    """
    transactions = validate_transactions(transactions)
    time_column = time_column_of(transactions)
    occasions = occasion_index(transactions[time_column], time_column)
    per_week = 1.0 if time_column == "week" else 7.0
    end = (
        occasions.max()
        if analysis_date is None
        else point_index(coerce_time_point(analysis_date, time_column), time_column)
    )
    keep = occasions <= end
    if not keep.all():
        report_exclusion(int((~keep).sum()), "after the analysis date")
    period = np.floor((end - occasions[keep]) / (period_weeks * per_week)).astype(np.int64)
    frame = pd.DataFrame({"customer_id": transactions["customer_id"].to_numpy()[keep], "period": period})
    grouped = frame.groupby("customer_id", sort=True)["period"]
    return (grouped.nunique() / (grouped.max() + 1)).rename("repeat_patronage")
