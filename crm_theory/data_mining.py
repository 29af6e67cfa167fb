"""Database marketing and data mining: behavioural variables, gains and lift, k, market baskets.

Follows docs/crm-theory-reference.md §7 (the database-marketing process of the textbook: build the customer
database, build behavioural variables, build data-mining models, act, evaluate, monitor and update; its model
families segmentation, value assessment, churn prediction and cross-selling; market-basket analysis with
support, confidence and lift after Agrawal, Imielinski & Swami 1993) and §5 (recency, frequency, monetary
value as behavioural variables).

* :func:`behavioural_variables`: one row per customer as of a cut-off week, from what the firm observes
  (its transaction log and, optionally, its contact history), never from latent state;
* :func:`gains_table`, :func:`cumulative_gains`, :func:`top_lift`: how well a score ranks the customers who
  turn out positive (churners, buyers), the charts direct marketers read;
* :func:`choose_k`: within-cluster sum of squares and silhouette of k-means for several k;
* :func:`basket_matrix`, :func:`rule_metrics`: baskets as a one-hot table (the input of mlxtend's
  ``apriori``) and support, confidence and lift of one rule, computed by hand.

Model fitting itself is left to scikit-learn and mlxtend: these helpers prepare their inputs and read their
outputs.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from crm_theory.errors import DataError
from crm_theory.validation import time_column_of, validate_transactions


def _week_log(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {missing}; expected {list(columns)}", column=missing[0])
    if not pd.api.types.is_integer_dtype(frame["week"]):
        raise DataError(
            f"{name}: column 'week' must hold integer weeks, got {frame['week'].dtype}", column="week"
        )
    return frame


def behavioural_variables(
    transactions: pd.DataFrame,
    cutoff: int,
    *,
    actions: pd.DataFrame | None = None,
    recent_weeks: int = 13,
) -> pd.DataFrame:
    """Behavioural variables (客户消费行为特征变量) of every customer who bought on or before week `cutoff`.

    Only rows on or before `cutoff` are read, so the variables are what the firm knew that week (§7, the
    second step of the database-marketing process). From the transaction log (``customer_id, week,
    amount``; a purchase week is one purchase occasion):

    * ``recency``: weeks since the last purchase; ``frequency``: purchase weeks; ``monetary``: total spend,
      CU (§5); ``mean_basket``: spend per purchase week, CU;
    * ``tenure``: weeks since the first purchase;
    * ``recent_purchases``, ``recent_spend``: purchase weeks and spend in the last `recent_weeks` weeks;
    * ``trend``: the recent purchase rate over the rate since the first purchase (below 1: buying less
      often than before, an early sign of decline).

    With the firm's contact history `actions` (``customer_id, week, action``, one row per contact):

    * ``contacts``, ``recent_contacts``: contacts in all weeks and in the last `recent_weeks` weeks;
    * ``responses``: contacts in a week in which the customer bought (the response the firm can see);
      ``response_rate``: responses per contact (0 without contacts);
    * ``weeks_since_contact``: weeks since the last contact (``cutoff + 1`` if never contacted);
    * ``contacts_<action>``: contacts of each kind.

    Returns a DataFrame indexed by ``customer_id``, sorted.
    """
    if isinstance(cutoff, bool) or not isinstance(cutoff, int | np.integer) or cutoff < 0:
        raise DataError(f"cutoff must be a week number >= 0, got {cutoff!r}")
    if isinstance(recent_weeks, bool) or not isinstance(recent_weeks, int | np.integer) or recent_weeks < 1:
        raise DataError(f"recent_weeks must be a whole number of weeks >= 1, got {recent_weeks!r}")
    log = validate_transactions(transactions)
    if time_column_of(log) != "week":
        raise DataError("transactions: behavioural variables need a 'week' column (weeks of the simulation)")
    log = log[log["week"] <= cutoff]
    if log.empty:
        raise DataError(f"transactions: no purchases on or before week {cutoff}")
    # several rows in one week are one purchase occasion
    weekly = log.groupby(["customer_id", "week"], sort=True)["amount"].sum().reset_index()
    by_customer = weekly.groupby("customer_id")
    first, last = by_customer["week"].min(), by_customer["week"].max()
    table = pd.DataFrame(
        {
            "recency": cutoff - last,
            "frequency": by_customer.size(),
            "monetary": by_customer["amount"].sum(),
            "tenure": cutoff - first,
        }
    )
    table["mean_basket"] = table["monetary"] / table["frequency"]
    recent = weekly[weekly["week"] > cutoff - recent_weeks].groupby("customer_id")
    table["recent_purchases"] = recent.size().reindex(table.index, fill_value=0)
    table["recent_spend"] = recent["amount"].sum().reindex(table.index, fill_value=0.0)
    long_run_rate = table["frequency"] / (table["tenure"] + 1)
    recent_rate = table["recent_purchases"] / np.minimum(recent_weeks, table["tenure"] + 1)
    table["trend"] = recent_rate / long_run_rate

    if actions is not None:
        contacts = _week_log(actions, "actions", ("customer_id", "week", "action"))
        contacts = contacts[(contacts["week"] <= cutoff) & contacts["customer_id"].isin(table.index)]
        bought = pd.MultiIndex.from_frame(weekly[["customer_id", "week"]])
        responded = pd.MultiIndex.from_frame(contacts[["customer_id", "week"]]).isin(bought)
        per_customer = contacts.groupby("customer_id")
        table["contacts"] = per_customer.size().reindex(table.index, fill_value=0)
        table["recent_contacts"] = (
            contacts[contacts["week"] > cutoff - recent_weeks]
            .groupby("customer_id")
            .size()
            .reindex(table.index, fill_value=0)
        )
        table["responses"] = (
            contacts[responded].groupby("customer_id").size().reindex(table.index, fill_value=0)
        )
        table["response_rate"] = (table["responses"] / table["contacts"].where(table["contacts"] > 0)).fillna(
            0.0
        )
        last_contact = per_customer["week"].max().reindex(table.index)
        table["weeks_since_contact"] = (cutoff - last_contact).fillna(cutoff + 1).astype(int)
        kinds = pd.crosstab(contacts["customer_id"], contacts["action"].astype(str))
        kinds = kinds.reindex(table.index, fill_value=0).add_prefix("contacts_")
        table = table.join(kinds)
    table.index.name = "customer_id"
    return table.sort_index()


def _labels_and_scores(y_true, score) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(score, dtype=float)
    if y.ndim != 1 or s.ndim != 1 or y.size != s.size:
        raise DataError(f"y_true and score must be 1-d and of the same length, got {y.shape} and {s.shape}")
    if y.size == 0:
        raise DataError("y_true is empty; give at least one customer")
    if np.isnan(s).any():
        raise DataError(f"score has {int(np.isnan(s).sum())} missing values; score every customer")
    if not np.isin(y, [0, 1]).all():
        raise DataError("y_true must hold 0/1 or False/True outcomes (1: the event, e.g. lost)")
    if not y.any():
        raise DataError("y_true has no positive outcome; gains and lift need at least one")
    return y.astype(int), s


def _ranked(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Outcomes in order of descending score; ties keep their input order (a stable sort)."""
    return y[np.argsort(-s, kind="stable")]


