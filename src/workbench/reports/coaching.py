"""What a manager should do next: KPI verdicts and at most three actions, as data.

:func:`next_steps` reads a :class:`~workbench.reports.manager_view.ManagerView` (the
privacy boundary: the manager's own figures, anonymous team figures, texts with colleagues'
names masked) and returns plain values in the current language (:mod:`workbench.i18n`); the
report page, the e-mail and the index render them. Nothing here writes HTML: every string
is escaped where it is rendered.

Verdicts
--------
One per KPI in force for the manager in the report's month (the window's last month),
read from the monthly KPI attainment rows (never recomputed from pooled figures):
"Overdue share 17% — target at most 20%: met". Rates are shown in percent (to one decimal
where whole percent would hide a miss), minutes as "min", counts as integers. A KPI month
without a value says "no value"; with no KPI in force the one verdict says so ("no target").

Actions (in priority order; the first three that fire are kept)
---------------------------------------------------------------
1. ``open_overdue`` — the manager has open tasks past their deadline at the report's
   as-of instant. Evidence: the total, how many have their deadline in the report window,
   the newest deadline and how late the oldest is. The window's own come first (newest
   first): they are the ones the client still remembers; close or reschedule them, then
   clear the older ones.
2. ``call_length`` — the manager had connected calls and either a talk-time KPI
   (``talk_mean_min``) in force in the report's month was missed, or the mean call is more
   than :data:`FAR_ABOVE` times the team median (with at least ``MIN_TEAM`` colleagues).
   Evidence: the mean, the target or the team median, and the next step of the target
   ladder (:func:`workbench.metrics.ladder.target_ladder`, steps of at most
   :data:`LADDER_STEP`, whole minutes) toward the target (KPI missed) or the team median,
   with the share of the month's calls longer than that step.
3. ``results_drop`` — leads handled, or conversion (won / closed), in the report's month
   is below the minimum of the manager's :data:`DROP_MONTHS` previous months (all of them
   with a value; conversion only in months with at least :data:`MIN_CLOSED` closed deals):
   a drop beyond the month-to-month variation the manager's own history shows. Evidence:
   the month's figure and the previous months' range.
4. ``descriptions`` — for one or more of the four habits of a good task (a concrete
   action, a method, a link to the material it names, a deadline: flags ``vague_action``,
   ``no_method``, ``no_link``, ``no_deadline`` of :mod:`workbench.quality.score`), the
   share of the manager's tasks created in the window that miss it is at least
   :data:`DESCRIPTION_ABOVE_TEAM` (10 percentage points) above the team median of the
   colleagues' shares, and at least :data:`DESCRIPTION_MIN_TASKS` written descriptions
   miss it. Without a team figure (fewer than ``MIN_TEAM`` colleagues) the share must be
   at least :data:`DESCRIPTION_ALONE_SHARE`. Evidence: per habit, the count, the share and
   the team median; the worst two descriptions (lowest score), each with the principle it
   breaks and a rewritten pattern (the department's lesson: "Call the client, qualify by
   the script <link>" instead of "Contact the client").

   Why against the team: in the sample department most descriptions of every manager miss
   a method (50-73%), so an absolute threshold (the first version fired at 20%) told every
   manager the same thing every month. A habit the whole team lacks is the head of sales'
   topic, not one manager's next step; a manager who lacks it clearly more often than the
   colleagues is. It is ranked last: the other rules act on this month's figures.

No action fires without its evidence; a table the export had no file for fires none of
its actions. When none fires, ``all_well`` holds the one line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.formatting import capitalized, figure_with_unit, format_figure, metric_name
from workbench.i18n import N_, _, month_year, ngettext, number, percent
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
    "DESCRIPTION_ABOVE_TEAM",
    "DESCRIPTION_ALONE_SHARE",
    "DESCRIPTION_MIN_TASKS",
    "DROP_MONTHS",
    "FAR_ABOVE",
    "LADDER_STEP",
    "MAX_ACTIONS",
    "MIN_CLOSED",
]

#: At most this many actions are shown (more would read as a list, not a next step).
MAX_ACTIONS = 3
#: A habit fires when the manager's share of tasks missing it is this far (a fraction, so
#: 0.10 = 10 percentage points) above the team median of the colleagues' shares...
DESCRIPTION_ABOVE_TEAM = 0.10
#: ...or, without a team figure, at least this share.
DESCRIPTION_ALONE_SHARE = 0.5
#: ...and at least this many written descriptions miss it.
DESCRIPTION_MIN_TASKS = 3
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

#: Description flag -> (the habit a task misses, the principle it breaks, a rewritten
#: pattern); English, translated where shown.
PRINCIPLES: dict[str, tuple[str, str, str]] = {
    "flag_vague_action": (
        N_("a concrete action"),
        N_("say the channel and the step, not only that something should happen"),
        N_('"Call the client, qualify by the script <link>" instead of "Contact the client"'),
    ),
    "flag_no_method": (
        N_("a method"),
        N_("name the method: the script, checklist or template to follow"),
        N_(
            '"Send the offer by the template <link>, confirm receipt by phone" instead of '
            '"Send the offer"'
        ),
    ),
    "flag_no_link": (
        N_("a link to the material it names"),
        N_("link the material the task names"),
        N_('"Send the price list <link>" instead of "Send the price list"'),
    ),
    "flag_no_deadline": (
        N_("a deadline"),
        N_("give every task a deadline"),
        N_("set the due date in the CRM card when the task is created"),
    ),
}

_STATUS_WORDS = {"met": N_("met"), "missed": N_("missed")}
_BOUND_WORDS = {"at_most": N_("at most {value}"), "at_least": N_("at least {value}")}
_SHORT_LABELS = {"delinquency_rate": N_("Overdue share")}


@dataclass(frozen=True)
class Verdict:
    """One KPI of the report's month in words.

    ``status`` is ``met``, ``missed``, ``no value`` (a KPI in force, nothing to judge) or
    ``no target`` (no KPI in force; ``metric`` is then ""); ``text`` is in the current
    language, ``status`` is not (a key, e.g. for a CSS class).
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
    return month_year(month.date())


