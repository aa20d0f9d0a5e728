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
    "newcombe_bounds",
    "power_two_proportions",
    "detectable_change",
    "benjamini_hochberg",
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


def _scipy_stats():
    """``scipy.stats``, imported on first use: it costs ~1 s, and ``import workbench`` (each
    report worker process, each ``workbench`` command) must not pay it for nothing."""
    from scipy import stats

    return stats


def _vec_cdf(z) -> np.ndarray:
    """Standard normal CDF over an array (NaN stays NaN)."""
    from scipy import special  # here, not at the top: see _scipy_stats

    return special.ndtr(np.asarray(z, dtype="float64"))


def newcombe_bounds(x1, n1, x2, n2, *, alpha: float = 0.05):
    """Newcombe's hybrid score interval of ``x2/n2 - x1/n1`` alone: ``(low, high)``, arrays."""
    l1, u1 = (np.asarray(v) for v in wilson_interval(x1, n1, alpha=alpha))
    l2, u2 = (np.asarray(v) for v in wilson_interval(x2, n2, alpha=alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = np.asarray(x1) / np.asarray(n1), np.asarray(x2) / np.asarray(n2)
        d = p2 - p1
        return d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt(
            (u2 - p2) ** 2 + (p1 - l1) ** 2
        )


def _support(n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Counts of Binomial(n, p) holding all but ~1e-10 of the mass, and their probabilities."""
    stats = _scipy_stats()
    lo, hi = stats.binom.ppf(1e-11, n, p), stats.binom.isf(1e-11, n, p)
    x = np.arange(int(max(lo, 0)), int(min(hi, n)) + 1)
    return x, stats.binom.pmf(x, n, p)


def power_two_proportions(p1: float, p2: float, n1: int, n2: int, *, alpha: float = 0.05,
                          direction: str = "two-sided") -> float:  # fmt: skip
    """Exact power of the Newcombe comparison when the true rates are ``p1`` and ``p2``.

    The probability, summed over every pair of binomial counts, that Newcombe's
    ``1 - alpha`` interval of ``p2 - p1`` excludes zero (``direction="rise"``: lies above
    zero; ``"fall"``: below). This is the test the case wording applies ("rose" = interval
    above zero), so no normal approximation is involved.
    """
    n1, n2 = int(n1), int(n2)
    if n1 <= 0 or n2 <= 0:
        return float("nan")
    x1, w1 = _support(n1, p1)
    x2, w2 = _support(n2, p2)
    low, high = newcombe_bounds(x1[:, None], n1, x2[None, :], n2, alpha=alpha)
    if direction == "rise":
        hit = low > 0
    elif direction == "fall":
        hit = high < 0
    else:
        hit = (low > 0) | (high < 0)
    return float(np.sum(w1[:, None] * w2[None, :] * hit))


def detectable_change(n1, n2, p, *, direction: str, alpha: float = 0.05, power: float = 0.8,
                      method: str = "exact") -> float:  # fmt: skip
    """The smallest rise (or fall) from rate ``p`` seen with probability ``power``.

    Unlike :func:`minimum_detectable_effect`, which uses the baseline variance for both
    windows and so is symmetric, this answers the question per direction: near 0 a rise
    needs a larger step than a fall (the after rate's variance grows with it).

    Parameters
    ----------
    n1, n2 : int
        Units before and after.
    p : float
        The before rate.
    direction : {"rise", "fall"}
    method : {"exact", "arcsine"}
        ``"exact"``: the step at which :func:`power_two_proportions` (one side of the
        Newcombe interval) reaches ``power``, by bisection. ``"arcsine"``: Cohen's ``h``,
        ``asin(sqrt(p2)) = asin(sqrt(p)) +- (z_{1-alpha/2} + z_power) sqrt(1/n1 + 1/n2) / 2``
        (normal approximation on the variance-stabilised scale).

    Returns
    -------
    float
        The step as a positive fraction (0.083 = 8.3 points); NaN when no rate within
        [0, 1] reaches the power or a window is empty.
    """
    if direction not in ("rise", "fall"):
        raise ValueError(f"direction must be 'rise' or 'fall', got {direction!r}")
    if method not in ("exact", "arcsine"):
        raise ValueError(f"method must be 'exact' or 'arcsine', got {method!r}")
    n1, n2, p = float(n1), float(n2), float(p)
    if not (n1 > 0 and n2 > 0 and 0 <= p <= 1):
        return float("nan")
    sign = 1.0 if direction == "rise" else -1.0
    if method == "arcsine":
        h = mde_factor(alpha, power) * np.sqrt(1 / n1 + 1 / n2)
        angle = np.arcsin(np.sqrt(p)) + sign * h / 2
        if not 0 <= angle <= np.pi / 2:
            return float("nan")
        return float(abs(np.sin(angle) ** 2 - p))
    room = 1.0 - p if direction == "rise" else p

    def pw(step: float) -> float:
        return power_two_proportions(p, p + sign * step, n1, n2, alpha=alpha,
                                     direction=direction)  # fmt: skip

    if room <= 0 or pw(room) < power:
        return float("nan")
    lo, hi = 0.0, room
    for _ in range(40):
        mid = (lo + hi) / 2
        if pw(mid) >= power:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-5:
            break
    return float(hi)


def benjamini_hochberg(p_values, *, q: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg: which of many tests to report at false discovery rate ``q``.

    When a coach reads many cases at once, some will look real by chance; BH keeps the
    expected share of false claims among the claimed ones at most ``q`` (for independent
    or positively dependent tests). NaN p-values are left out (never rejected, NaN
    adjusted value).

    Returns
    -------
    (adjusted, rejected) : ndarray of float, ndarray of bool
        Adjusted p-values ``min_{j >= i} m p_(j) / j`` (capped at 1), in the input order, and
        ``adjusted <= q``.
    """
    p = np.asarray(p_values, dtype="float64")
    adjusted = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m:
        pv = p[ok]
        order = np.argsort(pv, kind="stable")
        ranked = pv[order] * m / np.arange(1, m + 1)
        ranked = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
        out = np.empty(m)
        out[order] = ranked
        adjusted[ok] = out
    return adjusted, np.where(ok, adjusted <= q, False)


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
