"""Calibration to a transaction log by the simulated method of moments.

1. **Moments** of a cohort's purchases (:func:`purchase_moments`), from any log in the standard schema
   (``customer_id``, ``week`` or ``date``, ``amount``) - real data such as CDNOW or a simulated run: the
   customers whose first purchase falls in the first ``acquisition_weeks`` weeks of the log, followed for
   ``observed_weeks`` weeks. A purchase occasion is a week with spend (several purchases in one week are
   one occasion, amounts added), since the simulation has one basket a week at most.
2. A **weighted distance** between simulated and observed moments: each difference is divided by a
   scale (5 percentage points for shares; the observed value for weeks, money and rates), squared,
   weighted and averaged.
3. **Identification first** (:func:`moment_response`): each fitted parameter is moved from the low to the
   high end of its search range; a moment no fitted parameter moves would be fitted "perfectly" at any
   value, so it is an error (or a warning with ``allow_flat``), and a parameter that moves no moment
   cannot be fitted (a warning).
4. **Optimisation** with optuna's TPE sampler, seeded; every trial runs the same replication seeds
   (common random numbers), so trials differ by their parameters, not by luck.
"""

from __future__ import annotations

import numbers
import subprocess
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.sweeps.spec import SpecError, SpecReader, _known_parameter, _whole, read_spec_text

#: Moment name -> (meaning, kind). The kind sets the scale of its differences in the distance.
MOMENTS: dict[str, tuple[str, str]] = {
    "repeaters": ("share of the cohort with at least one repeat purchase", "share"),
    "repeats_1": ("share with exactly 1 repeat purchase", "share"),
    "repeats_2": ("share with exactly 2 repeat purchases", "share"),
    "repeats_3_4": ("share with 3-4 repeat purchases", "share"),
    "repeats_5_9": ("share with 5-9 repeat purchases", "share"),
    "repeats_10_plus": ("share with 10 or more repeat purchases", "share"),
    "gap_q25": ("first quartile of weeks between consecutive purchases", "level"),
    "gap_median": ("median weeks between consecutive purchases", "level"),
    "gap_q75": ("third quartile of weeks between consecutive purchases", "level"),
    "spend_mean": ("mean spend per purchase (money units of the log)", "level"),
    "spend_median": ("median spend per purchase", "level"),
    "purchases_per_active_week": (
        "repeaters' purchases per week between their first and last purchase",
        "level",
    ),
}
REPEAT_BINS = (("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3-4", 3, 4), ("5-9", 5, 9), ("10+", 10, None))
SHARE_SCALE = 0.05


class CalibrationError(ValueError):
    """The calibration cannot give a meaningful fit (e.g. a moment no fitted parameter moves)."""


# ---------------------------------------------------------------------------------------------------
# moments
def cohort_log(
    transactions: pd.DataFrame, acquisition_weeks: int = 12, observed_weeks: int = 39
) -> pd.DataFrame:
    """The cohort's weekly purchase occasions: ``customer_id, week, amount`` with weeks counted from the
    log's first week (0), cohort = first purchase in weeks ``0 .. acquisition_weeks - 1``, purchases in
    weeks ``0 .. observed_weeks - 1``. Dates are turned into weeks of 7 days from the first date."""
    from crm_theory.validation import time_column_of, validate_transactions

    log = validate_transactions(transactions)
    if log.empty:
        raise CalibrationError("the transaction log is empty: there is no cohort to compute moments of")
    time_column = time_column_of(log)
    if time_column == "date":
        dates = pd.to_datetime(log["date"])
        days = (dates - dates.min()).dt.days.to_numpy()
        week = days // 7
    else:
        week = log["week"].to_numpy(dtype=np.int64) - int(log["week"].min())
    frame = pd.DataFrame(
        {
            "customer_id": log["customer_id"].to_numpy(),
            "week": week,
            "amount": log["amount"].to_numpy(dtype=float),
        }
    )
    frame = frame[frame["amount"] > 0]
    frame = frame.groupby(["customer_id", "week"], sort=True, as_index=False)["amount"].sum()
    first = frame.groupby("customer_id")["week"].transform("min")
    return frame[(first < acquisition_weeks) & (frame["week"] < observed_weeks)].reset_index(drop=True)


