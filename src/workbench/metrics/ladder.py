"""Target ladder: a path of achievable KPI steps from a manager's level to the team norm.

A KPI far from a manager's habit is ignored; a sequence of small steps is not. Case B in
the article went 32 -> 27 -> 22 minutes of mean talk time: steps of 15.6 % and 18.5 %.

Rule (deterministic, documented so coaches can redo it by hand)
-----------------------------------------------------------------
- Start from ``current`` (default: the mean of the manager's recent unit values).
- Each rung is the previous level times ``1 - max_step`` (``at_most``) or ``1 + max_step``
  (``at_least``), rounded to a multiple of ``round_to`` TOWARD the previous level (up for
  ``at_most``, down for ``at_least``): the largest step on the grid that is not larger
  than ``max_step``. So no step exceeds ``max_step`` (up to float rounding, 1e-9).
  The next rung starts from the rounded value, the number the manager was given.
- When the norm is within one ``max_step`` of the level, the next rung is the norm and the
  ladder ends there.
- When no multiple of ``round_to`` lies between the level and one ``max_step`` from it
  (``round_to`` too coarse for the level), the ladder stops short of the norm:
  ``reaches_norm`` of the :class:`Ladder` is False and its ``note`` says why.

With ``current=32`` and ``team_norm=15`` (``round_to=1``): ``max_step=0.15`` gives
32, 28, 24, 21, 18, 16, 15; ``max_step=0.2`` gives 32, 26, 21, 17, 15. The article's
32, 27, 22 is what this rule gives for ``max_step`` from 0.1852 (22/27 - 1) to just below
0.1875 (26/32 - 1); no round value reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Ladder", "target_ladder"]

_MAX_RUNGS = 100


@dataclass(frozen=True, eq=False)
class Ladder:
    """What :func:`target_ladder` returns.

    Attributes
    ----------
    table : DataFrame
        One row per rung (see :func:`target_ladder`).
    reaches_norm : bool
        Whether the last rung is the team norm.
    note : str
        Why the ladder stops short of the norm; ``""`` when it reaches it.
    set_aside : dict[str, int]
        ``missing_value``: values without a number, left out of ``share_breaching``.
    """

    table: pd.DataFrame
    reaches_norm: bool
    note: str
    set_aside: dict[str, int]


def target_ladder(
    values,
    *,
    current: float | None = None,
    team_norm: float,
    max_step: float = 0.15,
    direction: str = "at_most",
    round_to: float = 1.0,
) -> Ladder:
    """Steps from the current level toward the team norm, each with the share of units breaching.

    Parameters
    ----------
    values : array-like of float
        The manager's recent unit values in the KPI's unit (e.g. talk minutes of each
        connected call of the last three months). For a rate KPI pass per-period rates
        (e.g. monthly delinquency): 0/1 units would make every rung's breach share equal
        to the rate itself. Missing
        values are set aside and counted in ``set_aside``.
    current : float, optional
        Starting level; default the mean of ``values``.
    team_norm : float
        Where the ladder ends (e.g. the colleagues' median of the metric).
    max_step : float
        Largest relative step between rungs, in (0, 1); rounding never makes a step larger.
    direction : {"at_most", "at_least"}
        ``at_most``: lower is better (talk time, delinquency); ``at_least``: higher is better.
    round_to : float
        Targets are multiples of this (1.0 minute; use 0.01 for rates).

    Returns
    -------
    Ladder
        ``table``: one row per rung, ``step`` 0 being the current level: ``step``, ``target``,
        ``step_size`` (relative change from the previous rung, signed; NaN at step 0),
        ``share_breaching`` (share of ``values`` above the target for ``at_most``, below it
        for ``at_least``: the units that would have missed this rung), ``n_units``.
        ``reaches_norm`` (bool), ``note`` (why not, else ``""``) and ``set_aside``.
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

    levels, reaches = _rungs(float(current), float(team_norm), max_step, direction, round_to)
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
    note = (
        ""
        if reaches
        else f"stops at {levels[-1]:g}: no multiple of {round_to:g} lies within one step of "
        f"{max_step:g} from it; use a finer round_to or a larger max_step to reach "
        f"{team_norm:g}"
    )
    return Ladder(
        table=out, reaches_norm=bool(reaches), note=note, set_aside={"missing_value": missing}
    )


def _rungs(current: float, norm: float, max_step: float, direction: str, unit: float):
    """The rungs, and whether they reach the norm (see the module notes for the rule)."""
    sign = -1.0 if direction == "at_most" else 1.0
    levels = [current]
    level = current
    # already at or beyond the norm: nothing to climb
    while sign * (norm - level) > 0 and len(levels) <= _MAX_RUNGS:
        reach = level * (1.0 + sign * max_step)
        if sign * (norm - reach) <= 0:
            levels.append(float(norm))
            return levels, True
        # toward the level: ceil for at_most, floor for at_least (1e-9 absorbs float noise)
        k = np.ceil(reach / unit - 1e-9) if sign < 0 else np.floor(reach / unit + 1e-9)
        nxt = float(np.round(k * unit, 12))
        if sign * (nxt - level) <= 1e-12:
            return levels, False
        levels.append(nxt)
        level = nxt
    return levels, sign * (norm - level) <= 0
