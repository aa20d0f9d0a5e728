"""A case's conclusion as data: the verdict, the headline effect, what it cost, what next.

:func:`case_summary` reads a :class:`~workbench.cases.study.Case` and returns a
:class:`CaseSummary`: the figures the coaches' index lists (effect, interval, p-value,
verdict) and the sentences the case page shows first (the effect, what it cost or gained,
the caveats, the guardrails, a next step). Every rule is written here and tested on
hand-made data; every sentence is in the current language.

The verdict
-----------
The headline effect is the difference in differences against the untreated colleagues
(net of what moved everyone) when there are at least 3 of them, else the plain
before/after change (months as the unit). Then:

``no_data``
    no estimate (no month on one side).
``no_change``
    its interval includes zero.
``doubtful``
    its interval excludes zero, but the months before the KPI were already moving the
    change's way (:func:`workbench.stats.pre_trend_rule`), or placebo dates before the KPI
    show changes of a quarter of the effect or more
    (:func:`workbench.cases.text.pre_kpi_placebo_wording`).
``improvement`` / ``worsening``
    its interval excludes zero and neither caveat applies; better or worse by the
    target's direction.

What it cost or gained
----------------------
The output per month (completed tasks, leads) with its interval, and, with deals: sales per
month, the value per won deal and the win rate, before vs the last window on whole months.
A *cost* is a result that fell: the output's interval below 1, sales or the value per won
deal down by at least ``COST_SHARE`` (a tenth; point figures), or the win rate's interval
below zero.

The next step
-------------
At most two, first match first: no data (wait); a doubtful change (do not credit the KPI,
look at what was already changing); a guardrail that rose (look at those tasks or calls);
a department-wide target (roll the next one out to part of the team first); a cost (look
at it before the next step of the target); an improvement (keep the target, the next rung of
the ladder); no change (what would have been seen, re-check later); a worsening (talk
before raising the target).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.cases.text import (
    GUARDRAIL_NAMES,
    OUTPUT_NAMES,
    interval_words,
    scaled,
    unit_word,
    who_words,
)
from workbench.formatting import capitalized
from workbench.i18n import N_, _, month_year, number, percent
from workbench.privacy import MIN_TEAM

if TYPE_CHECKING:
    from workbench.cases.study import Case

__all__ = ["COST_SHARE", "VERDICTS", "CaseSummary", "case_summary", "verdict_words"]

#: A sales figure (sales per month, value per won deal) that fell by at least this share is
#: a cost of the change.
COST_SHARE = 0.10

#: Verdict code -> words (translated where shown).
VERDICTS = {
    "improvement": N_("Improved"),
    "worsening": N_("Worsened"),
    "doubtful": N_("Changed, but not clearly because of the KPI"),
    "no_change": N_("No detectable change"),
    "no_data": N_("Not enough data"),
}


def verdict_words(code: str) -> str:
    """A verdict code in words, in the current language."""
    return _(VERDICTS[code])


@dataclass
class CaseSummary:
    """The conclusion of one case as data (JSON-ready with :meth:`to_dict`).

    Attributes
    ----------
    verdict : str
        A code of :data:`VERDICTS`; ``verdict_text`` the words.
    effect, low, high, p_value : float
        The headline effect in the metric's unit (a fraction for a rate, minutes), its 95%
        interval and p-value (NaN when there is none).
    basis : str
        ``"did"`` (net of the untreated colleagues) or ``"plain"`` (before vs after).
    effect_text : str
        The effect and its interval in words ("-27.8 points (95% CI -39.9 to -15.8)").
    headline : str
        One sentence: the verdict and the effect.
    effect_sentences, caveats, results, guardrails, next_steps : list of str
        The sentences of the page's conclusion, by role.
    costs : list of str
        The result measures that fell (``output``, ``sales_volume``, ``volume_per_won``,
        ``conversion``).
    """

    manager: str
    metric: str
    change_dates: list[str]
    pooled: bool
    verdict: str
    verdict_text: str
    effect: float
    low: float
    high: float
    p_value: float
    basis: str
    effect_text: str
    headline: str
    effect_sentences: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    guardrails: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    costs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (NaN as None)."""
        out = asdict(self)
        for key in ("effect", "low", "high", "p_value"):
            v = out[key]
            out[key] = None if v is None or not np.isfinite(v) else float(v)
        return out


