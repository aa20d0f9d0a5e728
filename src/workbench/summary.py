"""One row per manager over a window of periods, with rates recomputed from pooled counts.

A window's rate is never the mean of monthly rates: a month with 2 tasks due would weigh as
much as one with 200. Counts are summed over the window's periods first; each rate is then
the same ratio as its per-period definition (see :func:`workbench.definitions.definitions`),
over the pooled numerator and denominator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["window_summary", "SUMMED_COLUMNS"]

SUMMED_COLUMNS = (
    "tasks_new",
    "tasks_completed",
    "tasks_due",
    "tasks_overdue",
    "tasks_overdue_late",
    "tasks_overdue_open",
    "tasks_no_deadline",
    "tasks_postponed",
    "dials",
    "connected",
    "conversations",
    "missed_inbound",
    "talk_time_total_s",
    "leads",
    "won",
    "lost",
    "closed",
    "sales_volume",
    "won_no_amount",
)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num, den = num.astype("float64"), den.astype("float64")
    return (num / den).where(den > 0, np.nan)


def window_summary(
    panel: pd.DataFrame, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Per manager: counts summed over periods in ``[start, end)`` and rates from the sums.

    Parameters
    ----------
    panel : pandas.DataFrame
        The manager panel (:func:`workbench.manager_panel`).
    start, end : Timestamp, optional
        Keep periods with ``start <= period < end``; default all.

    Returns
    -------
    DataFrame: ``manager``, ``n_periods``, the summed counts, then ``delinquency_rate``
    (tasks_overdue / tasks_due), ``talk_mean_min`` (talk_time_total_s / connected / 60),
    ``conversion`` (won / closed), ``lead_conversion`` (won / leads) and ``avg_deal``
    (sales_volume / (won - won_no_amount)); a rate is NaN when its denominator is 0.
    """
    rows = panel
    if start is not None:
        rows = rows.loc[rows["period"] >= start]
    if end is not None:
        rows = rows.loc[rows["period"] < end]
    summed = [c for c in SUMMED_COLUMNS if c in rows.columns]
    out = rows.groupby("manager", sort=True)[summed].sum()
    out.insert(0, "n_periods", rows.groupby("manager", sort=True)["period"].nunique())
    out = out.reindex(sorted(panel["manager"].unique())).fillna({"n_periods": 0})
    out["delinquency_rate"] = _ratio(out["tasks_overdue"], out["tasks_due"])
    out["talk_mean_min"] = _ratio(out["talk_time_total_s"], out["connected"]) / 60
    out["conversion"] = _ratio(out["won"], out["closed"])
    out["lead_conversion"] = _ratio(out["won"], out["leads"])
    out["avg_deal"] = _ratio(out["sales_volume"], out["won"] - out["won_no_amount"])
    return out.reset_index()
