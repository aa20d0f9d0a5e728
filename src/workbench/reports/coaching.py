"""What a manager should do next: KPI verdicts and at most three actions, as data.

:func:`next_steps` reads a :class:`~workbench.reports.manager_view.ManagerView` (the
privacy boundary: the manager's own figures, anonymous team figures, texts with colleagues'
names masked) and returns plain values; the report page, the e-mail and the index render
them. Nothing here writes HTML: every string is escaped where it is rendered.

Verdicts
--------
One per KPI in force for the manager in the report's month (the window's last month),
read from the monthly KPI attainment rows (never recomputed from pooled figures):
"Overdue share of tasks due 17% — target at most 20%: met". Rates are shown in percent
(to one decimal where whole percent would hide a miss), minutes as "min", counts as
integers. A KPI month without a value says "not judged (no value)"; with no KPI in force
the one verdict says so ("no target").

Actions (in priority order; the first three that fire are kept)
---------------------------------------------------------------
1. ``open_overdue`` — the manager has open tasks past their deadline at the report's
   as-of instant. Evidence: the total, how many have their deadline in the report window,
   the newest deadlines. The window's own come first (newest first): they are the ones
   the client still remembers; close or reschedule them, then clear the older ones.
2. ``descriptions`` — at least :data:`DESCRIPTION_MIN_TASKS` tasks and at least
   :data:`DESCRIPTION_MIN_SHARE` of the written descriptions created in the window miss a
   concrete action, a method, a link to a material they name, or a deadline (flags
   ``vague_action``, ``no_method``, ``no_link``, ``no_deadline`` of
   :mod:`workbench.quality.score`). Evidence: the count per flag and the worst two, each
   with the principle it breaks and a rewritten pattern (the department's lesson: "Call the
   client, qualify by the script <link>" instead of "Contact the client").
3. ``call_length`` — the manager had connected calls and either a talk-time KPI
   (``talk_mean_min``) in force in the report's month was missed, or the mean call is more
   than :data:`FAR_ABOVE` times the team median (with at least ``MIN_TEAM`` colleagues).
   Evidence: the mean, the target or the team median, and the next step of the target
   ladder (:func:`workbench.metrics.ladder.target_ladder`, steps of at most
   :data:`LADDER_STEP`, whole minutes) toward the target (KPI missed) or the team median,
   with the share of the month's calls longer than that step.
4. ``results_drop`` — leads handled, or conversion (won / closed), in the report's month
   is below the minimum of the manager's :data:`DROP_MONTHS` previous months (all of them
   with a value; conversion only in months with at least :data:`MIN_CLOSED` closed deals):
   a drop beyond the month-to-month variation the manager's own history shows. Evidence:
   the month's figure and the previous months' range.

No action fires without its evidence; a table the export had no file for fires none of
its actions. When none fires, ``all_well`` holds the one line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.formatting import format_figure, metric_name
from workbench.metrics.ladder import target_ladder
from workbench.privacy import MIN_TEAM

__all__ = [
    "Action",
    "NextSteps",
    "Verdict",
    "next_steps",
    "verdicts",
    "SECTIONS",
    "PRINCIPLES",
    "DESCRIPTION_MIN_SHARE",
    "DESCRIPTION_MIN_TASKS",
    "DROP_MONTHS",
    "FAR_ABOVE",
    "LADDER_STEP",
    "MAX_ACTIONS",
    "MIN_CLOSED",
]

#: At most this many actions are shown (more would read as a list, not a next step).
MAX_ACTIONS = 3
#: Share of the written descriptions of the window that must miss a habit, and how many.
DESCRIPTION_MIN_SHARE = 0.2
DESCRIPTION_MIN_TASKS = 2
#: Mean call this many times the team median is "far above" it.
FAR_ABOVE = 1.5
#: Largest relative step of the call-length ladder (the article's case B steps were 16-19%).
LADDER_STEP = 0.15
#: Previous months a leads / conversion drop is judged against.
DROP_MONTHS = 3
#: Closed deals a month needs before its conversion is compared.
MIN_CLOSED = 5

#: The report section each action links to (the ids the manager report's headings carry).
SECTIONS = {
    "open_overdue": "open-overdue",
    "descriptions": "task-descriptions",
    "call_length": "calls",
    "results_drop": "results",
}

#: Description flag -> (the principle it breaks, a rewritten pattern).
PRINCIPLES: dict[str, tuple[str, str]] = {
    "flag_vague_action": (
        "say the channel and the step, not only that something should happen",
        '"Call the client, qualify by the script <link>" instead of "Contact the client"',
    ),
    "flag_no_method": (
        "name the method: the script, checklist or template to follow",
        '"Send the offer by the template <link>, confirm receipt by phone" instead of '
        '"Send the offer"',
    ),
    "flag_no_link": (
        "link the material the task names",
        '"Send the price list <link>" instead of "Send the price list"',
    ),
    "flag_no_deadline": (
        "give every task a deadline",
        "set the due date in the CRM card when the task is created",
    ),
}


@dataclass(frozen=True)
class Verdict:
    """One KPI of the report's month in words.

    ``status`` is ``met``, ``missed``, ``no value`` (a KPI in force, nothing to judge) or
    ``no target`` (no KPI in force; ``metric`` is then "").
    """

    metric: str
    status: str
    text: str
    actual: float | None = None
    target: float | None = None
    direction: str = ""


@dataclass(frozen=True)
class Action:
    """One thing to do, why (``evidence``: the figures behind it), and where to read more
    (``section``: the id of the report section)."""

    rule: str
    text: str
    evidence: tuple[str, ...]
    section: str
    examples: tuple[dict, ...] = ()  # e.g. the worst descriptions: text, principle, pattern


@dataclass(frozen=True)
class NextSteps:
    """What :func:`next_steps` returns: the verdicts, the actions, and the all-well line."""

    month: pd.Timestamp
    verdicts: tuple[Verdict, ...]
    actions: tuple[Action, ...]
    all_well: str = ""
    considered: tuple[str, ...] = field(default=())  # the rules looked at, in order


def _month_words(month: pd.Timestamp) -> str:
    return month.strftime("%B %Y")


def _report_month(view) -> pd.Timestamp:
    last = view.end - pd.Timedelta(days=1)
    return pd.Timestamp(year=last.year, month=last.month, day=1, tz=view.start.tz)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _figure(metric: str, value: float, target: float | None = None) -> str:
    """A value in the unit people use: percent, "min", whole counts."""
    if value is None or pd.isna(value):
        return "–"
    kind = _kind(metric)
    if kind == "rate":
        text = f"{value:.0%}"
        if target is not None and text == f"{target:.0%}" and abs(value - target) > 1e-9:
            text = f"{value:.1%}"
        return text
    if kind == "minutes":
        return f"{value:.1f} min"
    return format_figure(metric, value)


def _target_figure(metric: str, target: float) -> str:
    kind = _kind(metric)
    if kind == "rate":
        return f"{target:.0%}" if round(target * 100, 6).is_integer() else f"{target:.1%}"
    if kind == "minutes":
        return f"{target:g} min"
    return format_figure(metric, target)


def _kind(metric: str) -> str:
    from workbench.formatting import metric_kind

    return metric_kind(metric)


def _short_label(metric: str) -> str:
    return {"delinquency_rate": "Overdue share"}.get(metric, metric_name(metric))


def verdicts(view) -> tuple[Verdict, ...]:
    """One :class:`Verdict` per KPI in force for the manager in the report's month."""
    month = _report_month(view)
    k = view.kpi
    rows = k.loc[(k["manager"] == view.manager) & (k["period"] == month)]
    if rows.empty:
        return (
            Verdict(
                metric="",
                status="no target",
                text=f"No KPI target was in force for you in {_month_words(month)}.",
            ),
        )
    out = []
    for row in rows.sort_values("metric").itertuples():
        words = "at most" if row.direction == "at_most" else "at least"
        target = f"target {words} {_target_figure(row.metric, row.target)}"
        label = _short_label(row.metric)
        if pd.isna(row.met) or pd.isna(row.actual):
            status, text = "no value", f"{label}: no value in {_month_words(month)} — {target}"
        else:
            status = "met" if bool(row.met) else "missed"
            text = f"{label} {_figure(row.metric, row.actual, row.target)} — {target}: {status}"
        out.append(
            Verdict(
                metric=row.metric,
                status=status,
                text=text,
                actual=None if pd.isna(row.actual) else float(row.actual),
                target=float(row.target),
                direction=row.direction,
            )
        )
    return tuple(out)


