"""Before/after estimates on units: a metric's mean or rate per change-date window.

:func:`before_after` bootstraps the mean of any unit value (talk minutes of a call);
:func:`rate_before_after` gives a 0/1 value (overdue or not) closed-form Wilson and
Newcombe intervals. Conventions (units, windows, change, alpha): :mod:`workbench.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.stats.intervals import (
    compare_proportions,
    mde_factor,
    minimum_detectable_effect,
    wilson_interval,
)
from workbench.stats.resampling import (
    bootstrap_interval,
    bootstrap_means,
    bootstrap_p_value,
    change_date_index,
    check_options,
    excludes_zero,
    filter_manager,
    period_codes,
    prepare_units,
    window_codes,
    window_labels,
)

__all__ = ["BeforeAfter", "before_after", "rate_before_after"]


@dataclass(frozen=True, eq=False)
class BeforeAfter:
    """What :func:`before_after` and :func:`rate_before_after` return.

    Attributes
    ----------
    table : DataFrame
        One row per window (columns in each function's notes).
    set_aside : dict[str, int]
        Units left out of every estimate: ``missing_value`` (no value) and ``missing_time``
        (a value but no time), so that ``n`` plus these adds up to the units given.
    """

    table: pd.DataFrame
    set_aside: dict[str, int]


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
) -> BeforeAfter:
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
    BeforeAfter
        ``table``: one row per window: ``window`` ("before", "after" or "step 1", "step 2", ...),
        ``start``, ``end`` (window bounds; NaT = open), ``n``, ``mean``, ``mean_low``,
        ``mean_high``, ``change`` (mean minus the first window's), ``change_low``,
        ``change_high``, ``ratio`` (mean / first mean), ``p_value`` (bootstrap, two-sided:
        twice the smaller share of resampled changes on either side of 0, never below
        ``2 / (n_boot + 1)``), ``significant`` (interval excludes 0), ``mde``
        (``(z_{1-alpha/2} + z_power)`` times the bootstrap standard error of the change:
        the true change this comparison would detect with probability ``power``). The
        first row has NaN changes and NA ``significant``.
        ``set_aside`` counts rows without value or time.
    """
    check_options(ci, cluster, n_boot)
    data, set_aside = prepare_units(filter_manager(units, manager), value, time)
    edges = change_date_index(change_dates, units[time].dt.tz)
    codes = window_codes(data["_time"], edges)
    clusters = period_codes(data["_time"], period) if cluster else None
    values = data["_value"].to_numpy()
    rng = np.random.default_rng(seed)

    rows, boots = [], []
    for k in range(len(edges) + 1):
        mask = codes == k
        v = values[mask]
        boot = bootstrap_means(v, None if clusters is None else clusters[mask], n_boot, rng)
        boots.append(boot)
        mean = float(v.mean()) if len(v) else np.nan
        lo, hi = bootstrap_interval(mean, boot, alpha, ci)
        rows.append({"n": int(len(v)), "mean": mean, "mean_low": lo, "mean_high": hi})

    out = pd.DataFrame(rows)
    out.insert(0, "window", pd.array(window_labels(len(edges)), dtype="str"))
    out.insert(1, "start", pd.Series([pd.NaT, *edges], dtype=edges.dtype))
    out.insert(2, "end", pd.Series([*edges, pd.NaT], dtype=edges.dtype))
    base, base_boot = out.loc[0, "mean"], boots[0]
    z_mde = mde_factor(alpha, power)
    stats = [dict.fromkeys(("change_low", "change_high", "p_value", "mde"), np.nan)]
    for k in range(1, len(out)):
        diff_boot = boots[k] - base_boot
        lo, hi = bootstrap_interval(out.loc[k, "mean"] - base, diff_boot, alpha, ci)
        finite = diff_boot[np.isfinite(diff_boot)]
        se = finite.std(ddof=1) if len(finite) > 1 else np.nan
        stats.append(
            {
                "change_low": lo,
                "change_high": hi,
                "p_value": bootstrap_p_value(diff_boot),
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
    out["significant"] = excludes_zero(out["change_low"], out["change_high"])
    out["mde"] = stats["mde"]
    return BeforeAfter(table=out, set_aside=set_aside)


def rate_before_after(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    change_dates,
    manager: str | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> BeforeAfter:
    """Rate of a 0/1 unit value per window, with Wilson intervals and a two-proportion test.

    Use it for rates such as "overdue among due tasks" (``value`` = 1 if overdue, anchored
    on ``due_at``). Each later window is compared with the first: difference in rate with
    Newcombe's interval, the pooled two-sided z-test, and the minimum detectable effect
    at the first window's rate (what "no change" can rule out).

    Returns
    -------
    BeforeAfter
        ``table``: one row per window: ``window``, ``start``, ``end``, ``n``, ``successes``,
        ``rate``,
        ``rate_low``, ``rate_high`` (Wilson), ``change`` (rate minus first rate, a fraction),
        ``change_low``, ``change_high`` (Newcombe), ``ratio``, ``p_value``, ``significant``,
        ``mde`` (fraction). ``set_aside`` counts rows without value or time.
    """
    data, set_aside = prepare_units(filter_manager(units, manager), value, time)
    values = data["_value"].to_numpy()
    if not np.isin(values, (0.0, 1.0)).all():
        bad = data.index[~np.isin(values, (0.0, 1.0))][0]
        raise ValueError(f"units: column {value!r} must be 0/1 (row {bad!r} is not)")
    edges = change_date_index(change_dates, units[time].dt.tz)
    codes = window_codes(data["_time"], edges)
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
            "window": pd.array(window_labels(len(edges)), dtype="str"),
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
    out["significant"] = excludes_zero(out["change_low"], out["change_high"])
    out["mde"] = minimum_detectable_effect(np.full(k, n[0]), n, rate[0], alpha=alpha, power=power)
    out.loc[0, "mde"] = np.nan
    return BeforeAfter(table=out, set_aside=set_aside)
