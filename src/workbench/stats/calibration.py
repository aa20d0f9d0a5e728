"""Do the case intervals keep their promise? Coverage and false positives by simulation.

A department shaped like the sample (10 managers, 12 months, the KPI for one manager from
month 6; about 35 due tasks and 130 connected calls a month per manager) is simulated with
or without month-to-month swings per manager (a logit SD ``late_swing`` for the share of
late tasks, a log SD ``talk_swing`` for talk time). For each interval the cases use, the
share of replications whose interval covers the true change (with an effect) and the share
that call a change significant when there is none (without one) are counted.

Unit-level intervals are taken in closed form (Newcombe for the rate; the normal interval
of a difference of means, which the unit bootstrap approximates; the same for the DiD), so
that hundreds of replications run in seconds. ``benchmarks/calibration.py`` prints the
table; a seeded short run is part of the test suite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from workbench.stats.intervals import critical_z, newcombe_bounds
from workbench.stats.monthly import monthly_before_after, monthly_diff_in_diff, monthly_differences
from workbench.stats.peers import colleague_placebo

__all__ = ["simulate_department", "calibrate"]

_MONTHS = pd.date_range("2025-11-01", periods=12, freq="MS", tz="UTC")
_CHANGE = _MONTHS[6]
_MONTH_US = _MONTHS.tz_localize(None).to_numpy().astype("datetime64[us]").astype("int64")


def simulate_department(
    rng: np.random.Generator, *, effect: float, kind: str, swing: float, managers: int = 10
) -> pd.DataFrame:
    """One simulated department: units of ``kind`` "rate" (0/1 late) or "mean" (talk min).

    Manager ``m0`` is treated from month 6 on: ``effect`` is added to the late probability
    (rate) or to the expected talk minutes (mean). ``swing`` is the month-level SD (logit for
    the rate, log factor for talk time) of each manager's months.
    """
    rows_m, rows_t, rows_v = [], [], []
    for i in range(managers):
        base = rng.uniform(0.15, 0.45) if kind == "rate" else rng.uniform(8.0, 30.0)
        shifts = rng.normal(0.0, swing, 12)
        for k, start in enumerate(_MONTH_US):  # each month's start in microseconds
            after = i == 0 and k >= 6
            if kind == "rate":
                n = rng.poisson(35)
                p = np.clip(expit(logit(base) + shifts[k]) + (effect if after else 0.0), 0, 1)
                v = (rng.random(n) < p).astype("float64")
            else:
                n = rng.poisson(130)
                mean = base * np.exp(shifts[k]) + (effect if after else 0.0)
                v = rng.lognormal(0.0, 0.75, n) / np.exp(0.75**2 / 2) * mean
            rows_m += [f"m{i}"] * n
            rows_t.append(start + rng.integers(0, 27 * 86400, n) * 1_000_000)
            rows_v.append(v)
    # whole seconds after the month's start, added as integers: the same instants as pandas
    # arithmetic on each month's Timestamp, without 120 Timestamp round trips per department
    times = pd.DatetimeIndex(np.concatenate(rows_t).astype("datetime64[us]")).tz_localize("UTC")
    return pd.DataFrame({"manager": rows_m, "time": times,
                         "value": np.concatenate(rows_v)})  # fmt: skip


def _unit_did(units: pd.DataFrame, alpha: float) -> tuple[float, float]:
    t = (units["manager"] == "m0").to_numpy()
    a = (units["time"] >= _CHANGE).to_numpy()
    v = units["value"].to_numpy()
    cells = [v[t & ~a], v[t & a], v[~t & ~a], v[~t & a]]
    did = (cells[1].mean() - cells[0].mean()) - (cells[3].mean() - cells[2].mean())
    half = critical_z(alpha) * np.sqrt(sum(c.var(ddof=1) / len(c) for c in cells))
    return did - half, did + half


def _unit_before_after(units: pd.DataFrame, kind: str, alpha: float) -> tuple[float, float]:
    mine = units.loc[units["manager"] == "m0"]
    a = (mine["time"] >= _CHANGE).to_numpy()
    v = mine["value"].to_numpy()
    if kind == "rate":
        low, high = newcombe_bounds(v[~a].sum(), (~a).sum(), v[a].sum(), a.sum(), alpha=alpha)
        return float(low), float(high)
    d = v[a].mean() - v[~a].mean()
    half = critical_z(alpha) * np.sqrt(v[a].var(ddof=1) / a.sum() + v[~a].var(ddof=1) / (~a).sum())
    return d - half, d + half


def calibrate(
    reps: int,
    *,
    kind: str,
    swing: float,
    effect: float,
    seed: int = 0,
    alpha: float = 0.05,
    placebo: bool = False,
) -> pd.DataFrame:
    """Coverage (with ``effect``) and false-positive rate (with no effect) of each interval.

    Returns
    -------
    DataFrame
        One row per interval: ``interval``, ``coverage`` (share of intervals holding the
        true change ``effect``), ``false_positive`` (share excluding 0 when the true change
        is 0), ``reps``. With ``placebo``, a row ``colleague placebo (p <= 0.1)`` gives the
        share of null replications in which the colleague placebo calls the change
        standing out (its nominal level is 0.1); it has no coverage.
    """
    rng = np.random.default_rng(seed)
    names = ("before/after, units", "before/after, months", "DiD, units", "DiD, monthly diffs")
    cover = dict.fromkeys(names, 0)
    false = dict.fromkeys(names, 0)
    stands = 0
    for true, counts in ((effect, cover), (0.0, false)):
        for _ in range(reps):
            units = simulate_department(rng, effect=true, kind=kind, swing=swing)
            ba = monthly_before_after(units, value="value", time="time", change_dates=_CHANGE,
                                      manager="m0", alpha=alpha).iloc[1]  # fmt: skip
            diffs = monthly_differences(units, value="value", time="time", group="manager",
                                        treated="m0")  # fmt: skip
            did = monthly_diff_in_diff(diffs, change_date=_CHANGE, alpha=alpha)
            found = {
                names[0]: _unit_before_after(units, kind, alpha),
                names[1]: (ba["change_low"], ba["change_high"]),
                names[2]: _unit_did(units, alpha),
                names[3]: (did["did_low"], did["did_high"]),
            }
            for name, (low, high) in found.items():
                hit = low <= true <= high
                counts[name] += hit if true != 0 else not hit
            if placebo and true == 0:
                controls = [f"m{i}" for i in range(1, 10)]
                pl = colleague_placebo(
                    units, value="value", time="time", group="manager", treated="m0",
                    controls=controls, change_date=_CHANGE,
                )  # fmt: skip
                stands += pl.p_value <= 0.1
    rows = [{"interval": n, "coverage": cover[n] / reps, "false_positive": false[n] / reps,
             "reps": reps} for n in names]  # fmt: skip
    if placebo:
        rows.append({"interval": "colleague placebo (p <= 0.1)", "coverage": np.nan,
                     "false_positive": stands / reps, "reps": reps})  # fmt: skip
    return pd.DataFrame(rows).astype({"interval": "str"})