def repeat_distribution(
    transactions: pd.DataFrame, acquisition_weeks: int = 12, observed_weeks: int = 39
) -> pd.Series:
    """Share of the cohort by number of repeat purchases (bins 0, 1, 2, 3-4, 5-9, 10+)."""
    return _repeat_distribution(
        _frequency(cohort_log(transactions, acquisition_weeks, observed_weeks), observed_weeks)
    )


def _frequency(cohort: pd.DataFrame, observed_weeks: int) -> pd.DataFrame:
    from crm_theory.purchase_summary import purchase_summary

    if cohort.empty:
        raise CalibrationError(
            "no customer made a first purchase in the acquisition weeks: the cohort is empty"
        )
    # crm_theory's summary (§4): frequency = repeat occasions, recency = first to last purchase, in weeks
    return purchase_summary(cohort, observation_end=observed_weeks - 1)


def _repeat_distribution(summary: pd.DataFrame) -> pd.Series:
    x = summary["frequency"].to_numpy()
    shares = {
        label: float(np.mean((x >= low) & ((x <= high) if high is not None else True)))
        for label, low, high in REPEAT_BINS
    }
    return pd.Series(shares, name="share").rename_axis("repeat purchases")


def purchase_moments(
    transactions: pd.DataFrame, acquisition_weeks: int = 12, observed_weeks: int = 39
) -> pd.Series:
    """Every moment of :data:`MOMENTS` for the cohort (see the module docstring for the window)."""
    cohort = cohort_log(transactions, acquisition_weeks, observed_weeks)
    summary = _frequency(cohort, observed_weeks)
    dist = _repeat_distribution(summary)
    gaps = cohort.groupby("customer_id")["week"].diff().dropna().to_numpy()
    repeaters = summary[summary["frequency"] > 0]
    values = {
        "repeaters": 1.0 - dist["0"],
        "repeats_1": dist["1"],
        "repeats_2": dist["2"],
        "repeats_3_4": dist["3-4"],
        "repeats_5_9": dist["5-9"],
        "repeats_10_plus": dist["10+"],
        "gap_q25": float(np.quantile(gaps, 0.25)) if gaps.size else np.nan,
        "gap_median": float(np.quantile(gaps, 0.5)) if gaps.size else np.nan,
        "gap_q75": float(np.quantile(gaps, 0.75)) if gaps.size else np.nan,
        "spend_mean": float(cohort["amount"].mean()),
        "spend_median": float(cohort["amount"].median()),
        "purchases_per_active_week": float(((repeaters["frequency"] + 1) / (repeaters["recency"] + 1)).mean())
        if len(repeaters)
        else np.nan,
    }
    moments = pd.Series(values, name="value", dtype=float).rename_axis("moment")
    moments.attrs["cohort_size"] = int(len(summary))
    return moments


def moment_scales(data_moments: pd.Series) -> pd.Series:
    """The scale of each moment's differences: 0.05 for shares, the observed value otherwise."""
    scales = {}
    for name, value in data_moments.items():
        kind = MOMENTS[name][1]
        scales[name] = SHARE_SCALE if kind == "share" else max(abs(float(value)), 1e-9)
    return pd.Series(scales, name="scale")


def moment_distance(simulated: pd.Series, data: pd.Series, weights: pd.Series) -> float:
    """Weighted mean of squared scaled differences over the weighted moments (NaN counts as far: 1e6)."""
    scales = moment_scales(data[weights.index])
    z = (simulated[weights.index] - data[weights.index]) / scales
    z = z.fillna(1e3)  # a moment the simulation cannot produce (e.g. no repeat purchase at all) is far off
    return float((weights * z**2).sum() / weights.sum())


