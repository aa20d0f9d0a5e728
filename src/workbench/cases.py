"""Case studies for coaches: what a KPI change did for one manager, and how sure we are.

A case gathers, for one manager and one KPI change (one or several step dates), the
tables a coach reads: the unit-level before/after with intervals, the monthly series, the
comparison with untreated colleagues (difference in differences and placebo dates), the
output or sales that went with it, a target ladder, the guardrails while the KPI was in
force, and a plain-language conclusion whose wording follows the intervals.

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
``delinquency_rate`` in :mod:`workbench.task_metrics`; :func:`connected_call_units` (one row
per connected call, ``talk_min``) that of ``talk_mean_min`` in :mod:`workbench.call_metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.call_metrics import call_metrics
from workbench.deal_metrics import deal_metrics
from workbench.decomposition import decompose_sales_change, window_totals
from workbench.guardrails import RESULT_GUARDRAILS, guardrails
from workbench.kpi import kpi_attainment
from workbench.ladder import target_ladder
from workbench.periods import NEVER, check_table, instants_ns, period_start, to_instant
from workbench.plots import MANAGER_COLOR, TARGET_COLOR, TEAM_COLOR
from workbench.statistics import (
    before_after,
    compare_proportions,
    describe_change,
    diff_in_diff,
    minimum_detectable_effect,
    placebo_test,
    rate_before_after,
    wilson_interval,
)
from workbench.task_metrics import task_metrics

__all__ = [
    "Case",
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
    "before_after_plot",
]

_Z95 = 1.959963984540054
_OUTPUT_LABELS = {"tasks_completed": "Completed tasks", "leads": "Leads"}
_MIN_TEAM = 3  # fewest other managers behind a team figure, so no colleague can be read off
_QUIET_DAYS = 3  # an export covers this long past its first / latest event (a weekend)


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
    units : DataFrame
        Unit table of every manager (see :func:`due_task_units`, :func:`connected_call_units`).
    before_after : DataFrame
        Per window: ``window``, ``start``, ``end``, ``n``, ``mean``, ``mean_low``,
        ``mean_high``, ``change``, ``change_low``, ``change_high``, ``p_value``,
        ``significant``, ``mde`` (in the metric's unit: a fraction or minutes).
    monthly : DataFrame
        The manager per month: ``period``, ``window``, ``n``, ``value``, ``low``, ``high``,
        ``team_median`` (other managers, NaN with fewer than 3), ``target``.
    peers : DataFrame
        :func:`workbench.statistics.diff_in_diff` at the last date (before vs last window)
        against the untreated colleagues; no rows when fewer than 3 are untreated.
    placebo : DataFrame
        :func:`workbench.statistics.placebo_test`; ``attrs["share_as_extreme"]``; no rows
        without a control group.
    output : DataFrame
        :func:`count_change` of the output that should follow (completed tasks, leads):
        KPI in force, and the last step when there are several.
    ladder : DataFrame
        :func:`workbench.ladder.target_ladder` from the before level to the team norm.
    guardrails : DataFrame
        :func:`guardrail_change`: before vs while the KPI was in force.
    meta : dict
        How to print the metric, and ``n_controls`` (untreated colleagues compared with),
        ``data_start`` / ``data_end`` (the span taken as covered by the data).
    conclusion : str
        Plain-language verdict (:func:`conclusion_text`).
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
    units: pd.DataFrame
    before_after: pd.DataFrame
    monthly: pd.DataFrame
    peers: pd.DataFrame
    placebo: pd.DataFrame
    output: pd.DataFrame
    ladder: pd.DataFrame
    guardrails: pd.DataFrame
    conclusion: str
    kpi: pd.DataFrame
    panel: pd.DataFrame
    sales: pd.DataFrame | None = None
    conversion: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    def headline(self) -> str:
        """The headline figures as short text lines (rounded so that reruns print the same)."""
        scale, unit, digits = self.meta["scale"], self.meta["unit"], self.meta["digits"]
        points = "points" if unit == "%" else unit

        def f(v: float) -> str:
            return _fmt(v, scale, digits)

        lines = [f"{_cap(self.meta['what'])} of {self.manager}:"]
        for row in self.before_after.itertuples(index=False):
            lines.append(
                f"  {row.window:<8} {f(row.mean)} {unit} "
                f"(95% CI {f(row.mean_low)} to {f(row.mean_high)}; n = {row.n})"
            )
        last = self.before_after.iloc[-1]
        lines.append(
            f"  change before -> {last['window']}: {f(last['change'])} {points} "
            f"(95% CI {f(last['change_low'])} to {f(last['change_high'])})"
        )
        o = self.output.iloc[0]
        label = _OUTPUT_LABELS.get(o["measure"], o["measure"])
        lines.append(f"{label} per month (whole months; before: {o['before_periods']}):")
        for o in self.output.itertuples(index=False):
            window = f"{o.window} ({o.after_periods})"
            lines.append(
                f"  {window:<18} {_fmt(o.before_per_period, 1, 1)} -> "
                f"{_fmt(o.after_per_period, 1, 1)} (x{_fmt(o.ratio, 1, 2)}, 95% CI "
                f"x{_fmt(o.ratio_low, 1, 2)} to x{_fmt(o.ratio_high, 1, 2)})"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------


def _as_of_ns(tasks: pd.DataFrame, as_of, tz: str) -> int:
    """``as_of`` as ns, defaulting like :func:`task_metrics` to the latest created/completed."""
    ts = to_instant(as_of if as_of != "" else None, tz=tz)
    if ts is not None:
        return int(pd.Timestamp(ts).as_unit("ns").value)
    completed = instants_ns(tasks["completed_at"]) if "completed_at" in tasks else []
    events = np.concatenate(
        [instants_ns(tasks["created_at"]), np.asarray(completed)[np.asarray(completed) != NEVER]]
    )
    return int(events.max()) if len(events) else NEVER


def due_task_units(tasks: pd.DataFrame, *, as_of=None, tz: str = "UTC") -> pd.DataFrame:
    """One row per task due by ``as_of``, flagged overdue or not: the units of delinquency.

    Same definition as ``delinquency_rate`` in :func:`workbench.task_metrics.task_metrics`,
    so the monthly means of ``overdue`` are exactly that column. Population: tasks created
    by ``as_of``, not cancelled, whose original deadline (``original_due_at``, else
    ``due_at``) is at or before ``as_of``. Overdue: not completed by that deadline (completed
    later, or not completed by ``as_of``). Moving a deadline does not hide a miss.

    Returns
    -------
    DataFrame
        ``task_id``, ``manager``, ``original_due_at`` (the time anchor), ``overdue`` (int
        0/1). ``attrs["excluded"]`` counts tasks outside the population, by reason.
    """
    check_table(tasks, "tasks", ["task_id", "manager", "created_at", "status"],
                not_null=["manager", "created_at"])  # fmt: skip
    as_of_ns = _as_of_ns(tasks, as_of, tz)
    empty = pd.Series(pd.NaT, index=tasks.index, dtype=tasks["created_at"].dtype)
    # as task_metrics and the contract: original_due_at, where empty (or absent) due_at
    due_ts = tasks.get("due_at", empty)
    orig_ts = tasks.get("original_due_at", due_ts)
    orig_ts = orig_ts.where(orig_ts.notna(), due_ts)
    done_ts = tasks.get("completed_at", empty)
    created, orig, done = (
        instants_ns(tasks["created_at"]),
        instants_ns(orig_ts),
        instants_ns(done_ts),
    )
    cancelled = (tasks["status"] == "cancelled").to_numpy(dtype=bool)
    exists = created <= as_of_ns
    has_deadline = orig != NEVER
    is_due = exists & ~cancelled & has_deadline & (orig <= as_of_ns)
    done_eff = np.where(exists & ~cancelled & (done <= as_of_ns), done, NEVER)
    out = pd.DataFrame(
        {
            "task_id": tasks["task_id"].astype("str"),
            "manager": tasks["manager"].astype("str"),
            "original_due_at": orig_ts.dt.tz_convert(tz),
            "overdue": (done_eff > orig).astype("int64"),
        }
    ).loc[is_due]
    out = out.reset_index(drop=True)
    out.attrs["excluded"] = {
        "not_created_by_as_of": int((~exists).sum()),
        "cancelled": int((exists & cancelled).sum()),
        "no_deadline": int((exists & ~cancelled & ~has_deadline).sum()),
        "not_due_by_as_of": int((exists & ~cancelled & has_deadline & ~is_due).sum()),
    }
    return out


def connected_call_units(calls: pd.DataFrame, *, tz: str = "UTC") -> pd.DataFrame:
    """One row per connected call with its talk time in minutes: the units of talk_mean_min.

    Connected = answered and ``duration_s > 0`` (without an ``answered`` column: duration
    above 0), as in :func:`workbench.call_metrics.call_metrics`.

    Returns
    -------
    DataFrame
        ``call_id``, ``manager``, ``started_at`` (in ``tz``), ``talk_min``.
        ``attrs["excluded"]`` counts calls not connected and calls without a duration.
    """
    check_table(calls, "calls", ["call_id", "manager", "started_at", "duration_s"],
                not_null=["manager", "started_at"])  # fmt: skip
    duration = calls["duration_s"].to_numpy(dtype="float64", na_value=np.nan)
    positive = duration > 0
    answered = (
        calls["answered"].fillna(False).to_numpy(dtype=bool) if "answered" in calls else positive
    )
    connected = answered & positive
    out = pd.DataFrame(
        {
            "call_id": calls["call_id"].astype("str"),
            "manager": calls["manager"].astype("str"),
            "started_at": calls["started_at"].dt.tz_convert(tz),
            "talk_min": duration / 60.0,
        }
    ).loc[connected]
    out = out.reset_index(drop=True)
    missing = np.isnan(duration)
    out.attrs["excluded"] = {
        "missing_duration": int(missing.sum()),
        "not_connected": int((~connected & ~missing).sum()),
    }
    return out


# --------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------


def parse_change_dates(change_dates, *, tz: str = "UTC") -> pd.DatetimeIndex:
    """Step dates from ``"2026-04-01,2026-07-01"`` or a list; naive dates are read in ``tz``."""
    if isinstance(change_dates, str):
        change_dates = [d.strip() for d in change_dates.split(",") if d.strip()]
    stamps = [to_instant(d, tz=tz) for d in change_dates]
    if not stamps or any(s is None for s in stamps):
        raise ValueError(f"change_dates: give at least one ISO date, got {change_dates!r}")
    return pd.DatetimeIndex(stamps).sort_values()


def _case_dates(change_dates, targets, *, metric: str, manager: str, tz: str):
    """The given dates, or with ``""`` the ``effective_from`` of the manager's target rows
    for ``metric`` (the ``*`` rows when the manager has none of his own)."""
    if not (isinstance(change_dates, str) and change_dates.strip() == ""):
        return parse_change_dates(change_dates, tz=tz)
    rows = pd.DataFrame() if targets is None else targets.loc[targets["metric"] == metric]
    own = rows.loc[rows["manager"] == manager] if len(rows) else rows
    rows = own if len(own) else rows.loc[rows["manager"] == "*"] if len(rows) else rows
    if rows.empty:
        raise ValueError(
            f"change_dates is empty and the targets table has no {metric!r} row for "
            f"{manager!r} or '*': give the KPI dates"
        )
    return parse_change_dates(list(rows["effective_from"].drop_duplicates()), tz=tz)


def _window_of(periods: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    labels = ["before"] + ([f"step {i}" for i in range(1, len(dates) + 1)] if len(dates) > 1
                           else ["after"])  # fmt: skip
    codes = dates.searchsorted(pd.DatetimeIndex(periods), side="right")
    return pd.Series(np.asarray(labels, dtype=object)[codes], index=periods.index, dtype="str")


def untreated_colleagues(
    targets: pd.DataFrame | None,
    *,
    metric: str,
    manager: str,
    managers,
    start,
    end,
) -> list[str]:
    """Colleagues of ``manager`` with no target on ``metric`` in force during ``[start, end]``.

    A target row is in force at instants ``effective_from <= t < effective_to`` (NaT: open
    ended); a ``*`` row in force then treats everyone, so the list is empty. Without a
    targets table nobody is known to have a target: every colleague is returned.

    Parameters
    ----------
    managers : the managers of the data (the manager himself is left out of the result).
    start, end : tz-aware instants; the case passes the first KPI date and the data end.
    """
    others = sorted({str(m) for m in managers} - {manager})
    if targets is None or targets.empty:
        return others
    rows = targets.loc[targets["metric"] == metric]
    open_end = rows["effective_to"].isna() | (rows["effective_to"] > start)
    rows = rows.loc[(rows["effective_from"] <= end) & open_end]
    if (rows["manager"] == "*").any():
        return []
    return [m for m in others if m not in set(rows["manager"])]


def whole_periods(
    periods: pd.Series, *, data_start=None, data_end=None, period: str = "month", tz: str = "UTC"
) -> np.ndarray:
    """Whether each period (its start) lies wholly within the data: ``data_start <= start``
    and ``end <= data_end`` (``None``: no bound on that side)."""
    starts = pd.Series(periods).reset_index(drop=True)
    step = pd.Timedelta(days=32 if period == "month" else 8)
    ends = period_start(starts + step, period=period, tz=tz)
    whole = np.ones(len(starts), dtype=bool)
    if data_start is not None:
        whole &= (starts >= data_start).to_numpy(dtype=bool)
    if data_end is not None:
        whole &= (ends <= data_end).to_numpy(dtype=bool)
    return whole


def _data_span(events: list[pd.Series], as_of, tz: str) -> tuple:
    """``(start, end)`` taken as covered: ``_QUIET_DAYS`` around the first and latest events
    (a weekend without activity does not cut a month off); an explicit ``as_of`` is the end."""
    stamps = pd.concat([e.dropna() for e in events if len(e)], ignore_index=True)
    if stamps.empty:
        return None, None
    quiet = pd.Timedelta(days=_QUIET_DAYS)
    start = stamps.min().tz_convert(tz) - quiet
    given = to_instant(as_of if as_of != "" else None, tz=tz)
    end = given if given is not None else stamps.max().tz_convert(tz) + quiet
    return start, end


def count_change(
    panel: pd.DataFrame,
    *,
    manager: str,
    column: str,
    change_dates,
    data_start=None,
    data_end=None,
    period: str = "month",
    tz: str = "UTC",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A count per period (completed tasks, leads) before the first date vs after it.

    Two comparisons, both against the periods before the first date: *KPI in force* (from
    the first date on) and, with several dates, *last step* (from the last date on).
    Whole periods only: a period not wholly within ``[data_start, data_end)`` (an export
    that ends mid-month) would bias the per-period figure, so it is left out and counted in
    ``partial_periods``; no proration.
    The ratio of the per-period rates gets the Poisson interval
    ``exp(ln r +- z sqrt(1/x_before + 1/x_after))``. It assumes events arrive independently;
    months that swing more than that make it too narrow, so read it next to the monthly
    series.

    Returns
    -------
    DataFrame
        One row per comparison: ``measure``, ``window`` ("KPI in force", "last step"),
        ``before_periods``, ``before_total``, ``before_per_period``, ``after_periods``,
        ``after_total``, ``after_per_period``, ``ratio``, ``ratio_low``, ``ratio_high``,
        ``significant`` (interval excludes 1), ``partial_periods`` (left out).
    """
    dates = parse_change_dates(change_dates, tz=tz)
    rows = panel.loc[panel["manager"] == manager]
    if rows.empty:
        raise KeyError(f"manager {manager!r} is not in the panel")
    whole = whole_periods(rows["period"], data_start=data_start, data_end=data_end,
                          period=period, tz=tz)  # fmt: skip
    partial = int((~whole).sum())
    rows = rows.loc[whole]
    before = rows.loc[rows["period"] < dates[0], column].astype("float64")
    windows = {"KPI in force": dates[0], **({"last step": dates[-1]} if len(dates) > 1 else {})}
    z = NormalDist().inv_cdf(1 - alpha / 2)
    records = []
    for name, first in windows.items():
        after = rows.loc[rows["period"] >= first, column].astype("float64")
        xb, xa, nb, na = before.sum(), after.sum(), len(before), len(after)
        with np.errstate(divide="ignore", invalid="ignore"):
            rb, ra = np.float64(xb) / nb, np.float64(xa) / na
            ratio = ra / rb
            half = z * np.sqrt(1 / np.float64(xb) + 1 / np.float64(xa))
            low, high = ratio * np.exp(-half), ratio * np.exp(half)
        ok = xb > 0 and xa > 0
        records.append({
            "measure": column, "window": name, "before_periods": nb, "before_total": xb,
            "before_per_period": rb, "after_periods": na, "after_total": xa,
            "after_per_period": ra, "ratio": ratio, "ratio_low": low if ok else np.nan,
            "ratio_high": high if ok else np.nan,
            "significant": (low > 1 or high < 1) if ok else pd.NA,
            "partial_periods": partial,
        })  # fmt: skip
    out = pd.DataFrame(records)
    out = out.astype({"measure": "str", "window": "str", "significant": "boolean"})
    return out


