"""Statistics for before/after case studies: intervals, bootstrap, DiD and placebo checks.

Every estimate here works on *units* (one row per call, per due task, ...), not on period
averages, so that a month with 300 calls weighs more than a month with 3. Bootstraps are
seeded and vectorised with numpy: the same inputs and seed always give the same table.

Conventions shared by the functions below
-----------------------------------------
units
    A DataFrame with one row per unit, a numeric ``value`` column and a tz-aware ``time``
    column (the anchor that decides the window, e.g. ``started_at`` of a call or ``due_at``
    of a task). Rows whose value or time is missing are set aside and counted in
    ``result.attrs["set_aside"]``; they never enter an estimate.
windows
    ``change_dates`` split the timeline into half-open windows ``[d_k, d_{k+1})``: the first
    window (``before``) runs from the first unit, the last one to the last unit. A unit at
    exactly a change date belongs to the later window.
change
    Always "window minus first window" (or "after minus before"), in the unit of ``value``.
alpha
    Two-sided level: the intervals are ``1 - alpha`` intervals (95 % by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

__all__ = [
    "wilson_interval",
    "compare_proportions",
    "minimum_detectable_effect",
    "describe_change",
    "before_after",
    "rate_before_after",
    "diff_in_diff",
    "placebo_test",
]

_NORMAL = NormalDist()
# Resamples are drawn in blocks of at most this many indices, to bound memory (~32 MB).
_BLOCK = 8_000_000
_CI_METHODS = ("percentile", "basic", "normal")
_CLUSTERS = (None, "period")
_PERIOD_FREQ = {"month": "M", "week": "W-SUN"}


def _z(alpha: float) -> float:
    return _NORMAL.inv_cdf(1.0 - alpha / 2.0)


# --------------------------------------------------------------------------------------
# Closed-form intervals and tests for proportions
# --------------------------------------------------------------------------------------


def wilson_interval(successes, n, *, alpha: float = 0.05):
    """Wilson score interval for a proportion ``successes / n``.

    Preferred over the textbook ``p +- z*se`` because it stays inside [0, 1] and keeps its
    coverage for small ``n`` and for rates near 0 or 1 (e.g. 0 overdue tasks out of 6).

    Parameters
    ----------
    successes, n : int or array-like
        Counts; broadcast against each other. ``n == 0`` gives NaN bounds.
    alpha : float
        Two-sided level; the interval is a ``1 - alpha`` interval.

    Returns
    -------
    (low, high) : tuple of float, or of ndarray when any input is an array.
    """
    x = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    z = _z(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        denom = 1.0 + z**2 / m
        centre = (p + z**2 / (2.0 * m)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / m + z**2 / (4.0 * m**2))
        # at x = 0 (x = n) the bound is exactly 0 (1); the formula leaves rounding dust
        low = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(x == m, 1.0, np.clip(centre + half, 0.0, 1.0))
        low = np.where(m > 0, low, np.nan)
        high = np.where(m > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def compare_proportions(x1, n1, x2, n2, *, alpha: float = 0.05) -> dict[str, float]:
    """Compare two proportions: difference ``p2 - p1``, Newcombe CI and two-sided z-test.

    The interval is Newcombe's hybrid score interval (method 10), built from the two
    Wilson intervals; it behaves well for small counts. The p-value is the pooled
    two-proportion z-test. Inputs may be arrays (all outputs are then arrays).

    Returns
    -------
    dict with ``p1``, ``p2``, ``difference``, ``low``, ``high``, ``p_value``.
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype="float64") for v in (x1, n1, x2, n2))
    l1, u1 = (np.asarray(v) for v in wilson_interval(x1, n1, alpha=alpha))
    l2, u2 = (np.asarray(v) for v in wilson_interval(x2, n2, alpha=alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        d = p2 - p1
        low = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        high = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        z = np.abs(d) / se
    # se == 0 means both windows are all-0 or all-1: identical rates, nothing to test.
    p_value = np.where(se > 0, 2.0 * _vec_cdf(-z), np.where(d == 0, 1.0, 0.0))
    p_value = np.where((n1 > 0) & (n2 > 0), p_value, np.nan)
    out = {"p1": p1, "p2": p2, "difference": d, "low": low, "high": high, "p_value": p_value}
    if d.ndim == 0:
        return {k: float(v) for k, v in out.items()}
    return out


def _vec_cdf(z) -> np.ndarray:
    """Standard normal CDF over an array (math.erf, vectorised; no scipy)."""
    z = np.asarray(z, dtype="float64")
    flat = [_NORMAL.cdf(v) if np.isfinite(v) else (1.0 if v > 0 else 0.0) for v in z.ravel()]
    out = np.array(flat, dtype="float64").reshape(z.shape)
    return np.where(np.isnan(z), np.nan, out)


def minimum_detectable_effect(n1, n2, p, *, alpha: float = 0.05, power: float = 0.8):
    """Smallest true difference in a rate that a two-sided z-test would detect.

    ``MDE = (z_{1-alpha/2} + z_{power}) * sqrt(p (1 - p) (1/n1 + 1/n2))``, with ``p`` the
    baseline rate. Returned as a fraction (0.07 = 7 percentage points). Use it to say what
    a "no change" really means: a change this large would have been seen with probability
    ``power``.
    """
    n1, n2, p = (np.asarray(v, dtype="float64") for v in (n1, n2, p))
    factor = _z(alpha) + _NORMAL.inv_cdf(power)
    with np.errstate(divide="ignore", invalid="ignore"):
        mde = factor * np.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2))
    mde = np.where((n1 > 0) & (n2 > 0), mde, np.nan)
    return float(mde) if mde.ndim == 0 else mde


