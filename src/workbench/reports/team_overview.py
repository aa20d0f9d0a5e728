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
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalogue import definitions
from workbench.formatting import figure_with_unit, metric_better, metric_name, window_words
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
    "heading_html",
    "overview_members",
    "prepare_overview",
    "shown_definitions",
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
    names = list(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _target_words(metric: str, target: float, direction: str) -> str:
    word = "at most" if direction == "at_most" else "at least"
    return f"{word} {_fmt(metric, target)}"


def _kpi_findings(table: pd.DataFrame, when: str, multi: bool) -> list[str]:
    out = []
    for metric in _kpi_metrics(table):
        rows = table.loc[table[f"kpi_{metric}_periods"] > 0]
        if rows.empty:
            continue
        targets = rows[[f"kpi_{metric}_target", f"kpi_{metric}_direction"]].drop_duplicates()
        kpi = f"the {_words(metric)} KPI"
        if len(targets) == 1:
            t, d = targets.iloc[0]
            kpi += f" ({_target_words(metric, t, d)})"
        missed = rows.loc[rows[f"kpi_{metric}_missed"] > 0, "manager"].tolist()
        judged = rows[f"kpi_{metric}_met"] + rows[f"kpi_{metric}_missed"]
        unjudged = int((judged == 0).sum())
        scope = f"in at least one month of {when}" if multi else f"in {when}"
        n = len(rows)
        verb = "missed" if missed else "met"
        if n == 1:
            text = f"{rows['manager'].iloc[0]}, the only manager with {kpi}, {verb} it {scope}"
        elif missed:
            text = f"{len(missed)} of {n} managers with {kpi} missed it {scope}: {_names(missed)}"
        else:
            text = f"{n - unjudged} of {n} managers with {kpi} met it {scope}, none missed it"
        if unjudged:
            text += f" ({unjudged} had no value to judge)"
        out.append(text + ".")
    return out


def _outlier_findings(table: pd.DataFrame) -> list[str]:
    out = []
    for metric in TEAM_METRICS:
        flagged = table.loc[table[f"{metric}_outlier"].eq(True).fillna(False)]
        for row in flagged.to_dict("records"):
            value, med = row[metric], row[f"{metric}_team_median"]
            side = "above" if value > med else "below"
            out.append(
                f"{row['manager']}'s {_words(metric)}, {_fmt(metric, value)}, is an "
                f"outlier ({side} the team): the other managers' median is {_fmt(metric, med)}."
            )
    return out


def _trend_findings(table: pd.DataFrame, n: int) -> list[str]:
    out = []
    for metric in TEAM_METRICS:
        good = metric_better(metric)
        if good is None:
            continue
        col = table[f"{metric}_trend"]
        parts = [
            f"{label} for {_names(table.loc[col == label, 'manager'])}"
            for label in ("worsening", "improving")
            if (col == label).any()
        ]
        if parts:
            out.append(
                f"{metric_name(metric)} ({good} is better), last {n} months vs the {n} before: "
                + "; ".join(parts)
                + "."
            )
    return out


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
    out = [
        f"{when}: {n} managers; {totals['tasks_due']:,.0f} tasks due, {totals['leads']:,.0f} "
        f"leads handled, sales volume {totals['sales_volume']:,.0f}."
    ]
    out += _kpi_findings(table, when, multi)
    out += _outlier_findings(table)
    out += _trend_findings(table, result.trend_periods)
    if correlation is not None:
        for row in correlation.itertuples(index=False):
            level = {"pooled": "manager-months pooled", "within": "within each manager",
                     "between": "between managers"}[row.level]  # fmt: skip
            x, y = _words(row.x), _words(row.y)
            out.append(f"{x.capitalize()} vs {y} ({level}): {row.verdict}.")
    return out


def figures_view(table: pd.DataFrame) -> pd.DataFrame:
    """The table for reading: one row per manager, formatted values, ``*`` marks an outlier.

    KPI columns read ``met / with a target`` (e.g. ``2 / 3``; ``–`` when no target applied).
    """
    out = pd.DataFrame({"manager": table["manager"]})
    for metric in TEAM_METRICS:
        name = metric_name(metric)
        flag = table[f"{metric}_outlier"].eq(True).fillna(False)
        text = table[metric].map(lambda v, m=metric: _fmt(m, v)).astype("str")
        out[name] = text.where(~flag, text + " *")
    for metric in _kpi_metrics(table):
        periods, met = table[f"kpi_{metric}_periods"], table[f"kpi_{metric}_met"]
        text = met.astype("str") + " / " + periods.astype("str")
        out[f"KPI {_words(metric)}: met"] = text.where(periods > 0, "–")
    return out


def trends_view(table: pd.DataFrame) -> pd.DataFrame:
    """Trend labels per manager and metric (only metrics with a good direction)."""
    out = pd.DataFrame({"manager": table["manager"]})
    for metric in TEAM_METRICS:
        good = metric_better(metric)
        if good is not None:
            out[f"{metric_name(metric)} ({good} is better)"] = table[f"{metric}_trend"]
    return out


def bar_data(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``manager``, ``metric`` and ``outlier`` for :func:`workbench.plots.metric_by_manager`."""
    return pd.DataFrame(
        {
            "manager": table["manager"],
            metric: table[metric],
            "outlier": table[f"{metric}_outlier"],
        }
    )


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
        "method": "Spearman ρ",
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

    when = html.escape(window_words(overview.start, overview.end))
    if overview.team:
        team = html.escape(overview.team)
        title, reader = f"Team {team}: {when}", f"for the head of team {team} only"
    else:
        title, reader = f"Team overview: {when}", "for the head of sales only"
    return HTML(
        f"<h1>{title}</h1><p>{len(overview.table)} managers; figures as of "
        f"{overview.as_of:%Y-%m-%d %H:%M %Z}. Managers are named: {reader}.</p>"
    )


def shown_definitions() -> pd.DataFrame:
    """Written definitions of every figure the overview shows."""
    names = [*TEAM_METRICS, "window_figure", "team_median", "robust_z", "trend", "met",
             "kpi_periods_met", "rho"]  # fmt: skip
    d = definitions()
    return d.loc[d["name"].isin(names)].reset_index(drop=True)
