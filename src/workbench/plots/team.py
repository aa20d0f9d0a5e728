"""Plots across managers: tasks vs results scatter, and one metric per manager.

Legends and notes sit outside the plot area (below it), so they never cover a bar, a point
or a tick; every word goes through :mod:`workbench.i18n`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from workbench.formatting import format_figure, metric_label, metric_name
from workbench.i18n import _, ngettext, number, percent
from workbench.plots._base import (
    MANAGER_COLOR,
    OKABE_ITO,
    TARGET_COLOR,
    TEAM_COLOR,
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

#: Space between the bottom of the axes and a legend below them, in font sizes: room for
#: the tick labels and the axis label.
_BELOW = 3.4


def _legend_below(ax: Axes, handles: list) -> None:
    """A legend under the axes (outside the plot area), one entry per row, from the
    figure's left edge (the bars' names take the left of the axes' row)."""
    if handles:
        where = blended_transform_factory(ax.figure.transFigure, ax.transAxes)
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=where,
            borderaxespad=_BELOW, fontsize="small", frameon=False, ncols=1, handlelength=1.6,
        )  # fmt: skip


def _annotation_text(annotation: str | Mapping) -> str:
    """ "rank correlation 0.42 / 95% interval 0.20 to 0.60 / 120 points" from a dict, or the
    string itself; in the current language."""
    if isinstance(annotation, str):
        return annotation
    text = _("rank correlation {rho}").format(rho=number(annotation["rho"], 2))
    low, high = annotation.get("ci_low"), annotation.get("ci_high")
    if low is not None and high is not None:
        level = annotation.get("level", 0.95)
        text += "; " + _("{level} interval {low} to {high}").format(
            level=percent(level), low=number(low, 2), high=number(high, 2)
        )
    if annotation.get("n") is not None:
        n = int(annotation["n"])
        text += "; " + ngettext("{n} point", "{n} points", n).format(n=number(n))
    return text


