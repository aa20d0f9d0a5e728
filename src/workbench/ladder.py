"""Target ladder: a path of achievable KPI steps from a manager's level to the team norm.

A KPI far from a manager's habit is ignored; a sequence of small steps is not. Case B in
the article went 32 -> 27 -> 22 minutes of mean talk time in steps of about 16 %.

Rule (deterministic, documented so coaches can redo it by hand)
-----------------------------------------------------------------
- Start from ``current`` (default: the mean of the manager's recent unit values).
- Each rung is the previous level times ``1 - max_step`` (``at_most``) or ``1 + max_step``
  (``at_least``), rounded to the nearest multiple of ``round_to``. The next rung starts
  from the rounded value, because that is the number the manager was given.
- A rung always moves toward the norm (if rounding would leave it in place, it goes to the
  next multiple of ``round_to``) and never passes the norm: the last rung is the norm.
- Rounding can make a realised step slightly larger than ``max_step`` (32 -> 27 is 15.6 %
  with ``max_step=0.15``); ``step_size`` shows the realised step.
  With ``current=32`` and ``team_norm=15``: ``max_step=0.15`` gives 32, 27, 23, 20, 17, 15;
  ``max_step=0.17`` gives the article's 32, 27, 22, then 18, 15.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["target_ladder"]

_MAX_RUNGS = 100


def target_ladder(
    values,
    *,
    current: float | None = None,
    team_norm: float,
    max_step: float = 0.15,
    direction: str = "at_most",
    round_to: float = 1.0,
) -> pd.DataFrame:
    """Steps from the current level toward the team norm, each with the share of units breaching.

    Parameters
    ----------
    values : array-like of float
        The manager's recent unit values in the KPI's unit (e.g. talk minutes of each
        connected call of the last three months). For a rate KPI pass per-period rates
        (e.g. monthly delinquency): 0/1 units would make every rung's breach share equal
        to the rate itself. Missing
        values are set aside and counted in ``attrs["set_aside"]``.
    current : float, optional
        Starting level; default the mean of ``values``.
    team_norm : float
        Where the ladder ends (e.g. the colleagues' median of the metric).
    max_step : float
        Largest relative step between rungs before rounding, in (0, 1).
    direction : {"at_most", "at_least"}
        ``at_most``: lower is better (talk time, delinquency); ``at_least``: higher is better.
    round_to : float
        Targets are multiples of this (1.0 minute; use 0.01 for rates).

    Returns
    -------
    DataFrame
        One row per rung, ``step`` 0 being the current level: ``step``, ``target``,
        ``step_size`` (relative change from the previous rung, signed; NaN at step 0),
        ``share_breaching`` (share of ``values`` above the target for ``at_most``, below it
        for ``at_least``: the units that would have missed this rung), ``n_units``.
    """
    if direction not in ("at_most", "at_least"):
        raise ValueError(f"direction must be 'at_most' or 'at_least', got {direction!r}")
    if not 0 < max_step < 1:
        raise ValueError(f"max_step must be between 0 and 1, got {max_step!r}")
    if round_to <= 0:
        raise ValueError(f"round_to must be positive, got {round_to!r}")
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="raise"), dtype="float64")
    missing = int(np.isnan(v).sum())
    v = v[~np.isnan(v)]
    if current is None:
        if len(v) == 0:
            raise ValueError("values: no usable values to take the current level from")
        current = float(v.mean())

    levels = _rungs(float(current), float(team_norm), max_step, direction, round_to)
    targets = np.array(levels)
    if direction == "at_most":
        breach = (v[None, :] > targets[:, None]).mean(axis=1) if len(v) else np.nan
    else:
        breach = (v[None, :] < targets[:, None]).mean(axis=1) if len(v) else np.nan
    step_size = np.r_[np.nan, targets[1:] / targets[:-1] - 1.0]
    out = pd.DataFrame(
        {
            "step": np.arange(len(targets)),
            "target": targets,
            "step_size": step_size,
            "share_breaching": breach,
            "n_units": len(v),
        }
    )
    out.attrs["set_aside"] = {"missing_value": missing}
    return out


def _rungs(current: float, norm: float, max_step: float, direction: str, unit: float) -> list:
    sign = -1.0 if direction == "at_most" else 1.0
    levels = [current]
    level = current
    # already at or beyond the norm: nothing to climb
    while sign * (norm - level) > 0 and len(levels) <= _MAX_RUNGS:
        nxt = np.round(level * (1.0 + sign * max_step) / unit) * unit
        if sign * (nxt - level) <= 1e-12:
            nxt = _next_multiple(level, unit, sign)
        if sign * (nxt - norm) >= 0:
            nxt = norm
        levels.append(float(nxt))
        level = nxt
    return levels


def _next_multiple(level: float, unit: float, sign: float) -> float:
    """The first multiple of ``unit`` strictly beyond ``level`` toward the norm."""
    k = np.ceil(level / unit - 1e-9) - 1 if sign < 0 else np.floor(level / unit + 1e-9) + 1
    return float(k * unit)