def rate_test(
    x_before: float, n_before: float, x_after: float, n_after: float, *, alpha: float = 0.05
) -> dict:
    """Two rates compared: difference with Newcombe CI, z-test p-value, MDE and a sentence.

    The sentence says "changed by ..." only when the interval excludes 0, else "no change
    detectable ...; a change of X points would have been seen" (MDE at power 0.8 and the
    before rate; NaN, and no MDE sentence, when the before rate is 0 or 1).
    """
    cmp = compare_proportions(x_before, n_before, x_after, n_after, alpha=alpha)
    mde = minimum_detectable_effect(n_before, n_after, cmp["p1"], alpha=alpha)
    if cmp["p1"] in (0.0, 1.0):
        mde = float("nan")  # no spread at the baseline: the normal-approximation MDE says 0
    text = describe_change(cmp["difference"], cmp["low"], cmp["high"], mde=mde, alpha=alpha)
    return {
        "x_before": x_before, "n_before": n_before, "before": cmp["p1"],
        "x_after": x_after, "n_after": n_after, "after": cmp["p2"],
        "change": cmp["difference"], "change_low": cmp["low"], "change_high": cmp["high"],
        "p_value": cmp["p_value"], "mde": mde, "text": text,
    }  # fmt: skip


def guardrail_change(
    table: pd.DataFrame,
    *,
    manager: str,
    change_dates,
    shares: dict[str, tuple[str, str]],
    tz: str = "UTC",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each guardrail share before the first date vs while the KPI was in force (from it on).

    "In force" is the module's one notion: from the first date on, every step included.
    Counts of the :func:`workbench.guardrails.guardrails` table are summed per window, then
    compared with :func:`rate_test`; partial months are kept (a share, unlike a count per
    month, is not biased by a short month). A guardrail that rose significantly is a
    warning sign of gaming, not proof.

    Parameters
    ----------
    shares : mapping of share name to (numerator column, denominator column).

    Returns
    -------
    DataFrame
        One row per guardrail: ``guardrail``, ``x_before``, ``n_before``, ``before``,
        ``x_after``, ``n_after``, ``after``, ``change``, ``change_low``, ``change_high``,
        ``p_value``, ``mde``, ``rose`` (interval above 0), ``text``.
    """
    dates = parse_change_dates(change_dates, tz=tz)
    rows = table.loc[table["manager"] == manager]
    before, after = rows.loc[rows["period"] < dates[0]], rows.loc[rows["period"] >= dates[0]]
    records = []
    for name, (num, den) in shares.items():
        r = rate_test(
            float(before[num].sum()), float(before[den].sum()),
            float(after[num].sum()), float(after[den].sum()), alpha=alpha,
        )  # fmt: skip
        records.append({"guardrail": name, **r})
    out = pd.DataFrame(records)
    out["guardrail"] = out["guardrail"].astype("str")
    out["text"] = out["text"].astype("str")
    out.insert(len(out.columns) - 1, "rose", out["change_low"] > 0)
    return out


# --------------------------------------------------------------------------------------
# Conclusion
# --------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    """First letter upper-case, the rest untouched (``str.capitalize`` lowers names)."""
    return text[:1].upper() + text[1:]


def _fmt(value: float, scale: float, digits: int) -> str:
    return "n/a" if not np.isfinite(value) else f"{value * scale:.{digits}f}"


def conclusion_text(
    before_after: pd.DataFrame,
    *,
    manager: str,
    what: str,
    unit: str,
    scale: float = 1.0,
    digits: int = 0,
    lower_is_better: bool = True,
    peers: pd.DataFrame | None = None,
    placebo_share: float | None = None,
    n_placebo: int = 0,
    guardrails: pd.DataFrame | None = None,
    n_controls: int | None = None,
) -> str:
    """Plain-language verdict on the first vs the last window; wording follows the intervals.

    The change is called real (an improvement or a worsening, by ``lower_is_better``) only
    when its interval excludes zero; otherwise the text says no change is detectable and
    what change would have been (the MDE). The peer sentence does the same with the
    difference in differences; the guardrail sentence names the guardrails that rose.

    Parameters
    ----------
    before_after : the case's before/after table (``mean``, ``change``, ``change_low``,
        ``change_high``, ``mde``; first row = before, last row = the window judged).
    what, unit, scale, digits : how to name and print the metric (``"%"`` with ``scale=100``
        for a rate, ``"min"`` for minutes).
    n_controls : colleagues without the KPI (the control group); below 3 the text says
        there is no comparison and ``peers`` and the placebo are not used. ``None``: not
        known (the peer sentence then just says "colleagues").
    """
    first, last = before_after.iloc[0], before_after.iloc[-1]

    def num(v: float) -> str:
        if not np.isfinite(v):
            return "n/a"
        return _fmt(v, scale, digits) + ("%" if unit == "%" else f" {unit}")

    unit_word = "points" if unit == "%" else unit
    change, low, high = (float(last[c]) for c in ("change", "change_low", "change_high"))
    ci = describe_change(
        change, low, high, mde=float(last["mde"]), unit=unit_word, scale=scale, digits=1
    )
    moved = f"{what} of {manager} went from {num(first['mean'])} to {num(last['mean'])}"
    if not np.isfinite([change, low, high]).all():
        text = [f"{_cap(moved)}: {ci}."]
    elif low > 0 or high < 0:
        verb = "fell" if change < 0 else "rose"
        better = (change < 0) == lower_is_better
        text = [
            f"{_cap(what)} of {manager} {verb} from {num(first['mean'])} to "
            f"{num(last['mean'])}: it {ci}. The interval excludes zero, so this is a real "
            f"{'improvement' if better else 'worsening'}, not noise."
        ]
    else:
        text = [f"{_cap(moved)}, but {ci}: the data do not show an effect."]
    real_ok = True  # a placebo comparison needs a real estimate
    who = "Colleagues" if n_controls is None else f"The {n_controls} colleagues without this KPI"
    if n_controls is not None and n_controls < _MIN_TEAM:
        real_ok = False
        if n_controls == 0:
            text.append(
                f"Every colleague had a KPI on the {what} too, so there is no untreated group "
                "to compare with: the change cannot be told apart from what moved everyone."
            )
        else:
            text.append(
                f"Only {n_controls} colleague(s) had no KPI on the {what}, too few to compare "
                f"with (at least {_MIN_TEAM}): the change cannot be told apart from what "
                "moved everyone."
            )
    elif peers is not None and len(peers):
        p = peers.iloc[0]
        did = [float(p[c]) for c in ("did", "did_low", "did_high")]
        ctrl = _fmt(p["control_change"], scale, digits + 1)
        if not np.isfinite(did).all():
            real_ok = False
            text.append("There are not enough colleagues' data to compare with.")
        else:
            net = (
                f"{who} moved by {ctrl} {unit_word} over the same dates; net of that the "
                f"change is {_fmt(did[0], scale, 1)} {unit_word} (95% CI "
                f"{_fmt(did[1], scale, 1)} to {_fmt(did[2], scale, 1)})"
            )
            if did[1] > 0 or did[2] < 0:
                text.append(f"{net}, so it is not what moved everyone.")
            else:
                text.append(f"{net}, which includes zero: it cannot be told apart from what "
                            "moved everyone.")  # fmt: skip
    if real_ok and placebo_share is not None and np.isfinite(placebo_share) and n_placebo:
        k = int(round(placebo_share * n_placebo))
        stands = "the real date stands out" if placebo_share <= 0.1 else "it does not stand out"
        text.append(
            f"At {k} of {n_placebo} placebo dates (months when nothing changed) the estimate "
            f"was as large as at the real date: {stands}."
        )
    if guardrails is not None and len(guardrails):
        rose = guardrails.loc[guardrails["rose"]]
        if rose.empty:
            names = ", ".join(guardrails["guardrail"].str.replace("_", " "))
            text.append(f"No guardrail ({names}) rose detectably while the KPI was in force.")
        else:
            parts = [
                f"{r.guardrail.replace('_', ' ')} rose from {r.before:.0%} to {r.after:.0%}"
                for r in rose.itertuples()
            ]
            text.append(f"Watch for gaming: {'; '.join(parts)} while the KPI was in force.")
    return " ".join(text)


# --------------------------------------------------------------------------------------
# The two cases
# --------------------------------------------------------------------------------------

_BA_COLUMNS = [
    "window", "start", "end", "n", "mean", "mean_low", "mean_high",
    "change", "change_low", "change_high", "p_value", "significant", "mde",
]  # fmt: skip


def _kpi_rows(panel: pd.DataFrame, targets: pd.DataFrame | None, metric: str, tz: str):
    """KPI attainment rows of ``metric`` (empty when no target names it)."""
    if targets is None or targets.empty or not (targets["metric"] == metric).any():
        return pd.DataFrame(columns=["manager", "period", "metric", "target", "direction"])
    return kpi_attainment(panel, targets.loc[targets["metric"] == metric], tz=tz)


def _lower_is_better(targets: pd.DataFrame | None, metric: str, manager: str) -> bool:
    if targets is None or targets.empty:
        return True
    rows = targets.loc[(targets["metric"] == metric) & targets["manager"].isin([manager, "*"])]
    return rows.empty or (rows["direction"] == "at_most").all()


def _monthly(panel, kpi, *, manager, metric, n_col, dates, low, high) -> pd.DataFrame:
    """The manager's metric per month, its interval, the team median and the target."""
    others = panel.loc[(panel["manager"] != manager) & panel[metric].notna()]
    g = others.groupby("period")[metric]
    team = g.median().where(g.count() >= _MIN_TEAM)
    mine = panel.loc[panel["manager"] == manager].reset_index(drop=True)
    target = kpi.loc[kpi["manager"] == manager].set_index("period")["target"] if len(kpi) else None
    out = pd.DataFrame(
        {
            "period": mine["period"],
            "window": _window_of(mine["period"], dates),
            "n": mine[n_col].astype("int64"),
            "value": mine[metric].astype("float64"),
            "low": np.asarray(low, dtype="float64"),
            "high": np.asarray(high, dtype="float64"),
            "team_median": mine["period"].map(team).astype("float64"),
        }
    )
    out["target"] = out["period"].map(target).astype("float64") if target is not None else np.nan
    return out


