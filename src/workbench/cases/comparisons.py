"""Before/after comparisons of a case's counts and shares, each with its interval.

:func:`count_change` compares a count per whole period (completed tasks, leads);
:func:`rate_test` two rates with the MDE and a sentence; :func:`guardrail_change` the
guardrail shares before vs while the KPI was in force.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.cases.text import change_words, scaled
from workbench.cases.windows import parse_change_dates, whole_periods
from workbench.i18n import N_, _, percent
from workbench.stats import (
    compare_proportions,
    detectable_change,
    minimum_detectable_effect,
)
from workbench.stats.intervals import critical_z

__all__ = ["IN_FORCE", "LAST_STEP", "count_change", "rate_test", "guardrail_change"]

#: The two "after" windows of :func:`count_change` (their labels; translated where shown).
IN_FORCE = N_("KPI in force")
LAST_STEP = N_("last step")


def count_change(
    panel: pd.DataFrame,
    *,
    manager: str,
    column: str,
    change_dates,
    data_start=None,
    data_end=None,
    period: str = "month",
    tz: str = "UTC",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A count per period (completed tasks, leads) before the first date vs after it.

    Two comparisons, both against the periods before the first date: *KPI in force* (from
    the first date on) and, with several dates, *last step* (from the last date on).
    Whole periods only: a period not wholly within ``[data_start, data_end)`` (an export
    that ends mid-month) would bias the per-period figure, so it is left out and counted in
    ``partial_periods``; no proration.
    The ratio of the per-period rates gets the Poisson interval
    ``exp(ln r +- z sqrt(1/x_before + 1/x_after))``. It assumes events arrive independently;
    months that swing more than that make it too narrow, so read it next to the monthly
    series.

    Returns
    -------
    DataFrame
        One row per comparison: ``measure``, ``window`` ("KPI in force", "last step"),
        ``before_periods``, ``before_total``, ``before_per_period``, ``after_periods``,
        ``after_total``, ``after_per_period``, ``ratio``, ``ratio_low``, ``ratio_high``,
        ``significant`` (interval excludes 1), ``partial_periods`` (left out).
    """
    dates = parse_change_dates(change_dates, tz=tz)
    rows = panel.loc[panel["manager"] == manager]
    if rows.empty:
        raise KeyError(f"manager {manager!r} is not in the panel")
    whole = whole_periods(rows["period"], data_start=data_start, data_end=data_end,
                          period=period, tz=tz)  # fmt: skip
    partial = int((~whole).sum())
    rows = rows.loc[whole]
    before = rows.loc[rows["period"] < dates[0], column].astype("float64")
    windows = {IN_FORCE: dates[0], **({LAST_STEP: dates[-1]} if len(dates) > 1 else {})}
    z = critical_z(alpha)
    records = []
    for name, first in windows.items():
        after = rows.loc[rows["period"] >= first, column].astype("float64")
        xb, xa, nb, na = before.sum(), after.sum(), len(before), len(after)
        with np.errstate(divide="ignore", invalid="ignore"):
            rb, ra = np.float64(xb) / nb, np.float64(xa) / na
            ratio = ra / rb
            half = z * np.sqrt(1 / np.float64(xb) + 1 / np.float64(xa))
            low, high = ratio * np.exp(-half), ratio * np.exp(half)
        ok = xb > 0 and xa > 0
        records.append({
            "measure": column, "window": name, "before_periods": nb, "before_total": xb,
            "before_per_period": rb, "after_periods": na, "after_total": xa,
            "after_per_period": ra, "ratio": ratio, "ratio_low": low if ok else np.nan,
            "ratio_high": high if ok else np.nan,
            "significant": (low > 1 or high < 1) if ok else pd.NA,
            "partial_periods": partial,
        })  # fmt: skip
    out = pd.DataFrame(records)
    out = out.astype({"measure": "str", "window": "str", "significant": "boolean"})
    return out