# ---------------------------------------------------------------------------------------------------
# the simulation seen through its moments
class MomentsModel:
    """Runs the simulation and returns the purchase moments of its transaction log (for calibration)."""

    name = "simulation-moments"
    uses_strategies = True

    def __init__(self, acquisition_weeks: int, observed_weeks: int):
        self.acquisition_weeks, self.observed_weeks = acquisition_weeks, observed_weeks
        self.outputs = tuple(MOMENTS)

    def run(self, strategy, seed: int, engine: str, parameters: dict, weekly: bool = False):
        from simulation.experiment import run_simulation

        result = run_simulation(strategy=strategy, seed=seed, engine=engine, **parameters)
        try:
            moments = purchase_moments(result.transactions, self.acquisition_weeks, self.observed_weeks)
            repeat = repeat_distribution(result.transactions, self.acquisition_weeks, self.observed_weeks)
        except CalibrationError:
            # nobody became a customer (e.g. a hopeless offer): every moment is missing, which the
            # distance counts as far off, so the optimiser moves away instead of stopping
            labels = [label for label, _, _ in REPEAT_BINS]
            return {
                **dict.fromkeys(MOMENTS, np.nan),
                **{f"dist_{k}": np.nan for k in labels},
                "cohort_size": 0,
            }, None
        return {
            **moments.to_dict(),
            **{f"dist_{k}": v for k, v in repeat.items()},
            "cohort_size": moments.attrs["cohort_size"],
        }, None


# ---------------------------------------------------------------------------------------------------
# the calibration spec
CALIBRATION_KEYS = (
    "name",
    "data",
    "strategy",
    "replications",
    "seed",
    "trials",
    "engine",
    "fixed",
    "window",
    "fit",
    "moments",
    "check",
)


@dataclass(frozen=True)
class CalibrationSpec:
    """What to fit to which data: see ``specs/cdnow_calibration.toml`` for the TOML form."""

    name: str
    data: str
    fit: dict[str, tuple]
    moments: dict[str, float]
    strategy: Any = "none"
    replications: int = 4
    seed: int = 0
    trials: int = 50
    engine: str = "vector"
    fixed: dict[str, Any] = field(default_factory=dict)
    acquisition_weeks: int = 12
    observed_weeks: int = 39
    tolerance: float = 0.05
    allow_flat: bool = False
    source: str = "calibration spec"

    def base_parameters(self) -> dict:
        return {**self.fixed, "weeks": self.observed_weeks}


def load_calibration_spec(path) -> CalibrationSpec:
    """Read and check a calibration spec (TOML); the data path is relative to the spec's folder."""
    path = Path(path)
    text = read_spec_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML ({error})") from None
    return build_calibration_spec(data, SpecReader(str(path), text), default_name=path.stem, base=path.parent)


def make_calibration_spec(**keywords) -> CalibrationSpec:
    """A calibration spec from Python keywords (the TOML keys; ``data`` may also be a DataFrame)."""
    return build_calibration_spec(keywords, SpecReader("calibration spec"), default_name="calibration")


