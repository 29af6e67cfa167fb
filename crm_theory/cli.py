"""The ``crmlab rfm`` and ``crmlab clv`` subcommands: the course's analyses on a user's own data.

:func:`register` adds both subcommands to the ``crmlab`` argparse parser (:mod:`crmlab.cli` owns the
entry point). Each handler prints its results to stdout and returns 0; bad input raises
:class:`~crm_theory.errors.DataError` (a ``ValueError``) with a one-line message naming the file, the line
and the problem, which the entry point turns into ``crmlab: error: ...`` and exit status 2. Rows an
analysis leaves out are reported on stderr as ``crmlab: note: ...``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from crm_theory.bgnbd import BetaGeoModel
from crm_theory.data import BUNDLED_DATASETS, load_transactions
from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.predictive_clv import predicted_clv, predicted_vs_actual
from crm_theory.purchase_summary import calibration_holdout_summary
from crm_theory.rfm import rfm_analysis, segment_counts
from crm_theory.timeaxis import DAYS_PER_UNIT, UNITS_PER_YEAR, format_point, occasion_index, point_index
from crm_theory.validation import coerce_time_point, time_column_of

INPUT_HELP = (
    "a CSV file with columns customer_id, week or date (YYYY-MM-DD), amount; "
    f"or a bundled data set: {', '.join(BUNDLED_DATASETS)}"
)
#: The longest CLV horizon: far beyond any sensible forecast, and it keeps the discounting steps few.
MAX_HORIZON_YEARS = 100


def _finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _finite_above(low: float):
    def parse(text: str) -> float:
        value = _finite_number(text)
        if not value > low:
            raise argparse.ArgumentTypeError(f"must be greater than {low:g}, got {text!r}")
        return value

    return parse


def _output_file(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("give a file name, e.g. --out results.csv")
    return Path(text)


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
    rfm.add_argument(
        "--out", metavar="FILE", type=_output_file, help="write the per-customer table to this CSV file"
    )
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
        type=_finite_above(0),
        metavar="N",
        help="forecast horizon in time units for expected purchases and CLV, up to "
        f"{MAX_HORIZON_YEARS} years (default: one year)",
    )
    clv.add_argument(
        "--margin",
        type=_finite_number,
        default=1.0,
        help="profit share of spend, 0 to 1 (default 1.0: CLV as revenue)",
    )
    clv.add_argument(
        "--discount-rate",
        type=_finite_above(-1),
        default=0.10,
        help="annual discount rate, greater than -1 (default 0.10)",
    )
    clv.add_argument(
        "--json",
        action="store_true",
        help="print the fitted parameters as JSON: {bgnbd: {r, alpha, a, b, loglik}, "
        "gamma_gamma: {p, q, gamma, loglik}}",
    )
    clv.add_argument(
        "--out", metavar="FILE", type=_output_file, help="write the per-customer table to this CSV file"
    )
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


def _check_writable(path: Path | None) -> None:
    """Fail before any work if ``--out`` cannot be written (a probe file is created and removed)."""
    if path is None:
        return
    if path.is_dir():
        raise DataError(f"--out {path}: is a directory; give a file name")
    folder = path.parent
    if not folder.exists():
        raise DataError(f"--out {path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise DataError(f"--out {path}: {folder} is not a folder")
    try:
        if path.exists():
            path.open("a").close()
        else:
            path.open("x").close()
            path.unlink()
    except OSError as error:
        raise DataError(f"--out {path}: cannot write there ({error.strerror or error})") from None


def _check_calibration_end(transactions: pd.DataFrame, calibration_end) -> None:
    """The calibration end must fall within the data: after the last transaction the model would take
    the unobserved time for time without purchases."""
    time_column = time_column_of(transactions)
    occasions = occasion_index(transactions[time_column], time_column)
    end = point_index(coerce_time_point(calibration_end, time_column, what="--calibration-end"), time_column)
    first, last = int(occasions.min()), int(occasions.max())
    if end < first:
        raise DataError(
            f"--calibration-end {format_point(end, time_column)} is before the first transaction "
            f"({format_point(first, time_column)})"
        )
    if end > last:
        as_typed = str(last) if time_column == "week" else format_point(last, time_column)
        raise DataError(
            f"--calibration-end {format_point(end, time_column)} is after the last transaction "
            f"({format_point(last, time_column)}); to forecast from the end of the data give {as_typed}"
        )


def _check_horizon(horizon: float | None, time_unit: str) -> None:
    longest = MAX_HORIZON_YEARS * UNITS_PER_YEAR[time_unit]
    if horizon is not None and horizon > longest:
        raise DataError(
            f"--horizon: at most {MAX_HORIZON_YEARS} years ({longest:.0f} {time_unit}s), got {horizon:g}"
        )


def _check_finite(per_customer: pd.DataFrame) -> None:
    """Amounts near the largest number can make CLV overflow: refuse rather than print inf or nan."""
    numbers = per_customer.select_dtypes("number").to_numpy(dtype=float)
    broken = int((~np.isfinite(numbers)).any(axis=1).sum())
    if broken:
        raise DataError(
            f"the CLV of {broken} customer{'s' if broken > 1 else ''} is too large to compute "
            "(it overflows); record the amounts in a larger unit (e.g. thousands)"
        )


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    try:
        table.to_csv(path, index=True, float_format="%.6g")
    except OSError as error:
        raise DataError(f"cannot write the output: {error.strerror}", file=path) from None


def _describe_input(source: str, transactions: pd.DataFrame) -> str:
    return f"{source}: {transactions['customer_id'].nunique()} customers, {len(transactions)} transactions"


def run_rfm(args: argparse.Namespace) -> int:
    """Handler of ``crmlab rfm``."""
    _check_writable(args.out)
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
    _check_writable(args.out)
    _check_horizon(args.horizon, args.time_unit)
    transactions = load_transactions(args.input)
    _check_calibration_end(transactions, args.calibration_end)
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
    _check_finite(per_customer)

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
