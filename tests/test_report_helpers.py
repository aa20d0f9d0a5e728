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
