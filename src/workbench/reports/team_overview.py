"""The head of sales' team overview: every manager side by side, named.

Unlike a manager's report (:mod:`workbench.reports.manager_view`, anonymous colleagues), this view
is for the head of sales and names everybody. It never reaches a manager's report.

:func:`team_table` is pure (panel and targets in, one row per manager out): window figures
from pooled counts (:func:`workbench.metrics.window.window_summary`), outliers against the other
managers (:func:`workbench.stats.team.compare_to_team`, robust z), a trend label per metric
(:func:`workbench.stats.team.trend`) and KPI attainment per KPI metric
(:func:`workbench.metrics.kpi.kpi_attainment`). :func:`team_findings` turns the table into plain
sentences. :func:`prepare_overview` assembles everything the notebook shows from a loaded
dataset, without I/O.

Which direction is "good" is a judgement for two metrics: a lower overdue share is better by
definition, but a shorter call is better only relative to this team's norm and its KPI (a
long call may be a good call); the trend labels follow the KPI, and the notebook says so.

Every sentence and label is in the current language (:mod:`workbench.i18n`). The team figure
of a sentence is ONE median per metric, of every manager the overview covers (the outlier
test itself compares a manager with the others, see :func:`team_table`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalogue import plain_definitions
from workbench.formatting import (
    capitalized,
    figure_with_unit,
    metric_better,
    metric_name,
    window_words,
)
from workbench.i18n import N_, _, ngettext, number, percent
from workbench.metrics.kpi import kpi_attainment, usable_targets
from workbench.metrics.periods import to_instant
from workbench.metrics.window import window_summary
from workbench.privacy import MIN_TEAM
from workbench.reports.manager_view import department_panel, report_window
from workbench.reports.selection import select_people
from workbench.stats.correlation import tasks_results_correlation
from workbench.stats.team import compare_to_team, trend

__all__ = [
    "TEAM_METRICS",
    "TeamOverview",
    "TeamTable",
    "team_table",
    "team_findings",
    "figures_view",
    "trends_view",
    "bar_data",
    "common_target",
    "correlation_annotation",
    "correlation_sentences",
    "heading_html",
    "overview_members",
    "prepare_overview",
    "shown_definitions",
    "team_medians",
    "TREND_WORDS",
]

#: Columns of the overview, in order; labels and good directions come from the catalogue
#: (:func:`workbench.catalogue.catalogue`). A metric without a better direction
#: (``tasks_due``: more due tasks is neither better nor worse) gets no trend label.
TEAM_METRICS: tuple[str, ...] = (
    "tasks_due",
    "delinquency_rate",
    "tasks_completed",
    "talk_mean_min",
    "dials",
    "leads",
    "conversion",
    "sales_volume",
)


#: Trend labels (:func:`workbench.stats.team.trend`) in words, translated where shown.
TREND_WORDS = {
    "improving": N_("improving"),
    "worsening": N_("worsening"),
    "flat": N_("flat"),
    "insufficient data": N_("too few months"),
}


def _words(metric: str) -> str:
    """The metric's label inside a sentence ("the overdue share of tasks due KPI")."""
    return metric_name(metric).lower()


def _fmt(metric: str, value: float) -> str:
    """The shared display text with its unit where a sentence needs one ("22.1 min")."""
    return figure_with_unit(metric, value)


def _kpi_summary(
    panel: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str,
    tz: str,
) -> pd.DataFrame:
    """Per manager and KPI metric: periods with a target, met, missed, last target."""
    k = kpi_attainment(panel, targets, period=period, tz=tz)
    k = k.loc[(k["period"] >= start) & (k["period"] < end)].sort_values("period")
    if k.empty:
        return pd.DataFrame(index=pd.Index([], name="manager"))
    met = k["met"]
    k = k.assign(is_met=met.eq(True).fillna(False), is_missed=met.eq(False).fillna(False))
    g = k.groupby(["manager", "metric"])
    out = pd.DataFrame(
        {
            "periods": g["period"].size(),
            "met": g["is_met"].sum(),
            "missed": g["is_missed"].sum(),
            "target": g["target"].last(),
            "direction": g["direction"].last(),
        }
    ).unstack("metric")
    out.columns = [f"kpi_{metric}_{stat}" for stat, metric in out.columns]
    return out


