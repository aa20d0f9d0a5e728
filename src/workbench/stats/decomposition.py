"""Split a change in sales volume into leads, conversion and deal size.

Over a window, sales volume factorises exactly as::

    sales_volume = leads x (won / leads) x (sales_volume / won)
                 = leads x lead_conversion x volume_per_won

so the ratio after/before of sales is the product of the three component ratios, and
their logarithms add up. ``lead_conversion`` (won / leads) is the window's deals won per
lead taken on; it is not a cohort rate (won deals are counted when closed, leads when
created), but over windows longer than the sales cycle it approaches one. It relates to
the panel's ``conversion`` (won / closed, the win rate of decided deals) by::

    won / leads = (closed / leads) x (won / closed) = close_rate x win_rate

so "conversion unchanged" means ``win_rate`` did not move and any change in
``lead_conversion`` came from ``close_rate`` (``split_conversion=True`` shows both).
``volume_per_won`` counts won deals without an amount as 0; it equals the panel's
``avg_deal`` when every won deal has an amount.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.i18n import N_
from workbench.metrics.definition import Definition, from_rows
from workbench.metrics.window import window_summary

__all__ = ["COUNT_COLUMNS", "decompose_sales_change", "window_totals"]

COUNT_COLUMNS = ("leads", "won", "lost", "closed", "sales_volume", "won_no_amount")

# The words a manager reads (translated where shown; docs/metrics.md maps them to columns).
_POP = N_("A manager's (or the team's) deals over the span before and the span after a change")
_WINDOW = N_("A manager's deals over the span before or the span after a change (in whole months)")
_FACTOR = N_(
    "One factor of the split of a sales change: leads, deals won per lead, or sales volume "
    "per deal won"
)
_SPANS = N_("The span before and the span after the change")
_CLOSED = N_("Deals closed (won plus lost)")
_FACTORS = [
    ("close_rate", _WINDOW, N_("Leads by when they were created, closed deals by when they "
     "were closed, within the span"), _CLOSED, N_("Leads taken on (deals created)"),
     N_("Open deals; empty when there are no leads"),
     N_("share, in % (above 100% when older leads close in the span)"),
     N_("Deals decided per lead taken on; deals won per lead = deals decided per lead x win "
        "rate.")),
    ("win_rate", _WINDOW, N_("When the deal was closed"), N_("Deals won"), _CLOSED,
     N_("Open deals; empty when no deal was closed"), N_("share, in %"),
     N_("Share of the deals decided in the span that were won: the conversion over the "
        "whole span.")),
]  # fmt: skip

DEFINITIONS = (
    Definition(
        "volume_per_won",
        population=_POP,
        time_anchor=N_("When the deal was closed"),
        numerator=N_("Sales volume (total amount of the deals won)"),
        denominator=N_("Deals won, including won deals without an amount"),
        exclusions=N_("Nothing"),
        unit=N_("money (in the currency of the data)"),
        description=N_(
            "The average won deal such that sales volume = leads x deals won per lead x sales "
            "volume per deal won."
        ),
        label=N_("Sales volume per deal won"),
        kind="money",
        better="higher",
        ratio=("sales_volume", ("won",)),
    ),
    Definition(
        "log_share",
        population=_FACTOR,
        time_anchor=_SPANS,
        numerator=N_("The natural logarithm of the factor's after / before ratio"),
        denominator=N_("The natural logarithm of the sales volume's after / before ratio"),
        exclusions=N_("Empty when sales did not change or a ratio cannot be computed (a zero)"),
        unit=N_("share (the factors add up to 100%)"),
        description=N_("How much of the change in sales is due to the factor."),
        label=N_("Share of the sales change"),
    ),
    Definition(
        "contribution_pp",
        population=_FACTOR,
        time_anchor=_SPANS,
        numerator=N_(
            "The change in sales volume in percent, times the factor's share of the sales "
            "change (when sales did not change: 100 times the natural logarithm of the "
            "factor's after / before ratio)"
        ),
        exclusions=N_("Empty when a ratio cannot be computed (a zero)"),
        unit=N_("percentage points"),
        description=N_(
            "Percentage points of the sales change due to the factor; the factors add up to "
            "the whole change in percent."
        ),
        label=N_("Contribution to the sales change"),
    ),
)

# lead_conversion itself is a window rate: see workbench.metrics.window.
DEFINITIONS += from_rows(
    _FACTORS,
    {"close_rate": (N_("Deals decided per lead"), "rate", None),
     "win_rate": (N_("Win rate (won / closed)"), "rate", "higher")},
    {"close_rate": (("closed", ("leads",)), 1.0), "win_rate": (("won", ("closed",)), 1.0)},
)  # fmt: skip


def _to_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _components(totals: Mapping | pd.Series, split: bool, which: str) -> dict[str, float]:
    needed = ["leads", "won", "sales_volume", *(["closed"] if split else [])]
    missing = [k for k in needed if k not in totals]
    if missing:
        raise KeyError(f"{which} lacks {missing}; it needs {needed}")
    v = {k: _to_float(totals[k]) for k in needed}
    negative = [k for k, x in v.items() if x < 0]
    if negative:
        raise ValueError(f"{which} has negative {negative}: {[v[k] for k in negative]}")

    def ratio(num: float, den: float) -> float:
        return num / den if den > 0 else float("nan")

    out = {"leads": v["leads"]}
    if split:
        out["close_rate"] = ratio(v["closed"], v["leads"])
        out["win_rate"] = ratio(v["won"], v["closed"])
    else:
        out["lead_conversion"] = ratio(v["won"], v["leads"])
    out["volume_per_won"] = ratio(v["sales_volume"], v["won"])
    out["sales_volume"] = v["sales_volume"]
    return out


def decompose_sales_change(
    before: Mapping | pd.Series,
    after: Mapping | pd.Series,
    *,
    split_conversion: bool = False,
) -> pd.DataFrame:
    """Decompose the change in sales volume between two windows into its factors.

    Parameters
    ----------
    before, after : mapping or Series
        Window totals with ``leads``, ``won``, ``sales_volume`` (and ``closed`` when
        ``split_conversion``), e.g. from :func:`window_totals`. Use totals of windows of
        equal length, or per-period averages (``window_totals(..., per_period=True)``).
    split_conversion : bool
        Show ``lead_conversion`` as ``close_rate`` (closed / leads) x ``win_rate``
        (won / closed).

    Returns
    -------
    DataFrame
        One row per component (``leads``, ``lead_conversion`` or ``close_rate`` and
        ``win_rate``, ``volume_per_won``) and a last row ``sales_volume`` (the total), with
        ``before``, ``after``, ``ratio`` (after / before; NaN when before is 0),
        ``pct_change``, ``log_change_pp`` (100 x ln ratio; components add up to the total's),
        ``log_share`` (component's ln ratio / total's; add up to 1; NaN when sales are
        unchanged) and ``contribution_pp`` (percent points of the sales change; add up to
        the total's 100 x pct_change). Undefined ratios (a zero before) give NaN, not an
        error.
    """
    b = _components(before, split_conversion, "before")
    a = _components(after, split_conversion, "after")
    out = pd.DataFrame(
        {"component": list(b), "before": list(b.values()), "after": list(a.values())}
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (out["after"] / out["before"]).where(out["before"] > 0)
        log_ratio = np.log(ratio.where(ratio > 0))
    total_ratio = ratio.iloc[-1]
    total_log = log_ratio.iloc[-1]
    # log-mean weight: pct change per unit of log change (1 when sales are unchanged)
    weight = (total_ratio - 1) / total_log if total_log != 0 else 1.0
    out["ratio"] = ratio
    out["pct_change"] = ratio - 1
    out["log_change_pp"] = 100 * log_ratio
    out["log_share"] = log_ratio / total_log if total_log != 0 else np.nan
    out["contribution_pp"] = 100 * log_ratio * weight
    return out


def window_totals(
    deal_panel: pd.DataFrame,
    manager: str,
    start,
    end,
    *,
    per_period: bool = False,
) -> pd.Series:
    """Sum a manager's deal counts and volume over the periods ``start <= period < end``.

    Counts and volume are summed and ratios recomputed from the sums (a mean of monthly
    rates would weight a quiet month like a busy one).

    Parameters
    ----------
    deal_panel : DataFrame
        Deal metrics per manager x period (``workbench.metrics.deals``).
    manager : str
        Manager to sum.
    start, end : str or Timestamp
        Window of period starts, ``end`` exclusive; naive values are read in the panel's
        time zone.
    per_period : bool
        Divide the sums by ``n_periods`` (leads per month, ...), so that windows of
        different lengths compare; ratios are unchanged.

    Returns
    -------
    Series
        The sums of those of ``leads``, ``won``, ``lost``, ``closed``, ``sales_volume``,
        ``won_no_amount`` the panel has, ``n_periods`` (distinct periods of the whole panel
        in the window), and ``conversion`` (won / closed), ``lead_conversion``
        (won / leads), ``volume_per_won`` (sales_volume / won), NaN on a zero denominator.
    """
    require_columns(deal_panel, ("manager", "period"), table="deal_panel")
    if not (deal_panel["manager"] == manager).any():
        raise KeyError(f"manager {manager!r} is not in the deal panel")
    periods = deal_panel["period"]
    tz = periods.dt.tz
    bounds = []
    for value in (start, end):
        ts = pd.Timestamp(value)
        bounds.append(ts.tz_localize(tz) if ts.tzinfo is None and tz is not None else ts)
    if bounds[1] <= bounds[0]:
        raise ValueError(f"window end {end!r} is not after start {start!r}")
    n_periods = periods[(periods >= bounds[0]) & (periods < bounds[1])].nunique()
    mine = deal_panel.loc[deal_panel["manager"] == manager]
    totals = window_summary(mine, start=bounds[0], end=bounds[1]).iloc[0]
    cols = [c for c in COUNT_COLUMNS if c in deal_panel.columns]
    sums = totals[cols].astype("float64")
    if per_period:
        sums = sums / n_periods if n_periods else sums * np.nan
    out = sums.copy()
    out["n_periods"] = float(n_periods)
    for rate in ("conversion", "lead_conversion"):
        out[rate] = float(totals[rate]) if rate in totals else float("nan")
    # unlike avg_deal, won deals without an amount count here (as 0): see volume_per_won
    won = totals.get("won", 0)
    out["volume_per_won"] = float(totals["sales_volume"] / won) if won > 0 else float("nan")
    out.name = manager
    return out