def tasks_vs_results(
    panel: pd.DataFrame,
    *,
    x: str = "tasks_completed",
    y: str = "won",
    highlight: str | None = None,
    label: str | None = None,
    annotation: str | Mapping | None = None,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Scatter of one point per (manager, period): a task metric against a result metric.

    All points are anonymous grey; only the ``highlight`` manager's points are coloured
    and named (by ``label``). The correlation is computed elsewhere
    (``workbench.stats.correlation``) and only written here, from ``annotation``, under the
    axis label (outside the plot area, never over a point).

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy metric table, one row per (manager, period): ``manager``, ``period`` (tz-aware
        period start) and the metric columns named below.
    x, y : str, default "tasks_completed", "won"
        Metric columns for the horizontal and vertical axes.
    highlight : str, optional
        A manager whose points are drawn in colour; ``None`` draws everyone in grey.
    label : str, optional
        How the highlighted manager is named in the legend (default "You").
    annotation : str or dict, optional
        A note under the plot; a dict with ``rho``, ``ci_low``, ``ci_high``, ``n`` (and
        optionally ``level`` such as 0.95) reads "rank correlation 0.42; 95% interval 0.20
        to 0.60; 120 points". Shown literally (no mathtext).
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
    label = _plain(_("You") if label is None else label)
    xname, yname = metric_label(x), metric_label(y)
    title = _("{y} against {x}").format(y=metric_name(y), x=metric_name(x).lower())
    if len(panel) == 0:
        return _no_data(ax, _("{x} and {y}").format(x=metric_name(x), y=metric_name(y)),
                        title=title)  # fmt: skip
    _require(panel, ["manager", x, y], "tasks_vs_results", "panel")
    xs, ys = _as_float(panel[x]), _as_float(panel[y])
    usable = ~(np.isnan(xs) | np.isnan(ys))
    if not usable.any():
        return _no_data(ax, _("{x} and {y}").format(x=metric_name(x), y=metric_name(y)),
                        title=title)  # fmt: skip
    mine = (panel["manager"] == highlight).to_numpy() & usable
    rest = usable & ~mine
    style = {"s": 30, "edgecolor": "white", "linewidth": 0.5} | kwargs
    if rest.any():
        ax.scatter(
            xs[rest], ys[rest], color=TEAM_COLOR, alpha=0.6, label=_("A manager's month"),
            **style,
        )  # fmt: skip
    if mine.any():
        ax.scatter(xs[mine], ys[mine], color=MANAGER_COLOR, label=label, zorder=3, **style)
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)
    _format_value_axis(ax, x, which="x")
    _format_value_axis(ax, y, which="y")
    skipped = int((~usable).sum())
    note = _("one point per manager and month")
    if skipped:
        note = ngettext(
            "one point per manager and month; {n} without both values not shown",
            "one point per manager and month; {n} without both values not shown",
            skipped,
        ).format(n=skipped)
    ax.set_title(f"{title}\n{note}", wrap=True)  # wrapped within the figure (long languages)
    ax.xaxis.label.set_wrap(True)
    if annotation is not None:  # under the axis label: outside the plot area
        ax.annotate(
            _plain(_annotation_text(annotation)), xy=(0.5, 0.0), xycoords=ax.xaxis.label,
            xytext=(0, -4), textcoords="offset points", ha="center", va="top",
            fontsize="small", wrap=True,
        )  # fmt: skip
    if mine.any():  # without a highlight every point is alike: no legend needed
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def _target_line(ax: Axes, metric: str, d: pd.DataFrame, target: float | None) -> Line2D | None:
    """The KPI target: one line across the plot when every manager shares it (``target``),
    else a short mark on each bar of a manager with a personal target (``d["target"]``)."""
    if target is not None:
        return ax.axvline(
            target, color=TARGET_COLOR, linestyle="--", linewidth=2,
            label=_("KPI target {target}").format(target=format_figure(metric, target)),
        )  # fmt: skip
    if "target" not in d or d["target"].isna().all():
        return None
    xs, ys = [], []
    for pos, value in enumerate(d["target"].to_numpy(dtype=float)):
        if not np.isnan(value):
            xs += [value, value, np.nan]
            ys += [pos - 0.45, pos + 0.45, np.nan]
    text = _("A manager's own KPI target")
    (line,) = ax.plot(xs, ys, color=TARGET_COLOR, linestyle="-", linewidth=3, label=text,
                      solid_capstyle="butt", zorder=4)  # fmt: skip
    return line


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
    ``outlier`` column are hatched. The KPI target is a vertical line when ``target`` is
    given (everyone's); else each manager's own target in an optional ``target`` column is
    a mark on that manager's bar (a personal KPI). The legend is under the plot.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per manager: ``manager``, the ``metric`` column and optionally ``outlier``
        and ``target``.
    metric : str
        Column to draw, e.g. ``"delinquency_rate"``.
    highlight : str, optional
        A manager whose bar is coloured; the others are grey.
    target : float, optional
        A KPI target every manager shares, in the metric's units (a fraction for rates).
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
    title = _("{metric} by manager").format(metric=metric_name(metric))
    if len(summary) == 0:
        return _no_data(ax, metric_name(metric), title=title)
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
    if "target" in summary.columns:
        d["target"] = _as_float(summary["target"])
    missing = int(d["value"].isna().sum())
    d = d.dropna(subset=["value"]).sort_values(["value", "manager"], ascending=[True, False])
    if d.empty:
        return _no_data(ax, metric_name(metric), title=title)
    d = d.reset_index(drop=True)

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
    _target_line(ax, metric, d, target)
    ax.set_xlabel(name)
    _format_value_axis(ax, metric, which="x")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    note = ""
    if missing:
        note = "\n" + ngettext(
            "{n} manager without a value not shown", "{n} managers without a value not shown",
            missing,
        ).format(n=missing)  # fmt: skip
    ax.set_title(title + note, wrap=True)  # wrapped within the figure (long languages)
    ax.xaxis.label.set_wrap(True)
    handles = ax.get_legend_handles_labels()[0]
    if d["outlier"].any():
        handles.append(
            Patch(facecolor="white", edgecolor="black", hatch="///",
                  label=_("Outlier: far from the other managers"))
        )  # fmt: skip
    _legend_below(ax, handles)
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
