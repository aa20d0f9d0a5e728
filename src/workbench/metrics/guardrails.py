"""Guardrails: counter-metrics that reveal gaming while a KPI is in force.

A KPI on mean talk time can be met by hanging up early; a KPI on overdue tasks by moving
deadlines, closing tasks in the last minute or closing them without doing them. These
counts, per manager x period, are read next to the KPI metric: a KPI "met" while a
guardrail jumps is not a success.

Definitions (period = calendar week from Monday or month, in the business tz ``tz``)
-------------------------------------------------------------------------------------
short_call_share
    ``short_calls / connected_calls``, anchored on ``started_at``. Connected = answered
    (when the ``answered`` column exists; missing counts as not answered) and
    ``duration_s > 0``, as in :mod:`workbench.metrics.calls`. Short = connected and
    ``duration_s < short_call_s`` (default 30 s).
postponed_share
    ``postponed_tasks / deadline_tasks``, anchored on ``original_due_at`` (the deadline as
    first set; ``due_at`` when the column is absent or empty). Population: tasks with a
    deadline, any status. Postponed = ``due_at > original_due_at``.
last_minute_share
    ``last_minute_completions / on_time_completions``, anchored on ``completed_at``.
    On time = status completed and ``completed_at <= due_at`` (the deadline in force).
    Last minute = on time and ``due_at - completed_at <= last_minute_hours`` (default 1 h).
    A date-only deadline means 23:59:59 local, so this is then "closed after 23:00".
empty_description_share
    ``empty_description_completions / completed_tasks``, anchored on ``completed_at``:
    completed tasks whose ``description`` is missing or whitespace only. The contract has
    no result column, so this is about the task's description, not its outcome: a task
    closed with no description says nothing about what was done. NaN counts and share when
    the table has no ``description`` column.
empty_result_share (only when the tasks table has a ``result`` column; not in the contract)
    ``empty_result_completions / completed_tasks``: completed tasks whose result text is
    missing or whitespace only (a CRM export with an outcome field, mapped to ``result``).
kpi_in_force
    With ``targets``: whether a target row for the manager (or for ``*``) applies at any
    instant of the period.

Shares are NaN when their denominator is 0. Rows without manager or without the anchor
timestamp they need are set aside and counted in the result's ``set_aside`` (each
function returns a :class:`Guardrails`: the table and these counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.i18n import N_
from workbench.metrics.definition import from_rows
from workbench.metrics.periods import period_end, period_range, period_start

__all__ = [
    "Guardrails",
    "CALL_GUARDRAILS",
    "TASK_GUARDRAILS",
    "RESULT_GUARDRAILS",
    "GUARDRAIL_COLUMNS",
    "call_guardrails",
    "task_guardrails",
    "guardrails",
]

CALL_GUARDRAILS = ("connected_calls", "short_calls", "short_call_share")
TASK_GUARDRAILS = (
    "deadline_tasks",
    "postponed_tasks",
    "postponed_share",
    "on_time_completions",
    "last_minute_completions",
    "last_minute_share",
    "completed_tasks",
    "empty_description_completions",
    "empty_description_share",
)
RESULT_GUARDRAILS = ("empty_result_completions", "empty_result_share")
GUARDRAIL_COLUMNS = CALL_GUARDRAILS + TASK_GUARDRAILS

# The words a manager reads (translated where shown; docs/metrics.md maps them to columns).
_CONN = N_("The manager's connected calls (answered and longer than 0 s)")
_DL = N_("The manager's tasks with a deadline, whatever their status")
_DONE = N_("The manager's completed tasks that have a completion time")
_ONTIME = N_(
    "The manager's tasks completed no later than their current deadline (the deadline in "
    "force, after any postponement)"
)
_SET_ASIDE = N_("Completed tasks without a completion time or a manager (set aside and counted)")
_STARTED = N_("When the call started")
_DL_TIME = N_(
    "The task's original deadline (the current one when no original deadline is recorded)"
)
_COMPLETED = N_("When the task was completed")
_NO_DL = N_("Tasks without a deadline or without a manager")
_SHORT = N_("Connected calls shorter than 30 s")
_POSTPONED = N_("Tasks whose current deadline is later than their original deadline")
_ON_TIME = N_("Tasks completed no later than their current deadline")
_LAST_HOUR = N_("Tasks completed no later than their current deadline and at most 1 hour before it")
_EMPTY_DESCRIPTION = N_("Completed tasks whose description is empty or only spaces")
_EMPTY_RESULT = N_("Completed tasks whose result is empty or only spaces")
_DONE_TASKS = N_("Completed tasks")
_SHARE = N_("share, in %")
_DEFS = [
    ("connected_calls", _CONN, _STARTED, N_("Connected calls"), "-", N_("Calls without a start "
     "time, a manager or a length (set aside)"), N_("calls"), N_("The base of the share of "
     "very short calls.")),
    ("short_calls", _CONN, _STARTED, _SHORT, "-", N_("Unanswered calls and calls of 0 s"),
     N_("calls"), N_("Very short connected calls: hanging up early would meet a call-length "
     "KPI.")),
    ("short_call_share", _CONN, _STARTED, _SHORT, N_("Connected calls"), N_("Unanswered "
     "calls and calls of 0 s"), _SHARE, N_("Guardrail of a call-length KPI: it rises when "
     "calls are cut short to meet the target.")),
    ("deadline_tasks", _DL, _DL_TIME, N_("Tasks with a deadline"), "-", _NO_DL, N_("tasks"),
     N_("The base of the share of deadlines postponed.")),
    ("postponed_tasks", _DL, _DL_TIME, _POSTPONED, "-", _NO_DL, N_("tasks"),
     N_("Deadlines moved later: moving deadlines would hide misses from the CRM's overdue "
        "count.")),
    ("postponed_share", _DL, _DL_TIME, _POSTPONED, N_("Tasks with a deadline"), _NO_DL, _SHARE,
     N_("Guardrail of an overdue KPI: it rises when deadlines are moved to avoid a miss.")),
    ("on_time_completions", _ONTIME, _COMPLETED, _ON_TIME, "-", N_("Completed tasks without a "
     "completion time or a manager (set aside and counted); tasks without a deadline"),
     N_("tasks"), N_("The base of the share of last-hour completions.")),
    ("last_minute_completions", _ONTIME, _COMPLETED, _LAST_HOUR, "-", _SET_ASIDE, N_("tasks"),
     N_("Tasks closed just before the deadline, to beat the clock. A deadline given as a "
        "date only means 23:59:59 that day, so this then means closed after 23:00.")),
    ("last_minute_share", _ONTIME, _COMPLETED, _LAST_HOUR, _ON_TIME, _SET_ASIDE, _SHARE,
     N_("Guardrail of an overdue KPI: it rises when tasks are closed at the last moment just "
        "to beat the deadline.")),
    ("completed_tasks", _DONE, _COMPLETED, _DONE_TASKS, "-", _SET_ASIDE, N_("tasks"),
     N_("The base of the shares of completed tasks with an empty description or result.")),
    ("empty_description_completions", _DONE, _COMPLETED, _EMPTY_DESCRIPTION, "-",
     N_("Completed tasks without a completion time or a manager (set aside and counted); "
        "empty when the data has no task descriptions"), N_("tasks"),
     N_("Completed tasks with nothing written about the task.")),
    ("empty_description_share", _DONE, _COMPLETED, _EMPTY_DESCRIPTION, _DONE_TASKS,
     _SET_ASIDE, _SHARE, N_("Guardrail of an overdue KPI: tasks closed with an empty "
     "description. It is about the task's description, not its outcome (the standard export "
     "has no result field).")),
    ("empty_result_completions", _DONE, _COMPLETED, _EMPTY_RESULT, "-",
     N_("Completed tasks without a completion time or a manager (set aside and counted); "
        "only when the export has a result field (the standard export has none)"), N_("tasks"),
     N_("Completed tasks with no outcome written down.")),
    ("empty_result_share", _DONE, _COMPLETED, _EMPTY_RESULT, _DONE_TASKS,
     N_("Completed tasks without a completion time or a manager (set aside and counted); "
        "only when the export has a result field"), _SHARE,
     N_("Tasks closed without a result: closing without doing.")),
    ("kpi_in_force", N_("The manager's periods"), N_("The whole period, from its start to its "
     "end"), N_("Yes when a KPI target for the manager, or for the whole department, applies "
     "at any moment of the period (a target on any metric, unless the analyst names "
     "some)"), "-", N_("Targets of other managers"), N_("yes/no"),
     N_("Whether the manager worked under a KPI in the period.")),
]  # fmt: skip
# name: (label, kind, better) of the guardrail shares: each rises when a KPI is gamed. The
# counts are labelled too, so that no page shows a code name.
_READING = {
    "connected_calls": (N_("Connected calls"), "count", None),
    "short_calls": (N_("Very short connected calls"), "count", "lower"),
    "short_call_share": (N_("Share of very short connected calls"), "rate", "lower"),
    "deadline_tasks": (N_("Tasks with a deadline"), "count", None),
    "postponed_tasks": (N_("Postponed deadlines"), "count", "lower"),
    "postponed_share": (N_("Share of deadlines postponed"), "rate", "lower"),
    "on_time_completions": (N_("Tasks completed by their current deadline"), "count", None),
    "last_minute_completions": (N_("Tasks closed in the last hour before the deadline"),
                                "count", "lower"),
    "last_minute_share": (N_("Share of on-time completions in the last hour"), "rate",
                          "lower"),
    "completed_tasks": (N_("Completed tasks"), "count", None),
    "empty_description_completions": (N_("Completed tasks with an empty description"),
                                      "count", "lower"),
    "empty_description_share": (N_("Share of completions with an empty description"), "rate",
                                "lower"),
    "empty_result_completions": (N_("Completed tasks with an empty result"), "count",
                                 "lower"),
    "empty_result_share": (N_("Share of completions with an empty result"), "rate", "lower"),
    "kpi_in_force": (N_("Under a KPI"), "bool", None),
}  # fmt: skip
_POOLING = {
    "short_call_share": (("short_calls", ("connected_calls",)), 1.0),
    "postponed_share": (("postponed_tasks", ("deadline_tasks",)), 1.0),
    "last_minute_share": (("last_minute_completions", ("on_time_completions",)), 1.0),
    "empty_description_share": (("empty_description_completions", ("completed_tasks",)), 1.0),
    "empty_result_share": (("empty_result_completions", ("completed_tasks",)), 1.0),
}
DEFINITIONS = from_rows(_DEFS, _READING, _POOLING)


def _tally(keys: pd.DataFrame, flags: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum 0/1 flags per (manager, period) over the rows where the anchor exists."""
    frame = keys.assign(**{k: v.astype("int64") for k, v in flags.items()})
    frame = frame.loc[frame["period"].notna()]
    return frame.groupby(["manager", "period"]).sum()


