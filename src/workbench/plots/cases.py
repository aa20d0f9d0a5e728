"""The figures of a coach's case study: the before/after series and the call-length histogram."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from workbench.formatting import capitalized
from workbench.i18n import _, month_year, ngettext, number, percent
from workbench.plots._base import MANAGER_COLOR, TARGET_COLOR, TEAM_COLOR

__all__ = ["before_after_plot", "call_length_before_after"]

_BEFORE_COLOR = TEAM_COLOR
_AFTER_COLOR = MANAGER_COLOR


def _name(manager: str, pooled: bool) -> str:
    """The manager's name as a plot shows it literally ("$" never starts mathtext)."""
    return _("the whole team") if pooled else manager.replace("$", r"\$")


def before_after_plot(
    data: pd.DataFrame,
    *,
    windows: pd.DataFrame,
    change_dates: pd.DatetimeIndex,
    manager: str,
    what: str,
    unit: str,
    scale: float = 1.0,
    pooled: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """The manager's metric per month with its interval, the window means with their CIs.

    Dots with bars (mid-month): each month's value and 95 % interval; shaded bands: each
    window's mean and 95 % CI; dashed grey: the other managers' median (anonymous, only with
    3 or more); steps: the KPI target; dotted verticals: the change dates. The legend sits
    under the plot area.

    Parameters
    ----------
    data
        One row per month: ``period``, ``value``, ``low``, ``high``, ``team_median``,
        ``target`` (a case's ``monthly`` table).
    windows
        One row per window: ``start``, ``end``, ``mean``, ``mean_low``, ``mean_high`` (a
        case's ``before_after`` table).
    change_dates
        The KPI's step dates (tz-aware), drawn as dotted verticals.
    manager, what, unit, scale
        Who, what the metric is in words (English, as in
        :data:`workbench.cases.text.METRIC_WORDS`; translated here), its unit after
        ``scale`` (e.g. 100 for %).
    pooled
        The whole team under a department-wide target (``manager`` is ``"*"``).
    ax
        Axes to draw on; default the current Axes.
    """
    ax = plt.gca() if ax is None else ax
    m = data
    start = m["period"].dt.tz_localize(None)
    end = start + pd.offsets.MonthBegin(1)
    mid = start + (end - start) / 2
    name = _name(manager, pooled)
    if m["team_median"].notna().any():
        ax.plot(
            mid,
            m["team_median"] * scale,
            ls="--",
            color=TEAM_COLOR,
            label=_("Team median (others)"),
        )
    if m["target"].notna().any():
        x = pd.concat([start, end.iloc[-1:]], ignore_index=True)
        y = pd.concat([m["target"], m["target"].iloc[-1:]], ignore_index=True) * scale
        ax.step(x, y, where="post", color=TARGET_COLOR, lw=2, label=_("KPI target"))
    lo_edge, hi_edge = start.min(), end.max()
    for i, row in enumerate(windows.itertuples(index=False)):
        if not np.isfinite(row.mean):
            continue
        a = lo_edge if pd.isna(row.start) else row.start.tz_localize(None)
        b = hi_edge if pd.isna(row.end) else row.end.tz_localize(None)
        label = _("Window mean (95% CI)") if i == 0 else None
        band = (row.mean_low * scale, row.mean_high * scale)
        ax.fill_between([a, b], *band, color=MANAGER_COLOR, alpha=0.2, lw=0, label=label)
        ax.hlines(row.mean * scale, a, b, color=MANAGER_COLOR, lw=1.5)
    ax.errorbar(
        mid,
        m["value"] * scale,
        yerr=[
            (m["value"] - m["low"]).clip(lower=0).fillna(0) * scale,
            (m["high"] - m["value"]).clip(lower=0).fillna(0) * scale,
        ],
        fmt="o",
        color=MANAGER_COLOR,
        capsize=3,
        label=_("{name}, month (95% CI)").format(name=name),
    )
    for d in change_dates:
        ax.axvline(d.tz_localize(None), color="black", ls=":", lw=1)
    shown = unit if unit == "%" else _(unit)
    ax.set_ylabel(f"{capitalized(_(what))} ({shown})")
    ax.set_ylim(bottom=0)
    ax.set_title(_("{name}, before and after").format(name=capitalized(name)), loc="left")
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: month_year(mdates.num2date(x).date(), short=True))
    )
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), ncol=1)
    return ax


def call_length_before_after(
    data: pd.DataFrame,
    *,
    change_dates: pd.DatetimeIndex,
    threshold_min: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One manager's connected calls: how long they lasted before the KPI and under it.

    Two distributions, never pooled across periods: the calls before the first KPI date
    and the calls from the last KPI date on (the last step), each as the share of its own
    calls per length band (log-spaced bands, so that 2-minute and 60-minute calls both
    show), with each window's median as a vertical line. A lower mean can come from a few
    very long calls disappearing or from every call getting shorter; the two shapes show
    which. ``threshold_min`` draws the short-call guardrail's threshold.

    Parameters
    ----------
    data
        One row per connected call of the manager: ``started_at`` (tz-aware), ``talk_min``
        (the units of :func:`workbench.cases.connected_call_units`).
    change_dates
        The KPI's step dates: "before" ends at the first, "under the KPI" starts at the last.
    threshold_min
        Minutes below which a call counts as very short (drawn as a dashed line).
    ax
        Axes to draw on; default the current Axes.
    """
    ax = plt.gca() if ax is None else ax
    t, v = data["started_at"], data["talk_min"].astype("float64")
    ok = v > 0
    before = v[ok & (t < change_dates[0])].to_numpy()
    after = v[ok & (t >= change_dates[-1])].to_numpy()
    last = _("Under the last step") if len(change_dates) > 1 else _("Under the KPI")
    if not len(before) and not len(after):
        ax.text(
            0.5,
            0.5,
            _("No connected calls"),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=TEAM_COLOR,
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    both = np.concatenate([before, after])
    edges = np.geomspace(max(both.min(), 0.05), both.max() * 1.0001, 25)
    for values, color, label in (
        (before, _BEFORE_COLOR, _("Before the KPI")),
        (after, _AFTER_COLOR, last),
    ):
        if not len(values):
            continue
        weights = np.full(len(values), 1.0 / len(values))
        calls = ngettext("{n} call", "{n} calls", len(values)).format(n=number(len(values)))
        median = float(np.median(values))
        ax.hist(values, bins=edges, weights=weights, histtype="stepfilled", alpha=0.25, color=color)
        ax.hist(
            values,
            bins=edges,
            weights=weights,
            histtype="step",
            lw=2,
            color=color,
            label=_("{label} ({calls}; median {median} min)").format(
                label=label, calls=calls, median=number(median, 1)
            ),
        )
        ax.axvline(median, color=color, lw=1.5)
    if threshold_min is not None and np.isfinite(threshold_min):
        ax.axvline(
            threshold_min,
            color=TARGET_COLOR,
            ls="--",
            lw=1.5,
            label=_("Short: under {m} min").format(m=number(threshold_min, 1)),
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: number(x, 0 if x >= 1 else 1)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: percent(y)))
    ax.set_xlabel(_("Call length (min, log scale)"))
    ax.set_ylabel(_("Share of the window's calls"))
    ax.set_title(_("Call length before and under the KPI"), loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=1)
    return ax
