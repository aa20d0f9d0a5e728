"""The description-quality notebook: runs under papermill, matches the package, escapes CRM text."""

from __future__ import annotations

import csv
import math
import re
import shutil
from statistics import NormalDist

import nbformat
import pandas as pd
import pytest

import workbench as wb
from workbench.config import NOTEBOOKS_DIR, SAMPLE_DIR
from workbench.reports.notebooks import run_notebook

NOTEBOOK = NOTEBOOKS_DIR / "explore" / "description_quality.ipynb"
INJECTED = "<script>alert(1)</script> contact {{contact.name}}"


def _run(out_path, **parameters) -> nbformat.NotebookNode:
    return run_notebook(NOTEBOOK, out_path, parameters=parameters)


def _outputs(nb, mime: str) -> list[str]:
    """Every output of the given kind, as text (stream text counts as text/plain)."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if mime == "text/plain" and out.output_type == "stream":
                texts.append(out.text)
            elif mime in out.get("data", {}):
                texts.append(out.data[mime])
    return texts


def _cell_text(nb, marker: str) -> str:
    """The printed text of the one code cell whose source contains ``marker``."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    return "".join(o.text for o in cell.outputs if o.output_type == "stream")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("nb") / "out.ipynb")


@pytest.fixture(scope="module")
def sample_scored(sample):
    return wb.score_descriptions(sample.tasks, min_words=3, max_words=40)