def _open_overdue(view) -> Action | None:
    late = view.open_overdue
    if "tasks" in view.absent_tables or late.empty:
        return None
    n = len(late)
    ours = late.loc[late["in_period"]] if "in_period" in late else late.iloc[:0]
    when = _window_name(view)
    head = f"{_plural(n, 'task')} {'is' if n == 1 else 'are'} past {'its' if n == 1 else 'their'}"
    if len(ours):
        text = (
            f"{head} deadline, {len(ours)} of them from {when}: close or reschedule these "
            "first, newest first, then clear the older ones."
        )
    else:
        text = (
            f"{head} deadline, none from {when}: close them, or reschedule each with a date "
            "you can keep."
        )
    evidence = [
        f"open tasks past their deadline at {view.as_of:%Y-%m-%d %H:%M}: {n}",
        f"of them with a deadline in {when}: {len(ours)}",
        f"newest deadline {late['due'].iloc[0]}; the oldest is "
        f"{late['days late'].max():.0f} days late",
    ]
    return Action("open_overdue", text, tuple(evidence), SECTIONS["open_overdue"])


def _window_name(view) -> str:
    from workbench.formatting import window_words

    return window_words(view.start, view.end)


def _descriptions(view) -> Action | None:
    q = view.quality
    if "tasks" in view.absent_tables or q.empty:
        return None
    written = q.loc[~q["flag_empty"].astype(bool)]
    flags = list(PRINCIPLES)
    missing = written[flags].astype(bool)
    bad = written.loc[missing.any(axis=1)]
    if len(bad) < DESCRIPTION_MIN_TASKS or len(bad) < DESCRIPTION_MIN_SHARE * len(written):
        return None
    worst = bad.sort_values(["score", "task_id"], kind="stable")
    worst = worst.drop_duplicates("description").head(2)
    examples = []
    for row in worst.itertuples():
        flag = next(f for f in flags if bool(getattr(row, f)))
        principle, pattern = PRINCIPLES[flag]
        examples.append(
            {
                "description": str(row.description),
                "score": float(row.score),
                "principle": principle,
                "pattern": pattern,
            }
        )
    counts = ", ".join(
        f"{metric_name(f).split(' (')[0].lower()}: {int(missing[f].sum())}"
        for f in flags
        if missing[f].any()
    )
    text = (
        f"{len(bad)} of the {len(written)} tasks created in {_window_name(view)} miss a "
        "concrete action, method, link or deadline: rewrite the worst two and use the "
        "pattern for new ones."
    )
    evidence = (
        f"tasks with a written description: {len(written)}; missing at least one: {len(bad)}",
        f"by what they miss: {counts}",
    )
    return Action(
        "descriptions", text, evidence, SECTIONS["descriptions"], examples=tuple(examples)
    )


