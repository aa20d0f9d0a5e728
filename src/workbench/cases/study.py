"""Case studies for coaches: what a KPI change did for one manager, and how sure we are.

A case gathers, for one manager and one KPI change (one or several step dates), the
tables a coach reads: the unit-level before/after with intervals, the monthly series, the
comparison with untreated colleagues (difference in differences and placebo dates), the
output or sales that went with it, a target ladder, the guardrails while the KPI was in
force, and a plain-language conclusion whose wording follows the intervals.

This module assembles the :class:`Case`; the parts live by responsibility in
:mod:`workbench.cases.units` (unit tables), :mod:`workbench.cases.windows` (change dates,
whole periods, control group), :mod:`workbench.cases.comparisons` (count, rate and
guardrail comparisons), :mod:`workbench.cases.tables` (monthly series, peers, ladder,
sales), :mod:`workbench.cases.text` (wording) and :mod:`workbench.plots.cases` (the
figure). Their public functions are re-exported here.

Windows
-------
``change_dates`` split time into ``before`` (before the first date), the steps, and the
last window (from the last date on). Two notions of "after", each used for one purpose:

- *KPI in force*: from the FIRST date on (every step). The guardrails and the count
  comparisons (:func:`count_change`) use it: gaming or a change in output counts from the
  day a KPI applies.
- *last step*: from the LAST date on. The metric's before/after verdict, the difference in
  differences and the sales decomposition judge it, so that 32 -> 27 -> 22 min compares the
  months before the first step with the months under the final target.
  :func:`count_change` reports it too when there are several steps.

Monthly tables assign a month to a window by its start (use month-start change dates).
Per-month figures use whole months only (see :func:`count_change`).

Control group
-------------
The colleagues compared with are those with no target on the case's metric in force at any
instant from the first date to the end of the data (:func:`untreated_colleagues`; a ``*``
row treats everyone). With fewer than 3 of them there is no comparison: no difference in
differences, no placebo dates, and the conclusion says so (3, like every team figure here,
so that no colleague's figures can be read off the pooled control).

Units
-----
:func:`due_task_units` (one row per task due, ``overdue`` 0/1) follows the definition of
``delinquency_rate`` in :mod:`workbench.metrics.tasks`; :func:`connected_call_units` (one row
per connected call, ``talk_min``) that of ``talk_mean_min`` in :mod:`workbench.metrics.calls`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from workbench.cases.comparisons import count_change, guardrail_change, rate_test
from workbench.cases.tables import (
    before_mean_by_manager,
    kpi_rows,
    ladder_to_norm,
    lower_is_better,
    monthly_mean_interval,
    monthly_series,
    peer_comparison,
    sales_change,
)
from workbench.cases.text import METRIC_WORDS, conclusion_parts, conclusion_text
from workbench.cases.units import Units, connected_call_units, due_task_units
from workbench.cases.windows import (
    case_dates,
    data_span,
    parse_change_dates,
    untreated_colleagues,
    whole_periods,
)
from workbench.metrics.calls import call_metrics
from workbench.metrics.deals import deal_metrics
from workbench.metrics.guardrails import RESULT_GUARDRAILS, guardrails
from workbench.metrics.ladder import Ladder
from workbench.metrics.tasks import task_metrics
from workbench.stats import (
    Placebo,
    before_after,
    monthly_before_after,
    rate_before_after,
    wilson_interval,
)
from workbench.stats.resampling import excludes_zero

__all__ = [
    "TEAM",
    "Case",
    "Units",
    "due_task_units",
    "connected_call_units",
    "parse_change_dates",
    "untreated_colleagues",
    "whole_periods",
    "count_change",
    "guardrail_change",
    "rate_test",
    "conclusion_text",
    "overdue_case",
    "call_length_case",
    "pooled",
    "CASE_METRICS",
    "study_case",
]

#: The KPI metrics a case study exists for (each has its case function below).
CASE_METRICS = ("delinquency_rate", "talk_mean_min")

#: The manager of a department-wide target row: a case for ``"*"`` pools the whole team.
TEAM = "*"


@dataclass
class Case:
    """Everything a coach's notebook shows about one manager's KPI change.

    Attributes
    ----------
    manager, metric : str
        Who and which KPI metric (``delinquency_rate`` or ``talk_mean_min``).
    change_dates : DatetimeIndex
        The step dates (tz-aware). The case functions take them as ``"2026-04-01,2026-07-01"``
        or a list; ``""`` takes the ``effective_from`` dates of the manager's (else the
        ``*``) target rows for the metric.
    units : Units
        Unit table of every manager and the rows outside the population (see
        :func:`due_task_units`, :func:`connected_call_units`).
    before_after : DataFrame
        Per window: ``window``, ``start``, ``end``, ``n``, ``months``, ``mean`` (unit mean),
        ``mean_low``, ``mean_high``, ``change``, ``change_low``, ``change_high``, ``df``,
        ``p_value``, ``significant``, ``mde`` (headline: months as the unit, t critical
        values; see :func:`workbench.stats.monthly_before_after`), and the unit-level
        ``unit_change_low``, ``unit_change_high``, ``unit_p_value`` (in the metric's unit:
        a fraction or minutes).
    monthly : DataFrame
        The manager per month: ``period``, ``window``, ``n``, ``value``, ``low``, ``high``,
        ``team_median`` (other managers, NaN with fewer than 3), ``target``.
    peers : DataFrame
        One row: the difference in differences at the last date (before vs last window)
        against the untreated colleagues, on monthly differences (headline ``did``,
        ``did_low``, ``did_high``) and on units (``unit_did`` ...); no rows when fewer than
        3 are untreated (:func:`workbench.cases.tables.peer_comparison`).
    placebo : Placebo
        :func:`workbench.stats.placebo_test` (dates, windows of the real length):
        ``table``, ``p_value = (1 + k) / (1 + N)``, ``smallest_p``; empty without a
        control group.
    colleague_placebo : Placebo
        :func:`workbench.stats.colleague_placebo`: each untreated colleague given the KPI
        date, the manager's rank among them.
    trend : dict
        :func:`workbench.stats.pre_trend` of the monthly differences from the colleagues
        (without a control group: of the manager's own series).
    event_study : DataFrame
        :func:`workbench.stats.event_study`: each month's difference from the colleagues
        relative to the last month before the first date.
    output : DataFrame
        :func:`count_change` of the output that should follow (completed tasks, leads):
        KPI in force, and the last step when there are several.
    ladder : Ladder
        :func:`workbench.metrics.ladder.target_ladder` from the before level to the team norm
        (``table``, ``reaches_norm``, ``note``).
    guardrails : DataFrame
        :func:`guardrail_change`: before vs while the KPI was in force.
    meta : dict
        How to print the metric, and ``n_controls`` (untreated colleagues compared with),
        ``data_start`` / ``data_end`` (the span taken as covered by the data).
    conclusion : str
        Plain-language verdict (:func:`conclusion_text`), in the language current when the
        case was built; ``parts`` holds its sentences by role
        (:func:`workbench.cases.text.conclusion_parts`).
    pre_placebo : DataFrame
        Placebo dates before the KPI with short windows
        (:func:`workbench.cases.tables.pre_kpi_placebo`).
    differences : DataFrame
        The monthly differences the peer figures use (manager minus colleagues; the
        manager's own series without a control group).
    sales, conversion : DataFrame or None
        Call case: the sales decomposition per month and the win-rate test.
    kpi : DataFrame
        KPI attainment rows of this metric (for plots).
    panel : DataFrame
        The metric table (manager x month) the monthly series comes from.
    """

    manager: str
    metric: str
    change_dates: pd.DatetimeIndex
    units: Units
    before_after: pd.DataFrame
    monthly: pd.DataFrame
    peers: pd.DataFrame
    placebo: Placebo
    output: pd.DataFrame
    ladder: Ladder
    guardrails: pd.DataFrame
    conclusion: str
    kpi: pd.DataFrame
    panel: pd.DataFrame
    sales: pd.DataFrame | None = None
    conversion: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)
    colleague_placebo: Placebo | None = None
    trend: dict = field(default_factory=dict)
    event_study: pd.DataFrame | None = None
    pre_placebo: pd.DataFrame | None = None
    differences: pd.DataFrame | None = None
    parts: dict = field(default_factory=dict)

    @property
    def pooled(self) -> bool:
        """The whole team under a department-wide target (no untreated comparison)."""
        return self.manager == TEAM

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """The before/after figure (:func:`workbench.plots.before_after_plot`) of this case."""
        from workbench.plots.cases import before_after_plot

        return before_after_plot(
            self.monthly,
            windows=self.before_after,
            change_dates=self.change_dates,
            manager=self.manager,
            pooled=self.pooled,
            what=self.meta["what"],
            unit=self.meta["unit"],
            scale=self.meta["scale"],
            ax=ax,
        )


_BA_COLUMNS = [
    "window", "start", "end", "n", "months", "mean", "mean_low", "mean_high",
    "change", "change_low", "change_high", "df", "p_value", "significant", "mde",
    "unit_change_low", "unit_change_high", "unit_p_value",
]  # fmt: skip


def _headline_table(unit_level: pd.DataFrame, units: pd.DataFrame, *, value, time, dates,
                    manager, alpha) -> pd.DataFrame:  # fmt: skip
    """The before/after table: months as the unit for the headline, units kept as ``unit_*``.

    The means are the unit means (so 44% is the share of due tasks); their intervals, the
    change's interval, ``p_value`` and ``mde`` come from
    :func:`workbench.stats.monthly_before_after`; ``unit_change_low`` / ``unit_change_high``
    / ``unit_p_value`` are the unit-level ones (every task or call independent).
    """
    monthly = monthly_before_after(units, value=value, time=time, change_dates=dates,
                                   manager=manager, alpha=alpha)  # fmt: skip
    out = unit_level.rename(columns={"change_low": "unit_change_low",
                                     "change_high": "unit_change_high",
                                     "p_value": "unit_p_value"})  # fmt: skip
    for col in ("months", "mean_low", "mean_high", "change_low", "change_high", "df",
                "p_value", "mde"):  # fmt: skip
        out[col] = monthly[col].to_numpy()
    out["significant"] = excludes_zero(out["change_low"], out["change_high"])
    return out[_BA_COLUMNS]


def _finish(case_kw: dict, *, unit, scale, digits, lower, controls, span, extra=None) -> Case:
    peers = case_kw.pop("peer_result")
    case_kw.update(peers=peers.did, placebo=peers.placebo,
                   colleague_placebo=peers.colleague_placebo, trend=peers.trend,
                   event_study=peers.event_study, pre_placebo=peers.pre_placebo,
                   differences=peers.differences)  # fmt: skip
    what = METRIC_WORDS[case_kw["metric"]]
    is_pooled = case_kw["manager"] == TEAM
    kw = dict(
        manager=case_kw["manager"], what=what, unit=unit, scale=scale, digits=digits,
        lower_is_better=lower, peers=peers.did, placebo=peers.placebo,
        colleague_placebo=peers.colleague_placebo, trend=peers.trend,
        guardrails=case_kw["guardrails"], n_controls=len(controls), pooled=is_pooled,
        pre_placebo=peers.pre_placebo,
    )  # fmt: skip
    parts = conclusion_parts(case_kw["before_after"], **kw)
    text = conclusion_text(case_kw["before_after"], **kw)
    meta = {"what": what, "unit": unit, "scale": scale, "digits": 1, "lower": lower,
            "n_controls": len(controls), "data_start": span[0], "data_end": span[1],
            "pooled": is_pooled, **(extra or {})}  # fmt: skip
    return Case(conclusion=text, meta=meta, parts=parts, **case_kw)


def pooled(frame: pd.DataFrame | None, manager: str) -> pd.DataFrame | None:
    """``frame`` as the case reads it: for the department-wide case (``manager == "*"``)
    every row relabelled as the one pooled team ``"*"``, else unchanged."""
    if frame is None or manager != TEAM or "manager" not in frame:
        return frame
    return frame.assign(manager=pd.Series(TEAM, index=frame.index, dtype=frame["manager"].dtype))


def _deal_results(deals, *, manager, dates, alpha, span, tz, as_of):
    """Sales decomposition and win-rate test (None, None without a deals table)."""
    if deals is None or deals.empty:
        return None, None
    dpanel = deal_metrics(deals, tz=tz, as_of=as_of)
    if not (dpanel["manager"] == manager).any():
        return None, None
    return sales_change(dpanel, manager=manager, dates=dates, alpha=alpha, span=span, tz=tz)


def overdue_case(
    tasks: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    manager: str,
    change_dates,
    metric: str = "delinquency_rate",
    deals: pd.DataFrame | None = None,
    tz: str = "UTC",
    as_of=None,
    n_boot: int = 2000,
    seed: int = 0,
    max_step: float = 0.17,
    alpha: float = 0.05,
) -> Case:
    """Case A: the share of due tasks completed late, before vs after a delinquency KPI.

    Units are due tasks (:func:`due_task_units`); the before/after uses Wilson intervals and
    Newcombe's interval of the difference (:func:`workbench.stats.rate_before_after`);
    the peer comparison resamples tasks of the untreated colleagues; the output is completed
    tasks per whole month (``tasks_completed`` of :func:`workbench.metrics.tasks.task_metrics`);
    the guardrails are postponed deadlines, last-minute completions and completions with an
    empty description (and with an empty result, when the export has a ``result`` column).
    The ladder starts from the pooled before rate and ends at the colleagues' median before
    rate, in steps of at most ``max_step`` (rates rounded to 0.01, toward the before level).
    With ``deals``, ``sales`` and ``conversion`` say what happened to sales, the value per
    won deal and the win rate (before vs the last window, whole months).
    ``manager="*"`` pools the whole team (a department-wide target): there is then no
    untreated group, and the conclusion says so.
    """
    if metric != "delinquency_rate":
        raise ValueError(f"overdue_case: metric must be 'delinquency_rate', got {metric!r}")
    dates = case_dates(change_dates, targets, metric=metric, manager=manager, tz=tz)
    tasks, deals = pooled(tasks, manager), pooled(deals, manager)
    units = due_task_units(tasks, as_of=as_of, tz=tz)
    due = units.table
    if not (due["manager"] == manager).any():
        raise KeyError(f"manager {manager!r} has no due tasks in the tasks table")
    ba = rate_before_after(
        due, value="overdue", time="original_due_at", change_dates=dates, manager=manager,
        alpha=alpha,
    ).table  # fmt: skip
    ba = ba.rename(columns={"rate": "mean", "rate_low": "mean_low", "rate_high": "mean_high"})
    ba = _headline_table(ba, due, value="overdue", time="original_due_at", dates=dates,
                         manager=manager, alpha=alpha)  # fmt: skip
    panel = task_metrics(tasks, tz=tz, as_of=as_of)
    kpi = kpi_rows(panel, targets, metric, tz)
    mine = panel.loc[panel["manager"] == manager]
    low, high = wilson_interval(mine["tasks_overdue"].to_numpy(), mine["tasks_due"].to_numpy())
    monthly = monthly_series(panel, kpi, manager=manager, metric=metric, n_col="tasks_due",
                             dates=dates, low=low, high=high)  # fmt: skip
    span = data_span(
        [tasks["created_at"], tasks.get("completed_at", tasks["created_at"])], as_of, tz
    )
    peer_result = peer_comparison(
        due, targets, value="overdue", time="original_due_at", manager=manager, metric=metric,
        dates=dates, data_end=span[1], n_boot=n_boot, seed=seed, alpha=alpha,
    )  # fmt: skip
    controls = peer_result.controls
    rates = before_mean_by_manager(due, value="overdue", time="original_due_at", dates=dates)
    lower = lower_is_better(targets, metric, manager)
    ladder = ladder_to_norm(monthly.loc[monthly["window"] == "before", "value"], ba.loc[0, "mean"],
                            rates.drop(manager, errors="ignore"), max_step=max_step, lower=lower,
                            round_to=0.01)  # fmt: skip
    gtable = guardrails(tasks=tasks, tz=tz).table
    shares = {
        "postponed_share": ("postponed_tasks", "deadline_tasks"),
        "last_minute_share": ("last_minute_completions", "on_time_completions"),
        "empty_description_share": ("empty_description_completions", "completed_tasks"),
        "empty_result_share": RESULT_GUARDRAILS[:1] + ("completed_tasks",),
    }
    # a share whose count is unknown (no description / result column) is not compared
    shares = {k: v for k, v in shares.items() if v[0] in gtable and gtable[v[0]].notna().all()}
    guard = guardrail_change(gtable, manager=manager, change_dates=dates, tz=tz, shares=shares)
    sales, conversion = _deal_results(deals, manager=manager, dates=dates, alpha=alpha,
                                      span=span, tz=tz, as_of=as_of)  # fmt: skip
    return _finish(
        dict(manager=manager, metric=metric, change_dates=dates, units=units,
             before_after=ba, monthly=monthly, peer_result=peer_result,
             output=count_change(panel, manager=manager, column="tasks_completed",
                                 change_dates=dates, data_start=span[0], data_end=span[1],
                                 tz=tz, alpha=alpha),
             ladder=ladder, guardrails=guard, kpi=kpi, panel=panel, sales=sales,
             conversion=conversion),
        unit="%", scale=100.0, digits=0, lower=lower, controls=controls, span=span,
    )  # fmt: skip


def call_length_case(
    calls: pd.DataFrame,
    deals: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    manager: str,
    change_dates,
    metric: str = "talk_mean_min",
    tz: str = "UTC",
    as_of=None,
    n_boot: int = 2000,
    seed: int = 0,
    max_step: float = 0.2,
    short_call_s: float | None = None,
    short_call_quantile: float = 0.1,
    alpha: float = 0.05,
) -> Case:
    """Case B: mean talk time of connected calls, before vs under a (stepped) talk-time KPI.

    Units are connected calls (:func:`connected_call_units`); the before/after interval
    resamples calls (:func:`workbench.stats.before_after`); the peer comparison
    resamples calls of the untreated colleagues. The output is leads per whole month;
    ``sales`` decomposes sales per whole month, before vs the last step, into leads x close
    rate x win rate x volume per won deal
    (:func:`workbench.stats.decomposition.decompose_sales_change`); ``conversion`` tests the win
    rate (won / closed) with its MDE. The ladder starts at the before mean (rounded to a
    minute, as a manager would be told it) and ends at the colleagues' median before mean,
    in steps of at most ``max_step`` (rounded toward the before level).

    The guardrail is the share of connected calls shorter than a threshold taken from the
    manager's OWN calls before the KPI: their ``short_call_quantile`` (10th percentile), so
    that about a tenth of the calls before are "short" and a rise after is a shift of the
    manager's own shortest calls (a fixed 30 s gives 0% before and after for a manager whose
    calls all last minutes, and can never trigger). ``short_call_s`` fixes the threshold
    instead; ``meta["short_call_s"]`` holds the one used. ``manager="*"`` pools the team.
    """
    if metric != "talk_mean_min":
        raise ValueError(f"call_length_case: metric must be 'talk_mean_min', got {metric!r}")
    dates = case_dates(change_dates, targets, metric=metric, manager=manager, tz=tz)
    calls, deals = pooled(calls, manager), pooled(deals, manager)
    units = connected_call_units(calls, tz=tz)
    connected = units.table
    if not (connected["manager"] == manager).any():
        raise KeyError(f"manager {manager!r} has no connected calls in the calls table")
    ba = before_after(
        connected, value="talk_min", time="started_at", change_dates=dates, manager=manager,
        n_boot=n_boot, seed=seed, alpha=alpha,
    ).table  # fmt: skip
    ba = _headline_table(ba, connected, value="talk_min", time="started_at", dates=dates,
                         manager=manager, alpha=alpha)  # fmt: skip
    panel = call_metrics(calls, tz=tz)
    kpi = kpi_rows(panel, targets, metric, tz)
    low, high = monthly_mean_interval(connected, manager=manager, panel=panel, tz=tz)
    monthly = monthly_series(panel, kpi, manager=manager, metric=metric, n_col="connected",
                             dates=dates, low=low, high=high)  # fmt: skip
    events = [calls["started_at"]]
    if deals is not None and len(deals):
        events += [deals["created_at"], deals["closed_at"]]
    span = data_span(events, as_of, tz)
    peer_result = peer_comparison(
        connected, targets, value="talk_min", time="started_at", manager=manager, metric=metric,
        dates=dates, data_end=span[1], n_boot=n_boot, seed=seed, alpha=alpha,
    )  # fmt: skip
    controls = peer_result.controls
    means = before_mean_by_manager(connected, value="talk_min", time="started_at", dates=dates)
    mine_before = connected.loc[
        (connected["manager"] == manager) & (connected["started_at"] < dates[0])
    ]
    lower = lower_is_better(targets, metric, manager)
    ladder = ladder_to_norm(mine_before["talk_min"], ba.loc[0, "mean"],
                            means.drop(manager, errors="ignore"), max_step=max_step, lower=lower,
                            round_to=1.0)  # fmt: skip
    threshold = short_call_s
    if threshold is None:
        own = mine_before["talk_min"].quantile(short_call_quantile) * 60.0
        threshold = float(own) if np.isfinite(own) else 30.0
    guard = guardrail_change(
        guardrails(calls=calls, tz=tz, short_call_s=threshold).table, manager=manager,
        change_dates=dates, tz=tz, shares={"short_call_share": ("short_calls", "connected_calls")},
    )  # fmt: skip
    sales, conversion = _deal_results(deals, manager=manager, dates=dates, alpha=alpha,
                                      span=span, tz=tz, as_of=as_of)  # fmt: skip
    leads = None
    if deals is not None and len(deals):
        dpanel = deal_metrics(deals, tz=tz, as_of=as_of)
        if (dpanel["manager"] == manager).any():
            leads = count_change(
                dpanel, manager=manager, column="leads", change_dates=dates,
                data_start=span[0], data_end=span[1], tz=tz, alpha=alpha,
            )  # fmt: skip
    return _finish(
        dict(manager=manager, metric=metric, change_dates=dates, units=units,
             before_after=ba, monthly=monthly, peer_result=peer_result,
             output=leads if leads is not None else pd.DataFrame(),
             ladder=ladder, guardrails=guard, kpi=kpi, panel=panel, sales=sales,
             conversion=conversion),
        unit="min", scale=1.0, digits=0, lower=lower, controls=controls, span=span,
        extra={"short_call_s": threshold, "short_call_quantile":
               short_call_quantile if short_call_s is None else None},
    )  # fmt: skip


def study_case(
    metric: str,
    *,
    tasks: pd.DataFrame | None,
    calls: pd.DataFrame | None,
    deals: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    manager: str,
    change_dates,
    tz: str = "UTC",
    as_of=None,
    n_boot: int = 2000,
    seed: int = 0,
) -> Case:
    """The case of ``metric`` (one of :data:`CASE_METRICS`): :func:`overdue_case` for the
    overdue share, :func:`call_length_case` for the mean call length, each with the deals
    (what the change cost or gained) and its own default ladder step."""
    common = dict(manager=manager, change_dates=change_dates, tz=tz, as_of=as_of,
                  n_boot=n_boot, seed=seed)  # fmt: skip
    if metric == "delinquency_rate":
        return overdue_case(tasks, targets, deals=deals, **common)
    if metric == "talk_mean_min":
        return call_length_case(calls, deals, targets, **common)
    raise ValueError(
        f"no case study for {metric!r}: case studies exist for {', '.join(CASE_METRICS)}"
    )
