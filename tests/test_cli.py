"""`crmlab` end to end: outputs, and one-line errors with status 2 for every kind of bad input."""

import subprocess
import sys

import pandas as pd
import pytest

from crmlab.cli import main
from simulation.strategies import strategy_names


def crmlab(*args):
    return subprocess.run([sys.executable, "-m", "crmlab", *args], capture_output=True, text=True)


def test_run_writes_the_three_tables_and_prints_a_summary(tmp_path, capsys):
    assert (
        main(
            [
                "run",
                "--strategy",
                "one_to_one",
                "--customers",
                "200",
                "--weeks",
                "20",
                "--seed",
                "3",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "one_to_one: 200 people, 20 weeks, seed 3" in printed and "profit" in printed
    metrics = pd.read_csv(tmp_path / "out" / "metrics.csv")
    transactions = pd.read_csv(tmp_path / "out" / "transactions.csv")
    customers = pd.read_csv(tmp_path / "out" / "customers.csv")
    actions = pd.read_csv(tmp_path / "out" / "actions.csv")
    assert list(actions.columns) == ["customer_id", "week", "action"]
    assert len(metrics) == 20 and list(transactions.columns) == ["customer_id", "week", "amount"]
    assert {
        "customer_id",
        "acquired_week",
        "lost_week",
        "stage",
        "decline_start_stage",
        "pattern",
        "tenure_weeks",
        "revenue",
        "profit",
    } <= set(customers.columns)


def test_run_is_reproducible_across_processes_and_engines(tmp_path):
    for engine in ("agents", "vector"):
        result = crmlab(
            "run",
            "--customers",
            "150",
            "--weeks",
            "15",
            "--seed",
            "9",
            "--engine",
            engine,
            "--out",
            str(tmp_path / engine),
        )
        assert result.returncode == 0, result.stderr
    for name in ("metrics", "transactions", "customers", "actions"):
        a = (tmp_path / "agents" / f"{name}.csv").read_text()
        assert a == (tmp_path / "vector" / f"{name}.csv").read_text()


def test_compare_writes_a_tidy_table_with_confidence_intervals(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                "--strategies",
                "none,mass",
                "--replications",
                "3",
                "--customers",
                "200",
                "--weeks",
                "20",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == ["strategy", "metric", "mean", "ci_low", "ci_high"]
    assert set(table["strategy"]) == {"none", "mass"}
    assert set(table["metric"]) == {
        "profit",
        "revenue",
        "customers_at_end",
        "retention",
        "share_of_wallet",
        "realised_clv",
    }
    assert ((table["ci_low"] <= table["mean"]) & (table["mean"] <= table["ci_high"])).all()
    assert "realised_clv" in capsys.readouterr().out


def test_strategies_lists_every_strategy_on_one_line(capsys):
    assert main(["strategies"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == strategy_names()


def test_help_documents_every_command_and_option():
    top = crmlab("--help").stdout
    for command in ("run", "compare", "strategies", "parameters", "rfm", "clv"):
        assert command in top
    run_help = crmlab("run", "--help").stdout
    for option in ("--strategy", "--customers", "--weeks", "--seed", "--out", "--engine", "--set"):
        assert option in run_help
    assert "--replications" in crmlab("compare", "--help").stdout


@pytest.mark.parametrize(
    "args, message",
    [
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
        (
            ["compare", "--strategies", "mass", "--replications", "1"],
            "--replications: must be an integer from 2 to 10000, got 1",
        ),
        (["compare", "--strategies", "mass,,targeted"], "--strategies: expects names separated by commas"),
        (["compare", "--strategies", "mass,mass"], "each strategy must have a distinct name"),
        (["run", "--set", "n_people=5"], "--set n_people: use --customers instead"),
        (["run", "--out", ""], "--out: give a directory name"),
        (["run", "--out", __file__], f"--out {__file__}: is a file; give a directory for the output files"),
        (["compare", "--strategies", "mass", "--out", " "], "--out: give a directory name"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(tmp_path, args, message):
    needs_out = args[0] in ("run", "compare") and "--out" not in args
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


def test_the_installed_crmlab_command_is_the_crmlab_package_entry_point():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "crmlab"]
    assert script.value == "crmlab.cli:main"


def test_every_package_registers_its_commands_in_one_place():
    from crmlab.cli import COMMAND_PACKAGES, build_parser

    assert [register.__module__ for register in COMMAND_PACKAGES] == [
        "simulation.cli",
        "crm_theory.cli",
        "simulation.tournament.cli",
        "exercises.grade",
        "simulation.sweeps",
    ]
    commands = build_parser()._subparsers._group_actions[0].choices
    assert list(commands) == [
        "run",
        "compare",
        "strategies",
        "parameters",
        "rfm",
        "clv",
        "retention",
        "tournament",
        "grade",
        "sweep",
        "calibrate",
    ]


def test_a_new_command_plugs_in_with_a_register_function(monkeypatch, capsys):
    import crmlab.cli

    def register(subparsers):
        hello = subparsers.add_parser("hello", help="say hello")
        hello.add_argument("--name", required=True)
        hello.set_defaults(handler=lambda args: print(f"hello {args.name}") or 0)

    monkeypatch.setattr(crmlab.cli, "COMMAND_PACKAGES", (*crmlab.cli.COMMAND_PACKAGES, register))
    assert main(["hello", "--name", "Ada"]) == 0
    assert capsys.readouterr().out == "hello Ada\n"
    assert main(["hello"]) == 2
    assert capsys.readouterr().err == "crmlab: error: the following arguments are required: --name\n"


def test_library_errors_from_a_handler_become_one_line_and_status_2(monkeypatch, tmp_path, capsys):
    import simulation.cli

    def broken(*args, **kwargs):
        raise ValueError("something the library refused\nwith a second line")

    monkeypatch.setattr(simulation.cli, "run_simulation", broken)
    assert main(["run", "--customers", "5", "--weeks", "1", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "crmlab: error: something the library refused\n"


def test_jobs_beyond_the_machines_cores_are_reduced_with_a_note(monkeypatch, tmp_path, capsys):
    import simulation.cli

    monkeypatch.setattr(simulation.cli, "available_cores", lambda: 1)
    assert (
        main(
            [
                "compare",
                "--strategies",
                "none,mass",
                "--replications",
                "2",
                "--customers",
                "30",
                "--weeks",
                "2",
                "--jobs",
                "8",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert "crmlab: note: --jobs 8 reduced to 1: this machine has 1 CPU core" in capsys.readouterr().err


def test_compare_with_a_pool_leaves_no_process_behind(tmp_path):
    psutil = pytest.importorskip("psutil")
    import os
    import uuid

    tag = uuid.uuid4().hex  # inherited by every process the command starts
    env = {**os.environ, "CRMLAB_TEST_TAG": tag}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmlab",
            "compare",
            "--strategies",
            "none,mass",
            "--replications",
            "2",
            "--customers",
            "30",
            "--weeks",
            "2",
            "--jobs",
            "2",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr

    def tagged():
        found = []
        for process in psutil.process_iter():
            try:
                if process.environ().get("CRMLAB_TEST_TAG") == tag:
                    found.append(process)
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                pass
        return found

    gone, alive = psutil.wait_procs(tagged(), timeout=5)
    assert alive == []


def test_input_the_library_refuses_leaves_no_output_directory_behind(tmp_path):
    out = tmp_path / "new" / "results"
    for args in (["run", "--set", "margin=2"], ["compare", "--strategies", "mass,mass"]):
        result = crmlab(*args, "--customers", "20", "--weeks", "2", "--out", str(out))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert not (tmp_path / "new").exists()


def test_output_piped_into_a_reader_that_stops_early_is_not_an_error():
    # like `crmlab parameters | head -1`: the reader is gone before crmlab writes
    process = subprocess.Popen(
        [sys.executable, "-m", "crmlab", "parameters"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=60)
    assert stderr == ""
