"""One manager's metrics per period, against the anonymous team and the KPI target.

The team is always "the other managers" of the panel, drawn as an interquartile band or a
median line and never named. A period's team figure is drawn only when at least
``min_team`` other managers have a value, so that no colleague's own number can be read off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from workbench.formatting import metric_label, metric_name
from workbench.i18n import N_, _
from workbench.plots._base import (
    _TEAM_ALPHA,
    MANAGER_COLOR,
    SERIES_COLORS,
    TARGET_COLOR,
    TEAM_COLOR,
    _as_float,
    _date_num,
    _format_period_axis,
    _format_value_axis,
    _get_ax,
    _is_monthly,
    _legend_outside,
    _no_data,
    _plain,
    _require,
    _set_title,
    _wall_time,
)
from workbench.privacy import MIN_BAND, MIN_TEAM

__all__ = [
    "metric_over_time",
    "delinquency_over_time",
    "results_over_time",
    "task_flow",
    "calls_over_time",
]

_RESULT_METRICS = ("leads", "conversion", "sales_volume")
#: The KPI line's legend entry by the target's direction (translated where drawn).
_TARGET_WORDS = {"at_most": N_("KPI target (at most)"), "at_least": N_("KPI target (at least)")}


def _prepare(panel: pd.DataFrame, columns: list[str], func: str) -> pd.DataFrame:
    """Manager, wall-clock period start, and the metric columns as float64."""
    _require(panel, ["manager", "period", *columns], func, "panel")
    out = pd.DataFrame(
        {"manager": panel["manager"].to_numpy(), "t": _wall_time(panel["period"]).to_numpy()}
    )
    for col in columns:
        out[col] = _as_float(panel[col])
    return out


def _team_stat(
    d: pd.DataFrame, *, manager: str, metric: str, qs: tuple[float, ...], min_team: int
) -> pd.DataFrame:
    """Quantiles of ``metric`` over the OTHER managers per period (NaN if too few)."""
    others = d.loc[(d["manager"] != manager) & d[metric].notna(), ["t", metric]]
    g = others.groupby("t")[metric]
    stats = pd.DataFrame({q: g.quantile(q) for q in qs})
    stats.loc[g.count() < min_team, :] = np.nan
    return stats.reindex(pd.Index(np.sort(d["t"].unique()), name="t"))


def _target_steps(targets, *, manager: str, metric: str, tz) -> pd.DataFrame:
    """The target per period (t, target), from a KPI table or a (period, target) frame."""
    empty = pd.DataFrame(
        {"t": pd.Series(dtype="datetime64[us]"), "target": [], "direction": pd.Series(dtype=str)}
    )
    if targets is None or len(targets) == 0:
        return empty
    if "period" not in targets.columns and "effective_from" in targets.columns:
        raise ValueError(
            "targets: got the raw targets table (effective_from/effective_to); pass the "
            "per-period KPI table (manager, period, metric, target) or a (period, target) frame"
        )
    _require(targets, ["period", "target"], "targets", "targets")
    t = targets
    if "metric" in t.columns:
        t = t.loc[t["metric"] == metric]
    if "manager" in t.columns:
        own = t.loc[t["manager"] == manager]
        t = own if len(own) else t.loc[t["manager"] == "*"]
    if t.empty:
        return empty
    out = pd.DataFrame(
        {
            "t": _wall_time(t["period"], tz).to_numpy(),
            "target": _as_float(t["target"]),
            "direction": t["direction"].to_numpy() if "direction" in t.columns else "",
        }
    ).sort_values("t")
    clash = out.groupby("t")["target"].nunique() > 1
    if clash.any():
        raise ValueError(
            f"targets: more than one target for {metric!r} in period(s) "
            f"{list(clash.index[clash].strftime('%Y-%m-%d'))}"
        )
    return out.drop_duplicates("t")


def metric_over_time(
    panel: pd.DataFrame,
    *,
    manager: str,
    metric: str,
    targets: pd.DataFrame | None = None,
    label: str | None = None,
    min_team: int = MIN_BAND,
    title: str | None = None,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """One metric of one manager per period, with the team's middle 50 % and the KPI target.

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy metric table, one row per (manager, period): ``manager``, ``period`` (tz-aware
        period start) and the metric columns named below.
    manager : str
        The focus manager (a value of ``panel["manager"]``).
    metric : str
        Column of ``panel`` to draw, e.g. ``"talk_mean_min"``.
    targets : pandas.DataFrame, optional
        KPI target per period, drawn as a step line (``drawstyle="steps-post"``): either the
        KPI-attainment table (``manager``, ``period``, ``metric``, ``target``; rows of other
        metrics and managers are ignored, ``*`` rows are used when the manager has none) or a
        simple (``period``, ``target``) frame. Periods without a row have no target.
    label : str, optional
        How the focus manager is named in the legend and title; default "You" in the
        current language. Only this manager is ever named; the team is anonymous. A
        manager's own report may pass the manager's name.
    min_team : int, default :data:`workbench.privacy.MIN_BAND` (5)
        Draw the team's band for a period only when at least this many other managers have
        a value there, so that no colleague's number can be read off the plot.
    title : str, optional
        Axes title; by default "<metric>: <label> and the team".
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.plot`` for the manager's line.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    label = _plain(_("You") if label is None else label)
    name, short = metric_label(metric), metric_name(metric)
    title = title or _("{metric}: {label} and the team").format(metric=short, label=label)
    if len(panel) == 0:
        return _no_data(ax, short, title=title)
    d = _prepare(panel, [metric], "metric_over_time")
    mine = d.loc[d["manager"] == manager].sort_values("t")
    if mine[metric].isna().all():
        return _no_data(ax, _("{metric} of {label}").format(metric=short, label=label), title=title)

    band = _team_stat(d, manager=manager, metric=metric, qs=(0.25, 0.75), min_team=min_team)
    if band[0.25].notna().any():
        ax.fill_between(
            _date_num(band.index.to_series()),
            band[0.25].to_numpy(),
            band[0.75].to_numpy(),
            color=TEAM_COLOR,
            alpha=_TEAM_ALPHA,
            linewidth=0,
            label=_("Team: middle half of colleagues"),
        )
    tz = pd.to_datetime(panel["period"]).dt.tz
    steps = _target_steps(targets, manager=manager, metric=metric, tz=tz)
    if len(steps):
        dirs = steps["direction"].dropna().unique()
        target_label = _("KPI target")
        if len(dirs) == 1 and dirs[0] in _TARGET_WORDS:
            target_label = _(_TARGET_WORDS[dirs[0]])
        ax.plot(
            _date_num(steps["t"]),
            steps["target"].to_numpy(),
            drawstyle="steps-post",
            color=TARGET_COLOR,
            linewidth=2,
            label=target_label,
        )
    line_kw = {"color": MANAGER_COLOR, "marker": "o", "linewidth": 2, "label": label} | kwargs
    ax.plot(_date_num(mine["t"]), mine[metric].to_numpy(), **line_kw)

    _format_period_axis(ax, d["t"])
    _format_value_axis(ax, metric)
    ax.set_ylabel(name)
    ax.set_ylim(bottom=0)
    _set_title(ax, title)
    _legend_outside(ax)
    return ax