def _report_month(view) -> pd.Timestamp:
    last = view.end - pd.Timedelta(days=1)
    return pd.Timestamp(year=last.year, month=last.month, day=1, tz=view.start.tz)


def _kind(metric: str) -> str:
    from workbench.formatting import metric_kind

    return metric_kind(metric)


def _minutes(value: float) -> str:
    """Minutes to one decimal with the unit: "15.0 min"."""
    return figure_with_unit("talk_mean_min", value)


def _whole_minutes(value: float) -> str:
    """A target or ladder step in minutes, without a needless decimal: "22 min"."""
    digits = 0 if float(value).is_integer() else 1
    return _("{value} min").format(value=number(value, digits))


def _figure(metric: str, value: float, target: float | None = None) -> str:
    """A value in the unit people use: percent, "min", whole counts."""
    if value is None or pd.isna(value):
        return "–"
    kind = _kind(metric)
    if kind == "rate":
        text = percent(value)
        if target is not None and text == percent(target) and abs(value - target) > 1e-9:
            text = percent(value, 1)
        return text
    if kind == "minutes":
        return _minutes(value)
    return format_figure(metric, value)


def _target_figure(metric: str, target: float) -> str:
    kind = _kind(metric)
    if kind == "rate":
        return percent(target, 0 if round(target * 100, 6).is_integer() else 1)
    if kind == "minutes":
        return _whole_minutes(target)
    return format_figure(metric, target)


def _short_label(metric: str) -> str:
    short = _SHORT_LABELS.get(metric)
    return _(short) if short else metric_name(metric)


def _bound(direction: str, metric: str, target: float) -> str:
    """ "at most 20%" / "at least 22 min" in the current language."""
    words = _BOUND_WORDS.get(direction, _BOUND_WORDS["at_least"])
    return _(words).format(value=_target_figure(metric, target))


def verdicts(view) -> tuple[Verdict, ...]:
    """One :class:`Verdict` per KPI in force for the manager in the report's month."""
    month = _report_month(view)
    k = view.kpi
    rows = k.loc[(k["manager"] == view.manager) & (k["period"] == month)]
    if rows.empty:
        text = _("No KPI target was in force for you in {month}.")
        return (
            Verdict(metric="", status="no target", text=text.format(month=_month_words(month))),
        )
    out = []
    for row in rows.sort_values("metric").itertuples():
        bound = _bound(row.direction, row.metric, row.target)
        label = _short_label(row.metric)
        if pd.isna(row.met) or pd.isna(row.actual):
            status = "no value"
            text = _("{label}: no value in {month} — target {bound}").format(
                label=label, month=_month_words(month), bound=bound
            )
        else:
            status = "met" if bool(row.met) else "missed"
            text = _("{label} {value} — target {bound}: {status}").format(
                label=label,
                value=_figure(row.metric, row.actual, row.target),
                bound=bound,
                status=_(_STATUS_WORDS[status]),
            )
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