def build_calibration_spec(
    data: dict, reader: SpecReader, default_name: str = "calibration", base: Path | None = None
) -> CalibrationSpec:
    from simulation.parameters import Parameters
    from simulation.strategies import STRATEGIES, get_strategy
    from simulation.sweeps.models import SimulationModel

    reader.unknown_keys("", data, CALIBRATION_KEYS)
    source = data.get("data")
    if isinstance(source, pd.DataFrame):
        pass
    elif not isinstance(source, str) or not source:
        raise reader.error(
            "",
            "data",
            "give a bundled data set (cdnow-master, cdnow-sample) or a CSV file "
            "with customer_id, week or date, amount",
        )
    elif base is not None and not source.startswith("cdnow-") and not Path(source).is_absolute():
        source = str(base / source)
    strategy = data.get("strategy", "none")
    try:
        get_strategy(strategy)
    except ValueError:
        raise reader.error(
            "", "strategy", f"unknown strategy {strategy!r}; built-in strategies: {', '.join(STRATEGIES)}"
        ) from None
    window = data.get("window", {})
    reader.unknown_keys("window", window, ("acquisition_weeks", "observed_weeks"))
    acquisition = _whole(reader, "window", "acquisition_weeks", window.get("acquisition_weeks", 12), 1, 520)
    observed = _whole(reader, "window", "observed_weeks", window.get("observed_weeks", 39), 2, 1040)
    if observed <= acquisition:
        raise reader.error(
            "window",
            "observed_weeks",
            f"must be longer than acquisition_weeks ({acquisition}), got {observed}",
        )
    space = SimulationModel().parameter_space()
    fixed = dict(data.get("fixed", {}))
    for key in fixed:
        _known_parameter(reader, "fixed", key, space)
    if "weeks" in fixed:
        raise reader.error("fixed", "weeks", "is set by [window] observed_weeks (the weeks simulated)")
    try:
        Parameters.from_dict({**fixed, "weeks": observed})
    except ValueError as error:
        raise reader.error("fixed", None, str(error)) from None
    fit = data.get("fit")
    if not isinstance(fit, dict) or not fit:
        raise reader.error(
            "", "fit", "missing [fit]: give each parameter to fit with its search range [low, high]"
        )
    checked_fit = {}
    for key, value in fit.items():
        _known_parameter(reader, "fit", key, space)
        if key in ("n_people", "weeks"):
            raise reader.error("fit", key, "describes the experiment, not the market: it cannot be fitted")
        if key in fixed:
            raise reader.error("fit", key, "is also in [fixed]; a parameter is either fixed or fitted")
        bound = space[key]
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
        ):
            raise reader.error("fit", key, f"must be a search range [low, high], got {value!r}")
        low, high = value
        if not low < high or low < bound.low or high > bound.high:
            raise reader.error(
                "fit",
                key,
                f"range [{low:g}, {high:g}] must have low < high and lie within "
                f"the parameter's range [{bound.low:g}, {bound.high:g}]",
            )
        checked_fit[key] = (low, high)
    moments = data.get("moments", {name: 1.0 for name in MOMENTS})
    if not isinstance(moments, dict) or not moments:
        raise reader.error("", "moments", "give at least one moment = weight")
    for key, weight in moments.items():
        if key not in MOMENTS:
            raise reader.error("moments", key, f"unknown moment; moments: {', '.join(MOMENTS)}")
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not weight > 0:
            raise reader.error("moments", key, f"weight must be a positive number, got {weight!r}")
    check = data.get("check", {})
    reader.unknown_keys("check", check, ("tolerance", "allow_flat"))
    tolerance = check.get("tolerance", 0.05)
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not tolerance > 0:
        raise reader.error("check", "tolerance", f"must be a positive number, got {tolerance!r}")
    allow_flat = check.get("allow_flat", False)
    if not isinstance(allow_flat, bool):
        raise reader.error("check", "allow_flat", f"must be true or false, got {allow_flat!r}")
    engine = data.get("engine", "vector")
    if engine not in ("vector", "agents"):
        raise reader.error("", "engine", f"must be vector or agents, got {engine!r}")
    return CalibrationSpec(
        name=str(data.get("name", default_name)),
        data=source,
        fit=checked_fit,
        moments={k: float(v) for k, v in moments.items()},
        strategy=strategy,
        replications=_whole(reader, "", "replications", data.get("replications", 4), 1, 1000),
        seed=_whole(reader, "", "seed", data.get("seed", 0), 0, 2**63 - 1),
        trials=_whole(reader, "", "trials", data.get("trials", 50), 1, 100_000),
        engine=engine,
        fixed=fixed,
        acquisition_weeks=acquisition,
        observed_weeks=observed,
        tolerance=float(tolerance),
        allow_flat=allow_flat,
        source=reader.source,
    )


# ---------------------------------------------------------------------------------------------------
# running
def _evaluate(executor, spec: CalibrationSpec, parameter_sets: list[dict]) -> list[pd.Series]:
    """Mean simulated moments (over the spec's replications, common seeds) for each parameter set."""
    from simulation.experiment import replication_seeds
    from simulation.sweeps.execution import execute_run, strategy_payload

    model = MomentsModel(spec.acquisition_weeks, spec.observed_weeks)
    seeds = replication_seeds(spec.seed, spec.replications)
    payload = strategy_payload(spec.strategy)
    tasks = [
        (model, payload, {**spec.base_parameters(), **values}, seed, spec.engine, False, True)
        for values in parameter_sets
        for seed in seeds
    ]
    outcomes: list[dict | None] = [None] * len(tasks)
    for outcome in executor.map_unordered(execute_run, tasks):
        if outcome.value is None:
            raise RuntimeError(
                f"a calibration run was lost: its worker process died repeatedly ({outcome.lost})"
            )
        outcomes[outcome.index] = outcome.value
    means = []
    for i in range(len(parameter_sets)):
        runs = outcomes[i * len(seeds) : (i + 1) * len(seeds)]
        errors = [r["error"] for r in runs if r["status"] != "ok"]
        if errors:
            raise CalibrationError(f"a simulation failed at {parameter_sets[i]}: {errors[0]}")
        means.append(pd.DataFrame([r["outputs"] for r in runs]).mean())
    return means


