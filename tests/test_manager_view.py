"""The manager report's data: hand-checked figures, headlines and the privacy boundary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench import load_dataset
from workbench.reports.manager_view import (
    figures_table,
    headline_data,
    headlines,
    prepare_manager_view,
    report_window,
    shown_definitions,
)

DEPT = Path(__file__).parent / "data" / "report_dept"
COLLEAGUES = ("Bob", "Cleo", "Dmitri Бор")


@pytest.fixture(scope="module")
def ann():
    ds = load_dataset(DEPT)
    return prepare_manager_view(ds, "Ann", period_start="2026-01-01", period_end="2026-01-31")


def test_headlines_worked_by_hand(ann):
    # as_of = last event = d2 closed 2026-01-21 10:00, so t4 (due 01-25) is not due yet:
    # due = t1, t2, t3; overdue = t1 (completed 01-12 after its 01-10 deadline) -> 1 of 3.
    # Ann's calls: 600 s + 1200 s over 2 connected = 15.0 min; colleagues 5, 10, 15 min
    # -> median 10.0; with a shorter mean call than Ann's: 5 and 10 -> 2 of 3.
    assert headlines(ann) == [
        "Your average connected call lasted 15.0 min; the team median is 10.0 min "
        "(2 of 3 colleagues had a shorter mean call).",
        "33% of your tasks due in January 2026 were late (1 of 3); "
        "your KPI is at most 20%: not met.",
        "You received 4 new tasks and completed 4.",
        "You handled 2 leads (team median 0); 1 of 2 closed deals were won (50%), "
        "sales volume 1,000.",
        "Your call-length KPI is at most 12 min: not met.",
    ]


def test_headline_data_is_json_ready_and_names_the_kpis(ann):
    data = json.loads(json.dumps(headline_data(ann)))
    assert data["delinquency_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert data["talk_mean_min"] == 15.0
    assert data["conversion"] == 0.5
    assert data["kpis"] == {
        "delinquency_rate": {"target": 0.2, "direction": "at_most", "met": False},
        "talk_mean_min": {"target": 12.0, "direction": "at_most", "met": False},
    }


def test_figures_table_compares_with_colleagues(ann):
    t = figures_table(ann).set_index("definition")
    assert t.loc["talk_mean_min", "you"] == 15.0
    assert t.loc["talk_mean_min", "team median"] == 10.0
    assert t.loc["talk_mean_min", "colleagues below you"] == 2
    # lower is better for call length: the 2 colleagues below Ann do better; higher is
    # better for dials: Ann's 3 against the colleagues' 1, 1, 1 (calls.csv) -> none; tasks
    # due has no better direction -> no count
    assert t.loc["talk_mean_min", "colleagues better"] == 2
    assert t.loc["dials", "colleagues better"] == 0
    assert t.loc["tasks_due", "colleagues better"] != t.loc["tasks_due", "colleagues better"]
    assert t.loc["dials", "you"] == 3  # two connected, one missed inbound
    assert set(shown_definitions()["name"]) >= set(t.index)


def _all_text(view) -> str:
    frames = [view.panel, view.window, view.calls, view.kpi, view.quality, view.quality_team]
    frames.append(view.health)
    return "\n".join(f.astype(str).to_csv() for f in frames)


def test_no_colleague_name_or_row_survives_in_the_view(ann):
    text = _all_text(ann)
    for name in COLLEAGUES:
        assert name not in text
    assert "Bob's task" not in text  # a colleague's task description
    assert set(ann.quality["manager"]) == {"Ann"}
    assert ann.n_colleagues == 3
    assert sorted(ann.others["manager"]) == ["Colleague 01", "Colleague 02", "Colleague 03"]


def test_sample_view_names_only_the_manager(sample):
    ds = sample
    view = prepare_manager_view(
        ds, "Boris Ivanov", period_start="2026-10-01", period_end="2026-10-31"
    )
    text = _all_text(view)
    for name in ds.managers:
        if name != "Boris Ivanov":
            assert name not in text
    # Case B in the last sample month: Boris's mean call is the longest of all ten; the
    # roster puts him in team North (five people), so he is compared with its other four
    assert view.comparison == "team North" and view.n_colleagues == 4
    row = figures_table(view).set_index("definition").loc["talk_mean_min"]
    assert row["colleagues below you"] == 4
    assert 21 < row["you"] < 25


def test_report_window_is_whole_months():
    start, end = report_window("2026-02-01", "2026-03-31", tz="Europe/Berlin")
    assert start == pd.Timestamp("2026-02-01", tz="Europe/Berlin")
    assert end == pd.Timestamp("2026-04-01", tz="Europe/Berlin")
    with pytest.raises(ValueError, match="1st of a month"):
        report_window("2026-02-02", "2026-02-28", tz="UTC")
    with pytest.raises(ValueError, match="last day of a month"):
        report_window("2026-02-01", "2026-02-27", tz="UTC")
    with pytest.raises(ValueError, match="before period_start"):
        report_window("2026-03-01", "2026-02-28", tz="UTC")


def test_unknown_manager_is_a_clear_error():
    ds = load_dataset(DEPT)
    with pytest.raises(LookupError, match="no tasks, calls or deals of manager 'Zed'"):
        prepare_manager_view(ds, "Zed", period_start="2026-01-01", period_end="2026-01-31")


def test_headline_kpi_verdict_comes_from_the_monthly_kpi_rows():
    ds = load_dataset(DEPT)
    # Dec 2025 + Jan 2026: the '*' KPI (0.2) starts 2026-01-01, so only January has a KPI
    # row: 1 of 3 overdue = 0.33 > 0.2 -> not met.
    view = prepare_manager_view(ds, "Ann", period_start="2025-12-01", period_end="2026-01-31")
    assert headlines(view)[1] == (
        "33% of your tasks due in Dec 2025 to Jan 2026 were late (1 of 3); "
        "your KPI is at most 20%: not met."
    )
    # Jan + Feb 2026: two KPI rows; February had no task due (no value, not judged), so the
    # verdict counts months judged: met in 0 of 1.
    view = prepare_manager_view(ds, "Ann", period_start="2026-01-01", period_end="2026-02-28")
    assert headlines(view)[1] == (
        "33% of your tasks due in Jan 2026 to Feb 2026 were late (1 of 3); "
        "your KPI (at most 20%) was met in 0 of 1 month."
    )


def test_open_overdue_is_judged_at_as_of_not_today():
    # as_of 2026-01-11 12:00: t1 (due 01-10 18:00) is completed only on 01-12 -> still open
    # at as_of and 18 h = 0.75 days late, although its status today is "completed".
    ds = load_dataset(DEPT)
    view = prepare_manager_view(
        ds, "Ann", period_start="2026-01-01", period_end="2026-01-31",
        as_of="2026-01-11T12:00:00+00:00",
    )  # fmt: skip
    assert list(view.open_overdue["description"]) == ["Contact the client"]
    assert list(view.open_overdue["days late"]) == [0.8]


def test_pseudonyms_depend_on_the_data_not_only_on_the_names(tmp_path):
    import shutil

    ds = load_dataset(DEPT)
    first = prepare_manager_view(ds, "Ann", period_start="2026-01-01", period_end="2026-01-31")
    again = prepare_manager_view(ds, "Ann", period_start="2026-01-01", period_end="2026-01-31")
    assert first.window.equals(again.window)  # same data, same numbering
    numbering = set()
    for k in range(6):  # same names, one colleague's call a second longer each time
        copy = tmp_path / f"d{k}"
        shutil.copytree(DEPT, copy)
        calls = (copy / "calls.csv").read_text(encoding="utf-8")
        (copy / "calls.csv").write_text(calls.replace(",300,", f",{301 + k},"), "utf-8")
        view = prepare_manager_view(
            load_dataset(copy), "Ann", period_start="2026-01-01", period_end="2026-01-31"
        )
        numbering.add(tuple(view.others.sort_values("talk_time_total_s")["manager"]))
    assert len(numbering) > 1


def test_small_team_gets_no_department_totals(tmp_path):
    # Ann and Bob only: department counts minus Ann's own would be Bob's volumes.
    import shutil

    copy = tmp_path / "two"
    shutil.copytree(DEPT, copy)
    calls = (copy / "calls.csv").read_text(encoding="utf-8").splitlines()
    keep = [line for line in calls if ",Cleo," not in line and ",Dmitri Бор," not in line]
    (copy / "calls.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    view = prepare_manager_view(
        load_dataset(copy), "Ann", period_start="2026-01-01", period_end="2026-01-31"
    )
    assert view.n_colleagues == 1
    assert view.health is None
    # Ann's own rows: t1..t4, three calls, d1 and d2
    assert view.own_rows == {"tasks": 4, "calls": 3, "deals": 2}


def test_team_of_three_colleagues_keeps_department_totals(ann):
    assert ann.n_colleagues == 3
    loaded = ann.health.query("measure == 'loaded'").set_index("table")["rows"]
    assert loaded.to_dict() == {"tasks": 5, "calls": 6, "deals": 2, "targets": 2, "roster": 0}


def test_open_overdue_lists_the_window_first_newest_first_and_masks_colleagues(tmp_path):
    # Ann, as_of 2026-01-21 10:00 (the last event). Added open tasks of hers: o1 due
    # 2025-12-20 (before the window), o2 due 2026-01-15 and o3 due 2026-01-18 (in it),
    # o4 due 2026-01-30 (not yet due). Expected order: o3, o2 (the window's, newest first),
    # then o1; o4 is not overdue. Colleagues' names in the texts are masked, Ann's are not.
    data = tmp_path / "dept"
    shutil.copytree(DEPT, data)
    extra = (
        "o1,Ann,2025-12-01T09:00:00+00:00,2025-12-20T18:00:00+00:00,,,open,call,"
        "Ask Bob about the demo,,\n"
        "o2,Ann,2026-01-02T09:00:00+00:00,2026-01-15T18:00:00+00:00,,,open,call,"
        "Передать Клео и Ann договор,,\n"
        "o3,Ann,2026-01-03T09:00:00+00:00,2026-01-18T18:00:00+00:00,,,open,call,"
        "Call with D. Бор,,\n"
        "o4,Ann,2026-01-03T09:00:00+00:00,2026-01-30T18:00:00+00:00,,,open,call,Later,,\n"
    )
    with open(data / "tasks.csv", "a", encoding="utf-8") as f:
        f.write(extra)
    view = prepare_manager_view(
        load_dataset(data), "Ann", period_start="2026-01-01", period_end="2026-01-31"
    )
    late = view.open_overdue
    assert list(late["due"]) == ["2026-01-18 18:00", "2026-01-15 18:00", "2025-12-20 18:00"]
    assert list(late["in_period"]) == [True, True, False]
    assert list(late["description"]) == [
        "Call with [colleague]",
        "Передать [colleague] и Ann договор",
        "Ask [colleague] about the demo",
    ]
    # 2026-01-21 10:00 - 2026-01-18 18:00 = 2 days 16 h = 2.7 days
    assert list(late["days late"]) == [2.7, 5.7, 31.7]
