"""One row per manager over a window of periods, with rates recomputed from pooled counts.

A window's rate is never the mean of monthly rates: a month with 2 tasks due would weigh as
much as one with 200. Counts are summed over the window's periods first; each rate is then
the same ratio as its per-period definition, over the pooled numerator and denominator: the
``ratio`` and ``scale`` of its :class:`~workbench.metrics.definition.Definition`, read from
the task, call and deal modules' ``DEFINITIONS`` (this module sits below the catalogue).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.i18n import N_
from workbench.metrics.calls import DEFINITIONS as _CALLS
from workbench.metrics.deals import DEFINITIONS as _DEALS
from workbench.metrics.definition import Definition
from workbench.metrics.tasks import DEFINITIONS as _TASKS

__all__ = ["POOLED", "SUMMED_COLUMNS", "window_summary"]

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


DEFINITIONS = (
    Definition(
        "window_figure",
        population=N_("The manager's periods inside the span of months or weeks a page covers"),
        time_anchor=N_("The span a page covers"),
        numerator=N_(
            "Counts are added up over the periods of the span; each share or average is then "
            "recomputed from those totals, the same way as for one period"
        ),
        exclusions=N_("A share or average is empty when its total base is 0"),
        unit=N_("the figure's own unit"),
        description=N_(
            "A figure over several periods is never the average of the periods' figures, so a "
            "quiet month does not weigh as much as a busy one."
        ),
        label=N_("Figure over several periods"),
    ),
    Definition(
        "lead_conversion",
        population=N_("The manager's deals over a span of whole periods"),
        time_anchor=N_(
            "Leads by when they were created, won deals by when they were closed, both within "
            "the span"
        ),
        numerator=N_("Deals won"),
        denominator=N_("Leads taken on (deals created)"),
        exclusions=N_("Nothing"),
        unit=N_("share, in %"),
        description=N_(
            "Deals won for each lead taken on; it equals the deals decided per lead times the "
            "win rate. The leads and the wins of a span are not the same deals, so this is a "
            "rate of the span, not of a group of leads."
        ),
        label=N_("Deals won per lead"),
        kind="rate",
        better="higher",
        ratio=("won", ("leads",)),
    ),
)

#: Every pooled rate, in catalogue order: the metrics modules' definitions with a ratio; a
#: panel without a rate's columns (e.g. deal metrics alone) just lacks that rate.
POOLED: tuple[Definition, ...] = tuple(
    d for d in (*_TASKS, *_CALLS, *_DEALS, *DEFINITIONS) if d.ratio is not None
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
    DataFrame: ``manager``, ``n_periods``, the summed counts, then every rate of
    :data:`POOLED` by its definition's ``ratio`` and ``scale``: ``delinquency_rate``
    (tasks_overdue / tasks_due), ``talk_mean_s`` and ``talk_mean_min`` (talk_time_total_s /
    connected, / 60), ``conversion`` (won / closed), ``avg_deal`` (sales_volume / (won -
    won_no_amount)) and ``lead_conversion`` (won / leads); a rate is NaN when its
    denominator is 0 and missing when the panel lacks its columns (a deal panel alone has
    no delinquency).
    """
    rows = panel
    if start is not None:
        rows = rows.loc[rows["period"] >= start]
    if end is not None:
        rows = rows.loc[rows["period"] < end]
    summed = [c for c in SUMMED_COLUMNS if c in rows.columns]
    out = rows.groupby("manager", sort=True)[summed].sum()
    out.insert(0, "n_periods", rows.groupby("manager", sort=True)["period"].nunique())
    # a manager with no period in the window has summed nothing: zeros, and no rates
    out = out.reindex(sorted(panel["manager"].unique())).fillna(0)
    for rate in POOLED:
        num, den = rate.ratio
        if num in out.columns and all(c in out.columns for c in den):
            d = out[den[0]] - out[den[1]] if len(den) == 2 else out[den[0]]
            out[rate.name] = _ratio(out[num], d) * rate.scale
    return out.reset_index()