def _grid(parts: list[pd.DataFrame], period: str, tz: str) -> pd.MultiIndex:
    """Every manager x every period between the first and last period seen."""
    managers = sorted(set().union(*(p.index.get_level_values(0) for p in parts)))
    starts = pd.concat([p.index.get_level_values(1).to_series() for p in parts])
    if len(starts) == 0:
        return pd.MultiIndex.from_arrays([[], []], names=["manager", "period"])
    periods = period_range(starts.min(), starts.max(), period=period, tz=tz)
    return pd.MultiIndex.from_product([managers, periods], names=["manager", "period"])


def _finish(parts: list[pd.DataFrame], shares, period: str, tz: str) -> pd.DataFrame:
    grid = _grid(parts, period, tz)
    counts = pd.concat([p.reindex(grid, fill_value=0) for p in parts], axis=1)
    for share, (num, den) in shares.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            counts[share] = np.where(counts[den] > 0, counts[num] / counts[den], np.nan)
    out = counts.reset_index()
    out["manager"] = out["manager"].astype("str")
    return out


@dataclass(frozen=True, eq=False)
class Guardrails:
    """What :func:`call_guardrails`, :func:`task_guardrails` and :func:`guardrails` return.

    Attributes
    ----------
    table : DataFrame
        Counts and shares per manager x period (columns in each function's notes).
    set_aside : dict[str, int]
        Rows left out, by reason: ``calls_unusable`` (no manager, ``started_at`` or
        ``duration_s``), ``completed_without_time_or_manager``, ``deadline_without_manager``.
    result_text_column : str or None
        The tasks column read for ``RESULT_GUARDRAILS``; None when there was none (or no
        tasks table).
    """

    table: pd.DataFrame
    set_aside: dict[str, int]
    result_text_column: str | None = None


