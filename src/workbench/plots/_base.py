"""The shared look and helpers of the plots: theme, explicit colours, period and value axes.

Plot functions never rely on the colour cycle or on any state left by an earlier call: every
artist gets its colour here, so a report drawn for manager B looks the same whether or not
manager A's was drawn first on the same kernel.
"""

from __future__ import annotations

import contextlib
import math
import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from workbench.formatting import metric_kind
from workbench.i18n import _, language, month_year, number

__all__ = [
    "OKABE_ITO",
    "MANAGER_COLOR",
    "TEAM_COLOR",
    "TARGET_COLOR",
    "SERIES_COLORS",
    "FIGURE_HEIGHT",
    "FIGURE_WIDTH",
    "FONT_SIZES",
    "MIN_FONT_PT",
    "MIN_TEXT_PX",
    "PHONE_PX",
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


#: A figure is read on a phone: shown :data:`PHONE_PX` CSS px wide, its smallest text must
#: be at least :data:`MIN_TEXT_PX` CSS px. Text of ``pt`` points in a figure ``w`` inches
#: wide shows at ``pt x PHONE_PX / (w x 72)`` px, so the theme's figure width and font
#: sizes are set together here.
PHONE_PX = 390
MIN_TEXT_PX = 11
#: Width and height of the theme's figures, inches (a report's figures all have this width;
#: the height leaves room for the legend under the plot).
FIGURE_WIDTH = 6.0
FIGURE_HEIGHT = 4.4
#: The smallest font size allowed in a figure :data:`FIGURE_WIDTH` wide, points:
#: 11 x 6 x 72 / 390 = 12.2, rounded up to half a point.
MIN_FONT_PT = math.ceil(2 * MIN_TEXT_PX * FIGURE_WIDTH * 72 / PHONE_PX) / 2
#: The theme's font sizes, points. The base size is chosen so that text drawn at the
#: relative size "small" (0.833 of the base, as some plots use) is still
#: :data:`MIN_FONT_PT`; ticks and legends are set to that minimum directly.
FONT_SIZES = {
    "font.size": math.ceil(2 * MIN_FONT_PT / 0.833) / 2,
    "axes.titlesize": MIN_FONT_PT + 1.5,
    "axes.labelsize": MIN_FONT_PT + 0.5,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": MIN_FONT_PT + 1.5,
}


def set_theme(*, font_scale: float = 1.0) -> None:
    """Apply the workbench look: white grid, Okabe-Ito palette, text readable on a phone.

    Figures are :data:`FIGURE_WIDTH` inches wide and every text in them at least
    :data:`MIN_FONT_PT` points (:data:`FONT_SIZES`), so that a figure shown 390 CSS px wide
    has no text under 11 px. Call it at the top of every notebook: ``%reset -f`` on a
    reused kernel does not undo rcParams, so each report sets the theme itself.

    Parameters
    ----------
    font_scale : float, default 1.0
        Multiplier of :data:`FONT_SIZES`; below 1 the phone rule no longer holds.
    """
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=list(OKABE_ITO),
        rc={"axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False},
    )
    plt.rcParams.update({k: v * font_scale for k, v in FONT_SIZES.items()})
    plt.rcParams["figure.figsize"] = (FIGURE_WIDTH, FIGURE_HEIGHT)


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
        _("No data for {what}").format(what=what),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize="large",
        color=_TEAM_LINE_COLOR,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        _set_title(ax, title)
    return ax


def _set_title(ax: Axes, title: str) -> None:
    """The axes title, each line wrapped to the figure's width (a long Russian subtitle or
    manager name would otherwise run off both edges: a title is not shrunk by the layout).
    """
    size = FontProperties(size=plt.rcParams["axes.titlesize"]).get_size_in_points()
    # an average glyph is about 0.55 em wide (Cyrillic wider); keep a margin
    chars = max(20, int(ax.figure.get_figwidth() * 72 / (size * 0.68)))
    wrap = textwrap.TextWrapper(chars, break_long_words=False, break_on_hyphens=False)
    lines = [w for line in str(title).split("\n") for w in wrap.wrap(line) or [""]]
    ax.set_title("\n".join(lines))


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


def _day_month_year(day) -> str:
    """A day in the current language, short: "5 Jan 2026" / "5 янв. 2026 г."."""
    from babel.dates import format_date

    return format_date(day, "d MMM yyyy", locale="en_US" if language() == "en" else language())


def _period_formatter(monthly: bool) -> FuncFormatter:
    """Tick labels of period starts in the current language ("Oct 2026" / "окт. 2026")."""

    def label(value, _pos) -> str:
        day = mdates.num2date(value).date()
        return month_year(day, short=True) if monthly else _day_month_year(day)

    return FuncFormatter(label)


def _format_period_axis(ax: Axes, wall: pd.Series) -> None:
    """Ticks at the period starts ("Jan 2026" or "05 Jan 2026"), at most about 12 of them."""
    uniq = pd.Series(pd.unique(wall.dropna())).sort_values()
    if uniq.empty:
        return
    monthly = _is_monthly(uniq)
    x = _date_num(uniq)
    step = max(1, math.ceil(len(x) / 12))
    ax.xaxis.set_major_locator(FixedLocator(x[::step]))
    ax.xaxis.set_major_formatter(_period_formatter(monthly))
    ax.xaxis.set_minor_locator(NullLocator())
    pad = (15.0 if monthly else 3.5) * (1 if len(x) > 1 else 3)  # in days
    ax.set_xlim(x[0] - pad, x[-1] + pad)
    ax.set_xlabel(_("Month") if monthly else _("Week (starting Monday)"))
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
            return number(v / 1000, decimals)

        axis.set_major_formatter(FuncFormatter(_thousands))


def _legend(ax: Axes, **kwargs) -> None:
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(**({"frameon": False} | kwargs))


#: A legend whose longest entry is longer than this (characters) gets one column.
_LEGEND_COLUMN_CHARS = 26


def _legend_outside(ax: Axes) -> None:
    """The legend outside the plot area, so it never covers data or a tick.

    Alone in its figure, the axes get a figure legend under everything ("outside lower
    center": constrained layout makes room for it); one axes of several gets its legend
    to the right of the plot area. Entries run in two columns when they are short.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    fig = ax.figure
    ncol = 2 if len(handles) > 1 and max(map(len, labels)) <= _LEGEND_COLUMN_CHARS else 1
    if len(fig.axes) == 1:
        if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
            # a layout engine that cannot be swapped (a colorbar's) is kept
            with contextlib.suppress(RuntimeError):
                fig.set_layout_engine("constrained")
        fig.legend(handles, labels, loc="outside lower center", ncol=ncol, frameon=False)
    else:
        ax.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
            frameon=False,
        )  # fmt: skip


def _add_headroom(ax: Axes, *, rows: int) -> None:
    """Raise the top of the y axis by about ``rows`` lines of small text."""
    bottom, top = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if bottom <= t <= top]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.set_ylim(bottom, top + (top - bottom) * (0.12 * rows + 0.05))