def gains_table(y_true, score, n_groups: int = 10) -> pd.DataFrame:
    """The gains table of a score: customers ranked by score, cut into `n_groups` equal groups (deciles).

    For each group (1 = the highest scores): ``customers``, ``positives`` (e.g. customers who churned),
    ``rate`` (their share in the group), ``lift`` (the rate over the overall rate), and cumulatively from the
    top: ``targeted`` (share of all customers), ``gain`` (share of all positives captured: the cumulative
    gains chart) and ``cumulative_lift`` (gain / targeted: the lift chart). A random order has lift 1 in every
    group. Groups differ in size by at most one customer; tied scores keep their input order.
    """
    y, s = _labels_and_scores(y_true, score)
    if (
        isinstance(n_groups, bool)
        or not isinstance(n_groups, int | np.integer)
        or not 1 <= n_groups <= y.size
    ):
        raise DataError(f"n_groups must be a whole number from 1 to the number of customers ({y.size})")
    groups = np.array_split(_ranked(y, s), n_groups)
    table = pd.DataFrame(
        {"customers": [g.size for g in groups], "positives": [int(g.sum()) for g in groups]},
        index=pd.RangeIndex(1, n_groups + 1, name="group"),
    )
    base_rate = y.mean()
    table["rate"] = table["positives"] / table["customers"]
    table["lift"] = table["rate"] / base_rate
    table["targeted"] = table["customers"].cumsum() / y.size
    table["gain"] = table["positives"].cumsum() / y.sum()
    table["cumulative_lift"] = table["gain"] / table["targeted"]
    return table


def cumulative_gains(y_true, score) -> pd.DataFrame:
    """The cumulative gains curve, one point per customer: ``targeted`` (share of customers contacted, best
    scores first) against ``gain`` (share of positives captured), starting at (0, 0)."""
    y, s = _labels_and_scores(y_true, score)
    captured = np.concatenate([[0], np.cumsum(_ranked(y, s))])
    return pd.DataFrame({"targeted": np.arange(y.size + 1) / y.size, "gain": captured / y.sum()})


