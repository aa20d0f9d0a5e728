"""Where a manager stands against the rest of the team, and which way each manager is heading.

Both functions read a metric panel (one row per manager x period, see
``workbench.metrics.panel.manager_panel``) and compare a manager only with the *other* managers, so
that a manager never pulls the reference towards their own value. Robust statistics (median,
MAD) keep one extreme colleague from moving the reference for everybody else.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.i18n import N_
from workbench.metrics.definition import Definition

__all__ = ["MAD_SCALE", "compare_to_team", "trend"]

# 1.4826 * MAD estimates the standard deviation of normally distributed values.
MAD_SCALE = 1.4826

# The words a manager reads (translated where shown; docs/metrics.md maps them to columns).
_POP = N_(
    "The other managers with a figure in the same period (or span); the manager herself is left out"
)
_SAME_PERIOD = N_("The same period (or span) as the manager's figure")
DEFINITIONS = (
    Definition(
        "team_median",
        population=_POP,
        time_anchor=_SAME_PERIOD,
        numerator=N_(
            "The median of the other managers' figures: half of them are higher, half lower"
        ),
        exclusions=N_("The manager herself; managers without a figure"),
        unit=N_("the figure's own unit"),
        description=N_(
            "The team's reference figure. It leaves the manager out, so her own figure never "
            "pulls it towards her."
        ),
        label=N_("Team median"),
    ),
    Definition(
        "percentile",
        population=_POP,
        time_anchor=_SAME_PERIOD,
        numerator=N_(
            "Colleagues with a lower figure plus half of those with an equal figure, times 100"
        ),
        denominator=N_("Colleagues with a figure"),
        exclusions=N_(
            "Colleagues without a figure; empty when the manager has no figure or no colleague "
            "has one"
        ),
        unit=N_("from 0 to 100"),
        description=N_(
            "Position among colleagues: the share of colleagues with a lower figure. Lower, "
            "not worse: where a lower figure is better, a small percentile is good."
        ),
        label=N_("Percentile among colleagues"),
    ),
    Definition(
        "robust_z",
        population=_POP,
        time_anchor=_SAME_PERIOD,
        numerator=N_("The manager's figure minus the team median"),
        denominator=N_(
            "1.4826 times the median distance of the colleagues' figures from their median (a "
            "standard deviation that one extreme colleague cannot inflate)"
        ),
        exclusions=N_(
            "Empty when most colleagues share one figure (the median distance is 0) or there "
            "are no colleagues"
        ),
        unit=N_("robust standard deviations"),
        description=N_(
            "How far the manager is from the team; more than 3.5 either way marks an outlier "
            "(the rule of Iglewicz and Hoaglin)."
        ),
        label=N_("Distance from the team (robust z)"),
    ),
    Definition(
        "trend",
        population=N_("One manager's figures, period by period"),
        time_anchor=N_("The latest 3 periods against the 3 periods before them"),
        numerator=N_(
            "The average of the recent periods minus the average of the periods before them "
            "(each period weighs the same; periods without a figure are skipped)"
        ),
        exclusions=N_(
            'Periods without a figure; "insufficient data" when either span has no figure'
        ),
        unit=N_("a word: improving, worsening or flat"),
        description=N_(
            "Flat when the change is at most 5% of the earlier average; otherwise improving or "
            "worsening, depending on which way is better for the metric."
        ),
        label=N_("Trend"),
        kind="label",
    ),
)


def _leave_one_out(values: np.ndarray) -> np.ndarray:
    """Per value: median, count, MAD, #lower and #equal of the OTHER non-NaN values.

    A value that is NaN itself is compared with all non-NaN values of the group.
    """
    out = np.full((len(values), 5), np.nan)
    valid = ~np.isnan(values)
    v = values[valid]
    k = len(v)
    out[:, 1] = np.where(valid, k - 1, k)
    if k:
        med = np.median(v)
        out[~valid, 0] = med
        out[~valid, 2] = np.median(np.abs(v - med))
    if k >= 2:
        # row i of `others` holds v without its i-th element
        j = np.arange(k - 1)
        others = v[j[None, :] + (j[None, :] >= np.arange(k)[:, None])]
        med = np.median(others, axis=1)
        out[valid, 0] = med
        out[valid, 2] = np.median(np.abs(others - med[:, None]), axis=1)
        out[valid, 3] = (others < v[:, None]).sum(axis=1)
        out[valid, 4] = (others == v[:, None]).sum(axis=1)
    return out


def compare_to_team(
    panel: pd.DataFrame,
    metric: str,
    *,
    by: str | None = "period",
    threshold: float = 3.5,
) -> pd.DataFrame:
    """Compare every manager with the other managers, period by period.

    Parameters
    ----------
    panel : DataFrame
        One row per manager x ``by`` value, with columns ``manager``, ``by`` and ``metric``.
        With ``by=None`` it must be a per-manager summary (one row per manager, e.g. the
        metrics of a whole window), and everybody is compared with everybody.
    metric : str
        Column to compare.
    by : str or None
        Grouping column (usually ``period``); ``None`` for a whole-window comparison.
    threshold : float
        ``|robust_z|`` above which a value is flagged as an outlier.

    Returns
    -------
    DataFrame
        ``manager``, [``by``], ``metric``, ``value``, ``team_median``, ``n_others``,
        ``percentile`` (0..100, ties count half), ``robust_z`` (NaN when the others' MAD is
        0), ``outlier`` (nullable bool). Defined in ``workbench.catalogue``.
    """
    keys = [by] if by is not None else []
    require_columns(panel, ["manager", *keys, metric], table="panel")
    base = panel[["manager", *keys, metric]].rename(columns={metric: "value"})
    base = base.astype({"value": "float64"})
    dup = base.duplicated(subset=["manager", *keys], keep=False)
    if dup.any():
        first = base.index[dup][0]
        hint = "" if keys else " (summarise the window first: one row per manager)"
        raise ValueError(
            f"panel has {int(dup.sum())} rows sharing manager{' and ' + by if by else ''}, "
            f"first at row {first!r}{hint}"
        )

    base = base.reset_index(drop=True)
    values = base["value"].to_numpy()
    stats = np.full((len(base), 5), np.nan)  # team_median, n_others, mad, n_lower, n_tie
    groups = base.groupby(keys, sort=False).indices.values() if keys else [np.arange(len(base))]
    for rows in groups:
        stats[rows] = _leave_one_out(values[rows])
    names = ["team_median", "n_others", "mad", "n_lower", "n_tie"]
    stats = pd.DataFrame(stats, columns=names)
    group_keys = ["manager", *keys]
    out = pd.concat([base, stats], axis=1)
    out["n_others"] = out["n_others"].fillna(0).astype("int64")
    has_ref = out["value"].notna() & (out["n_others"] > 0)
    out["percentile"] = (100.0 * (out["n_lower"] + 0.5 * out["n_tie"]) / out["n_others"]).where(
        has_ref
    )
    scale = MAD_SCALE * out["mad"]
    out["robust_z"] = ((out["value"] - out["team_median"]) / scale).where(scale > 0)
    outlier = (out["robust_z"].abs() > threshold).astype("boolean")
    out["outlier"] = outlier.mask(out["robust_z"].isna())
    out.insert(len(group_keys), "metric", metric)
    columns = [*group_keys, "metric", "value", "team_median", "n_others", "percentile"]
    out = out[[*columns, "robust_z", "outlier"]]
    return out.sort_values([*keys, "manager"], ignore_index=True)


def trend(
    panel: pd.DataFrame,
    metric: str,
    *,
    good: Literal["lower", "higher"],
    periods: int = 3,
    rel_tol: float = 0.05,
) -> pd.DataFrame:
    """Label each manager improving / worsening / flat: the last ``periods`` vs the ones before.

    The windows are the panel's last ``periods`` distinct periods and the ``periods`` before
    them, the same calendar for every manager. Each window's figure is the unweighted mean of
    the manager's non-NaN period values (for a rate, the average period, not the pooled rate).

    Parameters
    ----------
    panel : DataFrame
        Columns ``manager``, ``period`` and ``metric``.
    metric : str
        Column to follow.
    good : {"lower", "higher"}
        Which direction is an improvement (``lower`` for ``delinquency_rate``,
        ``talk_mean_min`` under an at_most KPI; ``higher`` for ``won``). Required on purpose.
    periods : int
        Length of each window, in periods.
    rel_tol : float
        A change within ``rel_tol x |previous_mean|`` is ``flat``.

    Returns
    -------
    DataFrame
        One row per manager: ``manager``, ``metric``, ``good``, ``previous_from``,
        ``recent_from``, ``previous_mean``, ``recent_mean``, ``n_previous``, ``n_recent``,
        ``change`` (recent - previous), ``pct_change``, ``trend`` (``improving``,
        ``worsening``, ``flat`` or ``insufficient data``).
    """
    if good not in ("lower", "higher"):
        raise ValueError(f"good must be 'lower' or 'higher', got {good!r}")
    if periods < 1:
        raise ValueError(f"periods must be >= 1, got {periods}")
    require_columns(panel, ["manager", "period", metric], table="panel")
    all_periods = pd.Series(panel["period"].dropna().unique()).sort_values().tolist()
    enough = len(all_periods) >= 2 * periods
    recent = all_periods[-periods:] if enough else []
    previous = all_periods[-2 * periods : -periods] if enough else []

    window = pd.Series(pd.NA, index=panel.index, dtype="str")
    window = window.mask(panel["period"].isin(previous), "previous")
    window = window.mask(panel["period"].isin(recent), "recent")
    values = panel[metric].astype("float64")
    stats = values.groupby([panel["manager"], window]).agg(["mean", "count"]).unstack()
    managers = pd.Index(panel["manager"].dropna().unique(), name="manager")
    stats = stats.reindex(index=managers)

    def _col(stat: str, win: str) -> pd.Series:
        if (stat, win) in stats.columns:
            return stats[(stat, win)]
        return pd.Series(np.nan, index=stats.index)

    out = pd.DataFrame(
        {
            "manager": managers,
            "metric": metric,
            "good": good,
            "previous_from": previous[0] if previous else pd.NaT,
            "recent_from": recent[0] if recent else pd.NaT,
            "previous_mean": _col("mean", "previous").to_numpy(),
            "recent_mean": _col("mean", "recent").to_numpy(),
            "n_previous": _col("count", "previous").fillna(0).astype("int64").to_numpy(),
            "n_recent": _col("count", "recent").fillna(0).astype("int64").to_numpy(),
        }
    )
    out["change"] = out["recent_mean"] - out["previous_mean"]
    out["pct_change"] = (out["change"] / out["previous_mean"]).where(out["previous_mean"] != 0)
    sign = 1.0 if good == "higher" else -1.0
    improving = sign * out["change"] > 0
    label = np.where(improving, "improving", "worsening")
    label = np.where(out["change"].abs() <= rel_tol * out["previous_mean"].abs(), "flat", label)
    label = np.where(out["change"].isna(), "insufficient data", label)
    out["trend"] = pd.Series(label, index=out.index, dtype="str")
    return out.sort_values("manager", ignore_index=True)
