"""The results of a sweep on disk: a Parquet dataset written by the client alone, as runs arrive.

Layout of an output directory::

    sweep.json            the spec, its fingerprint and the model code's version (written first)
    runs/part-*.parquet   one row per finished run (the dataset; read it with read_results)
    weekly/part-*.parquet weekly metrics of those runs (only with weekly_metrics = true)

Rows are buffered and written as a new part file every few seconds or rows; each file is written under a
temporary name and renamed, so a killed client leaves only whole files. A weekly part counts only if the
runs part of the same name exists. On a restart, the runs already in ``runs/`` (finished or raised) are
skipped; runs lost with a dying worker are retried. :func:`read_results` returns one row per run in run
order, whatever the order or the number of sessions in which they were written.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns whose values depend on the machine and the moment, not on the spec: left out when comparing.
TIMING_COLUMNS = ("run_time_s", "cpu_time_s")
#: A run that finished (``ok``) or raised (``error``) is done; a run whose worker died (``worker_lost``)
#: is retried when the sweep is started again.
DONE_STATUSES = ("ok", "error")


class StoreError(ValueError):
    """The output directory holds something else than this sweep's results."""


def _schema(spec):
    import pyarrow as pa

    bounds = spec.bounds()
    fields = [
        pa.field("run_id", pa.string()),
        pa.field("point", pa.int64()),
        pa.field("strategy", pa.string()),
        pa.field("replication", pa.int64()),
        pa.field("seed", pa.int64()),
    ]
    fields += [pa.field(name, pa.int64() if bounds[name].integer else pa.float64()) for name in spec.factors]
    fields += [pa.field(name, pa.float64()) for name in spec.model.outputs]
    fields += [
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("run_time_s", pa.float64()),
        pa.field("cpu_time_s", pa.float64()),
    ]
    return pa.schema(fields)


def sweep_header(spec) -> dict:
    return {
        "fingerprint": spec.fingerprint(),
        "model": spec.model.name,
        "model_version": spec.model.version(),
        "spec": spec.to_dict(),
    }


class ResultStore:
    """Appends run rows to ``out/runs`` (and weekly tables to ``out/weekly``) in whole Parquet files."""

    def __init__(self, out, spec, *, flush_every: int = 200, flush_seconds: float = 5.0):
        self.out = Path(out)
        self.spec = spec
        self.schema = _schema(spec)
        self.flush_every = max(1, int(flush_every))
        self.flush_seconds = float(flush_seconds)
        self._rows: list[dict] = []
        self._weekly: list[pd.DataFrame] = []
        self._last_flush = time.monotonic()
        self._session = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self._parts = 0
        self.written = 0

    # -- opening -------------------------------------------------------------------------------------
    def open(self, restart: bool = False) -> set[str]:
        """Create or check the directory; return the ids of the runs already done."""
        header = sweep_header(self.spec)
        meta = self.out / "sweep.json"
        if self.out.exists() and not self.out.is_dir():
            raise StoreError(f"{self.out}: is a file; give a directory for the sweep's results")
        if meta.exists() and not restart:
            previous = json.loads(meta.read_text())
            if previous.get("fingerprint") != header["fingerprint"]:
                changed = _changed_keys(previous.get("spec", {}), header["spec"])
                raise StoreError(
                    f"{self.out} holds the results of a different sweep (the spec differs in "
                    f"{', '.join(changed) or 'its strategies'}); give another output directory, "
                    "or --restart to discard them"
                )
            if previous.get("model_version") != header["model_version"]:
                raise StoreError(
                    f"{self.out} holds results of another version of the {header['model']} code "
                    f"({previous.get('model_version')} vs {header['model_version']} now); "
                    "mixing them would make one dataset from two models: use another output "
                    "directory, or --restart to discard them"
                )
        elif restart and self.out.exists():
            for folder in ("runs", "weekly"):
                for part in (self.out / folder).glob("*.parquet"):
                    part.unlink()
        (self.out / "runs").mkdir(parents=True, exist_ok=True)
        if self.spec.weekly_metrics:
            (self.out / "weekly").mkdir(exist_ok=True)
        for folder in ("runs", "weekly"):
            for leftover in (self.out / folder).glob(".tmp-*"):
                leftover.unlink()  # a file a killed client was writing: never renamed, so never counted
        _write_atomically(meta, json.dumps(header, indent=2, default=str).encode())
        return done_run_ids(self.out)

    # -- writing -------------------------------------------------------------------------------------
    def add(self, row: dict, weekly: pd.DataFrame | None = None) -> None:
        self._rows.append(row)
        if weekly is not None:
            self._weekly.append(weekly.assign(run_id=row["run_id"]))
        if len(self._rows) >= self.flush_every or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = f"part-{self._session}-{self._parts:06d}.parquet"
        if self._weekly:
            weekly = pd.concat(self._weekly, ignore_index=True)
            weekly = weekly[["run_id", *[c for c in weekly.columns if c != "run_id"]]]
            _write_table(pa.Table.from_pandas(weekly, preserve_index=False), self.out / "weekly" / name, pq)
        # the runs part last: it is what makes these runs (and this weekly part) count as done
        _write_table(pa.Table.from_pylist(self._rows, schema=self.schema), self.out / "runs" / name, pq)
        self.written += len(self._rows)
        self._parts += 1
        self._rows, self._weekly = [], []
        self._last_flush = time.monotonic()


