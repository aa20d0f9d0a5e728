"""The tables of a case besides the before/after: monthly series, peers, ladder, sales.

Each function builds one table of :class:`workbench.cases.study.Case` from the unit tables and
the metric tables; the case functions put them together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.cases.comparisons import rate_test
from workbench.cases.windows import untreated_colleagues, whole_periods
from workbench.metrics.kpi import kpi_attainment
from workbench.metrics.ladder import Ladder, target_ladder
from workbench.metrics.periods import period_start
from workbench.privacy import MIN_TEAM
from workbench.stats import (
    Placebo,
    colleague_placebo,
    diff_in_diff,
    event_study,
    monthly_diff_in_diff,
    monthly_differences,
    placebo_test,
    pre_trend,
)
from workbench.stats.decomposition import decompose_sales_change, window_totals
from workbench.stats.intervals import critical_z
from workbench.stats.resampling import window_codes, window_labels

__all__ = [
    "kpi_rows",
    "lower_is_better",
    "monthly_series",
    "monthly_mean_interval",
    "control_group",
    "Peers",
    "peer_comparison",
    "pre_kpi_placebo",
    "before_mean_by_manager",
    "ladder_to_norm",
    "sales_change",
]


def _window_of(periods: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """The window label ("before", "after" or "step k") of each period start."""
    labels = np.asarray(window_labels(len(dates)), dtype=object)
    return pd.Series(labels[window_codes(periods, dates)], index=periods.index, dtype="str")


def kpi_rows(panel: pd.DataFrame, targets: pd.DataFrame | None, metric: str, tz: str):
    """KPI attainment rows of ``metric`` (empty when no target names it)."""
    if targets is None or targets.empty or not (targets["metric"] == metric).any():
        return pd.DataFrame(columns=["manager", "period", "metric", "target", "direction"])
    return kpi_attainment(panel, targets.loc[targets["metric"] == metric], tz=tz)


def lower_is_better(targets: pd.DataFrame | None, metric: str, manager: str) -> bool:
    if targets is None or targets.empty:
        return True
    rows = targets.loc[(targets["metric"] == metric) & targets["manager"].isin([manager, "*"])]
    return rows.empty or (rows["direction"] == "at_most").all()


def monthly_series(panel, kpi, *, manager, metric, n_col, dates, low, high) -> pd.DataFrame:
    """The manager's metric per month, its interval, the team median and the target."""
    others = panel.loc[(panel["manager"] != manager) & panel[metric].notna()]
    g = others.groupby("period")[metric]
    team = g.median().where(g.count() >= MIN_TEAM)
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
    "change_date", "months_before", "months_after", "treated_change", "control_change",
    "did", "did_low", "did_high", "df", "p_value", "significant",
    "n_treated_before", "n_treated_after", "n_control_before", "n_control_after",
    "unit_did", "unit_did_low", "unit_did_high", "unit_p_value",
]  # fmt: skip
_PLACEBO_COLUMNS = [
    "change_date", "kind", "months_before", "months_after", "treated_change",
    "control_change", "did", "as_extreme",
]  # fmt: skip
_COLLEAGUE_COLUMNS = ["manager", *_PLACEBO_COLUMNS[1:]]


@dataclass(frozen=True, eq=False)
class Peers:
    """The comparison with untreated colleagues (see :func:`peer_comparison`)."""

    controls: list[str]
    did: pd.DataFrame
    placebo: Placebo
    colleague_placebo: Placebo
    trend: dict
    event_study: pd.DataFrame
    differences: pd.DataFrame
    pre_placebo: pd.DataFrame


_PRE_PLACEBO_COLUMNS = ["change_date", "months_before", "months_after", "treated_change",
                        "control_change", "did"]  # fmt: skip


