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
from workbench.metrics.definition import from_rows
from workbench.metrics.grid import NEVER, PeriodGrid, instants_ns, make_grid, safe_ratio
from workbench.metrics.periods import to_instant

__all__ = ["TASK_COLUMNS", "task_metrics"]

_T = "tasks of the manager"
_NOT_CANCELLED = "cancelled tasks"
_DUE = (
    "due tasks: original_due_at in the period and <= as_of, status not cancelled "
    "(a deadline after as_of is not due yet)"
)
_SNAP = (
    "snapshot at min(period end, as_of): tasks created <= snapshot, not cancelled, "
    "not completed by the snapshot (completed_at NaT or > snapshot)"
)
_LATE = "tasks completed late: completed_at > original_due_at, completed_at <= as_of"

_TASK_ROWS = [
    ("tasks_new", _T, "created_at", "tasks created in the period", "-", "none", "tasks",
     "Inflow of work: tasks created."),
    ("tasks_completed", _T, "completed_at", "tasks completed in the period (completed_at <= "
     "as_of)", "-", _NOT_CANCELLED, "tasks", "Output: tasks completed."),
    ("tasks_due", _T, "original_due_at", _DUE, "-", _NOT_CANCELLED + "; tasks without a "
     "deadline", "tasks", "Due-date cohort: tasks whose original deadline fell in the period."),
    ("tasks_overdue", _DUE, "original_due_at", "due tasks not completed by the original "
     "deadline: completed_at > original_due_at, or not completed at as_of", "-",
     _NOT_CANCELLED, "tasks", "Missed deadlines; = tasks_overdue_late + tasks_overdue_open. "
     "Completed exactly at the deadline is on time, one second later is late; a task still "
     "open at as_of whose deadline is exactly as_of counts as overdue (not done by it)."),
    ("tasks_overdue_late", _DUE, "original_due_at", "due tasks completed after the original "
     "deadline (and by as_of)", "-", _NOT_CANCELLED, "tasks", "Overdue, done late."),
    ("tasks_overdue_open", _DUE, "original_due_at", "due tasks still not completed at as_of",
     "-", _NOT_CANCELLED, "tasks", "Overdue, still open."),
    ("delinquency_rate", _DUE, "original_due_at", "tasks_overdue", "tasks_due",
     _NOT_CANCELLED + "; tasks without a deadline", "fraction 0..1",
     "Share of deadlines missed, by due-date cohort; the original deadline counts, so "
     "moving a deadline does not hide a miss."),
    ("tasks_completed_on_time", "tasks completed in the period that had a deadline",
     "completed_at", "completed_at <= original_due_at", "-", _NOT_CANCELLED + "; tasks "
     "without a deadline", "tasks", "Completions that met the original deadline."),
    ("on_time_rate", "tasks completed in the period that had a deadline", "completed_at",
     "tasks_completed_on_time", "tasks completed in the period with an original_due_at",
     _NOT_CANCELLED + "; tasks without a deadline", "fraction 0..1",
     "Share of the period's completions that met the original deadline."),
    ("open_overdue_at_end", _SNAP, "snapshot at min(period end, as_of)", "open tasks whose "
     "current deadline due_at <= snapshot", "-", _NOT_CANCELLED + "; tasks without a "
     "deadline", "tasks", "Backlog of overdue tasks as the CRM shows it; uses the current "
     "deadline, so postponing removes a task from it (delinquency_rate does not)."),
    ("tasks_in_work_at_end", _SNAP, "snapshot at min(period end, as_of)", "open tasks", "-",
     _NOT_CANCELLED, "tasks", "Tasks in work at the snapshot, with or without a deadline."),
    ("overdue_share_in_work", _SNAP, "snapshot at min(period end, as_of)",
     "open_overdue_at_end", "tasks_in_work_at_end", _NOT_CANCELLED, "fraction 0..1",
     "Bitrix24-style overdue share: overdue among all open tasks in work."),
    ("lateness_median_days", _LATE, "completed_at", "median of (completed_at - "
     "original_due_at) in days", "-", _NOT_CANCELLED + "; on-time tasks", "days",
     "Typical delay of a late completion."),
    ("lateness_p90_days", _LATE, "completed_at", "90th percentile (linear interpolation) of "
     "(completed_at - original_due_at) in days", "-", _NOT_CANCELLED + "; on-time tasks",
     "days", "Delay of the worst tenth of late completions."),
    ("late_lt_1d", _LATE, "completed_at", "late completions with lateness < 1 day", "-",
     _NOT_CANCELLED, "tasks", "Lateness bucket (0, 1) days."),
    ("late_1_7d", _LATE, "completed_at", "late completions with 1 <= lateness < 7 days", "-",
     _NOT_CANCELLED, "tasks", "Lateness bucket [1, 7) days."),
    ("late_7_30d", _LATE, "completed_at", "late completions with 7 <= lateness < 30 days",
     "-", _NOT_CANCELLED, "tasks", "Lateness bucket [7, 30) days."),
    ("late_gt_30d", _LATE, "completed_at", "late completions with lateness >= 30 days", "-",
     _NOT_CANCELLED, "tasks", "Lateness bucket [30, inf) days."),
    ("tasks_no_deadline", _T, "created_at", "tasks created in the period with no deadline "
     "(due_at and original_due_at NaT)", "-", "none", "tasks",
     "Work without a deadline cannot be late; watch this next to delinquency_rate."),
    ("tasks_postponed", _T, "created_at", "tasks created in the period whose due_at is later "
     "than original_due_at", "-", "none", "tasks", "Tasks whose deadline was moved later."),
]  # fmt: skip

# name: (label, kind, better). More tasks created, due or in work is workload, not
# performance: no direction. Late-bucket counts are descriptive: no direction either.
_TASK_READING = {
    "tasks_new": ("Tasks created", "count", None),
    "tasks_completed": ("Tasks completed", "count", "higher"),
    "tasks_due": ("Tasks due", "count", None),
    "tasks_overdue": ("Tasks overdue", "count", "lower"),
    "tasks_overdue_late": ("Overdue tasks done late", "count", "lower"),
    "tasks_overdue_open": ("Overdue tasks still open", "count", "lower"),
    "delinquency_rate": ("Overdue share of tasks due", "rate", "lower"),
    "tasks_completed_on_time": ("Tasks completed on time", "count", "higher"),
    "on_time_rate": ("On-time share of completed tasks", "rate", "higher"),
    "open_overdue_at_end": ("Open overdue tasks at period end", "count", "lower"),
    "tasks_in_work_at_end": ("Tasks in work at period end", "count", None),
    "overdue_share_in_work": ("Overdue share of tasks in work", "rate", "lower"),
    "lateness_median_days": ("Median lateness", "days", "lower"),
    "lateness_p90_days": ("90th-percentile lateness", "days", "lower"),
    "late_lt_1d": ("Late by under a day", "count", None),
    "late_1_7d": ("Late by 1 to 7 days", "count", None),
    "late_7_30d": ("Late by 7 to 30 days", "count", None),
    "late_gt_30d": ("Late by 30 days or more", "count", None),
    "tasks_no_deadline": ("Tasks created without a deadline", "count", "lower"),
    "tasks_postponed": ("Tasks with a postponed deadline", "count", "lower"),
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
