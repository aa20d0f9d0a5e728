"""Peer comparisons on units: difference in differences, and the same at placebo dates.

:func:`diff_in_diff` subtracts what moved the untreated colleagues from the treated
manager's change; :func:`placebo_test` repeats it at dates when nothing changed, to see
whether the real date stands out. Conventions (units, windows, alpha):
:mod:`workbench.stats`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.metrics.periods import period_range
from workbench.stats.resampling import (
    bootstrap_interval,
    bootstrap_means,
    bootstrap_p_value,
    change_date_index,
    check_options,
    excludes_zero,
    prepare_units,
)

__all__ = ["DiffInDiff", "Placebo", "diff_in_diff", "placebo_test"]


@dataclass(frozen=True, eq=False)
class DiffInDiff:
    """What :func:`diff_in_diff` returns.

    Attributes
    ----------
    table : DataFrame
        One row: the four cells, their changes and the estimate (see :func:`diff_in_diff`).
    set_aside : dict[str, int]
        Units left out: ``missing_value`` and ``missing_time`` (as in ``BeforeAfter``).
    """

    table: pd.DataFrame
    set_aside: dict[str, int]


@dataclass(frozen=True, eq=False)
class Placebo:
    """What :func:`placebo_test` returns.

    Attributes
    ----------
    table : DataFrame
        One row per date, the real one first (see :func:`placebo_test`).
    share_as_extreme : float
        Share of placebo dates whose estimate is at least as extreme as the real one (a
        permutation-style p-value); NaN without a placebo date.
    set_aside : dict[str, int]
        Units left out: ``missing_value`` and ``missing_time``.
    """

    table: pd.DataFrame
    share_as_extreme: float
    set_aside: dict[str, int]


_CELL_NAMES = ("treated_before", "treated_after", "control_before", "control_after")


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
) -> DiffInDiff:
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
    DiffInDiff
        ``table``, one row: ``change_date``, ``n_treated_before``, ``n_treated_after``,
        ``n_control_before``, ``n_control_after``, ``treated_before``, ``treated_after``,
        ``treated_change``, ``control_before``, ``control_after``, ``control_change``,
        ``did``, ``did_low``, ``did_high``, ``p_value``, ``significant``; ``set_aside``
        counts rows without value or time.
    """
    check_options(ci, None, n_boot)
    data, set_aside = prepare_units(units, value, time, extra=(group,))
    tz = units[time].dt.tz
    date = change_date_index(change_date, tz)[0]
    start = None if start is None else change_date_index(start, tz)[0]
    end = None if end is None else change_date_index(end, tz)[0]
    cells = _did_cells(data, _treated_mask(data[group], treated), date, start, end)
    values = data["_value"].to_numpy()
    means = _cell_means(values, cells)
    rng = np.random.default_rng(seed)
    tb, ta, cb, ca = (bootstrap_means(values[c], None, n_boot, rng) for c in cells)
    boot = (ta - tb) - (ca - cb)
    did = (means[1] - means[0]) - (means[3] - means[2])
    lo, hi = bootstrap_interval(did, boot, alpha, ci)
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
            "p_value": [bootstrap_p_value(boot)],
        }
    )
    out["significant"] = excludes_zero(out["did_low"], out["did_high"])
    return DiffInDiff(table=out, set_aside=set_aside)


def _month_starts(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DatetimeIndex:
    """Month starts strictly after ``lo`` and at or before ``hi`` (in their tz)."""
    return period_range(lo, hi, period="month", tz=lo.tz)[1:]


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
) -> Placebo:
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
    Placebo
        ``table``: one row per date, the real one first: ``change_date``, ``kind`` ("real"
        or "placebo"), ``n_treated_before``, ``n_treated_after``, ``n_control_before``,
        ``n_control_after``, ``treated_change``, ``control_change``, ``did``,
        ``as_extreme`` (placebo rows: ``|did| >= |real did|``). ``share_as_extreme``
        is the share of placebo dates at least as extreme as the real one (a permutation-
        style p-value; with few placebo dates it cannot be small: 11 dates give >= 1/11).
        ``set_aside`` counts rows without value or time.
    """
    data, set_aside = prepare_units(units, value, time, extra=(group,))
    tz = units[time].dt.tz
    real = change_date_index(change_date, tz)[0]
    is_treated = _treated_mask(data[group], treated)
    values = data["_value"].to_numpy()
    t = data["_time"]
    if fake_dates is None:
        candidates = _month_starts(t.min(), t.max()) if len(t) else pd.DatetimeIndex([], tz=tz)
        candidates = candidates[candidates != real]
        explicit = False
    else:
        candidates = change_date_index(fake_dates, tz)
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
    share = float(share) if np.isfinite(share) else np.nan
    return Placebo(table=out, share_as_extreme=share, set_aside=set_aside)
