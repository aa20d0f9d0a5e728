"""How long one manager's connected calls last, against the rest of the team pooled."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from workbench.plots._base import (
    _TEAM_ALPHA,
    _TEAM_LINE_COLOR,
    MANAGER_COLOR,
    TEAM_COLOR,
    _as_float,
    _get_ax,
    _legend_on_top,
    _no_data,
    _plain,
    _require,
)
from workbench.privacy import MIN_TEAM

__all__ = ["call_length_distribution"]

_NICE_MINUTES = (0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 240)
_KINDS = ("hist", "ecdf")


def _fmt_minutes(minutes: float) -> str:
    return f"{minutes * 60:.0f} s" if minutes < 1 else f"{minutes:.1f} min"


def _ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = np.sort(values)
    return xs, np.arange(1, len(xs) + 1) / len(xs)


def call_length_distribution(
    calls: pd.DataFrame,
    *,
    manager: str,
    duration: str = "duration_s",
    kind: str = "hist",
    label: str = "You",
    min_team: int = MIN_TEAM,
    bins: int = 30,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Distribution of one manager's connected-call lengths vs the rest of the team, pooled.

    A call is connected when ``answered`` is true and its duration is above zero (only the
    duration test when the table has no ``answered`` column; the title says which). Time is
    on a log axis in minutes. The manager's median and 90th percentile are marked with
    vertical lines (their values are in the legend); the team's pooled
    median with a grey dashed line.

    Parameters
    ----------
    calls : pandas.DataFrame
        The calls table of :mod:`workbench.data.schema` (``manager``, ``duration_s``,
        ``answered``), one row per call.
    manager : str
        The focus manager; every other manager's calls are pooled as "rest of team".
    duration : str, default "duration_s"
        Column of talk time in seconds.
    kind : {"hist", "ecdf"}, default "hist"
        Share of calls per log-spaced bin, or the cumulative share (ECDF).
    label : str, default "You"
        How the focus manager is named in the legend and title. Only this manager is ever
        named; the team is anonymous. A manager's own report may pass the manager's name.
    min_team : int, default :data:`workbench.privacy.MIN_TEAM` (3)
        Draw the team only when at least this many other managers have connected calls, so
        that no colleague's calls can be read off the plot.
    bins : int, default 30
        Number of log-spaced bins for ``kind="hist"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` means ``plt.gca()``.
    **kwargs
        Passed to the artist of the manager's distribution (``stairs`` or ``step``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    if kind not in _KINDS:
        raise ValueError(f"call_length_distribution: kind must be one of {_KINDS}, got {kind!r}")
    ax = _get_ax(ax)
    label = _plain(label)
    title = f"Connected-call length: {label} vs rest of team"
    if len(calls) == 0:
        return _no_data(ax, "connected calls", title=title)
    _require(calls, ["manager", duration], "call_length_distribution", "calls")
    seconds = _as_float(calls[duration])
    connected = seconds > 0
    rule = "answered and duration > 0"
    if "answered" in calls.columns:
        connected &= calls["answered"].fillna(False).astype(bool).to_numpy()
    else:
        rule = "duration > 0 (no answered column)"
    is_mine = (calls["manager"] == manager).to_numpy()
    minutes = seconds / 60
    mine = minutes[connected & is_mine]
    team = minutes[connected & ~is_mine]
    team_managers = calls.loc[connected & ~is_mine, "manager"].nunique()
    if len(mine) == 0:
        return _no_data(ax, f"connected calls of {label}", title=title)
    show_team = team_managers >= min_team
    shown = np.concatenate([mine, team]) if show_team else mine

    team_label = f"Rest of team, pooled ({team_managers} managers, {len(team):,} calls)"
    mine_label = f"{label} ({len(mine):,} calls)"
    lo, hi = shown.min(), shown.max()
    if lo == hi:
        lo, hi = lo / 1.5, hi * 1.5
    if kind == "hist":
        edges = np.geomspace(lo, hi, bins + 1)
        if show_team:
            share = np.histogram(team, edges)[0] / len(team)
            ax.stairs(share, edges, fill=True, color=TEAM_COLOR, alpha=_TEAM_ALPHA + 0.1)
            ax.stairs(share, edges, color=TEAM_COLOR, linewidth=1, label=team_label)
        share = np.histogram(mine, edges)[0] / len(mine)
        style = {"color": MANAGER_COLOR, "linewidth": 2, "label": mine_label} | kwargs
        ax.stairs(share, edges, **style)
        ax.set_ylabel("Share of connected calls per bin (%)")
    else:
        if show_team:
            xs, ys = _ecdf(team)
            ax.fill_between(xs, ys, step="post", color=TEAM_COLOR, alpha=_TEAM_ALPHA)
            ax.step(xs, ys, where="post", color=TEAM_COLOR, linewidth=1, label=team_label)
        xs, ys = _ecdf(mine)
        style = {"color": MANAGER_COLOR, "linewidth": 2, "label": mine_label} | kwargs
        ax.step(xs, ys, where="post", **style)
        ax.set_ylabel("Calls at most this long (%)")
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))

    median, p90 = np.quantile(mine, [0.5, 0.9])
    # the values are written in the legend entries of the vertical lines
    marks = [(median, f"{label}: median {_fmt_minutes(median)}", MANAGER_COLOR, "--")]
    marks.append((p90, f"{label}: 90th percentile {_fmt_minutes(p90)}", MANAGER_COLOR, ":"))
    if show_team:
        team_median = np.quantile(team, 0.5)
        text = f"Rest of team: median {_fmt_minutes(team_median)}"
        marks.append((team_median, text, _TEAM_LINE_COLOR, "--"))
    for x, text, color, linestyle in marks:
        ax.axvline(x, color=color, linestyle=linestyle, linewidth=1.5, label=text)

    ax.set_xscale("log")
    ax.set_xlim(lo / 1.1, hi * 1.1)
    ticks = [t for t in _NICE_MINUTES if lo / 1.1 <= t <= hi * 1.1]
    if len(ticks) < 2:
        ticks = sorted({float(f"{t:.2g}") for t in np.geomspace(lo, hi, 4)})
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Call length (minutes, log scale)")
    note = "" if show_team else f"; team not shown: fewer than {min_team} other managers"
    ax.set_title(f"{title}\nconnected calls = {rule}{note}", fontsize="medium")
    _legend_on_top(ax)
    return ax