@dataclass(frozen=True, eq=False)
class TeamTable:
    """What :func:`team_table` returns: the table and the window it covers.

    Attributes
    ----------
    table : DataFrame
        One row per manager (columns in :func:`team_table`'s notes).
    start, end : Timestamp
        The window ``[start, end)`` in the business time zone.
    period : str
        The panel's period kind (``"month"``).
    trend_periods : int
        Periods on each side of the trend comparison.
    """

    table: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    period: str = "month"
    trend_periods: int = 3


def team_table(
    panel: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    start,
    end,
    period: str = "month",
    tz: str = "UTC",
    trend_periods: int = 3,
    threshold: float = 3.5,
    min_others: int = MIN_TEAM,
    rel_tol: float = 0.05,
) -> TeamTable:
    """All managers side by side over the window ``[start, end)``.

    Parameters
    ----------
    panel : DataFrame
        The manager panel (:func:`workbench.manager_panel`) covering the window and, for the
        trends, the ``2 x trend_periods`` periods before ``end``.
    targets : DataFrame
        The canonical targets table.
    start, end : Timestamp or ISO string
        The window; a naive value is wall-clock time in ``tz``.
    period, tz : the panel's period kind and business time zone (for the KPI check).
    trend_periods : int
        Trend = the last ``trend_periods`` periods before ``end`` vs the ones before them.
    threshold : float
        ``|robust_z|`` above which a window figure is an outlier.
    min_others : int
        Fewer other managers with a value than this and the outlier flag is NA: the median
        absolute deviation of one or two colleagues is noise (the same rule as the team
        figures of a manager's report, :data:`workbench.privacy.MIN_TEAM`).
    rel_tol : float
        A trend change within ``rel_tol`` of the previous level is ``flat``.

    Returns
    -------
    TeamTable
        ``table``: one row per manager of the panel: ``manager``, ``n_periods``, the window
        figures of :data:`TEAM_METRICS`; per metric ``<m>_team_median`` (median of the
        OTHER managers), ``<m>_robust_z``, ``<m>_outlier`` (nullable bool) and, for metrics
        with a good direction, ``<m>_trend`` (improving / worsening / flat / insufficient
        data); per KPI metric of ``targets`` ``kpi_<m>_periods``, ``kpi_<m>_met``,
        ``kpi_<m>_missed`` (ints) and ``kpi_<m>_target``, ``kpi_<m>_direction`` (of the
        window's last period with a target); with the window, the period kind and
        ``trend_periods``.
    """
    start, end = to_instant(start, tz=tz), to_instant(end, tz=tz)
    if not start < end:
        raise ValueError(f"team_table: start {start} must be before end {end}")
    metrics = list(TEAM_METRICS)
    window = window_summary(panel, start=start, end=end)
    out = window[["manager", "n_periods", *metrics]].set_index("manager")
    history = panel.loc[panel["period"] < end]
    for metric in TEAM_METRICS:
        good = metric_better(metric)
        cmp = compare_to_team(window, metric, by=None, threshold=threshold).set_index("manager")
        out[f"{metric}_team_median"] = cmp["team_median"]
        out[f"{metric}_robust_z"] = cmp["robust_z"]
        out[f"{metric}_outlier"] = cmp["outlier"].mask(cmp["n_others"] < min_others)
        if good is not None:
            tr = trend(history, metric, good=good, periods=trend_periods, rel_tol=rel_tol)
            labels = tr.set_index("manager")["trend"].reindex(out.index)
            out[f"{metric}_trend"] = labels.fillna("insufficient data").astype("str")
    kpi = _kpi_summary(panel, targets, start=start, end=end, period=period, tz=tz)
    out = out.join(kpi)
    for col in kpi.columns:
        if col.endswith(("_periods", "_met", "_missed")):
            out[col] = out[col].fillna(0).astype("int64")
    return TeamTable(out.reset_index(), start, end, period, trend_periods)


def _kpi_metrics(table: pd.DataFrame) -> list[str]:
    """KPI metrics of the table, in the order of TEAM_METRICS, then the others by name."""
    found = [c[4 : -len("_periods")] for c in table.columns if c.startswith("kpi_")
             and c.endswith("_periods")]  # fmt: skip
    order = {m: i for i, m in enumerate(TEAM_METRICS)}
    return sorted(found, key=lambda m: (order.get(m, len(order)), m))


