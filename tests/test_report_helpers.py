"""Slugs, fingerprints and the kernel interpreter behind the report runner."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

import workbench.reports.slugs
from workbench.reports.fingerprints import (
    cache_key,
    frame_fingerprint,
    manager_fingerprint,
    manager_fingerprints,
)
from workbench.reports.renderer import start_kernel
from workbench.reports.slugs import manager_slug, unique_slugs

SAFE = re.compile(r"^[a-z0-9][a-z0-9-]*-[0-9a-f]{6}$")


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("Anna Petrova", "anna-petrova"),
        ("Борис Иванов", "boris-ivanov"),
        ("Щукин Ёж", "shchukin-ezh"),
        ("a/b\\c", "a-b-c"),
        ("../..", "manager"),
        ('O\'Brien "Jr."', "o-brien-jr"),
        ("José Núñez", "jose-nunez"),
        ("李雷", "manager"),
        ("", "manager"),
    ],
)
def test_slug_is_one_safe_path_component(name, readable):
    slug = manager_slug(name)
    assert SAFE.match(slug) and "/" not in slug and ".." not in slug
    assert slug.rsplit("-", 1)[0] == readable


def test_names_that_read_alike_get_distinct_slugs():
    names = ["A. Smith", "A Smith", "a smith", "A/Smith", "李雷", "韩梅梅", "../..", "./."]
    slugs = unique_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert unique_slugs(["x", "x"]) == {"x": manager_slug("x")}  # duplicates collapse


def test_slug_collision_is_an_error(monkeypatch):
    monkeypatch.setattr(workbench.reports.slugs, "manager_slug", lambda name: "same-000000")
    with pytest.raises(ValueError, match="'a' and 'b' share the slug"):
        unique_slugs(["a", "b"])


def _dataset(**tables):
    empty = {
        "tasks": pd.DataFrame({"manager": pd.Series([], dtype="str")}),
        "calls": pd.DataFrame({"manager": pd.Series([], dtype="str")}),
        "deals": pd.DataFrame({"manager": pd.Series([], dtype="str")}),
        "targets": pd.DataFrame({"manager": pd.Series([], dtype="str")}),
    }
    return SimpleNamespace(**{**empty, **tables})


def test_frame_fingerprint_ignores_order_and_index_but_not_values():
    a = pd.DataFrame({"manager": ["x", "y"], "v": [1.0, 2.0]})
    b = a.iloc[::-1].set_axis([10, 11])
    assert frame_fingerprint(a) == frame_fingerprint(b)
    assert frame_fingerprint(a) != frame_fingerprint(a.assign(v=[1.0, 2.5]))
    assert frame_fingerprint(a) != frame_fingerprint(a.astype({"v": "float32"}))
    assert frame_fingerprint(a) != frame_fingerprint(a.rename(columns={"v": "w"}))
    assert frame_fingerprint(a.iloc[:0]) != frame_fingerprint(a)


def test_manager_fingerprint_covers_own_rows_and_applicable_targets_only():
    calls = pd.DataFrame({"manager": ["x", "y"], "duration_s": [60.0, 90.0]})
    targets = pd.DataFrame({"manager": ["*", "y"], "target": [0.2, 22.0]})
    base = manager_fingerprint(_dataset(calls=calls, targets=targets), "x")
    other_changed = calls.assign(duration_s=[60.0, 95.0])
    assert manager_fingerprint(_dataset(calls=other_changed, targets=targets), "x") == base
    own_changed = calls.assign(duration_s=[61.0, 90.0])
    assert manager_fingerprint(_dataset(calls=own_changed, targets=targets), "x") != base
    y_target = targets.assign(target=[0.2, 25.0])
    assert manager_fingerprint(_dataset(calls=calls, targets=y_target), "x") == base
    all_target = targets.assign(target=[0.15, 22.0])
    assert manager_fingerprint(_dataset(calls=calls, targets=all_target), "x") != base


def test_manager_fingerprints_equal_one_at_a_time_ones():
    calls = pd.DataFrame({"manager": ["x", "y", "x"], "duration_s": [60.0, 90.0, 5.0]})
    deals = pd.DataFrame({"manager": ["y"], "amount": [1.0]})
    targets = pd.DataFrame({"manager": ["*", "y"], "target": [0.2, 22.0]})
    ds = _dataset(calls=calls, deals=deals, targets=targets)
    many = manager_fingerprints(ds, ["x", "y", "nobody"])
    assert many == {m: manager_fingerprint(ds, m) for m in ["x", "y", "nobody"]}
    assert len(set(many.values())) == 3


def test_cache_key_changes_with_each_input():
    kw = dict(template=b"nb", params={"manager": "x"}, inputs="abc", version="0.1.0")
    key = cache_key(**kw)
    assert key == cache_key(**kw)
    for change in (
        {"template": b"nb2"},
        {"params": {"manager": "y"}},
        {"inputs": "abd"},
        {"version": "0.2.0"},
    ):
        assert cache_key(**{**kw, **change}) != key


def test_kernel_runs_this_interpreter(tmp_path):
    km = start_kernel(tmp_path)
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        seen = []
        code = "import os, sys; print(sys.executable); print(os.getcwd())"
        kc.execute_interactive(
            code,
            timeout=60,
            output_hook=lambda m: seen.append(m["content"].get("text", "")),
        )
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert "".join(seen).split() == [sys.executable, str(tmp_path)]


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise():
    import io

    from workbench.reports.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, log = Terminal(), io.StringIO()
    for stream in (tty, log):
        bar = Progress(stream)
        bar.line("loaded 3 tasks")
        bar.start(2)
        bar.report("rendered", "a", 1.0, None)
        bar.report("failed", "b\x1b[2J", 2.0, "kernel died")
        bar.close()
    assert "2/2" in tty.getvalue() and "\r" in tty.getvalue()  # tqdm's one live line
    assert "report 2/2 failed b\\x1b[2J (2.0 s): kernel died" in tty.getvalue()
    assert "\x1b" not in tty.getvalue().replace("\x1b[A", "")  # tqdm's own cursor moves only
    assert log.getvalue().splitlines() == [
        "loaded 3 tasks",
        "report 1/2 rendered a (1.0 s)",
        "report 2/2 failed b\\x1b[2J (2.0 s): kernel died",
    ]


def test_batch_snapshot_reads_back_what_was_written(tmp_path):
    # The kernels read the snapshot instead of the export: the same tables (same dtypes,
    # same fingerprints) and the same department figures, down to their fingerprint.
    from workbench.config import SAMPLE_DIR
    from workbench.data.loading import load_dataset
    from workbench.reports.fingerprints import dataset_fingerprint, department_fingerprint
    from workbench.reports.manager_view import department_figures
    from workbench.reports.snapshot import (
        read_dataset,
        read_department,
        read_meta,
        write_snapshot,
    )

    ds = load_dataset(SAMPLE_DIR)
    figures = department_figures(ds, period_start="2026-10-01", period_end="2026-10-31")
    folder = write_snapshot(tmp_path / "_batch", ds, figures, meta={"figures": {"x": 1}})
    back, back_figures = read_dataset(folder), read_department(folder)
    assert dataset_fingerprint(back) == dataset_fingerprint(ds)
    for table in ("tasks", "calls", "deals", "targets", "set_aside"):
        pd.testing.assert_frame_equal(getattr(back, table), getattr(ds, table))
    assert (back.tz, back.rows_read, back.files) == (ds.tz, ds.rows_read, ds.files)
    pd.testing.assert_frame_equal(back.health(), ds.health())
    assert department_fingerprint(back_figures) == department_fingerprint(figures)
    assert (back_figures.start, back_figures.as_of) == (figures.start, figures.as_of)
    assert read_meta(folder)["figures"] == {"x": 1}
    # A colleague's changed call moves the department's figures, and so its fingerprint.
    calls = ds.calls.copy()
    calls.loc[calls.index[calls["started_at"] >= figures.start][0], "duration_s"] += 60
    ds.calls = calls
    moved = department_figures(ds, period_start="2026-10-01", period_end="2026-10-31")
    assert department_fingerprint(moved) != department_fingerprint(figures)


# --- the manager report's page helpers: plain words, phone-sized tables, no paths ---------

DEPT = __import__("pathlib").Path(__file__).parent / "data" / "report_dept"


@pytest.fixture(scope="module")
def ann_view():
    from workbench import load_dataset
    from workbench.reports.manager_view import prepare_manager_view

    ds = load_dataset(DEPT)
    return ds, prepare_manager_view(ds, "Ann", period_start="2026-01-01", period_end="2026-01-31")


def test_provenance_names_files_never_a_path_and_has_no_header_row(ann_view):
    from workbench.reports.page import provenance, provenance_html

    ds, view = ann_view
    table = provenance(ds, {"manager": "Ann"}, period="January 2026", department_key="f" * 40)
    rows = dict(zip(table["item"], table["value"], strict=True))
    assert rows["Period"] == "January 2026"
    # the files report_dept holds, by name only (never the folder they were read from)
    assert set(rows["Data files"].split(", ")) == {
        "tasks.csv", "calls.csv", "deals.csv", "targets.csv"
    }  # fmt: skip
    assert rows["Fingerprint of the team figures"] == "f" * 16
    assert {"Workbench version", "Git commit", "Rendered at (UTC)"} <= rows.keys()
    page = provenance_html(table).data
    assert (
        str(DEPT) not in page
        and str(DEPT.parent) not in page
        and "/" not in page.split("</style>")[1].replace("</", "")
    )
    assert "<thead>" not in page and page.count("<tr>") == len(table)


def test_figures_table_reads_in_words_and_units(ann_view):
    import re

    from workbench.reports.page import figures_html

    _ds, view = ann_view
    page = figures_html(view).data
    cells = [re.sub("<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", page)]
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    by_name = {" ".join(r[0]).split(" better")[0].split(" neither")[0]: r for r in rows}
    # Ann's mean call 15.0 min, colleagues 5, 10, 15 -> median 10.0; lower is better and
    # two colleagues are below her: "2 of 3" do better
    call = by_name["Mean connected-call length, min"]
    assert call[1:] == [["15.0"], ["10.0"], ["2", "of", "3"]]
    assert "better when lower" in " ".join(call[0])
    # a count without a better direction: no "doing better" count
    assert by_name["Tasks due"][3] == ["–"]
    assert "_" not in re.sub("<style>.*?</style>", "", page)  # no code name anywhere
    assert "Colleagues doing better" in page and "below you" not in page


def test_kpi_table_says_targets_in_words_and_percent(ann_view):
    import html as html_lib
    import re

    from workbench.reports.page import kpi_table

    _ds, view = ann_view
    page = re.sub("<style>.*?</style>", "", html_lib.unescape(kpi_table(view).data))
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    cells = [[re.sub("<[^>]+>", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
             for r in rows]  # fmt: skip
    # January: overdue share 1 of 3 = 33.3% against at most 20% (the '*' team KPI); the
    # mean call 15.0 min against Ann's own at most 12 min
    assert ["Jan 2026", "Mean connected-call length  your own target", "at most 12 min",
            "15.0 min", "missed"] in cells  # fmt: skip
    assert ["Jan 2026", "Overdue share of tasks due  the team's target", "at most 20%",
            "33.3%", "missed"] in cells  # fmt: skip
    assert "0.2" not in page and "delinquency_rate" not in page and "≤" not in page


def test_long_task_text_wraps_and_crm_text_is_escaped():
    from workbench.reports.page import html_table

    url = "https://wiki.example.com/" + "x" * 120
    frame = pd.DataFrame({"Task": [f"<b>{url}</b>"], "Late by": ["3 days"], "n": [1234.5]})
    page = html_table(frame, wrap=("Task",)).data
    assert "<td class='wb-wrap crm-text'>&lt;b&gt;https://" in page  # breaks anywhere, as text
    assert "<td class='wb-num'>1,234.5</td>" in page  # a figure never breaks
    assert "overflow-wrap: anywhere" in page and "width: 100%" in page


def test_definitions_are_folded_and_in_words():
    from workbench.reports.manager_view import shown_metrics
    from workbench.reports.page import definitions_html

    page = definitions_html(shown_metrics()).data
    assert page.startswith("<details class='definitions'><summary>")
    assert "<dt><b>Mean connected-call length</b></dt>" in page
    assert "<code>" not in page and "talk_mean_min" not in page


def test_report_language_from_the_parameter_else_english():
    from workbench.i18n import language, using
    from workbench.reports.page import report_language

    with using("en"):
        assert report_language("ru") == "ru" and language() == "ru"
        assert report_language("") == "en"
        assert report_language("", "canonical") == "en"  # a mapping without a language
        with pytest.raises(ValueError, match="no catalogue"):
            report_language("xx")
