"""The manager panel: task, call and deal metrics side by side, one row per manager x period.

The three metric tables are computed on one common grid (the same managers, the same
periods, the same ``as_of``) so that they join one-to-one: a manager with calls but no
tasks still gets task rows, with zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.metrics.calls import call_metrics
from workbench.metrics.deals import deal_metrics
from workbench.metrics.grid import NEVER, instants_ns
from workbench.metrics.periods import to_instant
from workbench.metrics.tasks import task_metrics

__all__ = ["data_end", "manager_panel"]


def _latest(*series: pd.Series) -> pd.Timestamp | None:
    """Latest instant over the series (NaT ignored), or None when all are empty."""
    values = [v[v != NEVER] for v in (instants_ns(s) for s in series)]
    values = np.concatenate(values) if values else np.array([], np.int64)
    return pd.Timestamp(int(values.max()), tz="UTC") if len(values) else None


def _earliest(*series: pd.Series) -> pd.Timestamp | None:
    values = [v[v != NEVER] for v in (instants_ns(s) for s in series)]
    values = np.concatenate(values) if values else np.array([], np.int64)
    return pd.Timestamp(int(values.min()), tz="UTC") if len(values) else None


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else df["created_at"].iloc[:0]


def _events(tasks: pd.DataFrame, calls: pd.DataFrame, deals: pd.DataFrame) -> tuple:
    return (
        _col(tasks, "created_at"),
        _col(tasks, "completed_at"),
        _col(calls, "started_at"),
        _col(deals, "created_at"),
        _col(deals, "closed_at"),
    )


def data_end(tasks: pd.DataFrame, calls: pd.DataFrame, deals: pd.DataFrame) -> pd.Timestamp | None:
    """The default "as of": the latest event (task created or completed, call started, deal
    created or closed) over the three tables, in UTC; None when there is no event at all.

    The panel, the manager report and the report runner all default to this instant, so a
    month's figures agree wherever they are shown.
    """
    return _latest(*_events(tasks, calls, deals))


def manager_panel(
    tasks: pd.DataFrame,
    calls: pd.DataFrame,
    deals: pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    as_of=None,
    start=None,
    end=None,
    managers: Sequence[str] | None = None,
    conversation_s: float = 60,
    long_call_s: float = 1200,
) -> pd.DataFrame:
    """All task, call and deal metrics, one row per manager x period.

    Parameters
    ----------
    tasks, calls, deals : canonical tables (see :mod:`workbench.data.schema`).
    period, tz : period kind (``"week"`` / ``"month"``) and business time zone.
    as_of : "now" for tasks and deals; default = the latest event over the three tables.
    start, end : first and last period; default = the span of the three tables' events.
    managers : managers that get rows even with no activity (added to those in the data).
    conversation_s, long_call_s : thresholds passed to :func:`call_metrics`.

    Returns
    -------
    DataFrame: ``manager``, ``period``, then the task, call and deal metric columns.
    """
    events_end = _events(tasks, calls, deals)
    as_of_ts = to_instant(as_of, tz=tz) if as_of is not None else _latest(*events_end)
    start = start if start is not None else _earliest(*events_end)
    end = end if end is not None else as_of_ts
    names = set(managers or ())
    for df in (tasks, calls, deals):
        names.update(df["manager"].dropna().astype(str).unique().tolist())
    common = dict(period=period, tz=tz, start=start, end=end, managers=sorted(names))
    if as_of_ts is None:  # no data at all: one empty frame per kind, same grid
        as_of_ts = to_instant(end, tz=tz) if end is not None else None
    t = task_metrics(tasks, as_of=as_of_ts, **common)
    c = call_metrics(calls, conversation_s=conversation_s, long_call_s=long_call_s, **common)
    d = deal_metrics(deals, as_of=as_of_ts, **common)
    keys = ["manager", "period"]
    return t.merge(c, on=keys, how="outer", validate="1:1").merge(
        d, on=keys, how="outer", validate="1:1"
    )