def pre_kpi_placebo(diffs: pd.DataFrame, *, first_date) -> pd.DataFrame:
    """Placebo dates before the KPI, with short windows that fit before it.

    The real-length placebo test (:func:`workbench.stats.placebo_test`) often has no room:
    with 6 months before and 6 after nothing fits on one side of the KPI date. Short
    windows do: ``k`` months on each side of every month start whose windows lie wholly
    before the first KPI date (``k = 2`` with at least 4 months before, else 1), the
    statistic being :func:`workbench.stats.monthly_diff_in_diff` on the monthly differences
    ``diffs`` (the manager minus the colleagues, or the manager's own series without a
    control group). Nothing changed at those dates, so their estimates show how large a
    "change" the months swing by on their own.

    Returns
    -------
    DataFrame
        One row per placebo date: ``change_date``, ``months_before``, ``months_after``
        (both ``k``), ``treated_change``, ``control_change``, ``did``; empty (same columns)
        with fewer than 2 months before the KPI.
    """
    tz = diffs["period"].dt.tz if len(diffs) else None
    months = pd.DatetimeIndex(diffs["period"]) if len(diffs) else pd.DatetimeIndex([])
    before = months[months < first_date].sort_values()
    k = 2 if len(before) >= 4 else 1 if len(before) >= 2 else 0
    rows = []
    have = set(before)
    for date in before if k else []:
        lo, hi = date - pd.DateOffset(months=k), date + pd.DateOffset(months=k)
        need = pd.date_range(lo, hi, freq="MS", inclusive="left", tz=tz)
        if hi > first_date or len(need) != 2 * k or not all(m in have for m in need):
            continue
        r = monthly_diff_in_diff(diffs, change_date=date, start=lo, end=hi)
        rows.append({"change_date": date, **{c: r[c] for c in _PRE_PLACEBO_COLUMNS[1:]}})
    out = pd.DataFrame(rows, columns=_PRE_PLACEBO_COLUMNS)
    if len(out):
        out["change_date"] = pd.Series(list(out["change_date"]), dtype=pd.DatetimeTZDtype(tz=tz))
    return out


def peer_comparison(
    units, targets, *, value, time, manager, metric, dates, data_end, n_boot, seed,
    alpha=0.05,
) -> Peers:  # fmt: skip
    """The untreated colleagues (:func:`control_group`) and everything compared with them.

    - ``differences``: the manager's monthly mean minus the pooled colleagues' (with fewer
      than ``MIN_TEAM`` colleagues: the manager's own series);
    - ``trend``: :func:`workbench.stats.pre_trend` of those differences, before the first
      date vs from the last date on (the middle steps left out);
    - ``event_study``: :func:`workbench.stats.event_study`, relative to the last month
      before the first date;
    - ``did``: one row, the monthly difference in differences at the last date (headline:
      Welch's t on monthly differences) beside the unit-level one (``unit_*``, bootstrap
      over units), the middle steps left out;
    - ``placebo``: :func:`workbench.stats.placebo_test` (dates, windows of the real length);
    - ``colleague_placebo``: :func:`workbench.stats.colleague_placebo`;
    - ``pre_placebo``: :func:`pre_kpi_placebo` (short windows before the KPI).

    Without ``MIN_TEAM`` colleagues the DiD table is empty and both placebos are empty; the
    trend, the event study and the placebo dates before the KPI then use the manager's own
    series.
    """
    controls = control_group(targets, units, metric=metric, manager=manager, dates=dates,
                             data_end=data_end)  # fmt: skip
    enough = len(controls) >= MIN_TEAM
    used = controls if enough else []
    mine = units.loc[units["manager"].isin([manager, *used])]
    kw = dict(value=value, time=time, group="manager", treated=manager)
    diffs = monthly_differences(mine, controls=used, **kw)
    p = diffs["period"]
    judged = diffs.loc[(p < dates[0]) | (p >= dates[-1])]
    trend = pre_trend(judged, change_date=dates[-1], alpha=alpha)
    events = event_study(diffs, change_date=dates[0], alpha=alpha)
    pre = pre_kpi_placebo(diffs, first_date=dates[0])
    if not enough:
        return Peers(controls, pd.DataFrame(columns=_DID_COLUMNS),
                     Placebo.empty(_PLACEBO_COLUMNS), Placebo.empty(_COLLEAGUE_COLUMNS),
                     trend, events, diffs, pre)  # fmt: skip
    t = mine[time]
    data = mine.loc[(t < dates[0]) | (t >= dates[-1])]
    unit = diff_in_diff(data, change_date=dates[-1], n_boot=n_boot, seed=seed, alpha=alpha,
                        **kw).table.iloc[0]  # fmt: skip
    month = monthly_diff_in_diff(judged, change_date=dates[-1], alpha=alpha)
    row = {"change_date": dates[-1], **{k: month[k] for k in _DID_COLUMNS[1:10]}}
    row["significant"] = bool(month["did_low"] > 0 or month["did_high"] < 0)
    for name in ("n_treated_before", "n_treated_after", "n_control_before", "n_control_after"):
        row[name] = int(unit[name])
    row.update(unit_did=unit["did"], unit_did_low=unit["did_low"],
               unit_did_high=unit["did_high"], unit_p_value=unit["p_value"])  # fmt: skip
    did = pd.DataFrame([row])[_DID_COLUMNS]
    did["change_date"] = pd.Series([dates[-1]], dtype=pd.DatetimeTZDtype(tz=dates.tz))
    did["significant"] = did["significant"].astype("boolean")
    placebo = placebo_test(data, change_date=dates[-1], controls=controls, **kw)
    colleagues = colleague_placebo(data, change_date=dates[-1], controls=controls, **kw)
    return Peers(controls, did, placebo, colleagues, trend, events, diffs, pre)


