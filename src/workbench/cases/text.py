"""The words of a case: the plain-language conclusion and the headline lines.

The wording follows the intervals: a change is called real only when its interval (months
as the unit) excludes zero and the months before the change were not already moving its
way; otherwise the text says what change would have been detected, or gives the estimates
against the pre-period trend and against the level just before the change.
:func:`pre_trend_wording` and :func:`placebo_wording` are the reusable parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.formatting import capitalized
from workbench.privacy import MIN_TEAM
from workbench.stats import Placebo, describe_change, pre_trend_rule

__all__ = [
    "conclusion_text",
    "headline_text",
    "pre_trend_wording",
    "placebo_wording",
    "scaled",
]

_OUTPUT_LABELS = {"tasks_completed": "Completed tasks", "leads": "Leads"}


def scaled(value: float, scale: float, digits: int) -> str:
    if not np.isfinite(value):
        return "n/a"
    text = f"{value * scale:.{digits}f}"
    return text[1:] if text.startswith("-") and text.lstrip("-0.") == "" else text  # no "-0.0"


def _verdict(p: float, smallest: float, level: float) -> str:
    if p <= level:
        return "it stands out"
    if smallest > level:
        return f"too few to tell (no rank could reach p <= {level:g})"
    return "it does not stand out"


def placebo_wording(
    placebo: Placebo | None, colleagues: Placebo | None, *, manager: str, level: float = 0.1
) -> list[str]:
    """Sentences on the placebo dates and the colleague placebo, honest about their p-values.

    ``p = (1 + k) / (1 + N)`` (the real comparison ranked among itself and N placebos, ties
    against it). A comparison "stands out" only when ``p <= level``; when even the best rank
    could not reach it (``1 / (1 + N) > level``) the sentence says so instead of a verdict.
    """
    out = []
    if placebo is not None and "months_before" in placebo.table and len(placebo.table):
        real = placebo.table.iloc[0]
        n = placebo.n_placebo
        if n == 0:
            out.append(
                f"No placebo date has room for windows as long as the real ones "
                f"({int(real['months_before'])} months before, {int(real['months_after'])} "
                "after) on one side of the KPI date, so there is no placebo-date check."
            )
        else:
            out.append(
                f"At {placebo.as_extreme} of {n} placebo dates (same window lengths, "
                f"nothing changed) the estimate was as large as at the real date: p = "
                f"{placebo.p_value:.2f} (the smallest possible with {n} dates is "
                f"{placebo.smallest_p:.2f}), "
                f"{_verdict(placebo.p_value, placebo.smallest_p, level)}."
            )
    if colleagues is not None and colleagues.n_placebo:
        n, k = colleagues.n_placebo, colleagues.as_extreme
        out.append(
            f"Given the same KPI date, {k} of the {n} colleagues moved as much as {manager}, "
            f"who ranks {1 + k} of {n + 1}: p = {colleagues.p_value:.2f} (the smallest "
            f"possible is {colleagues.smallest_p:.2f}), "
            f"{_verdict(colleagues.p_value, colleagues.smallest_p, level)}."
        )
    return out


def pre_trend_wording(
    trend: dict,
    *,
    change: float,
    what: str,
    unit: str,
    scale: float = 1.0,
    lower_is_better: bool = True,
    against: str = "the colleagues",
    alpha: float = 0.05,
) -> tuple[str, str]:
    """The pre-trend rule and its sentence: ``(status, sentence)``.

    ``status`` is :func:`workbench.stats.pre_trend_rule` of ``change`` (the headline
    change) and ``trend`` (:func:`workbench.stats.pre_trend`):

    ``"flat"``
        the before months moved like ``against``: one sentence saying so, with the slope.
    ``"same"``
        the before months were already moving the change's way: the sentence says so and
        gives the estimate against the trend and against the level just before the change
        beside the plain figure, which overstates the effect.
    ``"opposite"``
        they were moving the other way: same estimates, the plain figure may understate.
    ``"unknown"``
        fewer than 3 before months: the sentence says the check could not be made.

    ``unit`` is ``"%"`` (points) or a unit such as ``"min"``; ``against`` names what the
    differences are taken against ("the colleagues", or "her own level" without controls).
    """
    get = [trend.get(k, np.nan) for k in ("slope", "slope_low", "slope_high", "drift")]
    status = pre_trend_rule(change, *get)
    word = "points" if unit == "%" else unit
    level = f"{100 * (1 - alpha):g}%"

    def f(v: float) -> str:
        return scaled(v, scale, 1)

    if status == "unknown":
        return status, (
            "There are too few months before the KPI (at least 3 needed) to check whether the "
            f"{what} was already moving before it."
        )
    slope = (
        f"{f(trend['slope'])} {word} a month against {against} ({level} CI "
        f"{f(trend['slope_low'])} to {f(trend['slope_high'])})"
    )
    if status == "flat":
        return status, f"Before the KPI the {what} held its course: {slope}."
    months = int(trend["months_before"])
    moving = "falling" if trend["slope"] < 0 else "rising"
    last = pd.Timestamp(trend["last_before"]).strftime("%B %Y")
    alternatives = (
        f"Against that trend the change is {f(trend['vs_trend'])} {word} ({level} CI "
        f"{f(trend['vs_trend_low'])} to {f(trend['vs_trend_high'])}); against the level just "
        f"before the KPI ({last}) it is {f(trend['vs_last'])} {word} ({level} CI "
        f"{f(trend['vs_last_low'])} to {f(trend['vs_last_high'])})."
    )
    if status == "same":
        head = (
            f"But the {what} was already {moving} before the KPI: {slope}, "
            f"{f(trend['drift'])} {word} across the {months} months before it."
        )
        tail = "The plain before/after figure overstates what the KPI did"
        lo, hi = trend["vs_trend_low"], trend["vs_trend_high"]
        if np.isfinite([lo, hi]).all() and lo <= 0 <= hi:
            tail += "; against the trend the data do not show an effect"
        return status, f"{head} {alternatives} {tail}."
    head = (
        f"The {what} was {moving} before the KPI, against the direction of the change: "
        f"{slope}, {f(trend['drift'])} {word} across the {months} months before it."
    )
    return status, f"{head} {alternatives} The plain before/after figure may understate it."


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
    placebo: Placebo | None = None,
    colleague_placebo: Placebo | None = None,
    trend: dict | None = None,
    guardrails: pd.DataFrame | None = None,
    n_controls: int | None = None,
    placebo_level: float = 0.1,
) -> str:
    """Plain-language verdict on the first vs the last window; wording follows the intervals.

    The rule, sentence by sentence:

    1. The change of the last window vs the first (headline interval: months as the
       unit). It is called a real improvement or worsening only when that interval excludes
       zero and the before months were not already moving its way; otherwise the text
       says no change is detectable and what would have been (the MDE).
    2. The pre-trend (:func:`pre_trend_wording`), measured against the colleagues (without
       a control group: against the manager's own level): flat, already moving the same
       way (estimates against the trend and the last level beside the plain one), or the
       other way.
    3. The colleagues: the difference in differences on monthly differences, or why there
       is no comparison (fewer than 3 untreated colleagues).
    4. The placebos (:func:`placebo_wording`): dates, and colleagues given the date.
    5. The guardrails that rose, or that none did.

    Parameters
    ----------
    before_after : the case's before/after table (``mean``, ``change``, ``change_low``,
        ``change_high``, ``mde``; first row = before, last row = the window judged).
    what, unit, scale, digits : how to name and print the metric (``"%"`` with ``scale=100``
        for a rate, ``"min"`` for minutes).
    peers : the case's DiD table (``did``, ``did_low``, ``did_high``, ``control_change``).
    placebo, colleague_placebo : :class:`workbench.stats.Placebo` results.
    trend : :func:`workbench.stats.pre_trend` of the monthly differences.
    n_controls : colleagues without the KPI (the control group); below 3 the text says
        there is no comparison and ``peers`` and the placebos are not used. ``None``: not
        known (the peer sentence then just says "colleagues").
    placebo_level : a placebo comparison "stands out" only at ``p <= placebo_level``.
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
    few = n_controls is not None and n_controls < MIN_TEAM
    status, trend_text = "unknown", ""
    if trend is not None and np.isfinite(change):
        did = peers.iloc[0]["did"] if peers is not None and len(peers) and not few else change
        status, trend_text = pre_trend_wording(
            trend, change=float(did) if np.isfinite(did) else change, what=what, unit=unit,
            scale=scale, lower_is_better=lower_is_better,
            against="the colleagues" if not few and n_controls != 0 else "its own level",
        )  # fmt: skip
    moved = f"{what} of {manager} went from {num(first['mean'])} to {num(last['mean'])}"
    if not np.isfinite([change, low, high]).all():
        text = [f"{capitalized(moved)}: {ci}."]
    elif low > 0 or high < 0:
        verb = "fell" if change < 0 else "rose"
        better = (change < 0) == lower_is_better
        head = (
            f"{capitalized(what)} of {manager} {verb} from {num(first['mean'])} to "
            f"{num(last['mean'])}: it {ci}, counting months as the unit."
        )
        if status == "same":
            text = [head]
        else:
            text = [f"{head} The interval excludes zero, so this is a real "
                    f"{'improvement' if better else 'worsening'}, not noise."]  # fmt: skip
    else:
        text = [f"{capitalized(moved)}, but {ci}: the data do not show an effect."]
    if trend_text:
        text.append(trend_text)
    real_ok = True  # a placebo comparison needs a real estimate
    who = "Colleagues" if n_controls is None else f"The {n_controls} colleagues without this KPI"
    if few:
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
                f"{scaled(did[1], scale, 1)} to {scaled(did[2], scale, 1)}, on monthly "
                "differences)"
            )
            if did[1] > 0 or did[2] < 0:
                text.append(f"{net}, so it is not what moved everyone.")
            else:
                text.append(f"{net}, which includes zero: it cannot be told apart from what "
                            "moved everyone.")  # fmt: skip
    if real_ok:
        text.extend(placebo_wording(placebo, colleague_placebo, manager=manager,
                                    level=placebo_level))  # fmt: skip
    if guardrails is not None and len(guardrails):
        rose = guardrails.loc[guardrails["rose"]]
        if rose.empty:
            names = ", ".join(guardrails["guardrail"].str.replace("_", " "))
            text.append(f"No guardrail ({names}) rose detectably while the KPI was in force.")
            if "mde_rise" in guardrails:
                seen = [
                    f"{r.guardrail.replace('_', ' ')} {100 * r.mde_rise:.1f}"
                    for r in guardrails.itertuples() if np.isfinite(r.mde_rise)
                ]  # fmt: skip
                if seen:
                    text.append(
                        "Rises that would have been seen with 80% power (points): "
                        f"{', '.join(seen)}."
                    )
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
            f"(95% CI {f(row.mean_low)} to {f(row.mean_high)}; n = {row.n}"
            + (f", {row.months} months)" if hasattr(row, "months") else ")")
        )
    last = before_after.iloc[-1]
    lines.append(
        f"  change before -> {last['window']}: {f(last['change'])} {points} "
        f"(95% CI {f(last['change_low'])} to {f(last['change_high'])}, months as the unit)"
    )
    if "unit_change_low" in before_after:
        lines.append(
            f"  (if every unit were independent: 95% CI {f(last['unit_change_low'])} to "
            f"{f(last['unit_change_high'])})"
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