_DID_COLUMNS = [
    "change_date", "n_treated_before", "n_treated_after", "n_control_before",
    "n_control_after", "treated_before", "treated_after", "treated_change", "control_before",
    "control_after", "control_change", "did", "did_low", "did_high", "p_value", "significant",
]  # fmt: skip
_PLACEBO_COLUMNS = [
    "change_date", "kind", "n_treated_before", "n_treated_after", "n_control_before",
    "n_control_after", "treated_change", "control_change", "did", "as_extreme",
]  # fmt: skip


def _peers(units, *, value, time, manager, controls, dates, n_boot, seed):
    """DiD and placebo at the last date against the untreated ``controls``, the middle steps
    left out; empty tables (no fake comparison) with fewer than ``_MIN_TEAM`` controls."""
    if len(controls) < _MIN_TEAM:
        placebo = pd.DataFrame(columns=_PLACEBO_COLUMNS)
        placebo.attrs["share_as_extreme"] = np.nan
        return pd.DataFrame(columns=_DID_COLUMNS), placebo
    t = units[time]
    keep = ((t < dates[0]) | (t >= dates[-1])) & units["manager"].isin([manager, *controls])
    data = units.loc[keep]
    kw = dict(value=value, time=time, group="manager", treated=manager)
    did = diff_in_diff(data, change_date=dates[-1], n_boot=n_boot, seed=seed, **kw)
    placebo = placebo_test(data, change_date=dates[-1], **kw)
    return did, placebo


