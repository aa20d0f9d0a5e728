"""Who gets a report, team figures per roster team, unknown targets, coverage guards.

Hand-made departments written as CSV files (tmp_path); every expected value is worked out
by hand in the comments. The runner's guards that stop before any kernel starts are run
through ``workbench report`` itself; one end-to-end batch (2 managers) is marked notebook.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from workbench import load_dataset
from workbench.cli import main
from workbench.data.check import check_dataset
from workbench.errors import ParameterError
from workbench.metrics.kpi import KPI_METRICS, usable_targets
from workbench.reports.manager_view import (
    department_figures,
    figures_table,
    headlines,
    report_window,
    view_for,
)
from workbench.reports.page import notes_html
from workbench.reports.selection import activity_counts, match_managers, select_people

OCT = ("2026-10-01", "2026-10-31")
CALLS_HEADER = "call_id,manager,started_at,duration_s,direction,answered"
#: One connected October call each; minutes: North Anna 5, Boris 1, Chen 2, Dan 3; South
#: Eve 10, Fay 20, Gus 30; CRM owners outside the roster "FALSE" and "test user" 100 each.
OCTOBER_MINUTES = {
    "Anna Petrova": 5, "Boris": 1, "Chen": 2, "Dan": 3, "Eve": 10, "Fay": 20, "Gus": 30,
    "FALSE": 100, "test user": 100,
}  # fmt: skip
ROSTER = """manager,team,role,email,active_from,active_to
Anna Petrova,North,manager,anna@example.com,2026-01-01,
Boris,North,manager,,2026-01-01,
Chen,North,team_head,,2026-01-01,
Dan,North,,,,
Eve,South,manager,,2026-01-01,
Fay,South,manager,,2026-01-01,
Gus,South,team_head,,2026-01-01,
Helen Head,,department_head,,2026-01-01,
Leo Left,North,manager,,2026-01-01,2026-09-15
Nina New,South,manager,,2026-10-01,
"""
TARGETS = """manager,metric,target,direction,effective_from,effective_to
*,talk_mean_min,4,at_least,2026-01-01,
*,no_such_metric,1,at_most,2026-01-01,
Anna Petrova,delinquency_rate,0.2,at_most,2026-01-01,
Anya Petrova,talk_mean_min,3,at_least,2026-01-01,
"""


def write_roster_department(folder: Path, *, roster: bool = True) -> Path:
    """The department above: calls of September (a quiet month) and October, a roster."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [CALLS_HEADER]
    for i, (name, minutes) in enumerate(OCTOBER_MINUTES.items()):
        lines.append(f"o{i},{name},2026-10-{i + 2:02d}T10:00:00Z,{minutes * 60},outbound,true")
        lines.append(f"s{i},{name},2026-09-{i + 2:02d}T10:00:00Z,60,outbound,true")
    lines.append("s99,Leo Left,2026-09-01T10:00:00Z,60,outbound,true")  # left in September
    lines.append("n1,Nina New,2026-10-31T20:00:00Z,60,outbound,true")
    (folder / "calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "targets.csv").write_text(TARGETS, encoding="utf-8")
    if roster:
        (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return folder


def _window(ds):
    return report_window(*OCT, tz=ds.tz)


# --- who gets a report ------------------------------------------------------------------


def test_with_a_roster_only_its_active_people_get_reports(tmp_path):
    ds = load_dataset(write_roster_department(tmp_path))
    sel = select_people(ds, *_window(ds))
    # Helen (department head, no activity), Leo (left 2026-09-15), FALSE and test user
    # (not in the roster) get none; Nina started 2026-10-01 and has a call: she does
    assert sel.recipients == (
        "Anna Petrova", "Boris", "Chen", "Dan", "Eve", "Fay", "Gus", "Nina New",
    )  # fmt: skip
    assert sel.members == sel.recipients and sel.basis == "roster"
    assert sel.teams["Dan"] == "North" and sel.teams["Nina New"] == "South"
    notes = " ".join(sel.notes)
    assert "2 CRM owners not in the roster" in notes
    assert "“FALSE” (2 rows), “test user” (2 rows)" in notes


def test_a_department_head_with_activity_gets_a_report(tmp_path):
    ds = load_dataset(write_roster_department(tmp_path))
    calls = (tmp_path / "calls.csv").read_text(encoding="utf-8")
    calls += "h1,Helen Head,2026-10-20T10:00:00Z,600,outbound,true\n"
    (tmp_path / "calls.csv").write_text(calls, encoding="utf-8")
    ds = load_dataset(tmp_path)
    assert "Helen Head" in select_people(ds, *_window(ds)).recipients


def test_an_active_roster_person_without_rows_gets_no_report_and_is_listed(tmp_path):
    write_roster_department(tmp_path)
    roster = ROSTER + "Olga Nobody,South,manager,,2026-01-01,\n"
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    ds = load_dataset(tmp_path)
    sel = select_people(ds, *_window(ds))
    assert "Olga Nobody" not in sel.recipients
    assert any("no rows in the data" in n and "“Olga Nobody”" in n for n in sel.notes)


def test_without_a_roster_only_owners_with_activity_in_the_window(tmp_path):
    tasks = """task_id,manager,created_at,due_at,completed_at,status
t1,Anna,2026-10-05T09:00Z,,,open
t2,Boris,2026-09-20T09:00Z,2026-10-03T18:00Z,,open
t3,Old,2026-08-01T09:00Z,2026-08-03T18:00Z,2026-08-02T10:00Z,completed
t4,Late,2026-09-01T09:00Z,2026-09-03T18:00Z,2026-10-02T10:00Z,completed
"""
    deals = """deal_id,manager,created_at,closed_at,outcome,amount
d1,Closer,2026-07-01T10:00Z,2026-10-31T23:00Z,won,10
"""
    (tmp_path / "tasks.csv").write_text(tasks)
    (tmp_path / "deals.csv").write_text(deals)
    ds = load_dataset(tmp_path)
    start, end = _window(ds)
    # Anna: a task created in October; Boris: one due in it; Late: one completed in it;
    # Closer: a deal closed in it; Old: nothing in October
    assert activity_counts(ds, start, end).to_dict() == {
        "Anna": 1, "Boris": 1, "Closer": 1, "Late": 1,
    }  # fmt: skip
    sel = select_people(ds, start, end)
    assert sel.recipients == ("Anna", "Boris", "Closer", "Late") and sel.basis == "activity"
    assert sel.notes == (
        "1 CRM owner with rows but no activity in the period gets no report and is not in "
        "the team figures: “Old” (1 row)",
    )


def test_managers_match_ignoring_case_and_spaces_and_a_miss_suggests_the_nearest():
    names = ("Anna Petrova", "Boris", "Ольга Смирнова")
    assert match_managers(["  anna petrova ", "BORIS"], names) == ["Anna Petrova", "Boris"]
    assert match_managers(["ольга смирнова"], names) == ["Ольга Смирнова"]
    with pytest.raises(ParameterError, match="did you mean 'Anna Petrova'"):
        match_managers(["Ana Petrova"], names)
    with pytest.raises(ParameterError, match="'Zed' gets no report") as err:
        match_managers(["Zed"], names)
    assert "did you mean" not in str(err.value)


# --- team figures -------------------------------------------------------------------------


def test_team_medians_per_roster_team_and_department_fallback(tmp_path):
    ds = load_dataset(write_roster_department(tmp_path))
    dept = department_figures(ds, period_start=OCT[0], period_end=OCT[1])
    assert "FALSE" not in dept.managers and "test user" not in dept.managers
    assert "FALSE" not in set(dept.window["manager"]) | set(dept.calls["manager"])
    # Anna, team North: the other members Boris 1, Chen 2, Dan 3 min -> median 2.0; she is
    # above all three
    anna = view_for(dept, ds.tasks, "Anna Petrova")
    row = figures_table(anna).set_index("definition").loc["talk_mean_min"]
    assert (row["you"], row["team median"], row["colleagues"]) == (5.0, 2.0, 3)
    assert row["colleagues below you"] == 3
    assert anna.comparison == "team North"
    assert anna.comparison_note == "Team figures are of the other 3 members of your team, North."
    # Eve, team South: Fay, Gus, Nina are 3 others -> South is used: 20, 30, 1 -> 20.0
    eve = view_for(dept, ds.tasks, "Eve")
    row = figures_table(eve).set_index("definition").loc["talk_mean_min"]
    assert (row["team median"], row["colleagues"]) == (20.0, 3)


def test_a_team_below_the_minimum_falls_back_to_the_department(tmp_path):
    write_roster_department(tmp_path)
    roster = ROSTER.replace("Nina New,South", "Nina New,North")  # South: Eve, Fay, Gus
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    ds = load_dataset(tmp_path)
    dept = department_figures(ds, period_start=OCT[0], period_end=OCT[1])
    eve = view_for(dept, ds.tasks, "Eve")
    # 2 other South members < 3: the department's others Anna 5, Boris 1, Chen 2, Dan 3,
    # Fay 20, Gus 30, Nina 1 -> sorted 1 1 2 3 5 20 30 -> median 3.0 (FALSE, test user out;
    # with their 100s the median would have been 5.0)
    row = figures_table(eve).set_index("definition").loc["talk_mean_min"]
    assert (row["team median"], row["colleagues"]) == (3.0, 7)
    assert eve.comparison == "department"
    assert "Your team, South, has fewer than 3 other members" in eve.comparison_note
    assert "Your team, South" in notes_html(eve).data


def test_without_a_roster_owners_without_activity_stay_out_of_the_medians(tmp_path):
    write_roster_department(tmp_path, roster=False)
    calls = (tmp_path / "calls.csv").read_text(encoding="utf-8")
    calls += "q1,Quiet,2026-08-01T10:00:00Z,6000,outbound,true\n"  # August only
    (tmp_path / "calls.csv").write_text(calls, encoding="utf-8")
    ds = load_dataset(tmp_path)
    dept = department_figures(ds, period_start=OCT[0], period_end=OCT[1])
    assert "Quiet" not in dept.managers and "Leo Left" not in dept.managers
    anna = view_for(dept, ds.tasks, "Anna Petrova")
    assert anna.comparison == "department" and anna.n_colleagues == 9


# --- targets --------------------------------------------------------------------------------


def test_targets_on_an_unknown_metric_or_manager_are_set_aside_with_a_reason(tmp_path):
    ds = load_dataset(write_roster_department(tmp_path))
    kept, aside = usable_targets(ds.targets, managers=ds.managers)
    assert "delinquency_rate" in KPI_METRICS and "no_such_metric" not in KPI_METRICS
    assert aside[["manager", "metric"]].values.tolist() == [
        ["*", "no_such_metric"],
        ["Anya Petrova", "talk_mean_min"],
    ]
    assert aside["reason"].str.startswith(("unknown metric", "unknown manager")).all()
    assert sorted(kept["metric"]) == ["delinquency_rate", "talk_mean_min"]
    # the department figures judge the kept targets: Anna 5 min >= 4 met, Boris 1 missed
    dept = department_figures(ds, period_start=OCT[0], period_end=OCT[1])
    k = dept.kpi.loc[dept.kpi["period"] == pd.Timestamp("2026-10-01", tz="UTC")]
    met = k.loc[k["metric"] == "talk_mean_min"].set_index("manager")["met"]
    assert bool(met["Anna Petrova"]) and not bool(met["Boris"])
    text = check_dataset(ds, metrics=KPI_METRICS).text()
    assert "Target rows set aside: 2" in text
    assert "manager '*', metric 'no_such_metric': unknown metric" in text


# --- tables without a file, coverage ----------------------------------------------------------


def test_a_table_without_a_file_is_one_line_not_zeros(tmp_path):
    ds = load_dataset(write_roster_department(tmp_path))
    dept = department_figures(ds, period_start=OCT[0], period_end=OCT[1])
    assert dept.absent_tables == ("tasks", "deals")
    anna = view_for(dept, ds.tasks, "Anna Petrova")
    shown = figures_table(anna)["definition"].tolist()
    assert shown == ["dials", "connected", "talk_mean_min"]
    said = headlines(anna)
    assert said[:2] == [
        "The export had no tasks file: tasks figures are not shown.",
        "The export had no deals file: deals figures are not shown.",
    ]
    assert not any("leads" in s or "tasks due" in s for s in said)


def test_a_partly_covered_period_is_a_warning_in_each_report(tmp_path):
    ds = load_dataset(write_roster_department(tmp_path))
    # calls run 2026-09-01 .. 2026-10-31: September and October covered; a period to the end
    # of November is covered in part
    dept = department_figures(ds, period_start="2026-10-01", period_end="2026-11-30")
    assert dept.coverage == (
        "calls cover only 2026-10-01 to 2026-10-31 of the period 2026-10-01 to 2026-11-30",
    )
    view = view_for(dept, ds.tasks, "Anna Petrova")
    assert "<b>Warning:</b> calls cover only 2026-10-01" in notes_html(view).data


# --- the runner's guards, before any kernel starts ---------------------------------------------


def _report(data: Path, out: Path, *extra: str) -> list[str]:
    return ["report", "--data", str(data), "--out", str(out), "--jobs", "1", *extra]


def test_a_table_that_lost_its_rows_stops_the_report_with_exit_3(tmp_path, capsys):
    data = write_roster_department(tmp_path / "data")
    calls = (data / "calls.csv").read_text(encoding="utf-8")
    calls += "".join(f"x{i},Anna Petrova,not a date,60,outbound,true\n" for i in range(3))
    (data / "calls.csv").write_text(calls, encoding="utf-8")
    # 20 good call rows + 3 bad: 3 / 23 = 13% > 10%
    code = main(_report(data, tmp_path / "out", "--from", OCT[0], "--to", OCT[1]))
    err = capsys.readouterr().err
    assert code == 3
    assert "data guard: more than 10% of the rows of calls were set aside" in err
    assert "calls: 3 of 23 rows set aside (13%)" in err
    assert "calls.csv row 22, column started_at: 'not a date'" in err
    # stopped before anything was written (the output folder was checked and locked first)
    assert list((tmp_path / "out").iterdir()) == []
    # a higher limit lets it through to the next check (a period after the data)
    late = ["--from", "2027-01-01", "--to", "2027-01-31", "--max-loss", "0.2"]
    assert main(_report(data, tmp_path / "out", *late)) == 2


def test_a_period_after_the_data_ends_exits_2_naming_the_coverage(tmp_path, capsys):
    data = write_roster_department(tmp_path / "data")
    code = main(_report(data, tmp_path / "out", "--from", "2026-12-01", "--to", "2026-12-31"))
    assert code == 2
    err = capsys.readouterr().err
    assert "the period 2026-12-01 to 2026-12-31 is outside the data" in err
    assert "(coverage: calls 2026-09-01 to 2026-10-31)" in err


def test_managers_miss_exits_2_with_the_nearest_name(tmp_path, capsys):
    data = write_roster_department(tmp_path / "data")
    args = _report(data, tmp_path / "out", "--from", OCT[0], "--to", OCT[1])
    assert main([*args, "--managers", "Ana Petrova"]) == 2
    assert "did you mean 'Anna Petrova'?" in capsys.readouterr().err
    # FALSE is in the CRM but not in the roster: no report for it either
    assert main([*args, "--managers", "FALSE"]) == 2
    assert "'FALSE' gets no report" in capsys.readouterr().err


# --- end to end: one batch ---------------------------------------------------------------------


@pytest.mark.notebook
def test_a_roster_batch_end_to_end(tmp_path):
    from workbench.reports.runner import render_reports

    data = write_roster_department(tmp_path / "data")
    calls = (data / "calls.csv").read_text(encoding="utf-8")
    # a typo: a stray call dated 2027-01-31 makes January 2027 "full" but it has one
    # row against a median of 10: --latest-month passes over it to October
    calls += "typo,Anna Petrova,2027-01-31T10:00:00Z,60,outbound,true\n"
    (data / "calls.csv").write_text(calls, encoding="utf-8")
    said = io.StringIO()
    run = render_reports(
        data, latest_month=True, managers=["  anna petrova ", "eve"], jobs=1,
        out=tmp_path / "out", progress=said, overview=False,
    )  # fmt: skip
    assert run.ok, run.to_dict()
    assert (run.period_start, run.period_end) == OCT
    assert [r.manager for r in run.reports] == ["Anna Petrova", "Eve"]
    printed = said.getvalue()
    assert "period 2026-10: the latest full month with regular activity" in printed
    assert "passed over 2027-01 (1 row against a median of" in printed
    anna = (run.out_dir / run.reports[0].html).read_text(encoding="utf-8")
    assert "Team figures are of the other 3 members of your team, North." in anna
    assert "The export had no deals file: deals figures are not shown." in anna
    for other in ("FALSE", "test user", "Boris", "Chen", "Gus"):
        assert other not in anna
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    assert "<li>Calls: calls.csv</li>" in index and "<li>Deals: no file" in index
    assert 'href="data_health.html"' in index
    health = (run.out_dir / "data_health.html").read_text(encoding="utf-8")
    assert "“FALSE” (2 rows), “test user” (2 rows)" in health
    assert re.search(
        r'<td data-label="KPI figure">No such metric</td>\s*'
        r'<td data-label="Reason">unknown metric \(not a metric the KPI check computes\)</td>',
        health,
    )
    assert "<script" not in health