def _names(names) -> str:
    """ "A, B and C" in the current language."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def _target_words(metric: str, target: float, direction: str) -> str:
    if direction == "at_most":
        return _("at most {target}").format(target=_fmt(metric, target))
    return _("at least {target}").format(target=_fmt(metric, target))


def _better_words(metric: str) -> str:
    """The metric's label with its good direction: "Dials (higher is better)"."""
    if metric_better(metric) == "lower":
        return _("{metric} (lower is better)").format(metric=metric_name(metric))
    return _("{metric} (higher is better)").format(metric=metric_name(metric))


def _kpi_findings(table: pd.DataFrame, when: str, multi: bool) -> list[str]:
    out = []
    for metric in _kpi_metrics(table):
        rows = table.loc[table[f"kpi_{metric}_periods"] > 0]
        if rows.empty:
            continue
        targets = rows[[f"kpi_{metric}_target", f"kpi_{metric}_direction"]].drop_duplicates()
        if len(targets) == 1:
            t, d = targets.iloc[0]
            kpi = _("the {metric} KPI ({target})").format(
                metric=_words(metric), target=_target_words(metric, t, d)
            )
        else:
            kpi = _("the {metric} KPI").format(metric=_words(metric))
        missed = rows.loc[rows[f"kpi_{metric}_missed"] > 0, "manager"].tolist()
        judged = rows[f"kpi_{metric}_met"] + rows[f"kpi_{metric}_missed"]
        unjudged = int((judged == 0).sum())
        if multi:
            scope = _("in at least one month of {when}").format(when=when)
        else:
            scope = _("in {when}").format(when=when)
        n = len(rows)
        if n == 1:
            text = (
                _("{manager}, the only manager with {kpi}, missed it {scope}")
                if missed
                else _("{manager}, the only manager with {kpi}, met it {scope}")
            ).format(manager=rows["manager"].iloc[0], kpi=kpi, scope=scope)
        elif missed:
            text = ngettext(
                "{missed} of {n} manager with {kpi} missed it {scope}: {names}",
                "{missed} of {n} managers with {kpi} missed it {scope}: {names}",
                n,
            ).format(missed=len(missed), n=n, kpi=kpi, scope=scope, names=_names(missed))
        else:
            text = ngettext(
                "{met} of {n} manager with {kpi} met it {scope}, none missed it",
                "{met} of {n} managers with {kpi} met it {scope}, none missed it",
                n,
            ).format(met=n - unjudged, n=n, kpi=kpi, scope=scope)
        if unjudged:
            text += " " + ngettext(
                "({n} had no value to judge)", "({n} had no value to judge)", unjudged
            ).format(n=unjudged)
        out.append(text + ".")
    return out


def team_medians(table: pd.DataFrame) -> dict[str, float | None]:
    """The team figure of each :data:`TEAM_METRICS` metric: the median of every manager of
    the table (one figure per metric, the same whichever manager a sentence is about)."""
    out: dict[str, float | None] = {}
    for metric in TEAM_METRICS:
        values = table[metric].astype("float64").dropna()
        out[metric] = float(values.median()) if len(values) else None
    return out


def _outlier_findings(table: pd.DataFrame) -> list[str]:
    out = []
    medians = team_medians(table)
    for metric in TEAM_METRICS:
        flagged = table.loc[table[f"{metric}_outlier"].eq(True).fillna(False)]
        for row in flagged.to_dict("records"):
            value, others = row[metric], row[f"{metric}_team_median"]
            text = (
                _("{manager}: {metric} {value}, an outlier above the team (team median {median}).")
                if value > others
                else _(
                    "{manager}: {metric} {value}, an outlier below the team (team median {median})."
                )
            )
            out.append(
                text.format(
                    manager=row["manager"],
                    metric=_words(metric),
                    value=_fmt(metric, value),
                    median=_fmt(metric, medians[metric]),
                )  # fmt: skip
            )
    return out


def _trend_findings(table: pd.DataFrame, n: int) -> list[str]:
    out = []
    for metric in TEAM_METRICS:
        if metric_better(metric) is None:
            continue
        col = table[f"{metric}_trend"]
        parts = []
        if (col == "worsening").any():
            names = _names(table.loc[col == "worsening", "manager"])
            parts.append(_("worsening for {names}").format(names=names))
        if (col == "improving").any():
            names = _names(table.loc[col == "improving", "manager"])
            parts.append(_("improving for {names}").format(names=names))
        if parts:
            text = ngettext(
                "{metric}, the last {n} month against the {n} before: {parts}.",
                "{metric}, the last {n} months against the {n} before: {parts}.",
                n,
            )
            out.append(text.format(metric=_better_words(metric), n=n, parts="; ".join(parts)))
    return out


