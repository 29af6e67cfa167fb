"""The ``crmlab rfm``, ``crmlab clv`` and ``crmlab retention`` subcommands: the course's analyses on a
user's own data.

:func:`register` adds the subcommands to the ``crmlab`` argparse parser (:mod:`crmlab.cli` owns the
entry point). Each handler prints its results to stdout and returns 0; bad input raises
:class:`~crm_theory.errors.DataError` (a ``ValueError``) with a one-line message naming the file, the line
and the problem, which the entry point turns into ``crmlab: error: ...`` and exit status 2. Rows an
analysis leaves out are reported on stderr as ``crmlab: note: ...``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from crm_theory.bgnbd import BetaGeoModel
from crm_theory.data import BUNDLED_DATASETS, _check_readable, load_transactions
from crm_theory.errors import DataError, ExcludedRowsWarning
from crm_theory.gamma_gamma import GammaGammaModel
from crm_theory.pareto_nbd import ParetoNBDModel
from crm_theory.predictive_clv import predicted_clv, predicted_vs_actual
from crm_theory.purchase_summary import calibration_holdout_summary
from crm_theory.rfm import rfm_analysis, segment_counts
from crm_theory.sbg import ShiftedBetaGeometricModel
from crm_theory.timeaxis import DAYS_PER_UNIT, UNITS_PER_YEAR, format_point, occasion_index, point_index
from crm_theory.validation import coerce_time_point, time_column_of
from crmlab import arguments

INPUT_HELP = (
    "a CSV file with columns customer_id, week or date (YYYY-MM-DD), amount; "
    f"or a bundled data set: {', '.join(BUNDLED_DATASETS)}"
)
#: The longest CLV horizon: far beyond any sensible forecast, and it keeps the discounting steps few.
MAX_HORIZON_YEARS = 100
#: The purchase models ``crmlab clv --model`` offers, by name.
PURCHASE_MODELS = {"bgnbd": (BetaGeoModel, "BG/NBD"), "pareto_nbd": (ParetoNBDModel, "Pareto/NBD")}
#: The longest sBG projection, in periods.
MAX_PROJECTION = 1000


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


def _name(text: str) -> str:
    if not text.strip() or not text.replace("_", "").replace("-", "").isalnum():
        raise argparse.ArgumentTypeError(f"must be a word such as year or month, got {text!r}")
    return text


def register(subparsers) -> None:
    """Add the ``rfm``, ``clv`` and ``retention`` subcommands to an argparse subparsers object."""
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
        help="fit BG/NBD (or Pareto/NBD) and Gamma-Gamma; P(alive), expected purchases and CLV per customer",
        description="Fits a purchase model (BG/NBD, or Pareto/NBD with --model pareto_nbd) and the "
        "Gamma-Gamma spend model on the purchases up to "
        "the calibration end and prints their parameters and log-likelihoods. Predictions are made as of the "
        "calibration end; purchases after it are the holdout, compared with the model's forecast. To "
        "forecast from the end of your data, give its last date as the calibration end. A date log is "
        "counted in calendar weeks or months by default (lifetimes' convention); --occasion day "
        "reproduces Fader, Hardie & Lee's published CDNOW estimates.",
    )
    clv.add_argument("input", metavar="INPUT", help=INPUT_HELP)
    clv.add_argument(
        "--calibration-end",
        metavar="DATE",
        required=True,
        help="last day (YYYY-MM-DD), or week number, of the calibration period (inclusive)",
    )
    clv.add_argument(
        "--model",
        choices=sorted(PURCHASE_MODELS),
        default="bgnbd",
        help="purchase model: bgnbd (BG/NBD, Fader, Hardie & Lee 2005; default) or pareto_nbd "
        "(Pareto/NBD, Schmittlein, Morrison & Colombo 1987)",
    )
    clv.add_argument(
        "--time-unit",
        choices=sorted(DAYS_PER_UNIT),
        default="week",
        help="unit for recency, T and the horizon (default: week; a week log is always in weeks)",
    )
    clv.add_argument(
        "--occasion",
        choices=["day", "period"],
        help="how a date log becomes purchases and times (a week log is always counted in weeks): period "
        "(default for --time-unit week or month) floors dates to calendar weeks, Monday to Sunday, or "
        "calendar months, as lifetimes' freq='W' (a calibration end inside a period includes that whole "
        "period); day (default for --time-unit day) counts calendar days "
        "and converts days to the time unit, as Fader, Hardie & Lee (2005), whose published CDNOW "
        "estimates it reproduces",
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
        help="print the fitted parameters as JSON: {bgnbd: {r, alpha, a, b, loglik} (or pareto_nbd: "
        "{r, alpha, s, beta, loglik}), gamma_gamma: {p, q, gamma, loglik}}",
    )
    clv.add_argument(
        "--out", metavar="FILE", type=_output_file, help="write the per-customer table to this CSV file"
    )
    clv.set_defaults(handler=run_clv)

    retention = subparsers.add_parser(
        "retention",
        help="fit the sBG retention model to cohort survival counts; project survival, retention and DEL",
        description="Fits the shifted-beta-geometric model (Fader & Hardie 2007) to each cohort of a "
        "contractual business: how many of the customers who joined in period 0 are still customers "
        "after 1, 2, ... periods. Prints each cohort's parameters, projected survival and retention "
        "rates, and the discounted expected lifetime DEL (Fader & Hardie 2010) in payments.",
    )
    retention.add_argument(
        "input",
        metavar="COHORTS",
        help="a CSV file: a header 'period,<cohort>,<cohort>...', then one row per period 0, 1, 2, ... "
        "with the customers of each cohort still active (whole numbers; a younger cohort's unobserved "
        "periods left empty at the end)",
    )
    retention.add_argument(
        "--periods",
        type=arguments.whole_number(1, MAX_PROJECTION),
        metavar="N",
        help="project survival to period N (default: twice the periods observed)",
    )
    retention.add_argument(
        "--discount-rate",
        type=_finite_above(0),
        default=0.10,
        help="discount rate per period for DEL, greater than 0 (default 0.10)",
    )
    retention.add_argument(
        "--time-unit",
        type=_name,
        default="period",
        help="name of one period, e.g. year or month (default: period)",
    )
    retention.add_argument(
        "--json",
        action="store_true",
        help="print the fits as JSON: {cohort: {alpha, beta, loglik, del}}",
    )
    retention.add_argument(
        "--out",
        metavar="FILE",
        type=_output_file,
        help="write actual and projected survivors to this CSV file",
    )
    retention.set_defaults(handler=run_retention)


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
        lambda: calibration_holdout_summary(
            transactions,
            args.calibration_end,
            time_unit=args.time_unit,
            occasion=getattr(args, "occasion", None),
        )
    )
    model_class, model_label = PURCHASE_MODELS[getattr(args, "model", "bgnbd")]
    bgnbd = model_class().fit(summary)
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
        print(json.dumps(_parameters_json(bgnbd, gamma_gamma, getattr(args, "model", "bgnbd")), indent=2))
    else:
        unit = summary.attrs["time_unit"]
        print(_describe_input(args.input, transactions))
        print(
            f"calibration: up to {summary.attrs['calibration_end']}; "
            f"{len(summary)} customers, time unit {unit}{_occasion_note(summary)}"
        )
        shown = "  ".join(f"{name}={value:.4f}" for name, value in bgnbd.params_.items())
        print(
            f"{model_label} (purchases):  {shown}  log-likelihood={bgnbd.log_likelihood_:.2f}  "
            f"AIC={bgnbd.aic_:.1f}"
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


def _occasion_note(summary: pd.DataFrame) -> str:
    occasion = summary.attrs.get("occasion")
    if occasion == "period":
        return " (purchases counted per calendar " + summary.attrs["time_unit"] + ")"
    if occasion == "day" and summary.attrs.get("time_unit") != "day":
        return " (purchases counted per day, days converted)"
    return ""


def _parameters_json(bgnbd, gamma_gamma: GammaGammaModel, name: str = "bgnbd") -> dict:
    return {
        name: {**bgnbd.params_, "loglik": bgnbd.log_likelihood_},
        "gamma_gamma": {**gamma_gamma.params_, "loglik": gamma_gamma.log_likelihood_},
    }


def read_cohort_table(path: str | Path) -> pd.DataFrame:
    """A cohort table from CSV (see ``crmlab retention --help``), every cell checked; errors name the file,
    the line and the column."""
    path = Path(path)
    _check_readable(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [
                (number, row)
                for number, row in enumerate(csv.reader(handle), start=1)
                if any(cell.strip() for cell in row)
            ]
    except UnicodeDecodeError:
        raise DataError("not a UTF-8 text file", file=path) from None
    if not rows:
        raise DataError("the file is empty; expected a header 'period,<cohort>,...'", file=path, line=1)
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    if len(header) < 2 or header[0] != "period":
        raise DataError(
            "the header must be 'period' followed by one column per cohort, e.g. 'period,regular,high_end'",
            file=path,
            line=header_line,
        )
    names = header[1:]
    for position, name in enumerate(names):
        if not name:
            raise DataError(f"column {position + 2} has no cohort name", file=path, line=header_line)
        if name in names[:position]:
            raise DataError(f"cohort {name!r} appears twice in the header", file=path, line=header_line)
    if len(rows) < 3:
        raise DataError("needs period 0 and at least one later period", file=path, line=header_line)
    values = []
    for expected_period, (number, row) in enumerate(rows[1:]):
        if len(row) != len(header):
            raise DataError(f"{len(row)} fields, the header has {len(header)}", file=path, line=number)
        if row[0].strip() != str(expected_period):
            raise DataError(
                f"period {row[0].strip()!r}; periods must run 0, 1, 2, ... (expected {expected_period})",
                file=path,
                line=number,
            )
        cells = []
        for name, cell in zip(names, row[1:], strict=True):
            text = cell.strip()
            if not text:
                cells.append(np.nan)
                continue
            try:
                count = float(text)
            except ValueError:
                count = -1.0
            if not (math.isfinite(count) and count >= 0 and count.is_integer()):
                raise DataError(
                    f"{text!r} in column {name!r} is not a customer count (whole number >= 0)",
                    file=path,
                    line=number,
                )
            cells.append(count)
        values.append(cells)
    table = pd.DataFrame(values, columns=names, index=pd.RangeIndex(len(values), name="period"))
    for name in names:
        column = table[name]
        observed = column.notna().to_numpy()
        gaps = np.flatnonzero(~observed[: observed.sum()]) if observed.any() else np.array([0])
        if gaps.size or not observed[0]:
            line = rows[1 + (int(gaps[0]) if gaps.size else 0)][0]
            raise DataError(
                f"cohort {name!r} is empty here but has counts later; only the periods at the "
                "end may be empty (not yet observed)",
                file=path,
                line=line,
            )
        counts = column.dropna().to_numpy()
        rising = np.flatnonzero(np.diff(counts) > 0)
        if rising.size:
            line = rows[1 + int(rising[0]) + 1][0]
            raise DataError(
                f"cohort {name!r} grows from {counts[rising[0]]:g} to {counts[rising[0] + 1]:g}; "
                "a cohort can only shrink",
                file=path,
                line=line,
            )
        if counts[0] <= 0:
            raise DataError(f"cohort {name!r} has no customers at period 0", file=path, line=rows[1][0])
        if counts.size < 2:
            raise DataError(f"cohort {name!r} has no period after 0", file=path, line=rows[2][0])
        if counts[-1] == counts[0]:
            raise DataError(
                f"in cohort {name!r} nobody ever left, so churn cannot be estimated",
                file=path,
                line=rows[1][0],
            )
    return table


def run_retention(args: argparse.Namespace) -> int:
    """Handler of ``crmlab retention``."""
    _check_writable(args.out)
    table = read_cohort_table(args.input)
    models = {
        name: ShiftedBetaGeometricModel(time_unit=args.time_unit).fit(table[name].dropna())
        for name in table.columns
    }
    observed = len(table) - 1
    periods = args.periods if args.periods is not None else 2 * observed
    unit = args.time_unit
    projection = pd.DataFrame(index=pd.RangeIndex(periods + 1, name="period"))
    for name, model in models.items():
        size = float(table[name].iloc[0])
        projection[f"{name}_actual"] = table[name].reindex(projection.index)
        projection[f"{name}_expected"] = model.projected_survivors(size, periods).to_numpy()
        rates = model.retention_rate(np.arange(1, periods + 1))
        projection[f"{name}_retention_rate"] = np.append(np.nan, rates)
    if args.json:
        print(
            json.dumps(
                {
                    name: {
                        **model.params_,
                        "loglik": model.log_likelihood_,
                        "del": model.discounted_expected_lifetime(args.discount_rate),
                    }
                    for name, model in models.items()
                },
                indent=2,
            )
        )
    else:
        plural = "s" if len(models) > 1 else ""
        print(f"{args.input}: {len(models)} cohort{plural}, {observed} {unit}s observed")
        for name, model in models.items():
            errors = model.standard_errors_
            print(
                f"{name}: alpha={model.alpha_:.4f} (se {errors['alpha']:.4f})  beta={model.beta_:.4f} "
                f"(se {errors['beta']:.4f})  log-likelihood={model.log_likelihood_:.2f}  "
                f"DEL={model.discounted_expected_lifetime(args.discount_rate):.3f} payments "
                f"(discount rate {args.discount_rate:g} per {unit})"
            )
        survivors = [column for column in projection.columns if not column.endswith("_retention_rate")]
        shown = projection[survivors]
        print(f"\nsurvivors by {unit}, actual and sBG (projected beyond {unit} {observed}):")
        print(shown.round(1).to_string(na_rep=""))
    if args.out is not None:
        _write_csv(projection, args.out)
        if not args.json:
            print(f"\nwrote {len(projection)} periods to {args.out}")
    return 0