def _f(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _headline_effect(case: Case) -> tuple[float, float, float, float, str]:
    """(effect, low, high, p, basis): the DiD with a control group, else the plain change."""
    n_controls = case.meta.get("n_controls", 0)
    if not case.pooled and n_controls >= MIN_TEAM and case.peers is not None and len(case.peers):
        p = case.peers.iloc[0]
        return _f(p["did"]), _f(p["did_low"]), _f(p["did_high"]), _f(p["p_value"]), "did"
    last = case.before_after.iloc[-1]
    return (
        _f(last["change"]),
        _f(last["change_low"]),
        _f(last["change_high"]),
        _f(last["p_value"]),
        "plain",
    )


def _money(v: float) -> str:
    return number(v) if np.isfinite(v) else _("n/a")


def _ratio_words(ratio: float) -> str:
    """A ratio as a signed percentage change: x0.73 -> "-27%", x1.16 -> "+16%"."""
    if not np.isfinite(ratio):
        return _("n/a")
    text = percent(ratio - 1.0)
    return text if ratio < 1 or text.startswith(("-", "−")) else "+" + text


def _judged_output(output: pd.DataFrame) -> pd.Series | None:
    """The output row of the judged window: the last step with several steps."""
    if output is None or output.empty:
        return None
    return output.iloc[-1]


def _results(case: Case) -> tuple[list[str], list[str]]:
    """The sentences of what the change cost or gained, and the measures that fell."""
    lines, costs = [], []
    o = _judged_output(case.output)
    if o is not None:
        label = _(OUTPUT_NAMES.get(o["measure"], o["measure"]))
        text = _("{label} per month: {before} before, {after} {window} (x{ratio}, {ci})").format(
            label=label,
            before=scaled(o["before_per_period"], 1, 1),
            after=scaled(o["after_per_period"], 1, 1),
            window=_window_phrase(o["window"]),
            ratio=scaled(o["ratio"], 1, 2),
            ci=interval_words(o["ratio_low"], o["ratio_high"], digits=2),
        )
        lines.append(text + ".")
        if np.isfinite(_f(o["ratio_high"])) and o["ratio_high"] < 1:
            costs.append("output")
    if case.sales is not None and len(case.sales):
        s = case.sales.set_index("component")
        if "sales_volume" in s.index:
            r = s.loc["sales_volume"]
            lines.append(
                _("Sales per month: {before} before, {after} after ({change}).").format(
                    before=_money(r["before"]),
                    after=_money(r["after"]),
                    change=_ratio_words(r["ratio"]),
                )
            )
            if _f(r["ratio"]) <= 1 - COST_SHARE:
                costs.append("sales_volume")
        if "volume_per_won" in s.index:
            r = s.loc["volume_per_won"]
            ratio = _f(r["ratio"])
            if ratio <= 1 - COST_SHARE:
                text = _("Value per won deal fell {change}: {before} before, {after} after.")
                change = percent(1 - ratio)
                costs.append("volume_per_won")
            elif ratio >= 1 + COST_SHARE:
                text = _("Value per won deal rose {change}: {before} before, {after} after.")
                change = percent(ratio - 1)
            else:
                text = _("Value per won deal held ({change}): {before} before, {after} after.")
                change = _ratio_words(ratio)
            lines.append(
                text.format(change=change, before=_money(r["before"]), after=_money(r["after"]))
            )
    if case.conversion is not None and len(case.conversion):
        c = case.conversion.iloc[0]
        lines.append(
            _("Conversion (won of closed deals): {before} before, {after} after; {test}.").format(
                before=percent(c["before"]) if np.isfinite(_f(c["before"])) else _("n/a"),
                after=percent(c["after"]) if np.isfinite(_f(c["after"])) else _("n/a"),
                test=c["text"],
            )
        )
        if np.isfinite(_f(c["change_high"])) and c["change_high"] < 0:
            costs.append("conversion")
    if case.sales is not None and len(case.sales):
        lines.append(
            _(
                "Sales figures are per whole month, before vs the last window; they "
                "are point figures, without an interval."
            )
        )
    return lines, costs


def _window_phrase(window: str) -> str:
    if window == "last step":
        return _("under the last step")
    return _("while the KPI was in force")


def _verdict(case: Case, effect, low, high, placebo_effect: bool) -> str:
    if not np.isfinite([effect, low, high]).all():
        return "no_data"
    if low <= 0 <= high:
        return "no_change"
    if case.parts.get("trend_status") == "same" or placebo_effect:
        return "doubtful"
    better = (effect < 0) == bool(case.meta.get("lower", True))
    return "improvement" if better else "worsening"


def _next_steps(case: Case, verdict: str, costs: list[str], who: str) -> list[str]:
    what = _(case.meta["what"])
    steps: list[str] = []
    if verdict == "no_data":
        return [
            _(
                "Wait for more months under the KPI: this case has no month with data on "
                "one side of the change, so it can say nothing yet."
            )
        ]
    if verdict == "doubtful":
        trend = case.trend or {}
        if case.parts.get("trend_status") == "same" and pd.notna(trend.get("last_before")):
            steps.append(
                _(
                    "Do not credit the KPI with the whole change: the {what} was already moving "
                    "that way before it. Ask the manager what changed in the months up to "
                    "{month}, and judge the KPI against that trend when three more months are "
                    "in."
                ).format(what=what, month=month_year(pd.Timestamp(trend["last_before"]).date()))
            )
        else:
            steps.append(
                _(
                    "Do not credit the KPI with the whole change: changes of a similar size "
                    "happened before it, when nothing changed. Judge it again when three more "
                    "months are in."
                )
            )
    rose = case.guardrails.loc[case.guardrails["rose"]] if len(case.guardrails) else []
    if len(rose):
        names = ", ".join(_(GUARDRAIL_NAMES.get(g, g)) for g in rose["guardrail"])
        steps.append(
            _(
                "Look at the {names} with the manager before the next step of the target: a "
                "guardrail that rises under a KPI is a warning sign of meeting the figure "
                "rather than doing the work."
            ).format(names=names)
        )
    if case.pooled and len(steps) < 2:
        steps.append(
            _(
                "Next time, give a department-wide target to part of the team first (or start "
                "it on different dates): only a group without it can tell the KPI's effect "
                "from what moved everyone."
            )
        )
    if costs and len(steps) < 2:
        said = {
            "output": _("the output per month fell"),
            "sales_volume": _("sales per month fell"),
            "volume_per_won": _("the value per won deal fell"),
            "conversion": _("conversion fell"),
        }
        steps.append(
            _(
                "Weigh the gain against its cost: {costs}. Go through recent won deals with "
                "the manager before tightening the target further."
            ).format(costs="; ".join(said[c] for c in costs))
        )
    if steps:
        return steps[:2]
    if verdict == "improvement":
        table = case.ladder.table if case.ladder is not None else pd.DataFrame()
        rungs = table.loc[table["step"] > 0] if len(table) else table
        now = case.before_after.iloc[-1]["mean"]
        lower = bool(case.meta.get("lower", True))
        ahead = rungs.loc[(rungs["target"] < now) if lower else (rungs["target"] > now)]
        if len(ahead):
            rung = _target_words(case, ahead.iloc[0]["target"])
            return [
                _(
                    "Keep the target. The {what} {who} is now {now}; the next rung of the "
                    "ladder toward the colleagues' level is {rung}."
                ).format(what=what, who=who, now=_target_words(case, now), rung=rung)
            ]
        done = _(
            "Keep the target: the {what} {who} has reached the colleagues' level; hold it "
            "there rather than tightening further."
        )
        return [done.format(what=what, who=who)]
    if verdict == "no_change":
        mde = _f(case.before_after.iloc[-1]["mde"])
        seen = (
            f"{scaled(mde, case.meta['scale'], 1)} {unit_word(case.meta['unit'])}"
            if np.isfinite(mde)
            else _("n/a")
        )
        return [
            _(
                "No effect is visible yet (a change of {mde} would have been seen). Ask the "
                "manager what stands in the way of the target, and look again when three "
                "more months are in."
            ).format(mde=seen)
        ]
    return [
        _(
            "The {what} {who} got worse under the KPI: talk with the manager about what the "
            "target made harder before raising it."
        ).format(what=what, who=who)
    ]


def _guardrail_sentences(case: Case) -> list[str]:
    """The conclusion's guardrail sentences, and what "short" meant for calls."""
    out = list(case.parts.get("guardrails", []))
    seconds = case.meta.get("short_call_s")
    if "short_call_share" in set(case.guardrails.get("guardrail", [])) and seconds is not None:
        if case.meta.get("short_call_quantile") is not None:
            out.append(
                _(
                    "A short call here is one under {m} min: the shortest tenth of the "
                    "manager's own connected calls before the KPI."
                ).format(m=number(seconds / 60, 1))
            )
        else:
            out.append(
                _("A short call here is one under {m} min.").format(m=number(seconds / 60, 1))
            )
    return out


def _target_words(case: Case, value: float) -> str:
    if case.meta["unit"] == "%":
        return percent(float(value))
    return f"{scaled(value, case.meta['scale'], 0)} {_(case.meta['unit'])}"


def case_summary(case: Case) -> CaseSummary:
    """The conclusion of ``case`` as data, in the current language (see the module's rules)."""
    effect, low, high, p, basis = _headline_effect(case)
    meta = case.meta
    unit, scale = meta["unit"], meta["scale"]
    pooled = case.pooled
    verdict = _verdict(case, effect, low, high, bool(case.parts.get("pre_placebo_effect")))
    word = unit_word(unit)
    effect_text = (
        _("{effect} {unit} ({ci})").format(
            effect=scaled(effect, scale, 1),
            unit=word,
            ci=interval_words(low, high, scale=scale),
        )
        if np.isfinite([effect, low, high]).all()
        else _("n/a")
    )
    who = who_words(case.manager, pooled=pooled)
    what = _(meta["what"])
    if basis == "did":
        basis_text = _("net of the colleagues without the KPI")
    else:
        basis_text = _("before vs after, with no comparison group")
    headline = _("{verdict}: the {what} {who} changed by {effect}, {basis}.").format(
        verdict=verdict_words(verdict), what=what, who=who, effect=effect_text, basis=basis_text
    )
    if verdict == "no_data":
        headline = _(
            "{verdict}: the {what} {who} has no month with data on one side of the change."
        )
        headline = headline.format(verdict=verdict_words(verdict), what=what, who=who)
    results, costs = _results(case)
    caveats = [
        *case.parts.get("trend", []),
        *case.parts.get("pre_placebo", []),
        *case.parts.get("peers", []),
        *case.parts.get("placebo", []),
    ]
    return CaseSummary(
        manager=case.manager,
        metric=case.metric,
        change_dates=[d.date().isoformat() for d in case.change_dates],
        pooled=pooled,
        verdict=verdict,
        verdict_text=verdict_words(verdict),
        effect=effect,
        low=low,
        high=high,
        p_value=p,
        basis=basis,
        effect_text=effect_text,
        headline=capitalized(headline),
        effect_sentences=list(case.parts.get("effect", [])),
        caveats=caveats,
        results=results,
        guardrails=_guardrail_sentences(case),
        next_steps=_next_steps(case, verdict, costs, who),
        costs=costs,
    )
