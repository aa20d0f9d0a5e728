"""The words of a case: the plain-language conclusion and the headline lines.

The wording follows the intervals: a change is called real only when its interval (months
as the unit) excludes zero and the months before the change were not already moving its
way; otherwise the text says what change would have been detected, or gives the estimates
against the pre-period trend and against the level just before the change.
:func:`pre_trend_wording`, :func:`placebo_wording` and :func:`pre_kpi_placebo_wording` are
the reusable parts; :func:`conclusion_parts` returns the sentences by role, so a page can
lay them out (the effect first, the caveats, the guardrails) and :func:`conclusion_text`
joins them.

Every sentence is in the current language (:mod:`workbench.i18n`): numbers carry the
language's marks and months their names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.formatting import capitalized
from workbench.i18n import N_, _, month_year, ngettext, number, percent
from workbench.privacy import MIN_TEAM
from workbench.stats import Placebo, pre_trend_rule
from workbench.stats.monthly import TREND_SHARE

__all__ = [
    "GUARDRAIL_NAMES",
    "METRIC_WORDS",
    "OUTPUT_NAMES",
    "change_words",
    "conclusion_parts",
    "conclusion_text",
    "interval_words",
    "placebo_wording",
    "pre_kpi_placebo_wording",
    "pre_trend_wording",
    "scaled",
    "unit_word",
    "who_words",
    "window_name",
]

#: How a case names its metric inside a sentence (lower case; translated where shown).
METRIC_WORDS = {
    "delinquency_rate": N_("overdue share"),
    "talk_mean_min": N_("mean call length"),
}
#: The output a case follows, per month (translated where shown).
OUTPUT_NAMES = {"tasks_completed": N_("Completed tasks"), "leads": N_("Leads")}
#: The guardrails in words (translated where shown).
GUARDRAIL_NAMES = {
    "postponed_share": N_("deadlines moved later"),
    "last_minute_share": N_("completions in the last hour"),
    "empty_description_share": N_("completed tasks with an empty description"),
    "empty_result_share": N_("completed tasks with an empty result"),
    "short_call_share": N_("short calls"),
}
#: Share of the headline effect at which placebo dates before the KPI count as showing an
#: effect of their own (the same quarter as the pre-trend rule's ``TREND_SHARE``).
PLACEBO_SHARE = TREND_SHARE


def scaled(value: float, scale: float = 1.0, digits: int = 1) -> str:
    """``value * scale`` with ``digits`` decimals in the language's marks; "n/a" when
    missing; never "-0.0"."""
    if value is None or not np.isfinite(value):
        return _("n/a")
    v = float(value) * scale
    if round(v, digits) == 0:
        v = 0.0
    return number(v, digits)


def unit_word(unit: str) -> str:
    """The unit of a change: "points" for a rate ("%"), else the unit itself ("min")."""
    return _("points") if unit == "%" else _(unit)


def window_name(label: str) -> str:
    """A window label of the case tables ("before", "after", "step 2") in words."""
    if label == "before":
        return _("before")
    if label == "after":
        return _("after")
    if label.startswith("step "):
        return _("step {n}").format(n=label.split(" ", 1)[1])
    return label


def who_words(manager: str, *, pooled: bool = False) -> str:
    """Whose figure a sentence speaks of: "of Anna Petrova", or "of the whole team"."""
    return _("of the whole team") if pooled else _("of {manager}").format(manager=manager)


def _level(alpha: float) -> str:
    return percent(1 - alpha)


def interval_words(
    low: float, high: float, *, scale: float = 1.0, digits: int = 1, alpha: float = 0.05
) -> str:
    """ "95% CI -42.3 to -15.9" in the current language."""
    return _("{level} CI {low} to {high}").format(
        level=_level(alpha), low=scaled(low, scale, digits), high=scaled(high, scale, digits)
    )


def change_words(
    change: float,
    low: float,
    high: float,
    *,
    mde: float | None = None,
    unit: str = "%",
    scale: float = 100.0,
    digits: int = 1,
    alpha: float = 0.05,
) -> str:
    """A change and its interval in plain words (what :func:`workbench.stats.describe_change`
    says, in the current language): "changed by -29.0 points (95% CI -36.0 to -22.0)", or
    "no change detectable (...); a change of 6.0 points would have been seen"."""
    if not np.isfinite([change, low, high]).all():
        return _("not enough data to estimate a change")
    word = unit_word(unit)
    ci = interval_words(low, high, scale=scale, digits=digits, alpha=alpha)
    if low > 0 or high < 0:
        return _("changed by {change} {unit} ({ci})").format(
            change=scaled(change, scale, digits), unit=word, ci=ci
        )
    text = _("no change detectable ({ci} {unit})").format(ci=ci, unit=word)
    if mde is not None and np.isfinite(mde):
        text += _("; a change of {mde} {unit} would have been seen").format(
            mde=scaled(abs(mde), scale, digits), unit=word
        )
    return text


def _verdict(p: float, smallest: float, level: float) -> str:
    if p <= level:
        return _("it stands out")
    if smallest > level:
        return _("too few to tell (no rank could reach p <= {level})").format(
            level=number(level, 2)
        )
    return _("it does not stand out")


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
                _(
                    "No placebo date has room for windows as long as the real ones "
                    "({before} months before, {after} after) on one side of the KPI date, "
                    "so there is no placebo-date check with those windows."
                ).format(before=int(real["months_before"]), after=int(real["months_after"]))
            )
        else:
            out.append(
                _(
                    "At {k} of {n} placebo dates (same window lengths, nothing changed) the "
                    "estimate was as large as at the real date: p = {p} (the smallest possible "
                    "with {n} dates is {smallest}), {verdict}."
                ).format(
                    k=placebo.as_extreme,
                    n=n,
                    p=number(placebo.p_value, 2),
                    smallest=number(placebo.smallest_p, 2),
                    verdict=_verdict(placebo.p_value, placebo.smallest_p, level),
                )
            )
    if colleagues is not None and colleagues.n_placebo:
        n, k = colleagues.n_placebo, colleagues.as_extreme
        out.append(
            _(
                "Given the same KPI date, {k} of the {n} colleagues moved as much as {manager}, "
                "who ranks {rank} of {total}: p = {p} (the smallest possible is {smallest}), "
                "{verdict}."
            ).format(
                k=k,
                n=n,
                manager=manager,
                rank=1 + k,
                total=n + 1,
                p=number(colleagues.p_value, 2),
                smallest=number(colleagues.smallest_p, 2),
                verdict=_verdict(colleagues.p_value, colleagues.smallest_p, level),
            )
        )
    return out


def pre_kpi_placebo_wording(
    table: pd.DataFrame, *, effect: float, unit: str, scale: float = 1.0
) -> tuple[bool, str]:
    """Placebo dates before the KPI with short windows: ``(shows_effect, sentence)``.

    ``table`` is the case's ``pre_placebo`` table (one row per date before the first KPI
    date: ``change_date``, ``months_before``, ``months_after``, ``did``); ``effect`` the
    headline estimate it is read against. The rule: the placebos *show an effect* when the
    largest of them (absolute value) is at least ``PLACEBO_SHARE`` (a quarter) of the
    headline estimate: changes of that size happened where nothing changed, so part of the
    change at the KPI may be the same swings. ``(False, "")`` without a placebo date.
    """
    rows = table.dropna(subset=["did"]) if len(table) else table
    if not len(rows) or not np.isfinite(effect) or effect == 0:
        return False, ""
    word = unit_word(unit)
    biggest = rows.iloc[int(np.argmax(np.abs(rows["did"].to_numpy(dtype="float64"))))]
    share = abs(float(biggest["did"])) / abs(effect)
    k = int(biggest["months_before"])
    head = ngettext(
        "At {n} placebo date before the KPI (windows of {k} month on each side, nothing changed)",
        "At {n} placebo dates before the KPI (windows of {k} months on each side, nothing changed)",
        len(rows),
    ).format(n=len(rows), k=k)
    figures = _(
        "{head} the estimate went from {low} to {high} {unit}; the largest, {big} {unit} "
        "({month}), is {share} of the estimate at the KPI ({effect} {unit})."
    ).format(
        head=head,
        low=scaled(rows["did"].min(), scale, 1),
        high=scaled(rows["did"].max(), scale, 1),
        big=scaled(biggest["did"], scale, 1),
        unit=word,
        share=percent(share),
        month=month_year(pd.Timestamp(biggest["change_date"]).date()),
        effect=scaled(effect, scale, 1),
    )
    if share >= PLACEBO_SHARE:
        return True, figures + " " + _(
            "Changes of that size happened where nothing changed, so part of the change at "
            "the KPI may be the same month-to-month swings."
        )
    return False, figures + " " + _("The change at the KPI stands out from them.")


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

    ``unit`` is ``"%"`` (points) or a unit such as ``"min"``; ``against`` is ``"the
    colleagues"`` when the differences are taken against them, anything else (``"its own
    level"``) for the manager's own series (no control group).
    """
    get = [trend.get(k, np.nan) for k in ("slope", "slope_low", "slope_high", "drift")]
    status = pre_trend_rule(change, *get)
    word = unit_word(unit)
    what = _(what)

    def f(v: float) -> str:
        return scaled(v, scale, 1)

    def ci(lo: float, hi: float) -> str:
        return interval_words(lo, hi, scale=scale, alpha=alpha)

    if status == "unknown":
        return status, _(
            "There are too few months before the KPI (at least 3 needed) to check whether the "
            "{what} was already moving before it."
        ).format(what=what)
    if against == "the colleagues":
        slope = _("{slope} {unit} a month against the colleagues ({ci})")
    else:
        slope = _("{slope} {unit} a month ({ci})")
    slope = slope.format(
        slope=f(trend["slope"]), unit=word, ci=ci(trend["slope_low"], trend["slope_high"])
    )
    if status == "flat":
        return status, _("Before the KPI the {what} held its course: {slope}.").format(
            what=what, slope=slope
        )
    months = int(trend["months_before"])
    last = month_year(pd.Timestamp(trend["last_before"]).date())
    alternatives = _(
        "Against that trend the change is {trend} {unit} ({trend_ci}); against the level just "
        "before the KPI ({month}) it is {last} {unit} ({last_ci})."
    ).format(
        trend=f(trend["vs_trend"]),
        unit=word,
        trend_ci=ci(trend["vs_trend_low"], trend["vs_trend_high"]),
        month=last,
        last=f(trend["vs_last"]),
        last_ci=ci(trend["vs_last_low"], trend["vs_last_high"]),
    )
    drift = ngettext(
        "{drift} {unit} across the {n} month before it",
        "{drift} {unit} across the {n} months before it",
        months,
    ).format(drift=f(trend["drift"]), unit=word, n=months)
    if status == "same":
        if trend["slope"] < 0:
            head = _("But the {what} was already falling before the KPI: {slope}, {drift}.")
        else:
            head = _("But the {what} was already rising before the KPI: {slope}, {drift}.")
        head = head.format(what=what, slope=slope, drift=drift)
        tail = _("The plain before/after figure overstates what the KPI did")
        lo, hi = trend["vs_trend_low"], trend["vs_trend_high"]
        if np.isfinite([lo, hi]).all() and lo <= 0 <= hi:
            tail += _("; against the trend the data do not show an effect")
        return status, f"{head} {alternatives} {tail}."
    if trend["slope"] < 0:
        head = _(
            "The {what} was falling before the KPI, against the direction of the change: "
            "{slope}, {drift}."
        )
    else:
        head = _(
            "The {what} was rising before the KPI, against the direction of the change: "
            "{slope}, {drift}."
        )
    head = head.format(what=what, slope=slope, drift=drift)
    return status, f"{head} {alternatives} " + _("The plain before/after figure may understate it.")


