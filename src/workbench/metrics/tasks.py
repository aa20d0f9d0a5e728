"""Task metrics per manager x period: inflow, output, missed deadlines, backlog, lateness.

Every column is defined in :mod:`workbench.catalogue`; the code below follows those words.
The key choices: deadlines are judged against ``original_due_at`` (moving a deadline does not
hide a miss), completing exactly at the deadline is on time, and ``as_of`` is "now": a
completion after it has not happened yet and a deadline after it is not due yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.i18n import N_
from workbench.metrics.definition import from_rows
from workbench.metrics.grid import NEVER, PeriodGrid, instants_ns, make_grid, safe_ratio
from workbench.metrics.periods import to_instant

__all__ = ["TASK_COLUMNS", "task_metrics"]

# The words a manager reads (translated where shown, see workbench.i18n): plain enough to
# recompute a figure by hand, with no column names; docs/metrics.md maps the words to the
# columns ("original deadline" = original_due_at, "cut-off time" = as_of).
_T = N_("The manager's tasks")
_T_ALL = N_("All of the manager's tasks, cancelled ones included")
_CREATED = N_("When the task was created")
_COMPLETED = N_("When the task was completed")
_ORIGINAL = N_("The task's original deadline (as first set; postponing it does not move it)")
_DUE = N_(
    "The manager's tasks whose original deadline falls in the period and has passed by the "
    "report's cut-off time (a deadline still ahead is not due yet)"
)
_SNAP = N_(
    "The manager's tasks open at the end of the period (or at the report's cut-off time, if "
    "that is earlier): created by then and not completed by then"
)
_SNAP_TIME = N_("The end of the period, or the report's cut-off time if that is earlier")
_LATE = N_(
    "The manager's tasks completed after their original deadline (completed by the report's "
    "cut-off time)"
)
_WITH_DEADLINE = N_("The manager's tasks completed in the period that had a deadline")
_NOTHING = N_("Nothing")
_CANCELLED = N_("Cancelled tasks")
_CANCELLED_NO_DEADLINE = N_("Cancelled tasks; tasks without a deadline")
_CANCELLED_ON_TIME = N_("Cancelled tasks; tasks completed on time")
_DUE_IN_PERIOD = N_("Tasks due in the period")
_TASKS = N_("tasks")
_SHARE = N_("share, in %")
_DAYS = N_("days")

_TASK_ROWS = [
    ("tasks_new", _T_ALL, _CREATED, N_("Tasks created in the period"), "-", _NOTHING, _TASKS,
     N_("How much new work the manager got: the tasks created in the period.")),
    ("tasks_completed", _T, _COMPLETED, N_("Tasks completed in the period, up to the report's "
     "cut-off time"), "-", _CANCELLED, _TASKS, N_("Output: the tasks the manager completed.")),
    ("tasks_due", _DUE, _ORIGINAL, _DUE_IN_PERIOD, "-", _CANCELLED_NO_DEADLINE, _TASKS,
     N_("Tasks whose original deadline fell in the period: the tasks the overdue share is "
        "judged on.")),
    ("tasks_overdue", _DUE, _ORIGINAL, N_("Tasks due in the period that were not completed by "
     "their original deadline: completed later, or still open at the report's cut-off time"),
     "-", _CANCELLED, _TASKS, N_("Missed deadlines: overdue tasks done late plus overdue tasks "
     "still open. A task completed exactly at its deadline is on time, one second later is "
     "late; a task still open at the cut-off time whose deadline is that very moment is "
     "overdue.")),
    ("tasks_overdue_late", _DUE, _ORIGINAL, N_("Tasks due in the period and completed after "
     "their original deadline (by the report's cut-off time)"), "-", _CANCELLED, _TASKS,
     N_("Overdue tasks that were done, but late.")),
    ("tasks_overdue_open", _DUE, _ORIGINAL, N_("Tasks due in the period and still not "
     "completed at the report's cut-off time"), "-", _CANCELLED, _TASKS,
     N_("Overdue tasks still not done.")),
    ("delinquency_rate", _DUE, _ORIGINAL, N_("Overdue tasks: tasks due in the period and not "
     "completed by their original deadline"), _DUE_IN_PERIOD, _CANCELLED_NO_DEADLINE, _SHARE,
     N_("Share of deadlines missed among the tasks due in the period. The original deadline "
        "counts, so moving a deadline does not hide a miss.")),
    ("tasks_completed_on_time", _WITH_DEADLINE, _COMPLETED, N_("Tasks completed no later than "
     "their original deadline"), "-", _CANCELLED_NO_DEADLINE, _TASKS,
     N_("Completed tasks that met their original deadline.")),
    ("on_time_rate", _WITH_DEADLINE, _COMPLETED, N_("Tasks completed in the period no later "
     "than their original deadline"), N_("Tasks completed in the period that had a deadline"),
     _CANCELLED_NO_DEADLINE, _SHARE, N_("Share of the period's completed tasks (those with a "
     "deadline) that met the original deadline.")),
    ("open_overdue_at_end", _SNAP, _SNAP_TIME, N_("Open tasks whose current deadline (after "
     "any postponement) had passed by then"), "-", _CANCELLED_NO_DEADLINE, _TASKS,
     N_("The backlog of overdue tasks as the CRM shows it. It uses the current deadline, so "
        "postponing a task removes it from this count; the overdue share of tasks due does "
        "not forgive that.")),
    ("tasks_in_work_at_end", _SNAP, _SNAP_TIME, N_("Open tasks, with or without a deadline"),
     "-", _CANCELLED, _TASKS, N_("Tasks in work at the end of the period.")),
    ("overdue_share_in_work", _SNAP, _SNAP_TIME, N_("Open tasks whose current deadline (after "
     "any postponement) had passed by then"), N_("All open tasks, with or without a "
     "deadline"), _CANCELLED, _SHARE, N_("Overdue share as Bitrix24 shows it: overdue tasks "
     "among all the tasks in work.")),
    ("lateness_median_days", _LATE, _COMPLETED, N_("The median delay, in days, from the "
     "original deadline to completion: half of the late tasks were done later than this, "
     "half earlier"), "-", _CANCELLED_ON_TIME, _DAYS, N_("How late a typical late task is "
     "done.")),
    ("lateness_p90_days", _LATE, _COMPLETED, N_("The delay, in days, from the original "
     "deadline to completion that 90% of late tasks do not exceed (interpolated between the "
     "two nearest tasks)"), "-", _CANCELLED_ON_TIME, _DAYS, N_("How late the worst tenth of "
     "late tasks are done.")),
    ("late_lt_1d", _LATE, _COMPLETED, N_("Tasks completed less than 1 day after their "
     "original deadline"), "-", _CANCELLED, _TASKS, N_("Late tasks by delay: under a day.")),
    ("late_1_7d", _LATE, _COMPLETED, N_("Tasks completed at least 1 day and less than 7 days "
     "after their original deadline"), "-", _CANCELLED, _TASKS,
     N_("Late tasks by delay: 1 to 7 days.")),
    ("late_7_30d", _LATE, _COMPLETED, N_("Tasks completed at least 7 days and less than 30 "
     "days after their original deadline"), "-", _CANCELLED, _TASKS,
     N_("Late tasks by delay: 7 to 30 days.")),
    ("late_gt_30d", _LATE, _COMPLETED, N_("Tasks completed 30 days or more after their "
     "original deadline"), "-", _CANCELLED, _TASKS, N_("Late tasks by delay: 30 days or "
     "more.")),
    ("tasks_no_deadline", _T_ALL, _CREATED, N_("Tasks created in the period with no deadline "
     "at all (neither an original nor a current one)"), "-", _NOTHING, _TASKS,
     N_("Work without a deadline can never be late; watch this next to the overdue share of "
        "tasks due.")),
    ("tasks_postponed", _T_ALL, _CREATED, N_("Tasks created in the period whose current "
     "deadline is later than their original deadline"), "-", _NOTHING, _TASKS,
     N_("Tasks whose deadline was moved later.")),
]  # fmt: skip

# name: (label, kind, better). More tasks created, due or in work is workload, not
# performance: no direction. Late-bucket counts are descriptive: no direction either.
_TASK_READING = {
    "tasks_new": (N_("Tasks created"), "count", None),
    "tasks_completed": (N_("Tasks completed"), "count", "higher"),
    "tasks_due": (N_("Tasks due"), "count", None),
    "tasks_overdue": (N_("Tasks overdue"), "count", "lower"),
    "tasks_overdue_late": (N_("Overdue tasks done late"), "count", "lower"),
    "tasks_overdue_open": (N_("Overdue tasks still open"), "count", "lower"),
    "delinquency_rate": (N_("Overdue share of tasks due"), "rate", "lower"),
    "tasks_completed_on_time": (N_("Tasks completed on time"), "count", "higher"),
    "on_time_rate": (N_("On-time share of completed tasks"), "rate", "higher"),
    "open_overdue_at_end": (N_("Open overdue tasks at period end"), "count", "lower"),
    "tasks_in_work_at_end": (N_("Tasks in work at period end"), "count", None),
    "overdue_share_in_work": (N_("Overdue share of tasks in work"), "rate", "lower"),
    "lateness_median_days": (N_("Median lateness"), "days", "lower"),
    "lateness_p90_days": (N_("90th-percentile lateness"), "days", "lower"),
    "late_lt_1d": (N_("Late by under a day"), "count", None),
    "late_1_7d": (N_("Late by 1 to 7 days"), "count", None),
    "late_7_30d": (N_("Late by 7 to 30 days"), "count", None),
    "late_gt_30d": (N_("Late by 30 days or more"), "count", None),
    "tasks_no_deadline": (N_("Tasks created without a deadline"), "count", "lower"),
    "tasks_postponed": (N_("Tasks with a postponed deadline"), "count", "lower"),
}
# Rates whose window value is a ratio of summed columns (on_time_rate's denominator, the
# completions with a deadline, is not a column, so it does not pool).
_TASK_POOLING = {"delinquency_rate": (("tasks_overdue", ("tasks_due",)), 1.0)}

DEFINITIONS = from_rows(_TASK_ROWS, _TASK_READING, _TASK_POOLING)


TASK_COLUMNS = (
    "tasks_new",
    "tasks_completed",
    "tasks_due",
    "tasks_overdue",
    "tasks_overdue_late",
    "tasks_overdue_open",
    "delinquency_rate",
    "tasks_completed_on_time",
    "on_time_rate",
    "open_overdue_at_end",
    "tasks_in_work_at_end",
    "overdue_share_in_work",
    "lateness_median_days",
    "lateness_p90_days",
    "late_lt_1d",
    "late_1_7d",
    "late_7_30d",
    "late_gt_30d",
    "tasks_no_deadline",
    "tasks_postponed",
)
_DAY_NS = 86_400 * 10**9


def _timestamps(tasks: pd.DataFrame, col: str, fallback: str | None = None) -> pd.Series:
    """A timestamp column, or ``fallback`` / all-NaT if the optional column is absent."""
    if col in tasks.columns:
        return tasks[col]
    if fallback is not None and fallback in tasks.columns:
        return tasks[fallback]
    return pd.Series(pd.NaT, index=tasks.index, dtype=tasks["created_at"].dtype)


def _snapshot_counts(
    grid: PeriodGrid, mi: np.ndarray, start: np.ndarray, stop: np.ndarray, as_of: int
) -> np.ndarray:
    """Per cell: rows with ``start <= S < stop`` at snapshot S = min(period end, as_of).

    "At the end of the period" means before the next period starts (end exclusive). A row
    enters every snapshot from the first period ending after ``start`` and leaves from the
    first ending after ``stop``; events after ``as_of`` never happen.
    """
    ends = grid.ends().as_unit("ns").asi8
    n_m, n_p = len(grid.managers), grid.n_periods

    def cumulative(t: np.ndarray) -> np.ndarray:
        keep = (t <= as_of) & (mi >= 0)
        idx = np.searchsorted(ends, t[keep], side="right")
        inside = idx < n_p
        cells = mi[keep][inside] * n_p + idx[inside]
        counts = np.bincount(cells, minlength=n_m * n_p).reshape(n_m, n_p)
        return counts.cumsum(axis=1).ravel()

    return (cumulative(start) - cumulative(np.maximum(start, stop))).astype(np.int64)


def task_metrics(
    tasks: pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    as_of=None,
    start=None,
    end=None,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Task metrics, one row per manager x period (columns: ``TASK_COLUMNS``).

    Parameters
    ----------
    tasks : canonical tasks table (see :mod:`workbench.data.schema`).
    period : ``"week"`` (Monday start) or ``"month"``, in the business time zone ``tz``.
    tz : business time zone of the period buckets.
    as_of : instant "now" is evaluated at (ISO string or Timestamp); default = the latest
        ``created_at`` / ``completed_at`` in the table.
    start, end : first and last period reported (any instant inside them); default = the
        span of created / completed / due-by-as_of timestamps.
    managers : managers that get rows even with no tasks (added to those in the data).

    Returns
    -------
    DataFrame with ``manager``, ``period`` (tz-aware period start) and ``TASK_COLUMNS``;
    every manager x period in range has a row; rates are NaN when their denominator is 0.
    """
    require_columns(
        tasks,
        ["manager", "created_at", "status"],
        table="tasks table",
        not_null=["manager", "created_at"],
    )
    created_ts = tasks["created_at"]
    completed_ts = _timestamps(tasks, "completed_at")
    due_ts = _timestamps(tasks, "due_at")
    # The contract: original_due_at defaults to due_at (also where it is empty).
    orig_ts = _timestamps(tasks, "original_due_at", fallback="due_at")
    orig_ts = orig_ts.where(orig_ts.notna(), due_ts)

    created = instants_ns(created_ts)
    completed = instants_ns(completed_ts)
    due = instants_ns(due_ts)
    orig = instants_ns(orig_ts)
    cancelled = (tasks["status"] == "cancelled").to_numpy(dtype=bool)

    as_of_ts = to_instant(as_of, tz=tz)
    if as_of_ts is None:
        events = np.concatenate([created, completed[completed != NEVER]])
        as_of_ns = int(events.max()) if len(events) else NEVER
    else:
        as_of_ns = int(pd.Timestamp(as_of_ts).as_unit("ns").value)

    # "Now" is as_of: later completions are not known, later deadlines not due yet.
    exists = created <= as_of_ns
    done = exists & ~cancelled & (completed <= as_of_ns)
    completed_eff = np.where(done, completed, NEVER)
    has_deadline = orig != NEVER
    is_due = exists & ~cancelled & has_deadline & (orig <= as_of_ns)

    due_in_span = orig_ts.where(is_due)
    grid = make_grid(
        [tasks["manager"]],
        [created_ts[exists], completed_ts[done], due_in_span],
        period=period,
        tz=tz,
        start=start,
        end=end,
        managers=managers,
    )
    mi = grid.manager_index(tasks["manager"])
    c_created = grid.cells(mi, created_ts, "created_at")
    c_completed = grid.cells(mi, completed_ts, "completed_at")
    c_due = grid.cells(mi, orig_ts, "original_due_at")

    cols: dict[str, np.ndarray] = {}
    cols["tasks_new"] = grid.count(c_created, exists)
    cols["tasks_completed"] = grid.count(c_completed, done)

    late = is_due & (completed_eff > orig)  # includes "not completed by as_of"
    open_at_as_of = completed_eff == NEVER
    cols["tasks_due"] = grid.count(c_due, is_due)
    cols["tasks_overdue"] = grid.count(c_due, late)
    cols["tasks_overdue_late"] = grid.count(c_due, late & ~open_at_as_of)
    cols["tasks_overdue_open"] = grid.count(c_due, late & open_at_as_of)
    cols["delinquency_rate"] = safe_ratio(cols["tasks_overdue"], cols["tasks_due"])

    done_with_deadline = done & has_deadline
    on_time = done_with_deadline & (completed <= orig)
    cols["tasks_completed_on_time"] = grid.count(c_completed, on_time)
    cols["on_time_rate"] = safe_ratio(
        cols["tasks_completed_on_time"], grid.count(c_completed, done_with_deadline)
    )

    # Snapshots: open = created and not completed; overdue = also past the current deadline.
    live = exists & ~cancelled
    created_live = np.where(live, created, NEVER)
    overdue_from = np.where(live, np.maximum(created, due), NEVER)
    cols["open_overdue_at_end"] = _snapshot_counts(grid, mi, overdue_from, completed_eff, as_of_ns)
    cols["tasks_in_work_at_end"] = _snapshot_counts(grid, mi, created_live, completed_eff, as_of_ns)
    cols["overdue_share_in_work"] = safe_ratio(
        cols["open_overdue_at_end"], cols["tasks_in_work_at_end"]
    )

    done_late = done_with_deadline & (completed > orig)
    lateness = np.where(done_late, (completed - np.where(done_late, orig, 0)) / _DAY_NS, np.nan)
    cols["lateness_median_days"], cols["lateness_p90_days"] = grid.quantiles(
        c_completed, lateness, [0.5, 0.9], mask=done_late
    )
    cols["late_lt_1d"] = grid.count(c_completed, done_late & (lateness < 1))
    cols["late_1_7d"] = grid.count(c_completed, done_late & (lateness >= 1) & (lateness < 7))
    cols["late_7_30d"] = grid.count(c_completed, done_late & (lateness >= 7) & (lateness < 30))
    cols["late_gt_30d"] = grid.count(c_completed, done_late & (lateness >= 30))

    cols["tasks_no_deadline"] = grid.count(c_created, exists & (due == NEVER) & ~has_deadline)
    cols["tasks_postponed"] = grid.count(
        c_created, exists & has_deadline & (due != NEVER) & (due > orig)
    )
    return grid.frame({name: cols[name] for name in TASK_COLUMNS})
