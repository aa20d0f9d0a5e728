"""Who gets a report, and who enters the team figures: the roster, else activity.

Real exports hold CRM owners that are not people who sell: ``NULL``, a test user, an owner
column read as ``FALSE``. Reporting on every owner gave them all-zero reports and put their
zeros into the team medians. These pure functions decide, for one report window:

* with a roster (``dataset.roster`` has rows), the people active in the window
  (``active_from`` before its end, ``active_to`` empty or after its start) with role
  ``manager`` or ``team_head`` and rows in the data get a report, and a ``department_head``
  too when they have activity in the window (a head of sales who sells); they alone enter
  the team figures. CRM owners outside the roster are listed, never reported on;
* without a roster, every owner with activity in the window (a task created, due,
  completed; a call; a deal created or closed in it) gets a report and enters the team
  figures; an owner with none gets neither.

:func:`match_managers` resolves the names given to ``--managers`` against the recipients.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import ParameterError
from workbench.i18n import _, ngettext, number

__all__ = [
    "ACTIVITY_TIMES",
    "REPORTED_ROLES",
    "Selection",
    "activity_counts",
    "active_roster",
    "match_managers",
    "select_people",
]

#: The times that put a row of each table in a window: its activity.
ACTIVITY_TIMES = {
    "tasks": ("created_at", "due_at", "original_due_at", "completed_at"),
    "calls": ("started_at",),
    "deals": ("created_at", "closed_at"),
}
#: Roster roles that get a report whenever active (a department head only with activity).
REPORTED_ROLES = ("manager", "team_head")


@dataclass(frozen=True)
class Selection:
    """Who gets a report and who enters the team figures, for one window.

    Attributes
    ----------
    recipients : the managers who get a report, sorted.
    members : the managers whose figures make the team figures (medians, bands, the
        overview), sorted; the recipients and nobody else.
    teams : member -> team, for members the roster gives a team (empty without one).
    basis : ``"roster"`` or ``"activity"``.
    notes : sentences for the data-health page: owners outside the roster, roster people
        without rows, owners without activity in the window.
    """

    recipients: tuple[str, ...]
    members: tuple[str, ...]
    teams: dict[str, str] = field(default_factory=dict)
    basis: str = "activity"
    notes: tuple[str, ...] = ()


def activity_counts(dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Rows with a time of :data:`ACTIVITY_TIMES` in ``[start, end)``, per manager.

    A row counts once however many of its times fall in the window. Managers without
    activity are absent.
    """
    parts = []
    for table, columns in ACTIVITY_TIMES.items():
        frame = getattr(dataset, table)
        inside = pd.Series(False, index=frame.index)
        for column in columns:
            if column in frame.columns:
                times = frame[column]
                inside |= (times >= start) & (times < end)
        parts.append(frame.loc[inside, "manager"].dropna())
    names = pd.concat(parts, ignore_index=True) if parts else pd.Series(dtype="str")
    return names.value_counts().sort_index()