def _defaults_in_range(spec: CalibrationSpec) -> dict:
    from simulation.parameters import Parameters

    defaults = Parameters().to_dict()
    return {k: min(max(defaults[k], low), high) for k, (low, high) in spec.fit.items()}


def moment_response(executor, spec: CalibrationSpec, data_moments: pd.Series) -> pd.DataFrame:
    """How much each moment moves (in scaled units) when each fitted parameter goes from low to high.

    The other fitted parameters stay at their defaults (clipped into their search ranges). Raises
    CalibrationError for a moment no parameter moves by the spec's tolerance (a warning with allow_flat);
    warns for a parameter that moves no moment.
    """
    centre = _defaults_in_range(spec)
    sets = []
    for name, (low, high) in spec.fit.items():
        sets += [{**centre, name: low}, {**centre, name: high}]
    values = _evaluate(executor, spec, sets)
    scales = moment_scales(data_moments)
    names = list(spec.moments)
    rows = {}
    for i, name in enumerate(spec.fit):
        change = (values[2 * i + 1][names] - values[2 * i][names]) / scales[names]
        rows[name] = change.fillna(np.inf)  # a moment that appears or vanishes responds
    response = pd.DataFrame(rows).rename_axis("moment")
    flat = [m for m in names if response.loc[m].abs().max() < spec.tolerance]
    if flat:
        plural = len(flat) > 1
        them = "them" if plural else "it"
        message = (
            f"moment{'s' if plural else ''} {', '.join(flat)} hardly respond{'' if plural else 's'} "
            f"to the fitted parameters ({', '.join(spec.fit)}): moving each across its range "
            f"changes {them} by less than {spec.tolerance} scaled units, so the fit would match or "
            f"miss {them} whatever the parameters; fit a parameter that moves {them}, or drop {them} "
            "from [moments]"
        )
        if not spec.allow_flat:
            raise CalibrationError(message)
        warnings.warn(message, UserWarning, stacklevel=2)
    idle = [p for p in spec.fit if response[p].abs().max() < spec.tolerance]
    if idle:
        plural = len(idle) > 1
        warnings.warn(
            f"parameter{'s' if plural else ''} {', '.join(idle)} move{'' if plural else 's'} "
            "none of the moments: the data cannot tell their values; fix them instead",
            UserWarning,
            stacklevel=2,
        )
    return response


