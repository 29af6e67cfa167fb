"""environment.yml (conda, Binder) and pyproject.toml must install the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_ONLY = {"python", "pip"}
# conda-forge names that differ from PyPI names (none so far; add pairs here when one does)
CONDA_TO_PYPI: dict[str, str] = {}


def _name_and_range(requirement: str) -> tuple[str, str]:
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_names_the_same_packages_and_ranges_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    wanted = dict(_name_and_range(r) for r in requirements)
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    pip_section = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip_section = entry["pip"]
            continue
        name, version = _name_and_range(entry)
        if name not in CONDA_ONLY:
            conda[CONDA_TO_PYPI.get(name, name)] = version
    assert conda == wanted
    assert "-e ." in pip_section  # the project itself, editable, as with `make lab`
    python = next(e for e in environment["dependencies"] if isinstance(e, str) and e.startswith("python"))
    assert python == "python=3.11" and project["requires-python"].startswith(">=3.11")