def correlation_sentences(correlation: pd.DataFrame, *, explain: bool = False) -> list[str]:
    """The tasks-vs-results correlation in plain words, one sentence per row (level), and
    with ``explain`` what a rank correlation means here and whether this one can be told
    apart from none.

    ``correlation`` holds :func:`workbench.stats.correlation.tasks_results_correlation` rows.
    """
    out = []
    for row in correlation.to_dict("records"):
        x, y = metric_name(row["x"]).lower(), metric_name(row["y"]).lower()
        level = {
            "pooled": _("one point per manager and month"),
            "within": _("each manager's months against that manager's own average"),
            "between": _("one point per manager"),
        }[row["level"]]
        rho, low, high = row.get("rho"), row.get("ci_low"), row.get("ci_high")
        if rho is None or pd.isna(rho):
            out.append(
                _("{x} and {y} ({level}): no rank correlation, one of them does not vary.")
                .format(x=capitalized(x), y=y, level=level)
            )  # fmt: skip
            continue
        text = _("{x} and {y} ({level}): rank correlation {rho}").format(
            x=capitalized(x), y=y, level=level, rho=number(rho, 2)
        )
        managers = int(row.get("n_managers") or 0)
        if low is None or high is None or pd.isna(low) or pd.isna(high):
            text += "; " + ngettext(
                "with only {n} manager there is no interval (too few to resample), so it "
                "cannot be told apart from no relation.",
                "with only {n} managers there is no interval (too few to resample), so it "
                "cannot be told apart from no relation.",
                managers,
            ).format(n=managers)
        elif low <= 0 <= high:
            text += "; " + _(
                "its {level} interval, {low} to {high}, includes 0: it cannot be told apart "
                "from no relation."
            ).format(level=_percent_level(row), low=number(low, 2), high=number(high, 2))
        else:
            side = _("more") if rho > 0 else _("fewer")
            text += "; " + _(
                "its {level} interval, {low} to {high}, excludes 0: months with more {x} "
                "tend to have {side} {y}."
            ).format(level=_percent_level(row), low=number(low, 2), high=number(high, 2),
                     x=x, side=side, y=y)  # fmt: skip
        out.append(text)
        if explain:
            out.append(
                _(
                    "A rank correlation runs from -1 to +1. Near +1, the manager-months "
                    "with more {x} are the ones with more {y}; near -1, with fewer; near 0, "
                    "the one says nothing about the order of the other. Even a clear "
                    "correlation is not an effect: the season and the flow of leads move "
                    "both."
                ).format(x=x, y=y)
            )
    return out


def _percent_level(row: dict) -> str:
    return percent(1 - float(row.get("alpha", 0.05)))


def team_findings(result: TeamTable, *, correlation: pd.DataFrame | None = None) -> list[str]:
    """Plain-language findings for the head of sales, computed from :func:`team_table`.

    Parameters
    ----------
    result : TeamTable
        What :func:`team_table` returned (its table and window).
    correlation : DataFrame, optional
        :func:`workbench.stats.correlation.tasks_results_correlation` rows; each adds a sentence.

    Returns
    -------
    list of str
        The team's totals, KPI misses by name, outliers with the others' median, who is
        trending which way, and the tasks-vs-results correlation.
    """
    table, start, end = result.table, result.start, result.end
    when = window_words(start, end)
    multi = (end - pd.Timedelta(days=1)).month != start.month
    n = len(table)
    totals = table[["tasks_due", "leads", "sales_volume"]].sum()
    totals_text = ngettext(
        "{when}: {n} manager; {due} tasks due, {leads} leads handled, sales volume {volume}.",
        "{when}: {n} managers; {due} tasks due, {leads} leads handled, sales volume {volume}.",
        n,
    ).format(
        when=when, n=n, due=number(totals["tasks_due"]), leads=number(totals["leads"]),
        volume=number(totals["sales_volume"]),
    )  # fmt: skip
    out = [capitalized(totals_text)]  # "октябрь 2026: ..." starts a sentence
    out += _kpi_findings(table, when, multi)
    out += _outlier_findings(table)
    out += _trend_findings(table, result.trend_periods)
    if correlation is not None:
        out += correlation_sentences(correlation)
    return out


