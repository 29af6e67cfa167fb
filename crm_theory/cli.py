"""The ``crmlab rfm`` and ``crmlab clv`` subcommands: the course's analyses on a user's own data.

:func:`register` adds both subcommands to the ``crmlab`` argparse parser (``simulation/cli.py`` owns the
entry point). Each handler prints its results to stdout and returns 0; bad input raises
:class:`~crm_theory.errors.DataError` (a ``ValueError``) with a one-line message naming the file, the line
and the problem, which the entry point turns into ``crmlab: error: ...`` and exit status 2. Rows an
analysis leaves out are reported on stderr as ``crmlab: note: ...``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from crm_theory.bgnbd import BetaGeoModel
from crm_theory.data import BUNDLED_DATASETS, load_transactions
from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.predictive_clv import predicted_clv, predicted_vs_actual
from crm_theory.purchase_summary import calibration_holdout_summary
from crm_theory.rfm import rfm_analysis, segment_counts
from crm_theory.timeaxis import DAYS_PER_UNIT

INPUT_HELP = (
    "a CSV file with columns customer_id, week or date (YYYY-MM-DD), amount; "
    f"or a bundled data set: {', '.join(BUNDLED_DATASETS)}"
)


def register(subparsers) -> None:
    """Add the ``rfm`` and ``clv`` subcommands to an argparse subparsers object."""
    rfm = subparsers.add_parser(
        "rfm",
        help="RFM scores, cells and segments per customer",
        description="Recency, frequency and monetary value per customer at an analysis date, quintile scores "
        "1-5 (recency reversed), the RFM cell and a named segment. Prints the customers per segment.",
    )
    rfm.add_argument("input", metavar="INPUT", help=INPUT_HELP)
    rfm.add_argument(
        "--analysis-date",
        metavar="DATE",
        help="a date (YYYY-MM-DD), or a week number for a week log; default: just after the last transaction",
    )
    rfm.add_argument("--out", metavar="FILE", type=Path, help="write the per-customer table to this CSV file")
    rfm.set_defaults(handler=run_rfm)

    clv = subparsers.add_parser(
        "clv",
        help="fit BG/NBD and Gamma-Gamma; P(alive), expected purchases and CLV per customer",
        description="Fits the BG/NBD purchase model and the Gamma-Gamma spend model on the purchases up to "
        "the calibration end and prints their parameters and log-likelihoods. Predictions are made as of the "
        "calibration end; purchases after it are the holdout, compared with the model's forecast. To "
        "forecast from the end of your data, give its last date as the calibration end.",
    )
    clv.add_argument("input", metavar="INPUT", help=INPUT_HELP)
    clv.add_argument(
        "--calibration-end",
        metavar="DATE",
        required=True,
        help="last day (YYYY-MM-DD), or week number, of the calibration period (inclusive)",
    )
    clv.add_argument(
        "--time-unit",
        choices=sorted(DAYS_PER_UNIT),
        default="week",
        help="unit for recency, T and the horizon (default: week; a week log is always in weeks)",
    )
    clv.add_argument(
        "--horizon",
        type=float,
        metavar="N",
        help="forecast horizon in time units for expected purchases and CLV (default: one year)",
    )
    clv.add_argument(
        "--margin", type=float, default=1.0, help="profit share of spend (default 1.0: CLV as revenue)"
    )
    clv.add_argument("--discount-rate", type=float, default=0.10, help="annual discount rate (default 0.10)")
    clv.add_argument(
        "--json",
        action="store_true",
        help="print the fitted parameters as JSON: {bgnbd: {r, alpha, a, b, loglik}, "
        "gamma_gamma: {p, q, gamma, loglik}}",
    )
    clv.add_argument("--out", metavar="FILE", type=Path, help="write the per-customer table to this CSV file")
    clv.set_defaults(handler=run_clv)


def _with_notes(compute: Callable[[], object]) -> object:
    """Run an analysis and print its exclusion warnings as one-line notes on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExcludedRowsWarning)
        result = compute()
    for warning in caught:
        if issubclass(warning.category, ExcludedRowsWarning):
            print(f"crmlab: note: {warning.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    try:
        table.to_csv(path, index=True, float_format="%.6g")
    except OSError as error:
        raise DataError(f"cannot write the output: {error.strerror}", file=path) from None


def _describe_input(source: str, transactions: pd.DataFrame) -> str:
    return f"{source}: {transactions['customer_id'].nunique()} customers, {len(transactions)} transactions"


def run_rfm(args: argparse.Namespace) -> int:
    """Handler of ``crmlab rfm``."""
    transactions = load_transactions(args.input)
    analysis = _with_notes(lambda: rfm_analysis(transactions, args.analysis_date))
    print(_describe_input(args.input, transactions))
    print(f"analysis date: {analysis.attrs['analysis_date']} (recency in {analysis.attrs['recency_unit']}s)")
    print()
    counts = segment_counts(analysis)
    shown = counts.assign(share=(100 * counts["share"]).round(1)).rename(columns={"share": "share_%"})
    print(shown.round(2).to_string())
    if args.out is not None:
        _write_csv(analysis, args.out)
        print(f"\nwrote {len(analysis)} customers to {args.out}")
    return 0


def run_clv(args: argparse.Namespace) -> int:
    """Handler of ``crmlab clv``."""
    transactions = load_transactions(args.input)
    summary = _with_notes(
        lambda: calibration_holdout_summary(transactions, args.calibration_end, time_unit=args.time_unit)
    )
    bgnbd = BetaGeoModel().fit(summary)
    gamma_gamma = _with_notes(lambda: GammaGammaModel().fit(summary))
    table = predicted_clv(
        bgnbd,
        gamma_gamma,
        summary,
        horizon=args.horizon,
        margin=args.margin,
        annual_discount_rate=args.discount_rate,
    )
    per_customer = pd.concat(
        [summary[["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]], table], axis=1
    )
    has_holdout = float(summary["duration_holdout"].iloc[0]) > 0
    if has_holdout:
        holdout = predicted_vs_actual(bgnbd, summary)
        per_customer["predicted_holdout_purchases"] = holdout["predicted"]
        per_customer["actual_holdout_purchases"] = holdout["actual"]

    if args.json:
        print(json.dumps(_parameters_json(bgnbd, gamma_gamma), indent=2))
    else:
        unit = summary.attrs["time_unit"]
        print(_describe_input(args.input, transactions))
        print(
            f"calibration: up to {summary.attrs['calibration_end']}; "
            f"{len(summary)} customers, time unit {unit}"
        )
        print(
            f"BG/NBD (purchases):  r={bgnbd.r_:.4f}  alpha={bgnbd.alpha_:.4f}  a={bgnbd.a_:.4f}  "
            f"b={bgnbd.b_:.4f}  log-likelihood={bgnbd.log_likelihood_:.2f}"
        )
        print(
            f"Gamma-Gamma (spend): p={gamma_gamma.p_:.4f}  q={gamma_gamma.q_:.4f}  "
            f"gamma={gamma_gamma.gamma_:.4f}  log-likelihood={gamma_gamma.log_likelihood_:.2f}  "
            f"({gamma_gamma.n_customers_} customers with repeat purchases)"
        )
        if has_holdout:
            print(
                f"holdout {summary.attrs['calibration_end']} to {summary.attrs['observation_end']}: "
                f"predicted {per_customer['predicted_holdout_purchases'].sum():.0f} repeat purchases, "
                f"actual {per_customer['actual_holdout_purchases'].sum():.0f}"
            )
        print(
            f"total expected CLV: {per_customer['clv'].sum():,.2f} (margin {args.margin:g}, "
            f"annual discount rate {args.discount_rate:g})"
        )
        if args.out is None:
            print("\ntop 10 customers by CLV (write all with --out FILE):")
            print(per_customer.nlargest(10, "clv").round(3).to_string())
    if args.out is not None:
        _write_csv(per_customer, args.out)
        if not args.json:
            print(f"\nwrote {len(per_customer)} customers to {args.out}")
    return 0


def _parameters_json(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel) -> dict:
    return {
        "bgnbd": {**bgnbd.params_, "loglik": bgnbd.log_likelihood_},
        "gamma_gamma": {**gamma_gamma.params_, "loglik": gamma_gamma.log_likelihood_},
    }
