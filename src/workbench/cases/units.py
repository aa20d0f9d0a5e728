"""Unit tables of the case studies: one row per due task, one row per connected call.

The case statistics resample units, not monthly averages; these tables follow the metric
definitions exactly, so that the monthly means of a unit column are the metric table's
column (``delinquency_rate`` of :mod:`workbench.metrics.tasks`, ``talk_mean_min`` of
:mod:`workbench.metrics.calls`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.metrics.grid import NEVER, instants_ns
from workbench.metrics.periods import to_instant

__all__ = ["Units", "due_task_units", "connected_call_units"]


@dataclass(frozen=True, eq=False)
class Units:
    """What :func:`due_task_units` and :func:`connected_call_units` return.

    Attributes
    ----------
    table : DataFrame
        One row per unit (columns in each function's notes).
    excluded : dict[str, int]
        Rows of the input outside the population, by reason; with ``len(table)`` they add
        up to the rows given.
    """

    table: pd.DataFrame
    excluded: dict[str, int]


def _as_of_ns(tasks: pd.DataFrame, as_of, tz: str) -> int:
    """``as_of`` as ns, defaulting like :func:`task_metrics` to the latest created/completed."""
    ts = to_instant(as_of if as_of != "" else None, tz=tz)
    if ts is not None:
        return int(pd.Timestamp(ts).as_unit("ns").value)
    completed = instants_ns(tasks["completed_at"]) if "completed_at" in tasks else []
    events = np.concatenate(
        [instants_ns(tasks["created_at"]), np.asarray(completed)[np.asarray(completed) != NEVER]]
    )
    return int(events.max()) if len(events) else NEVER


def due_task_units(tasks: pd.DataFrame, *, as_of=None, tz: str = "UTC") -> Units:
    """One row per task due by ``as_of``, flagged overdue or not: the units of delinquency.

    Same definition as ``delinquency_rate`` in :func:`workbench.metrics.tasks.task_metrics`,
    so the monthly means of ``overdue`` are exactly that column. Population: tasks created
    by ``as_of``, not cancelled, whose original deadline (``original_due_at``, else
    ``due_at``) is at or before ``as_of``. Overdue: not completed by that deadline (completed
    later, or not completed by ``as_of``). Moving a deadline does not hide a miss.

    Returns
    -------
    Units
        ``table``: ``task_id``, ``manager``, ``original_due_at`` (the time anchor),
        ``overdue`` (int 0/1). ``excluded`` counts tasks outside the population, by reason:
        ``not_created_by_as_of``, ``cancelled``, ``no_deadline``, ``not_due_by_as_of``.
    """
    require_columns(
        tasks,
        ["task_id", "manager", "created_at", "status"],
        table="tasks table",
        not_null=["manager", "created_at"],
    )
    as_of_ns = _as_of_ns(tasks, as_of, tz)
    empty = pd.Series(pd.NaT, index=tasks.index, dtype=tasks["created_at"].dtype)
    # as task_metrics and the contract: original_due_at, where empty (or absent) due_at
    due_ts = tasks.get("due_at", empty)
    orig_ts = tasks.get("original_due_at", due_ts)
    orig_ts = orig_ts.where(orig_ts.notna(), due_ts)
    done_ts = tasks.get("completed_at", empty)
    created, orig, done = (
        instants_ns(tasks["created_at"]),
        instants_ns(orig_ts),
        instants_ns(done_ts),
    )
    cancelled = (tasks["status"] == "cancelled").to_numpy(dtype=bool)
    exists = created <= as_of_ns
    has_deadline = orig != NEVER
    is_due = exists & ~cancelled & has_deadline & (orig <= as_of_ns)
    done_eff = np.where(exists & ~cancelled & (done <= as_of_ns), done, NEVER)
    out = pd.DataFrame(
        {
            "task_id": tasks["task_id"].astype("str"),
            "manager": tasks["manager"].astype("str"),
            "original_due_at": orig_ts.dt.tz_convert(tz),
            "overdue": (done_eff > orig).astype("int64"),
        }
    ).loc[is_due]
    excluded = {
        "not_created_by_as_of": int((~exists).sum()),
        "cancelled": int((exists & cancelled).sum()),
        "no_deadline": int((exists & ~cancelled & ~has_deadline).sum()),
        "not_due_by_as_of": int((exists & ~cancelled & has_deadline & ~is_due).sum()),
    }
    return Units(table=out.reset_index(drop=True), excluded=excluded)


def connected_call_units(calls: pd.DataFrame, *, tz: str = "UTC") -> Units:
    """One row per connected call with its talk time in minutes: the units of talk_mean_min.

    Connected = answered and ``duration_s > 0`` (without an ``answered`` column: duration
    above 0), as in :func:`workbench.metrics.calls.call_metrics`.

    Returns
    -------
    Units
        ``table``: ``call_id``, ``manager``, ``started_at`` (in ``tz``), ``talk_min``.
        ``excluded`` counts calls without a duration (``missing_duration``) and the other
        calls not connected (``not_connected``).
    """
    require_columns(
        calls,
        ["call_id", "manager", "started_at", "duration_s"],
        table="calls table",
        not_null=["manager", "started_at"],
    )
    duration = calls["duration_s"].to_numpy(dtype="float64", na_value=np.nan)
    positive = duration > 0
    answered = (
        calls["answered"].fillna(False).to_numpy(dtype=bool) if "answered" in calls else positive
    )
    connected = answered & positive
    out = pd.DataFrame(
        {
            "call_id": calls["call_id"].astype("str"),
            "manager": calls["manager"].astype("str"),
            "started_at": calls["started_at"].dt.tz_convert(tz),
            "talk_min": duration / 60.0,
        }
    ).loc[connected]
    missing = np.isnan(duration)
    excluded = {
        "missing_duration": int(missing.sum()),
        "not_connected": int((~connected & ~missing).sum()),
    }
    return Units(table=out.reset_index(drop=True), excluded=excluded)