def call_guardrails(
    calls: pd.DataFrame, *, period: str = "month", tz: str = "UTC", short_call_s: float = 30.0
) -> Guardrails:
    """Short connected calls per manager x period (columns ``CALL_GUARDRAILS``).

    Parameters
    ----------
    calls : canonical calls table (``manager``, ``started_at``, ``duration_s``, optional
        ``answered``).
    period : ``"week"`` or ``"month"``, in ``tz``.
    short_call_s : a connected call shorter than this many seconds is short.

    Returns
    -------
    Guardrails with a ``table`` of ``manager``, ``period``, ``CALL_GUARDRAILS`` and
    ``set_aside["calls_unusable"]``.
    """
    require_columns(
        calls, ["manager", "started_at", "duration_s"], table="calls table", tz_aware=["started_at"]
    )
    duration = calls["duration_s"].to_numpy(dtype="float64", na_value=np.nan)
    usable = calls["manager"].notna().to_numpy() & calls["started_at"].notna().to_numpy()
    usable &= ~np.isnan(duration)
    if "answered" in calls.columns:
        answered = calls["answered"].fillna(False).to_numpy(dtype=bool)
    else:
        answered = np.ones(len(calls), dtype=bool)
    connected = usable & answered & (duration > 0)
    keys = pd.DataFrame(
        {
            "manager": calls["manager"],
            "period": period_start(calls["started_at"], period=period, tz=tz).where(usable),
        }
    )
    part = _tally(
        keys,
        {"connected_calls": connected, "short_calls": connected & (duration < short_call_s)},
    )
    out = _finish([part], {"short_call_share": ("short_calls", "connected_calls")}, period, tz)
    out = out[["manager", "period", *CALL_GUARDRAILS]]
    return Guardrails(table=out, set_aside={"calls_unusable": int((~usable).sum())})


