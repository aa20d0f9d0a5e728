"""Peer comparisons on units: difference in differences, and the same at placebo dates.

:func:`diff_in_diff` subtracts what moved the untreated colleagues from the treated
manager's change; :func:`placebo_test` repeats it at dates when nothing changed, to see
whether the real date stands out, and :func:`colleague_placebo` gives each untreated
colleague the KPI date to rank the treated manager among them. Conventions (units, windows, alpha):
:mod:`workbench.stats`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.stats.monthly import monthly_diff_in_diff, monthly_differences
from workbench.stats.resampling import (
    bootstrap_interval,
    bootstrap_means,
    bootstrap_p_value,
    change_date_index,
    check_options,
    excludes_zero,
    prepare_units,
)

__all__ = ["DiffInDiff", "Placebo", "diff_in_diff", "placebo_test", "colleague_placebo"]


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
    """What :func:`placebo_test` and :func:`colleague_placebo` return.

    Attributes
    ----------
    table : DataFrame
        One row per date (or colleague), the real one first.
    n_placebo : int
        Placebo comparisons made (``N``).
    as_extreme : int
        Placebos whose estimate is at least as large (in absolute value) as the real one
        (``k``).
    p_value : float
        ``(1 + k) / (1 + N)``: the real comparison ranked among itself and the placebos,
        ties counted against it. An honest permutation p-value; NaN without placebos.
    smallest_p : float
        ``1 / (1 + N)``: the smallest p-value these placebos can give. With 7 placebo
        dates nothing can reach 0.1.
    share_as_extreme : float
        ``k / N`` (kept for older readers; not a p-value).
    set_aside : dict[str, int]
        Units left out: ``missing_value`` and ``missing_time``.
    """

    table: pd.DataFrame
    n_placebo: int
    as_extreme: int
    p_value: float
    smallest_p: float
    share_as_extreme: float
    set_aside: dict[str, int]

    @classmethod
    def empty(cls, columns) -> Placebo:
        """No placebo comparison (no control group, or no date that fits)."""
        return cls(pd.DataFrame(columns=list(columns)), 0, 0, np.nan, np.nan, np.nan, {})


def _placebo_result(table: pd.DataFrame, set_aside: dict) -> Placebo:
    """Mark ``as_extreme`` and compute ``(1 + k) / (1 + N)`` from a real-first table."""
    real = abs(table["did"].iloc[0]) if len(table) else np.nan
    extreme = pd.Series(table["did"].abs() >= real, dtype="boolean")
    table["as_extreme"] = extreme.mask((table["kind"] == "real") | table["did"].isna())
    placebos = table.loc[(table["kind"] != "real") & table["did"].notna()]
    n = len(placebos)
    k = int(placebos["as_extreme"].astype(bool).sum()) if n else 0
    ok = n > 0 and np.isfinite(real)
    return Placebo(
        table=table, n_placebo=n, as_extreme=k,
        p_value=(1 + k) / (1 + n) if ok else np.nan,
        smallest_p=1 / (1 + n) if n else np.nan,
        share_as_extreme=k / n if ok else np.nan, set_aside=set_aside,
    )  # fmt: skip


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


def placebo_test(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    group: str,
    treated: str,
    change_date,
    controls=None,
    fake_dates=None,
    before_months: int | None = None,
    after_months: int | None = None,
    period: str = "month",
) -> Placebo:
    """The monthly difference in differences at dates when nothing changed.

    If the KPI caused the change, the real date's estimate should be larger than at dates
    when nothing happened. Each placebo date gets windows of the real windows' length
    (``before_months`` before it, ``after_months`` from it on) lying wholly before the real
    date or wholly from it on, so placebos compare like with like and the real effect
    cannot leak into one. The statistic is :func:`workbench.stats.monthly.
    monthly_diff_in_diff` (each month weighs the same).

    Parameters
    ----------
    units, value, time, group, treated, change_date
        As in :func:`diff_in_diff` (``treated`` one manager).
    controls : list of str, optional
        Colleagues compared with (default: every other group).
    fake_dates : list of dates, optional
        Placebo dates; default every month start whose windows fit in the data.
    before_months, after_months : int, optional
        Window lengths; default the real ones (months with data before the real date, and
        from it on). When given, the real comparison is limited to them too.

    Returns
    -------
    Placebo
        ``table``: ``change_date``, ``kind`` ("real", "placebo"), ``months_before``,
        ``months_after``, ``treated_change``, ``control_change``, ``did``, ``as_extreme``;
        ``p_value = (1 + k) / (1 + N)`` and ``smallest_p = 1 / (1 + N)``.
    """
    data, set_aside = prepare_units(units, value, time, extra=(group,))
    diffs = monthly_differences(units, value=value, time=time, group=group, treated=treated,
                                controls=controls, period=period)  # fmt: skip
    tz = units[time].dt.tz
    real = change_date_index(change_date, tz)[0]
    months = pd.DatetimeIndex(diffs["period"])
    nb = int((months < real).sum()) if before_months is None else before_months
    na = int((months >= real).sum()) if after_months is None else after_months
    have = set(months)

    def window(date: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
        return date - pd.DateOffset(months=nb), date + pd.DateOffset(months=na)

    def fits(date: pd.Timestamp) -> bool:
        lo, hi = window(date)
        if not (hi <= real or lo >= real):
            return False
        need = pd.date_range(lo, hi, freq="MS", inclusive="left", tz=tz)
        return len(need) == nb + na and all(m in have for m in need)

    if fake_dates is None:
        candidates = [d for d in months if d != real and fits(d)]
    else:
        candidates = list(change_date_index(fake_dates, tz))
    rows = []
    given = before_months is not None or after_months is not None
    for kind, date in [("real", real)] + [("placebo", d) for d in candidates]:
        # the real comparison uses all its months unless window lengths were given
        lo, hi = window(date) if kind == "placebo" or given else (None, None)
        r = monthly_diff_in_diff(diffs, change_date=date, start=lo, end=hi)
        rows.append({"change_date": date, "kind": kind, **{k: r[k] for k in _PLACEBO_KEYS}})
    out = pd.DataFrame(rows)
    out["change_date"] = pd.Series(list(out["change_date"]), dtype=pd.DatetimeTZDtype(tz=tz))
    out["kind"] = out["kind"].astype("str")
    return _placebo_result(out, set_aside)


_PLACEBO_KEYS = ("months_before", "months_after", "treated_change", "control_change", "did")


def colleague_placebo(
    units: pd.DataFrame,
    *,
    value: str,
    time: str,
    group: str,
    treated: str,
    controls,
    change_date,
    period: str = "month",
) -> Placebo:
    """Each untreated colleague given the KPI date: where does the treated manager rank?

    For every colleague the monthly difference in differences at the real date is computed
    against the other colleagues (the treated manager left out), as if that colleague had
    got the KPI. If the KPI did something, the treated manager's estimate should be larger
    than all of theirs: ``p = (1 + k) / (1 + N)`` with ``k`` the colleagues at least as
    large (absolute value) and ``N`` the colleagues; the manager's rank is ``1 + k``.

    Returns
    -------
    Placebo
        ``table``: ``manager`` (colleagues anonymised as "colleague 1", ...), ``kind``
        ("real", "colleague"), ``months_before``, ``months_after``, ``treated_change``,
        ``control_change``, ``did``, ``as_extreme``.
    """
    _, set_aside = prepare_units(units, value, time, extra=(group,))
    controls = [c for c in controls if c != treated]
    rows = []
    real = monthly_differences(units, value=value, time=time, group=group, treated=treated,
                               controls=controls, period=period)  # fmt: skip
    r = monthly_diff_in_diff(real, change_date=change_date)
    rows.append({"manager": treated, "kind": "real", **{k: r[k] for k in _PLACEBO_KEYS}})
    others = units.loc[units[group] != treated]
    for i, c in enumerate(controls, start=1):
        rest = [o for o in controls if o != c]
        if len(rest) == 0:
            continue
        d = monthly_differences(others, value=value, time=time, group=group, treated=c,
                                controls=rest, period=period)  # fmt: skip
        r = monthly_diff_in_diff(d, change_date=change_date)
        rows.append({"manager": f"colleague {i}", "kind": "colleague",
                     **{k: r[k] for k in _PLACEBO_KEYS}})  # fmt: skip
    out = pd.DataFrame(rows).astype({"manager": "str", "kind": "str"})
    return _placebo_result(out, set_aside)
