"""Sweep specs and designs: every design method, common seeds, and bad specs refused before anything runs."""

import math
import subprocess
import sys

import numpy as np
import pytest

from simulation.experiment import replication_seeds
from simulation.sweeps import IshigamiModel, SpecError, load_spec, make_spec
from simulation.sweeps.designs import build_design, unit_design
from simulation.sweeps.execution import run_sweep

TINY = {"n_people": 120, "weeks": 6}


def _write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = """\
name = "demo"
strategies = ["mass", "none"]
replications = 2
seed = 5

[fixed]
n_people = 120
weeks = 6

[design]
method = "grid"

[design.factors]
acquisition_response = [0.02, 0.08]
network_degree = [2, 4, 6]
"""


def test_a_grid_spec_from_toml_gives_every_combination_and_the_same_seeds_at_every_point(tmp_path):
    spec = load_spec(_write(tmp_path, GOOD))
    design = build_design(spec)
    assert len(design) == 6 and design["network_degree"].dtype == np.int64
    assert set(map(tuple, design.to_numpy())) == {(a, d) for a in (0.02, 0.08) for d in (2, 4, 6)}
    results = run_sweep(spec, None, serial=True, progress=False)
    assert len(results) == 6 * 2 * 2 and (results["status"] == "ok").all()
    seeds = results.groupby(["point", "strategy"])["seed"].apply(list)
    assert all(s == replication_seeds(5, 2) for s in seeds)  # common random numbers


def test_the_same_keywords_in_python_make_the_same_spec(tmp_path):
    from_file = load_spec(_write(tmp_path, GOOD))
    from_python = make_spec(
        name="demo",
        method="grid",
        strategies=["mass", "none"],
        replications=2,
        seed=5,
        fixed=TINY,
        factors={"acquisition_response": [0.02, 0.08], "network_degree": [2, 4, 6]},
    )
    assert from_file.fingerprint() == from_python.fingerprint()


@pytest.mark.parametrize(
    ("method", "samples", "rows"),
    [("lhs", 7, 7), ("sobol", 8, 8), ("morris", 4, 4 * 3), ("saltelli", 8, 8 * 4)],
)
def test_sampled_designs_stay_in_their_ranges_and_are_reproducible(method, samples, rows):
    factors = {"acquisition_response": (0.01, 0.1), "network_degree": (2, 12)}
    spec = make_spec(method=method, samples=samples, factors=factors, fixed=TINY, design_seed=3)
    design = build_design(spec)
    assert len(design) == rows
    assert design["acquisition_response"].between(0.01, 0.1).all()
    assert design["network_degree"].between(2, 12).all() and (design["network_degree"] % 2 == 0).all()
    np.testing.assert_array_equal(
        unit_design(spec),
        unit_design(make_spec(method=method, samples=samples, factors=factors, fixed=TINY, design_seed=3)),
    )


def test_a_latin_hypercube_puts_one_point_in_each_stratum():
    spec = make_spec(method="lhs", samples=10, factors={"margin": (0.0, 1.0)}, fixed=TINY, design_seed=1)
    strata = np.floor(build_design(spec)["margin"].to_numpy() * 10)
    assert sorted(strata) == list(range(10))


BAD = [
    (
        "[design.factors]\nacquisition_respons = [0.01, 0.1]",
        r"spec\.toml, line 9: \[design\.factors\] acquisition_respons: unknown parameter; did you mean "
        r"acquisition_response",
    ),
    (
        "[design.factors]\nacquisition_response = [0.01, 1.5]",
        r"line 9: \[design\.factors\] acquisition_response: range \[0\.01, 1\.5\] is outside the parameter's "
        r"range: must lie within \[0, 1\]",
    ),
    ("[design.factors]\nacquisition_response = [0.1, 0.01]", r"acquisition_response: needs low < high"),
    ("[design.factors]\n", r"\[design\] factors: the design is empty"),
    ("[design.factors]\nn_people = [10, 100]", r"n_people: is also in \[fixed\]"),
    ("[design.factors]\nacquisition_response = [0.01]", r"lhs needs a range \[low, high\]"),
]


