"""How long one manager's connected calls last, against the colleagues' calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from workbench.formatting import figure_with_unit
from workbench.i18n import _, ngettext, number
from workbench.plots._base import (
    _TEAM_ALPHA,
    _TEAM_LINE_COLOR,
    MANAGER_COLOR,
    TEAM_COLOR,
    _as_float,
    _get_ax,
    _legend_outside,
    _no_data,
    _plain,
    _require,
    _set_title,
)
from workbench.privacy import MIN_TEAM

__all__ = ["call_length_distribution"]

_NICE_MINUTES = (0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 240)
_KINDS = ("hist", "ecdf")


def _minutes(value: float) -> str:
    """Minutes as the report writes them ("10.7 min", "10,7 мин")."""
    return figure_with_unit("talk_mean_min", value)


def _ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = np.sort(values)
    return xs, np.arange(1, len(xs) + 1) / len(xs)


def call_length_distribution(
    calls: pd.DataFrame,
    *,
    manager: str,
    duration: str = "duration_s",
    kind: str = "hist",
    label: str | None = None,
    min_team: int = MIN_TEAM,
    bins: int = 30,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Distribution of one manager's connected-call lengths vs the colleagues' calls.

    A call is connected when ``answered`` is true and its duration is above zero (only the
    duration test when the table has no ``answered`` column; the title says which). Time is
    on a log axis in minutes. Two vertical lines mark the figures the report compares: the
    manager's mean call and the team figure, the median of the colleagues' own mean calls
    (the same team figure as every table of the report); their values are in the legend.
    The grey distribution is every colleague's calls together, its shape only.

    Parameters
    ----------
    calls : pandas.DataFrame
        The calls table of :mod:`workbench.data.schema` (``manager``, ``duration_s``,
        ``answered``), one row per call.
    manager : str
        The focus manager; every other manager's calls are drawn together as the team.
    duration : str, default "duration_s"
        Column of talk time in seconds.
    kind : {"hist", "ecdf"}, default "hist"
        Share of calls per log-spaced bin, or the cumulative share (ECDF).
    label : str, optional
        How the focus manager is named in the legend and title; default "You" in the
        current language. Only this manager is ever named; the team is anonymous.
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
    label = _plain(_("You") if label is None else label)
    title = _("Call length: {label} and the team").format(label=label)
    if len(calls) == 0:
        return _no_data(ax, _("connected calls"), title=title)
    _require(calls, ["manager", duration], "call_length_distribution", "calls")
    seconds = _as_float(calls[duration])
    connected = seconds > 0
    rule = _("connected calls: answered, talk time above zero")
    if "answered" in calls.columns:
        connected &= calls["answered"].fillna(False).astype(bool).to_numpy()
    else:
        rule = _("connected calls: talk time above zero (the data says nothing of answered)")
    is_mine = (calls["manager"] == manager).to_numpy()
    minutes = seconds / 60
    mine = minutes[connected & is_mine]
    team = minutes[connected & ~is_mine]
    team_of = calls["manager"].to_numpy()[connected & ~is_mine]
    team_managers = len(set(team_of))
    if len(mine) == 0:
        return _no_data(ax, _("connected calls of {label}").format(label=label), title=title)
    show_team = team_managers >= min_team
    shown = np.concatenate([mine, team]) if show_team else mine

    how_many = ngettext("{n} call", "{n} calls", len(team)).format(n=number(len(team)))
    whose = ngettext("{n} colleague", "{n} colleagues", team_managers).format(n=team_managers)
    team_label = _("Colleagues' calls ({calls}, {colleagues})").format(
        calls=how_many, colleagues=whose
    )
    own_calls = ngettext("{n} call", "{n} calls", len(mine)).format(n=number(len(mine)))
    mine_label = _("{label} ({calls})").format(label=label, calls=own_calls)
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
        ax.set_ylabel(_("Share of the calls (%)"))
    else:
        if show_team:
            xs, ys = _ecdf(team)
            ax.fill_between(xs, ys, step="post", color=TEAM_COLOR, alpha=_TEAM_ALPHA)
            ax.step(xs, ys, where="post", color=TEAM_COLOR, linewidth=1, label=team_label)
        xs, ys = _ecdf(mine)
        style = {"color": MANAGER_COLOR, "linewidth": 2, "label": mine_label} | kwargs
        ax.step(xs, ys, where="post", **style)
        ax.set_ylabel(_("Calls at most this long (%)"))
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))

    # the values are written in the legend entries of the vertical lines
    mean = float(mine.mean())
    marks = [(mean, _("{label}: mean {value}").format(label=label, value=_minutes(mean)),
              MANAGER_COLOR)]  # fmt: skip
    if show_team:
        team_figure = float(np.median(pd.Series(team).groupby(team_of).mean()))
        text = _("Team: median of colleagues' means {value}").format(value=_minutes(team_figure))
        marks.append((team_figure, text, _TEAM_LINE_COLOR))
    for x, text, color in marks:
        ax.axvline(x, color=color, linestyle="--", linewidth=1.5, label=text)

    ax.set_xscale("log")
    ax.set_xlim(lo / 1.1, hi * 1.1)
    ticks = [t for t in _NICE_MINUTES if lo / 1.1 <= t <= hi * 1.1]
    if len(ticks) < 2:
        ticks = sorted({float(f"{t:.2g}") for t in np.geomspace(lo, hi, 4)})
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, 0 if v >= 1 else 2)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(_("Call length (min, log scale)"))
    if not show_team:
        rule += "\n" + ngettext(
            "team not shown: fewer than {n} other manager",
            "team not shown: fewer than {n} other managers",
            min_team,
        ).format(n=min_team)
    _set_title(ax, f"{title}\n{rule}")
    _legend_outside(ax)
    return ax
