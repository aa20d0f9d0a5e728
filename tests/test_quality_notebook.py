"""The description-quality notebook: runs under papermill, matches the package, escapes CRM
text, and reads as tables and sentences (text left, figures right, headers in words, no raw
dict, a p-value that keeps to one line)."""

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
    """The text of the one code cell whose source contains ``marker``: what it printed and
    the plain-text form of what it displayed."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "text/plain" in out.get("data", {}):
            parts.append(out.data["text/plain"])
    return "\n".join(parts)


def _cell_html(nb, marker: str) -> str:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)


def _rows(text: str) -> list[list[str]]:
    """The lines of a plain-text table split into cells (cells are two or more spaces apart)."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]


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
    rows = _rows(printed)
    assert rows[0] == ["Band", "Tasks", "On time", "Late", "On-time share", "95% interval"]
    shown = {row[0]: row[1:] for row in rows[1:4]}
    assert list(shown) == ["good", "fair", "poor"]
    z = NormalDist().inv_cdf(0.975)
    expected = {}
    for name in ("good", "fair", "poor"):
        n, k = int((left & (t["band"] == name)).sum()), int((on_time & (t["band"] == name)).sum())
        expected[name] = (n, k, k / n, *_wilson(k, n, z))
        rate, low, high = expected[name][2:]
        # counts with thousands separators; shares in percent to one decimal
        assert shown[name] == [
            f"{n:,}", f"{k:,}", f"{n - k:,}", f"{100 * rate:.1f}%",
            f"{100 * low:.1f}% – {100 * high:.1f}%",
        ]  # fmt: skip
    # the tasks left out, in a sentence (no raw dict), each nonzero reason with its count
    (left_out,) = [line for line in printed.splitlines() if line.startswith("Left out:")]
    words = {
        "cancelled": "cancelled tasks",
        "no_deadline": "tasks without a deadline",
        "not_due_yet": "tasks not yet due on",
    }
    for reason, count in excluded.items():
        if count:
            assert f"{count:,} {words[reason]}" in left_out, (reason, count, left_out)
    assert set(k for k, v in excluded.items() if v) == set(words)
    assert "{" not in printed and "_" not in left_out

    # Verdict: good vs poor, pooled two-proportion z-test, two-sided p.
    (n1, k1, r1, lo1, hi1), (n2, k2, r2, lo2, hi2) = expected["good"], expected["poor"]
    pooled = (k1 + k2) / (n1 + n2)
    stat = (r1 - r2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = math.erfc(abs(stat) / math.sqrt(2))
    verdict = _cell_text(sample_run, "qv.on_time_verdict").strip()
    assert verdict.startswith(
        f"good {r1:.0%} on time (n={n1:,}, 95% CI {lo1:.0%}-{hi1:.0%}) vs "
        f"poor {r2:.0%} on time (n={n2:,}, 95% CI {lo2:.0%}-{hi2:.0%}). "
    )
    assert hi2 < lo1 and "The intervals do not overlap" in verdict
    # p is far below 0.001 here: said so, with no-break spaces so that it never wraps
    assert p_value < 0.001 and "z-test p\u00a0<\u00a00.001: the bands differ" in verdict
    # shown as a paragraph that wraps between words, not a printed monospace line
    assert _cell_html(sample_run, "qv.on_time_verdict").startswith("<p>good ")


def test_department_headline_equals_the_package(sample_run, sample_scored):
    rows = dict(row for row in _rows(_cell_text(sample_run, "qv.department_table")))
    assert rows["Figure"] == "Department"
    assert rows["Tasks scored"] == f"{len(sample_scored):,}"
    share_vague = sample_scored["flag_vague_action"].mean()
    assert rows["Vague action (no channel or step)"] == f"{100 * share_vague:.1f}%"
    median = sample_scored["score"].median()
    assert rows["Median score"] == f"{median:.0f}" and float(median).is_integer()
    poor = (sample_scored["band"] == "poor").mean()
    assert rows["In the poor band"] == f"{100 * poor:.1f}%"


def test_data_health_rows_read_and_loaded_equal_the_csv_rows(sample_run, sample_csv):
    # Every data row of each file, counted by plain pandas; the sample loads every row.
    rows = _rows(_cell_text(sample_run, "ds.health()"))
    assert rows[0] == ["Table", "Rows read", "Loaded", "Set aside"]
    expected = [
        [table, f"{len(sample_csv[table]):,}", f"{len(sample_csv[table]):,}", "0"]
        for table in ("tasks", "calls", "deals", "targets", "roster")
    ]
    assert rows[1:6] == expected
    assert rows[6] == ["No row was set aside and no value blanked."]


def test_tables_read_as_words_with_text_left_and_figures_right(sample_run):
    html = "".join(_outputs(sample_run, "text/html"))
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert headers and not [h for h in headers if re.search(r"[a-z]+_[a-z]+", h)], headers
    # the managers' table: names on the left, figures on the right
    managers = _cell_html(sample_run, "qv.managers_table")
    cells = re.findall(r'<td style="[^"]*text-align: (\w+)[^"]*">([^<]*)</td>', managers)
    assert cells[0] == ("left", "Boris Ivanov")
    assert cells[1] == ("right", "488") and cells[3][1].endswith("%")
    # examples: the description's double space (an empty CRM field) is kept, text on the left
    examples = _cell_html(sample_run, "wb.weakest_examples")
    assert re.search(r'text-align: left; white-space: pre[^"]*">Call  about</td>', examples)
    text = "".join(_outputs(sample_run, "text/plain"))
    assert not re.search(r"\{'\w+': \d+", text)  # no raw dict printed


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
    rows = dict(row for row in _rows(_cell_text(nb, "qv.department_table")))
    n_tasks = len(sample_scored) + 1  # the sample's tasks and the injected one
    assert rows["Tasks scored"] == f"{n_tasks:,}"
    health = _cell_text(nb, "ds.health()")
    # read = the sample's tasks + 2, loaded = + 1, one set aside, for one reason
    assert ["tasks", f"{n_tasks + 1:,}", f"{n_tasks:,}", "1"] in _rows(health)
    assert "Set aside, by reason: tasks, unparseable timestamp: 1." in health


# -- the formatting behind the notebook, on small hand-made tables (no kernel) --------------


def test_a_table_escapes_aligns_and_keeps_spaces():
    from workbench.quality.tables import Table

    frame = pd.DataFrame({"Name": ["<b>Ann</b>", "Bo  Li"], "Tasks": ["1,234", "5"]})
    table = Table(frame, right=["Tasks"], caption="Tasks & names", note="Two rows.")
    html = table.to_html()
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>" not in html
    assert "<caption" in html and "Tasks &amp; names" in html and "<p>Two rows.</p>" in html
    cells = re.findall(r'<td style="[^"]*text-align: (\w+); white-space: ([\w-]+)">', html)
    assert cells == [("left", "pre"), ("right", "nowrap")] * 2
    assert ">Bo  Li</td>" in html  # two spaces kept (white-space: pre)
    assert repr(table).splitlines() == [
        "Tasks & names",
        "Name        Tasks",
        "<b>Ann</b>  1,234",
        "Bo  Li          5",
        "Two rows.",
    ]
    long = Table(pd.DataFrame({"Text": ["word " * 10]}))
    assert "white-space: pre-wrap" in long.to_html()  # long text wraps at its spaces


def test_p_values_read_short_and_never_break():
    from workbench.i18n import using
    from workbench.quality.score import p_text

    assert p_text(0.00599) == "p\u00a0=\u00a00.006"
    assert p_text(0.0456) == "p\u00a0=\u00a00.046"
    assert p_text(2.5e-17) == "p\u00a0<\u00a00.001"
    assert p_text(0.001) == "p\u00a0=\u00a00.001"
    with using("ru"):
        assert p_text(0.00599) == "p\u00a0=\u00a00,006"


def _on_time(excluded: dict[str, int]):
    from workbench.quality.score import OnTime

    table = pd.DataFrame(
        {"band": ["good", "fair", "poor"], "n": [10, 0, 4], "on_time": [8, 0, 1],
         "late": [2, 0, 3], "on_time_rate": [0.8, float("nan"), 0.25],
         "ci_low": [0.49, float("nan"), 0.046], "ci_high": [0.943, float("nan"), 0.699]}
    )  # fmt: skip
    return OnTime(table, excluded, pd.Timestamp("2026-10-31 18:00", tz="UTC"), 0.05)


def test_the_on_time_table_and_what_was_left_out_in_words():
    from workbench.i18n import using
    from workbench.quality.views import left_out_text, on_time_table

    result = _on_time({"cancelled": 1, "no_deadline": 1200, "not_due_yet": 2, "no_band": 0})
    rows = _rows(repr(on_time_table(result)))
    assert rows[1] == ["good", "10", "8", "2", "80.0%", "49.0% – 94.3%"]
    assert rows[2] == ["fair", "0", "0", "0", "–", "–"]  # no tasks: no share, no interval
    assert rows[3] == ["poor", "4", "1", "3", "25.0%", "4.6% – 69.9%"]
    assert left_out_text(result) == (
        "Left out: 1 cancelled task; 1,200 tasks without a deadline; "
        "2 tasks not yet due on 2026-10-31."
    )
    assert left_out_text(_on_time({"cancelled": 0})) == "No task was left out."
    with using("ru"):
        text = left_out_text(result)
    assert "1 200" in text.replace("\u00a0", " ") and "Left out" not in text


def test_headers_in_words_for_the_scored_columns():
    from workbench.quality.score import to_html_table

    frame = pd.DataFrame(
        {"manager": ["Ann"], "task_id": ["T-1"], "description": ["Call  about"],
         "score": [0.0], "band": ["poor"], "explanation": ["no method"], "tasks": [12]}
    )  # fmt: skip
    html = to_html_table(frame)
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert headers == ["Manager", "Task", "Description", "Score", "Band", "What it lacks", "Tasks"]
    cells = re.findall(r'<td style="[^"]*text-align: (\w+)[^"]*">([^<]*)</td>', html)
    assert cells == [
        ("left", "Ann"), ("left", "T-1"), ("left", "Call  about"), ("right", "0"),
        ("left", "poor"), ("left", "no method"), ("right", "12"),
    ]  # fmt: skip


def test_the_verdict_in_russian_uses_russian_marks():
    from workbench.i18n import using
    from workbench.quality.score import quality_on_time_verdict

    with using("ru"):
        text = quality_on_time_verdict(_on_time({}))
    assert "80\u00a0%" in text and "p\u00a0=\u00a0" in text
    assert "on time" not in text and "bands differ" not in text