def rate_test(
    x_before: float, n_before: float, x_after: float, n_after: float, *, alpha: float = 0.05,
    power: float = 0.8, direction: str = "both",
) -> dict:  # fmt: skip
    """Two rates compared: difference with Newcombe CI, z-test p-value, power and a sentence.

    The sentence says "changed by ..." only when the interval excludes 0, else "no change
    detectable ..." followed by what would have been seen with probability ``power``,
    per direction (:func:`workbench.stats.detectable_change`, exact: near 0 a rise needs a
    larger step than a fall). ``direction="rise"`` (guardrails) quotes only the rise.

    Returns
    -------
    dict with ``x_before``, ``n_before``, ``before``, ``x_after``, ``n_after``, ``after``,
    ``change``, ``change_low``, ``change_high``, ``p_value``, ``mde`` (the symmetric
    normal-approximation MDE, kept for comparison), ``mde_fall``, ``mde_rise`` (fractions;
    NaN when no rate in [0, 1] reaches the power), ``text``.
    """
    if direction not in ("both", "rise", "fall"):
        raise ValueError(f"direction must be 'both', 'rise' or 'fall', got {direction!r}")
    cmp = compare_proportions(x_before, n_before, x_after, n_after, alpha=alpha)
    mde = minimum_detectable_effect(n_before, n_after, cmp["p1"], alpha=alpha, power=power)
    if cmp["p1"] in (0.0, 1.0):
        mde = float("nan")  # no spread at the baseline: the normal-approximation MDE says 0
    steps = {
        d: detectable_change(n_before, n_after, cmp["p1"], direction=d, alpha=alpha,
                             power=power) if np.isfinite(cmp["p1"]) else float("nan")
        for d in ("fall", "rise")
    }  # fmt: skip
    text = change_words(cmp["difference"], cmp["low"], cmp["high"], alpha=alpha)
    quiet = np.isfinite([cmp["low"], cmp["high"]]).all() and cmp["low"] <= 0 <= cmp["high"]
    if quiet:
        shown = ("fall", "rise") if direction == "both" else (direction,)
        seen = {d: scaled(steps[d], 100, 1) for d in shown if np.isfinite(steps[d])}
        if len(seen) == 2:
            text += _("; a fall of {fall} or a rise of {rise} points would have been seen with "
                      "{power} power").format(fall=seen["fall"], rise=seen["rise"],
                                              power=percent(power))  # fmt: skip
        elif "rise" in seen:
            text += _("; a rise of {rise} points would have been seen with {power} "
                      "power").format(rise=seen["rise"], power=percent(power))  # fmt: skip
        elif "fall" in seen:
            text += _("; a fall of {fall} points would have been seen with {power} "
                      "power").format(fall=seen["fall"], power=percent(power))  # fmt: skip
    return {
        "x_before": x_before, "n_before": n_before, "before": cmp["p1"],
        "x_after": x_after, "n_after": n_after, "after": cmp["p2"],
        "change": cmp["difference"], "change_low": cmp["low"], "change_high": cmp["high"],
        "p_value": cmp["p_value"], "mde": mde, "mde_fall": steps["fall"],
        "mde_rise": steps["rise"], "text": text,
    }  # fmt: skip


def guardrail_change(
    table: pd.DataFrame,
    *,
    manager: str,
    change_dates,
    shares: dict[str, tuple[str, str]],
    tz: str = "UTC",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each guardrail share before the first date vs while the KPI was in force (from it on).

    "In force" is the module's one notion: from the first date on, every step included.
    Counts of the :func:`workbench.metrics.guardrails.guardrails` table are summed per window, then
    compared with :func:`rate_test`; partial months are kept (a share, unlike a count per
    month, is not biased by a short month). A guardrail that rose significantly is a
    warning sign of gaming, not proof.

    Parameters
    ----------
    shares : mapping of share name to (numerator column, denominator column).

    Returns
    -------
    DataFrame
        One row per guardrail: ``guardrail``, ``x_before``, ``n_before``, ``before``,
        ``x_after``, ``n_after``, ``after``, ``change``, ``change_low``, ``change_high``,
        ``p_value``, ``mde``, ``mde_fall``, ``mde_rise`` (the rise that would have been
        seen with 80% power), ``rose`` (interval above 0), ``text``.
    """
    dates = parse_change_dates(change_dates, tz=tz)
    rows = table.loc[table["manager"] == manager]
    before, after = rows.loc[rows["period"] < dates[0]], rows.loc[rows["period"] >= dates[0]]
    records = []
    for name, (num, den) in shares.items():
        r = rate_test(
            float(before[num].sum()), float(before[den].sum()),
            float(after[num].sum()), float(after[den].sum()), alpha=alpha, direction="rise",
        )  # fmt: skip
        records.append({"guardrail": name, **r})
    out = pd.DataFrame(records)
    out["guardrail"] = out["guardrail"].astype("str")
    out["text"] = out["text"].astype("str")
    out.insert(len(out.columns) - 1, "rose", out["change_low"] > 0)
    return out