def top_lift(y_true, score, fraction: float = 0.1) -> float:
    """Lift in the top `fraction` of scores: their positive rate over the overall rate (top-decile lift)."""
    y, s = _labels_and_scores(y_true, score)
    if not 0 < fraction <= 1:
        raise DataError(f"fraction must be in (0, 1], got {fraction!r}")
    top = _ranked(y, s)[: max(1, int(round(fraction * y.size)))]
    return float(top.mean() / y.mean())


def choose_k(features, ks: Iterable[int] = range(2, 9), *, random_state: int = 0) -> pd.DataFrame:
    """k-means for each k in `ks` on `features` (already standardised): ``inertia`` (within-cluster sum of
    squares; the elbow criterion) and ``silhouette`` (mean silhouette width, -1 to 1, higher is better)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    x = np.asarray(features, dtype=float)
    ks = list(ks)
    if x.ndim != 2 or not ks or min(ks) < 2 or max(ks) >= x.shape[0]:
        raise DataError("features must be 2-d and every k in ks from 2 to the number of rows - 1")
    rows = []
    for k in ks:
        model = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(x)
        rows.append((k, model.inertia_, silhouette_score(x, model.labels_)))
    return pd.DataFrame(rows, columns=["k", "inertia", "silhouette"]).set_index("k")


def basket_matrix(
    lines: pd.DataFrame, *, basket: str | list[str] = ("customer_id", "week"), item: str = "category"
) -> pd.DataFrame:
    """Baskets as a one-hot table: one row per basket, one boolean column per item (mlxtend's input).

    `lines` holds one row per line of a transaction (e.g. ``customer_id, week, category, amount``); the
    `basket` columns identify a basket (by default a customer's purchase in one week) and `item` names what
    was bought. An item bought twice in a basket counts once.
    """
    basket = list(basket) if not isinstance(basket, str) else [basket]
    if not isinstance(lines, pd.DataFrame):
        raise DataError(f"lines: expected a pandas DataFrame, got {type(lines).__name__}")
    missing = [column for column in [*basket, item] if column not in lines.columns]
    if missing:
        raise DataError(
            f"lines: missing column(s) {missing}; basket={basket}, item={item!r}", column=missing[0]
        )
    if lines.empty:
        raise DataError("lines is empty; give at least one transaction line")
    counts = lines.groupby([*basket, lines[item].astype(str)], sort=True).size()
    table = counts.unstack(item, fill_value=0) > 0
    table.columns.name = item
    return table


def _itemset(items, baskets: pd.DataFrame, what: str) -> list[str]:
    items = [items] if isinstance(items, str) else list(items)
    if not items:
        raise DataError(f"{what} is empty; name at least one item")
    unknown = [i for i in items if i not in baskets.columns]
    if unknown:
        raise DataError(f"{what}: unknown item(s) {unknown}; the baskets hold {list(baskets.columns)}")
    return items


def rule_metrics(baskets: pd.DataFrame, antecedent, consequent) -> pd.Series:
    """Support, confidence and lift of the rule antecedent → consequent in a one-hot basket table.

    * support = P(antecedent and consequent): the share of baskets holding both;
    * confidence = P(consequent | antecedent) = support / support(antecedent);
    * lift = confidence / support(consequent): how much more likely the consequent is in a basket with the
      antecedent than in any basket (1: independent; above 1: bought together more than by chance).

    `antecedent` and `consequent` are an item or a list of items (all of them in the basket).
    """
    if not isinstance(baskets, pd.DataFrame) or baskets.empty:
        raise DataError("baskets must be a non-empty one-hot DataFrame (see basket_matrix)")
    a = _itemset(antecedent, baskets, "antecedent")
    c = _itemset(consequent, baskets, "consequent")
    if set(a) & set(c):
        raise DataError(f"antecedent and consequent share item(s) {sorted(set(a) & set(c))}")
    has_a = baskets[a].astype(bool).all(axis=1)
    has_c = baskets[c].astype(bool).all(axis=1)
    # from counts, so that e.g. 3 of 4 baskets gives exactly 0.75
    n, n_a, n_c, n_both = len(baskets), int(has_a.sum()), int(has_c.sum()), int((has_a & has_c).sum())
    support_a, support_c, support = n_a / n, n_c / n, n_both / n
    confidence = n_both / n_a if n_a else np.nan
    return pd.Series(
        {
            "antecedent support": support_a,
            "consequent support": support_c,
            "support": support,
            "confidence": confidence,
            "lift": confidence / support_c if support_c > 0 else np.nan,
        }
    )
