"""The data contract: the four canonical tables every part of the workbench reads.

Loading (``workbench.data.loading``) is the only place that knows source formats; it turns any
export into these tables. Everything downstream (metrics, statistics, plots, reports)
relies on the columns and dtypes declared here and nothing else.

Time: every timestamp column is time-zone aware, in one business time zone (a setting,
default ``UTC``). Naive source timestamps are read in that zone; a date-only deadline
means the end of that day (23:59:59.999999) in that zone.

tasks
    task_id (str), manager (str), created_at (ts), due_at (ts, NaT = no deadline),
    original_due_at (ts; defaults to due_at; kept when a deadline is moved),
    completed_at (ts, NaT while open), status (open / completed / cancelled),
    task_type (str), description (str, may be empty), deal_id (str, optional),
    creator (str, optional).
calls
    call_id (str), manager (str), started_at (ts), duration_s (float, talk time in
    seconds, >= 0), direction (inbound / outbound), answered (bool), deal_id (str, optional).
deals (leads)
    deal_id (str), manager (str), created_at (ts), closed_at (ts, NaT while open),
    outcome (open / won / lost), amount (float, may be empty).
roster (optional: who the reports are for)
    manager (str, the name as the CRM writes it), team (str, optional), role (manager /
    team_head / department_head; empty = manager), email (str, optional), active_from
    (ts, optional), active_to (ts, NaT = still active). File ``roster.csv`` (or
    ``managers.csv``). With a roster, only its active people get reports and enter team
    figures; heads receive their team's (or the department's) index and overview.
targets (KPIs)
    manager (str; ``*`` = all managers), metric (str, a column name of a metrics table,
    e.g. ``delinquency_rate`` as a fraction or ``talk_mean_min`` in minutes), target
    (float), direction (at_most / at_least), effective_from (ts), effective_to (ts,
    NaT = open-ended). A target may change in steps: one row per step.

IDs are text: a 19-digit ID never becomes a float.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.i18n import N_

__all__ = [
    "ALL_MANAGERS",
    "Column",
    "TABLES",
    "TABLE_NAMES",
    "TABLE_WORDS",
    "STATUSES",
    "DIRECTIONS",
    "OUTCOMES",
    "TARGET_DIRECTIONS",
    "ROLES",
    "DEFAULT_TZ",
    "required_columns",
]

DEFAULT_TZ = "UTC"
ALL_MANAGERS = "*"

STATUSES = ("open", "completed", "cancelled")
DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("open", "won", "lost")
TARGET_DIRECTIONS = ("at_most", "at_least")
ROLES = ("manager", "team_head", "department_head")


@dataclass(frozen=True)
class Column:
    """One contract column: its name, kind and whether a source must provide it."""

    name: str
    kind: str  # "id", "text", "timestamp", "float", "bool", "category"
    required: bool = True
    choices: tuple[str, ...] = ()


TABLES: dict[str, tuple[Column, ...]] = {
    "tasks": (
        Column("task_id", "id"),
        Column("manager", "text"),
        Column("created_at", "timestamp"),
        Column("due_at", "timestamp", required=False),
        Column("original_due_at", "timestamp", required=False),
        Column("completed_at", "timestamp", required=False),
        Column("status", "category", choices=STATUSES),
        Column("task_type", "text", required=False),
        Column("description", "text", required=False),
        Column("deal_id", "id", required=False),
        Column("creator", "text", required=False),
    ),
    "calls": (
        Column("call_id", "id"),
        Column("manager", "text"),
        Column("started_at", "timestamp"),
        Column("duration_s", "float"),
        Column("direction", "category", choices=DIRECTIONS),
        Column("answered", "bool", required=False),
        Column("deal_id", "id", required=False),
    ),
    "deals": (
        Column("deal_id", "id"),
        Column("manager", "text"),
        Column("created_at", "timestamp"),
        Column("closed_at", "timestamp", required=False),
        Column("outcome", "category", choices=OUTCOMES),
        Column("amount", "float", required=False),
    ),
    "targets": (
        Column("manager", "text"),
        Column("metric", "text"),
        Column("target", "float"),
        Column("direction", "category", choices=TARGET_DIRECTIONS),
        Column("effective_from", "timestamp"),
        Column("effective_to", "timestamp", required=False),
    ),
    "roster": (
        Column("manager", "text"),
        Column("team", "text", required=False),
        Column("role", "category", required=False, choices=ROLES),
        Column("email", "text", required=False),
        Column("active_from", "timestamp", required=False),
        Column("active_to", "timestamp", required=False),
    ),
}

TABLE_NAMES = tuple(TABLES)
#: Each table in a sentence's words, in English (translated where shown).
TABLE_WORDS = {
    "tasks": N_("tasks"),
    "calls": N_("calls"),
    "deals": N_("deals"),
    "targets": N_("targets"),
    "roster": N_("roster"),
}


def required_columns(table: str) -> list[str]:
    """Names of the columns a source must provide (directly or by mapping) for ``table``."""
    return [c.name for c in TABLES[table] if c.required]
