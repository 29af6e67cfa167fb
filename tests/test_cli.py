"""`crmlab` end to end: outputs, and one-line errors with status 2 for every kind of bad input."""

import subprocess
import sys

import pandas as pd
import pytest

from simulation.cli import main
from simulation.strategies import strategy_names


def crmlab(*args):
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True, text=True)


def test_run_writes_the_three_tables_and_prints_a_summary(tmp_path, capsys):
    assert main(["run", "--strategy", "one_to_one", "--customers", "200", "--weeks", "20", "--seed", "3",
                 "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "one_to_one: 200 people, 20 weeks, seed 3" in printed and "profit" in printed
    metrics = pd.read_csv(tmp_path / "out" / "metrics.csv")
    transactions = pd.read_csv(tmp_path / "out" / "transactions.csv")
    customers = pd.read_csv(tmp_path / "out" / "customers.csv")
    actions = pd.read_csv(tmp_path / "out" / "actions.csv")
    assert list(actions.columns) == ["customer_id", "week", "action"]
    assert len(metrics) == 20 and list(transactions.columns) == ["customer_id", "week", "amount"]
    assert {"customer_id", "acquired_week", "lost_week", "stage", "decline_start_stage", "pattern",
            "tenure_weeks", "revenue", "profit"} <= set(customers.columns)


def test_run_is_reproducible_across_processes_and_engines(tmp_path):
    for engine in ("agents", "vector"):
        result = crmlab("run", "--customers", "150", "--weeks", "15", "--seed", "9", "--engine", engine,
                        "--out", str(tmp_path / engine))
        assert result.returncode == 0, result.stderr
    for name in ("metrics", "transactions", "customers", "actions"):
        a = (tmp_path / "agents" / f"{name}.csv").read_text()
        assert a == (tmp_path / "vector" / f"{name}.csv").read_text()


def test_compare_writes_a_tidy_table_with_confidence_intervals(tmp_path, capsys):
    assert main(["compare", "--strategies", "none,mass", "--replications", "3", "--customers", "200",
                 "--weeks", "20", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == ["strategy", "metric", "mean", "ci_low", "ci_high"]
    assert set(table["strategy"]) == {"none", "mass"}
    assert set(table["metric"]) == {"profit", "revenue", "customers_at_end", "retention",
                                    "share_of_wallet", "realised_clv"}
    assert ((table["ci_low"] <= table["mean"]) & (table["mean"] <= table["ci_high"])).all()
    assert "realised_clv" in capsys.readouterr().out


def test_strategies_lists_every_strategy_on_one_line(capsys):
    assert main(["strategies"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == strategy_names()


def test_help_documents_every_command_and_option():
    top = crmlab("--help").stdout
    for command in ("run", "compare", "strategies", "parameters"):
        assert command in top
    run_help = crmlab("run", "--help").stdout
    for option in ("--strategy", "--customers", "--weeks", "--seed", "--out", "--engine", "--set"):
        assert option in run_help
    assert "--replications" in crmlab("compare", "--help").stdout


@pytest.mark.parametrize("args, message", [
    (["run", "--strategy", "magic"], "unknown strategy 'magic'; valid strategies: none, mass, targeted"),
    (["run", "--customers", "0"], "--customers: must be an integer from 1 to 5000000, got 0"),
    (["run", "--customers", "-5"], "--customers: must be an integer from 1 to 5000000, got -5"),
    (["run", "--customers", "many"], "--customers: must be an integer"),
    (["run", "--weeks", "0"], "--weeks: must be an integer from 1 to 1040, got 0"),
    (["run", "--weeks", "5000"], "--weeks: must be an integer from 1 to 1040, got 5000"),
    (["run", "--seed", "-1"], "--seed: must be a non-negative integer"),
    (["run", "--colour", "red"], "unrecognized arguments: --colour red"),
    (["run", "--set", "margin=2"], "parameter 'margin' must be a number in [0, 1], got 2.0"),
    (["run", "--set", "nonsense=2"], "unknown parameter 'nonsense'"),
    (["compare", "--strategies", "mass,magic"], "unknown strategy 'magic'"),
    (["compare", "--strategies", "mass", "--replications", "0"], "--replications: must be an integer"),
    (["fly"], "invalid choice: 'fly'"),
])
def test_bad_input_exits_2_with_one_line_naming_the_problem(tmp_path, args, message):
    needs_out = args[0] in ("run", "compare")
    result = crmlab(*args, *(["--out", str(tmp_path)] if needs_out else []))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_an_out_dir_that_cannot_be_written_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = crmlab("run", "--customers", "10", "--weeks", "2", "--out", str(blocker / "sub"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"--out {blocker / 'sub'}: cannot write there" in result.stderr