def test_exactly_one_parameters_cell_and_thin_cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'data = "data/sample"' in tagged[0].source
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*def |open\(|\.to_csv|savefig|MPLBACKEND", code, re.MULTILINE)


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval, written out from its formula."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_on_time_table_and_verdict_worked_out_with_plain_pandas(
    sample_run, sample_scored, sample_csv
):
    # Tasks from the CSV; the quality band is the scorer's (an input here, tested on its own
    # in test_quality.py). Deadline = original_due_at, else due_at; as_of = the latest
    # created_at/completed_at; left out, first reason that applies: cancelled, no deadline,
    # completed without a time, no band, not due yet (open and deadline after as_of).
    t = sample_csv["tasks"].copy()
    band = sample_scored.set_index("task_id")["band"].astype("str")
    t["band"] = t["task_id"].map(band)
    deadline = t["original_due_at"].fillna(t["due_at"])
    as_of = max(t["created_at"].max(), t["completed_at"].max())
    done = t["completed_at"].where(t["completed_at"] <= as_of)
    reasons = {
        "cancelled": t["status"] == "cancelled",
        "no_deadline": deadline.isna(),
        "completed_without_time": (t["status"] == "completed") & t["completed_at"].isna(),
        "no_band": t["band"].isna(),
        "not_due_yet": done.isna() & (deadline > as_of),
    }
    left = pd.Series(True, index=t.index)
    excluded = {}
    for reason, mask in reasons.items():
        excluded[reason] = int((left & mask).sum())
        left &= ~mask
    on_time = left & (done <= deadline)

    printed = _cell_text(sample_run, "wb.quality_vs_on_time")
    shown = {line.split()[0]: line.split()[1:] for line in printed.splitlines()[1:4]}
    assert list(shown) == ["good", "fair", "poor"]
    z = NormalDist().inv_cdf(0.975)
    expected = {}
    for name in ("good", "fair", "poor"):
        n, k = int((left & (t["band"] == name)).sum()), int((on_time & (t["band"] == name)).sum())
        expected[name] = (n, k, k / n, *_wilson(k, n, z))
        got_n, got_k, got_late, *rates = shown[name]
        assert [int(got_n), int(got_k), int(got_late)] == [n, k, n - k]
        assert [float(v) for v in rates] == pytest.approx(
            [round(v, 3) for v in expected[name][2:]], abs=1e-12
        )
    (left_out,) = [line for line in printed.splitlines() if line.startswith("left out:")]
    for reason, count in excluded.items():
        assert re.search(rf"\b{reason}\b\W+{count}\b", left_out), (reason, count, left_out)

    # Verdict: good vs poor, pooled two-proportion z-test, two-sided p.
    (n1, k1, r1, lo1, hi1), (n2, k2, r2, lo2, hi2) = expected["good"], expected["poor"]
    pooled = (k1 + k2) / (n1 + n2)
    stat = (r1 - r2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = math.erfc(abs(stat) / math.sqrt(2))
    verdict = _cell_text(sample_run, "wb.quality_on_time_verdict").strip()
    assert verdict.startswith(
        f"good {r1:.0%} on time (n={n1}, 95% CI {lo1:.0%}-{hi1:.0%}) vs "
        f"poor {r2:.0%} on time (n={n2}, 95% CI {lo2:.0%}-{hi2:.0%}). "
    )
    assert hi2 < lo1 and "The intervals do not overlap" in verdict
    assert f"p = {p_value:.2e}" in verdict and "the bands differ" in verdict


def test_department_headline_equals_the_package(sample_run, sample_scored):
    printed = _cell_text(sample_run, 'manager="department"')
    assert re.search(rf"^n_tasks\s+{len(sample_scored)}\.000$", printed, re.MULTILINE)
    share_vague = sample_scored["flag_vague_action"].mean()
    assert re.search(rf"^share_vague_action\s+{share_vague:.3f}$", printed, re.MULTILINE)
    median = sample_scored["score"].median()
    assert re.search(rf"^score_median\s+{median:.3f}$", printed, re.MULTILINE)


def test_data_health_rows_read_and_loaded_equal_the_csv_rows(sample_run, sample_csv):
    # Every data row of each file, counted by plain pandas; the sample loads every row.
    printed = _cell_text(sample_run, "ds.health()")
    lines = [line.split() for line in printed.strip().splitlines()]
    assert lines[0] == ["table", "measure", "reason", "reason_code", "rows"]
    expected = []
    for table in ("tasks", "calls", "deals", "targets", "roster"):
        rows = str(len(sample_csv[table]))
        expected += [[table, "read", rows], [table, "loaded", rows], [table, "set_aside", "0"]]
    assert lines[1:] == expected


def test_figures_are_png(sample_run):
    assert len(_outputs(sample_run, "image/png")) == 3
    assert not _outputs(sample_run, "image/svg+xml")


def test_script_in_a_description_is_shown_as_text(tmp_path, sample_scored):
    data = tmp_path / "data"
    data.mkdir()
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, data / path.name)
    with (data / "tasks.csv").open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    row = dict.fromkeys(header, "")
    row |= {
        # Score 0 (the markup is cut out, leaving "contact" and a placeholder: vague 35 +
        # no method 25 + too short 30 + template 35 + no deadline 20 > 100) and the
        # smallest task_id, so it heads the table of weakest written descriptions.
        "task_id": "T-000000",
        "manager": "Anna Petrova",
        "created_at": "2026-01-05T10:00:00+00:00",
        "status": "open",
        "task_type": "call",
        "description": INJECTED,
        "creator": "Anna Petrova",
    }
    # ...and a row the loader cannot use: set aside and counted under its reason.
    bad = row | {"task_id": "T-000001", "created_at": "yesterday", "description": "Call Ivan"}
    with (data / "tasks.csv").open("a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=header).writerows([row, bad])

    nb = _run(tmp_path / "out.ipynb", data=str(data))
    html = _outputs(nb, "text/html")
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in h for h in html)
    assert not any("<script" in h.lower() for h in html)
    assert not any("<script" in t.lower() for t in _outputs(nb, "text/plain"))
    printed = _cell_text(nb, 'manager="department"')
    n_tasks = len(sample_scored) + 1  # the sample's tasks and the injected one
    assert re.search(rf"^n_tasks\s+{n_tasks}\.000$", printed, re.MULTILINE)
    health = _cell_text(nb, "ds.health()")
    # read = the sample's tasks + 2, loaded = + 1, one set aside, for one reason
    assert re.search(rf"^\s*tasks\s+read\s+{n_tasks + 1}$", health, re.MULTILINE)
    assert re.search(rf"^\s*tasks\s+loaded\s+{n_tasks}$", health, re.MULTILINE)
    assert re.search(r"^\s*tasks\s+set_aside\s+1$", health, re.MULTILINE)
    reason = r"^\s*tasks\s+reason\s+unparseable timestamp\s+timestamp\s+1$"
    assert re.search(reason, health, re.MULTILINE)