def _write_table(table, path: Path, pq) -> None:
    temporary = path.with_name(f".tmp-{path.name}")
    pq.write_table(table, temporary)
    os.replace(temporary, path)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".tmp-{path.name}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _changed_keys(old: dict, new: dict, prefix: str = "") -> list[str]:
    changed = []
    for key in sorted(set(old) | set(new)):
        if key in ("name", "sensitivity"):
            continue
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changed += _changed_keys(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed


def _parts(out: Path, folder: str) -> list[Path]:
    return sorted((out / folder).glob("part-*.parquet"))


def done_run_ids(out) -> set[str]:
    """Ids of the runs recorded as finished or raised in ``out/runs``."""
    import pyarrow.parquet as pq

    done = set()
    for part in _parts(Path(out), "runs"):
        table = pq.read_table(part, columns=["run_id", "status"]).to_pydict()
        done.update(r for r, s in zip(table["run_id"], table["status"], strict=True) if s in DONE_STATUSES)
    return done


def read_header(out) -> dict:
    meta = Path(out) / "sweep.json"
    if not meta.is_file():
        raise StoreError(f"{out}: no sweep results here (sweep.json is missing)")
    return json.loads(meta.read_text())


def read_results(out, *, include_timing: bool = True) -> pd.DataFrame:
    """The sweep's dataset: one row per run, in run order (design point, strategy, replication).

    A run recorded more than once (lost with a worker, then run again) appears once, with its final
    outcome. ``include_timing=False`` leaves out run and CPU times, which differ between machines.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out)
    header = read_header(out)
    parts = _parts(out, "runs")
    if not parts:
        raise StoreError(f"{out}: no runs recorded yet")
    table = pa.concat_tables([pq.read_table(p) for p in parts]).to_pandas()
    table["_final"] = table["status"].isin(DONE_STATUSES)
    table = table.sort_values("_final", kind="stable").drop_duplicates("run_id", keep="last")
    order = {name: i for i, name in enumerate(header["spec"]["strategies"])}
    table["_strategy"] = table["strategy"].map(order)
    table = table.sort_values(["point", "_strategy", "replication"], kind="stable")
    table = table.drop(columns=["_final", "_strategy"]).reset_index(drop=True)
    if not include_timing:
        table = table.drop(columns=list(TIMING_COLUMNS))
    table.attrs["spec"] = header["spec"]
    return table


def read_weekly(out) -> pd.DataFrame:
    """Weekly metrics of every recorded run (``run_id`` plus the weekly columns), in run and week order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out)
    runs = {p.name for p in _parts(out, "runs")}
    parts = [p for p in _parts(out, "weekly") if p.name in runs]
    if not parts:
        raise StoreError(f"{out}: no weekly metrics recorded (set weekly_metrics = true in the spec)")
    weekly = pa.concat_tables([pq.read_table(p) for p in parts]).to_pandas()
    results = read_results(out)
    position = pd.Series(np.arange(len(results)), index=results["run_id"])
    weekly = weekly[weekly["run_id"].isin(position.index)]
    weekly = weekly.drop_duplicates(["run_id", "week"], keep="last")
    weekly = weekly.assign(_order=weekly["run_id"].map(position)).sort_values(["_order", "week"])
    return weekly.drop(columns="_order").reset_index(drop=True)
