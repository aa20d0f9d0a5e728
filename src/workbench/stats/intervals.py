"""Closed-form intervals and tests for proportions, and the plain words for a change.

Wilson intervals, Newcombe's interval of a difference with the pooled z-test, the minimum
detectable effect, and :func:`describe_change`, whose wording follows the interval. No
resampling here: these are exact formulas, fast on arrays (see :mod:`workbench.stats`
for the shared conventions).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

__all__ = [
    "wilson_interval",
    "compare_proportions",
    "minimum_detectable_effect",
    "describe_change",
    "critical_z",
    "mde_factor",
]

_NORMAL = NormalDist()


def critical_z(alpha: float) -> float:
    """Two-sided critical value of the standard normal: ``z_{1 - alpha/2}`` (1.96 at 0.05)."""
    return _NORMAL.inv_cdf(1.0 - alpha / 2.0)


def mde_factor(alpha: float, power: float) -> float:
    """``z_{1-alpha/2} + z_power``: standard errors between zero and a detectable change."""
    return critical_z(alpha) + _NORMAL.inv_cdf(power)


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
    z = critical_z(alpha)
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
    factor = mde_factor(alpha, power)
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
        ``change_low``, ``change_high`` of :func:`workbench.stats.rate_before_after`).
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
