"""What one manager's report may show: that manager's figures and anonymous team figures.

:func:`prepare_manager_view` is the privacy boundary of the manager report. It computes the
department's metrics, then keeps the manager's own rows and replaces every other manager's
name with a pseudonym ("Colleague 01", ...) whose order says nothing about the real names.
The report notebook holds only the :class:`ManagerView`, never the loaded dataset, so no
later cell can print a colleague's name or rows by mistake.

A manager's own free texts (task descriptions and the explanations quoting them) may name a
colleague ("pass to A. Petrova"): :func:`view_for` masks every name the data knows (roster
and owners, in any case form and either script, see :class:`workbench.privacy.NameMask`)
except the manager's own, so neither the report nor its kept notebook holds it.

The report window is whole calendar months in the business time zone: a delinquency rate
or a conversion over "the 3rd to the 17th" would need definitions the metrics do not have.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.catalogue import definitions
from workbench.data.coverage import period_coverage
from workbench.data.loading import Dataset
from workbench.errors import ParameterError
from workbench.formatting import (
    figure_with_unit,
    format_figure,
    metric_better,
    metric_name,
    window_words,
)
from workbench.i18n import N_, _, ngettext, number, percent
from workbench.metrics.calls import DEFINITIONS as CALL_DEFINITIONS
from workbench.metrics.deals import DEFINITIONS as DEAL_DEFINITIONS
from workbench.metrics.kpi import kpi_attainment, usable_targets
from workbench.metrics.panel import data_end, manager_panel
from workbench.metrics.periods import to_instant
from workbench.metrics.tasks import DEFINITIONS as TASK_DEFINITIONS
from workbench.metrics.window import window_summary
from workbench.privacy import MIN_BAND, MIN_TEAM, NameMask
from workbench.quality.score import quality_by_manager, score_descriptions
from workbench.reports.selection import Selection, select_people

__all__ = [
    "ManagerView",
    "Department",
    "department_figures",
    "department_panel",
    "prepare_manager_view",
    "view_for",
    "report_window",
    "headlines",
    "headline_data",
    "figures_table",
    "quality_table",
    "shown_definitions",
    "MIN_BAND",
    "MIN_TEAM",
    "REPORT_METRICS",
    "METRIC_TABLES",
    "absent_tables",
    "absent_words",
    "shown_metrics",
]

#: Metrics the report shows, in its order; labels and better directions come from the
#: catalogue (:func:`workbench.catalogue.catalogue`).
REPORT_METRICS: tuple[str, ...] = (
    "tasks_new",
    "tasks_completed",
    "tasks_due",
    "tasks_overdue",
    "delinquency_rate",
    "dials",
    "connected",
    "talk_mean_min",
    "leads",
    "won",
    "conversion",
    "sales_volume",
)

#: The table each metric is computed from: a metric of a table without a file is not shown.
METRIC_TABLES: dict[str, str] = {
    d.name: table
    for table, defs in (
        ("tasks", TASK_DEFINITIONS),
        ("calls", CALL_DEFINITIONS),
        ("deals", DEAL_DEFINITIONS),
    )
    for d in defs
}
_ACTIVITY_TABLES = ("tasks", "calls", "deals")
#: :data:`workbench.privacy.COLLEAGUE`, marked for the catalogue: a masked name reads in
#: the report's language.
_COLLEAGUE = N_("[colleague]")


@dataclass
class ManagerView:
    """One manager's report data; colleagues appear only under pseudonyms.

    Attributes
    ----------
    manager : the report's manager (the only real name anywhere in the view).
    start, end : the report window, ``[start, end)``, whole months in ``tz``.
    as_of : the instant "now" is evaluated at.
    panel : monthly manager panel over the history months up to ``end``, all managers,
        pseudonymised.
    window : :func:`workbench.metrics.window.window_summary` of the report window, pseudonymised.
    calls : calls of the report window (all managers, pseudonymised), for distributions.
    kpi : KPI attainment of the manager (and pseudonymised colleagues) per month.
    quality : the manager's tasks created in the window, scored; ``quality_team``: flag shares
        per (pseudonymised) manager.
    open_overdue : the manager's own tasks not completed by ``as_of`` (not cancelled) whose
        current deadline had passed by then, newest deadline first (so the window's own,
        the ones still worth acting on, come first): ``due``, ``days late``, ``description``
        (colleagues' names masked) and ``in_period`` (deadline inside the window).
    own_rows : the manager's loaded rows per table (tasks, calls, deals).
    health : what loading read, loaded and set aside, as counts per table and reason (never
        the values); None with fewer than :data:`MIN_TEAM` colleagues, where the department's
        totals minus the manager's own would give the colleagues' volumes.
    comparison : who the team figures are of: ``"team <name>"`` (the other members of the
        manager's roster team) or ``"department"``; ``comparison_note`` says why in words.
    absent_tables : activity tables the export had no file for (their sections say so).
    coverage : warnings about a period the data covers only in part.
    """

    manager: str
    tz: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    n_colleagues: int
    panel: pd.DataFrame
    window: pd.DataFrame
    calls: pd.DataFrame
    kpi: pd.DataFrame
    quality: pd.DataFrame
    quality_team: pd.DataFrame
    open_overdue: pd.DataFrame
    own_rows: dict
    health: pd.DataFrame | None
    params: dict = field(default_factory=dict)
    comparison: str = "department"
    comparison_note: str = ""
    absent_tables: tuple[str, ...] = ()
    coverage: tuple[str, ...] = ()

    @cached_property
    def own(self) -> pd.Series:
        """The manager's row of the window summary (looked up once: headlines read it often)."""
        return self.window.set_index("manager").loc[self.manager]

    @cached_property
    def others(self) -> pd.DataFrame:
        """The colleagues' rows of the window summary (pseudonymised)."""
        return self.window.loc[self.window["manager"] != self.manager]


def report_window(period_start: str, period_end: str, *, tz: str) -> tuple[pd.Timestamp, ...]:
    """``[start, end)`` instants of a report covering whole months ``period_start..period_end``.

    Raises ``ValueError`` unless ``period_start`` is the first day of a month and
    ``period_end`` the last day of a month, not before it.
    """
    first, last = date.fromisoformat(period_start), date.fromisoformat(period_end)
    if first.day != 1:
        raise ValueError(f"period_start {period_start}: a report starts on the 1st of a month")
    after_last = pd.Timestamp(last) + pd.Timedelta(days=1)
    if after_last.day != 1:
        raise ValueError(f"period_end {period_end}: a report ends on the last day of a month")
    if after_last <= pd.Timestamp(first):
        raise ValueError(f"period_end {period_end} is before period_start {period_start}")
    return pd.Timestamp(first).tz_localize(tz), after_last.tz_localize(tz)


def _data_salt(dataset: Dataset) -> str:
    """A salt only the whole dataset can reproduce (knowing the roster is not enough)."""
    parts = [
        pd.util.hash_pandas_object(dataset.calls["duration_s"], index=False).sum(),
        pd.util.hash_pandas_object(dataset.deals["amount"], index=False).sum(),
        pd.util.hash_pandas_object(dataset.tasks["created_at"], index=False).sum(),
    ]
    return ":".join(str(int(p)) for p in parts)


def _pseudonyms(managers: list[str], keep: str, *, salt: str) -> dict[str, str]:
    """Other managers -> "Colleague NN", ordered by a salted hash (not by name or volume).

    The salt comes from the data, so someone who knows the team's names but not all of its
    rows cannot work out which colleague is which number; the same data gives the same
    numbering, so a report rendered alone equals the one rendered in a batch.
    """
    others = sorted(
        (m for m in managers if m != keep),
        key=lambda m: hashlib.sha256(f"{salt}:{m}".encode()).hexdigest(),
    )
    width = max(2, len(str(len(others))))
    names = {m: f"Colleague {i + 1:0{width}d}" for i, m in enumerate(others)}
    return names | {keep: keep}


def _rename(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``frame`` with every manager replaced by ``names[manager]``.

    Each distinct name is looked up once (``Series.map`` hashes every row against the dict:
    5x slower on a department's calls, and the runner does this for every manager).
    """
    out = frame.copy()
    codes, uniques = pd.factorize(out["manager"])
    renamed = pd.array([names[u] for u in uniques], dtype="str")
    out["manager"] = pd.Series(renamed.take(codes, allow_fill=True), index=out.index)
    return out


def department_panel(
    dataset: Dataset,
    *,
    period_start: str,
    period_end: str,
    as_of: str | None = None,
    history_months: int = 6,
    conversation_s: float = 60,
    long_call_s: float = 1200,
    members: tuple[str, ...] | list[str] | None = None,
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.DataFrame]:
    """The report window, its as-of instant, and the monthly panel of every manager.

    Shared by the manager report and the team overview so that both show the same figures:
    ``as_of`` defaults to the end of the window or the last event in the data
    (:func:`workbench.metrics.panel.data_end`), whichever is earlier; the panel covers
    ``history_months`` months up to the window's end. Only ``members`` are in it (default:
    :func:`workbench.reports.selection.select_people` of the window: the roster's people,
    else the owners with activity), so a test user or a ``NULL`` owner never enters a team
    figure.

    Returns
    -------
    (start, end, as_of, panel) with the window ``[start, end)`` in the business time zone.
    """
    tz = dataset.tz
    start, end = report_window(period_start, period_end, tz=tz)
    history_start = min(start, end - pd.DateOffset(months=history_months))
    if as_of:
        now = to_instant(as_of, tz=tz)
    else:
        last = data_end(dataset.tasks, dataset.calls, dataset.deals)
        now = min(end, last.tz_convert(tz)) if last is not None else end
    if members is None:
        members = select_people(dataset, start, end).members
    tasks, calls, deals = (_only(getattr(dataset, t), members) for t in _ACTIVITY_TABLES)
    panel = manager_panel(
        tasks,
        calls,
        deals,
        period="month",
        tz=tz,
        as_of=now,
        start=history_start,
        end=end - pd.Timedelta(microseconds=1),
        managers=list(members),
        conversation_s=conversation_s,
        long_call_s=long_call_s,
    )
    return start, end, now, panel


@dataclass(frozen=True)
class Department:
    """Every manager's figures for one report window: computed once, never shown as such.

    The runner renders many managers of one window on a reused kernel; what does not depend
    on the manager is computed here once (:func:`department_figures`) and each report then
    takes its pseudonymised slice (:func:`view_for`).
    """

    tz: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    managers: tuple[str, ...]
    salt: str
    panel: pd.DataFrame
    window: pd.DataFrame
    kpi: pd.DataFrame
    calls: pd.DataFrame
    scored: pd.DataFrame
    quality_team: pd.DataFrame
    health: pd.DataFrame
    rows_by_manager: pd.DataFrame
    params: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)  # member -> roster team
    names: tuple[str, ...] = ()  # every name the data knows (roster, owners): masked in texts
    absent_tables: tuple[str, ...] = ()
    coverage: tuple[str, ...] = ()


def department_figures(
    dataset: Dataset,
    *,
    period_start: str,
    period_end: str,
    as_of: str | None = None,
    history_months: int = 6,
    conversation_s: float = 60,
    long_call_s: float = 1200,
    selection: Selection | None = None,
) -> Department:
    """Compute the window's department-wide figures (see :func:`prepare_manager_view`).

    Only the ``selection``'s members (default :func:`~workbench.reports.selection.select_people`
    of the window) are in them; their roster teams come along for :func:`view_for`. Target
    rows naming an unknown metric or manager are left out
    (:func:`~workbench.metrics.kpi.usable_targets`), the tables the export had no file for
    are named, and a period the data covers only in part gets its warnings
    (:func:`~workbench.data.coverage.period_coverage`).
    """
    tz = dataset.tz
    window = report_window(period_start, period_end, tz=tz)
    if selection is None:
        selection = select_people(dataset, *window)
    members = selection.members
    start, end, now, panel = department_panel(
        dataset,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        history_months=history_months,
        conversation_s=conversation_s,
        long_call_s=long_call_s,
        members=members,
    )
    calls = _only(dataset.calls, members)
    calls = calls.loc[
        (calls["started_at"] >= start) & (calls["started_at"] < end),
        ["manager", "started_at", "duration_s", "answered", "direction"],
    ]
    tasks = _only(dataset.tasks, members)
    scored = score_descriptions(
        tasks.loc[(tasks["created_at"] >= start) & (tasks["created_at"] < end)]
    )
    health = dataset.health()
    known = set(dataset.managers) | set(dataset.roster["manager"])
    try:
        coverage = tuple(
            period_coverage(
                dataset, date.fromisoformat(period_start), date.fromisoformat(period_end)
            )
        )
    except ParameterError as exc:  # the runner stops before; a template run alone says so
        coverage = (str(exc),)
    return Department(
        tz=tz,
        start=start,
        end=end,
        as_of=now,
        managers=tuple(members),
        salt=_data_salt(dataset),
        panel=panel,
        window=window_summary(panel, start=start, end=end),
        kpi=kpi_attainment(panel, usable_targets(dataset.targets, managers=known)[0], tz=tz),
        calls=calls,
        scored=scored.drop(columns=["creator"], errors="ignore"),
        quality_team=quality_by_manager(scored),
        health=health.drop(columns=[c for c in health.columns if c == "value"]),
        rows_by_manager=pd.DataFrame(
            {
                t: _only(getattr(dataset, t), members)["manager"].value_counts()
                for t in _ACTIVITY_TABLES
            },  # fmt: skip
            index=pd.Index(list(members), dtype="str"),
        )
        .fillna(0)
        .astype("int64"),
        params={"conversation_s": conversation_s, "long_call_s": long_call_s},
        teams=dict(selection.teams),
        names=tuple(sorted(known)),
        absent_tables=absent_tables(dataset),
        coverage=coverage,
    )


def absent_tables(dataset: Dataset) -> tuple[str, ...]:
    """The activity tables the export had no file for (``dataset.files`` lists none).

    A dataset built by hand (no ``files`` record) has every table.
    """
    files = dataset.files or {}
    return tuple(t for t in _ACTIVITY_TABLES if t in files and not files[t])


def _only(frame: pd.DataFrame, managers) -> pd.DataFrame:
    """The rows of ``frame`` whose manager is one of ``managers``."""
    return frame.loc[frame["manager"].isin(list(managers))]


def _comparison(department: Department, manager: str) -> tuple[list[str], str, str]:
    """The managers a manager's team figures are of (the manager included), and in words.

    The other members of the manager's roster team when there are at least
    :data:`MIN_TEAM`, else the whole department.
    """
    everyone = list(department.managers)
    team = department.teams.get(manager)
    if not team:
        return (
            everyone,
            "department",
            _("Team figures are of the other managers of the department."),
        )
    mates = [m for m in everyone if department.teams.get(m) == team]
    if len(mates) - 1 >= MIN_TEAM:
        note = ngettext(
            "Team figures are of the other {n} member of your team, {team}.",
            "Team figures are of the other {n} members of your team, {team}.",
            len(mates) - 1,
        ).format(n=len(mates) - 1, team=team)
        return mates, f"team {team}", note
    note = _(
        "Your team, {team}, has fewer than {n} other members: team figures are of the other "
        "managers of the department."
    ).format(team=team, n=MIN_TEAM)
    return everyone, "department", note


def view_for(department: Department, tasks: pd.DataFrame, manager: str) -> ManagerView:
    """One manager's slice of the department: own rows, colleagues under pseudonyms.

    ``tasks`` is the dataset's tasks table (for the manager's open overdue tasks).
    """
    if manager not in department.managers:
        raise LookupError(f"no tasks, calls or deals of manager {manager!r} in the data")
    d, now = department, department.as_of
    group, comparison, note = _comparison(d, manager)
    names = _pseudonyms(group, manager, salt=d.salt)

    def mine_and_group(frame: pd.DataFrame) -> pd.DataFrame:
        return _rename(_only(frame, group), names)

    mine = tasks.loc[(tasks["manager"] == manager) & (tasks["status"] != "cancelled")]
    still_open = mine["completed_at"].isna() | (mine["completed_at"] > now)
    late = mine.loc[still_open & (mine["due_at"] < now) & (mine["created_at"] <= now)]
    late = late.sort_values(["due_at", "task_id"], ascending=[False, True], kind="stable")
    mask = NameMask(d.names or d.managers, keep=manager, replacement=_(_COLLEAGUE))
    open_overdue = pd.DataFrame(
        {
            "due": late["due_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "days late": ((now - late["due_at"]).dt.total_seconds() / 86400).round(1),
            "description": mask.series(late["description"].fillna("")),
            "in_period": (late["due_at"] >= d.start).to_numpy(),
        }
    ).reset_index(drop=True)
    quality = d.scored.loc[d.scored["manager"] == manager].copy()
    for column in ("description", "explanation"):
        quality[column] = mask.series(quality[column])
    return ManagerView(
        manager=manager,
        tz=d.tz,
        start=d.start,
        end=d.end,
        as_of=now,
        n_colleagues=len(names) - 1,
        panel=mine_and_group(d.panel),
        window=mine_and_group(d.window),
        calls=mine_and_group(d.calls),
        kpi=mine_and_group(d.kpi),
        quality=quality,
        quality_team=mine_and_group(d.quality_team),
        open_overdue=open_overdue,
        own_rows=d.rows_by_manager.loc[manager].to_dict(),
        # department-wide counts minus the manager's own would be a small team's totals
        health=d.health.copy() if len(d.managers) - 1 >= MIN_TEAM else None,
        params=dict(d.params),
        comparison=comparison,
        comparison_note=note,
        absent_tables=tuple(d.absent_tables),
        coverage=tuple(d.coverage),
    )


def prepare_manager_view(
    dataset: Dataset,
    manager: str,
    *,
    period_start: str,
    period_end: str,
    as_of: str | None = None,
    history_months: int = 6,
    conversation_s: float = 60,
    long_call_s: float = 1200,
) -> ManagerView:
    """Compute everything a manager's report shows, keeping colleagues anonymous.

    Parameters
    ----------
    dataset : Dataset
        What :func:`workbench.load_dataset` returned.
    manager : str
        The report's manager; must have at least one row in tasks, calls or deals.
    period_start, period_end : str
        ISO dates: the first and last day of the report's whole months.
    as_of : str, optional
        ISO instant for "now"; default the end of the window or the last event, if earlier.
    history_months : int
        Months of history drawn in the trends, ending with the window.
    conversation_s, long_call_s : float
        Call thresholds, seconds (see ``call_metrics``).
    """
    department = department_figures(
        dataset,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        history_months=history_months,
        conversation_s=conversation_s,
        long_call_s=long_call_s,
    )
    return view_for(department, dataset.tasks, manager)


def _team(view: ManagerView, metric: str) -> tuple[float, int, int, int]:
    """Median of the colleagues' window values, how many are below and above the manager,
    and n.

    n is 0 (and the median NaN) when fewer than :data:`MIN_TEAM` colleagues have a value.
    """
    others = view.others[metric].astype("float64").dropna()
    if len(others) < MIN_TEAM:
        return np.nan, 0, 0, 0
    mine = float(view.own[metric])
    below = int((others < mine).sum()) if not np.isnan(mine) else 0
    above = int((others > mine).sum()) if not np.isnan(mine) else 0
    return float(others.median()), below, above, len(others)


def _kpi_in_window(view: ManagerView, metric: str) -> pd.DataFrame:
    k = view.kpi
    return k.loc[
        (k["manager"] == view.manager)
        & (k["metric"] == metric)
        & (k["period"] >= view.start)
        & (k["period"] < view.end)
    ]


def _pct(value: float, target: float | None = None) -> str:
    """A share in whole percent, or to one decimal where rounding would hide a miss."""
    text = percent(value)
    if target is not None and text == percent(target) and abs(value - target) > 1e-9:
        text = percent(value, 1)
    return text


def _at_most_percent(target: float) -> str:
    return _("at most {value}").format(value=percent(target))


def _at_most_minutes(target: float) -> str:
    digits = 0 if float(target).is_integer() else 1
    return _("at most {value}").format(value=_("{value} min").format(value=number(target, digits)))


def headlines(view: ManagerView) -> list[str]:
    """Three to five plain-language findings about the manager's window, from the data, in
    the current language. The team figure is the median of the colleagues' own figures."""
    own, when, out = view.own, window_words(view.start, view.end), []
    absent = view.absent_tables
    out += [absent_words(t) for t in absent]
    if "calls" in absent:
        pass  # said in one line above
    elif own["connected"] > 0:
        team, below, _above, n = _team(view, "talk_mean_min")
        text = _("Your average connected call lasted {mean}").format(
            mean=figure_with_unit("talk_mean_min", own["talk_mean_min"])
        )
        if n:
            text += ngettext(
                "; the team median is {median} ({k} of {n} colleague had a shorter mean call)",
                "; the team median is {median} ({k} of {n} colleagues had a shorter mean call)",
                n,
            ).format(median=figure_with_unit("talk_mean_min", team), k=below, n=n)
        out.append(text + ".")
    else:
        out.append(_("You had no connected calls in {when}.").format(when=when))
    if "tasks" in absent:
        pass
    elif own["tasks_due"] > 0:
        kpi = _kpi_in_window(view, "delinquency_rate")
        target = kpi["target"].iloc[-1] if len(kpi) else None
        text = _("{rate} of your tasks due in {when} were late ({late} of {due})").format(
            rate=_pct(own["delinquency_rate"], target),
            when=when,
            late=number(own["tasks_overdue"]),
            due=number(own["tasks_due"]),
        )
        if target is not None:
            text += "; " + _kpi_verdict(kpi, _at_most_percent)
        else:
            team, _below, _above, n = _team(view, "delinquency_rate")
            if n:
                text += _("; the team median is {median}").format(median=percent(team))
        out.append(text + ".")
    else:
        out.append(_("None of your tasks was due in {when}.").format(when=when))
    if "tasks" not in absent:
        out.append(
            ngettext(
                "You received {new} new task and completed {completed}.",
                "You received {new} new tasks and completed {completed}.",
                int(own["tasks_new"]),
            ).format(new=number(own["tasks_new"]), completed=number(own["tasks_completed"]))
        )
    if "deals" not in absent:
        team_leads, _below, _above, n = _team(view, "leads")
        text = ngettext("You handled {n} lead", "You handled {n} leads", int(own["leads"])).format(
            n=number(own["leads"])
        )
        if n:
            text += _(" (team median {median})").format(median=format_figure("leads", team_leads))
        if own["closed"] > 0:
            text += _(
                "; {won} of {closed} closed deals were won ({rate}), sales volume {volume}"
            ).format(
                won=number(own["won"]),
                closed=number(own["closed"]),
                rate=percent(own["conversion"]),
                volume=number(own["sales_volume"]),
            )
        out.append(text + ".")
    talk = _kpi_in_window(view, "talk_mean_min")
    if len(talk) and own["connected"] > 0 and "calls" not in absent:
        out.append(_kpi_verdict(talk, _at_most_minutes, kind="call") + ".")
    return out


#: The one line that stands for the figures of a table the export had no file for.
_ABSENT_WORDS = {
    "tasks": N_("The export had no tasks file: tasks figures are not shown."),
    "calls": N_("The export had no calls file: calls figures are not shown."),
    "deals": N_("The export had no deals file: deals figures are not shown."),
}


def absent_words(table: str) -> str:
    """The one line that stands for the figures of a table the export had no file for."""
    words = _ABSENT_WORDS.get(table)
    return _(words) if words else _("The export had no {table} file.").format(table=table)


#: A KPI verdict of one month: (no value, met, not met), in English (translated where
#: shown); "your" continues a sentence, "call" starts one.
_VERDICT_WORDS = {
    "your": (
        N_("your KPI is {target}: not judged (no value)"),
        N_("your KPI is {target}: met"),
        N_("your KPI is {target}: not met"),
    ),
    "call": (
        N_("Your call-length KPI is {target}: not judged (no value)"),
        N_("Your call-length KPI is {target}: met"),
        N_("Your call-length KPI is {target}: not met"),
    ),
}


def _kpi_verdict(rows: pd.DataFrame, target_words, *, kind: str = "your") -> str:
    """The KPI verdict in words, read from the KPI attainment rows of the window.

    Each month is judged against the target in force at its start (see ``kpi_attainment``),
    never recomputed from the window's pooled figure.
    """
    judged = rows.loc[rows["met"].notna()]
    if len(rows) == 1:
        none, met, missed = _VERDICT_WORDS[kind]
        text = none if judged.empty else (met if bool(judged["met"].iloc[0]) else missed)
        return _(text).format(target=target_words(rows["target"].iloc[0]))
    targets = _(", then ").join(target_words(t) for t in rows["target"].drop_duplicates())
    met, n = int(judged["met"].astype(bool).sum()), len(judged)
    if kind == "call":
        text = ngettext(
            "Your call-length KPI ({targets}) was met in {met} of {n} month",
            "Your call-length KPI ({targets}) was met in {met} of {n} months",
            n,
        )
    else:
        text = ngettext(
            "your KPI ({targets}) was met in {met} of {n} month",
            "your KPI ({targets}) was met in {met} of {n} months",
            n,
        )
    return text.format(targets=targets, met=met, n=n)


def headline_data(view: ManagerView) -> dict:
    """The figures the runner's index page shows, as JSON-ready plain values.

    ``kpis`` holds the KPI status of the window's last month, by metric.
    """
    own = view.own

    def num(x) -> float | None:
        return None if pd.isna(x) else round(float(x), 4)

    k = view.kpi
    last = k.loc[(k["manager"] == view.manager) & (k["period"] == k["period"].max())]
    last = last.loc[last["period"] >= view.start]
    kpis = {
        row.metric: {
            "target": num(row.target),
            "direction": row.direction,
            "met": None if pd.isna(row.met) else bool(row.met),
        }
        for row in last.itertuples()
    }
    return {
        "manager": view.manager,
        "delinquency_rate": num(own["delinquency_rate"]),
        "tasks_due": int(own["tasks_due"]),
        "talk_mean_min": num(own["talk_mean_min"]),
        "connected": int(own["connected"]),
        "leads": int(own["leads"]),
        "won": int(own["won"]),
        "conversion": num(own["conversion"]),
        "sales_volume": num(own["sales_volume"]),
        "kpis": kpis,
        "headlines": headlines(view),
    }


def figures_table(view: ManagerView, *, formatted: bool = False) -> pd.DataFrame:
    """The manager's window figures beside the team median (the median of the colleagues'
    own figures), with how many colleagues are below the manager and how many do better.

    ``colleagues better`` counts the colleagues on the better side of the manager's figure
    by the figure's direction (below it when lower is better, above when higher is); NaN
    for a figure with no better direction. With ``formatted=True`` values are display
    strings (percentages, minutes, thousands); "–" marks a figure that is undefined or has
    too few colleagues to compare with. The figures of a table the export had no file for
    are left out (not shown as zeros). The page renders it with
    :func:`workbench.reports.page.figures_html`.
    """
    rows = []
    for metric in REPORT_METRICS:
        if METRIC_TABLES[metric] in view.absent_tables:
            continue  # no file: not a zero (the headlines say so in one line)
        team, below, above, n = _team(view, metric)
        mine = float(view.own[metric])
        better = metric_better(metric)
        ahead = {"lower": below, "higher": above}.get(better, np.nan) if n else np.nan
        rows.append(
            {
                "figure": metric_name(metric),
                "you": figure_with_unit(metric, mine) if formatted else mine,
                "team median": figure_with_unit(metric, team) if formatted else team,
                "colleagues below you": f"{below} of {n}" if formatted else below,
                "colleagues better": ahead,
                "colleagues": n,
                "better when": (better or "neither") if formatted else better,
                "definition": metric,
            }
        )
    out = pd.DataFrame(rows)
    return out.drop(columns="colleagues") if formatted else out


#: Description flags the report shows, in its order (labels from the catalogue).
_FLAGS = (
    "vague_action",
    "no_method",
    "no_link",
    "template_trouble",
    "too_short",
    "too_long",
    "no_deadline",
)


def quality_table(view: ManagerView) -> pd.DataFrame:
    """Share of the manager's new tasks with each description flag, beside the team median."""
    team = view.quality_team
    mine = team.loc[team["manager"] == view.manager]
    others = team.loc[team["manager"] != view.manager]
    rows = []
    for flag in _FLAGS:
        col, name = f"share_{flag}", metric_name(f"flag_{flag}")
        own = float(mine[col].iloc[0]) if len(mine) else np.nan
        med = float(others[col].median()) if len(others) >= MIN_TEAM else np.nan
        rows.append(
            {"flag": name, "your tasks": own, "team median": med, "definition": f"flag_{flag}"}
        )
    return pd.DataFrame(rows)


def shown_metrics() -> list[str]:
    """The catalogue names of every figure the report shows, in its order (its definitions
    appendix explains these)."""
    return [*REPORT_METRICS, "met", *(f"flag_{flag}" for flag in _FLAGS), "score"]


def shown_definitions() -> pd.DataFrame:
    """Written definitions of the figures the report shows."""
    names = [*REPORT_METRICS, "met", "gap_to_target", "score", "band"]
    names += [f"flag_{flag}" for flag in _FLAGS]
    d = definitions()
    return d.loc[d["name"].isin(names)].reset_index(drop=True)