def _guardrail_name(name: str) -> str:
    return _(GUARDRAIL_NAMES[name]) if name in GUARDRAIL_NAMES else name.replace("_", " ")


def conclusion_parts(
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
    pooled: bool = False,
    pre_placebo: pd.DataFrame | None = None,
) -> dict:
    """The conclusion's sentences by role (see :func:`conclusion_text` for the rule).

    Returns
    -------
    dict with ``effect``, ``trend``, ``pre_placebo``, ``peers``, ``placebo``,
    ``guardrails`` (lists of sentences, possibly empty), ``trend_status``
    (:func:`pre_trend_wording`'s status), ``pre_placebo_effect`` (the placebo dates before
    the KPI show an effect: :func:`pre_kpi_placebo_wording`) and ``real`` (True when the
    first sentence calls the change real).
    """
    first, last = before_after.iloc[0], before_after.iloc[-1]
    what_text = _(what)
    word = unit_word(unit)
    who = who_words(manager, pooled=pooled)

    def num(v: float) -> str:
        if v is None or not np.isfinite(v):
            return _("n/a")
        if unit == "%":
            return percent(float(v) * scale / 100.0, digits)
        return f"{scaled(v, scale, digits)} {word}"

    change, low, high = (float(last[c]) for c in ("change", "change_low", "change_high"))
    ci = change_words(change, low, high, mde=float(last["mde"]), unit=unit, scale=scale)
    few = n_controls is not None and n_controls < MIN_TEAM
    status, trend_text = "unknown", ""
    if trend is not None and np.isfinite(change):
        did = peers.iloc[0]["did"] if peers is not None and len(peers) and not few else change
        status, trend_text = pre_trend_wording(
            trend,
            change=float(did) if np.isfinite(did) else change,
            what=what,
            unit=unit,
            scale=scale,
            lower_is_better=lower_is_better,
            against="the colleagues" if not few and n_controls != 0 else "its own level",
        )
    headline = change
    if not few and not pooled and peers is not None and len(peers):
        headline = float(peers.iloc[0]["did"])
    shows, pre_text = False, ""
    if pre_placebo is not None and np.isfinite(headline):
        shows, pre_text = pre_kpi_placebo_wording(
            pre_placebo, effect=headline, unit=unit, scale=scale
        )
    values = dict(
        What=capitalized(what_text),
        who=who,
        before=num(first["mean"]),
        after=num(last["mean"]),
        ci=ci,
    )
    real = False
    if not np.isfinite([change, low, high]).all():
        effect = [_("{What} {who} went from {before} to {after}: {ci}.").format(**values)]
    elif low > 0 or high < 0:
        if change < 0:
            head = _(
                "{What} {who} fell from {before} to {after}: it {ci}, counting months as the unit."
            )
        else:
            head = _(
                "{What} {who} rose from {before} to {after}: it {ci}, counting months as the unit."
            )
        head = head.format(**values)
        better = (change < 0) == lower_is_better
        if status == "same" or shows:
            effect = [head]
        else:
            real = True
            tail = (
                _("The interval excludes zero, so this is a real improvement, not noise.")
                if better
                else _("The interval excludes zero, so this is a real worsening, not noise.")
            )
            effect = [f"{head} {tail}"]
    else:
        effect = [
            _(
                "{What} {who} went from {before} to {after}, but {ci}: the data do not show an "
                "effect."
            ).format(**values)
        ]
    peer_text: list[str] = []
    real_ok = True  # a placebo comparison needs a real estimate
    if pooled:
        real_ok = False
        peer_text.append(
            _(
                "The target applies to the whole department, so there is no untreated group to "
                "compare with: the change cannot be told apart from what moved everyone (a "
                "season, the market, a new script)."
            )
        )
    elif few:
        real_ok = False
        if n_controls == 0:
            peer_text.append(
                _(
                    "Every colleague had a KPI on the {what} too, so there is no untreated group "
                    "to compare with: the change cannot be told apart from what moved "
                    "everyone."
                ).format(what=what_text)
            )
        else:
            peer_text.append(
                ngettext(
                    "Only {n} colleague had no KPI on the {what}, too few to compare with (at "
                    "least {min}): the change cannot be told apart from what moved everyone.",
                    "Only {n} colleagues had no KPI on the {what}, too few to compare with (at "
                    "least {min}): the change cannot be told apart from what moved everyone.",
                    n_controls,
                ).format(n=n_controls, what=what_text, min=MIN_TEAM)
            )
    elif peers is not None and len(peers):
        p = peers.iloc[0]
        did = [float(p[c]) for c in ("did", "did_low", "did_high")]
        if not np.isfinite(did).all():
            real_ok = False
            peer_text.append(_("There are not enough colleagues' data to compare with."))
        else:
            who_moved = (
                _("Colleagues")
                if n_controls is None
                else _("The {n} colleagues without this KPI").format(n=n_controls)
            )
            net = _(
                "{who} moved by {control} {unit} over the same dates; net of that the change "
                "is {did} {unit} ({ci}, on monthly differences)"
            ).format(
                who=who_moved,
                control=scaled(p["control_change"], scale, digits + 1),
                unit=word,
                did=scaled(did[0], scale, 1),
                ci=interval_words(did[1], did[2], scale=scale),
            )
            if did[1] > 0 or did[2] < 0:
                peer_text.append(net + _(", so it is not what moved everyone."))
            else:
                peer_text.append(
                    net
                    + _(", which includes zero: it cannot be told apart from what moved everyone.")
                )
    placebo_text = (
        placebo_wording(placebo, colleague_placebo, manager=manager, level=placebo_level)
        if real_ok
        else []
    )
    guard_text: list[str] = []
    if guardrails is not None and len(guardrails):
        rose = guardrails.loc[guardrails["rose"]]
        if rose.empty:
            names = ", ".join(_guardrail_name(g) for g in guardrails["guardrail"])
            guard_text.append(
                _("No guardrail ({names}) rose detectably while the KPI was in force.").format(
                    names=names
                )
            )
            if "mde_rise" in guardrails:
                seen = [
                    f"{_guardrail_name(r.guardrail)} {scaled(r.mde_rise, 100, 1)}"
                    for r in guardrails.itertuples()
                    if np.isfinite(r.mde_rise)
                ]
                if seen:
                    guard_text.append(
                        _(
                            "Rises that would have been seen with 80% power (points): {rises}."
                        ).format(rises="; ".join(seen))
                    )
        else:
            parts = [
                _("{name} rose from {before} to {after}").format(
                    name=_guardrail_name(r.guardrail),
                    before=percent(r.before),
                    after=percent(r.after),
                )
                for r in rose.itertuples()
            ]
            guard_text.append(
                _("Watch for gaming: {parts} while the KPI was in force.").format(
                    parts="; ".join(parts)
                )
            )
    return {
        "effect": effect,
        "trend": [trend_text] if trend_text else [],
        "pre_placebo": [pre_text] if pre_text else [],
        "peers": peer_text,
        "placebo": placebo_text,
        "guardrails": guard_text,
        "trend_status": status,
        "pre_placebo_effect": shows,
        "real": real,
    }


