"""The ``crmlab rfm`` and ``crmlab clv`` subcommands, run through the ``crmlab`` entry point."""

import argparse
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from crm_theory.cli import register
from crm_theory.errors import DataError
from crmlab.cli import main

FIXTURES = Path(__file__).parent / "data" / "crm_theory"


def crmlab(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run ``crmlab ARGV``: bad input gives one line on stderr and exit status 2."""
    status = main(argv)
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
    argv = [
        "clv",
        "cdnow-sample",
        "--calibration-end",
        "1997-09-30",
        "--occasion",
        "day",
        "--json",
        "--out",
        str(out),
    ]
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
    argv = ["clv", "cdnow-sample", "--calibration-end", "1997-09-30", "--occasion", "day"]
    status, stdout, _ = crmlab(argv, capsys)
    assert status == 0
    assert "time unit week (purchases counted per day, days converted)" in stdout
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


def test_customer_ids_are_kept_as_written_in_the_output(tmp_path, capsys):
    source = tmp_path / "ids.csv"
    source.write_text("customer_id,date,amount\n007,2020-01-01,5\n7,2020-01-02,6\n7.0,2020-01-03,7\n")
    out = tmp_path / "rfm.csv"
    status, stdout, _ = crmlab(["rfm", str(source), "--out", str(out)], capsys)
    assert status == 0 and "3 customers, 3 transactions" in stdout
    assert sorted(pd.read_csv(out, dtype={"customer_id": str})["customer_id"]) == ["007", "7", "7.0"]


WEEKS = str(FIXTURES / "valid_weeks.csv")  # weeks 1 to 6
DATES = str(FIXTURES / "valid_dates.csv")  # 1997-01-01 to 1997-03-01


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["clv", DATES, "--calibration-end", "2030-01-01"],
            "--calibration-end 2030-01-01 is after the last transaction (1997-03-01); to forecast from the "
            "end of the data give 1997-03-01",
        ),
        (
            ["clv", DATES, "--calibration-end", "1990-01-01"],
            "--calibration-end 1990-01-01 is before the first transaction (1997-01-01)",
        ),
        (
            ["clv", WEEKS, "--calibration-end", "60"],
            "--calibration-end week 60 is after the last transaction",
        ),
        (
            ["clv", DATES, "--calibration-end", "1997-02-01", "--discount-rate", "inf"],
            "--discount-rate: must be a finite number, got 'inf'",
        ),
        (
            ["clv", DATES, "--calibration-end", "1997-02-01", "--discount-rate", "-1"],
            "--discount-rate: must be greater than -1",
        ),
        (
            ["clv", DATES, "--calibration-end", "1997-02-01", "--horizon", "nan"],
            "--horizon: must be a finite number, got 'nan'",
        ),
        (
            ["clv", DATES, "--calibration-end", "1997-02-01", "--horizon", "0"],
            "--horizon: must be greater than 0",
        ),
        (
            ["clv", DATES, "--calibration-end", "1997-02-01", "--horizon", "1e9"],
            "--horizon: at most 100 years (5218 weeks)",
        ),
        (
            ["clv", DATES, "--calibration-end", "1997-02-01", "--margin", "nan"],
            "--margin: must be a finite number, got 'nan'",
        ),
        (["clv", DATES, "--calibration-end", "1997-02-01", "--out", ""], "--out: give a file name"),
        (["rfm", DATES, "--out", ""], "--out: give a file name"),
        (["rfm", DATES, "--out", "/"], "--out /: is a directory; give a file name"),
        (
            ["rfm", DATES, "--out", "/no/such/folder/x.csv"],
            "--out /no/such/folder/x.csv: folder /no/such/folder does not exist",
        ),
        (["rfm", "cdnow-smaple"], "cdnow-smaple: no such file, and not a bundled data set"),
        (["rfm", "/"], "/: is a directory, not a file"),
    ],
)
def test_bad_options_exit_2_with_one_line(argv, message, capsys):
    status, stdout, stderr = crmlab(argv, capsys)
    assert status == 2
    assert stderr.startswith("crmlab: error: ") and message in stderr, stderr
    assert stderr.count("\n") == 1
    assert stdout == ""


def test_an_unwritable_out_file_is_refused_before_any_work(tmp_path, capsys):
    if os.geteuid() == 0:
        target = Path("/sys/crmlab-test.csv")  # root may write anywhere but in sysfs
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "x.csv"
    status, stdout, stderr = crmlab(
        ["clv", "cdnow-sample", "--calibration-end", "1997-09-30", "--out", str(target)], capsys
    )
    assert status == 2 and stdout == ""
    assert f"--out {target}: cannot write there (Permission denied)" in stderr
    assert not target.exists()


def test_mixed_time_zones_in_the_date_column_exit_2_naming_the_line(tmp_path, capsys):
    source = tmp_path / "zones.csv"
    source.write_text("customer_id,date,amount\n1,2020-01-01T10:00+02:00,5\n2,2020-01-02T10:00Z,6\n")
    status, _, stderr = crmlab(["clv", str(source), "--calibration-end", "2020-01-02"], capsys)
    assert status == 2
    assert f"{source}, line 3: date '2020-01-02T10:00Z' is in UTC but the date on line 2" in stderr


def test_amounts_that_overflow_exit_2(tmp_path, capsys):
    source = tmp_path / "huge.csv"
    source.write_text("customer_id,date,amount\n1,2020-01-01,1e308\n1,2020-01-09,1e308\n")
    status, _, stderr = crmlab(["clv", str(source), "--calibration-end", "2020-01-09"], capsys)
    assert status == 2 and "the amounts add up to more than the largest number" in stderr


def test_clv_results_that_overflow_exit_2(tmp_path, capsys, monkeypatch):
    import crm_theory.cli

    real = crm_theory.cli.predicted_clv

    def overflowing(*args, **kwargs):
        table = real(*args, **kwargs)
        table.iloc[0, table.columns.get_loc("clv")] = float("inf")
        return table

    monkeypatch.setattr(crm_theory.cli, "predicted_clv", overflowing)
    status, stdout, stderr = crmlab(["clv", "cdnow-sample", "--calibration-end", "1997-09-30"], capsys)
    assert status == 2 and stdout == ""
    assert "CLV of 1 customer is too large to compute" in stderr


def test_a_calibration_end_on_the_last_transaction_forecasts_from_the_end(capsys):
    status, stdout, _ = crmlab(["clv", "cdnow-sample", "--calibration-end", "1998-06-30"], capsys)
    assert status == 0 and "holdout" not in stdout


def test_crmlab_entry_point_runs_the_subcommands(capsys):
    import crmlab.cli as cli

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


# ---------------------------------------------------------------------------------------------------------
# crmlab clv --model pareto_nbd, crmlab retention

COHORTS = str(FIXTURES / "sbg_cohorts.csv")  # Fader & Hardie (2007): regular and high-end, years 0-7


def test_clv_with_pareto_nbd_has_the_published_cdnow_parameters(capsys):
    argv = [
        "clv",
        "cdnow-sample",
        "--calibration-end",
        "1997-09-30",
        "--model",
        "pareto_nbd",
        "--occasion",
        "day",
        "--json",
    ]
    status, stdout, _ = crmlab(argv, capsys)
    assert status == 0
    result = json.loads(stdout)
    assert set(result) == {"pareto_nbd", "gamma_gamma"}
    assert set(result["pareto_nbd"]) == {"r", "alpha", "s", "beta", "loglik"}
    assert result["pareto_nbd"]["alpha"] == pytest.approx(10.58, abs=0.005)
    assert result["pareto_nbd"]["loglik"] == pytest.approx(-9595.0, abs=0.05)


def test_retention_prints_each_cohorts_fit_and_projection(tmp_path, capsys):
    out = tmp_path / "survival.csv"
    argv = ["retention", COHORTS, "--time-unit", "year", "--periods", "12", "--out", str(out)]
    status, stdout, _ = crmlab(argv, capsys)
    assert status == 0
    assert "2 cohorts, 7 years observed" in stdout
    assert "regular: alpha=0.7041" in stdout and "beta=1.1820" in stdout
    assert "high_end: alpha=0.6681" in stdout and "beta=3.8061" in stdout
    table = pd.read_csv(out, index_col="period")
    assert len(table) == 13
    assert table.loc[7, "regular_actual"] == 241 and pd.isna(table.loc[8, "regular_actual"])
    assert table.loc[12, "regular_expected"] == pytest.approx(170.0, abs=0.1)


def test_retention_json(capsys):
    status, stdout, _ = crmlab(["retention", COHORTS, "--json", "--discount-rate", "0.1"], capsys)
    assert status == 0
    result = json.loads(stdout)
    assert set(result) == {"regular", "high_end"}
    assert result["high_end"]["beta"] == pytest.approx(3.806, abs=6e-4)
    assert result["regular"]["del"] > 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "line 1: the file is empty"),
        ("cohort,a\n0,10\n1,5\n", "line 1: the header must be 'period' followed by one column per cohort"),
        ("period,a,a\n0,10,10\n1,5,5\n", "line 1: cohort 'a' appears twice"),
        ("period,a\n0,10\n", "line 1: needs period 0 and at least one later period"),
        ("period,a\n0,10\n2,5\n", "line 3: period '2'; periods must run 0, 1, 2, ... (expected 1)"),
        ("period,a\n0,10\n1,x\n", "line 3: 'x' in column 'a' is not a customer count"),
        ("period,a\n0,10\n1,2.5\n", "line 3: '2.5' in column 'a' is not a customer count"),
        ("period,a\n0,10\n1,5,3\n", "line 3: 3 fields, the header has 2"),
        ("period,a\n0,10\n1,5\n2,7\n", "line 4: cohort 'a' grows from 5 to 7"),
        ("period,a\n0,10\n1,\n2,4\n", "line 3: cohort 'a' is empty here but has counts later"),
        ("period,a\n0,10\n1,10\n", "line 2: in cohort 'a' nobody ever left"),
    ],
)
def test_retention_bad_cohort_files_exit_2_with_the_line(tmp_path, capsys, content, message):
    source = tmp_path / "cohorts.csv"
    source.write_text(content)
    status, stdout, stderr = crmlab(["retention", str(source)], capsys)
    assert status == 2 and stdout == ""
    assert stderr.startswith(f"crmlab: error: {source}, ") and message in stderr, stderr
    assert stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["retention", "no_such.csv"], "no_such.csv: file not found"),
        (["retention", COHORTS, "--periods", "0"], "--periods: must be an integer from 1 to 1000, got 0"),
        (["retention", COHORTS, "--discount-rate", "0"], "--discount-rate: must be greater than 0"),
        (["retention", COHORTS, "--time-unit", "a b"], "--time-unit: must be a word"),
        (
            ["clv", "cdnow-sample", "--calibration-end", "1997-09-30", "--model", "pnbd"],
            "argument --model: invalid choice: 'pnbd'",
        ),
    ],
)
def test_retention_and_model_options_exit_2_with_one_line(argv, message, capsys):
    status, stdout, stderr = crmlab(argv, capsys)
    assert status == 2 and stdout == ""
    assert message in stderr and stderr.count("\n") == 1, stderr