def describe_change(
    change: float,
    low: float,
    high: float,
    *,
    mde: float | None = None,
    unit: str = "points",
    scale: float = 100.0,
    digits: int = 1,
    alpha: float = 0.05,
) -> str:
    """Say in plain words what an estimated change and its interval mean.

    Parameters
    ----------
    change, low, high : float
        The estimate and its ``1 - alpha`` interval (e.g. columns ``change``,
        ``change_low``, ``change_high`` of :func:`rate_before_after`).
    mde : float, optional
        Minimum detectable effect, quoted when the interval contains zero.
    unit, scale, digits
        How to print numbers: the default turns fractions into percentage points;
        use ``unit="min", scale=1/60`` for seconds shown as minutes.

    Examples
    --------
    >>> describe_change(-0.29, -0.36, -0.22)
    'changed by -29.0 points (95% CI -36.0 to -22.0)'
    """
    if not np.isfinite([change, low, high]).all():
        return "not enough data to estimate a change"

    def fmt(v: float) -> str:
        return f"{v * scale:.{digits}f}"

    level = f"{100 * (1 - alpha):g}%"
    if low > 0 or high < 0:
        return f"changed by {fmt(change)} {unit} ({level} CI {fmt(low)} to {fmt(high)})"
    text = f"no change detectable ({level} CI {fmt(low)} to {fmt(high)} {unit})"
    if mde is not None and np.isfinite(mde):
        text += f"; a change of {fmt(abs(mde))} {unit} would have been seen"
    return text


# --------------------------------------------------------------------------------------
# Input checks and windows
# --------------------------------------------------------------------------------------


