"""The customer loyalty model: four determinants, four intentions, their strength by stage, a
stage-weighted index and Dick & Basu's loyalty types.

Follows docs/crm-theory-reference.md §3 (loyalty model) and §2 (the textbook's table of intentions by stage).

The textbook states (seed 004; the theory reference attributes the model to Chen Mingliang 2003, whose
coefficients are unverified) that perceived value (感知价值), satisfaction (满意), trust (信任) and
switching cost (转移成本) each raise loyalty, with weights that differ by relationship stage, and that
loyalty shows as repeat-purchase intention, price tolerance, cross-buying intention and referral intention.
Chen's coefficients are not reproduced here.

This module holds the project's one copy of the two tables by stage: :data:`DETERMINANT_WEIGHTS` and
:data:`INTENTION_STRENGTH`, plain tuples indexed by stage code (:data:`~crm_theory.lifecycle.LIFECYCLE_STAGES`
order) that the simulation's rules read, and whose numbers the simulation and its notebooks are calibrated
on. The DataFrames below (:data:`DEFAULT_STAGE_WEIGHTS`, :data:`STAGE_INTENTIONS`) are views of them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.lifecycle import DEVELOPMENT, IDENTIFICATION, LIFECYCLE_STAGES, STABLE
from crm_theory.timeaxis import occasion_index, point_index
from crm_theory.validation import coerce_time_point, report_exclusion, time_column_of, validate_transactions

LOYALTY_DETERMINANTS = ("perceived_value", "satisfaction", "trust", "switching_cost")
LOYALTY_INTENTIONS = ("repeat_purchase", "price_tolerance", "cross_buying", "referral")

#: Weights of the four determinants (:data:`LOYALTY_DETERMINANTS` order) by stage, one row per stage code.
#: Reference §3's "reasonable default" (from the Western evidence, not from Chen): identification -
#: perceived value dominates; development - satisfaction, then trust; stable - trust and switching cost.
#: Read across the stages, each determinant weighs most in the stage §3 names for it: perceived value in
#: identification, satisfaction in development, trust and switching cost in the stable stage (and
#: satisfaction matters less once loyalty has set in, Oliver 1999). The numbers are the course's defaults
#: from that ordering. The simulation weighs the determinants' raw values with them (its attractiveness,
#: §8), so the rows need not sum to 1. Prospect, decline and lost rows are zero and never used: a
#: declining customer weighs as in the stage its decline began.
DETERMINANT_WEIGHTS = (
    (0.0, 0.0, 0.0, 0.0),  # prospect
    (1.0, 0.6, 0.2, 0.2),  # identification
    (0.8, 0.8, 0.5, 0.4),  # development
    (0.6, 0.3, 0.8, 0.8),  # stable
    (0.0, 0.0, 0.0, 0.0),  # decline: weighs as the stage its decline began in
    (0.0, 0.0, 0.0, 0.0),  # lost
)

#: Strength (0-1) of the four intentions (:data:`LOYALTY_INTENTIONS` order) by stage, one row per stage
#: code: the textbook's table in reference §2 (seed 004) read as numbers (its words are in
#: :data:`STAGE_INTENTION_WORDS`): none 0, none or weak 0.1, small 0.15, weak 0.25, moderate 0.4-0.45,
#: fairly strong 0.75, strong 0.85-0.95. The table has no decline column; in decline every intention
#: fades (the simulation's rules), so the decline row, like the prospect and lost rows, is zero.
INTENTION_STRENGTH = (
    (0.0, 0.0, 0.0, 0.0),  # prospect
    (0.4, 0.15, 0.0, 0.0),  # identification: moderate, small, none, none
    (0.75, 0.45, 0.25, 0.1),  # development: fairly strong, moderate, weak, none or weak
    (0.95, 0.85, 0.85, 0.85),  # stable: strong on all four
    (0.0, 0.0, 0.0, 0.0),  # decline: every intention fades
    (0.0, 0.0, 0.0, 0.0),  # lost
)

#: The stages with a loyalty to weigh and a column in the textbook's table (§2): the tables' rows in use.
RELATIONSHIP_STAGES = tuple(LIFECYCLE_STAGES[code] for code in (IDENTIFICATION, DEVELOPMENT, STABLE))


def _by_stage(table: tuple, columns: tuple) -> pd.DataFrame:
    """Rows of a stage table for :data:`RELATIONSHIP_STAGES`, as a DataFrame (a copy of nothing)."""
    return pd.DataFrame(
        [table[LIFECYCLE_STAGES.index(stage)] for stage in RELATIONSHIP_STAGES],
        index=pd.Index(RELATIONSHIP_STAGES, name="stage"),
        columns=list(columns),
        dtype=float,
    )


#: :data:`DETERMINANT_WEIGHTS` as a table (stages x determinants), for :func:`loyalty_index`, which
#: normalises each row to sum to 1.
DEFAULT_STAGE_WEIGHTS = _by_stage(DETERMINANT_WEIGHTS, LOYALTY_DETERMINANTS)

#: :data:`INTENTION_STRENGTH` as a table (stages x intentions): the textbook's table of §2 in numbers.
STAGE_INTENTIONS = _by_stage(INTENTION_STRENGTH, LOYALTY_INTENTIONS)

#: The textbook's own words for each cell of §2's table (seed 004), by stage in
#: :data:`LOYALTY_INTENTIONS` order: it says 小 (small) for price tolerance in identification but 弱
#: (weak) for cross-buying in development.
INTENTION_WORDS = {
    "identification": ("moderate (一般)", "small (小)", "none (无)", "none (无)"),
    "development": ("fairly strong (较强)", "moderate (一般)", "weak (弱)", "none or weak (无或弱)"),
    "stable": ("strong (强)", "strong (强)", "strong (强)", "strong (强)"),
}
STAGE_INTENTION_WORDS = pd.DataFrame(
    [INTENTION_WORDS[stage] for stage in RELATIONSHIP_STAGES],
    index=STAGE_INTENTIONS.index,
    columns=STAGE_INTENTIONS.columns,
)

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
        use ``drivers["stage"]``). Stages: identification, development, stable (the rows of the weights);
        a declining customer weighs as in the stage the decline began in, as in the simulation, so pass that
        stage for them.
    weights:
        A table (stages x determinants) replacing :data:`DEFAULT_STAGE_WEIGHTS`; rows are normalised to 1,
        so the index keeps the drivers' 0-1 scale whatever the table's row sums (the default's are not 1).
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
            "(a declining customer weighs as in the stage the decline began in; lost customers and "
            "prospects have no loyalty to weigh)",
            column="stage",
        )
    row_weights = table.loc[stages.to_numpy()].to_numpy()
    return pd.Series(
        np.sum(row_weights * values.to_numpy(), axis=1), index=drivers.index, name="loyalty_index"
    )


def intentions_by_stage(level_names: bool = False) -> pd.DataFrame:
    """The textbook's table of intention strength by stage (§2): the strengths 0-1 the simulation uses
    (:data:`INTENTION_STRENGTH`), or with ``level_names=True`` the textbook's own words."""
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