def _team_median(view, metric: str) -> tuple[float, int]:
    others = view.others[metric].astype("float64").dropna()
    if len(others) < MIN_TEAM:
        return np.nan, 0
    return float(others.median()), len(others)


def _call_length(view) -> Action | None:
    if "calls" in view.absent_tables or view.own["connected"] <= 0:
        return None
    mean = float(view.own["talk_mean_min"])
    month = _report_month(view)
    k = view.kpi
    kpi = k.loc[
        (k["manager"] == view.manager)
        & (k["period"] == month)
        & (k["metric"] == "talk_mean_min")
        & (k["met"].notna())
    ]
    missed = len(kpi) and not bool(kpi["met"].iloc[0])
    median, n = _team_median(view, "talk_mean_min")
    far = n > 0 and mean > FAR_ABOVE * median
    if not (missed or far):
        return None
    calls = view.calls
    mine = calls.loc[
        (calls["manager"] == view.manager)
        & calls["answered"].astype(bool)
        & (calls["duration_s"] > 0)
    ]
    minutes = mine["duration_s"].astype("float64") / 60
    if missed:
        target = float(kpi["target"].iloc[0])
        month_mean = float(kpi["actual"].iloc[0])
        norm, against = target, f"your target of at most {target:g} min"
        start = month_mean
    else:
        norm, against = median, f"the team median of {median:.1f} min ({n} colleagues)"
        start = mean
    ladder = target_ladder(
        minutes, current=start, team_norm=norm, max_step=LADDER_STEP, direction="at_most"
    )
    table = ladder.table
    if len(table) < 2:
        return None
    step = table.iloc[1]
    goal = "that reaches " + ("your target" if missed else "the team median")
    if step["target"] != norm:
        goal = (
            f"the next step toward {norm:g} min"
            if missed
            else "the next step toward the team median"
        )
    text = (
        f"Your mean connected call lasted {start:.1f} min against {against}: aim for "
        f"{step['target']:g} min next month, {goal}."
    )
    evidence = [f"connected calls: {int(view.own['connected'])}, mean {mean:.1f} min"]
    if missed:
        evidence.append(f"{_month_words(month)}: {start:.1f} min, target at most {norm:g} min")
    if n:
        evidence.append(f"team median {median:.1f} min ({n} colleagues)")
    evidence.append(
        f"next step {step['target']:g} min ({abs(step['step_size']):.0%} shorter); "
        f"{step['share_breaching']:.0%} of your calls were longer"
    )
    return Action("call_length", text, tuple(evidence), SECTIONS["call_length"])


