"""When a case's KPI applied, and whom to compare with: dates, whole periods, controls.

Change dates come as ``"2026-04-01,2026-07-01"``, a list, or ``""`` (the dates of the
targets table). Per-period figures count whole periods of the data only, and the control
group is the colleagues with no target on the case's metric while it was in force.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.metrics.periods import period_end, to_instant

__all__ = [
    "parse_change_dates",
    "case_dates",
    "untreated_colleagues",
    "whole_periods",
    "data_span",
]

_QUIET_DAYS = 3  # an export covers this long past its first / latest event (a weekend)


def parse_change_dates(change_dates, *, tz: str = "UTC") -> pd.DatetimeIndex:
    """Step dates from ``"2026-04-01,2026-07-01"`` or a list; naive dates are read in ``tz``."""
    if isinstance(change_dates, str):
        change_dates = [d.strip() for d in change_dates.split(",") if d.strip()]
    stamps = [to_instant(d, tz=tz) for d in change_dates]
    if not stamps or any(s is None for s in stamps):
        raise ValueError(f"change_dates: give at least one ISO date, got {change_dates!r}")
    return pd.DatetimeIndex(stamps).sort_values()


def case_dates(change_dates, targets, *, metric: str, manager: str, tz: str):
    """The given dates, or with ``""`` the ``effective_from`` of the manager's target rows
    for ``metric`` (the ``*`` rows when the manager has none of his own)."""
    if not (isinstance(change_dates, str) and change_dates.strip() == ""):
        return parse_change_dates(change_dates, tz=tz)
    rows = pd.DataFrame() if targets is None else targets.loc[targets["metric"] == metric]
    own = rows.loc[rows["manager"] == manager] if len(rows) else rows
    rows = own if len(own) else rows.loc[rows["manager"] == "*"] if len(rows) else rows
    if rows.empty:
        raise ValueError(
            f"change_dates is empty and the targets table has no {metric!r} row for "
            f"{manager!r} or '*': give the KPI dates"
        )
    return parse_change_dates(list(rows["effective_from"].drop_duplicates()), tz=tz)


def untreated_colleagues(
    targets: pd.DataFrame | None,
    *,
    metric: str,
    manager: str,
    managers,
    start,
    end,
) -> list[str]:
    """Colleagues of ``manager`` with no target on ``metric`` in force during ``[start, end]``.

    A target row is in force at instants ``effective_from <= t < effective_to`` (NaT: open
    ended); a ``*`` row in force then treats everyone, so the list is empty. Without a
    targets table nobody is known to have a target: every colleague is returned.

    Parameters
    ----------
    managers : the managers of the data (the manager himself is left out of the result).
    start, end : tz-aware instants; the case passes the first KPI date and the data end.
    """
    others = sorted({str(m) for m in managers} - {manager})
    if targets is None or targets.empty:
        return others
    rows = targets.loc[targets["metric"] == metric]
    open_end = rows["effective_to"].isna() | (rows["effective_to"] > start)
    rows = rows.loc[(rows["effective_from"] <= end) & open_end]
    if (rows["manager"] == "*").any():
        return []
    return [m for m in others if m not in set(rows["manager"])]


def whole_periods(
    periods: pd.Series, *, data_start=None, data_end=None, period: str = "month", tz: str = "UTC"
) -> np.ndarray:
    """Whether each period (its start) lies wholly within the data: ``data_start <= start``
    and ``end <= data_end`` (``None``: no bound on that side)."""
    starts = pd.Series(periods).reset_index(drop=True)
    ends = period_end(starts, period=period, tz=tz)
    whole = np.ones(len(starts), dtype=bool)
    if data_start is not None:
        whole &= (starts >= data_start).to_numpy(dtype=bool)
    if data_end is not None:
        whole &= (ends <= data_end).to_numpy(dtype=bool)
    return whole


def data_span(events: list[pd.Series], as_of, tz: str) -> tuple:
    """``(start, end)`` taken as covered: ``_QUIET_DAYS`` around the first and latest events
    (a weekend without activity does not cut a month off); an explicit ``as_of`` is the end."""
    stamps = pd.concat([e.dropna() for e in events if len(e)], ignore_index=True)
    if stamps.empty:
        return None, None
    quiet = pd.Timedelta(days=_QUIET_DAYS)
    start = stamps.min().tz_convert(tz) - quiet
    given = to_instant(as_of if as_of != "" else None, tz=tz)
    end = given if given is not None else stamps.max().tz_convert(tz) + quiet
    return start, end
