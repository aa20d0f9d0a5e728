"""The shared look and helpers of the plots: theme, explicit colours, period and value axes.

Plot functions never rely on the colour cycle or on any state left by an earlier call: every
artist gets its colour here, so a report drawn for manager B looks the same whether or not
manager A's was drawn first on the same kernel.
"""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from workbench.formatting import metric_kind

__all__ = [
    "OKABE_ITO",
    "MANAGER_COLOR",
    "TEAM_COLOR",
    "TARGET_COLOR",
    "SERIES_COLORS",
    "set_theme",
]

#: Okabe-Ito colour-blind-safe palette (orange, sky blue, green, yellow, blue, vermillion,
#: purple, black).
OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
MANAGER_COLOR = "#0072B2"
TEAM_COLOR = "#8C8C8C"
TARGET_COLOR = "#D55E00"
#: Fixed colours of the series drawn side by side (task flow, calls).
SERIES_COLORS = {
    "tasks_new": "#56B4E9",
    "tasks_completed": "#009E73",
    "tasks_overdue": "#E69F00",
    "dials": MANAGER_COLOR,
    "connected": "#009E73",
}
_TEAM_LINE_COLOR = "#555555"
_TEAM_ALPHA = 0.3


def set_theme(*, font_scale: float = 1.1) -> None:
    """Apply the workbench look: white grid, Okabe-Ito palette, readable font sizes.

    Call it at the top of every notebook: ``%reset -f`` on a reused kernel does not undo
    rcParams, so each report sets the theme itself rather than inheriting it.

    Parameters
    ----------
    font_scale : float, default 1.1
        Multiplier of seaborn's "notebook" font sizes.
    """
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=list(OKABE_ITO),
        font_scale=font_scale,
        rc={"axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False},
    )


def _get_ax(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def _plain(text: str) -> str:
    """CRM text shown literally: a "$" in a name must not switch matplotlib to mathtext."""
    return str(text).replace("$", r"\$")


def _no_data(ax: Axes, what: str, *, title: str | None = None) -> Axes:
    """Write a readable "No data for <what>" message on ``ax`` instead of a plot."""
    ax.text(
        0.5,
        0.5,
        f"No data for {what}",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize="large",
        color=_TEAM_LINE_COLOR,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def _require(data: pd.DataFrame, columns: list[str], func: str, what: str = "data") -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{func}: {what} lacks column(s) {missing}; it has {list(data.columns)}")


def _as_float(values: pd.Series) -> np.ndarray:
    """Numbers as float64 with NaN for missing (nullable Int64/Float64 included)."""
    return pd.to_numeric(values).astype("float64").to_numpy()


def _wall_time(periods: pd.Series, tz=None) -> pd.Series:
    """Period starts as naive wall-clock times in their (or ``tz``'s) zone.

    Plotting wall-clock times keeps "1 Jan 00:00 Moscow" on January instead of letting
    matplotlib shift it to 31 Dec 21:00 UTC.
    """
    s = pd.to_datetime(periods)
    if s.dt.tz is not None:
        if tz is not None:
            s = s.dt.tz_convert(tz)
        s = s.dt.tz_localize(None)
    return s


def _date_num(wall: pd.Series) -> np.ndarray:
    return mdates.date2num(wall.to_numpy(dtype="datetime64[us]"))


def _is_monthly(wall: pd.Series) -> bool:
    w = wall.dropna()
    return bool(((w.dt.day == 1) & (w == w.dt.normalize())).all())


def _period_word(wall: pd.Series) -> str:
    return "month" if _is_monthly(wall) else "week"


def _format_period_axis(ax: Axes, wall: pd.Series) -> None:
    """Ticks at the period starts ("Jan 2026" or "05 Jan 2026"), at most about 12 of them."""
    uniq = pd.Series(pd.unique(wall.dropna())).sort_values()
    if uniq.empty:
        return
    monthly = _is_monthly(uniq)
    x = _date_num(uniq)
    step = max(1, math.ceil(len(x) / 12))
    ax.xaxis.set_major_locator(FixedLocator(x[::step]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y" if monthly else "%d %b %Y", tz="UTC"))
    ax.xaxis.set_minor_locator(NullLocator())
    pad = (15.0 if monthly else 3.5) * (1 if len(x) > 1 else 3)  # in days
    ax.set_xlim(x[0] - pad, x[-1] + pad)
    ax.set_xlabel("Month" if monthly else "Week (starting Monday)")
    if len(x[::step]) > 4:
        ax.tick_params(axis="x", labelrotation=45)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")


def _format_value_axis(ax: Axes, metric: str, *, which: str = "y") -> None:
    axis = ax.yaxis if which == "y" else ax.xaxis
    kind = metric_kind(metric)
    if kind == "rate":
        axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    elif kind == "money":

        def _thousands(v, _pos):
            lo, hi = axis.get_view_interval()
            decimals = 0 if max(abs(lo), abs(hi)) >= 10_000 else 1
            return f"{v / 1000:,.{decimals}f}"

        axis.set_major_formatter(FuncFormatter(_thousands))


def _legend(ax: Axes, **kwargs) -> None:
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(**({"fontsize": "small", "frameon": False} | kwargs))


def _legend_on_top(ax: Axes, *, ncol: int = 2, loc: str = "upper center") -> None:
    """Legend in a strip of head room above the data, so it never hides a line.

    The y ticks stay those of the data range: none is drawn in the head room.
    """
    handles, _labels = ax.get_legend_handles_labels()
    if not handles:
        return
    _add_headroom(ax, rows=-(-len(handles) // ncol))
    ax.legend(
        loc=loc,
        ncol=ncol,
        fontsize="small",
        frameon=True,
        framealpha=1.0,
        facecolor="white",
        edgecolor="none",
    )


def _add_headroom(ax: Axes, *, rows: int) -> None:
    """Raise the top of the y axis by about ``rows`` lines of small text."""
    bottom, top = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if bottom <= t <= top]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.set_ylim(bottom, top + (top - bottom) * (0.12 * rows + 0.05))