def _controls(targets, units, *, metric, manager, dates, data_end) -> list[str]:
    end = dates[-1] if data_end is None else max(data_end, dates[-1])
    return untreated_colleagues(targets, metric=metric, manager=manager,
                                managers=units["manager"].unique(), start=dates[0],
                                end=end)  # fmt: skip


def _ladder(values, current, others: pd.Series, *, max_step, lower, round_to) -> pd.DataFrame:
    """Target ladder from the rounded before level to the colleagues' median before level.

    Empty (same columns) when the manager or the colleagues have no before data.
    """
    norm = others.median()
    if not (np.isfinite(current) and np.isfinite(norm)):
        return pd.DataFrame(columns=["step", "target", "step_size", "share_breaching", "n_units"])
    return target_ladder(
        values, current=float(np.round(current / round_to) * round_to),
        team_norm=float(np.round(norm / round_to) * round_to), max_step=max_step,
        direction="at_most" if lower else "at_least", round_to=round_to,
    )  # fmt: skip


def _before_mean_by_manager(units, *, value, time, dates) -> pd.Series:
    before = units.loc[units[time] < dates[0]]
    return before.groupby("manager")[value].mean()


def _finish(case_kw: dict, *, what, unit, scale, digits, lower, controls, span) -> Case:
    placebo = case_kw["placebo"]
    text = conclusion_text(
        case_kw["before_after"], manager=case_kw["manager"], what=what, unit=unit,
        scale=scale, digits=digits, lower_is_better=lower, peers=case_kw["peers"],
        placebo_share=placebo.attrs.get("share_as_extreme"),
        n_placebo=int((placebo["kind"] == "placebo").sum()), guardrails=case_kw["guardrails"],
        n_controls=len(controls),
    )  # fmt: skip
    meta = {"what": what, "unit": unit, "scale": scale, "digits": 1,
            "n_controls": len(controls), "data_start": span[0], "data_end": span[1]}  # fmt: skip
    return Case(conclusion=text, meta=meta, **case_kw)


