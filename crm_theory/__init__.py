"""CRM analytics for the course: RFM, customer value, purchase models, loyalty and one-to-one analytics.

Every function takes a transaction log in the simulation's schema: ``customer_id``, a time column
(``week`` or ``date``) and ``amount``, so the same code runs on simulated logs and on real data such as the
bundled CDNOW files. Docstrings cite the section of ``shared/crm-theory-reference.md`` they follow.

Modules, one concept each:

* :mod:`~crm_theory.errors`, :mod:`~crm_theory.validation`: the schema, :class:`DataError`, exclusion warnings
* :mod:`~crm_theory.data`: loaders for CDNOW and for CSV files
* :mod:`~crm_theory.rfm`: RFM table, quintile scores, cells, segments, Hughes' cell analysis (§5)
* :mod:`~crm_theory.value`, :mod:`~crm_theory.pareto`: CLP, the CLV formula, value matrix; 80/20 analysis (§4)
* :mod:`~crm_theory.purchase_summary`, :mod:`~crm_theory.bgnbd`, :mod:`~crm_theory.gamma_gamma`,
  :mod:`~crm_theory.predictive_clv`: BG/NBD and Gamma-Gamma, CLV from them, holdout checks (§4)
* :mod:`~crm_theory.loyalty`: determinants, intentions, loyalty index, Dick & Basu types (§3)
* :mod:`~crm_theory.one_to_one`: share of wallet, tiers, needs segments (§6)
* :mod:`~crm_theory.lifecycle`: the observed lifecycle stage and its agreement with the truth (§2, §7)
* :mod:`~crm_theory.cli`: the ``crmlab rfm`` and ``crmlab clv`` subcommands
* :mod:`~crm_theory.pareto_nbd`, :mod:`~crm_theory.bgbb`, :mod:`~crm_theory.sbg`: Pareto/NBD, BG/BB and
  sBG (contractual retention, DEL/DERL); :mod:`~crm_theory.plots`: the models' diagnostic plots (§4)
"""

from crm_theory.bgbb import BetaGeoBetaBinomModel
from crm_theory.bgnbd import BetaGeoModel
from crm_theory.data import (
    load_cdnow_master,
    load_cdnow_sample,
    load_donations,
    load_transactions,
    read_transactions_csv,
)
from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.lifecycle import StageRules, observed_stage, stage_agreement
from crm_theory.loyalty import DEFAULT_STAGE_WEIGHTS, dick_basu_type, loyalty_index, repeat_patronage
from crm_theory.one_to_one import customer_tiers, needs_segments, share_of_wallet
from crm_theory.pareto import gini_coefficient, lorenz_curve, pareto_table, top_share, whale_curve
from crm_theory.pareto_nbd import ParetoNBDModel
from crm_theory.predictive_clv import expected_cumulative_transactions, holdout_comparison, predicted_clv
from crm_theory.purchase_summary import calibration_holdout_summary, purchase_summary
from crm_theory.rfm import (
    DEFAULT_SEGMENT_MAP,
    SegmentRule,
    cell_response_analysis,
    rfm_analysis,
    rfm_scores,
    rfm_table,
    segment_counts,
)
from crm_theory.sbg import ShiftedBetaGeometricModel, fit_cohorts
from crm_theory.validation import validate_transactions
from crm_theory.value import clv_multiplier, customer_lifetime_value, historical_customer_profit, value_matrix

__all__ = [
    "DEFAULT_SEGMENT_MAP",
    "DEFAULT_STAGE_WEIGHTS",
    "BetaGeoModel",
    "DataError",
    "ExcludedRowsWarning",
    "GammaGammaModel",
    "SegmentRule",
    "StageRules",
    "calibration_holdout_summary",
    "cell_response_analysis",
    "clv_multiplier",
    "customer_lifetime_value",
    "customer_tiers",
    "dick_basu_type",
    "gini_coefficient",
    "historical_customer_profit",
    "holdout_comparison",
    "load_cdnow_master",
    "load_cdnow_sample",
    "load_transactions",
    "lorenz_curve",
    "loyalty_index",
    "needs_segments",
    "observed_stage",
    "pareto_table",
    "predicted_clv",
    "purchase_summary",
    "read_transactions_csv",
    "repeat_patronage",
    "rfm_analysis",
    "rfm_scores",
    "rfm_table",
    "segment_counts",
    "share_of_wallet",
    "stage_agreement",
    "top_share",
    "validate_transactions",
    "value_matrix",
    "whale_curve",
]
__all__ += [
    "BetaGeoBetaBinomModel",
    "ParetoNBDModel",
    "ShiftedBetaGeometricModel",
    "expected_cumulative_transactions",
    "fit_cohorts",
    "load_donations",
]
