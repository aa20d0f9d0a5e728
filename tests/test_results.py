"""Results travel in small frozen dataclasses, never in ``DataFrame.attrs``.

pandas documents ``attrs`` as experimental, and ``concat``/``merge`` drop them: a count of
rows set aside that rides on a table can vanish without a trace.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

import workbench

PACKAGE = Path(workbench.__file__).parent

RESULTS = {
    "workbench.stats.before_after": ["BeforeAfter"],
    "workbench.reports.team_overview": ["TeamTable"],
    "workbench.stats.peers": ["DiffInDiff", "Placebo"],
    "workbench.metrics.ladder": ["Ladder"],
    "workbench.metrics.guardrails": ["Guardrails"],
    "workbench.cases.units": ["Units"],
    "workbench.quality.score": ["OnTime"],
}


def test_no_dataframe_attrs_in_the_package_source():
    hits = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.attrs\s*\[", line)
    ]
    assert hits == [], "results must not ride on DataFrame.attrs:\n" + "\n".join(hits)


@pytest.mark.parametrize("module, names", sorted(RESULTS.items()))
def test_result_dataclasses_are_frozen_and_exported(module, names):
    mod = importlib.import_module(module)
    for name in names:
        cls = getattr(mod, name)
        assert name in mod.__all__, f"{module}.{name} is not in __all__"
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, name
        assert [f.name for f in dataclasses.fields(cls)][0] == "table", name