def active_roster(roster: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Roster rows active at some time in ``[start, end)``; an empty role reads ``manager``.

    Active: ``active_from`` empty or before ``end``, and ``active_to`` empty or after
    ``start``.
    """
    began = roster["active_from"].isna() | (roster["active_from"] < end)
    not_left = roster["active_to"].isna() | (roster["active_to"] > start)
    out = roster.loc[began & not_left].copy()
    out["role"] = out["role"].fillna("manager").replace("", "manager")
    return out


def _listing(names: Iterable[str], counts: pd.Series | None = None) -> str:
    """Names in quotes, each with its rows when ``counts`` are given, in the current
    language: "«NULL» (12 rows)"."""
    items = []
    for n in names:
        item = _("“{name}”").format(name=n)
        if counts is not None:
            rows = int(counts[n])
            item += " " + ngettext("({n} row)", "({n} rows)", rows).format(n=number(rows))
        items.append(item)
    return ", ".join(items)


def _rows_per_owner(dataset) -> pd.Series:
    names = pd.concat([getattr(dataset, t)["manager"] for t in ACTIVITY_TIMES])
    return names.dropna().value_counts()


def select_people(dataset, start: pd.Timestamp, end: pd.Timestamp) -> Selection:
    """Who gets a report for the window ``[start, end)`` and who enters the team figures.

    See the module docstring for the rules. ``start`` and ``end`` are instants in the
    dataset's time zone (the report window of
    :func:`workbench.reports.manager_view.report_window`).
    """
    active = activity_counts(dataset, start, end)
    rows = _rows_per_owner(dataset)
    owners = set(rows.index)
    roster = getattr(dataset, "roster", None)
    if roster is None or roster.empty:
        recipients = tuple(sorted(active.index))
        quiet = sorted(owners - set(recipients))
        notes = ()
        if quiet:
            notes = (
                ngettext(
                    "{n} CRM owner with rows but no activity in the period gets no report "
                    "and is not in the team figures: {names}",
                    "{n} CRM owners with rows but no activity in the period get no report "
                    "and are not in the team figures: {names}",
                    len(quiet),
                ).format(n=len(quiet), names=_listing(quiet, rows)),
            )
        return Selection(recipients, recipients, {}, "activity", notes)
    people = active_roster(roster, start, end)
    in_roster = set(roster["manager"])
    chosen = []
    no_rows = []
    for row in people.itertuples():
        if row.role in REPORTED_ROLES:
            (chosen if row.manager in owners else no_rows).append(row.manager)
        elif row.manager in active.index:  # a head who sells
            chosen.append(row.manager)
    recipients = tuple(sorted(set(chosen)))
    teams = {
        r.manager: str(r.team)
        for r in people.itertuples()
        if r.manager in recipients and isinstance(r.team, str) and r.team.strip()
    }
    notes = []
    outside = sorted(owners - in_roster)
    if outside:
        notes.append(
            ngettext(
                "{n} CRM owner not in the roster gets no report and is kept out of the team "
                "figures: {names}",
                "{n} CRM owners not in the roster get no report and are kept out of the team "
                "figures: {names}",
                len(outside),
            ).format(n=len(outside), names=_listing(outside, rows))
        )
    gone = sorted((in_roster - set(people["manager"])) & set(active.index))
    if gone:
        notes.append(
            ngettext(
                "{n} roster person not active in the period but with activity in it is kept "
                "out: {names}",
                "{n} roster people not active in the period but with activity in it are kept "
                "out: {names}",
                len(gone),
            ).format(n=len(gone), names=_listing(gone, active))
        )
    if no_rows:
        notes.append(
            ngettext(
                "{n} active roster person has no rows in the data and gets no report (a name "
                "spelt differently in the CRM?): {names}",
                "{n} active roster people have no rows in the data and get no report (a name "
                "spelt differently in the CRM?): {names}",
                len(no_rows),
            ).format(n=len(no_rows), names=_listing(sorted(no_rows)))
        )
    return Selection(recipients, recipients, teams, "roster", tuple(notes))


def _key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def match_managers(requested: Sequence[str], available: Sequence[str]) -> list[str]:
    """The names of ``available`` that ``requested`` name, ignoring case and spaces.

    Raises
    ------
    ParameterError
        A requested name matches nobody; the message suggests the nearest name
        (:func:`difflib.get_close_matches`).
    """
    by_key = {_key(a): a for a in available}
    out = []
    for name in requested:
        found = by_key.get(_key(name))
        if found is None:
            near = difflib.get_close_matches(_key(name), list(by_key), n=1, cutoff=0.6)
            hint = f"; did you mean {by_key[near[0]]!r}?" if near else ""
            raise ParameterError(
                f"--managers: {name!r} gets no report in this period (not a recipient: "
                f"{len(available)} people do){hint}"
            )
        out.append(found)
    return list(dict.fromkeys(out))
