"""``crmlab sweep`` and ``crmlab calibrate``: the research workbench from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SWEEP_EXAMPLES = """\
examples:
  crmlab sweep specs/example_sweep.toml                 # on a local Dask cluster of all cores
  crmlab sweep specs/example_sweep.toml --serial        # in this process (small sweeps, debugging)
  crmlab sweep specs/sensitivity_sweep.toml --out sens  # Morris screening, then Sobol indices
  crmlab sweep spec.toml --scheduler tcp://10.0.0.5:8786   # on an existing Dask cluster

The spec format is documented in simulation/sweeps/spec.py and shown in specs/example_sweep.toml.
Results go to OUT/runs/*.parquet, one row per run (read them with
simulation.sweeps.read_results(OUT)), plus OUT/summary.csv (means per design point and strategy).
Interrupted (Ctrl-C, a dead worker, a killed terminal)? Run the same command again: only the missing
runs are run, and the dataset ends up equal to an uninterrupted sweep's.
"""

CALIBRATE_EXAMPLES = """\
examples:
  crmlab calibrate specs/cdnow_calibration.toml --out cdnow-fit
  crmlab calibrate specs/cdnow_calibration.toml --write-preset   # refresh Parameters.preset("cdnow")
  crmlab calibrate specs/cdnow_calibration.toml --trials 10 --serial  # a quick look

Writes OUT/moments.csv (data, default and fitted moments side by side), OUT/fitted.csv, OUT/response.csv
(how far each fitted parameter moves each moment), OUT/trials.csv and OUT/repeat_purchases.png.
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _scheduler(text: str) -> str:
    if not text.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
        raise argparse.ArgumentTypeError(f"expects a scheduler address such as tcp://host:8786, got {text!r}")
    return text


def _add_execution_options(parser: argparse.ArgumentParser) -> None:
    from simulation.experiment import available_cores

    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help=f"worker processes of the local Dask cluster started for this command (default: "
        f"the machine's cores, {available_cores()} here)",
    )
    where.add_argument(
        "--serial", action="store_true", help="run in this process, without Dask (small jobs, debugging)"
    )
    where.add_argument(
        "--scheduler",
        type=_scheduler,
        default=None,
        metavar="ADDRESS",
        help="use an existing Dask cluster (tcp://host:port); its workers must have CRM Lab installed",
    )


def register(subparsers) -> None:
    sweep = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep from a TOML spec (Dask, Parquet, resumable)",
        description="Run every design point x strategy x replication of a sweep spec and write one row per "
        "run to a Parquet dataset as results arrive. Specs with a [sensitivity] table also get "
        "Morris / Sobol sensitivity tables and bar plots.",
        epilog=SWEEP_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sweep.add_argument("spec", type=Path, help="the sweep spec (TOML)")
    sweep.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output directory (default: sweep-NAME, NAME from the spec)",
    )
    sweep.add_argument(
        "--restart", action="store_true", help="discard the results already in DIR and run everything again"
    )
    _add_execution_options(sweep)
    sweep.set_defaults(handler=_sweep)

    calibrate = subparsers.add_parser(
        "calibrate",
        help="fit parameters to a transaction log by the simulated method of moments",
        description="Fit the spec's parameters so that a simulated cohort's purchase moments "
        "(repeat-purchase distribution, gaps between purchases, spend per purchase, ...) "
        "match those of a transaction log; first check that every moment responds to the "
        "fitted parameters.",
        epilog=CALIBRATE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    calibrate.add_argument("spec", type=Path, help="the calibration spec (TOML)")
    calibrate.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output directory (default: calibration-NAME)"
    )
    calibrate.add_argument(
        "--trials",
        type=_positive,
        default=None,
        metavar="N",
        help="optimiser trials (default: the spec's trials)",
    )
    calibrate.add_argument(
        "--write-preset",
        action="store_true",
        help="also write the fitted values and their data card as the market preset NAME "
        "(simulation/presets/NAME.toml and NAME.md)",
    )
    _add_execution_options(calibrate)
    calibrate.set_defaults(handler=_calibrate)


def _execution(args) -> dict:
    return {"workers": args.workers, "scheduler": args.scheduler, "serial": args.serial}


def _sweep(args) -> int:
    from simulation.sweeps.execution import run_sweep
    from simulation.sweeps.spec import load_spec
    from simulation.sweeps.store import StoreError

    spec = load_spec(args.spec)
    out = args.out or Path(f"sweep-{spec.name}")
    try:
        results = run_sweep(spec, out, restart=args.restart, progress=None, **_execution(args))
    except StoreError as error:
        raise ValueError(str(error)) from None
    info = results.attrs["sweep"]
    errors = int((results["status"] == "error").sum())
    lost = int((results["status"] == "worker_lost").sum())
    print(
        f"{spec.name}: {len(results):,} runs recorded ({info['ran']:,} run now, "
        f"{info['skipped']:,} already done) in {info['seconds']:.1f} s; {errors} raised, {lost} lost "
        "with a dying worker"
    )
    summary = _summary_table(results, spec)
    summary.to_csv(out / "summary.csv", index=False)
    print(f"wrote {out / 'runs'} (one row per run) and {out / 'summary.csv'} (means per design point)")
    if errors:
        first = results.loc[results["status"] == "error", ["run_id", "error"]].iloc[0]
        print(
            f"crmlab: note: {errors} runs raised (first: run {first['run_id']}: {first['error']}); their "
            "errors are in the dataset's error column",
            file=sys.stderr,
        )
    if lost:
        print(
            f"crmlab: note: {lost} runs were lost with dying workers; run the same command again to retry "
            "them",
            file=sys.stderr,
        )
        return 1
    if spec.sensitivity:
        _sensitivity(spec, out, args)
    return 0


def _summary_table(results, spec):
    ok = results[results["status"] == "ok"]
    keys = ["point", "strategy", *spec.factor_names]
    means = ok.groupby(keys, sort=False)[list(spec.model.outputs)].mean().reset_index()
    counts = ok.groupby(keys, sort=False).size().rename("runs").reset_index()
    return means.merge(counts, on=keys)


def _sensitivity(spec, out: Path, args) -> None:
    import pandas as pd

    from simulation.sweeps.sensitivity import (
        screen_then_sobol,
        sensitivity_figure,
        sobol_indices,
    )
    from simulation.sweeps.store import read_results

    output = spec.sensitivity["output"]
    tables = []
    if spec.method == "morris":
        morris_table, sobol_table = screen_then_sobol(spec, out, progress=None, **_execution(args))
        tables += [morris_table.assign(stage="morris"), sobol_table.assign(stage="sobol")]
        sensitivity_figure(morris_table, f"Morris screening of {output} (95% bootstrap intervals)").savefig(
            out / "morris.png", dpi=120
        )
    else:
        sobol_table = sobol_indices(read_results(out), spec, output, resamples=spec.sensitivity["resamples"])
        tables.append(sobol_table.assign(stage="sobol"))
    sensitivity_figure(sobol_table).savefig(out / "sensitivity.png", dpi=120)
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(out / "sensitivity.csv", index=False)
    shown = sobol_table[sobol_table["index"].isin(["S1", "ST"])].pivot_table(
        index=["strategy", "parameter"], columns="index", values="value", sort=False
    )
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(f"Sobol indices of {output}:\n{shown}")
    print(
        f"wrote {out / 'sensitivity.csv'} and {out / 'sensitivity.png'}"
        + (f" and {out / 'morris.png'}" if spec.method == "morris" else "")
    )


def _calibrate(args) -> int:
    import pandas as pd

    from simulation.sweeps.calibration import calibrate, load_calibration_spec, write_preset

    spec = load_calibration_spec(args.spec)
    out = args.out or Path(f"calibration-{spec.name}")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: is a file; give a directory")
    workers = 1 if args.serial else args.workers
    if not args.serial and workers is None and not args.scheduler:
        from simulation.experiment import available_cores

        workers = available_cores()
    result = calibrate(spec, workers=workers, scheduler=args.scheduler, progress=None, trials=args.trials)
    out.mkdir(parents=True, exist_ok=True)
    result.moments.to_csv(out / "moments.csv")
    pd.Series(result.fitted, name="value").rename_axis("parameter").to_csv(out / "fitted.csv")
    result.response.to_csv(out / "response.csv")
    result.trials.to_csv(out / "trials.csv", index=False)
    result.repeat_figure().savefig(out / "repeat_purchases.png", dpi=120)
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(result.moments[["data", "default", "fitted", "weight"]].to_string())
    print(f"distance: default {result.distances['default']:.3f}, fitted {result.distances['fitted']:.3f}")
    for name, value in result.fitted.items():
        print(f"  {name} = {value:.6g}")
    print(f"wrote {out}/moments.csv, fitted.csv, response.csv, trials.csv, repeat_purchases.png")
    if args.write_preset:
        folder = Path(__file__).resolve().parent.parent / "presets"
        command = f"crmlab calibrate {args.spec.as_posix()} --write-preset" + (
            f" --trials {args.trials}" if args.trials else ""
        )
        paths = write_preset(result, folder, command)
        print("wrote " + ", ".join(str(p) for p in paths))
    return 0
