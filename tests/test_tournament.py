"""`crmlab tournament`: the example submissions (good, weak and every kind of broken entry) in small markets.

The tests assert properties (who is disqualified and why, where; fairness; files; isolation), never exact
simulated numbers: the engine may change them.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.cli import main as crmlab
from simulation import ParameterError
from simulation.parameters import preset_names, preset_values
from simulation.tournament import SCENARIOS, Limits, run_tournament, scenario_parameters, wire

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "tournament_submissions"
SMALL = {"n_people": 300, "weeks": 30}
LIMITS = Limits(import_seconds=3, week_seconds=0.5, run_seconds=60)
REPLICATIONS = 3


def _line_of(name: str, text: str) -> int:
    lines = (EXAMPLES / name).read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.py")}


@pytest.fixture(scope="module")
def tournament(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for path in EXAMPLES.glob("*.py"):
        shutil.copy(path, folder)
    (folder / "html_doc.py").write_text(
        '"""<script>alert("x")</script> & <b>bold</b>"""\n\ndef strategy(view, plan):\n    pass\n'
    )
    before = _digests(folder)
    result = run_tournament(
        folder, replications=REPLICATIONS, seed=5, include=["none"], parameters=SMALL, limits=LIMITS, jobs=2
    )
    return result, folder, before


def _reason(result, name: str) -> str:
    return result.disqualified[name]


def test_each_broken_entry_is_disqualified_with_file_line_and_week(tournament):
    result, _, _ = tournament
    assert set(result.disqualified) == {
        "crash_at_import",
        "endless_import",
        "raises_in_week",
        "slow",
        "garbage",
        "cheat_budget",
        "tamper_market",
    }
    crash = _reason(result, "crash_at_import")
    assert (
        crash.startswith(
            f"crash_at_import.py, line {_line_of('crash_at_import.py', 'secret_sauce')}, at import:"
        )
        and "ModuleNotFoundError" in crash
    )
    raises = _reason(result, "raises_in_week")
    line = _line_of("raises_in_week.py", "ZeroDivisionError")
    assert raises.startswith(f"raises_in_week.py, line {line}, week 5,") and "ZeroDivisionError" in raises
    slow = _reason(result, "slow")
    loop = range(_line_of("slow.py", "while True"), _line_of("slow.py", "best += 1") + 1)
    assert "week 3" in slow and "longer than the limit of 0.5 s" in slow
    assert any(f"line {n} (where it was stopped)" in slow for n in loop)
    endless = _reason(result, "endless_import")
    assert "at import" in endless and "longer than the limit of 3 s" in endless
    garbage = _reason(result, "garbage")
    assert "week 1" in garbage and "returned" in garbage
    assert f"line {_line_of('garbage.py', 'def strategy')}" in garbage
    cheat = _reason(result, "cheat_budget")
    assert "week 1" in cheat and "over the weekly budget" in cheat
    assert "verified replay" in _reason(result, "tamper_market")
    assert all("\n" not in reason for reason in result.disqualified.values())


def test_the_race_is_fair_and_the_tournament_goes_on(tournament):
    result, _, _ = tournament
    runs = result.runs[result.runs["counted"]]
    ranked = {"good", "weak", "tamper_files", "html_doc", "none (built-in)"}
    assert set(runs["entry"]) == ranked
    # common random numbers: replication r has the same seed for every entry
    seeds = runs.pivot(index="replication", columns="entry", values="seed")
    assert (seeds.nunique(axis=1) == 1).all() and len(seeds) == REPLICATIONS
    assert runs["verified"].all()


def test_rankings_and_paired_comparison(tournament):
    result, _, _ = tournament
    board = result.leaderboard.set_index("entry")
    # weak spends the whole budget on service calls to prospects: pure cost over doing nothing
    assert board.loc["good", "rank"] < board.loc["weak", "rank"]
    assert board.loc["none (built-in)", "rank"] < board.loc["weak", "rank"]
    assert board.loc["weak", "difference_to_leader"] < 0
    assert board.loc["weak", "told_apart_from_leader"] in {"yes", "no"}
    leader = board[board["rank"] == 1].iloc[0]
    assert leader["told_apart_from_leader"] == "leader" and leader["difference_to_leader"] == 0
    # html_doc does nothing, like the built-in `none`: identical results
    assert board.loc["html_doc", "profit_mean"] == pytest.approx(board.loc["none (built-in)", "profit_mean"])
    ok = board[board["status"] == "ok"]
    assert (ok["profit_ci_low"] <= ok["profit_mean"]).all()
    assert (ok["profit_mean"] <= ok["profit_ci_high"]).all()
    assert board.loc["slow", "status"] == "disqualified" and pd.isna(board.loc["slow", "rank"])


def test_entries_cannot_change_other_entries_or_plant_results(tournament, tmp_path):
    result, folder, before = tournament
    assert _digests(folder) == before  # tamper_files tried to append to every other entry
    assert result.settings["changed_files"] == []
    assert "tamper_files" not in result.disqualified  # it played honestly otherwise
    paths = result.write(tmp_path)
    board = pd.read_csv(paths["leaderboard.csv"])
    assert "tamper_files" in set(board["entry"]) and len(board) == len(result.entries)
    planted = folder / "leaderboard.csv"
    assert not planted.exists() or planted.stat().st_size == 0  # it can create an empty file, not write one


def test_result_files(tournament, tmp_path):
    result, _, _ = tournament
    paths = result.write(tmp_path / "out")
    board = pd.read_csv(paths["leaderboard.csv"])
    for column in (
        "rank",
        "entry",
        "profit_mean",
        "profit_ci_low",
        "profit_ci_high",
        "difference_to_leader",
        "difference_ci_low",
        "difference_ci_high",
        "told_apart_from_leader",
        "reason",
        "retention_mean",
    ):
        assert column in board.columns
    money = board["profit_mean"].dropna().to_numpy()
    assert np.array_equal(money, np.round(money))  # rounded to whole CU for reading
    runs = pd.read_csv(paths["runs.csv"])
    assert len(runs[runs["counted"]]) == 5 * REPLICATIONS
    assert paths["forest_plot.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = paths["report.html"].read_text()
    assert "data:image/png;base64," in page and "<script>alert" not in page
    assert "&lt;script&gt;alert" in page and "&amp; &lt;b&gt;bold" in page
    assert "public seed 5" in page
    assert "secret_sauce" in page  # each disqualified entry's reason is in the report


def test_forest_plot_is_a_figure_with_labels(tournament):
    result, _, _ = tournament
    figure = result.figure()
    axes = figure.axes[0]
    assert "CU" in axes.get_xlabel() and axes.get_title()
    positions = dict(zip([t.get_text() for t in axes.get_yticklabels()], axes.get_yticks(), strict=True))
    board = result.leaderboard
    ranked = board[board["status"] == "ok"]["entry"].tolist()
    assert sorted(positions, key=positions.get, reverse=True) == ranked  # best on top


def test_a_private_seed_is_not_shown(tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copy(EXAMPLES / "weak.py", folder)
    result = run_tournament(
        folder,
        replications=2,
        seed=987654,
        private=True,
        include=["mass"],
        parameters={"n_people": 100, "weeks": 8},
        limits=LIMITS,
    )
    page = result.html()
    assert "private seed (not shown)" in page and "987654" not in page


def test_scenarios():
    assert {"default", "locked_in", "aggressive_competitor"} <= set(SCENARIOS)
    locked = scenario_parameters("locked_in", {"n_people": 50})
    assert locked["switching_cost_strength"] > 1 and locked["n_people"] == 50
    with pytest.raises(ParameterError, match="scenario must be one of"):
        scenario_parameters("mars")
    for name in preset_names():  # every market preset (e.g. cdnow) is a scenario
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a provisional preset says so
            assert scenario_parameters(name) == {**preset_values(name)}


def test_the_parent_never_unpickles_what_a_worker_sends():
    message = wire.encode({"kind": "run"}, {"week": np.arange(3)})
    header, arrays = wire.decode(message)
    assert header == {"kind": "run"} and arrays["week"].tolist() == [0, 1, 2]
    objects = np.array([object()], dtype=object)
    with pytest.raises(ValueError):
        wire.encode({}, {"x": objects})  # numpy refuses to save objects without pickle
    with pytest.raises(wire.WireError):
        wire.decode(b"\x80\x04\x95 pickle bytes")


def test_command_line(tmp_path, capsys):
    folder = tmp_path / "entries"
    folder.mkdir()
    for name in ("good.py", "weak.py", "garbage.py"):
        shutil.copy(EXAMPLES / name, folder)
    out = tmp_path / "results"
    status = crmlab(
        [
            "tournament",
            str(folder),
            "--out",
            str(out),
            "--replications",
            "2",
            "--customers",
            "150",
            "--weeks",
            "10",
            "--include",
            "mass",
            "--scenario",
            "aggressive_competitor",
            "--week-limit",
            "2",
        ]
    )
    printed = capsys.readouterr().out
    assert status == 0
    written = {p.name for p in out.iterdir()}
    assert written == {"leaderboard.csv", "runs.csv", "forest_plot.png", "report.html"}
    assert "disqualified garbage: garbage.py" in printed and "aggressive_competitor" in printed


@pytest.mark.parametrize(
    "arguments, fragment",
    [
        (["missing_folder"], "no such folder"),
        (["{folder}", "--include", "nonsense"], "unknown strategy 'nonsense'"),
        (["{folder}", "--replications", "1"], "--replications"),
        (["{folder}", "--scenario", "mars"], "--scenario"),
        (
            ["{folder}", "--week-limit", "-1"],
            "--week-limit: must be a number of seconds in (0, 86400], got '-1'",
        ),
        (["{folder}", "--customers", "0"], "--customers: must be an integer from 1 to 5000000, got 0"),
        (["{folder}", "--seed", "1", "--private-seed", "2"], "not allowed with"),
        (["{folder}", "--set", "n_people=10"], "--set n_people: use --customers"),
        (["{folder}", "--metrics", "profit,happiness"], "unknown metric 'happiness'"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, capsys, arguments, fragment):
    folder = tmp_path / "entries"
    folder.mkdir()
    shutil.copy(EXAMPLES / "weak.py", folder)
    arguments = [
        a.replace("{folder}", str(folder)) if a != "missing_folder" else str(tmp_path / "nope")
        for a in arguments
    ]
    assert crmlab(["tournament", *arguments, "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and fragment in error and "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_a_script_without_a_main_guard_can_run_a_tournament(tmp_path):
    """Workers must not re-run the caller's script (a notebook exported as a script has no main guard)."""
    import subprocess
    import sys

    folder = tmp_path / "entries"
    folder.mkdir()
    shutil.copy(EXAMPLES / "weak.py", folder)
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from simulation.tournament import run_tournament\n"
        f"result = run_tournament({str(folder)!r}, replications=2, "
        "parameters={'n_people': 100, 'weeks': 5})\n"
        "print('DISQUALIFIED', result.disqualified)\n"
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-500:]
    assert "DISQUALIFIED {}" in run.stdout