def figures_view(table: pd.DataFrame) -> pd.DataFrame:
    """The table for reading: one row per manager, formatted values, ``*`` marks an outlier.

    KPI columns read "months met of months with a target" (e.g. ``2 of 3``; ``–`` when no
    target applied). Column names are in the current language, the first is "Manager".
    """
    out = pd.DataFrame({_("Manager"): table["manager"]})
    for metric in TEAM_METRICS:
        name = metric_name(metric)
        flag = table[f"{metric}_outlier"].eq(True).fillna(False)
        text = table[metric].map(lambda v, m=metric: _fmt(m, v)).astype("str")
        out[name] = text.where(~flag, text + " *")
    for metric in _kpi_metrics(table):
        periods, met = table[f"kpi_{metric}_periods"], table[f"kpi_{metric}_met"]
        text = [
            _("{met} of {periods}").format(met=m, periods=p)
            for m, p in zip(met, periods, strict=True)
        ]
        column = _("KPI {metric}: months met").format(metric=_words(metric))
        out[column] = pd.Series(text, index=table.index).where(periods > 0, "–")
    return out


def trends_view(table: pd.DataFrame) -> pd.DataFrame:
    """Trend labels per manager and metric (only metrics with a good direction), in words."""
    out = pd.DataFrame({_("Manager"): table["manager"]})
    for metric in TEAM_METRICS:
        if metric_better(metric) is not None:
            labels = table[f"{metric}_trend"].map(lambda t: _(TREND_WORDS.get(t, t)))
            out[_better_words(metric)] = labels
    return out