def overdue_case(
    tasks: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    manager: str,
    change_dates,
    metric: str = "delinquency_rate",
    tz: str = "UTC",
    as_of=None,
    n_boot: int = 2000,
    seed: int = 0,
    max_step: float = 0.17,
    alpha: float = 0.05,
) -> Case:
    """Case A: the share of due tasks completed late, before vs after a delinquency KPI.

    Units are due tasks (:func:`due_task_units`); the before/after uses Wilson intervals and
    Newcombe's interval of the difference (:func:`workbench.statistics.rate_before_after`);
    the peer comparison resamples tasks of the untreated colleagues; the output is completed
    tasks per whole month (``tasks_completed`` of :func:`workbench.task_metrics.task_metrics`);
    the guardrails are postponed deadlines, last-minute completions and completions with an
    empty description (and with an empty result, when the export has a ``result`` column).
    The ladder starts from the pooled before rate and ends at the colleagues' median before
    rate, in steps of at most ``max_step`` (rates rounded to 0.01, toward the before level).
    """
    if metric != "delinquency_rate":
        raise ValueError(f"overdue_case: metric must be 'delinquency_rate', got {metric!r}")
    dates = _case_dates(change_dates, targets, metric=metric, manager=manager, tz=tz)
    units = due_task_units(tasks, as_of=as_of, tz=tz)
    if not (units["manager"] == manager).any():
        raise KeyError(f"manager {manager!r} has no due tasks in the tasks table")
    ba = rate_before_after(
        units, value="overdue", time="original_due_at", change_dates=dates, manager=manager,
        alpha=alpha,
    )  # fmt: skip
    ba = ba.rename(columns={"rate": "mean", "rate_low": "mean_low", "rate_high": "mean_high"})
    panel = task_metrics(tasks, tz=tz, as_of=as_of)
    kpi = _kpi_rows(panel, targets, metric, tz)
    mine = panel.loc[panel["manager"] == manager]
    low, high = wilson_interval(mine["tasks_overdue"].to_numpy(), mine["tasks_due"].to_numpy())
    monthly = _monthly(panel, kpi, manager=manager, metric=metric, n_col="tasks_due",
                       dates=dates, low=low, high=high)  # fmt: skip
    span = _data_span([tasks["created_at"], tasks.get("completed_at", tasks["created_at"])],
                      as_of, tz)  # fmt: skip
    controls = _controls(targets, units, metric=metric, manager=manager, dates=dates,
                         data_end=span[1])  # fmt: skip
    peers, placebo = _peers(units, value="overdue", time="original_due_at", manager=manager,
                            controls=controls, dates=dates, n_boot=n_boot, seed=seed)  # fmt: skip
    rates = _before_mean_by_manager(units, value="overdue", time="original_due_at", dates=dates)
    lower = _lower_is_better(targets, metric, manager)
    ladder = _ladder(monthly.loc[monthly["window"] == "before", "value"], ba.loc[0, "mean"],
                     rates.drop(manager, errors="ignore"), max_step=max_step, lower=lower,
                     round_to=0.01)  # fmt: skip
    gtable = guardrails(tasks=tasks, tz=tz)
    shares = {
        "postponed_share": ("postponed_tasks", "deadline_tasks"),
        "last_minute_share": ("last_minute_completions", "on_time_completions"),
        "empty_description_share": ("empty_description_completions", "completed_tasks"),
        "empty_result_share": RESULT_GUARDRAILS[:1] + ("completed_tasks",),
    }
    # a share whose count is unknown (no description / result column) is not compared
    shares = {k: v for k, v in shares.items() if v[0] in gtable and gtable[v[0]].notna().all()}
    guard = guardrail_change(gtable, manager=manager, change_dates=dates, tz=tz, shares=shares)
    return _finish(
        dict(manager=manager, metric=metric, change_dates=dates, units=units,
             before_after=ba[_BA_COLUMNS], monthly=monthly, peers=peers, placebo=placebo,
             output=count_change(panel, manager=manager, column="tasks_completed",
                                 change_dates=dates, data_start=span[0], data_end=span[1],
                                 tz=tz, alpha=alpha),
             ladder=ladder, guardrails=guard, kpi=kpi, panel=panel),
        what="overdue share", unit="%", scale=100.0, digits=0, lower=lower,
        controls=controls, span=span,
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
    short_call_s: float = 30.0,
    alpha: float = 0.05,
) -> Case:
    """Case B: mean talk time of connected calls, before vs under a (stepped) talk-time KPI.

    Units are connected calls (:func:`connected_call_units`); the before/after interval
    resamples calls (:func:`workbench.statistics.before_after`); the peer comparison
    resamples calls of the untreated colleagues. The output is leads per whole month;
    ``sales`` decomposes sales per whole month, before vs the last step, into leads x close
    rate x win rate x volume per won deal
    (:func:`workbench.decomposition.decompose_sales_change`); ``conversion`` tests the win
    rate (won / closed) with its MDE. The ladder starts at the before mean (rounded to a
    minute, as a manager would be told it) and ends at the colleagues' median before mean,
    in steps of at most ``max_step`` (rounded toward the before level); the guardrail is the
    share of connected calls shorter than ``short_call_s``.
    """
    if metric != "talk_mean_min":
        raise ValueError(f"call_length_case: metric must be 'talk_mean_min', got {metric!r}")
    dates = _case_dates(change_dates, targets, metric=metric, manager=manager, tz=tz)
    units = connected_call_units(calls, tz=tz)
    if not (units["manager"] == manager).any():
        raise KeyError(f"manager {manager!r} has no connected calls in the calls table")
    ba = before_after(
        units, value="talk_min", time="started_at", change_dates=dates, manager=manager,
        n_boot=n_boot, seed=seed, alpha=alpha,
    )  # fmt: skip
    panel = call_metrics(calls, tz=tz)
    kpi = _kpi_rows(panel, targets, metric, tz)
    low, high = _monthly_mean_ci(units, manager=manager, panel=panel, tz=tz)
    monthly = _monthly(panel, kpi, manager=manager, metric=metric, n_col="connected",
                       dates=dates, low=low, high=high)  # fmt: skip
    span = _data_span([calls["started_at"], deals["created_at"], deals["closed_at"]],
                      as_of, tz)  # fmt: skip
    controls = _controls(targets, units, metric=metric, manager=manager, dates=dates,
                         data_end=span[1])  # fmt: skip
    peers, placebo = _peers(units, value="talk_min", time="started_at", manager=manager,
                            controls=controls, dates=dates, n_boot=n_boot, seed=seed)  # fmt: skip
    means = _before_mean_by_manager(units, value="talk_min", time="started_at", dates=dates)
    mine_before = units.loc[(units["manager"] == manager) & (units["started_at"] < dates[0])]
    lower = _lower_is_better(targets, metric, manager)
    ladder = _ladder(mine_before["talk_min"], ba.loc[0, "mean"],
                     means.drop(manager, errors="ignore"), max_step=max_step, lower=lower,
                     round_to=1.0)  # fmt: skip
    guard = guardrail_change(
        guardrails(calls=calls, tz=tz, short_call_s=short_call_s), manager=manager,
        change_dates=dates, tz=tz, shares={"short_call_share": ("short_calls", "connected_calls")},
    )  # fmt: skip
    dpanel = deal_metrics(deals, tz=tz, as_of=as_of)
    sales, conversion = _sales(dpanel, manager=manager, dates=dates, alpha=alpha, span=span,
                               tz=tz)  # fmt: skip
    return _finish(
        dict(manager=manager, metric=metric, change_dates=dates, units=units,
             before_after=ba[_BA_COLUMNS], monthly=monthly, peers=peers, placebo=placebo,
             output=count_change(dpanel, manager=manager, column="leads", change_dates=dates,
                                 data_start=span[0], data_end=span[1], tz=tz, alpha=alpha),
             ladder=ladder, guardrails=guard, kpi=kpi, panel=panel, sales=sales,
             conversion=conversion),
        what="mean call length", unit="min", scale=1.0, digits=0, lower=lower,
        controls=controls, span=span,
    )  # fmt: skip


