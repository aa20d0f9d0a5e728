"""Plots of task-description quality: scores per manager, on-time completion per quality band.

For analysts and coaches: :func:`score_distribution` names managers, so it never belongs in a
manager's own report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from workbench.i18n import N_, _, number, percent
from workbench.plots._base import (
    MANAGER_COLOR,
    TARGET_COLOR,
    TEAM_COLOR,
    _as_float,
    _get_ax,
    _no_data,
    _plain,
    _require,
)
from workbench.quality.score import band_word

__all__ = ["score_distribution", "on_time_by_band"]

# the groups a score distribution is usually drawn by, in words (translated where shown)
_GROUP_WORDS = {"manager": N_("manager"), "language": N_("language")}

_SCORE_LABEL = N_("Description quality score (points, 0-100)")


def score_distribution(
    scored: pd.DataFrame,
    *,
    by: str = "manager",
    good_min: float = 80.0,
    fair_min: float = 50.0,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Box plot of description scores per group, best median on top, means as diamonds.

    Names every group: with ``by="manager"`` this is for analysts and coaches, never for a
    manager's own report. Boxes span the quartiles (linear interpolation), whiskers reach the
    furthest score within 1.5 IQR; outliers are not drawn (scores are few distinct values).
    Rows with a missing score or group are left out and counted in the title.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`workbench.quality.score_descriptions`: ``score`` and the ``by`` column.
    by : str, default "manager"
        Column whose values get one box each.
    good_min, fair_min : float
        Band thresholds, drawn as dashed vertical lines.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.boxplot``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    title = _("Description quality score by {group}").format(group=_(_GROUP_WORDS.get(by, by)))
    if len(scored) == 0:
        return _no_data(ax, "description scores", title=title)
    _require(scored, ["score", by], "score_distribution", "scored")
    d = pd.DataFrame({"group": scored[by].astype("str"), "score": _as_float(scored["score"])})
    usable = d["group"].notna() & d["score"].notna()
    missing = int((~usable).sum())
    d = d.loc[usable]
    if d.empty:
        return _no_data(ax, "description scores", title=title)
    g = d.groupby("group", sort=True)["score"]
    stats = pd.DataFrame({"median": g.median(), "mean": g.mean(), "n": g.size()})
    # Lowest median first: boxplot draws position 1 at the bottom, so the best ends on top.
    stats = stats.reset_index().sort_values(
        ["median", "mean", "group"], ascending=[True, True, False]
    )
    values = [d.loc[d["group"] == name, "score"].to_numpy() for name in stats["group"]]
    pos = np.arange(1, len(stats) + 1)
    style = {
        "orientation": "horizontal",
        "positions": pos,
        "widths": 0.6,
        "showfliers": False,
        "patch_artist": True,
        "boxprops": {"facecolor": "#CFE3F1", "edgecolor": MANAGER_COLOR},
        "medianprops": {"color": MANAGER_COLOR, "linewidth": 2},
        "whiskerprops": {"color": MANAGER_COLOR},
        "capprops": {"color": MANAGER_COLOR},
    }
    ax.boxplot(values, **(style | kwargs))
    ax.plot(stats["mean"].to_numpy(), pos, "D", color="black", markersize=4, label=_("Mean"))
    labels = [
        f"{_plain(m)} (n={number(n)})" for m, n in zip(stats["group"], stats["n"], strict=True)
    ]
    ax.set_yticks(pos, labels=labels)
    for threshold, band, style in ((fair_min, "fair", ":"), (good_min, "good", "--")):
        ax.axvline(
            threshold,
            color=TARGET_COLOR,
            linestyle=style,
            linewidth=1.5,
            label=_("{band} from {points}").format(band=band_word(band), points=f"{threshold:g}"),
        )
    ax.set_xlim(-3, 103)
    ax.set_xlabel(_(_SCORE_LABEL))
    ax.set_ylabel("")
    note = (
        "\n"
        + _("{n} row(s) without a score or {group} not shown").format(
            n=missing, group=_(_GROUP_WORDS.get(by, by))
        )
        if missing
        else ""
    )
    ax.set_title(title + note)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def on_time_by_band(
    table: pd.DataFrame, *, alpha: float | None = None, ax: Axes | None = None, **kwargs
) -> Axes:
    """On-time completion rate per description-quality band, as points with interval bars.

    Parameters
    ----------
    table : pandas.DataFrame
        The ``table`` of :func:`workbench.quality.score.quality_vs_on_time`: ``band``, ``n``,
        ``on_time_rate``, ``ci_low``, ``ci_high``. Bands with ``n == 0`` are labelled but
        get no point.
    alpha : float, optional
        Level of the intervals (the result's ``alpha``), named in the title; None leaves
        the level out.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to ``Axes.errorbar``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _get_ax(ax)
    title = _("On-time completion by description quality")
    if len(table) == 0 or not (table.get("n", pd.Series(dtype="int64")) > 0).any():
        return _no_data(ax, "tasks with a deadline", title=title)
    _require(table, ["band", "n", "on_time_rate", "ci_low", "ci_high"], "on_time_by_band", "table")
    x = np.arange(len(table))
    rate = _as_float(table["on_time_rate"])
    low, high = _as_float(table["ci_low"]), _as_float(table["ci_high"])
    has = table["n"].to_numpy() > 0
    err = np.vstack([rate - low, high - rate])[:, has]
    style = {"fmt": "o", "color": MANAGER_COLOR, "ecolor": TEAM_COLOR, "capsize": 6, "ms": 8}
    ax.errorbar(x[has], rate[has], yerr=err, **(style | kwargs))
    for xi, r, hi, n in zip(x[has], rate[has], high[has], table["n"].to_numpy()[has], strict=True):
        ax.annotate(
            f"{percent(r)} (n={number(n)})",
            (xi, hi),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize="small",
        )
    ax.set_xticks(x, labels=[band_word(str(b)) for b in table["band"]])
    ax.set_xlim(-0.5, len(x) - 0.5)
    ax.set_xlabel(_("Description quality band"))
    ax.set_ylabel(_("Completed on time (%)"))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.margins(y=0.25)
    bars = (
        _("(points: rate; bars: {level}% Wilson interval)").format(level=round(100 * (1 - alpha)))
        if alpha is not None
        else _("(points: rate; bars: Wilson interval)")
    )
    ax.set_title(f"{title}\n{bars}")
    return ax
