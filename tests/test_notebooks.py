"""Every committed notebook keeps the house contract; the report template runs under papermill.

Each notebook has exactly one ``parameters`` cell of plain literals, no injected parameters,
no function definitions and no file writes, and is committed with the outputs it produces
(nbval re-runs them all; see ``pyproject.toml``). The case, quality and overview notebooks
have their own papermill tests; the manager report template is run here for one manager.
"""

from __future__ import annotations

import ast
import base64
import re

import nbformat
import pandas as pd
import pytest

from workbench.config import NOTEBOOKS_DIR, SAMPLE_DIR
from workbench.reports.notebooks import run_notebook

NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
TEMPLATE = NOTEBOOKS_DIR / "reports" / "manager_report.ipynb"
WRITES = re.compile(r"\.(to_csv|to_parquet|to_excel|write_text|write_bytes|savefig)\(|open\(")


def test_every_expected_notebook_is_there():
    names = {p.relative_to(NOTEBOOKS_DIR).as_posix() for p in NOTEBOOKS}
    assert {
        "reports/manager_report.ipynb",
        "explore/explorer.ipynb",
        "explore/description_quality.ipynb",
        "cases/overdue_tasks.ipynb",
        "cases/call_length.ipynb",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_a_thin_parameterised_template(path):
    nb = nbformat.read(path, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert sum("parameters" in t for t in tags) == 1
    assert not any("injected-parameters" in t for t in tags)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for node in ast.parse(params.source).body:  # plain literal assignments only
        assert isinstance(node, ast.Assign | ast.AnnAssign)
        ast.literal_eval(node.value)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef) for n in ast.walk(tree))
            assert not WRITES.search(cell.source), cell.source
    executed = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    assert executed, "committed without outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_figures_are_small_pngs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            assert "image/svg+xml" not in data
            if "image/png" in data:
                assert len(base64.b64decode(data["image/png"])) < 150_000


def test_manager_report_template_runs_under_papermill(tmp_path):
    # Alone, as an analyst opens it: no batch snapshot, the template loads ``data`` itself.
    out = tmp_path / "report.ipynb"
    params = {"manager": "Boris Ivanov", "data": str(SAMPLE_DIR), "batch": ""}
    nb = run_notebook(TEMPLATE, out, parameters=params, cwd=tmp_path)
    text = "\n".join(
        str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    # Case B in October 2026, worked out from the CSV with plain pandas: connected calls
    # (answered, talk time > 0) started in October, mean talk time in minutes.
    calls = pd.read_csv(SAMPLE_DIR / "calls.csv", parse_dates=["started_at"])
    october = calls.loc[
        calls["answered"]
        & (calls["duration_s"] > 0)
        & (calls["started_at"] >= pd.Timestamp("2026-10-01", tz="UTC"))
        & (calls["started_at"] < pd.Timestamp("2026-11-01", tz="UTC"))
    ]
    means = october.groupby("manager")["duration_s"].mean() / 60
    # the roster puts Boris in team North: his team figures are of its other members
    roster = pd.read_csv(SAMPLE_DIR / "roster.csv")
    means = means.loc[roster.loc[roster["team"] == "North", "manager"]]
    boris = means.pop("Boris Ivanov")
    assert "Team figures are of the other 4 members of your team, North." in text
    assert f"Your average connected call lasted {boris:.1f} min" in text
    assert f"the team median is {means.median():.1f} min" in text
    assert f"({(means < boris).sum()} of {len(means)} colleagues had a shorter mean call)" in text
    for other in ("Anna Petrova", "Chen Wei", "Liam O&#x27;Brien", "Liam O'Brien", "Ольга"):
        assert other not in text
    assert "Fingerprint of the team figures" in text  # the provenance names what was compared
    assert str(SAMPLE_DIR) not in text.split("Where these figures come from")[1]  # no path


def test_explorer_notebook_renders_a_static_default_view_under_papermill(tmp_path):
    out = tmp_path / "explorer.ipynb"
    params = {"managers": "Boris Ivanov", "metric": "talk_mean_min"}
    nb = run_notebook(NOTEBOOKS_DIR / "explore" / "explorer.ipynb", out, parameters=params,
                      cwd=tmp_path)  # fmt: skip
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the static picture
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    table = next(
        o["data"]["text/plain"]
        for c in nb.cells
        if c.source.startswith("# NBVAL_CHECK_OUTPUT")
        for o in c.outputs
    )
    # Case B: Boris's first sample month, mean connected call about 32 min
    assert table.splitlines()[0] == "Mean connected-call length (min)"  # the chart's unit
    month, boris, _median = re.split(r"\s{2,}", table.splitlines()[2].strip())
    assert month == "Nov 2025" and 30 < float(boris) < 34
