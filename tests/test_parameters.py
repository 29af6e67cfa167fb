import numpy as np
import pytest

from simulation import ParameterError, Parameters, run_simulation


def test_defaults_are_valid_and_documented_with_a_reason():
    table = Parameters.describe()
    assert len(table) == len(Parameters.names())
    assert table["meaning"].str.len().min() > 10 and table["why this default"].str.len().min() > 5
    assert (table["low"] <= table["default"]).all() and (table["default"] <= table["high"]).all()


def test_unknown_parameter_names_the_parameter_and_suggests_the_close_one():
    expected = "unknown parameter 'switching_cost_strenght'.*switching_cost_strength"
    with pytest.raises(ParameterError, match=expected):
        Parameters.from_dict({"switching_cost_strenght": 2})
    with pytest.raises(ParameterError, match="unknown parameter 'budget'"):
        run_simulation(budget=10)


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("n_people", 0, r"an integer in \[1, 5e\+06\]"),
        ("weeks", 2.5, r"an integer in \[1, 1040\]"),
        ("margin", 1.5, r"a number in \[0, 1\]"),
        ("margin", float("nan"), r"a number in \[0, 1\]"),
        ("network_degree", 5, r"an even integer"),
        ("satisfaction_memory", "0.8", r"a number"),
        ("n_people", True, r"an integer"),
    ],
)
def test_out_of_range_values_name_the_parameter_and_its_range(name, value, allowed):
    with pytest.raises(ParameterError, match=rf"parameter '{name}' must be {allowed}"):
        Parameters(**{name: value})


def test_integral_floats_are_accepted_for_integer_parameters():
    assert Parameters(n_people=200.0).n_people == 200
    assert isinstance(Parameters(weeks=10.0).weeks, int)


def test_replace_validates_too():
    with pytest.raises(ParameterError, match="weekly_budget_per_person"):
        Parameters().replace(weekly_budget_per_person=-1)


def test_numpy_scalars_in_range_are_accepted():
    p = Parameters(
        n_people=np.int64(500),
        weeks=np.int32(52),
        network_degree=np.int16(4),
        margin=np.float32(0.25),
        firm_value=np.float64(0.2),
    )
    assert (p.n_people, p.weeks, p.network_degree, p.margin) == (500, 52, 4, 0.25)
    assert type(p.n_people) is int and type(p.margin) is float


@pytest.mark.parametrize("value", [np.float32("nan"), np.bool_(True), np.int64(-3)])
def test_bad_numpy_scalars_are_rejected_by_name(value):
    with pytest.raises(ParameterError, match="parameter 'weeks' must be an integer in"):
        Parameters(weeks=value)


def test_unknown_keyword_to_the_constructor_names_it_and_the_closest_name():
    with pytest.raises(ParameterError, match=r"unknown parameter 'typo'\. The closest name is \w+"):
        Parameters(typo=1)
    with pytest.raises(ParameterError, match=r"unknown parameter 'n_peple'\. Did you mean n_people\?"):
        Parameters(n_peple=10)
