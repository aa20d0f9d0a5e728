"""The manager x period grid every metric fills, and the numeric helpers it shares.

:class:`PeriodGrid` is the shared machinery of the metric modules: one cell per
(manager, period), counted and summed with ``numpy.bincount`` so that 5 million rows take
a fraction of a second, and a vectorised per-cell quantile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.metrics.periods import (
    NAT_CODE,
    check_period,
    period_code,
    period_codes,
    starts_from_codes,
    to_instant,
)

__all__ = ["NEVER", "PeriodGrid", "instants_ns", "make_grid", "safe_ratio"]

NEVER = np.iinfo(np.int64).max  # an instant after every other: NaT read as "never"


def _sorted_within_cells(c: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``v`` ordered by (cell, value), as ``v[np.lexsort((v, c))]`` but several times faster.

    Whole non-negative values below 2**31 (talk time in seconds) pack with the cell into one
    int64 key; other values are ranked first and the rank is packed instead.
    """
    n = len(v)
    if n and v.min() >= 0 and v.max() < 2**31 and np.array_equal(v, np.floor(v)):
        key = np.sort((c << 31) | v.astype(np.int64))
        return (key & (2**31 - 1)).astype(np.float64)
    by_value = np.argsort(v)
    rank = np.empty(n, dtype=np.int64)
    rank[by_value] = np.arange(n)
    key = np.sort(c * max(n, 1) + rank)
    return v[by_value][key % max(n, 1)]


@dataclass(frozen=True)
class PeriodGrid:
    """The (manager, period) cells of a metric table and helpers to fill them.

    Cell index = manager position * number of periods + (period ordinal - ``first``).
    """

    managers: tuple[str, ...]
    period: str
    tz: str
    first: int
    last: int

    @property
    def n_periods(self) -> int:
        return max(self.last - self.first + 1, 0)

    @property
    def size(self) -> int:
        return len(self.managers) * self.n_periods

    def starts(self) -> pd.DatetimeIndex:
        """Start instant of each period of the grid."""
        return starts_from_codes(np.arange(self.first, self.last + 1), self.period, self.tz)

    def ends(self) -> pd.DatetimeIndex:
        """End instant (exclusive: the next period's start) of each period of the grid."""
        return starts_from_codes(np.arange(self.first + 1, self.last + 2), self.period, self.tz)

    def manager_index(self, manager: pd.Series) -> np.ndarray:
        """Position of each row's manager in ``managers`` (-1 if absent)."""
        codes, uniques = pd.factorize(manager)  # missing -> -1; far faster than Categorical
        pos = np.append(pd.Index(list(self.managers)).get_indexer(uniques), -1)
        return pos[codes].astype(np.int64)

    def cells(self, manager_idx: np.ndarray, ts: pd.Series, name: str = "timestamp"):
        """Cell of each row bucketed by ``ts``; -1 where NaT, outside the range or no manager."""
        codes = period_codes(ts, self.period, self.tz, name)
        inside = (codes >= self.first) & (codes <= self.last) & (manager_idx >= 0)
        return np.where(inside, manager_idx * self.n_periods + (codes - self.first), -1)

    def count(self, cells: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Number of rows per cell (rows with ``mask`` False or cell -1 left out)."""
        keep = cells >= 0 if mask is None else (cells >= 0) & mask
        return np.bincount(cells[keep], minlength=self.size).astype(np.int64)

    def sum(self, cells: np.ndarray, values: np.ndarray, mask: np.ndarray | None = None):
        """Sum of ``values`` per cell (float)."""
        keep = cells >= 0 if mask is None else (cells >= 0) & mask
        return np.bincount(cells[keep], weights=values[keep], minlength=self.size)

    def quantiles(
        self, cells: np.ndarray, values: np.ndarray, qs: Sequence[float], mask=None
    ) -> list[np.ndarray]:
        """Per-cell quantiles with linear interpolation (as ``Series.quantile``); NaN if empty.

        One sort of (cell, value) pairs serves every quantile.
        """
        keep = (cells >= 0) & ~np.isnan(values)
        if mask is not None:
            keep &= mask
        c, v = cells[keep], values[keep]
        v = _sorted_within_cells(c, v)
        n = np.bincount(c, minlength=self.size)
        offset = np.concatenate(([0], np.cumsum(n)[:-1]))
        out = []
        for q in qs:
            res = np.full(self.size, np.nan)
            has = n > 0
            pos = q * (n[has] - 1)
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, n[has] - 1)
            frac = pos - lo
            base = offset[has]
            vlo, vhi = v[base + lo], v[base + hi]
            res[has] = vlo + (vhi - vlo) * frac
            out.append(res)
        return out

    def frame(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        """The metric table: ``manager``, ``period``, then ``columns`` (one value per cell)."""
        managers = np.repeat(np.array(self.managers, dtype=object), self.n_periods)
        periods = self.starts().take(np.tile(np.arange(self.n_periods), len(self.managers)))
        data = {"manager": pd.array(managers, dtype="str"), "period": periods}
        data.update(columns)
        return pd.DataFrame(data, index=pd.RangeIndex(self.size))


def make_grid(
    data_managers: Iterable[pd.Series],
    data_times: Iterable[pd.Series],
    *,
    period: str,
    tz: str,
    start=None,
    end=None,
    managers: Sequence[str] | None = None,
) -> PeriodGrid:
    """Build the grid: every manager in the data or in ``managers``, every period in range.

    The range is [period of ``start``, period of ``end``]; a missing bound comes from the
    earliest / latest of ``data_times``. No bound and no data give an empty range.
    """
    check_period(period)
    names: set[str] = set(managers or ())
    for m in data_managers:
        names.update(m.dropna().astype(str).unique().tolist())
    lo_hi = [
        period_codes(t, period, tz) for t in data_times if len(t) and t.notna().any()
    ]  # NaT-only columns are skipped
    codes = np.concatenate([c[c != NAT_CODE] for c in lo_hi]) if lo_hi else np.array([], np.int64)
    first = period_code(to_instant(start, tz=tz), period, tz) if start is not None else None
    last = period_code(to_instant(end, tz=tz), period, tz) if end is not None else None
    if len(codes):
        first = int(codes.min()) if first is None else first
        last = int(codes.max()) if last is None else last
    elif first is None and last is None:  # no data, no bounds: an empty range
        first, last = 0, -1
    else:  # no data, one bound: a one-period range
        first = last if first is None else first
        last = first if last is None else last
    return PeriodGrid(tuple(sorted(names)), period, tz, first, last)


def instants_ns(ts: pd.Series, *, nat: int = NEVER) -> np.ndarray:
    """Instants as int64 nanoseconds since the epoch (UTC); NaT becomes ``nat``.

    The default (the largest int64) reads NaT as "never": a task never completed is
    completed after every snapshot, one with no deadline is never due.
    """
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise TypeError(f"column {ts.name!r} must hold tz-aware timestamps, got {ts.dtype}")
    out = ts.dt.as_unit("ns").array.asi8.copy()
    out[ts.isna().to_numpy()] = nat
    return out


def safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` as float, NaN where ``den == 0`` (a rate of nothing is empty, not 0)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out