def bar_data(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``manager``, ``metric``, ``outlier`` and (with a KPI on the metric) ``target``, each
    manager's target of the window's last month with one, for
    :func:`workbench.plots.metric_by_manager`."""
    out = pd.DataFrame(
        {
            "manager": table["manager"],
            metric: table[metric],
            "outlier": table[f"{metric}_outlier"],
        }
    )
    if f"kpi_{metric}_target" in table.columns:
        out["target"] = table[f"kpi_{metric}_target"].astype("float64")
    return out


def common_target(table: pd.DataFrame, metric: str) -> float | None:
    """The KPI target every manager shares in the window's last period, else None.

    A line for a personal target (e.g. one manager's call-length KPI) would read as if it
    applied to everybody, so it is drawn only when all managers have the same one.
    """
    col = f"kpi_{metric}_target"
    if col not in table.columns or table[col].isna().any():
        return None
    values = table[col].unique()
    return float(values[0]) if len(values) == 1 else None


def correlation_annotation(correlation: pd.DataFrame, *, level: str = "pooled") -> dict | None:
    """The ``annotation`` dict of :func:`workbench.plots.tasks_vs_results` for one level."""
    rows = correlation.loc[correlation["level"] == level]
    if rows.empty or np.isnan(rows["rho"].iloc[0]):
        return None
    r = rows.iloc[0]
    ci = not np.isnan(r["ci_low"])
    return {
        "rho": float(r["rho"]),
        "ci_low": float(r["ci_low"]) if ci else None,
        "ci_high": float(r["ci_high"]) if ci else None,
        "level": 1 - float(r["alpha"]),
        "n": int(r["n_rows"]),
    }


@dataclass
class TeamOverview:
    """Everything the team overview shows (managers named: head of sales or team head only).

    ``team`` is the roster team the overview is restricted to (``""``: the department).
    """

    tz: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    panel: pd.DataFrame
    team_table: TeamTable
    kpi: pd.DataFrame
    correlation: pd.DataFrame
    health: pd.DataFrame
    team: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """One row per manager (:func:`team_table`'s table)."""
        return self.team_table.table


def overview_members(
    members: tuple[str, ...] | list[str], teams: dict[str, str], team: str = ""
) -> tuple[str, ...]:
    """The managers an overview covers: every member, or the members of roster ``team``.

    Raises
    ------
    ValueError
        ``team`` has no member in the window (naming the teams that have).
    """
    if not team:
        return tuple(members)
    mine = tuple(m for m in members if teams.get(m) == team)
    if not mine:
        known = ", ".join(repr(t) for t in sorted(set(teams.values()))) or "none"
        raise ValueError(f"team {team!r} has no member in the window (teams: {known})")
    return mine


def prepare_overview(
    dataset,
    *,
    period_start: str,
    period_end: str,
    as_of: str = "",
    history_months: int = 6,
    conversation_s: float = 60,
    long_call_s: float = 1200,
    n_boot: int = 2000,
    team: str = "",
    members: tuple[str, ...] | None = None,
    teams: dict[str, str] | None = None,
) -> TeamOverview:
    """Compute the team overview of whole months ``period_start..period_end`` (no I/O).

    Parameters
    ----------
    dataset : Dataset
        What :func:`workbench.load_dataset` returned (or a batch snapshot's dataset).
    period_start, period_end : str
        ISO dates: the first and last day of the window's whole months.
    as_of : str
        ISO instant for "now"; ``""`` = the window's end or the last event, if earlier
        (as in the managers' reports, so the figures agree).
    history_months : int
        Months of history up to the window's end, for trends and the correlation; the trend
        compares the last ``history_months // 2`` months with the ones before.
    conversation_s, long_call_s : call thresholds (see ``call_metrics``).
    n_boot : bootstrap resamples of the correlation's interval.
    team : str
        A roster team: every figure, table and finding covers that team's managers only
        (for its team head); ``""`` = every member of the department. A team's medians and
        outliers are of its other managers, under the same minimum
        (:data:`workbench.privacy.MIN_TEAM`) as the department's.
    members, teams : the window's members and member -> roster team, as the runner selected
        them (its batch snapshot's department figures); default
        :func:`workbench.reports.selection.select_people` of the window.
    """
    tz = dataset.tz
    if members is None or teams is None:
        selection = select_people(dataset, *report_window(period_start, period_end, tz=tz))
        members, teams = selection.members, dict(selection.teams)
    covered = overview_members(members, teams, team)
    # the same window, as-of and panel as the managers' reports, so the figures agree
    start, end, now, panel = department_panel(
        dataset,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of or None,
        history_months=history_months,
        conversation_s=conversation_s,
        long_call_s=long_call_s,
        members=covered,
    )  # the report's members only (the roster's people, else owners with activity)
    # a target on an unknown metric or manager is left out (data_health.html lists it)
    known = set(dataset.managers) | set(dataset.roster["manager"])
    targets = usable_targets(dataset.targets, managers=known)[0]
    result = team_table(
        panel,
        targets,
        start=start,
        end=end,
        tz=tz,
        trend_periods=max(1, history_months // 2),
    )
    correlation = tasks_results_correlation(panel, level="pooled", n_boot=n_boot)
    health = dataset.health()
    return TeamOverview(
        tz=tz,
        start=start,
        end=end,
        as_of=now,
        panel=panel,
        team_table=result,
        kpi=kpi_attainment(panel, targets, period="month", tz=tz),
        correlation=correlation,
        health=health.drop(columns=[c for c in health.columns if c == "value"]),
        team=team,
    )


def heading_html(overview: TeamOverview):
    """The overview's heading as HTML (team, window and as-of instant), CRM text escaped."""
    from IPython.display import HTML

    when = window_words(overview.start, overview.end)
    n = len(overview.table)
    if overview.team:
        title = _("Team {team}: {when}").format(team=overview.team, when=when)
        text = ngettext(
            "{n} manager; figures as of {time}. Managers are named: for the head of team "
            "{team} only.",
            "{n} managers; figures as of {time}. Managers are named: for the head of team "
            "{team} only.",
            n,
        )
    else:
        title = _("Team overview: {when}").format(when=when)
        text = ngettext(
            "{n} manager; figures as of {time}. Managers are named: for the head of sales only.",
            "{n} managers; figures as of {time}. Managers are named: for the head of sales only.",
            n,
        )
    time = f"{overview.as_of:%Y-%m-%d %H:%M %Z}"
    body = text.format(n=n, time=time, team=overview.team)
    return HTML(f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>")


#: The figures the overview defines in its folded appendix, in its order.
DEFINED = (*TEAM_METRICS, "team_median", "robust_z", "trend", "met", "kpi_periods_met", "rho")


def shown_definitions() -> pd.DataFrame:
    """The definitions of every figure the overview shows, in plain words of the current
    language (:func:`workbench.catalogue.plain_definitions`: no column names, no formulas)."""
    return plain_definitions(DEFINED)
