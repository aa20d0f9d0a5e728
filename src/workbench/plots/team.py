"""Plots across managers: tasks vs results scatter, and one metric per manager."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from workbench.formatting import format_figure, metric_label
from workbench.plots._base import (
    MANAGER_COLOR,
    OKABE_ITO,
    TARGET_COLOR,
    TEAM_COLOR,
    _add_headroom,
    _as_float,
    _date_num,
    _format_period_axis,
    _format_value_axis,
    _get_ax,
    _legend,
    _no_data,
    _plain,
    _require,
    _wall_time,
)

__all__ = ["tasks_vs_results", "metric_by_manager", "managers_over_time"]


def _annotation_text(annotation: str | Mapping) -> str:
    """ "rho = 0.42 / 95% CI [0.20, 0.60] / n = 120" from a dict, or the string itself."""
    if isinstance(annotation, str):
        return annotation
    text = f"{annotation.get('method', 'ρ')} = {annotation['rho']:.2f}"
    low, high = annotation.get("ci_low"), annotation.get("ci_high")
    if low is not None and high is not None:
        level = annotation.get("level", 0.95)
        text += f"\n{level:.0%} CI [{low:.2f}, {high:.2f}]"
    if annotation.get("n") is not None:
        text += f"\nn = {annotation['n']}"
    return text


def tasks_vs_results(
    panel: pd.DataFrame,
    *,
    x: str = "tasks_completed",
    y: str = "won",
    highlight: str | None = None,
    label: str = "You",
    annotation: str | Mapping | None = None,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Scatter of one point per (manager, period): a task metric against a result metric.

    All points are anonymous grey; only the ``highlight`` manager's points are coloured
    and named (by ``label``). The correlation is computed elsewhere
    (``workbench.stats.correlation``) and only written here, from ``annotation``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy metric table, one row per (manager, period): ``manager``, ``period`` (tz-aware
        period start) and the metric columns named below.
    x, y : str, default "tasks_completed", "won"
        Metric columns for the horizontal and vertical axes.
    highlight : str, optional
        A manager whose points are drawn in colour; ``None`` draws everyone in grey.
    label : str, default "You"
        How the highlighted manager is named in the legend.
    annotation : str or dict, optional
        Text for a box in the corner; a dict with ``rho``, ``ci_low``, ``ci_high``, ``n``
        (and optionally ``method`` such as "Spearman ρ", ``level`` such as 0.95) is
        formatted as "ρ = 0.42 / 95% CI [0.20, 0.60] / n = 120". Shown literally (no mathtext).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.scatter`` for all points.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    label = _plain(label)
    xname, yname = metric_label(x), metric_label(y)
    title = f"{yname.rsplit(' (', 1)[0]} vs {xname.rsplit(' (', 1)[0].lower()}"
    if len(panel) == 0:
        return _no_data(ax, f"{x} and {y}", title=title)
    _require(panel, ["manager", x, y], "tasks_vs_results", "panel")
    xs, ys = _as_float(panel[x]), _as_float(panel[y])
    usable = ~(np.isnan(xs) | np.isnan(ys))
    if not usable.any():
        return _no_data(ax, f"{x} and {y}", title=title)
    mine = (panel["manager"] == highlight).to_numpy() & usable
    rest = usable & ~mine
    style = {"s": 30, "edgecolor": "white", "linewidth": 0.5} | kwargs
    if rest.any():
        ax.scatter(
            xs[rest], ys[rest], color=TEAM_COLOR, alpha=0.6, label="Manager-periods", **style
        )
    if mine.any():
        ax.scatter(xs[mine], ys[mine], color=MANAGER_COLOR, label=label, zorder=3, **style)
    if annotation is not None:
        ax.text(
            0.03,
            0.97,
            _plain(_annotation_text(annotation)),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize="small",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": TEAM_COLOR},
        )
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)
    _format_value_axis(ax, x, which="x")
    _format_value_axis(ax, y, which="y")
    skipped = int((~usable).sum())
    note = f"\none point per manager and period; {skipped} without both values not shown"
    ax.set_title(title + (note if skipped else "\none point per manager and period"))
    _add_headroom(ax, rows=3 if annotation is not None else 2)
    _legend(ax, loc="upper right", frameon=True, framealpha=1.0, edgecolor="none")
    return ax


def metric_by_manager(
    summary: pd.DataFrame,
    *,
    metric: str,
    highlight: str | None = None,
    target: float | None = None,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Horizontal bars of one metric per manager, for the head of sales' team overview.

    Managers ARE named here: this plot is for the team overview, never for a manager's own
    report. Bars are sorted so the largest value is on top; managers flagged in a boolean
    ``outlier`` column get a black diamond; ``target`` is drawn as a vertical line.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per manager: ``manager``, the ``metric`` column and optionally ``outlier``.
    metric : str
        Column to draw, e.g. ``"delinquency_rate"``.
    highlight : str, optional
        A manager whose bar is coloured; the others are grey.
    target : float, optional
        KPI target, in the metric's units (a fraction for rates).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    name = metric_label(metric)
    title = f"{name.rsplit(' (', 1)[0]} by manager"
    if len(summary) == 0:
        return _no_data(ax, metric, title=title)
    _require(summary, ["manager", metric], "metric_by_manager", "summary")
    dup = summary["manager"].duplicated(keep=False)
    if dup.any():
        raise ValueError(
            "metric_by_manager: summary needs one row per manager; repeated: "
            f"{sorted(summary.loc[dup, 'manager'].unique())} (aggregate the panel first)"
        )
    d = pd.DataFrame(
        {"manager": summary["manager"].to_numpy(), "value": _as_float(summary[metric])}
    )
    if "outlier" in summary.columns:
        d["outlier"] = summary["outlier"].fillna(False).astype(bool).to_numpy()
    else:
        d["outlier"] = False
    missing = int(d["value"].isna().sum())
    d = d.dropna(subset=["value"]).sort_values(["value", "manager"], ascending=[True, False])
    if d.empty:
        return _no_data(ax, metric, title=title)

    pos = np.arange(len(d))
    colors = np.where(d["manager"] == highlight, MANAGER_COLOR, TEAM_COLOR)
    bars = ax.barh(pos, d["value"].to_numpy(), color=colors, **kwargs)
    ax.bar_label(
        bars, labels=[format_figure(metric, v) for v in d["value"]], padding=3, fontsize="small"
    )
    ax.set_yticks(pos, labels=[_plain(m) for m in d["manager"]])
    if d["outlier"].any():
        for bar, is_outlier in zip(bars.patches, d["outlier"], strict=True):
            if is_outlier:
                bar.set_hatch("///")
                bar.set_edgecolor("black")
    if target is not None:
        ax.axvline(
            target,
            color=TARGET_COLOR,
            linestyle="--",
            linewidth=2,
            label=f"KPI target {format_figure(metric, target)}",
        )
    ax.set_xlabel(name)
    _format_value_axis(ax, metric, which="x")
    ax.set_ylabel("")
    ax.margins(x=0.12)
    note = f"\n{missing} manager(s) without a value not shown" if missing else ""
    ax.set_title(title + note)
    handles = ax.get_legend_handles_labels()[0]
    if d["outlier"].any():
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label="Outlier"))
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize="small", framealpha=1.0)
    return ax


def managers_over_time(
    panel: pd.DataFrame,
    *,
    metric: str,
    managers: list[str] | tuple[str, ...],
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """One metric per period for a few named managers, over the median of all managers.

    Managers ARE named here: this plot is for analysts exploring the team (the explorer),
    never for a manager's own report. The grey dashed line is the median over every
    manager of the panel in each period.

    Parameters
    ----------
    panel : pandas.DataFrame
        The manager panel: ``manager``, ``period`` and the ``metric`` column.
    metric : str
        Column to draw, e.g. ``"talk_mean_min"``.
    managers : sequence of str
        Managers drawn as coloured lines (in this order; at most 8 distinct colours).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.plot`` for the managers' lines.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    name = metric_label(metric)
    title = f"{name.rsplit(' (', 1)[0]} per period"
    if len(panel) == 0:
        return _no_data(ax, metric, title=title)
    _require(panel, ["manager", "period", metric], "managers_over_time", "panel")
    d = pd.DataFrame(
        {
            "manager": panel["manager"].to_numpy(),
            "t": _wall_time(panel["period"]).to_numpy(),
            "value": _as_float(panel[metric]),
        }
    )
    if d["value"].notna().sum() == 0:
        return _no_data(ax, metric, title=title)
    team = d.groupby("t")["value"].median().sort_index()
    ax.plot(
        _date_num(pd.Series(team.index)),
        team.to_numpy(),
        color=TEAM_COLOR,
        linestyle="--",
        linewidth=2,
        label="Median of all managers",
    )
    for i, manager in enumerate(managers):
        own = d.loc[d["manager"] == manager].sort_values("t")
        ax.plot(
            _date_num(own["t"]),
            own["value"].to_numpy(),
            marker="o",
            color=OKABE_ITO[i % len(OKABE_ITO)],
            label=_plain(manager),
            **kwargs,
        )
    _format_period_axis(ax, d["t"])
    _format_value_axis(ax, metric)
    ax.set_ylabel(name)
    ax.set_title(title)
    _legend(ax, loc="best", frameon=True, framealpha=0.9)
    return ax
