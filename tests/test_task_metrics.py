"""Task metrics checked against values worked out by hand on tiny tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.metrics.tasks import TASK_COLUMNS, task_metrics

from helpers import tasks_table as _tasks


def _row(out: pd.DataFrame, manager: str, period: str, tz: str = "UTC") -> pd.Series:
    hit = out.loc[(out["manager"] == manager) & (out["period"] == pd.Timestamp(period, tz=tz))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_deadline_exactly_at_as_of():
    # Both deadlines are 2026-01-20 18:00 UTC = as_of, so both are due (deadline <= as_of).
    # t1 is open at as_of: not done by the deadline -> overdue, open.
    # t2 completed exactly at the deadline -> on time.  delinquency = 1 / 2 = 0.5.
    tasks = _tasks([
        {"created_at": "2026-01-02T09:00Z", "due_at": "2026-01-20T18:00Z"},
        {"created_at": "2026-01-02T09:00Z", "due_at": "2026-01-20T18:00Z",
         "completed_at": "2026-01-20T18:00Z"},
    ])  # fmt: skip
    r = _row(task_metrics(tasks, as_of="2026-01-20T18:00Z"), "Anna", "2026-01-01")
    assert (r.tasks_due, r.tasks_overdue, r.tasks_overdue_open, r.tasks_overdue_late) == (
        2,
        1,
        1,
        0,
    )
    assert r.delinquency_rate == 0.5
    assert (r.tasks_completed, r.tasks_completed_on_time, r.on_time_rate) == (1, 1, 1.0)
    # One second earlier nothing is due yet and t2's completion has not happened.
    r = _row(task_metrics(tasks, as_of="2026-01-20T17:59:59Z"), "Anna", "2026-01-01")
    assert (r.tasks_due, r.tasks_completed) == (0, 0)
    assert np.isnan(r.delinquency_rate) and np.isnan(r.on_time_rate)
    assert r.tasks_in_work_at_end == 2 and r.open_overdue_at_end == 0


def test_completed_one_second_late():
    # Deadline 12:00:00, done 12:00:01: late by 1 s = 1/86400 day (< 1 day bucket).
    tasks = _tasks([{"created_at": "2026-01-05T08:00Z", "due_at": "2026-01-10T12:00:00Z",
                     "completed_at": "2026-01-10T12:00:01Z"}])  # fmt: skip
    r = _row(task_metrics(tasks), "Anna", "2026-01-01")
    assert (r.tasks_due, r.tasks_overdue, r.tasks_overdue_late) == (1, 1, 1)
    assert r.delinquency_rate == 1.0 and r.on_time_rate == 0.0
    assert r.lateness_median_days == pytest.approx(1 / 86400)
    assert (r.late_lt_1d, r.late_1_7d, r.late_7_30d, r.late_gt_30d) == (1, 0, 0, 0)


def test_date_only_deadline_is_end_of_day_in_business_tz():
    # A date-only deadline 2026-01-31 is loaded as 23:59:59.999999 Moscow time (20:59:59Z).
    # t1 done 23:00 Moscow: on time.  t2 done 2026-02-01 00:00 Moscow (= Jan 31 21:00 UTC):
    # late by 1 microsecond, and completed in FEBRUARY in Moscow time.
    eod = "2026-01-31T23:59:59.999999+03:00"
    tasks = _tasks([
        {"created_at": "2026-01-10T10:00+03:00", "due_at": eod,
         "completed_at": "2026-01-31T23:00+03:00"},
        {"created_at": "2026-01-10T10:00+03:00", "due_at": eod,
         "completed_at": "2026-02-01T00:00+03:00"},
    ])  # fmt: skip
    out = task_metrics(tasks, tz="Europe/Moscow")
    jan = _row(out, "Anna", "2026-01-01", "Europe/Moscow")
    feb = _row(out, "Anna", "2026-02-01", "Europe/Moscow")
    # Due cohort January: 2 due, 1 overdue (late) -> 0.5.
    assert (jan.tasks_due, jan.tasks_overdue_late, jan.delinquency_rate) == (2, 1, 0.5)
    assert (jan.tasks_completed, jan.on_time_rate) == (1, 1.0)
    assert (feb.tasks_completed, feb.on_time_rate, feb.late_lt_1d) == (1, 0.0, 1)
    # In UTC both completions fall in January.
    assert _row(task_metrics(tasks, tz="UTC"), "Anna", "2026-01-01").tasks_completed == 2


def test_moscow_dst_day_2011_and_modern_day_without_dst():
    # 2011-03-27 Moscow went +03 -> +04.  End of that day = 23:59:59.999999+04:00.
    # Done 23:30+04:00 -> on time, due in the week of Monday 2011-03-21 (+03:00).
    # 2026-03-29: no DST, end of day +03:00; done the next day 00:30 -> late by 30 min.
    tasks = _tasks([
        {"created_at": "2011-03-21T10:00+03:00", "due_at": "2011-03-27T23:59:59.999999+04:00",
         "completed_at": "2011-03-27T23:30+04:00"},
        {"created_at": "2026-03-23T10:00+03:00", "due_at": "2026-03-29T23:59:59.999999+03:00",
         "completed_at": "2026-03-30T00:30+03:00"},
    ])  # fmt: skip
    tz = "Europe/Moscow"
    # as_of must be past the deadline: by default it is the last event (the completion at
    # 23:30), and a deadline after as_of is not due yet.
    old = task_metrics(tasks.iloc[[0]], period="week", tz=tz, as_of="2011-04-01")
    r = _row(old, "Anna", "2011-03-21", tz)
    assert (r.tasks_due, r.tasks_overdue, r.on_time_rate) == (1, 0, 1.0)
    assert r.period.utcoffset() == pd.Timedelta(hours=3)
    new = task_metrics(tasks.iloc[[1]], period="week", tz=tz)
    due_week = _row(new, "Anna", "2026-03-23", tz)
    done_week = _row(new, "Anna", "2026-03-30", tz)
    assert (due_week.tasks_due, due_week.tasks_overdue_late) == (1, 1)
    # 30 minutes after 23:59:59.999999 = 30 min + 1 us late.
    assert done_week.lateness_median_days == pytest.approx(30 / 1440, abs=1e-9)


def test_berlin_dst_days_2026():
    # 2026-03-29 (+01 -> +02): deadline end of day 23:59:59.999999+02:00, still open at as_of
    # 2026-04-10 -> due & overdue in the week of 2026-03-23; backlog from then on.
    # 2026-10-25 (+02 -> +01): deadline 02:30+02:00 (00:30Z), done 02:30+01:00 (01:30Z):
    # the same wall-clock time, but 1 hour late = 1/24 day.
    tz = "Europe/Berlin"
    tasks = _tasks([
        {"created_at": "2026-03-23T10:00+01:00", "due_at": "2026-03-29T23:59:59.999999+02:00"},
        {"created_at": "2026-10-20T10:00+02:00", "due_at": "2026-10-25T02:30+02:00",
         "completed_at": "2026-10-25T02:30+01:00"},
    ])  # fmt: skip
    out = task_metrics(tasks, period="week", tz=tz, as_of="2026-10-31", start="2026-03-16")
    mar = _row(out, "Anna", "2026-03-23", tz)
    assert (mar.tasks_due, mar.tasks_overdue_open, mar.open_overdue_at_end) == (1, 1, 1)
    assert _row(out, "Anna", "2026-03-16", tz).open_overdue_at_end == 0
    oct_ = _row(out, "Anna", "2026-10-19", tz)
    assert oct_.tasks_overdue_late == 1
    assert oct_.lateness_median_days == pytest.approx(1 / 24)
    # Week of Oct 19: in work at its end = t1 (open) only; t1 overdue -> share 1/1.
    assert (oct_.tasks_in_work_at_end, oct_.overdue_share_in_work) == (1, 1.0)


def test_postponed_deadline():
    # Original deadline Jan 10, moved to Feb 10, done Feb 5.
    # Jan: created 1, postponed 1; due cohort Jan: 1 due, overdue late (Feb 5 > Jan 10) -> 1.0.
    # Jan-end snapshot: open, current deadline Feb 10 not passed -> backlog 0 of 1 in work.
    # Feb: completed 1, not on time against the ORIGINAL deadline; late 26 days (7-30 bucket).
    tasks = _tasks([{"created_at": "2026-01-02T10:00Z", "original_due_at": "2026-01-10T10:00Z",
                     "due_at": "2026-02-10T10:00Z",
                     "completed_at": "2026-02-05T10:00Z"}])  # fmt: skip
    out = task_metrics(tasks)
    jan, feb = _row(out, "Anna", "2026-01-01"), _row(out, "Anna", "2026-02-01")
    assert (jan.tasks_new, jan.tasks_postponed, jan.tasks_due, jan.delinquency_rate) == (
        1,
        1,
        1,
        1.0,
    )
    assert (jan.open_overdue_at_end, jan.tasks_in_work_at_end, jan.overdue_share_in_work) == (
        0, 1, 0.0)  # fmt: skip
    assert (feb.tasks_completed, feb.on_time_rate, feb.late_7_30d) == (1, 0.0, 1)
    assert feb.lateness_median_days == pytest.approx(26.0)
    assert feb.tasks_in_work_at_end == 0


def test_lateness_quantiles_and_buckets():
    # Lateness 0.5, 2, 10, 30 days, all completed in March.
    # median: position 0.5*3 = 1.5 -> 2 + 0.5*(10-2) = 6.
    # p90: position 0.9*3 = 2.7 -> 10 + 0.7*(30-10) = 24.
    # Buckets: 0.5 -> <1d, 2 -> 1-7d, 10 -> 7-30d, 30 -> >30d (30 is [30, inf)).
    due = pd.Timestamp("2026-03-01T00:00Z")
    rows = [{"created_at": "2026-02-20T00:00Z", "due_at": due.isoformat(),
             "completed_at": (due + pd.Timedelta(days=d)).isoformat()}
            for d in (0.5, 2, 10, 30)]  # fmt: skip
    r = _row(task_metrics(_tasks(rows)), "Anna", "2026-03-01")
    assert r.lateness_median_days == pytest.approx(6.0)
    assert r.lateness_p90_days == pytest.approx(24.0)
    assert (r.late_lt_1d, r.late_1_7d, r.late_7_30d, r.late_gt_30d) == (1, 1, 1, 1)


def test_snapshots_cancelled_and_no_deadline():
    # as_of = 2026-02-15.  Tasks of Anna:
    # a: created Jan 5, due Jan 20, done Feb 10  -> overdue backlog at Jan end, not at Feb 15.
    # b: created Jan 6, no deadline, open        -> in work at both snapshots, never overdue.
    # c: created Jan 7, due Jan 25, cancelled    -> left out of due, in-work and backlog.
    # d: created Feb 1, due Feb 12, open         -> overdue at the Feb snapshot (Feb 15).
    # Jan: in work a, b = 2; overdue a = 1 -> share 0.5.  due cohort Jan: a (late) -> 1 of 1.
    # Feb (snapshot = as_of): in work b, d = 2; overdue d = 1 -> 0.5; due Feb: d open -> 1 of 1.
    tasks = _tasks([
        {"created_at": "2026-01-05T00:00Z", "due_at": "2026-01-20T00:00Z",
         "completed_at": "2026-02-10T00:00Z"},
        {"created_at": "2026-01-06T00:00Z"},
        {"created_at": "2026-01-07T00:00Z", "due_at": "2026-01-25T00:00Z", "status": "cancelled"},
        {"created_at": "2026-02-01T00:00Z", "due_at": "2026-02-12T00:00Z"},
    ])  # fmt: skip
    out = task_metrics(tasks, as_of="2026-02-15T00:00Z")
    jan, feb = _row(out, "Anna", "2026-01-01"), _row(out, "Anna", "2026-02-01")
    assert (jan.tasks_new, jan.tasks_no_deadline, jan.tasks_due, jan.tasks_overdue) == (3, 1, 1, 1)
    assert (jan.tasks_in_work_at_end, jan.open_overdue_at_end, jan.overdue_share_in_work) == (
        2, 1, 0.5)  # fmt: skip
    assert (feb.tasks_in_work_at_end, feb.open_overdue_at_end, feb.overdue_share_in_work) == (
        2, 1, 0.5)  # fmt: skip
    assert (feb.tasks_due, feb.tasks_overdue_open, feb.tasks_completed) == (1, 1, 1)


def test_week_vs_month():
    # Created Mon Feb 2, Sun Feb 8, Mon Feb 9: weeks Feb 2 -> 2, Feb 9 -> 1; month Feb -> 3.
    tasks = _tasks([{"created_at": d} for d in
                    ("2026-02-02T00:00Z", "2026-02-08T23:59Z", "2026-02-09T00:00Z")])  # fmt: skip
    weeks = task_metrics(tasks, period="week")
    assert weeks["tasks_new"].tolist() == [2, 1]
    assert weeks["period"].tolist() == [pd.Timestamp("2026-02-02", tz="UTC"),
                                        pd.Timestamp("2026-02-09", tz="UTC")]  # fmt: skip
    assert task_metrics(tasks, period="month")["tasks_new"].tolist() == [3]


def test_zero_rows_for_quiet_managers_and_columns():
    # Boris has no tasks: he gets a row per period with zeros and NaN rates.
    tasks = _tasks([{"created_at": "2026-01-05T00:00Z"}])
    out = task_metrics(tasks, managers=["Boris"], start="2026-01-01", end="2026-03-31")
    assert list(out.columns) == ["manager", "period", *TASK_COLUMNS]
    assert len(out) == 2 * 3  # 2 managers x Jan..Mar
    boris = out.loc[out["manager"] == "Boris"]
    assert (boris["tasks_new"] == 0).all() and boris["delinquency_rate"].isna().all()
    # Anna's only task stays in work through March.
    assert out.loc[out["manager"] == "Anna", "tasks_in_work_at_end"].tolist() == [1, 1, 1]


def test_empty_input():
    empty = _tasks([{"created_at": "2026-01-05T00:00Z"}]).iloc[:0]
    out = task_metrics(empty)
    assert list(out.columns) == ["manager", "period", *TASK_COLUMNS] and len(out) == 0
    out = task_metrics(empty, managers=["Anna"], start="2026-01-01", end="2026-02-01")
    assert len(out) == 2 and (out["tasks_due"] == 0).all()
    assert out["delinquency_rate"].isna().all()


def test_bad_input_named():
    tasks = _tasks([{"created_at": "2026-01-05T00:00Z"}])
    with pytest.raises(ValueError, match="tasks table: missing column.*status"):
        task_metrics(tasks.drop(columns="status"))
    tasks.loc[0, "manager"] = None
    with pytest.raises(ValueError, match="tasks table: column 'manager'"):
        task_metrics(tasks)


def test_original_deadline_defaults_to_due_at():
    # original_due_at empty but due_at Jan 10: judged against Jan 10 -> done Jan 12 is late.
    tasks = _tasks([{"created_at": "2026-01-02T00:00Z", "due_at": "2026-01-10T00:00Z",
                     "original_due_at": None, "completed_at": "2026-01-12T00:00Z"}])  # fmt: skip
    r = _row(task_metrics(tasks), "Anna", "2026-01-01")
    assert (r.tasks_due, r.tasks_overdue_late, r.late_1_7d) == (1, 1, 1)
    assert r.lateness_median_days == pytest.approx(2.0)


def test_window_after_the_events_keeps_the_backlog():
    # Reporting March only: the task created Jan 5 (due Jan 20, still open) is not new in
    # March but is still in work and overdue at the March snapshot: 1 of 1.
    tasks = _tasks([{"created_at": "2026-01-05T00:00Z", "due_at": "2026-01-20T00:00Z"}])
    out = task_metrics(tasks, start="2026-03-01", end="2026-03-31", as_of="2026-04-15")
    assert len(out) == 1
    r = out.iloc[0]
    assert (r.tasks_new, r.tasks_due, r.tasks_in_work_at_end, r.open_overdue_at_end) == (0, 0, 1, 1)
    assert r.overdue_share_in_work == 1.0
