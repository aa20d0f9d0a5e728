"""The before/after figure of a coach's case study."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from workbench.formatting import capitalized
from workbench.plots._base import MANAGER_COLOR, TARGET_COLOR, TEAM_COLOR

__all__ = ["before_after_plot"]


def before_after_plot(
    data: pd.DataFrame,
    *,
    windows: pd.DataFrame,
    change_dates: pd.DatetimeIndex,
    manager: str,
    what: str,
    unit: str,
    scale: float = 1.0,
    ax: Axes | None = None,
) -> Axes:
    """The manager's metric per month with its interval, the window means with their CIs.

    Dots with bars (mid-month): each month's value and 95 % interval; shaded bands: each
    window's mean and 95 % CI; dashed grey: the other managers' median (anonymous, only with
    3 or more); steps: the KPI target; dotted verticals: the change dates.

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
        Who, what the metric is in words, its unit after ``scale`` (e.g. 100 for %).
    ax
        Axes to draw on; default the current Axes.
    """
    ax = plt.gca() if ax is None else ax
    m = data
    start = m["period"].dt.tz_localize(None)
    end = start + pd.offsets.MonthBegin(1)
    mid = start + (end - start) / 2
    name = manager.replace("$", r"\$")
    ax.plot(mid, m["team_median"] * scale, ls="--", color=TEAM_COLOR, label="Team median (others)")
    if m["target"].notna().any():
        x = pd.concat([start, end.iloc[-1:]], ignore_index=True)
        y = pd.concat([m["target"], m["target"].iloc[-1:]], ignore_index=True) * scale
        ax.step(x, y, where="post", color=TARGET_COLOR, lw=2, label="KPI target")
    lo_edge, hi_edge = start.min(), end.max()
    for i, row in enumerate(windows.itertuples(index=False)):
        a = lo_edge if pd.isna(row.start) else row.start.tz_localize(None)
        b = hi_edge if pd.isna(row.end) else row.end.tz_localize(None)
        label = "Window mean (95% CI)" if i == 0 else None
        band = (row.mean_low * scale, row.mean_high * scale)
        ax.fill_between([a, b], *band, color=MANAGER_COLOR, alpha=0.2, lw=0, label=label)
        ax.hlines(row.mean * scale, a, b, color=MANAGER_COLOR, lw=1.5)
    ax.errorbar(
        mid, m["value"] * scale,
        yerr=[(m["value"] - m["low"]).clip(lower=0) * scale,
              (m["high"] - m["value"]).clip(lower=0) * scale],
        fmt="o", color=MANAGER_COLOR, capsize=3, label=f"{name}, month (95% CI)",
    )  # fmt: skip
    for d in change_dates:
        ax.axvline(d.tz_localize(None), color="black", ls=":", lw=1)
    ax.set_ylabel(f"{what} ({unit})")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{capitalized(what)}: {name}, before and after")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize="small")
    return ax
