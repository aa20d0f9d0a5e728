"""The description-quality notebook: runs under papermill, matches the package, escapes CRM text."""

from __future__ import annotations

import csv
import re
import shutil

import nbformat
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
def sample_scored():
    return wb.score_descriptions(wb.load_dataset(SAMPLE_DIR).tasks, min_words=3, max_words=40)


def test_exactly_one_parameters_cell_and_thin_cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'data = "data/sample"' in tagged[0].source
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*def |open\(|\.to_csv|savefig|MPLBACKEND", code, re.MULTILINE)


def test_on_time_table_and_verdict_equal_the_package(sample_run, sample_scored):
    result = wb.quality_vs_on_time(sample_scored)
    table = result.table
    printed = _cell_text(sample_run, "wb.quality_vs_on_time")
    # e.g. "good 1408 1151 257 0.817 0.796 0.837": counts exact, rates rounded to 3 places
    shown = {line.split()[0]: line.split()[1:] for line in printed.splitlines()[1:4]}
    assert list(shown) == ["good", "fair", "poor"]
    for row in table.itertuples():
        n, on_time, late, *rates = shown[row.band]
        assert [int(n), int(on_time), int(late)] == [row.n, row.on_time, row.late]
        expected = [round(v, 3) for v in (row.on_time_rate, row.ci_low, row.ci_high)]
        assert [float(v) for v in rates] == pytest.approx(expected, abs=1e-12)
    assert f"left out: {result.excluded}" in printed
    verdict = _cell_text(sample_run, "wb.quality_on_time_verdict").strip()
    assert verdict == wb.quality_on_time_verdict(result)


def test_department_headline_equals_the_package(sample_run, sample_scored):
    printed = _cell_text(sample_run, 'manager="department"')
    assert re.search(rf"^n_tasks\s+{len(sample_scored)}\.000$", printed, re.MULTILINE)
    share_vague = sample_scored["flag_vague_action"].mean()
    assert re.search(rf"^share_vague_action\s+{share_vague:.3f}$", printed, re.MULTILINE)
    median = sample_scored["score"].median()
    assert re.search(rf"^score_median\s+{median:.3f}$", printed, re.MULTILINE)


def test_data_health_per_table_and_reason_equals_the_loader(sample_run):
    health = wb.load_dataset(SAMPLE_DIR).health()
    printed = _cell_text(sample_run, "ds.health()")
    blank = health.fillna({"reason": "", "reason_code": ""})
    assert printed.strip() == blank.to_string(index=False).strip()
    # the sample loads every row: read = loaded for every table, nothing set aside
    assert re.search(r"^\s*tasks\s+set_aside\s+0$", printed, re.MULTILINE)
    assert not re.search(r"^\s*\S+\s+reason\s", printed, re.MULTILINE)


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