def task_guardrails(
    tasks: pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    last_minute_hours: float = 1.0,
    result_column: str = "result",
) -> Guardrails:
    """Postponed deadlines, last-minute and empty completions per manager x period.

    Parameters
    ----------
    tasks : canonical tasks table (``manager``, ``status``, ``due_at``, ``completed_at``;
        ``original_due_at``, ``description`` and a non-contract ``result`` column are used
        when present).
    period : ``"week"`` or ``"month"``, in ``tz``.
    last_minute_hours : an on-time completion at most this long before the deadline is
        "last minute".
    result_column : name of a result/outcome text column (not in the contract); when the
        table has it, ``RESULT_GUARDRAILS`` are added after ``TASK_GUARDRAILS``.

    Returns
    -------
    Guardrails with a ``table`` of ``manager``, ``period``, ``TASK_GUARDRAILS`` and, with a
    result column, ``RESULT_GUARDRAILS`` (see the module notes); ``result_text_column`` names
    that column (None without it).
    """
    optional = [c for c in ("original_due_at",) if c in tasks.columns]
    require_columns(
        tasks,
        ["manager", "status", "due_at", "completed_at", *optional],
        table="tasks table",
        tz_aware=["due_at", "completed_at", *optional],
    )
    due = tasks["due_at"]
    original = tasks["original_due_at"].fillna(due) if "original_due_at" in tasks else due
    has_manager = tasks["manager"].notna().to_numpy()
    completed = (tasks["status"] == "completed").fillna(False).to_numpy(dtype=bool)
    done_at = tasks["completed_at"]
    completed_unusable = completed & (done_at.isna().to_numpy() | ~has_manager)
    completed = completed & ~completed_unusable

    empty_description = _empty_text(tasks, "description")
    empty_result = _empty_text(tasks, result_column)
    with_deadline = due.notna().to_numpy() & has_manager
    on_time = completed & with_deadline & (done_at <= due).fillna(False).to_numpy(dtype=bool)
    margin_h = ((due - done_at).dt.total_seconds() / 3600).to_numpy(dtype="float64", na_value=0)
    last_minute = on_time & (margin_h <= last_minute_hours)

    by_deadline = pd.DataFrame(
        {
            "manager": tasks["manager"],
            "period": period_start(original, period=period, tz=tz).where(with_deadline),
        }
    )
    by_completion = pd.DataFrame(
        {
            "manager": tasks["manager"],
            "period": period_start(done_at, period=period, tz=tz).where(completed),
        }
    )
    postponed = with_deadline & (due > original).fillna(False).to_numpy(dtype=bool)
    parts = [
        _tally(by_deadline, {"deadline_tasks": with_deadline, "postponed_tasks": postponed}),
        _tally(
            by_completion,
            {
                "on_time_completions": on_time,
                "last_minute_completions": last_minute,
                "completed_tasks": completed,
                "empty_description_completions": completed & _or_false(empty_description),
                "empty_result_completions": completed & _or_false(empty_result),
            },
        ),
    ]
    shares = {
        "postponed_share": ("postponed_tasks", "deadline_tasks"),
        "last_minute_share": ("last_minute_completions", "on_time_completions"),
        "empty_description_share": ("empty_description_completions", "completed_tasks"),
        "empty_result_share": ("empty_result_completions", "completed_tasks"),
    }
    columns = [*TASK_GUARDRAILS, *(RESULT_GUARDRAILS if empty_result is not None else ())]
    out = _finish(parts, shares, period, tz)[["manager", "period", *columns]]
    if empty_description is None:
        out["empty_description_completions"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["empty_description_share"] = np.nan
    set_aside = {
        "completed_without_time_or_manager": int(completed_unusable.sum()),
        "deadline_without_manager": int((due.notna().to_numpy() & ~has_manager).sum()),
    }
    return Guardrails(
        table=out,
        set_aside=set_aside,
        result_text_column=result_column if empty_result is not None else None,
    )


def _empty_text(tasks: pd.DataFrame, column: str) -> np.ndarray | None:
    """Whether each row's ``column`` is missing or whitespace only; None without the column."""
    if column not in tasks.columns:
        return None
    text = tasks[column].astype("str")
    return (tasks[column].isna() | (text.str.strip() == "")).to_numpy(dtype=bool)


def _or_false(flags: np.ndarray | None) -> np.ndarray | bool:
    return False if flags is None else flags


def guardrails(
    tasks: pd.DataFrame | None = None,
    calls: pd.DataFrame | None = None,
    *,
    targets: pd.DataFrame | None = None,
    kpi_metrics: Sequence[str] | None = None,
    period: str = "month",
    tz: str = "UTC",
    short_call_s: float = 30.0,
    last_minute_hours: float = 1.0,
) -> Guardrails:
    """All guardrails in one table, manager x period, with ``kpi_in_force`` when targets given.

    Columns: ``manager``, ``period``, then ``CALL_GUARDRAILS`` (if ``calls``), then
    ``TASK_GUARDRAILS`` (if ``tasks``), then ``kpi_in_force`` (if ``targets``).
    ``kpi_metrics`` limits ``kpi_in_force`` to targets on these metrics (e.g.
    ``["talk_mean_min"]`` when reading short calls); default: any target.
    Returns a :class:`Guardrails` whose ``set_aside`` joins those of the parts.
    """
    tables = []
    if calls is not None:
        tables.append(call_guardrails(calls, period=period, tz=tz, short_call_s=short_call_s))
    if tasks is not None:
        tables.append(
            task_guardrails(tasks, period=period, tz=tz, last_minute_hours=last_minute_hours)
        )
    if not tables:
        raise ValueError("guardrails: give tasks, calls or both")
    out = tables[0].table
    for other in tables[1:]:
        out = out.merge(other.table, on=["manager", "period"], how="outer")
    set_aside = {k: v for t in tables for k, v in t.set_aside.items()}
    result_text_column = next(
        (t.result_text_column for t in tables if t.result_text_column is not None), None
    )
    for col in out.columns:
        if col.endswith(("_calls", "_tasks", "_completions")) and out[col].dtype != "Int64":
            out[col] = out[col].fillna(0).astype("int64")
    if targets is not None:
        if kpi_metrics is not None:
            require_columns(targets, ["metric"], table="targets table")
            targets = targets.loc[targets["metric"].isin(list(kpi_metrics))]
        out["kpi_in_force"] = _kpi_in_force(out, targets, period, tz)
    out = out.sort_values(["manager", "period"], ignore_index=True)
    return Guardrails(table=out, set_aside=set_aside, result_text_column=result_text_column)


def _kpi_in_force(table: pd.DataFrame, targets: pd.DataFrame, period: str, tz: str) -> np.ndarray:
    """Whether some target row (manager-specific or ``*``) overlaps each row's period."""
    require_columns(targets, ["manager", "effective_from", "effective_to"], table="targets table")
    starts = table["period"]
    ends = period_end(starts, period=period, tz=tz)
    result = np.zeros(len(table), dtype=bool)
    for row in targets.itertuples(index=False):
        who = (table["manager"] == row.manager) | (row.manager == "*")
        to = row.effective_to
        overlaps = (starts < to) if pd.notna(to) else np.ones(len(table), dtype=bool)
        result |= (who & (ends > row.effective_from) & overlaps).to_numpy(dtype=bool)
    return result
