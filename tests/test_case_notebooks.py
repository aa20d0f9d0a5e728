"""The coaches' case notebooks run on the sample department and show the article's figures.

The expected figures are computed here with plain pandas from the sample rows, not with
``workbench.cases.study``, so the notebook and an independent reading of the data check each other.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from workbench.config import NOTEBOOKS_DIR
from workbench.reports.notebooks import run_notebook

from helpers import ts as _ts

CASES = NOTEBOOKS_DIR / "cases"
NOTEBOOKS = ["overdue_tasks", "call_length"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Both notebooks run with their defaults, in a temporary working directory."""
    out = {}
    tmp = tmp_path_factory.mktemp("cases")
    for name in NOTEBOOKS:
        target = tmp / f"{name}.ipynb"
        out[name] = run_notebook(CASES / f"{name}.ipynb", target, cwd=tmp)
    return out


def _text(cell) -> str:
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o["output_type"] == "stream"
    )


def _cell(nb, first_line: str, contains: str):
    """The checked code cell whose source contains ``contains``."""
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "code" and src.startswith(first_line) and contains in src:
            return cell
    raise AssertionError(f"no cell with {contains!r}")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_a_thin_template(name):
    nb = nbformat.read(CASES / f"{name}.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert sum("parameters" in t for t in tags) == 1
    assert not any("injected-parameters" in t for t in tags)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def " not in code and "open(" not in code and "to_csv" not in code
    assert "plots.set_theme()" in code
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for key in ("manager", "change_dates", "metric", "data", "mapping", "tz", "as_of", "n_boot"):
        assert f"\n{key} = " in f"\n{params.source}", key
    # committed with the outputs it produces on the sample, and nbval-checked cells
    checked = [c for c in nb.cells if c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(checked) >= 3 and all(c.outputs for c in checked)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_clean_with_figures(executed, name):
    nb = executed[name]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]  # no warnings
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 2
    assert not any("image/svg+xml" in o.get("data", {}) for o in outputs)


def test_overdue_case_shows_article_figures_from_rows(executed, sample):
    t = sample.tasks
    as_of = max(t["created_at"].max(), t["completed_at"].max())
    t = t.loc[
        (t["manager"] == "Anna Petrova")
        & (t["status"] != "cancelled")
        & (t["original_due_at"] <= as_of)
    ]
    late = t["completed_at"].isna() | (t["completed_at"] > t["original_due_at"])
    before = t["original_due_at"] < _ts("2026-05-01")
    rate_b, rate_a = late[before].mean(), late[~before].mean()
    nb = executed["overdue_tasks"]
    headline = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "headline"))
    assert f"before   {100 * rate_b:.1f} % (95% CI" in headline
    assert f"; n = {int(before.sum())}, 6 months)" in headline
    assert f"after    {100 * rate_a:.1f} % (95% CI" in headline
    done = sample.tasks.loc[sample.tasks["manager"] == "Anna Petrova", "completed_at"]
    per_month_b = done.lt(_ts("2026-05-01")).sum() / 6
    per_month_a = done.ge(_ts("2026-05-01")).sum() / 6
    assert "Completed tasks per month (whole months; before: 6):" in headline
    assert f"KPI in force (6)   {per_month_b:.1f} -> {per_month_a:.1f} (x" in headline
    conclusion = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "case.conclusion"))
    # Anna's KPI is her own row: the nine colleagues without it are the comparison group
    assert "The 9 colleagues without this KPI moved by" in conclusion
    guard = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "case.guardrails"))
    assert "empty_description_share" in guard and "empty_result" not in guard
    assert f"fell from {100 * rate_b:.0f}% to {100 * rate_a:.0f}%" in conclusion
    assert "fell from 44% to 15%" in conclusion
    # the sample keeps Case A's gentle decline before the KPI: the pre-trend caveat
    assert "real improvement" not in conclusion
    assert "was already falling before the KPI" in conclusion
    assert "Against that trend the change is" in conclusion


def test_call_case_shows_article_figures_from_rows(executed, sample):
    c = sample.calls
    c = c.loc[(c["manager"] == "Boris Ivanov") & c["answered"] & (c["duration_s"] > 0)]
    before = c.loc[c["started_at"] < _ts("2026-04-01"), "duration_s"].mean() / 60
    after = c.loc[c["started_at"] >= _ts("2026-07-01"), "duration_s"].mean() / 60
    d = sample.deals.loc[sample.deals["manager"] == "Boris Ivanov"]
    leads_b = (d["created_at"] < _ts("2026-04-01")).sum() / 5
    leads_a = (d["created_at"] >= _ts("2026-07-01")).sum() / 4
    leads_in_force = (d["created_at"] >= _ts("2026-04-01")).sum() / 7
    nb = executed["call_length"]
    headline = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "headline"))
    assert f"before   {before:.1f} min" in headline and f"step 2   {after:.1f} min" in headline
    assert "Leads per month (whole months; before: 5):" in headline
    assert f"KPI in force (7)   {leads_b:.1f} -> {leads_in_force:.1f} (x" in headline
    assert f"last step (4)      {leads_b:.1f} -> {leads_a:.1f} (x" in headline
    assert "last step (4)      23.0 -> 31.0" in headline
    conclusion = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "case.conclusion"))
    assert "fell from 32 min to 23 min" in conclusion
    # Case B's before period is flat: the plain path
    assert "real improvement" in conclusion and "held its course" in conclusion
    assert "The 9 colleagues without this KPI moved by" in conclusion
    sales = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "case.sales"))
    assert sales.splitlines()[-1].split()[:2] == ["4", "sales_volume"]
    assert sales.splitlines()[-1].split()[-1] == "15.913"  # +15.9 % in percent points
    conversion = _text(_cell(nb, "# NBVAL_CHECK_OUTPUT", "conversion"))
    assert conversion.startswith("no change detectable (95% CI")
    assert "would have been seen" in conversion


def test_committed_outputs_are_the_sample_run(executed):
    """The committed notebooks hold the outputs a fresh run prints (nbval checks the same)."""
    for name in NOTEBOOKS:
        committed = nbformat.read(CASES / f"{name}.ipynb", as_version=4)
        for old, new in zip(committed.cells, executed[name].cells, strict=True):
            if old.source.startswith("# NBVAL_CHECK_OUTPUT"):
                assert json.dumps(_text(old)) == json.dumps(_text(new)), old.source