def control_group(targets, units, *, metric, manager, dates, data_end) -> list[str]:
    end = dates[-1] if data_end is None else max(data_end, dates[-1])
    return untreated_colleagues(
        targets,
        metric=metric,
        manager=manager,
        managers=units["manager"].unique(),
        start=dates[0],
        end=end,
    )


def ladder_to_norm(values, current, others: pd.Series, *, max_step, lower, round_to) -> Ladder:
    """Target ladder from the rounded before level to the colleagues' median before level.

    An empty table (same columns) that does not reach the norm, with a note saying why, when
    the manager or the colleagues have no before data.
    """
    norm = others.median()
    if not (np.isfinite(current) and np.isfinite(norm)):
        who = "the manager has" if not np.isfinite(current) else "the colleagues have"
        return Ladder(
            table=pd.DataFrame(columns=["step", "target", "step_size", "share_breaching",
                                        "n_units"]),
            reaches_norm=False,
            note=f"no ladder: {who} no data before the first change date",
            set_aside={"missing_value": int(pd.Series(values).isna().sum())},
        )  # fmt: skip
    return target_ladder(
        values, current=float(np.round(current / round_to) * round_to),
        team_norm=float(np.round(norm / round_to) * round_to), max_step=max_step,
        direction="at_most" if lower else "at_least", round_to=round_to,
    )  # fmt: skip


def before_mean_by_manager(units, *, value, time, dates) -> pd.Series:
    before = units.loc[units[time] < dates[0]]
    return before.groupby("manager")[value].mean()


def monthly_mean_interval(units, *, manager, panel, tz):
    """Per-month normal interval of the mean talk time: mean +- 1.96 sd / sqrt(n)."""
    mine = units.loc[units["manager"] == manager]
    g = mine.groupby(period_start(mine["started_at"], period="month", tz=tz))["talk_min"]
    stats = pd.DataFrame(
        {"mean": g.mean(), "half": critical_z(0.05) * g.std(ddof=1) / np.sqrt(g.count())}
    )
    periods = panel.loc[panel["manager"] == manager, "period"]
    stats = stats.reindex(pd.Index(periods))
    return (stats["mean"] - stats["half"]).to_numpy(), (stats["mean"] + stats["half"]).to_numpy()


def sales_change(dpanel, *, manager, dates, alpha, span, tz):
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
    conversion = pd.DataFrame([{"measure": "conversion", **test}])
    return sales, conversion.astype({"measure": "str", "text": "str"})
