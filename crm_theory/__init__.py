"""CRM analytics for the course: RFM, customer value, purchase models, loyalty and one-to-one analytics.

Every function takes a transaction log in the simulation's schema: ``customer_id``, a time column
(``week`` or ``date``) and ``amount``, so the same code runs on simulated logs and on real data such as the
bundled CDNOW files. Docstrings cite the section of ``docs/crm-theory-reference.md`` they follow.

Modules, one concept each:

* :mod:`~crm_theory.errors`, :mod:`~crm_theory.validation`: the schema, :class:`DataError`, exclusion warnings
* :mod:`~crm_theory.data`: loaders for CDNOW and for CSV files
* :mod:`~crm_theory.rfm`: RFM table, quintile scores, cells, segments, Hughes' cell analysis (§5)
* :mod:`~crm_theory.value`, :mod:`~crm_theory.pareto`: CLP, the CLV formula, value matrix; 80/20 analysis (§4)
* :mod:`~crm_theory.purchase_summary`, :mod:`~crm_theory.bgnbd`, :mod:`~crm_theory.gamma_gamma`,
  :mod:`~crm_theory.predictive_clv`: BG/NBD and Gamma-Gamma, CLV from them, holdout checks (§4)
* :mod:`~crm_theory.loyalty`: determinant weights and intention strengths by stage (the tables the
  simulation runs on), loyalty index, Dick & Basu types (§3)
* :mod:`~crm_theory.one_to_one`: share of wallet, tiers, needs segments (§6)
* :mod:`~crm_theory.lifecycle`: the lifecycle stages, the one observed-stage classifier and its agreement
  with the truth (§2, §7)
* :mod:`~crm_theory.cli`: the ``crmlab rfm``, ``crmlab clv`` and ``crmlab retention`` subcommands
* :mod:`~crm_theory.pareto_nbd`, :mod:`~crm_theory.bgbb`, :mod:`~crm_theory.sbg`: Pareto/NBD, BG/BB and
  sBG (contractual retention, DEL/DERL); :mod:`~crm_theory.plots`: the models' diagnostic plots (§4)
* :mod:`~crm_theory.survey`: a satisfaction survey with sampling error and its confidence interval (§3)
* :mod:`~crm_theory.call_centre`: Erlang C staffing of a call centre; :mod:`~crm_theory.pipeline`: the
  sales-opportunity pipeline (§1)
* :mod:`~crm_theory.data_mining`: behavioural variables, gains and lift tables, choosing k for k-means, basket
  matrices and association-rule metrics (§7, database marketing)

The names below are imported from their modules on first use, so importing one module (the simulation
imports :mod:`~crm_theory.lifecycle` and :mod:`~crm_theory.loyalty`) does not load scipy and the purchase
models with it.
"""

from __future__ import annotations

import importlib

# Eager, because the function has its module's name: once anything imports the submodule
# crm_theory.purchase_summary, the package attribute would be the module and __getattr__ would never run.
# The module needs only numpy and pandas.
from crm_theory.purchase_summary import calibration_holdout_summary as calibration_holdout_summary
from crm_theory.purchase_summary import purchase_summary as purchase_summary

#: Each public name and the module that defines it.
_EXPORTS = {
    "crm_theory.bgbb": ("BetaGeoBetaBinomModel",),
    "crm_theory.bgnbd": ("BetaGeoModel",),
    "crm_theory.call_centre": (
        "agents_needed",
        "erlang_b",
        "mean_wait",
        "offered_load",
        "probability_of_waiting",
        "service_level",
        "staffing_table",
    ),
    "crm_theory.data": (
        "load_cdnow_master",
        "load_cdnow_sample",
        "load_donations",
        "load_transactions",
        "read_transactions_csv",
    ),
    "crm_theory.data_mining": (
        "basket_matrix",
        "behavioural_variables",
        "choose_k",
        "cumulative_gains",
        "gains_table",
        "rule_metrics",
        "top_lift",
    ),
    "crm_theory.errors": ("DataError", "ExcludedRowsWarning"),
    "crm_theory.gamma_gamma": ("GammaGammaModel",),
    "crm_theory.lifecycle": (
        "LIFECYCLE_STAGES",
        "StageThresholds",
        "classify_stage",
        "observed_stage",
        "smooth_spend",
        "stage_agreement",
    ),
    "crm_theory.loyalty": (
        "DEFAULT_STAGE_WEIGHTS",
        "DETERMINANT_WEIGHTS",
        "INTENTION_STRENGTH",
        "dick_basu_type",
        "loyalty_index",
        "repeat_patronage",
    ),
    "crm_theory.one_to_one": ("customer_tiers", "needs_segments", "share_of_wallet"),
    "crm_theory.pareto": ("gini_coefficient", "lorenz_curve", "pareto_table", "top_share", "whale_curve"),
    "crm_theory.pareto_nbd": ("ParetoNBDModel",),
    "crm_theory.pipeline": ("sales_cycle", "stage_funnel", "weighted_pipeline", "win_rate"),
    "crm_theory.predictive_clv": ("expected_cumulative_transactions", "holdout_comparison", "predicted_clv"),
    "crm_theory.purchase_summary": ("calibration_holdout_summary", "purchase_summary"),
    "crm_theory.rfm": (
        "DEFAULT_SEGMENT_MAP",
        "SegmentRule",
        "cell_response_analysis",
        "rfm_analysis",
        "rfm_scores",
        "rfm_table",
        "segment_counts",
    ),
    "crm_theory.sbg": ("ShiftedBetaGeometricModel", "fit_cohorts"),
    "crm_theory.survey": (
        "SurveyEstimate",
        "draw_sample",
        "estimate_mean",
        "rating_answers",
        "satisfaction_survey",
    ),
    "crm_theory.validation": ("validate_transactions",),
    "crm_theory.value": (
        "clv_multiplier",
        "customer_lifetime_value",
        "historical_customer_profit",
        "value_matrix",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF, key=lambda name: (not name.isupper(), name))


def __getattr__(name: str):
    if name not in _MODULE_OF:  # a submodule not imported yet, or a misspelling
        raise AttributeError(f"module 'crm_theory' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
