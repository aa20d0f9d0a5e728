"""The coaches' case notebooks run on the sample department and show the article's figures.

The expected figures are computed here with plain pandas from the sample rows, not with
``workbench.cases``, so the notebook and an independent reading of the data check each
other. The notebooks are the ``workbench cases`` template with other defaults.
"""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest

from workbench.config import NOTEBOOKS_DIR
from workbench.i18n import number, percent
from workbench.reports.case_batch import CASE_TEMPLATE
from workbench.reports.notebooks import run_notebook

from helpers import ts as _ts

CASES = NOTEBOOKS_DIR / "cases"
NOTEBOOKS = ["overdue_tasks", "call_length"]
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"<style>.*?</style>", re.S)


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Both notebooks run with their defaults, in a temporary working directory."""
    out = {}
    tmp = tmp_path_factory.mktemp("cases")
    for name in NOTEBOOKS:
        target = tmp / f"{name}.ipynb"
        out[name] = run_notebook(CASES / f"{name}.ipynb", target, cwd=tmp)
    return out


def _html(cell) -> str:
    """The cell's HTML output as text (tags removed, entities as characters)."""
    from html import unescape

    parts = [
        o["data"]["text/html"] for o in cell.get("outputs", []) if "text/html" in o.get("data", {})
    ]
    page = "".join("".join(p) if isinstance(p, list) else p for p in parts)
    text = _TAG.sub(" ", _STYLE.sub(" ", page))
    return re.sub(r"\s+", " ", unescape(text))