def _results_drop(view) -> Action | None:
    if "deals" in view.absent_tables:
        return None
    month = _report_month(view)
    p = view.panel.loc[view.panel["manager"] == view.manager].set_index("period").sort_index()
    before = p.loc[p.index < month].tail(DROP_MONTHS)
    if month not in p.index or len(before) < DROP_MONTHS:
        return None
    now = p.loc[month]
    found, evidence = [], []
    if before["leads"].notna().all() and pd.notna(now["leads"]):
        low, high = before["leads"].min(), before["leads"].max()
        if now["leads"] < low:
            found.append(f"{int(now['leads'])} leads")
            evidence.append(
                f"leads handled in {_month_words(month)}: {int(now['leads'])}; previous "
                f"{DROP_MONTHS} months: {int(low)} to {int(high)}"
            )
    closed_ok = (before["closed"] >= MIN_CLOSED).all() and now["closed"] >= MIN_CLOSED
    if closed_ok and before["conversion"].notna().all() and pd.notna(now["conversion"]):
        low, high = before["conversion"].min(), before["conversion"].max()
        if now["conversion"] < low:
            found.append(f"a conversion of {now['conversion']:.0%}")
            evidence.append(
                f"conversion in {_month_words(month)}: {now['conversion']:.0%} "
                f"({int(now['won'])} of {int(now['closed'])} closed); previous "
                f"{DROP_MONTHS} months: {low:.0%} to {high:.0%}"
            )
    if not found:
        return None
    text = (
        f"{' and '.join(found).capitalize()} in {_month_words(month)}: below each of your "
        f"previous {DROP_MONTHS} months. Go through the month's new and lost deals with your "
        "team head to find where they went."
    )
    return Action("results_drop", text, tuple(evidence), SECTIONS["results_drop"])


_RULES = (
    ("open_overdue", _open_overdue),
    ("descriptions", _descriptions),
    ("call_length", _call_length),
    ("results_drop", _results_drop),
)


def next_steps(view) -> NextSteps:
    """The KPI verdicts of the report's month and at most :data:`MAX_ACTIONS` actions.

    The rules, their thresholds and their order are in the module docstring.
    """
    actions = []
    for _, rule in _RULES:
        action = rule(view)
        if action is not None:
            actions.append(action)
    actions = actions[:MAX_ACTIONS]
    all_well = (
        ""
        if actions
        else "All is well: no open task is past its deadline and none of the coaching "
        "rules found anything to act on."
    )
    return NextSteps(
        month=_report_month(view),
        verdicts=verdicts(view),
        actions=tuple(actions),
        all_well=all_well,
        considered=tuple(name for name, _ in _RULES),
    )
