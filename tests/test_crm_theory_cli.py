"""The ``crmlab rfm`` and ``crmlab clv`` subcommands, through a parser built like ``simulation/cli.py``'s."""

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from crm_theory.cli import register
from crm_theory.errors import DataError

FIXTURES = Path(__file__).parent / "data" / "crm_theory"


def crmlab(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run a subcommand the way the entry point does: bad input -> one line on stderr, exit status 2."""
    parser = argparse.ArgumentParser(prog="crmlab")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        status = args.handler(args)
    except (ValueError, OSError) as error:
        print(f"crmlab: error: {error}", file=sys.stderr)
        status = 2
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_rfm_prints_segment_counts_and_writes_per_customer_scores(tmp_path, capsys):
    out = tmp_path / "rfm.csv"
    status, stdout, _ = crmlab(["rfm", str(FIXTURES / "valid_dates.csv"), "--out", str(out)], capsys)
    assert status == 0
    assert "3 customers, 5 transactions" in stdout
    assert "analysis date: 1997-03-02" in stdout
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "customer_id",
        "recency",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "cell",
        "segment",
    ]
    assert table["customer_id"].tolist() == [1, 2, 3]
    assert table.loc[table["customer_id"] == 3, "recency"].item() == 1
    for segment in table["segment"]:
        assert segment in stdout


def test_rfm_analysis_date_for_a_week_log_and_exclusion_note(capsys):
    status, stdout, stderr = crmlab(
        ["rfm", str(FIXTURES / "valid_weeks.csv"), "--analysis-date", "4"], capsys
    )
    assert status == 0
    assert "analysis date: week 4" in stdout
    assert "crmlab: note: 2 transactions excluded: after the analysis date week 4" in stderr


def test_rfm_on_the_bundled_cdnow_sample(capsys):
    status, stdout, _ = crmlab(["rfm", "cdnow-sample"], capsys)
    assert status == 0
    assert "cdnow-sample: 2357 customers, 6919 transactions" in stdout
    assert "champions" in stdout and "hibernating" in stdout


def test_clv_json_has_the_published_cdnow_parameters(tmp_path, capsys):
    out = tmp_path / "clv.csv"
    argv = ["clv", "cdnow-sample", "--calibration-end", "1997-09-30", "--json", "--out", str(out)]
    status, stdout, _ = crmlab(argv, capsys)
    assert status == 0
    result = json.loads(stdout)
    assert set(result) == {"bgnbd", "gamma_gamma"}
    assert set(result["bgnbd"]) == {"r", "alpha", "a", "b", "loglik"}
    assert set(result["gamma_gamma"]) == {"p", "q", "gamma", "loglik"}
    assert result["bgnbd"]["alpha"] == pytest.approx(4.414, abs=6e-4)
    assert result["bgnbd"]["loglik"] == pytest.approx(-9582.4, abs=0.06)
    assert result["gamma_gamma"]["p"] == pytest.approx(6.25, rel=2e-3)
    table = pd.read_csv(out, index_col="customer_id")
    assert len(table) == 2357
    for column in ("p_alive", "expected_purchases", "expected_spend", "clv", "actual_holdout_purchases"):
        assert table[column].notna().all()
    assert table["p_alive"].between(0, 1).all()


def test_clv_prints_parameters_and_holdout_check(capsys):
    status, stdout, _ = crmlab(["clv", "cdnow-sample", "--calibration-end", "1997-09-30"], capsys)
    assert status == 0
    assert "r=0.2426" in stdout and "alpha=4.4136" in stdout
    assert "p=6.2496" in stdout or "p=6.249" in stdout
    assert "actual 1882" in stdout
    assert "top 10 customers by CLV" in stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing_column.csv", "missing_column.csv, line 1: missing column 'amount'"),
        ("bad_date.csv", "bad_date.csv, line 4: unparsable date '1997-13-45'"),
        ("negative_amount.csv", "negative_amount.csv, line 4: negative amount -4.5"),
        ("no_such_file.csv", "no_such_file.csv: file not found"),
    ],
)
@pytest.mark.parametrize("command", ["rfm", "clv"])
def test_bad_input_exits_2_with_one_line_naming_file_line_and_problem(command, name, expected, capsys):
    argv = [command, str(FIXTURES / name)] + (["--calibration-end", "1997-02-01"] if command == "clv" else [])
    status, stdout, stderr = crmlab(argv, capsys)
    assert status == 2
    assert stderr.startswith("crmlab: error: ") and expected in stderr
    assert stderr.count("\n") == 1
    assert stdout == ""


def test_handlers_raise_data_error_for_bad_dates_in_options(capsys):
    parser = argparse.ArgumentParser(prog="crmlab")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["rfm", str(FIXTURES / "valid_dates.csv"), "--analysis-date", "not-a-date"])
    with pytest.raises(DataError, match="analysis date must be a date"):
        args.handler(args)


def test_crmlab_entry_point_runs_the_subcommands(capsys):
    cli = pytest.importorskip(
        "simulation.cli", reason="simulation/cli.py (the crmlab entry point) not written yet"
    )
    try:
        status = cli.main(["rfm", str(FIXTURES / "valid_weeks.csv")])
    except SystemExit as stop:
        status = stop.code
    assert status in (0, None)
    assert "3 customers, 5 transactions" in capsys.readouterr().out
    try:
        status = cli.main(["rfm", str(FIXTURES / "negative_amount.csv")])
    except SystemExit as stop:
        status = stop.code
    assert status == 2
    assert "negative_amount.csv, line 4: negative amount" in capsys.readouterr().err