def _window_name(view) -> str:
    from workbench.formatting import window_words

    return window_words(view.start, view.end)


def _open_overdue(view) -> Action | None:
    late = view.open_overdue
    if "tasks" in view.absent_tables or late.empty:
        return None
    n = len(late)
    ours = int(late["in_period"].sum()) if "in_period" in late else 0
    when = _window_name(view)
    tasks = ngettext(
        "{n} task is past its deadline", "{n} tasks are past their deadline", n
    ).format(n=number(n))
    if ours:
        text = _(
            "{tasks}, {ours} of them from {when}: close or reschedule these first, newest "
            "first, then clear the older ones."
        ).format(tasks=tasks, ours=number(ours), when=when)
    else:
        text = _(
            "{tasks}, none from {when}: close them, or reschedule each with a date you can keep."
        ).format(tasks=tasks, when=when)
    oldest = int(round(float(late["days late"].max())))
    evidence = (
        _("open tasks past their deadline at {instant}: {n}").format(
            instant=f"{view.as_of:%Y-%m-%d %H:%M}", n=number(n)
        ),
        _("of them with a deadline in {when}: {n}").format(when=when, n=number(ours)),
        ngettext(
            "newest deadline {due}; the oldest is {days} day late",
            "newest deadline {due}; the oldest is {days} days late",
            oldest,
        ).format(due=late["due"].iloc[0], days=number(oldest)),
    )
    return Action("open_overdue", text, evidence, SECTIONS["open_overdue"])


def _joined(words: list[str]) -> str:
    """ "a, b or c" in the current language."""
    if len(words) == 1:
        return words[0]
    return _("{first} or {last}").format(first=", ".join(words[:-1]), last=words[-1])


def _descriptions(view) -> Action | None:
    q = view.quality
    if "tasks" in view.absent_tables or q.empty:
        return None
    written = q.loc[~q["flag_empty"].astype(bool)]
    team = view.quality_team
    mine = team.loc[team["manager"] == view.manager]
    others = team.loc[team["manager"] != view.manager]
    fired, evidence = [], []
    for flag in PRINCIPLES:
        column = "share_" + flag.removeprefix("flag_")
        missing = int(written[flag].astype(bool).sum())
        if missing < DESCRIPTION_MIN_TASKS or mine.empty:
            continue
        share = float(mine[column].iloc[0])
        colleagues = others[column].dropna()
        habit = metric_name(flag)
        counted = _("{habit}: {n} of {total} tasks ({share})").format(
            habit=habit, n=number(missing), total=number(len(q)), share=percent(share)
        )
        if len(colleagues) >= MIN_TEAM:
            median = float(colleagues.median())
            if share < median + DESCRIPTION_ABOVE_TEAM - 1e-12:
                continue
            counted = _("{counted}; team median {median}").format(
                counted=counted, median=percent(median)
            )
        elif share < DESCRIPTION_ALONE_SHARE:
            continue
        fired.append(flag)
        evidence.append(counted)
    if not fired:
        return None
    flags = written[fired].astype(bool)
    bad = written.loc[flags.any(axis=1)]
    worst = bad.sort_values(["score", "task_id"], kind="stable")
    worst = worst.drop_duplicates("description").head(2)
    examples = []
    for row in worst.itertuples():
        flag = next(f for f in fired if bool(getattr(row, f)))
        _habit, principle, pattern = PRINCIPLES[flag]
        examples.append(
            {
                "description": str(row.description),
                "score": float(row.score),
                "principle": _(principle),
                "pattern": _(pattern),
            }
        )
    habits = _joined([_(PRINCIPLES[f][0]) for f in fired])
    if len(others) >= MIN_TEAM:
        text = _(
            "{n} of the {total} tasks created in {when} miss {habits}, clearly more often "
            "than your colleagues' tasks: rewrite the worst two by the pattern and write new "
            "ones the same way."
        )
    else:
        text = _(
            "{n} of the {total} tasks created in {when} miss {habits}: rewrite the worst two "
            "by the pattern and write new ones the same way."
        )
    text = text.format(
        n=number(len(bad)), total=number(len(q)), when=_window_name(view), habits=habits
    )
    return Action(
        "descriptions", text, tuple(evidence), SECTIONS["descriptions"], examples=tuple(examples)
    )


def _team_median(view, metric: str) -> tuple[float, int]:
    others = view.others[metric].astype("float64").dropna()
    if len(others) < MIN_TEAM:
        return np.nan, 0
    return float(others.median()), len(others)