@pytest.mark.parametrize(("factors", "message"), BAD)
def test_bad_factors_are_named_with_file_line_key_and_what_is_allowed(tmp_path, factors, message):
    text = f'replications = 2\n[fixed]\nn_people = 100\n[design]\nmethod = "lhs"\nsamples = 4\n\n{factors}\n'
    with pytest.raises(SpecError, match=message):
        load_spec(_write(tmp_path, text))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("replicatons = 2", r"line 1: replicatons: unknown key \(did you mean 'replications'\?\)"),
        ("replications = 0", r"line 1: replications: must be an integer from 1"),
        ('strategies = ["mas"]', r"line 1: strategies: unknown strategy 'mas'; built-in strategies: .*mass"),
        ('engine = "gpu"', r"line 1: engine: must be one of vector, agents"),
    ],
)
def test_bad_top_level_keys_are_named(tmp_path, change, message):
    body = GOOD.replace('strategies = ["mass", "none"]\n', "").replace("replications = 2\n", "")
    with pytest.raises(SpecError, match=message):
        load_spec(_write(tmp_path, change + "\n" + body))


def test_design_sizes_and_grid_levels_are_checked():
    with pytest.raises(
        SpecError,
        match=r"\[design\] samples: sobol needs a power of 2 .*got 50; use 32 or "
        r"64",
    ):
        make_spec(method="sobol", samples=50, factors={"margin": (0.1, 0.5)})
    with pytest.raises(
        SpecError,
        match=r"network_degree: level 3 is outside the parameter's range: each "
        r"level must be an even integer in \[0, 50\]",
    ):
        make_spec(method="grid", factors={"network_degree": [2, 3]})
    with pytest.raises(SpecError, match=r"\[design\] seed: a grid takes its points from the factors' levels"):
        make_spec(method="grid", factors={"margin": [0.1]}, design_seed=3)
    with pytest.raises(SpecError, match=r"missing samples"):
        make_spec(method="morris", factors={"margin": (0.1, 0.5)})
    with pytest.raises(SpecError, match=r"\[sensitivity\]: sensitivity analysis needs a morris or saltelli"):
        make_spec(method="lhs", samples=4, factors={"margin": (0.1, 0.5)}, sensitivity={"output": "profit"})
    with pytest.raises(SpecError, match=r"\[sensitivity\] output: must be one of profit, revenue"):
        make_spec(method="saltelli", samples=4, factors={"margin": (0.1, 0.5)}, sensitivity={"output": "x"})


class _ConstrainedModel(IshigamiModel):
    """Ishigami, plus a rule joining two parameters (as some model parameters constrain each other)."""

    def check(self, parameters):
        super().check(parameters)
        if parameters.get("x1", 0) + parameters.get("x2", 0) > 4:
            raise ValueError("x1 + x2 must be at most 4")


def test_a_design_point_that_is_no_valid_parameter_set_is_refused_before_running():
    # each level is inside its range; the check of every complete parameter set runs before any run
    with pytest.raises(
        SpecError,
        match=r"design point 3 \(x1=3, x2=3\) is not a valid parameter set: "
        r"x1 \+ x2 must be at most 4",
    ):
        make_spec(method="grid", factors={"x1": [0, 3], "x2": [0, 3]}, model=_ConstrainedModel())


def test_a_bad_spec_stops_the_command_with_one_line_and_leaves_nothing_behind(tmp_path):
    bad = GOOD.replace("acquisition_response = [0.02, 0.08]", "acquisition_response = [2.0]")
    path = _write(tmp_path, bad)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "crmlab", "sweep", str(path), "--out", str(out), "--serial"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert f"crmlab: error: {path}, line 14: [design.factors] acquisition_response: level 2.0" in done.stderr
    assert not out.exists()


def test_unrounded_morris_points_are_kept_for_the_analysis_while_runs_use_integers():
    spec = make_spec(method="morris", samples=3, levels=4, factors={"max_cross_sells": (0, 5)}, fixed=TINY)
    raw, used = unit_design(spec)[:, 0], build_design(spec)["max_cross_sells"].to_numpy()
    assert np.all(np.abs(raw - used) <= 0.5) and used.dtype == np.int64
    assert not math.isclose(raw.sum(), used.sum()) or np.all(raw == used)
