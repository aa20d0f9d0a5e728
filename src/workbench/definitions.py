"""Written definitions of every metric column: population, time anchor, numerator, denominator.

A number nobody can define is not reported. Each metric column of a metrics table has one
:class:`Definition` here; the metric code follows these words, and tests check that no column
lacks one. Other modules add theirs with :func:`register_definition` at import time::

    from workbench.definitions import register_definition
    register_definition("kpi_met", population="manager-periods with a target", ...)

Common rules (apply to every row unless it says otherwise)
-----------------------------------------------------------
- Periods are calendar weeks (Monday 00:00) or months in the business time zone; a row is
  one (manager, period). Every manager and period in range has a row: zero is a finding.
- ``as_of`` is the instant "now" is evaluated at (default: the latest event in the table);
  events after it are treated as not happened yet.
- A rate is NaN (empty) when its denominator is 0.
- Cancelled tasks have no cancellation time in the data: they are left out of every task
  metric except ``tasks_new``, ``tasks_no_deadline`` and ``tasks_postponed``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["Definition", "DEFINITIONS", "definitions", "register_definition"]


@dataclass(frozen=True)
class Definition:
    """The written definition of one metric column."""

    name: str
    population: str
    time_anchor: str
    numerator: str
    denominator: str
    exclusions: str
    unit: str
    description: str


DEFINITIONS: list[Definition] = []
"""Module-level registry, in registration order; extend it with :func:`register_definition`."""


def register_definition(
    name: str,
    *,
    population: str,
    time_anchor: str,
    numerator: str,
    denominator: str = "-",
    exclusions: str = "-",
    unit: str,
    description: str,
) -> Definition:
    """Add (or replace, by ``name``) the definition of a metric column and return it."""
    d = Definition(name, population, time_anchor, numerator, denominator, exclusions, unit,
                   description)  # fmt: skip
    DEFINITIONS[:] = [x for x in DEFINITIONS if x.name != name]
    DEFINITIONS.append(d)
    return d


def definitions() -> pd.DataFrame:
    """All registered definitions, one row per metric column."""
    cols = list(Definition.__dataclass_fields__)
    return pd.DataFrame([asdict(d) for d in DEFINITIONS], columns=cols).astype("str")


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

_TASKS = [
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

_C = "calls of the manager started in the period (started_at)"
_CONN = "connected calls (answered and duration_s > 0)"
_CALLS = [
    ("dials", _C, "started_at", "all calls, inbound and outbound", "-", "none", "calls",
     "Every call attempt."),
    ("connected", _C, "started_at", _CONN, "-", "unanswered or zero-length calls", "calls",
     "Calls where someone talked; answered missing = duration_s > 0."),
    ("conversations", _C, "started_at", "connected calls with duration_s >= conversation_s "
     "(default 60 s)", "-", "shorter connected calls", "calls", "Calls long enough to be a "
     "real conversation."),
    ("missed_inbound", _C, "started_at", "inbound calls not answered", "-", "outbound calls",
     "calls", "Customers who called and got no answer."),
    ("zero_length", _C, "started_at", "calls with duration_s == 0", "-", "none", "calls",
     "Zero-length calls (dropped, voicemail, misdials)."),
    ("talk_time_total_s", _CONN, "started_at", "sum of duration_s", "-", "not connected",
     "seconds", "Total talk time."),
    ("talk_mean_s", _CONN, "started_at", "talk_time_total_s", "connected", "not connected",
     "seconds", "Mean talk time of a connected call."),
    ("talk_median_s", _CONN, "started_at", "median of duration_s", "-", "not connected",
     "seconds", "Median talk time of a connected call."),
    ("talk_p90_s", _CONN, "started_at", "90th percentile (linear interpolation) of "
     "duration_s", "-", "not connected", "seconds", "Talk time of the longest tenth."),
    ("talk_mean_min", _CONN, "started_at", "talk_mean_s / 60", "-", "not connected",
     "minutes", "Mean talk time in minutes (the unit of KPI targets)."),
    ("long_call_share", _CONN, "started_at", "connected calls with duration_s > long_call_s "
     "(default 1200 s)", "connected", "not connected", "fraction 0..1",
     "Share of connected calls longer than the long-call threshold."),
]  # fmt: skip

_D = "deals (leads) of the manager"
_CLOSED = "deals closed in the period (closed_at in the period and <= as_of)"
_DEALS = [
    ("leads", _D, "created_at", "deals created in the period", "-", "none", "deals",
     "Throughput: leads taken on."),
    ("won", _CLOSED, "closed_at", "closed deals with outcome won", "-", "open deals",
     "deals", "Deals won."),
    ("lost", _CLOSED, "closed_at", "closed deals with outcome lost", "-", "open deals",
     "deals", "Deals lost."),
    ("closed", _CLOSED, "closed_at", "won + lost", "-", "open deals", "deals",
     "Deals decided."),
    ("conversion", _CLOSED, "closed_at", "won", "closed", "open deals", "fraction 0..1",
     "Win rate of the deals decided in the period."),
    ("cohort_conversion", "deals created in the period", "created_at", "of them, won with "
     "closed_at <= as_of", "leads", "none (still-open deals count in the denominator)",
     "fraction 0..1", "Share of the period's leads won so far; recent cohorts are still "
     "maturing, so compare cohorts of the same age."),
    ("sales_volume", _CLOSED, "closed_at", "sum of amount of won deals", "-", "won deals "
     "with no amount (counted in won_no_amount)", "currency", "Money won in the period."),
    ("avg_deal", _CLOSED, "closed_at", "sales_volume", "won deals with an amount (won - "
     "won_no_amount)", "won deals with no amount", "currency", "Mean amount of a won deal."),
    ("won_no_amount", _CLOSED, "closed_at", "won deals with a missing amount", "-", "-",
     "deals", "Won deals left out of sales_volume and avg_deal: the exclusion count."),
]  # fmt: skip

# Factors of workbench.decomposition's split of lead_conversion (registered here so they are
# defined wherever the decomposition is shown, e.g. the call-length case study).
_WINDOW = "a manager's deal totals over a before / after window (per month: whole months)"
_FACTORS = [
    ("close_rate", _WINDOW, "leads by created_at, closed deals by closed_at, within the "
     "window", "closed (won + lost)", "leads", "open deals; NaN with no leads",
     "fraction (can exceed 1 when older leads close in the window)",
     "Deals decided per lead taken on; lead_conversion = close_rate x win_rate."),
    ("win_rate", _WINDOW, "closed_at", "won", "closed (won + lost)", "open deals; NaN with "
     "no closed deal", "fraction 0..1", "Win rate of the deals decided in the window: the "
     "panel's conversion pooled over the window."),
]  # fmt: skip

for _row in _TASKS + _CALLS + _DEALS + _FACTORS:
    register_definition(
        _row[0],
        population=_row[1],
        time_anchor=_row[2],
        numerator=_row[3],
        denominator=_row[4],
        exclusions=_row[5],
        unit=_row[6],
        description=_row[7],
    )