def delinquency_over_time(
    panel: pd.DataFrame,
    *,
    manager: str,
    targets: pd.DataFrame | None = None,
    metric: str = "delinquency_rate",
    label: str | None = None,
    min_team: int = MIN_BAND,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """The manager's overdue share per period (percent), the KPI step line and the team band.

    Parameters are those of :func:`metric_over_time`: ``panel`` is the tidy metric table
    (``manager``, ``period``, ``metric``), ``targets`` the KPI-attainment table or a
    (``period``, ``target``) frame, ``ax=None`` means ``plt.gca()``. Returns the Axes.
    """
    return metric_over_time(
        panel,
        manager=manager,
        metric=metric,
        targets=targets,
        label=label,
        min_team=min_team,
        title=_("Overdue tasks: {label} and the team").format(
            label=_plain(_("You") if label is None else label)
        ),
        ax=ax,
        **kwargs,
    )


def results_over_time(
    panel: pd.DataFrame,
    *,
    manager: str,
    metric: str = "leads",
    targets: pd.DataFrame | None = None,
    label: str | None = None,
    min_team: int = MIN_BAND,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """One sales result per period (``leads``, ``conversion`` or ``sales_volume``) vs the team.

    One metric per call so that a report can lay out three panels. Rates are drawn in
    percent, money in thousands. Parameters are those of :func:`metric_over_time`
    (``ax=None`` means ``plt.gca()``); returns the Axes.
    """
    if metric not in _RESULT_METRICS:
        raise ValueError(f"results_over_time: metric must be one of {_RESULT_METRICS}")
    return metric_over_time(
        panel,
        manager=manager,
        metric=metric,
        targets=targets,
        label=label,
        min_team=min_team,
        ax=ax,
        **kwargs,
    )


def task_flow(
    panel: pd.DataFrame,
    *,
    manager: str,
    label: str | None = None,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Tasks created, completed and overdue per period for one manager, as grouped bars.

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy metric table, one row per (manager, period): ``manager``, ``period`` (tz-aware
        period start) and the metric columns named below.
    manager : str
        The focus manager; only this manager's rows are drawn (no team figures).
    label : str, optional
        How the focus manager is named in the title; default "You" in the current language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to each ``Axes.bar`` call.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    label = _plain(_("You") if label is None else label)
    cols = ["tasks_new", "tasks_completed", "tasks_overdue"]
    title = _("Tasks: {label}").format(label=label)
    if len(panel) == 0:
        return _no_data(ax, _("tasks"), title=title)
    d = _prepare(panel, cols, "task_flow")
    mine = d.loc[d["manager"] == manager].sort_values("t")
    if mine[cols].isna().all().all():
        return _no_data(ax, _("tasks of {label}").format(label=label), title=title)

    x = _date_num(mine["t"])
    gaps = np.diff(np.unique(x))
    spacing = gaps.min() if len(gaps) else (30.0 if _is_monthly(mine["t"]) else 7.0)
    width = 0.8 * spacing / len(cols)
    for i, col in enumerate(cols):
        bar_kw = {"color": SERIES_COLORS[col], "label": metric_name(col)}
        ax.bar(x + (i - 1) * width, mine[col].to_numpy(), width=width, **(bar_kw | kwargs))
    _format_period_axis(ax, mine["t"])
    monthly = _is_monthly(mine["t"])
    ax.set_ylabel(_("Tasks per month (count)") if monthly else _("Tasks per week (count)"))
    ax.grid(axis="x", visible=False)
    _set_title(ax, title)
    _legend_outside(ax)
    return ax


def calls_over_time(
    panel: pd.DataFrame,
    *,
    manager: str,
    label: str | None = None,
    min_team: int = MIN_TEAM,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Dials and connected calls per period for one manager, with the team median dashed.

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy metric table, one row per (manager, period): ``manager``, ``period`` (tz-aware
        period start) and the metric columns ``dials`` and ``connected``.
    manager : str
        The focus manager.
    label : str, optional
        How the focus manager is named in the legend and title; default "You" in the
        current language. Only this manager is ever named; the team is anonymous.
    min_team : int, default :data:`workbench.privacy.MIN_TEAM` (3)
        Draw the team's median for a period only when at least this many other managers
        have a value there, so that no colleague's number can be read off the plot.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.plot`` for the manager's two lines.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    label = _plain(_("You") if label is None else label)
    cols = ["dials", "connected"]
    title = _("Calls: {label} and the team median").format(label=label)
    if len(panel) == 0:
        return _no_data(ax, _("calls"), title=title)
    d = _prepare(panel, cols, "calls_over_time")
    mine = d.loc[d["manager"] == manager].sort_values("t")
    if mine[cols].isna().all().all():
        return _no_data(ax, _("calls of {label}").format(label=label), title=title)

    for col, marker in zip(cols, ("o", "s"), strict=True):
        word = metric_name(col)
        med = _team_stat(d, manager=manager, metric=col, qs=(0.5,), min_team=min_team)[0.5]
        if med.notna().any():
            ax.plot(
                _date_num(med.index.to_series()),
                med.to_numpy(),
                color=SERIES_COLORS[col],
                linestyle="--",
                linewidth=1.5,
                alpha=0.8,
                label=_("{series}: team median").format(series=word),
            )
        line_kw = {"color": SERIES_COLORS[col], "marker": marker, "linewidth": 2}
        line_kw |= {"label": _("{series}: {label}").format(series=word, label=label)} | kwargs
        ax.plot(_date_num(mine["t"]), mine[col].to_numpy(), **line_kw)
    _format_period_axis(ax, d["t"])
    monthly = _is_monthly(d["t"])
    ax.set_ylabel(_("Calls per month (count)") if monthly else _("Calls per week (count)"))
    ax.set_ylim(bottom=0)
    _set_title(ax, title)
    _legend_outside(ax)
    return ax