def _monthly_mean_ci(units, *, manager, panel, tz):
    """Per-month normal interval of the mean talk time: mean +- 1.96 sd / sqrt(n)."""
    mine = units.loc[units["manager"] == manager]
    g = mine.groupby(period_start(mine["started_at"], period="month", tz=tz))["talk_min"]
    stats = pd.DataFrame({"mean": g.mean(), "half": _Z95 * g.std(ddof=1) / np.sqrt(g.count())})
    periods = panel.loc[panel["manager"] == manager, "period"]
    stats = stats.reindex(pd.Index(periods))
    return (stats["mean"] - stats["half"]).to_numpy(), (stats["mean"] + stats["half"]).to_numpy()


def _sales(dpanel, *, manager, dates, alpha, span, tz):
    """Per-month sales decomposition and the win-rate test, before vs the last window, on
    whole months only (a partial first or last month would bias the per-month figures)."""
    whole = whole_periods(dpanel["period"], data_start=span[0], data_end=span[1], tz=tz)
    periods = dpanel.loc[whole, "period"]
    if periods.empty:
        raise ValueError("deals: no whole month of data to compare sales on")
    first = periods.min()
    after_end = periods.max() + pd.Timedelta(days=1)
    before = window_totals(dpanel, manager, first, dates[0], per_period=True)
    after = window_totals(dpanel, manager, dates[-1], after_end, per_period=True)
    sales = decompose_sales_change(before, after, split_conversion=True)
    nb, na = before["n_periods"], after["n_periods"]
    test = rate_test(
        before["won"] * nb, before["closed"] * nb, after["won"] * na, after["closed"] * na,
        alpha=alpha,
    )  # fmt: skip
    conversion = pd.DataFrame([{"measure": "conversion (won / closed)", **test}])
    return sales, conversion.astype({"measure": "str", "text": "str"})


