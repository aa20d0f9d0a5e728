"""Inference at the level where the noise lives: manager-month values, not single units.

Calls and tasks of one manager in one month share that month's circumstances (a campaign,
a client mix, a sick week), so a manager's monthly mean swings more than the spread of its
units suggests. Unit-level intervals then treat thousands of calls as independent evidence
and come out too narrow (see ``benchmarks/calibration.py``). The functions here work on one
value per manager and month:

- :func:`monthly_before_after`: one manager's change, the months of each window taken as
  clusters (the unit-weighted window mean, a cluster-robust standard error with the
  ``G / (G - 1)`` small-sample factor, Welch-Satterthwaite degrees of freedom, t critical
  values). With equal months it is Welch's t-test on the monthly means.
- :func:`monthly_differences`: per month the treated manager's mean minus the pooled
  colleagues' mean (the colleagues' units pooled, as the unit-level DiD pools them).
- :func:`monthly_diff_in_diff`: Welch's t on those monthly differences, before vs after.
- :func:`pre_trend`: the slope of the monthly differences before the change (did the manager
  already move away from the colleagues?), and the effect measured against that trend and
  against the level of the last month before the change.
- :func:`event_study`: each month's difference relative to the last month before the change.
- :func:`pre_trend_rule`: the written rule the case wording follows.

Never clustered by manager: with one treated manager there is one cluster on that side.
Conventions (units, windows, change, alpha): :mod:`workbench.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.metrics.periods import period_start
from workbench.stats.intervals import _scipy_stats
from workbench.stats.resampling import (
    change_date_index,
    filter_manager,
    prepare_units,
    window_codes,
    window_labels,
)

__all__ = [
    "monthly_before_after",
    "monthly_differences",
    "monthly_diff_in_diff",
    "pre_trend",
    "event_study",
    "pre_trend_rule",
    "welch",
    "TREND_SHARE",
]

# The pre-period counts as moving when its drift over the before window is at least this
# share of the change (or its slope's interval excludes zero): see pre_trend_rule.
TREND_SHARE = 0.25


def _t(alpha: float, df: float) -> float:
    return float(_scipy_stats().t.ppf(1.0 - alpha / 2.0, df)) if df > 0 else np.nan


def welch(a, b, *, alpha: float = 0.05) -> dict[str, float]:
    """Welch's t comparison of two samples of monthly values: ``mean(b) - mean(a)``.

    Returns
    -------
    dict with ``difference``, ``se``, ``df`` (Welch-Satterthwaite), ``low``, ``high``,
    ``p_value``; NaN when either side has fewer than 2 values.
    """
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if len(a) < 2 or len(b) < 2:
        d = float(b.mean() - a.mean()) if len(a) and len(b) else np.nan
        return {"difference": d, "se": np.nan, "df": np.nan, "low": np.nan, "high": np.nan,
                "p_value": np.nan}  # fmt: skip
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    return _t_result(float(b.mean() - a.mean()), va, len(a) - 1, vb, len(b) - 1, alpha)


def _t_result(d: float, va: float, dfa: float, vb: float, dfb: float, alpha: float) -> dict:
    """Difference ``d`` with variance ``va + vb``, Welch-Satterthwaite df, t interval."""
    var = va + vb
    se = float(np.sqrt(var))
    with np.errstate(divide="ignore", invalid="ignore"):
        df = var**2 / (va**2 / dfa + vb**2 / dfb) if var > 0 else float(dfa + dfb)
    if not np.isfinite(df):
        df = float(dfa + dfb)
    half = _t(alpha, df) * se
    # se == 0: all monthly values equal on both sides; nothing to test unless they differ
    p = float(2.0 * _scipy_stats().t.sf(abs(d) / se, df)) if se > 0 else (1.0 if d == 0 else 0.0)
    return {"difference": d, "se": se, "df": float(df), "low": d - half, "high": d + half,
            "p_value": p}  # fmt: skip


def _cluster_mean(values: np.ndarray, clusters: np.ndarray) -> tuple[float, float, int]:
    """Unit-weighted mean, its cluster-robust variance (CR1: ``G/(G-1)``) and ``G``.

    ``var = G/(G-1) * sum_g (n_g (mean_g - mean))^2 / N^2``; with equal cluster sizes this
    is the variance of the mean of the cluster means, ``s^2 / G``.
    """
    if len(values) == 0:
        return np.nan, np.nan, 0
    _, inverse = np.unique(clusters, return_inverse=True)
    sums = np.bincount(inverse, weights=values)
    counts = np.bincount(inverse).astype("float64")
    g, n = len(sums), counts.sum()
    mean = sums.sum() / n
    if g < 2:
        return float(mean), np.nan, g
    resid = sums - counts * mean
    var = g / (g - 1) * np.sum(resid**2) / n**2
    return float(mean), float(var), g


def _month_codes(times: pd.Series, period: str) -> np.ndarray:
    return period_start(times, period=period, tz=times.dt.tz).array.asi8


def monthly_before_after(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    change_dates,
    manager: str | None = None,
    period: str = "month",
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """One manager's mean per window with intervals that treat months as the clusters.

    The mean is the plain unit mean (as in :func:`workbench.stats.before_after`); its
    standard error is cluster-robust over the window's months (CR1), so month-to-month
    swings widen it. The change versus the first window gets Welch-Satterthwaite degrees of
    freedom from the two windows (``G - 1`` each) and a t critical value: with 4-6 months a
    window this matters (t_{0.975, 5} = 2.57, not 1.96).

    Returns
    -------
    DataFrame
        One row per window: ``window``, ``months``, ``n``, ``mean``, ``mean_low``,
        ``mean_high``, ``change``, ``change_low``, ``change_high``, ``df``, ``p_value``,
        ``mde`` (``(t_{1-alpha/2} + t_power)`` standard errors: the change this comparison
        detects with probability ``power``, the same in both directions for a mean).
        A window with fewer than 2 months has no interval.
    """
    data, _ = prepare_units(filter_manager(units, manager), value, time)
    edges = change_date_index(change_dates, units[time].dt.tz)
    codes = window_codes(data["_time"], edges)
    months = _month_codes(data["_time"], period)
    values = data["_value"].to_numpy()
    rows = []
    for k in range(len(edges) + 1):
        m = codes == k
        mean, var, g = _cluster_mean(values[m], months[m])
        half = _t(alpha, g - 1) * np.sqrt(var) if g >= 2 else np.nan
        rows.append({"window": window_labels(len(edges))[k], "months": g, "n": int(m.sum()),
                     "mean": mean, "mean_low": mean - half, "mean_high": mean + half,
                     "_var": var})  # fmt: skip
    out = pd.DataFrame(rows)
    base = rows[0]
    extra = [dict.fromkeys(("change", "change_low", "change_high", "df", "p_value", "mde"))]
    for r in rows[1:]:
        res = _t_result(r["mean"] - base["mean"], base["_var"], base["months"] - 1, r["_var"],
                        r["months"] - 1, alpha)  # fmt: skip
        mde = np.nan
        if np.isfinite(res["se"]) and res["df"] > 0:
            mde = (_t(alpha, res["df"]) + float(_scipy_stats().t.ppf(power, res["df"]))) * res["se"]
        extra.append({"change": res["difference"], "change_low": res["low"],
                      "change_high": res["high"], "df": res["df"], "p_value": res["p_value"],
                      "mde": mde})  # fmt: skip
    out = pd.concat([out.drop(columns="_var"), pd.DataFrame(extra).astype("float64")], axis=1)
    out["window"] = out["window"].astype("str")
    return out


def monthly_differences(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    group: str,
    treated: str,
    controls=None,
    period: str = "month",
) -> pd.DataFrame:
    """Per period: the treated manager's mean, the pooled colleagues' mean, the difference.

    Parameters
    ----------
    controls : list of str, optional
        The colleagues compared with (default: every other group). An empty list gives the
        manager's own series (``control`` 0, ``difference`` = ``treated``).

    Returns
    -------
    DataFrame
        One row per period where the manager has units (and the colleagues too, if any):
        ``period``, ``n_treated``, ``treated``, ``var_treated`` (unit variance / n),
        ``n_control``, ``control``, ``var_control``, ``difference``.
    """
    data, _ = prepare_units(units, value, time, extra=(group,))
    tz = units[time].dt.tz
    data["_period"] = period_start(data["_time"], period=period, tz=tz)
    if controls is None:
        controls = sorted(set(data[group].astype(str)) - {treated})
    is_t = (data[group] == treated).to_numpy()
    is_c = data[group].isin(list(controls)).to_numpy()

    def cell(mask: np.ndarray) -> pd.DataFrame:
        g = data.loc[mask].groupby("_period")["_value"]
        n = g.count()
        return pd.DataFrame({"n": n, "mean": g.mean(), "var": g.var(ddof=1) / n})

    t = cell(is_t)
    out = pd.DataFrame({"period": t.index, "n_treated": t["n"].to_numpy(),
                        "treated": t["mean"].to_numpy(),
                        "var_treated": t["var"].to_numpy()})  # fmt: skip
    if len(controls):
        c = cell(is_c).reindex(t.index)
        out["n_control"] = c["n"].fillna(0).astype("int64").to_numpy()
        out["control"] = c["mean"].to_numpy()
        out["var_control"] = c["var"].to_numpy()
        out = out.loc[out["n_control"] > 0].reset_index(drop=True)
    else:
        out["n_control"] = 0
        out["control"] = 0.0
        out["var_control"] = 0.0
    out["difference"] = out["treated"] - out["control"]
    return out


def _split(diffs: pd.DataFrame, change_date, start=None, end=None):
    tz = diffs["period"].dt.tz
    date = change_date_index(change_date, tz)[0]
    p = diffs["period"]
    keep = np.ones(len(diffs), dtype=bool)
    if start is not None:
        keep &= (p >= change_date_index(start, tz)[0]).to_numpy()
    if end is not None:
        keep &= (p < change_date_index(end, tz)[0]).to_numpy()
    d = diffs.loc[keep]
    return d.loc[d["period"] < date], d.loc[d["period"] >= date]


def monthly_diff_in_diff(
    diffs: pd.DataFrame, *, change_date, start=None, end=None, alpha: float = 0.05
) -> dict[str, float]:
    """Difference in differences on monthly differences: Welch's t, after vs before.

    ``did = mean(difference after) - mean(difference before)`` over the months of
    :func:`monthly_differences` (a month counts by its start; ``start``/``end`` limit the
    months used). Each month weighs the same, so a month-level swing of the manager counts
    once, not once per call.

    Returns
    -------
    dict with ``months_before``, ``months_after``, ``treated_change``, ``control_change``
    (changes of the unweighted monthly means), ``did``, ``did_low``, ``did_high``, ``df``,
    ``se``, ``p_value``.
    """
    before, after = _split(diffs, change_date, start, end)
    res = welch(before["difference"], after["difference"], alpha=alpha)
    return {
        "months_before": len(before), "months_after": len(after),
        "treated_change": float(after["treated"].mean() - before["treated"].mean()),
        "control_change": float(after["control"].mean() - before["control"].mean()),
        "did": res["difference"], "did_low": res["low"], "did_high": res["high"],
        "df": res["df"], "se": res["se"], "p_value": res["p_value"],
    }  # fmt: skip


def _month_number(periods: pd.Series) -> np.ndarray:
    p = periods.dt.tz_localize(None)
    return ((p.dt.year - 2000) * 12 + p.dt.month).to_numpy(dtype="float64")


def pre_trend(
    diffs: pd.DataFrame, *, change_date, start=None, end=None, alpha: float = 0.05
) -> dict[str, float]:
    """Was the manager already moving away from the colleagues before the change?

    Fits a straight line to the monthly differences of the before months (OLS on the month
    number) and, with the after months' mean ``mu_a``, the model
    ``difference = a + b * month`` (before) / ``mu_a`` (after). From it:

    - ``slope``: ``b``, per month, with its t interval (``slope_treated`` and
      ``slope_control`` are the two series' own slopes, without interval);
    - ``vs_trend``: ``mu_a`` minus the before line extended to the after months (the
      effect if the pre-period trend would have gone on);
    - ``vs_last``: ``mu_a`` minus the last before month's difference (the effect against
      the level just before the change).

    The residual variance pools the before residuals and the after months' spread
    (``df = months - 3``); the intervals use t critical values.

    Returns
    -------
    dict with ``months_before``, ``months_after``, ``slope``, ``slope_low``, ``slope_high``,
    ``slope_treated``, ``slope_control``, ``drift`` (slope times the before months minus
    one: the move across the before window), ``plain`` (mean after minus mean before),
    ``vs_trend``, ``vs_trend_low``, ``vs_trend_high``, ``vs_last``, ``vs_last_low``,
    ``vs_last_high``, ``last_before`` (period of the last before month), ``df``. NaN when
    there are fewer than 3 before months or 1 after month.
    """
    before, after = _split(diffs, change_date, start, end)
    nb, na = len(before), len(after)
    out = dict.fromkeys(
        ("slope", "slope_low", "slope_high", "slope_treated", "slope_control", "drift",
         "plain", "vs_trend", "vs_trend_low", "vs_trend_high", "vs_last", "vs_last_low",
         "vs_last_high", "df"), np.nan,
    )  # fmt: skip
    out.update(months_before=nb, months_after=na, last_before=pd.NaT)
    if nb < 3 or na < 1:
        return out
    x = _month_number(before["period"])
    xa = _month_number(after["period"])
    y, ya = before["difference"].to_numpy(), after["difference"].to_numpy()
    xm = x.mean()
    sxx = np.sum((x - xm) ** 2)
    b = np.sum((x - xm) * (y - y.mean())) / sxx
    a = y.mean() - b * xm
    ssr = np.sum((y - a - b * x) ** 2) + np.sum((ya - ya.mean()) ** 2)
    df = nb + na - 3
    s2 = ssr / df if df > 0 else np.nan
    tc = _t(alpha, df)
    mu_a = ya.mean()
    se_b = np.sqrt(s2 / sxx)
    trend_at = a + b * xa.mean()
    se_trend = np.sqrt(s2 * (1.0 / na + 1.0 / nb + (xa.mean() - xm) ** 2 / sxx))
    se_last = np.sqrt(s2 * (1.0 / na + 1.0))
    last = y[np.argmax(x)]

    def slope_of(col: str) -> float:
        v = before[col].to_numpy(dtype="float64")
        return float(np.sum((x - xm) * (v - v.mean())) / sxx)

    out.update(
        slope=b, slope_low=b - tc * se_b, slope_high=b + tc * se_b,
        slope_treated=slope_of("treated"), slope_control=slope_of("control"),
        drift=b * (x.max() - x.min()), plain=mu_a - y.mean(),
        vs_trend=mu_a - trend_at, vs_trend_low=mu_a - trend_at - tc * se_trend,
        vs_trend_high=mu_a - trend_at + tc * se_trend,
        vs_last=mu_a - last, vs_last_low=mu_a - last - tc * se_last,
        vs_last_high=mu_a - last + tc * se_last, df=float(df),
        last_before=before["period"].iloc[int(np.argmax(x))],
    )  # fmt: skip
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}


def event_study(diffs: pd.DataFrame, *, change_date, alpha: float = 0.05) -> pd.DataFrame:
    """Each month's difference from the colleagues, relative to the last month before.

    ``relative = difference_m - difference_ref``, the reference being the last month before
    ``change_date`` (relative month -1). Its interval is unit-level within the two months
    (``var_treated + var_control`` of both), normal critical value: it says how precisely
    each month is measured, while the spread of the before months shows the month-to-month
    swings a real effect has to stand out from.

    Returns
    -------
    DataFrame
        One row per month: ``period``, ``relative_month`` (-1 = reference, 0 = first month
        after), ``treated``, ``control``, ``difference``, ``relative``, ``low``, ``high``.
    """
    tz = diffs["period"].dt.tz
    date = change_date_index(change_date, tz)[0]
    d = diffs.sort_values("period").reset_index(drop=True)
    x = _month_number(d["period"])
    x0 = _month_number(pd.Series([date]).dt.floor("D"))[0]
    before = d["period"] < date
    out = pd.DataFrame({"period": d["period"], "relative_month": (x - x0).astype("int64")})
    for col in ("treated", "control", "difference"):
        out[col] = d[col]
    if not before.any():
        out["relative"] = np.nan
        out["low"] = out["high"] = np.nan
        return out
    ref = int(np.flatnonzero(before.to_numpy())[-1])
    var = (d["var_treated"] + d["var_control"].fillna(0.0)).to_numpy()
    out["relative"] = d["difference"] - d.loc[ref, "difference"]
    se = np.sqrt(var + var[ref])
    z = float(_scipy_stats().norm.ppf(1.0 - alpha / 2.0))
    out["low"] = out["relative"] - z * se
    out["high"] = out["relative"] + z * se
    out.loc[ref, ["low", "high"]] = 0.0
    return out


def pre_trend_rule(
    change: float, slope: float, slope_low: float, slope_high: float, drift: float
) -> str:
    """The written rule: was the before period already moving, and which way?

    The before period counts as *moving* when the interval of its slope (against the
    colleagues) excludes zero, or when its drift across the before window is at least
    ``TREND_SHARE`` (a quarter) of the change. A moving before period is ``"same"`` when it
    went the change's way (the plain before/after figure then overstates the effect) and
    ``"opposite"`` when it went the other way (the plain figure may understate it);
    otherwise ``"flat"``. ``"unknown"`` when the slope could not be estimated (fewer than
    3 before months).

    Examples
    --------
    >>> pre_trend_rule(-0.29, -0.039, -0.07, -0.01, -0.195)
    'same'
    >>> pre_trend_rule(-0.29, 0.001, -0.01, 0.012, 0.005)
    'flat'
    """
    if not np.isfinite([change, slope, drift]).all():
        return "unknown"
    excludes = np.isfinite([slope_low, slope_high]).all() and (slope_low > 0 or slope_high < 0)
    large = abs(drift) >= TREND_SHARE * abs(change) and drift != 0
    if not (excludes or large):
        return "flat"
    return "same" if np.sign(slope) == np.sign(change) else "opposite"