def _cell(nb, call: str):
    """The code cell whose source calls ``call``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and call in cell.source:
            return cell
    raise AssertionError(f"no cell with {call!r}")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_a_thin_template(name):
    nb = nbformat.read(CASES / f"{name}.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert sum("parameters" in t for t in tags) == 1
    assert not any("injected-parameters" in t for t in tags)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def " not in code and "open(" not in code and "to_csv" not in code
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for key in ("manager", "change_dates", "metric", "data", "mapping", "tz", "as_of", "n_boot",
                "lang"):  # fmt: skip
        assert f"\n{key} = " in f"\n{params.source}", key
    # committed with the outputs it produces on the sample, and nbval-checked cells
    checked = [c for c in nb.cells if c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(checked) >= 3 and all(c.outputs for c in checked)
    # about one workbench call per code cell
    body = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get(
        "tags", [])]  # fmt: skip
    assert all(c.source.count("cs.") + c.source.count("cp.") <= 2 for c in body)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_notebooks_are_the_template_with_other_defaults(name):
    nb = nbformat.read(CASES / f"{name}.ipynb", as_version=4)
    template = nbformat.read(CASE_TEMPLATE, as_version=4)
    assert [c.source for c in nb.cells[1:]] == [c.source for c in template.cells[1:]]
    assert not any(c.get("outputs") for c in template.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_clean_with_figures_and_the_conclusion_first(executed, name):
    nb = executed[name]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]  # no warnings
    assert not [o for o in outputs if o["output_type"] == "stream"]  # no printed blocks
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == (2 if name == "call_length" else 1)
    html = [_html(c) for c in nb.cells if c.cell_type == "code" and _html(c).strip()]
    assert html[1].lstrip().startswith("Conclusion")  # right after the title
    # tables for reading: no pandas artefacts anywhere
    text = " ".join(html)
    for raw in ("NaT", "NaN", "<NA>", "00:00:00+00:00", "e-0", "nan"):
        assert raw not in text, raw
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)


def _sample_rates(sample):
    t = sample.tasks
    as_of = max(t["created_at"].max(), t["completed_at"].max())
    t = t.loc[(t["status"] != "cancelled") & (t["original_due_at"] <= as_of)].copy()
    t["late"] = t["completed_at"].isna() | (t["completed_at"] > t["original_due_at"])
    t["month"] = t["original_due_at"].dt.tz_localize(None).dt.to_period("M")
    return t


def test_overdue_case_shows_article_figures_from_rows(executed, sample):
    t = _sample_rates(sample)
    anna = t.loc[t["manager"] == "Anna Petrova"]
    before = anna["original_due_at"] < _ts("2026-05-01")
    rate_b, rate_a = anna.loc[before, "late"].mean(), anna.loc[~before, "late"].mean()
    nb = executed["overdue_tasks"]
    windows = _html(_cell(nb, "cs.windows_table"))
    assert f"before Nov 2025 to Apr 2026 {int(before.sum())} {percent(rate_b, 1)}" in windows
    assert f"after May 2026 to Oct 2026 {int((~before).sum())} {percent(rate_a, 1)}" in windows
    conclusion = _html(_cell(nb, "cs.conclusion_html"))
    assert f"fell from {percent(rate_b)} to {percent(rate_a)}" in conclusion
    assert "fell from 44% to 15%" in conclusion
    # the months before were already falling: the caveat, and no claim of a real effect
    assert conclusion.index("Conclusion") < conclusion.index("Changed, but not clearly")
    assert (
        "was already falling before the KPI" in conclusion and "real improvement" not in conclusion
    )
    # placebo dates before the KPI (2 months each side), by hand from the rows: January 2026
    # compares Nov-Dec with Jan-Feb, Anna's monthly share minus the colleagues' pooled one
    mine = anna.groupby("month")["late"].mean()
    others = t.loc[t["manager"] != "Anna Petrova"].groupby("month")["late"].mean()
    diff = mine - others
    p = pd.Period
    january = diff[[p("2026-01", "M"), p("2026-02", "M")]].mean() - diff[
        [p("2025-11", "M"), p("2025-12", "M")]].mean()  # fmt: skip
    assert f"the largest, {number(100 * january, 1)} points (January 2026)" in conclusion
    assert "Changes of that size happened where nothing changed" in conclusion
    # what it cost or gained: completed tasks per month, and the deals
    done = sample.tasks.loc[sample.tasks["manager"] == "Anna Petrova", "completed_at"]
    per_b = done.lt(_ts("2026-05-01")).sum() / 6
    per_a = done.ge(_ts("2026-05-01")).sum() / 6
    assert (
        f"Completed tasks per month: {number(per_b, 1)} before, {number(per_a, 1)} while"
        in conclusion
    )
    assert "Next step" in conclusion and "Do not credit the KPI with the whole change" in conclusion
    assert "The 9 colleagues without this KPI moved by" in conclusion
    guard = _html(_cell(nb, "cs.guardrails_table"))
    assert "Completed tasks with an empty description" in guard and "empty result" not in guard


def test_call_case_shows_article_figures_from_rows(executed, sample):
    c = sample.calls
    c = c.loc[(c["manager"] == "Boris Ivanov") & c["answered"] & (c["duration_s"] > 0)]
    minutes = c["duration_s"] / 60
    before = minutes[c["started_at"] < _ts("2026-04-01")]
    after = minutes[c["started_at"] >= _ts("2026-07-01")]
    in_force = minutes[c["started_at"] >= _ts("2026-04-01")]
    nb = executed["call_length"]
    windows = _html(_cell(nb, "cs.windows_table"))
    assert (
        f"{number(before.mean(), 1)} min" in windows and f"{number(after.mean(), 1)} min" in windows
    )
    conclusion = _html(_cell(nb, "cs.conclusion_html"))
    assert "fell from 32 min to 23 min" in conclusion and "Improved" in conclusion
    # the cost: value per won deal, won deals closed Nov-Mar vs Jul-Oct (whole months)
    d = sample.deals.loc[
        (sample.deals["manager"] == "Boris Ivanov") & (sample.deals["outcome"] == "won")
    ]
    won_b = d.loc[
        d["closed_at"].between(_ts("2025-11-01"), _ts("2026-04-01"), inclusive="left"), "amount"
    ]
    won_a = d.loc[
        d["closed_at"].between(_ts("2026-07-01"), _ts("2026-11-01"), inclusive="left"), "amount"
    ]
    fell = 1 - won_a.mean() / won_b.mean()
    assert f"Value per won deal fell {percent(fell)}: {number(won_b.mean())} before" in conclusion
    assert "Value per won deal fell 27%" in conclusion
    # the guardrail: calls under his own 10th percentile before the KPI
    threshold = before.quantile(0.1)
    share_b, share_a = (before < threshold).mean(), (in_force < threshold).mean()
    assert f"short calls rose from {percent(share_b)} to {percent(share_a)}" in conclusion
    assert f"one under {number(threshold, 1)} min" in conclusion
    assert "Look at the short calls with the manager" in conclusion
    # the histogram shows two windows, before and under the last step
    hist = _cell(nb, "cs.call_histogram")
    assert any("image/png" in o.get("data", {}) for o in hist.outputs)


def test_committed_outputs_are_the_sample_run(executed):
    """The committed notebooks hold the outputs a fresh run prints (nbval checks the same)."""
    for name in NOTEBOOKS:
        committed = nbformat.read(CASES / f"{name}.ipynb", as_version=4)
        for old, new in zip(committed.cells, executed[name].cells, strict=True):
            if old.source.startswith("# NBVAL_CHECK_OUTPUT"):
                assert json.dumps(_html(old)) == json.dumps(_html(new)), old.source
