"""environment.yml (conda) and pyproject.toml must name the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from workbench.config import PROJECT_ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pyproject = {_name(s) for s in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pyproject |= {_name(s) for s in extra}

    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = {_name(s) for s in env["dependencies"] if isinstance(s, str)}
    conda -= {"python", "pip"}
    assert conda == pyproject