# --------------------------------------------------------------------------------------
# Figure
# --------------------------------------------------------------------------------------


def before_after_plot(case: Case, *, ax: Axes | None = None) -> Axes:
    """The manager's metric per month with its interval, the window means with their CIs.

    Dots with bars (mid-month): each month's value and 95 % interval; shaded bands: each
    window's mean and 95 % CI; dashed grey: the other managers' median (anonymous, only with
    3 or more); steps: the KPI target; dotted verticals: the change dates.
    """
    ax = plt.gca() if ax is None else ax
    scale, unit = case.meta["scale"], case.meta["unit"]
    m = case.monthly
    start = m["period"].dt.tz_localize(None)
    end = start + pd.offsets.MonthBegin(1)
    mid = start + (end - start) / 2
    name = case.manager.replace("$", r"\$")
    ax.plot(mid, m["team_median"] * scale, ls="--", color=TEAM_COLOR, label="Team median (others)")
    if m["target"].notna().any():
        x = pd.concat([start, end.iloc[-1:]], ignore_index=True)
        y = pd.concat([m["target"], m["target"].iloc[-1:]], ignore_index=True) * scale
        ax.step(x, y, where="post", color=TARGET_COLOR, lw=2, label="KPI target")
    lo_edge, hi_edge = start.min(), end.max()
    for i, row in enumerate(case.before_after.itertuples(index=False)):
        a = lo_edge if pd.isna(row.start) else row.start.tz_localize(None)
        b = hi_edge if pd.isna(row.end) else row.end.tz_localize(None)
        label = "Window mean (95% CI)" if i == 0 else None
        band = (row.mean_low * scale, row.mean_high * scale)
        ax.fill_between([a, b], *band, color=MANAGER_COLOR, alpha=0.2, lw=0, label=label)
        ax.hlines(row.mean * scale, a, b, color=MANAGER_COLOR, lw=1.5)
    ax.errorbar(
        mid, m["value"] * scale,
        yerr=[(m["value"] - m["low"]).clip(lower=0) * scale,
              (m["high"] - m["value"]).clip(lower=0) * scale],
        fmt="o", color=MANAGER_COLOR, capsize=3, label=f"{name}, month (95% CI)",
    )  # fmt: skip
    for d in case.change_dates:
        ax.axvline(d.tz_localize(None), color="black", ls=":", lw=1)
    ax.set_ylabel(f"{case.meta['what']} ({unit})")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{_cap(case.meta['what'])}: {name}, before and after")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize="small")
    return ax