def conclusion_text(before_after: pd.DataFrame, **kwargs) -> str:
    """Plain-language verdict on the first vs the last window; wording follows the intervals.

    The rule, sentence by sentence (:func:`conclusion_parts` gives them by role):

    1. The change of the last window vs the first (headline interval: months as the
       unit). It is called a real improvement or worsening only when that interval excludes
       zero, the before months were not already moving its way and the placebo dates
       before the KPI show no effect of their own; otherwise the text says no change is
       detectable and what would have been (the MDE).
    2. The pre-trend (:func:`pre_trend_wording`), measured against the colleagues (without
       a control group: against the manager's own level): flat, already moving the same
       way (estimates against the trend and the last level beside the plain one), or the
       other way; then the placebo dates before the KPI (:func:`pre_kpi_placebo_wording`,
       read against the headline effect: the difference in differences, else the change).
    3. The colleagues: the difference in differences on monthly differences, or why there
       is no comparison (fewer than 3 untreated colleagues; a department-wide target).
    4. The placebos (:func:`placebo_wording`): dates, and colleagues given the date.
    5. The guardrails that rose, or that none did.

    Parameters
    ----------
    before_after : the case's before/after table (``mean``, ``change``, ``change_low``,
        ``change_high``, ``mde``; first row = before, last row = the window judged).
    manager, what, unit, scale, digits : who, and how to name and print the metric (``"%"``
        with ``scale=100`` for a rate, ``"min"`` for minutes); ``what`` in English, as in
        :data:`METRIC_WORDS` (translated here).
    peers : the case's DiD table (``did``, ``did_low``, ``did_high``, ``control_change``).
    placebo, colleague_placebo : :class:`workbench.stats.Placebo` results.
    trend : :func:`workbench.stats.pre_trend` of the monthly differences.
    n_controls : colleagues without the KPI (the control group); below 3 the text says
        there is no comparison and ``peers`` and the placebos are not used. ``None``: not
        known (the peer sentence then just says "colleagues").
    placebo_level : a placebo comparison "stands out" only at ``p <= placebo_level``.
    pooled : the case is the whole team under a department-wide target (no comparison).
    pre_placebo : the case's placebo dates before the KPI
        (:func:`workbench.cases.tables.pre_kpi_placebo`).
    """
    parts = conclusion_parts(before_after, **kwargs)
    order = ("effect", "trend", "pre_placebo", "peers", "placebo", "guardrails")
    return " ".join(s for key in order for s in parts[key])