def _prepare(
    units: pd.DataFrame, value: str, time: str, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Check columns, set aside rows without value or time, return the usable rows."""
    for col in (value, time, *extra):
        if col not in units.columns:
            raise KeyError(f"units: column {col!r} not found (columns: {list(units.columns)})")
    times = units[time]
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        raise TypeError(f"units: column {time!r} must be tz-aware datetimes, got {times.dtype}")
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


def _as_dates(dates, tz) -> pd.DatetimeIndex:
    """Change dates as a sorted, tz-aware index (naive dates are read in ``tz``)."""
    if isinstance(dates, (str, pd.Timestamp)) or not isinstance(dates, Iterable):
        dates = [dates]
    stamps = [pd.Timestamp(d) for d in dates]
    if any(pd.isna(d) for d in stamps):
        raise ValueError(f"change_dates: missing date in {list(dates)!r}")
    stamps = [d.tz_localize(tz) if d.tz is None else d.tz_convert(tz) for d in stamps]
    return pd.DatetimeIndex(stamps).sort_values()


def _window_codes(times: pd.Series, edges: pd.DatetimeIndex) -> np.ndarray:
    """Index of the window each time falls in: 0 before the first edge, k after edge k."""
    return np.asarray(edges.searchsorted(pd.DatetimeIndex(times), side="right"))


def _window_labels(k: int) -> list[str]:
    if k == 1:
        return ["before", "after"]
    return ["before"] + [f"step {i}" for i in range(1, k + 1)]


def _period_codes(times: pd.Series, period: str) -> np.ndarray:
    """Integer code of the calendar period (month/week, in the column's tz) of each time."""
    if period not in _PERIOD_FREQ:
        raise ValueError(f"period must be one of {sorted(_PERIOD_FREQ)}, got {period!r}")
    local = times.dt.tz_localize(None)
    return local.dt.to_period(_PERIOD_FREQ[period]).array.asi8


# --------------------------------------------------------------------------------------
# Vectorised bootstrap
# --------------------------------------------------------------------------------------


def _boot_means(
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


def _interval(est: float, boot: np.ndarray, alpha: float, ci: str) -> tuple[float, float]:
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0 or not np.isfinite(est):
        return np.nan, np.nan
    if ci == "normal":
        half = _z(alpha) * boot.std(ddof=1)
        return est - half, est + half
    lo, hi = np.quantile(boot, [alpha / 2.0, 1.0 - alpha / 2.0])
    if ci == "basic":
        return 2.0 * est - hi, 2.0 * est - lo
    return float(lo), float(hi)


def _boot_p_value(boot: np.ndarray) -> float:
    """Two-sided bootstrap p-value for "change = 0": twice the smaller tail share at 0."""
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0:
        return np.nan
    b = len(boot)
    tail = min((np.sum(boot <= 0) + 1) / (b + 1), (np.sum(boot >= 0) + 1) / (b + 1))
    return float(min(1.0, 2.0 * tail))


def _check_options(ci: str, cluster: str | None, n_boot: int) -> None:
    if ci not in _CI_METHODS:
        raise ValueError(f"ci must be one of {_CI_METHODS}, got {ci!r}")
    if cluster not in _CLUSTERS:
        raise ValueError(f"cluster must be None or 'period', got {cluster!r}")
    if n_boot < 100:
        raise ValueError(f"n_boot must be at least 100, got {n_boot}")


# --------------------------------------------------------------------------------------
# Before / after
# --------------------------------------------------------------------------------------


def _filter_manager(units: pd.DataFrame, manager: str | None) -> pd.DataFrame:
    if manager is None:
        return units
    if "manager" not in units.columns:
        raise KeyError("units: column 'manager' not found (needed when manager= is given)")
    return units.loc[units["manager"] == manager]


def before_after(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    change_dates,
    manager: str | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    ci: str = "percentile",
    cluster: str | None = None,
    period: str = "month",
    power: float = 0.8,
) -> pd.DataFrame:
    """Mean of a unit-level value per window, and its change versus the first window.

    The interval of each change comes from a bootstrap that resamples units (calls,
    tasks) inside each window independently, so busy months weigh more than quiet ones.

    Parameters
    ----------
    units : DataFrame
        One row per unit with ``value`` (numeric; 0/1 works too) and ``time`` (tz-aware).
    value, time : str
        Column names.
    change_dates : date or list of dates
        One or several step dates (e.g. ``["2026-04-01", "2026-07-01"]``); naive dates are
        read in the tz of ``time``.
    manager : str, optional
        Keep only rows whose ``manager`` column equals this.
    n_boot, seed : int
        Bootstrap resamples and seed (results are reproducible).
    alpha : float
        Two-sided level of the intervals.
    ci : {"percentile", "basic", "normal"}
        Bootstrap interval type.
    cluster : {None, "period"}
        ``None`` resamples units. ``"period"`` resamples whole calendar periods (``period``)
        within each window: prefer it when units of the same month share a cause (a
        campaign, a seasonal client mix, a sick week), which makes unit-level intervals too
        narrow. It needs several periods per window (with fewer than ~5 its own interval
        is rough); use it as a sensitivity check next to the unit bootstrap.
    period : {"month", "week"}
        Calendar period for ``cluster="period"``, in the tz of ``time``.
    power : float
        Power used for the minimum detectable effect ``mde``.

    Returns
    -------
    DataFrame
        One row per window: ``window`` ("before", "after" or "step 1", "step 2", ...),
        ``start``, ``end`` (window bounds; NaT = open), ``n``, ``mean``, ``mean_low``,
        ``mean_high``, ``change`` (mean minus the first window's), ``change_low``,
        ``change_high``, ``ratio`` (mean / first mean), ``p_value`` (bootstrap, two-sided:
        twice the smaller share of resampled changes on either side of 0, never below
        ``2 / (n_boot + 1)``), ``significant`` (interval excludes 0), ``mde``
        (``(z_{1-alpha/2} + z_power)`` times the bootstrap standard error of the change:
        the true change this comparison would detect with probability ``power``). The
        first row has NaN changes and NA ``significant``.
        ``attrs["set_aside"]`` counts rows without value or time.
    """
    _check_options(ci, cluster, n_boot)
    data, set_aside = _prepare(_filter_manager(units, manager), value, time)
    edges = _as_dates(change_dates, units[time].dt.tz)
    codes = _window_codes(data["_time"], edges)
    clusters = _period_codes(data["_time"], period) if cluster else None
    values = data["_value"].to_numpy()
    rng = np.random.default_rng(seed)

    rows, boots = [], []
    for k in range(len(edges) + 1):
        mask = codes == k
        v = values[mask]
        boot = _boot_means(v, None if clusters is None else clusters[mask], n_boot, rng)
        boots.append(boot)
        mean = float(v.mean()) if len(v) else np.nan
        lo, hi = _interval(mean, boot, alpha, ci)
        rows.append({"n": int(len(v)), "mean": mean, "mean_low": lo, "mean_high": hi})

    out = pd.DataFrame(rows)
    out.insert(0, "window", pd.array(_window_labels(len(edges)), dtype="str"))
    out.insert(1, "start", pd.Series([pd.NaT, *edges], dtype=edges.dtype))
    out.insert(2, "end", pd.Series([*edges, pd.NaT], dtype=edges.dtype))
    base, base_boot = out.loc[0, "mean"], boots[0]
    z_mde = _z(alpha) + _NORMAL.inv_cdf(power)
    stats = [dict.fromkeys(("change_low", "change_high", "p_value", "mde"), np.nan)]
    for k in range(1, len(out)):
        diff_boot = boots[k] - base_boot
        lo, hi = _interval(out.loc[k, "mean"] - base, diff_boot, alpha, ci)
        finite = diff_boot[np.isfinite(diff_boot)]
        se = finite.std(ddof=1) if len(finite) > 1 else np.nan
        stats.append(
            {
                "change_low": lo,
                "change_high": hi,
                "p_value": _boot_p_value(diff_boot),
                "mde": z_mde * se,
            }
        )
    stats = pd.DataFrame(stats)
    out["change"] = out["mean"] - base
    out.loc[0, "change"] = np.nan
    out["change_low"] = stats["change_low"]
    out["change_high"] = stats["change_high"]
    out["ratio"] = out["mean"] / base if base != 0 else np.nan
    out.loc[0, "ratio"] = np.nan
    out["p_value"] = stats["p_value"]
    out["significant"] = _significant(out["change_low"], out["change_high"])
    out["mde"] = stats["mde"]
    out.attrs["set_aside"] = set_aside
    return out


def _significant(low: pd.Series, high: pd.Series) -> pd.Series:
    """Interval excludes zero; NA where there is no interval (e.g. the first window)."""
    sig = pd.Series((low > 0) | (high < 0), dtype="boolean")
    return sig.mask(low.isna() | high.isna())


def rate_before_after(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    change_dates,
    manager: str | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """Rate of a 0/1 unit value per window, with Wilson intervals and a two-proportion test.

    Use it for rates such as "overdue among due tasks" (``value`` = 1 if overdue, anchored
    on ``due_at``). Each later window is compared with the first: difference in rate with
    Newcombe's interval, the pooled two-sided z-test, and the minimum detectable effect
    at the first window's rate (what "no change" can rule out).

    Returns
    -------
    DataFrame
        One row per window: ``window``, ``start``, ``end``, ``n``, ``successes``, ``rate``,
        ``rate_low``, ``rate_high`` (Wilson), ``change`` (rate minus first rate, a fraction),
        ``change_low``, ``change_high`` (Newcombe), ``ratio``, ``p_value``, ``significant``,
        ``mde`` (fraction). ``attrs["set_aside"]`` counts rows without value or time.
    """
    data, set_aside = _prepare(_filter_manager(units, manager), value, time)
    values = data["_value"].to_numpy()
    if not np.isin(values, (0.0, 1.0)).all():
        bad = data.index[~np.isin(values, (0.0, 1.0))][0]
        raise ValueError(f"units: column {value!r} must be 0/1 (row {bad!r} is not)")
    edges = _as_dates(change_dates, units[time].dt.tz)
    codes = _window_codes(data["_time"], edges)
    k = len(edges) + 1
    n = np.bincount(codes, minlength=k).astype("int64")
    x = np.bincount(codes, weights=values, minlength=k).round().astype("int64")
    low, high = wilson_interval(x, n, alpha=alpha)
    cmp = compare_proportions(np.full(k, x[0]), np.full(k, n[0]), x, n, alpha=alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = x / n
        ratio = rate / rate[0]
    out = pd.DataFrame(
        {
            "window": pd.array(_window_labels(len(edges)), dtype="str"),
            "start": pd.Series([pd.NaT, *edges], dtype=edges.dtype),
            "end": pd.Series([*edges, pd.NaT], dtype=edges.dtype),
            "n": n,
            "successes": x,
            "rate": rate,
            "rate_low": low,
            "rate_high": high,
            "change": cmp["difference"],
            "change_low": cmp["low"],
            "change_high": cmp["high"],
            "ratio": ratio,
            "p_value": cmp["p_value"],
        }
    )
    out.loc[0, ["change", "change_low", "change_high", "ratio", "p_value"]] = np.nan
    out["significant"] = _significant(out["change_low"], out["change_high"])
    out["mde"] = minimum_detectable_effect(np.full(k, n[0]), n, rate[0], alpha=alpha, power=power)
    out.loc[0, "mde"] = np.nan
    out.attrs["set_aside"] = set_aside
    return out


# --------------------------------------------------------------------------------------
# Difference in differences and placebo dates
# --------------------------------------------------------------------------------------


def _treated_mask(groups: pd.Series, treated) -> np.ndarray:
    members = (
        [treated] if isinstance(treated, str) or not isinstance(treated, Iterable) else treated
    )
    mask = groups.isin(list(members)).to_numpy()
    return mask


def _did_cells(
    data: pd.DataFrame, is_treated: np.ndarray, date: pd.Timestamp, start=None, end=None
) -> list[np.ndarray]:
    """Boolean masks of the four cells: treated before/after, control before/after."""
    t = data["_time"]
    inside = np.ones(len(data), dtype=bool)
    if start is not None:
        inside &= (t >= start).to_numpy()
    if end is not None:
        inside &= (t < end).to_numpy()
    after = (t >= date).to_numpy()
    return [
        inside & is_treated & ~after,
        inside & is_treated & after,
        inside & ~is_treated & ~after,
        inside & ~is_treated & after,
    ]


def _cell_means(values: np.ndarray, cells: list[np.ndarray]) -> list[float]:
    return [float(values[c].mean()) if c.any() else np.nan for c in cells]


def diff_in_diff(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    group: str,
    treated,
    change_date,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    ci: str = "percentile",
    start=None,
    end=None,
) -> pd.DataFrame:
    """Difference in differences: the treated manager's change minus colleagues' change.

    Whatever moved everyone (season, a new script, a CRM change) shows up in the pooled
    colleagues' change and is subtracted. The estimate is
    ``(treated_after - treated_before) - (control_after - control_before)`` on unit means;
    its interval resamples units within each of the four group x window cells.
    It assumes colleagues would have moved like the treated manager without the KPI
    (parallel trends): check it with :func:`placebo_test`.

    Parameters
    ----------
    units : DataFrame
        One row per unit of all managers, with ``value``, ``time`` and ``group`` columns.
    group : str
        Column naming the unit's manager (or team).
    treated : str or list of str
        The group value(s) that got the KPI; every other group is the pooled control.
    change_date : date
        When the KPI came into force (a unit at that instant counts as after).
    start, end : date, optional
        Use only units with ``start <= time < end``.
    n_boot, seed, alpha, ci
        As in :func:`before_after`.

    Returns
    -------
    DataFrame
        One row: ``change_date``, ``n_treated_before``, ``n_treated_after``,
        ``n_control_before``, ``n_control_after``, ``treated_before``, ``treated_after``,
        ``treated_change``, ``control_before``, ``control_after``, ``control_change``,
        ``did``, ``did_low``, ``did_high``, ``p_value``, ``significant``.
    """
    _check_options(ci, None, n_boot)
    data, set_aside = _prepare(units, value, time, extra=(group,))
    tz = units[time].dt.tz
    date = _as_dates(change_date, tz)[0]
    start = None if start is None else _as_dates(start, tz)[0]
    end = None if end is None else _as_dates(end, tz)[0]
    cells = _did_cells(data, _treated_mask(data[group], treated), date, start, end)
    values = data["_value"].to_numpy()
    means = _cell_means(values, cells)
    rng = np.random.default_rng(seed)
    tb, ta, cb, ca = (_boot_means(values[c], None, n_boot, rng) for c in cells)
    boot = (ta - tb) - (ca - cb)
    did = (means[1] - means[0]) - (means[3] - means[2])
    lo, hi = _interval(did, boot, alpha, ci)
    out = pd.DataFrame(
        {
            "change_date": pd.Series([date]),
            **{f"n_{name}": [int(c.sum())] for name, c in zip(_CELL_NAMES, cells, strict=True)},
            "treated_before": [means[0]],
            "treated_after": [means[1]],
            "treated_change": [means[1] - means[0]],
            "control_before": [means[2]],
            "control_after": [means[3]],
            "control_change": [means[3] - means[2]],
            "did": [did],
            "did_low": [lo],
            "did_high": [hi],
            "p_value": [_boot_p_value(boot)],
        }
    )
    out["significant"] = _significant(out["did_low"], out["did_high"])
    out.attrs["set_aside"] = set_aside
    return out


_CELL_NAMES = ("treated_before", "treated_after", "control_before", "control_after")


def _month_starts(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DatetimeIndex:
    """Month starts strictly after ``lo`` and at or before ``hi`` (in their tz)."""
    first = (lo.tz_localize(None).to_period("M") + 1).start_time
    last = hi.tz_localize(None).to_period("M").start_time
    if first > last:
        return pd.DatetimeIndex([], tz=lo.tz)
    return pd.date_range(first, last, freq="MS").tz_localize(lo.tz)


def placebo_test(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    group: str,
    treated,
    change_date,
    fake_dates=None,
    n_fake: int | None = None,
    width_months: int | None = None,
) -> pd.DataFrame:
    """Difference-in-differences at fake change dates, to see if the real one stands out.

    If the KPI caused the change, the real date's estimate should be more extreme than
    estimates at dates when nothing happened. A fake date before the real one uses only
    data before the real date (and a later fake date only data after it), so the real
    effect cannot leak into a placebo.

    Parameters
    ----------
    units, value, time, group, treated, change_date
        As in :func:`diff_in_diff`.
    fake_dates : list of dates, optional
        Placebo dates. Default: every month start (in the tz of ``time``) other than the
        real date at which the treated group and the control both have units on each side
        within that segment.
    n_fake : int, optional
        Keep this many default dates, evenly spread.
    width_months : int, optional
        Compare at most this many months before and after each date (the real one too);
        default: the whole segment.

    Returns
    -------
    DataFrame
        One row per date, the real one first: ``change_date``, ``kind`` ("real" or
        "placebo"), ``n_treated_before``, ``n_treated_after``, ``n_control_before``,
        ``n_control_after``, ``treated_change``, ``control_change``, ``did``,
        ``as_extreme`` (placebo rows: ``|did| >= |real did|``). ``attrs["share_as_extreme"]``
        is the share of placebo dates at least as extreme as the real one (a permutation-
        style p-value; with few placebo dates it cannot be small: 11 dates give >= 1/11).
    """
    data, set_aside = _prepare(units, value, time, extra=(group,))
    tz = units[time].dt.tz
    real = _as_dates(change_date, tz)[0]
    is_treated = _treated_mask(data[group], treated)
    values = data["_value"].to_numpy()
    t = data["_time"]
    if fake_dates is None:
        candidates = _month_starts(t.min(), t.max()) if len(t) else pd.DatetimeIndex([], tz=tz)
        candidates = candidates[candidates != real]
        explicit = False
    else:
        candidates = _as_dates(fake_dates, tz)
        explicit = True

    def estimate(date: pd.Timestamp) -> dict:
        lo, hi = None, None
        if date < real:
            hi = real
        elif date > real:
            lo = real
        if width_months is not None:
            before = date - pd.DateOffset(months=width_months)
            after = date + pd.DateOffset(months=width_months)
            lo = before if lo is None else max(lo, before)
            hi = after if hi is None else min(hi, after)
        cells = _did_cells(data, is_treated, date, lo, hi)
        m = _cell_means(values, cells)
        row = {f"n_{name}": int(c.sum()) for name, c in zip(_CELL_NAMES, cells, strict=True)}
        row.update(treated_change=m[1] - m[0], control_change=m[3] - m[2])
        row["did"] = row["treated_change"] - row["control_change"]
        return row

    rows = [{"change_date": real, "kind": "real", **estimate(real)}]
    placebos = [{"change_date": d, "kind": "placebo", **estimate(d)} for d in candidates]
    if not explicit:
        placebos = [r for r in placebos if min(r[f"n_{c}"] for c in _CELL_NAMES) > 0]
        if n_fake is not None and len(placebos) > n_fake:
            keep = np.unique(np.linspace(0, len(placebos) - 1, n_fake).round().astype(int))
            placebos = [placebos[i] for i in keep]
    out = pd.DataFrame(rows + placebos)
    out["change_date"] = pd.Series(list(out["change_date"]), dtype=pd.DatetimeTZDtype(tz=tz))
    out["kind"] = out["kind"].astype("str")
    real_did = abs(out.loc[0, "did"])
    extreme = pd.Series(out["did"].abs() >= real_did, dtype="boolean")
    out["as_extreme"] = extreme.mask((out["kind"] == "real") | out["did"].isna())
    share = out.loc[out["kind"] == "placebo", "as_extreme"].astype("float64").mean()
    out.attrs["share_as_extreme"] = float(share) if np.isfinite(share) else np.nan
    out.attrs["set_aside"] = set_aside
    return out