@dataclass
class CalibrationResult:
    spec: CalibrationSpec
    fitted: dict[str, float]
    moments: pd.DataFrame  # moment, meaning, data, default, fitted, weight, scale
    distances: dict[str, float]
    response: pd.DataFrame
    trials: pd.DataFrame
    distributions: pd.DataFrame  # repeat-purchase shares: data, default, fitted
    cohort_sizes: dict[str, float]

    def repeat_figure(self, title: str | None = None):
        """Bars of the repeat-purchase distribution: the data, the default market and the fitted one."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(6.4, 3.6), layout="constrained")
        ax = figure.subplots()
        table = self.distributions
        x = np.arange(len(table))
        for k, column in enumerate(table.columns):
            ax.bar(x + (k - 1) * 0.27, table[column], width=0.27, label=column)
        ax.set_xticks(x, table.index)
        ax.set_xlabel(f"repeat purchases in {self.spec.observed_weeks} weeks")
        ax.set_ylabel("share of the cohort")
        ax.legend()
        ax.set_title(title or f"Repeat purchases: {self.spec.name} data, default and calibrated simulation")
        return figure


def calibrate(
    spec: CalibrationSpec | str | Path,
    *,
    workers: int | None = 1,
    scheduler: str | None = None,
    progress: bool | None = False,
    trials: int | None = None,
) -> CalibrationResult:
    """Fit the spec's parameters to the data's moments (see the module docstring); `workers` 1 without a
    `scheduler` runs in this process, more on a local Dask cluster."""
    import optuna

    from crm_theory.data import load_transactions
    from simulation.sweeps.execution import open_executor

    if not isinstance(spec, CalibrationSpec):
        spec = load_calibration_spec(spec)
    log = spec.data if isinstance(spec.data, pd.DataFrame) else load_transactions(spec.data)
    data_moments = purchase_moments(log, spec.acquisition_weeks, spec.observed_weeks)
    missing = [m for m in spec.moments if not np.isfinite(data_moments[m])]
    if missing:
        raise CalibrationError(
            f"the data give no value for {', '.join(missing)} (e.g. nobody repeats); drop them from [moments]"
        )
    weights = pd.Series(spec.moments)
    n_trials = trials or spec.trials
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with open_executor(workers, scheduler, serial=workers == 1 and not scheduler) as executor:
        response = moment_response(executor, spec, data_moments)
        sampler = optuna.samplers.TPESampler(seed=spec.seed % 2**32)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        study.enqueue_trial(_defaults_in_range(spec))  # start from the default market
        from tqdm.auto import tqdm

        best: list[float] = []
        with tqdm(
            total=n_trials,
            desc=f"calibrating {spec.name}",
            unit="trial",
            disable=None if progress is None else not progress,
        ) as bar:

            def objective(trial):
                values = {}
                for name, (low, high) in spec.fit.items():
                    integer = isinstance(low, int) and isinstance(high, int)
                    values[name] = (
                        trial.suggest_int(name, low, high)
                        if integer
                        else trial.suggest_float(name, float(low), float(high))
                    )
                simulated = _evaluate(executor, spec, [values])[0]
                distance = moment_distance(simulated, data_moments, weights)
                best.append(min([distance, *best[-1:]]))
                bar.update(1)
                bar.set_postfix(best=f"{best[-1]:.4g}", refresh=False)
                return distance

            study.optimize(objective, n_trials=n_trials)
        fitted = dict(study.best_params)
        default_params = {}
        default_sim, fitted_sim = _evaluate(executor, spec, [default_params, fitted])
    table = pd.DataFrame(
        {
            "meaning": [MOMENTS[m][0] for m in MOMENTS],
            "data": data_moments,
            "default": default_sim[list(MOMENTS)],
            "fitted": fitted_sim[list(MOMENTS)],
        }
    )
    table["weight"] = weights.reindex(table.index).fillna(0.0)
    table["scale"] = moment_scales(data_moments)
    table.index.name = "moment"
    labels = [label for label, _, _ in REPEAT_BINS]
    distributions = pd.DataFrame(
        {
            "data": repeat_distribution(log, spec.acquisition_weeks, spec.observed_weeks).to_numpy(),
            "default": default_sim[[f"dist_{k}" for k in labels]].to_numpy(),
            "fitted": fitted_sim[[f"dist_{k}" for k in labels]].to_numpy(),
        },
        index=pd.Index(labels, name="repeat purchases"),
    )
    return CalibrationResult(
        spec=spec,
        fitted=fitted,
        moments=table,
        distances={
            "default": moment_distance(default_sim, data_moments, weights),
            "fitted": moment_distance(fitted_sim, data_moments, weights),
        },
        response=response,
        trials=study.trials_dataframe(attrs=("number", "value", "params")),
        distributions=distributions,
        cohort_sizes={
            "data": data_moments.attrs["cohort_size"],
            "default": float(default_sim["cohort_size"]),
            "fitted": float(fitted_sim["cohort_size"]),
        },
    )


# ---------------------------------------------------------------------------------------------------
# presets
def engine_commit() -> str:
    """The repository's commit, marked ``+modified`` if the simulation's code has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        # the sweep machinery and the presets do not change what the model computes
        dirty = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--",
                "simulation",
                ":!simulation/sweeps",
                ":!simulation/presets",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return commit + ("+modified" if dirty else "")