def _colleagues(n: int) -> str:
    return ngettext("{n} colleague", "{n} colleagues", n).format(n=n)


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
        start = float(kpi["actual"].iloc[0])
        norm = target
        against = _("your target of at most {target}").format(target=_whole_minutes(target))
    else:
        norm, start = median, mean
        against = _("the team median of {median} ({colleagues})").format(
            median=_minutes(median), colleagues=_colleagues(n)
        )
    ladder = target_ladder(
        minutes, current=start, team_norm=norm, max_step=LADDER_STEP, direction="at_most"
    )
    table = ladder.table
    if len(table) < 2:
        return None
    step = table.iloc[1]
    if step["target"] == norm:
        goal = _("that reaches your target") if missed else _("that reaches the team median")
    elif missed:
        goal = _("the next step toward {target}").format(target=_whole_minutes(norm))
    else:
        goal = _("the next step toward the team median")
    text = _(
        "Your mean connected call lasted {mean} against {against}: aim for {step} next "
        "month, {goal}."
    ).format(mean=_minutes(start), against=against, step=_whole_minutes(step["target"]), goal=goal)
    evidence = [
        _("connected calls: {n}, mean {mean}").format(
            n=number(int(view.own["connected"])), mean=_minutes(mean)
        )
    ]
    if missed:
        evidence.append(
            _("{month}: {mean}, target at most {target}").format(
                month=_month_words(month), mean=_minutes(start), target=_whole_minutes(norm)
            )
        )
    if n:
        evidence.append(
            _("team median {median} ({colleagues})").format(
                median=_minutes(median), colleagues=_colleagues(n)
            )
        )
    evidence.append(
        _("next step {step} ({size} shorter); {share} of your calls were longer").format(
            step=_whole_minutes(step["target"]),
            size=percent(abs(step["step_size"])),
            share=percent(step["share_breaching"]),
        )
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
    when = _month_words(month)
    if before["leads"].notna().all() and pd.notna(now["leads"]):
        low, high = before["leads"].min(), before["leads"].max()
        if now["leads"] < low:
            leads = int(now["leads"])
            found.append(ngettext("{n} lead", "{n} leads", leads).format(n=number(leads)))
            evidence.append(
                _("leads handled in {month}: {n}; previous {k} months: {low} to {high}").format(
                    month=when, n=number(leads), k=DROP_MONTHS, low=number(low), high=number(high)
                )
            )
    closed_ok = (before["closed"] >= MIN_CLOSED).all() and now["closed"] >= MIN_CLOSED
    if closed_ok and before["conversion"].notna().all() and pd.notna(now["conversion"]):
        low, high = before["conversion"].min(), before["conversion"].max()
        if now["conversion"] < low:
            found.append(_("a conversion of {rate}").format(rate=percent(now["conversion"])))
            evidence.append(
                _(
                    "conversion in {month}: {rate} ({won} of {closed} closed); previous {k} "
                    "months: {low} to {high}"
                ).format(
                    month=when,
                    rate=percent(now["conversion"]),
                    won=number(int(now["won"])),
                    closed=number(int(now["closed"])),
                    k=DROP_MONTHS,
                    low=percent(low),
                    high=percent(high),
                )
            )
    if not found:
        return None
    what = (
        found[0]
        if len(found) == 1
        else _("{first} and {second}").format(first=found[0], second=found[1])
    )
    text = _(
        "{what} in {month}: below each of your previous {k} months. Go through the month's "
        "new and lost deals with your team head to find where they went."
    ).format(what=what, month=when, k=DROP_MONTHS)
    return Action("results_drop", capitalized(text), tuple(evidence), SECTIONS["results_drop"])


_RULES = (
    ("open_overdue", _open_overdue),
    ("call_length", _call_length),
    ("results_drop", _results_drop),
    ("descriptions", _descriptions),
)


def next_steps(view) -> NextSteps:
    """The KPI verdicts of the report's month and at most :data:`MAX_ACTIONS` actions.

    The rules, their thresholds and their order are in the module docstring. Every text is
    in the current language (:func:`workbench.i18n.set_language`).
    """
    actions = []
    for _name, rule in _RULES:
        action = rule(view)
        if action is not None:
            actions.append(action)
    actions = actions[:MAX_ACTIONS]
    all_well = (
        ""
        if actions
        else _(
            "All is well: no open task is past its deadline and none of the coaching rules "
            "found anything to act on."
        )
    )
    return NextSteps(
        month=_report_month(view),
        verdicts=verdicts(view),
        actions=tuple(actions),
        all_well=all_well,
        considered=tuple(name for name, _rule in _RULES),
    )
