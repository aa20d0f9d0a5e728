"""Guardrails on tiny hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.catalogue import definitions
from workbench.metrics.guardrails import (
    GUARDRAIL_COLUMNS,
    RESULT_GUARDRAILS,
    TASK_GUARDRAILS,
    call_guardrails,
    guardrails,
    task_guardrails,
)

MARCH = pd.Timestamp("2026-03-01", tz="UTC")
APRIL = pd.Timestamp("2026-04-01", tz="UTC")


def _ts(values) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True), dtype="datetime64[us, UTC]")


def _tasks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task_id": pd.array(["t1", "t2", "t3", "t4", "t5", "t6"], dtype="str"),
            "manager": pd.array(["Anna"] * 4 + ["Boris"] * 2, dtype="str"),
            "due_at": _ts(
                [
                    "2026-03-10 12:00",  # t1 closed 30 min before: on time, last minute
                    "2026-03-20 12:00",  # t2 moved from 15 Mar, closed 4 h before, empty text
                    "2026-04-02 00:00",  # t3 moved from 31 Mar 23:00, closed late in April
                    None,  # t4 open, no deadline
                    "2026-04-05 10:00",  # t5 closed exactly at the deadline, no text
                    "2026-04-10 10:00",  # t6 "completed" without a completion time
                ]
            ),
            "original_due_at": _ts(
                [
                    "2026-03-10 12:00",
                    "2026-03-15 12:00",
                    "2026-03-31 23:00",
                    None,
                    None,
                    "2026-04-10 10:00",
                ]
            ),  # fmt: skip
            "completed_at": _ts(
                [
                    "2026-03-10 11:30",
                    "2026-03-20 08:00",
                    "2026-04-03 09:00",
                    None,
                    "2026-04-05 10:00",
                    None,
                ]
            ),  # fmt: skip
            "status": pd.array(["completed"] * 3 + ["open"] + ["completed"] * 2, dtype="str"),
            "description": pd.array(["called client", "  ", "done", "", None, "x"], dtype="str"),
        }
    )


def _calls() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "call_id": pd.array([f"c{i}" for i in range(1, 8)], dtype="str"),
            "manager": pd.array(["Anna"] * 4 + ["Boris"] * 3, dtype="str"),
            "started_at": _ts(
                [
                    "2026-03-01 00:00",
                    "2026-03-05 10:00",
                    "2026-03-31 23:30",
                    "2026-04-01 09:00",
                    "2026-04-02 09:00",
                    None,
                    "2026-04-03 09:00",
                ]
            ),  # fmt: skip
            "duration_s": [10.0, 30.0, 0.0, 20.0, 600.0, 5.0, 25.0],
            "answered": pd.array([True, True, True, False, pd.NA, True, True], dtype="boolean"),
        }
    )


def _row(table: pd.DataFrame, manager: str, period: pd.Timestamp) -> pd.Series:
    match = table.loc[(table["manager"] == manager) & (table["period"] == period)]
    assert len(match) == 1
    return match.iloc[0]


def test_call_guardrails_hand_values():
    result = call_guardrails(_calls())
    out = result.table
    # full grid: Anna, Boris x March, April
    assert len(out) == 4
    # Anna March: c1 (10 s) and c2 (30 s) connected, c3 has 0 s -> 2 connected;
    # short (< 30 s): c1 only -> 1/2
    anna = _row(out, "Anna", MARCH)
    assert (anna["connected_calls"], anna["short_calls"]) == (2, 1)
    assert anna["short_call_share"] == 0.5
    # Anna April: c4 not answered -> no connected call -> share NaN
    assert _row(out, "Anna", APRIL)["connected_calls"] == 0
    assert np.isnan(_row(out, "Anna", APRIL)["short_call_share"])
    # Boris April: c5 answered unknown (not connected), c7 25 s -> 1 of 1 short; c6 no time
    boris = _row(out, "Boris", APRIL)
    assert (boris["connected_calls"], boris["short_calls"], boris["short_call_share"]) == (1, 1, 1)
    assert result.set_aside == {"calls_unusable": 1}
    assert result.result_text_column is None


def test_call_guardrails_business_tz_and_threshold():
    calls = _calls()
    # 2026-03-31 23:30 UTC is 1 April 02:30 in Moscow: c3 (0 s) and c2 stay as they are,
    # so give c3 a 100 s talk time and check it lands in April
    calls.loc[2, "duration_s"] = 100.0
    out = call_guardrails(calls, tz="Europe/Moscow", short_call_s=120).table
    april = pd.Timestamp("2026-04-01", tz="Europe/Moscow")
    anna = _row(out, "Anna", april)
    # Anna April (Moscow): c3 100 s connected and short (< 120 s); c4 not answered
    assert (anna["connected_calls"], anna["short_calls"]) == (1, 1)


def test_task_guardrails_hand_values():
    result = task_guardrails(_tasks())
    out = result.table
    anna_march = _row(out, "Anna", MARCH)
    # deadlines first set in March: t1, t2 (15 Mar), t3 (31 Mar) -> 3; moved: t2, t3 -> 2/3
    assert (anna_march["deadline_tasks"], anna_march["postponed_tasks"]) == (3, 2)
    assert anna_march["postponed_share"] == pytest.approx(2 / 3)
    # completed in March: t1 (30 min early), t2 (4 h early): both on time, 1 last minute
    assert (anna_march["on_time_completions"], anna_march["last_minute_completions"]) == (2, 1)
    assert anna_march["last_minute_share"] == 0.5
    # empty description: t2 ("  ") -> 1/2
    assert (anna_march["completed_tasks"], anna_march["empty_description_completions"]) == (2, 1)
    assert anna_march["empty_description_share"] == 0.5

    anna_april = _row(out, "Anna", APRIL)
    # t3 completed late in April: 1 completed, 0 on time -> last-minute share NaN
    assert anna_april["deadline_tasks"] == 0 and np.isnan(anna_april["postponed_share"])
    assert (anna_april["completed_tasks"], anna_april["on_time_completions"]) == (1, 0)
    assert np.isnan(anna_april["last_minute_share"])
    assert anna_april["empty_description_share"] == 0.0

    boris_april = _row(out, "Boris", APRIL)
    # deadlines in April: t5 (original empty -> due_at), t6 -> 2, none moved
    assert (boris_april["deadline_tasks"], boris_april["postponed_share"]) == (2, 0.0)
    # t5 closed at the deadline (margin 0 h): on time and last minute; missing text -> empty;
    # t6 has no completion time: set aside
    assert boris_april["completed_tasks"] == 1
    assert boris_april["last_minute_share"] == 1.0
    assert boris_april["empty_description_share"] == 1.0
    assert result.set_aside == {
        "completed_without_time_or_manager": 1,
        "deadline_without_manager": 0,
    }
    assert _row(out, "Boris", MARCH)["deadline_tasks"] == 0
    # no result column in the contract: no result columns are made up
    assert list(out.columns) == ["manager", "period", *TASK_GUARDRAILS]
    assert result.result_text_column is None


def test_task_guardrails_result_column_and_window():
    tasks = _tasks().assign(
        result=pd.array(["ok", "met", "", None, "sent offer", "x"], dtype="str")
    )
    # a result column adds the result guardrail next to the description one:
    # empty results t3 ("") and t4 (open, not counted) -> Anna March 0/2 (t1 "ok", t2 "met"),
    # Anna April 1/1 (t3), Boris April 0/1 (t5 "sent offer"; t6 set aside)
    result = task_guardrails(tasks, last_minute_hours=5)
    out = result.table
    assert result.result_text_column == "result"
    assert list(out.columns) == ["manager", "period", *TASK_GUARDRAILS, *RESULT_GUARDRAILS]
    assert _row(out, "Anna", MARCH)["empty_result_share"] == 0.0
    assert _row(out, "Anna", APRIL)["empty_result_completions"] == 1
    assert _row(out, "Anna", APRIL)["empty_result_share"] == 1.0
    assert _row(out, "Boris", APRIL)["empty_result_share"] == 0.0
    # the description share is unchanged by the result column: Anna March t2 "  " -> 1/2
    assert _row(out, "Anna", MARCH)["empty_description_share"] == 0.5
    # a 5 h window makes t2 (4 h early) last minute too: Anna March 2/2
    assert _row(out, "Anna", MARCH)["last_minute_share"] == 1.0


def test_task_guardrails_without_description_say_unknown():
    out = task_guardrails(_tasks().drop(columns="description")).table
    # no description column: the count is unknown (NA), not zero
    assert out["empty_description_completions"].isna().all()
    assert out["empty_description_share"].isna().all()
    assert _row(out, "Anna", MARCH)["completed_tasks"] == 2


def test_every_guardrail_column_has_a_definition():
    names = set(definitions()["name"])
    columns = [*GUARDRAIL_COLUMNS, *RESULT_GUARDRAILS, "kpi_in_force"]
    assert len(GUARDRAIL_COLUMNS) == 12
    missing = [c for c in columns if c not in names]
    assert not missing, f"guardrail columns without a definition: {missing}"
    table = definitions().set_index("name").loc[columns]
    written = ["population", "time_anchor", "numerator", "denominator", "exclusions", "unit"]
    assert (table[[*written, "description"]].map(len) > 0).all().all()
    # a share pools over a window by its own count columns
    assert table.loc["short_call_share", "ratio"] == "sum short_calls / sum connected_calls"
    assert "description" in table.loc["empty_description_share", "numerator"]
    assert table.loc["empty_description_share", "denominator"] == "Completed tasks"


def test_guardrails_combined_with_kpi_in_force_and_weeks():
    targets = pd.DataFrame(
        {
            "manager": pd.array(["Anna", "*", "Boris"], dtype="str"),
            "metric": pd.array(["delinquency_rate"] * 2 + ["talk_mean_min"], dtype="str"),
            "target": [0.2, 0.3, 27.0],
            "direction": pd.array(["at_most"] * 3, dtype="str"),
            "effective_from": _ts(["2026-04-01", "2026-01-01", "2026-03-15"]),
            "effective_to": _ts([None, "2026-02-01", None]),
        }
    )
    result = guardrails(_tasks(), _calls(), targets=targets)
    out = result.table
    assert list(out.columns[:5]) == [
        "manager", "period", "connected_calls", "short_calls", "short_call_share"
    ]  # fmt: skip
    # Anna's KPI starts 1 April; the '*' row ended 1 Feb; Boris's starts mid-March
    assert out["kpi_in_force"].tolist() == [False, True, True, True]
    # the parts' counts are joined: calls (c6 without time) and tasks (t6 without time)
    assert result.set_aside == {
        "calls_unusable": 1,
        "completed_without_time_or_manager": 1,
        "deadline_without_manager": 0,
    }
    # only talk-time KPIs: Boris's row counts, Anna's delinquency target does not
    talk = guardrails(_tasks(), _calls(), targets=targets, kpi_metrics=["talk_mean_min"]).table
    assert talk["kpi_in_force"].tolist() == [False, False, True, True]
    weekly = guardrails(tasks=_tasks(), period="week").table
    assert (weekly["period"].dt.day_of_week == 0).all()
    # week Mon 9 - Sun 15 March holds t1 (first due Tue 10) and t2 (first due Sun 15)
    first = _row(weekly, "Anna", pd.Timestamp("2026-03-09", tz="UTC"))
    assert (first["deadline_tasks"], first["postponed_tasks"]) == (2, 1)


def test_guardrails_bad_input():
    with pytest.raises(KeyError, match="duration_s"):
        call_guardrails(_calls().drop(columns="duration_s"))
    naive = _tasks().assign(due_at=lambda t: t["due_at"].dt.tz_localize(None))
    with pytest.raises(TypeError, match="due_at"):
        task_guardrails(naive)
    with pytest.raises(ValueError, match="give tasks, calls"):
        guardrails()