def write_preset(
    result: CalibrationResult, folder, command: str, *, status: str = "calibrated"
) -> list[Path]:
    """Write ``<name>.toml`` (the fitted values and how they were obtained) and ``<name>.md`` (the data
    card) into `folder`, for :meth:`Parameters.preset`."""
    from simulation.sweeps.models import simulation_code_version

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = result.spec
    commit = engine_commit()
    values = "\n".join(f"{name} = {_toml_number(value)}" for name, value in result.fitted.items())
    data_name = spec.data if isinstance(spec.data, str) else "a DataFrame"
    text = (
        f'# Market preset "{spec.name}": written by `{command}`;\n'
        f"# do not edit by hand (see {spec.name}.md).\n"
        f'[preset]\nname = "{spec.name}"\nstatus = "{status}"\n'
        f'data = "{Path(data_name).name}"\nengine_commit = "{commit}"\n'
        f'simulation_code = "{simulation_code_version()}"\ncommand = "{command}"\n'
        f"distance_default = {result.distances['default']:.6g}\n"
        f"distance_fitted = {result.distances['fitted']:.6g}\n"
        f"\n[parameters]\n{values}\n"
    )
    toml_path = folder / f"{spec.name}.toml"
    tomllib.loads(text)  # what we write must read back
    toml_path.write_text(text)
    card = folder / f"{spec.name}.md"
    card.write_text(_data_card(result, command, commit, status))
    return [toml_path, card]


def _toml_number(value) -> str:
    return str(int(value)) if isinstance(value, numbers.Integral) else repr(float(value))


def _data_card(result: CalibrationResult, command: str, commit: str, status: str) -> str:
    spec = result.spec
    table = result.moments.copy()
    lines = ["| moment | data | default | fitted | weight |", "|---|---:|---:|---:|---:|"]
    for name, row in table.iterrows():
        lines.append(
            f"| {name} | {row['data']:.3f} | {row['default']:.3f} | {row['fitted']:.3f} | {row['weight']:g} |"
        )
    scaled = ((table["fitted"] - table["data"]) / table["scale"]).abs()
    worst = scaled[table["weight"] > 0].sort_values(ascending=False).head(3)
    unmatched = [
        f"`{m}` {table.loc[m, 'fitted']:.3g} vs {table.loc[m, 'data']:.3g} in the data "
        f"({worst[m]:.2f} scale units)"
        for m in worst.index
    ]
    ranges = "\n".join(
        f"- `{p}` in [{lo:g}, {hi:g}]: fitted **{result.fitted[p]:.4g}**" for p, (lo, hi) in spec.fit.items()
    )
    data_name = Path(spec.data).name if isinstance(spec.data, str) else "the data"
    market = spec.fixed.get("n_people", "default")
    simulated = result.cohort_sizes["fitted"]
    provisional = (
        "\n> **Provisional.** These numbers were fitted on an engine that is being replaced; "
        "recalibrate with the command below once the new engine has landed.\n"
        if status != "calibrated"
        else ""
    )
    return f"""# Market preset `{spec.name}` (data card)
{provisional}
**What it is.** Values of the simulation's parameters fitted by the simulated method of moments
(`simulation.sweeps.calibration`) so that a cohort of simulated customers buys like the real cohort in
`{data_name}`. Use it with `Parameters.preset("{spec.name}")` or `crmlab run --preset {spec.name}`;
every parameter not listed keeps its default.

**How it was made.** `{command}` on engine commit `{commit}`, strategy `{spec.strategy}`,
{spec.replications} replications per evaluation (common seeds from root seed {spec.seed}),
{spec.trials} optuna TPE trials (seeded), simulated market of {market} people. Cohort: customers
whose first purchase is in the first {spec.acquisition_weeks} weeks, observed for {spec.observed_weeks} weeks
(data cohort: {result.cohort_sizes["data"]:,} customers; simulated: about {simulated:.0f} per replication).

**Fitted parameters** (search ranges):

{ranges}

**How well.** Weighted distance (mean squared scaled difference; shares scaled by 0.05, other moments by
the data's value): default market {result.distances["default"]:.3g}, fitted {result.distances["fitted"]:.3g}.

{chr(10).join(lines)}

**What it does not match.** The largest remaining differences: {"; ".join(unmatched)}.
Money: the simulation's spend is in currency units (CU) and is matched to the data's dollars by scale only.
Not fitted: anything beyond the cohort's first {spec.observed_weeks} weeks, acquisition over time, the
firm's marketing (the cohort is simulated under strategy `{spec.strategy}`), and any parameter not listed
above. The stylised facts were checked under the default parameters, not under this preset.
"""
