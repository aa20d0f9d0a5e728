"""Shared machinery of the unit-level estimators: input checks, windows, the bootstrap.

The estimators in :mod:`workbench.stats.before_after` and :mod:`workbench.stats.peers`
take a table of units (see :mod:`workbench.stats` for the conventions); this module
checks it and sets rows aside, splits time into change-date windows, and draws seeded,
vectorised bootstrap resamples (by unit, or by whole calendar period).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.errors import MissingColumnsError, require_columns
from workbench.metrics.periods import period_start
from workbench.stats.intervals import critical_z

__all__ = [
    "prepare_units",
    "filter_manager",
    "change_date_index",
    "window_codes",
    "window_labels",
    "period_codes",
    "check_options",
    "bootstrap_means",
    "bootstrap_interval",
    "bootstrap_p_value",
    "excludes_zero",
]

# Resamples are drawn in blocks of at most this many indices, to bound memory (~32 MB).
_BLOCK = 8_000_000
_CI_METHODS = ("percentile", "basic", "normal")
_CLUSTERS = (None, "period")


def prepare_units(
    units: pd.DataFrame, value: str, time: str, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Check columns, set aside rows without value or time, return the usable rows."""
    require_columns(units, (value, time, *extra), table="units", tz_aware=(time,))
    times = units[time]
    values = units[value]
    if values.dtype == bool or pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype("float64")
    if not pd.api.types.is_numeric_dtype(values.dtype):
        bad = pd.to_numeric(values, errors="coerce").isna() & values.notna()
        row = units.index[bad.to_numpy()][0] if bad.any() else None
        raise TypeError(f"units: column {value!r} must be numeric (first bad row: {row!r})")
    values = values.astype("float64")
    missing_value = values.isna()
    missing_time = times.isna()
    keep = ~(missing_value | missing_time)
    set_aside = {
        "missing_value": int(missing_value.sum()),
        "missing_time": int((missing_time & ~missing_value).sum()),
    }
    data = pd.DataFrame({"_value": values[keep], "_time": times[keep]})
    for col in extra:
        data[col] = units.loc[keep, col]
    return data, set_aside


def change_date_index(dates, tz) -> pd.DatetimeIndex:
    """Change dates as a sorted, tz-aware index (naive dates are read in ``tz``)."""
    if isinstance(dates, (str, pd.Timestamp)) or not isinstance(dates, Iterable):
        dates = [dates]
    stamps = [pd.Timestamp(d) for d in dates]
    if any(pd.isna(d) for d in stamps):
        raise ValueError(f"change_dates: missing date in {list(dates)!r}")
    stamps = [d.tz_localize(tz) if d.tz is None else d.tz_convert(tz) for d in stamps]
    return pd.DatetimeIndex(stamps).sort_values()


def window_codes(times: pd.Series, edges: pd.DatetimeIndex) -> np.ndarray:
    """Index of the window each time falls in: 0 before the first edge, k after edge k.

    Both sides are compared in nanoseconds, so times finer than the edges' unit (an export
    with sub-microsecond stamps) are placed exactly instead of failing a lossless cast.
    """
    stamps = pd.DatetimeIndex(times).as_unit("ns")
    return np.asarray(edges.as_unit("ns").searchsorted(stamps, side="right"))


def window_labels(k: int) -> list[str]:
    if k == 1:
        return ["before", "after"]
    return ["before"] + [f"step {i}" for i in range(1, k + 1)]


def period_codes(times: pd.Series, period: str) -> np.ndarray:
    """An integer per calendar period (month/week, in the column's tz) of each time.

    The codes grow with time; only which units share a period matters to the bootstrap.
    """
    starts = period_start(times, period=period, tz=times.dt.tz)
    return starts.array.asi8


def bootstrap_means(
    values: np.ndarray, clusters: np.ndarray | None, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """``n_boot`` bootstrap means of ``values``.

    Without clusters, units are resampled with replacement. With clusters (e.g. the month of
    each unit), whole clusters are resampled and the mean is total over count of the drawn
    clusters, so units that share a month move together.
    """
    if len(values) == 0:
        return np.full(n_boot, np.nan)
    if clusters is not None:
        _, inverse = np.unique(clusters, return_inverse=True)
        sums = np.bincount(inverse, weights=values)
        counts = np.bincount(inverse).astype("float64")
        if len(sums) < 2:
            return np.full(n_boot, np.nan)
        values, weights = sums, counts
    else:
        weights = None
    n = len(values)
    out = np.empty(n_boot)
    rows = max(1, _BLOCK // n)
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        idx = rng.integers(0, n, size=(stop - start, n), dtype=np.int32 if n < 2**31 else None)
        if weights is None:
            out[start:stop] = values[idx].mean(axis=1)
        else:
            out[start:stop] = values[idx].sum(axis=1) / weights[idx].sum(axis=1)
    return out


def bootstrap_interval(est: float, boot: np.ndarray, alpha: float, ci: str) -> tuple[float, float]:
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0 or not np.isfinite(est):
        return np.nan, np.nan
    if ci == "normal":
        half = critical_z(alpha) * boot.std(ddof=1)
        return est - half, est + half
    lo, hi = np.quantile(boot, [alpha / 2.0, 1.0 - alpha / 2.0])
    if ci == "basic":
        return 2.0 * est - hi, 2.0 * est - lo
    return float(lo), float(hi)


def bootstrap_p_value(boot: np.ndarray) -> float:
    """Two-sided bootstrap p-value for "change = 0": twice the smaller tail share at 0."""
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0:
        return np.nan
    b = len(boot)
    tail = min((np.sum(boot <= 0) + 1) / (b + 1), (np.sum(boot >= 0) + 1) / (b + 1))
    return float(min(1.0, 2.0 * tail))


def check_options(ci: str, cluster: str | None, n_boot: int) -> None:
    if ci not in _CI_METHODS:
        raise ValueError(f"ci must be one of {_CI_METHODS}, got {ci!r}")
    if cluster not in _CLUSTERS:
        raise ValueError(f"cluster must be None or 'period', got {cluster!r}")
    if n_boot < 100:
        raise ValueError(f"n_boot must be at least 100, got {n_boot}")


def filter_manager(units: pd.DataFrame, manager: str | None) -> pd.DataFrame:
    if manager is None:
        return units
    if "manager" not in units.columns:
        raise MissingColumnsError("units", ["manager"], list(units.columns))
    return units.loc[units["manager"] == manager]


def excludes_zero(low: pd.Series, high: pd.Series) -> pd.Series:
    """Interval excludes zero; NA where there is no interval (e.g. the first window)."""
    sig = pd.Series((low > 0) | (high < 0), dtype="boolean")
    return sig.mask(low.isna() | high.isna())
