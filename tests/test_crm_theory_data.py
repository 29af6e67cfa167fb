"""Loading transaction logs: the bundled CDNOW files, CSV files, and the errors a user sees for bad input."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_theory.data import (
    load_cdnow_master,
    load_cdnow_sample,
    load_transactions,
    read_cdnow,
    read_transactions_csv,
)
from crm_theory.errors import DataError
from crm_theory.validation import validate_transactions

FIXTURES = Path(__file__).parent / "data" / "crm_theory"


@pytest.fixture(scope="module")
def cdnow_sample():
    return load_cdnow_sample()


@pytest.fixture(scope="module")
def cdnow_master():
    return load_cdnow_master()


def test_cdnow_sample_has_the_published_size_and_period(cdnow_sample):
    assert len(cdnow_sample) == 6919
    assert cdnow_sample["customer_id"].nunique() == 2357
    assert cdnow_sample["sample_id"].min() == 1 and cdnow_sample["sample_id"].max() == 2357
    assert cdnow_sample["date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow_sample["date"].max() == pd.Timestamp("1998-06-30")
    assert pd.api.types.is_datetime64_any_dtype(cdnow_sample["date"])
    assert list(cdnow_sample.columns[:3]) == ["customer_id", "date", "amount"]


def test_cdnow_master_has_the_published_size(cdnow_master):
    assert len(cdnow_master) == 69659
    assert cdnow_master["customer_id"].nunique() == 23570
    # the whole cohort made its first purchase in the first quarter of 1997
    first = cdnow_master.groupby("customer_id")["date"].min()
    assert first.max() < pd.Timestamp("1997-04-01")


def test_cdnow_sample_customers_are_master_customers_with_the_same_purchases(cdnow_sample, cdnow_master):
    sampled = cdnow_master[cdnow_master["customer_id"].isin(cdnow_sample["customer_id"])]
    assert len(sampled) == len(cdnow_sample)
    assert sampled["amount"].sum() == pytest.approx(cdnow_sample["amount"].sum())


def test_cdnow_quirks_documented_in_the_data_card_are_real(cdnow_sample, cdnow_master):
    # zero-dollar rows are legal and kept
    assert (cdnow_sample["amount"] == 0).sum() == 8
    assert (cdnow_master["amount"] == 0).sum() == 80
    # several transactions on one day
    assert cdnow_sample.duplicated(["customer_id", "date"]).sum() == 223
    assert cdnow_master.duplicated(["customer_id", "date"]).sum() == 2068
    card = (Path(__file__).parents[1] / "datasets" / "cdnow" / "README.md").read_text(encoding="utf-8")
    for figure in ("6,919", "69,659", "2,357", "23,570", "223", "2,068"):
        assert figure in card


def test_bundled_names_resolve():
    assert len(load_transactions("cdnow-sample")) == 6919


def test_csv_with_dates_is_parsed_into_the_standard_schema():
    log = read_transactions_csv(FIXTURES / "valid_dates.csv")
    assert list(log.columns) == ["customer_id", "date", "amount"]
    assert log["customer_id"].tolist() == ["1", "1", "2", "2", "3"]  # ids as written
    assert pd.api.types.is_datetime64_any_dtype(log["date"])
    assert log["amount"].tolist() == [10.0, 15.5, 8.25, 0.0, 40.0]


def test_csv_with_weeks_keeps_integer_weeks():
    log = read_transactions_csv(FIXTURES / "valid_weeks.csv")
    assert log["week"].dtype == np.int64
    assert log["week"].tolist() == [1, 3, 2, 5, 6]


def test_text_customer_ids_are_kept(tmp_path):
    path = tmp_path / "text_ids.csv"
    path.write_text("customer_id,date,amount\nC-01,2020-01-01,5\nC-02,2020-01-02,6\n")
    assert read_transactions_csv(path)["customer_id"].tolist() == ["C-01", "C-02"]


@pytest.mark.parametrize(
    ("name", "line", "problem"),
    [
        ("missing_column.csv", 1, "missing column 'amount'"),
        ("bad_date.csv", 4, "unparsable date '1997-13-45'"),
        ("negative_amount.csv", 4, "negative amount -4.5"),
        ("cdnow_missing_field.txt", 3, "missing column 'amount'"),
        ("cdnow_bad_date.txt", 4, "unparsable date '19970231'"),
        ("cdnow_negative_amount.txt", 3, "negative amount -12"),
    ],
)
def test_malformed_files_name_the_file_line_and_problem(name, line, problem):
    with pytest.raises(DataError) as caught:
        load_transactions(FIXTURES / name) if name.endswith(".csv") else read_cdnow(FIXTURES / name)
    message = str(caught.value)
    assert message.startswith(f"{FIXTURES / name}, line {line}: ")
    assert problem in message
    assert "\n" not in message
    assert caught.value.line == line


def test_line_numbers_count_blank_lines_and_the_header(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("customer_id,week,amount\n1,1,5\n\n\n2,2,abc\n")
    with pytest.raises(
        DataError, match=r"gaps\.csv, line 5: amount 'abc' in column 'amount' is not a number"
    ):
        read_transactions_csv(path)


def test_extra_field_on_a_line_is_reported_at_that_line(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("customer_id,week,amount\n1,1,5\n2,2,6,7\n")
    with pytest.raises(DataError, match=r"extra\.csv, line 3: expected 3 fields, found 4"):
        read_transactions_csv(path)


def test_fractional_week_is_rejected(tmp_path):
    path = tmp_path / "weeks.csv"
    path.write_text("customer_id,week,amount\n1,1.5,5\n")
    with pytest.raises(DataError, match=r"line 2: week '1.5' is not a whole number"):
        read_transactions_csv(path)


def test_missing_file_is_a_data_error_naming_it(tmp_path):
    with pytest.raises(DataError, match="nowhere.csv: file not found"):
        load_transactions(tmp_path / "nowhere.csv")


def test_unknown_time_column_combination_is_rejected(tmp_path):
    path = tmp_path / "both.csv"
    path.write_text("customer_id,week,date,amount\n1,1,2020-01-01,5\n")
    with pytest.raises(DataError, match="line 1: both 'week' and 'date'"):
        read_transactions_csv(path)


def test_validation_names_the_column_and_what_is_allowed():
    good = pd.DataFrame({"customer_id": [1, 2], "week": [1, 2], "amount": [1.0, 2.0]})
    assert validate_transactions(good) is good
    with pytest.raises(DataError, match="missing column 'amount'"):
        validate_transactions(good.drop(columns="amount"))
    with pytest.raises(DataError, match="'amount' is negative in row with index 1.*allowed: numbers >= 0"):
        validate_transactions(good.assign(amount=[1.0, -2.0]))
    with pytest.raises(DataError, match="'week' has dtype float64; allowed: integer week numbers"):
        validate_transactions(good.assign(week=[1.0, 2.5]))
    with pytest.raises(DataError, match="'date' has dtype .*allowed: datetime64"):
        validate_transactions(good.drop(columns="week").assign(date=["2020-01-01", "2020-01-02"]))
    with pytest.raises(DataError, match="'customer_id' is missing"):
        validate_transactions(good.assign(customer_id=["a", None]))
    with pytest.raises(DataError, match="both 'week' and 'date'"):
        validate_transactions(good.assign(date=pd.to_datetime(["2020-01-01", "2020-01-02"])))


def test_integer_amounts_are_accepted_as_floats():
    log = pd.DataFrame({"customer_id": [1], "week": [1], "amount": [3]})
    assert validate_transactions(log)["amount"].dtype == np.float64
    assert log["amount"].dtype == np.int64  # the caller's frame is untouched


@pytest.mark.parametrize(
    ("name", "sha256"),
    [
        ("CDNOW_sample.txt", "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a"),
        ("CDNOW_master.txt", "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef"),
    ],
)
def test_bundled_files_are_byte_identical_to_the_lifetimes_wheel(name, sha256):
    path = Path(__file__).parents[1] / "datasets" / "cdnow" / name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def test_spreadsheet_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffcustomer_id,date,amount\n1,2020-01-01,5\n".encode())
    assert read_transactions_csv(path)["amount"].tolist() == [5.0]


def test_file_that_is_not_utf8_text_is_a_data_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("customer_id,date,amount,note\n1,2020-01-01,5,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match="latin1.csv: not a UTF-8 text file"):
        read_transactions_csv(path)


# ----------------------------------------------------------------------------------------------------------
# customer ids are kept as written, and files that do not match their header are never read shifted


def test_customer_ids_that_look_alike_stay_distinct_customers(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("customer_id,date,amount\n007,2020-01-01,5\n7,2020-01-02,6\n7.0,2020-01-03,7\n")
    log = read_transactions_csv(path)
    assert log["customer_id"].tolist() == ["007", "7", "7.0"]
    from crm_theory import rfm_table

    assert sorted(rfm_table(log).index) == ["007", "7", "7.0"]


def test_integer_ids_of_a_simulated_log_still_work():
    from crm_theory import purchase_summary, rfm_table

    log = pd.DataFrame(
        {"customer_id": np.array([3, 3, 12], dtype=np.int64), "week": [1, 4, 2], "amount": [5.0, 6.0, 7.0]}
    )
    assert rfm_table(log).index.tolist() == [3, 12]
    assert purchase_summary(log).loc[3, "frequency"] == 1


@pytest.mark.parametrize(
    "body",
    [
        "1,2020-01-01,5,9\n2,2020-01-02,6,9\n",  # every row one field too many: pandas would shift columns
        "1,2020-01-01,5,9\n2,2020-01-02,6\n",  # only the first row
    ],
)
def test_a_row_with_more_fields_than_the_header_is_an_error_at_its_line(tmp_path, body):
    path = tmp_path / "extra.csv"
    path.write_text("customer_id,date,amount\n" + body)
    with pytest.raises(DataError, match=r"extra\.csv, line 2: expected 3 fields, found 4"):
        read_transactions_csv(path)


def test_cdnow_line_with_an_extra_field_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "cdnow.txt"
    path.write_text(" 00001 0001 19970101  1   11.77\n 00002 0002 19970112  1   12.00 5\n")
    with pytest.raises(DataError, match=r"cdnow\.txt, line 2: expected 5 fields, found 6"):
        read_cdnow(path)


def test_cdnow_ids_spelled_two_ways_for_one_number_are_not_merged(tmp_path):
    path = tmp_path / "cdnow.txt"
    path.write_text(" 00001 19970101  1   11.77\n 1 19970112  1   12.00\n")
    with pytest.raises(DataError, match=r"cdnow\.txt, line 2: customer id '1' is the number of id '00001'"):
        read_cdnow(path)


def test_a_column_named_twice_in_the_header_is_an_error(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("customer_id,date,amount,amount\n1,2020-01-01,5,6\n")
    with pytest.raises(DataError, match=r"twice\.csv, line 1: column 'amount' appears 2 times in the header"):
        read_transactions_csv(path)


def test_dates_in_mixed_time_zones_are_an_error_at_the_first_different_line(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text(
        "customer_id,date,amount\n1,2020-01-01T10:00+02:00,5\n2,2020-01-02T10:00+02:00,6\n3,2020-01-02,6\n"
    )
    expected = (
        r"zones\.csv, line 4: date '2020-01-02' has no time zone but the date on line 2 is in "
        r"UTC\+02:00; write every date in one time zone"
    )
    with pytest.raises(DataError, match=expected):
        read_transactions_csv(path)


def test_dates_in_one_time_zone_are_accepted(tmp_path):
    path = tmp_path / "zone.csv"
    path.write_text("customer_id,date,amount\n1,2020-01-01T10:00+02:00,5\n2,2020-01-02T23:00+02:00,6\n")
    assert read_transactions_csv(path)["date"].dt.day.tolist() == [1, 2]


def test_an_amount_beyond_the_largest_number_is_named_too_large(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("customer_id,date,amount\n1,2020-01-01,5\n1,2020-01-02,1e400\n")
    with pytest.raises(DataError, match=r"huge\.csv, line 3: amount '1e400' in column 'amount' is too large"):
        read_transactions_csv(path)


def test_amounts_whose_total_overflows_are_an_error(tmp_path):
    path = tmp_path / "sum.csv"
    path.write_text("customer_id,date,amount\n1,2020-01-01,1e308\n1,2020-01-02,1e308\n2,2020-01-03,1\n")
    with pytest.raises(DataError, match=r"sum\.csv: the amounts add up to more than .*1\.8e\+?308"):
        read_transactions_csv(path)


def test_an_unknown_name_that_is_no_file_lists_the_bundled_data_sets(tmp_path):
    with pytest.raises(
        DataError,
        match="cdnow-smaple: no such file, and not a bundled data set "
        r"\(cdnow-sample, cdnow-master\)",
    ):
        load_transactions("cdnow-smaple")


def test_a_directory_is_not_a_transaction_file(tmp_path):
    with pytest.raises(DataError, match="is a directory, not a file"):
        load_transactions(tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "line 1: empty file"),
        ("\n\n  \n", "line 1: empty file"),
        ("customer_id,date,amount\n", "line 1: no transactions after the header"),
        ("customer_id,date,amount\n\n\n", "line 1: no transactions after the header"),
        ("customer_id,date,amount\n1,2020-01-01,five\n", "line 2: amount 'five' in column 'amount' is not a"),
        ("customer_id,date,amount\n1,2020-01-01,-5\n", "line 2: negative amount -5"),
        ("customer_id,date,amount\n1,2020-01-01,nan\n", "line 2: amount 'nan' in column 'amount' is not a"),
        ("customer_id,date,amount\n1,2020-01-01,inf\n", "line 2: amount 'inf' in column 'amount' is too"),
        ("customer_id,date,amount\n,2020-01-01,5\n", "line 2: missing value in column 'customer_id'"),
    ],
)
def test_hostile_files_give_one_line_naming_file_and_line(tmp_path, content, problem):
    path = tmp_path / "hostile.csv"
    path.write_text(content)
    with pytest.raises(DataError) as caught:
        read_transactions_csv(path)
    assert str(caught.value).startswith(f"{path}, ") and problem in str(caught.value)
    assert "\n" not in str(caught.value)
