"""The words of a case: the plain-language conclusion and the headline lines.

The wording follows the intervals: a change is called real only when its interval
excludes zero, otherwise the text says what change would have been detected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.formatting import capitalized
from workbench.privacy import MIN_TEAM
from workbench.stats import describe_change

__all__ = ["conclusion_text", "headline_text", "scaled"]

_OUTPUT_LABELS = {"tasks_completed": "Completed tasks", "leads": "Leads"}


def scaled(value: float, scale: float, digits: int) -> str:
    return "n/a" if not np.isfinite(value) else f"{value * scale:.{digits}f}"


def conclusion_text(
    before_after: pd.DataFrame,
    *,
    manager: str,
    what: str,
    unit: str,
    scale: float = 1.0,
    digits: int = 0,
    lower_is_better: bool = True,
    peers: pd.DataFrame | None = None,
    placebo_share: float | None = None,
    n_placebo: int = 0,
    guardrails: pd.DataFrame | None = None,
    n_controls: int | None = None,
) -> str:
    """Plain-language verdict on the first vs the last window; wording follows the intervals.

    The change is called real (an improvement or a worsening, by ``lower_is_better``) only
    when its interval excludes zero; otherwise the text says no change is detectable and
    what change would have been (the MDE). The peer sentence does the same with the
    difference in differences; the guardrail sentence names the guardrails that rose.

    Parameters
    ----------
    before_after : the case's before/after table (``mean``, ``change``, ``change_low``,
        ``change_high``, ``mde``; first row = before, last row = the window judged).
    what, unit, scale, digits : how to name and print the metric (``"%"`` with ``scale=100``
        for a rate, ``"min"`` for minutes).
    n_controls : colleagues without the KPI (the control group); below 3 the text says
        there is no comparison and ``peers`` and the placebo are not used. ``None``: not
        known (the peer sentence then just says "colleagues").
    """
    first, last = before_after.iloc[0], before_after.iloc[-1]

    def num(v: float) -> str:
        if not np.isfinite(v):
            return "n/a"
        return scaled(v, scale, digits) + ("%" if unit == "%" else f" {unit}")

    unit_word = "points" if unit == "%" else unit
    change, low, high = (float(last[c]) for c in ("change", "change_low", "change_high"))
    ci = describe_change(
        change, low, high, mde=float(last["mde"]), unit=unit_word, scale=scale, digits=1
    )
    moved = f"{what} of {manager} went from {num(first['mean'])} to {num(last['mean'])}"
    if not np.isfinite([change, low, high]).all():
        text = [f"{capitalized(moved)}: {ci}."]
    elif low > 0 or high < 0:
        verb = "fell" if change < 0 else "rose"
        better = (change < 0) == lower_is_better
        text = [
            f"{capitalized(what)} of {manager} {verb} from {num(first['mean'])} to "
            f"{num(last['mean'])}: it {ci}. The interval excludes zero, so this is a real "
            f"{'improvement' if better else 'worsening'}, not noise."
        ]
    else:
        text = [f"{capitalized(moved)}, but {ci}: the data do not show an effect."]
    real_ok = True  # a placebo comparison needs a real estimate
    who = "Colleagues" if n_controls is None else f"The {n_controls} colleagues without this KPI"
    if n_controls is not None and n_controls < MIN_TEAM:
        real_ok = False
        if n_controls == 0:
            text.append(
                f"Every colleague had a KPI on the {what} too, so there is no untreated group "
                "to compare with: the change cannot be told apart from what moved everyone."
            )
        else:
            text.append(
                f"Only {n_controls} colleague(s) had no KPI on the {what}, too few to compare "
                f"with (at least {MIN_TEAM}): the change cannot be told apart from what "
                "moved everyone."
            )
    elif peers is not None and len(peers):
        p = peers.iloc[0]
        did = [float(p[c]) for c in ("did", "did_low", "did_high")]
        ctrl = scaled(p["control_change"], scale, digits + 1)
        if not np.isfinite(did).all():
            real_ok = False
            text.append("There are not enough colleagues' data to compare with.")
        else:
            net = (
                f"{who} moved by {ctrl} {unit_word} over the same dates; net of that the "
                f"change is {scaled(did[0], scale, 1)} {unit_word} (95% CI "
                f"{scaled(did[1], scale, 1)} to {scaled(did[2], scale, 1)})"
            )
            if did[1] > 0 or did[2] < 0:
                text.append(f"{net}, so it is not what moved everyone.")
            else:
                text.append(f"{net}, which includes zero: it cannot be told apart from what "
                            "moved everyone.")  # fmt: skip
    if real_ok and placebo_share is not None and np.isfinite(placebo_share) and n_placebo:
        k = int(round(placebo_share * n_placebo))
        stands = "the real date stands out" if placebo_share <= 0.1 else "it does not stand out"
        text.append(
            f"At {k} of {n_placebo} placebo dates (months when nothing changed) the estimate "
            f"was as large as at the real date: {stands}."
        )
    if guardrails is not None and len(guardrails):
        rose = guardrails.loc[guardrails["rose"]]
        if rose.empty:
            names = ", ".join(guardrails["guardrail"].str.replace("_", " "))
            text.append(f"No guardrail ({names}) rose detectably while the KPI was in force.")
        else:
            parts = [
                f"{r.guardrail.replace('_', ' ')} rose from {r.before:.0%} to {r.after:.0%}"
                for r in rose.itertuples()
            ]
            text.append(f"Watch for gaming: {'; '.join(parts)} while the KPI was in force.")
    return " ".join(text)


def headline_text(
    before_after: pd.DataFrame, output: pd.DataFrame, *, manager: str, meta: dict
) -> str:
    """The headline figures of a case as short text lines (rounded so that reruns print
    the same): the window means, the change to the last window, the output per month.

    ``before_after`` and ``output`` are the case's tables of those names; ``meta`` its
    ``what``, ``scale``, ``unit`` and ``digits``.
    """
    scale, unit, digits = meta["scale"], meta["unit"], meta["digits"]
    points = "points" if unit == "%" else unit

    def f(v: float) -> str:
        return scaled(v, scale, digits)

    lines = [f"{capitalized(meta['what'])} of {manager}:"]
    for row in before_after.itertuples(index=False):
        lines.append(
            f"  {row.window:<8} {f(row.mean)} {unit} "
            f"(95% CI {f(row.mean_low)} to {f(row.mean_high)}; n = {row.n})"
        )
    last = before_after.iloc[-1]
    lines.append(
        f"  change before -> {last['window']}: {f(last['change'])} {points} "
        f"(95% CI {f(last['change_low'])} to {f(last['change_high'])})"
    )
    o = output.iloc[0]
    label = _OUTPUT_LABELS.get(o["measure"], o["measure"])
    lines.append(f"{label} per month (whole months; before: {o['before_periods']}):")
    for o in output.itertuples(index=False):
        window = f"{o.window} ({o.after_periods})"
        lines.append(
            f"  {window:<18} {scaled(o.before_per_period, 1, 1)} -> "
            f"{scaled(o.after_per_period, 1, 1)} (x{scaled(o.ratio, 1, 2)}, 95% CI "
            f"x{scaled(o.ratio_low, 1, 2)} to x{scaled(o.ratio_high, 1, 2)})"
        )
    return "\n".join(lines)
