"""The code the grader runs in a student's kernel, after the student's cells: it collects answers as data.

`exercises.grade` embeds this file's text in a cell it appends to the notebook, followed by
``_crmlab_collect(INPUT, OUTPUT)``. Nothing here is trusted: the student's code ran first in the same
kernel and may have changed anything. That is why this code only *collects*: the answers (as plain data:
JSON, numpy arrays without pickle, Arrow tables), the results of the student's functions on the cases the
grader sent, the actions of the student's strategy in each market, and signs of tampering. The grader
reads that data without running any of it and judges it in its own process with its own copy of the
checkers, so a student who redefines `q1.check` or patches `exercises.core` changes nothing here that
could make a wrong answer pass.
"""

import base64 as _b64
import hashlib as _hashlib
import io as _io
import json as _json
import pickle as _pickle
import signal as _signal
import sys as _sys
import time as _time
import traceback as _traceback
import types as _types


def _crmlab_encode(value, depth=0):
    """A JSON-able description of `value` that the grader can rebuild without running code."""
    import numpy as np
    import pandas as pd

    if depth > 20:
        return {"t": "other", "type": type(value).__name__, "repr": "nested too deeply"}
    if type(value).__name__ == "Blank" and type(value).__module__ == "exercises.core":
        return {"t": "blank"}
    if value is None or isinstance(value, bool | str):
        return {"t": "py", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        return {"t": "float", "v": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return _crmlab_encode(value.item(), depth + 1)
    if isinstance(value, list | tuple | set | frozenset):
        kind = {list: "list", tuple: "tuple"}.get(type(value), "set")
        return {"t": kind, "v": [_crmlab_encode(v, depth + 1) for v in list(value)[:100_000]]}
    if isinstance(value, dict):
        return {
            "t": "dict",
            "v": [
                [_crmlab_encode(k, depth + 1), _crmlab_encode(v, depth + 1)]
                for k, v in list(value.items())[:100_000]
            ],
        }
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biufUS":
            buffer = _io.BytesIO()
            np.save(buffer, value, allow_pickle=False)
            return {"t": "ndarray", "b": _b64.b64encode(buffer.getvalue()).decode()}
        return {"t": "objarray", "v": [_crmlab_encode(v, depth + 1) for v in value.tolist()]}
    if isinstance(value, pd.Series | pd.DataFrame):
        frame = value.to_frame(name="__value__") if isinstance(value, pd.Series) else value
        try:
            import pyarrow as pa

            table = pa.Table.from_pandas(frame, preserve_index=True)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            encoded = {
                "t": "series" if isinstance(value, pd.Series) else "frame",
                "b": _b64.b64encode(sink.getvalue().to_pybytes()).decode(),
            }
        except Exception:  # mixed types in a column: fall back to plain values, column by column
            encoded = {
                "t": "columns",
                "series": isinstance(value, pd.Series),
                "columns": _crmlab_encode([str(c) for c in frame.columns], depth + 1),
                "index": _crmlab_encode(frame.index.tolist(), depth + 1),
                "data": [_crmlab_encode(frame[c].tolist(), depth + 1) for c in frame.columns],
            }
        if isinstance(value, pd.Series):
            encoded["name"] = _crmlab_encode(value.name, depth + 1)
        return encoded
    if callable(value):
        return {"t": "function", "name": str(getattr(value, "__name__", "function"))}
    try:
        shown = repr(value)[:200]
    except Exception:
        shown = "?"
    return {"t": "other", "type": type(value).__name__, "repr": shown}


class _CrmlabTimeUp(BaseException):
    pass


def _crmlab_alarm(signum, frame):
    raise _CrmlabTimeUp()


def _crmlab_call(function, args, seconds):
    """(outcome, elapsed): the function's result or what went wrong, under a time limit."""
    _signal.signal(_signal.SIGALRM, _crmlab_alarm)
    started = _time.perf_counter()
    _signal.setitimer(_signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        result = function(*args)
        outcome = {"ok": _crmlab_encode(result)}
    except _CrmlabTimeUp:
        outcome = {"error": "timeout"}
    except SystemExit:
        outcome = {"error": "exit"}
    except BaseException as error:
        lines = [
            f.lineno
            for f in _traceback.extract_tb(error.__traceback__)
            if f.filename.startswith("<") or "ipykernel_" in f.filename
        ]
        outcome = {
            "error": "raised",
            "type": type(error).__name__,
            "message": str(error)[:300],
            "line": lines[-1] if lines else None,
        }
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
    return outcome, _time.perf_counter() - started


def _crmlab_race(function, race, seconds):
    """Run the student's strategy in each market of the race; record the actions it funded each week."""
    import numpy as np

    from simulation import run_simulation

    markets, state = {}, {"left": seconds, "week": None, "failure": None}

    def recorder(view, plan):
        if view.week == 1 or not state.get("key"):
            state["key"] = _hashlib.sha256(
                np.ascontiguousarray(view.first_purchase_week).tobytes()
                + np.ascontiguousarray(view.total_spend).tobytes()
            ).hexdigest()
        state["week"] = view.week
        outcome, elapsed = _crmlab_call(function, (view, plan), state["left"])
        state["left"] -= elapsed
        if "error" in outcome or outcome["ok"]["t"] != "py" or outcome["ok"]["v"] is not None:
            if "ok" in outcome and outcome["ok"]["t"] == "blank":
                outcome = {"error": "blank"}
            elif "ok" in outcome:
                outcome = {"error": "returned", "what": outcome["ok"]}
            state["failure"] = {**outcome, "week": view.week}
            raise _CrmlabTimeUp()  # stop this market: the strategy has failed
        funded = np.flatnonzero(plan.actions)
        markets.setdefault(state["key"], {})[str(view.week)] = [
            funded.tolist(),
            plan.actions[funded].tolist(),
        ]

    for seed in race["seeds"]:
        state["key"] = None
        try:
            run_simulation(strategy=recorder, seed=seed, **race["parameters"])
        except _CrmlabTimeUp:
            break
        except Exception as error:  # the firm refused the week's plan, or plan.add refused an argument
            state["failure"] = {
                "error": "rules",
                "type": type(error).__name__,
                "message": str(error)[:300],
                "week": state["week"],
            }
            break
    return {"markets": markets, "failure": state["failure"]}


def _crmlab_fingerprints(module_names):
    """A hash of the code of every function and method in the checker's modules, by name."""
    prints = {}
    for module_name in module_names:
        module = _sys.modules.get(module_name)
        if module is None:
            continue
        for name, value in list(vars(module).items()):
            targets = [(name, value)]
            if isinstance(value, type) and value.__module__ == module_name:
                targets += [(f"{name}.{k}", v) for k, v in vars(value).items()]
            for qualified, target in targets:
                code = getattr(getattr(target, "__func__", target), "__code__", None)
                if isinstance(code, _types.CodeType):
                    prints[f"{module_name}.{qualified}"] = _crmlab_code_digest(code)
    return prints


def _crmlab_code_digest(code, depth=0):
    """A digest of a code object's instructions and constants (nested code by its own digest: the repr
    of a code object holds its memory address, which differs between processes)."""
    parts = [code.co_code, repr(code.co_names).encode()]
    for constant in code.co_consts:
        if isinstance(constant, _types.CodeType) and depth < 10:
            parts.append(_crmlab_code_digest(constant, depth + 1).encode())
        else:
            parts.append(repr(constant).encode())
    return _hashlib.sha256(b"\0".join(parts)).hexdigest()


def _crmlab_collect(input_path, output_path):
    with open(input_path, "rb") as handle:
        task = _pickle.load(handle)
    namespace = vars(_sys.modules["__main__"])
    report = {"answers": {}, "calls": {}, "races": {}, "objects": {}, "errors": []}
    chapter = _sys.modules.get(task["module"])
    for label, question in task["questions"].items():
        try:
            for name in question["variables"]:
                if name in namespace:
                    report["answers"][name] = _crmlab_encode(namespace[name])
            obj = namespace.get(label)
            overridden = (
                sorted(set(vars(obj)) & {"check", "outcome", "evaluate", "_judge"})
                if hasattr(obj, "__dict__")
                else []
            )
            report["objects"][label] = {
                "same": chapter is not None and obj is getattr(chapter, label, None),
                "type": f"{type(obj).__module__}.{type(obj).__qualname__}",
                "overridden": overridden,
            }
            function = namespace.get(question["variables"][0]) if question["variables"] else None
            if not callable(function) or type(function).__name__ == "Blank":
                continue
            if question["kind"] == "function":
                calls, left = [], question["time_limit"]
                for args in question["cases"]:
                    outcome, elapsed = _crmlab_call(function, args, left)
                    left -= elapsed
                    calls.append({**outcome, "seconds": elapsed})
                    if "error" in outcome:
                        break
                report["calls"][label] = calls
            elif question["kind"] == "strategy":
                report["races"][label] = _crmlab_race(function, question["race"], question["time_limit"])
        except BaseException as error:  # keep collecting the other questions
            report["errors"].append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
    report["fingerprints"] = _crmlab_fingerprints(task["checker_modules"])
    with open(output_path, "w") as handle:
        _json.dump(report, handle)
