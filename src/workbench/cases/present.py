"""How a case study reads: its conclusion first, then sections of tables and figures.

One call per notebook cell (the coaches' notebooks and the ``workbench cases`` template):
:func:`title_html`, :func:`conclusion_html` (the verdict, the effect and its interval,
what it cost or gained, the caveats, the guardrails, a next step, as formatted prose),
:func:`section_html` (a heading and what the section shows), the tables and the figures.
Every word goes through :mod:`workbench.i18n`, every number through its formatting
helpers, and every string from the CRM (a manager's name) through :func:`html.escape`.

Tables are built here, not printed from pandas: no index column, no ``NaT``/``NaN``, no
time of day, no scientific notation, headers in words; each cell carries its column's name
(``data-label``), so on a phone every row becomes a small card instead of running off the
right edge. Figures are 6 inches wide with fonts of at least 13 pt, which keeps their text
above 11 CSS px when shown 390 px wide (13 x 390 / (6 x 72) = 11.7).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.cases.summary import case_summary
from workbench.cases.text import (
    GUARDRAIL_NAMES,
    METRIC_WORDS,
    OUTPUT_NAMES,
    interval_words,
    scaled,
    unit_word,
    window_name,
)
from workbench.data.schema import TABLE_WORDS
from workbench.formatting import capitalized
from workbench.i18n import N_, _, month_year, number, percent

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.cases.study import Case

__all__ = [
    "FIGURE_WIDTH_IN",
    "MIN_FONT_PT",
    "SUMMARY_MIME",
    "before_after_figure",
    "call_histogram",
    "colleague_placebo_table",
    "conclusion_html",
    "data_table",
    "event_table",
    "guardrails_table",
    "html_table",
    "ladder_table",
    "monthly_table",
    "output_table",
    "peers_table",
    "pre_placebo_table",
    "readable_figure",
    "sales_table",
    "section_html",
    "title_html",
    "trend_table",
    "windows_table",
]

#: The mimetype of the case summary (JSON) the conclusion cell carries beside its HTML;
#: ``workbench cases`` reads it from the executed notebook for the coaches' index.
SUMMARY_MIME = "application/vnd.workbench.case-summary+json"
#: Width of a case figure (inches) and the smallest font in it (points): 13 pt on 6 in is
#: 11.7 CSS px when the figure is shown 390 px wide.
FIGURE_WIDTH_IN = 6.0
MIN_FONT_PT = 13.0

# Tables: left-aligned text, numbers to the right; on a phone each row becomes a card whose
# cells are labelled by their column (data-label), so nothing runs off the right edge.
_STYLE = """<style>
.wb-case table.wb-case-table {table-layout: auto; width: 100%; border-collapse: collapse;
  margin: 0.5em 0 1em 0;}
.wb-case table.wb-case-table th, .wb-case table.wb-case-table td {text-align: left;
  vertical-align: top; white-space: normal; overflow-wrap: anywhere; padding: 0.3em 0.5em;
  border-bottom: 1px solid #ddd;}
.wb-case table.wb-case-table td.num, .wb-case table.wb-case-table th.num {text-align: right;}
.wb-case {max-width: 100%; overflow-wrap: anywhere;}
.wb-case .verdict {font-size: 1.15em;}
.wb-case ul {padding-left: 1.2em;}
@media (max-width: 640px) {
  .wb-case table.wb-case-table, .wb-case table.wb-case-table tbody,
  .wb-case table.wb-case-table tr, .wb-case table.wb-case-table td {display: block;
    width: auto;}
  .wb-case table.wb-case-table thead {display: none;}
  .wb-case table.wb-case-table tr {border: 1px solid #ddd; margin-bottom: 0.5em;}
  .wb-case table.wb-case-table td {border: none; text-align: left;}
  .wb-case table.wb-case-table td.num {text-align: left;}
  .wb-case table.wb-case-table td::before {content: attr(data-label) ": ";
    font-weight: bold;}
}
</style>"""


def _html(text: str):
    from IPython.display import HTML

    return HTML(_STYLE + f"<div class='wb-case'>{text}</div>")


def _e(text: Any) -> str:
    return html.escape(str(text))


def _name(case: Case) -> str:
    return _("the whole team") if case.pooled else case.manager


def _what(case: Case) -> str:
    return _(METRIC_WORDS[case.metric])


# ---- formats ---------------------------------------------------------------------------------


def _finite(v: Any) -> bool:
    try:
        return bool(np.isfinite(float(v)))
    except (TypeError, ValueError):
        return False


def _dash(f: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda v: f(v) if _finite(v) else "–"


def _month(v: Any) -> str:
    return "–" if v is None or pd.isna(v) else month_year(pd.Timestamp(v).date())


def _p(v: float) -> str:
    if not _finite(v):
        return "–"
    return f"< {number(0.001, 3)}" if v < 0.001 else number(v, 3)


def _value(case: Case, v: float, digits: int = 1) -> str:
    """A value of the case's metric: "44.2%" or "32.0 min"."""
    if not _finite(v):
        return "–"
    if case.meta["unit"] == "%":
        return percent(float(v), digits)
    return f"{number(float(v), digits)} {_(case.meta['unit'])}"


def _change(case: Case, v: float) -> str:
    """A change of the case's metric: "-29.1 points" or "-9.0 min"."""
    if not _finite(v):
        return "–"
    return f"{scaled(v, case.meta['scale'], 1)} {unit_word(case.meta['unit'])}"


def _with_ci(main: str, low: Any, high: Any, scale: float = 1.0, digits: int = 1) -> str:
    if not (_finite(low) and _finite(high)):
        return main
    return f"{main} ({interval_words(low, high, scale=scale, digits=digits)})"


# ---- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Col:
    header: str  # English; translated where shown
    cell: Callable[[pd.Series], str]
    numeric: bool = False


def html_table(
    rows: list[list[str]],
    headers: list[str],
    numeric: list[bool] | None = None,
    *,
    caption: str = "",
):
    """Rows of display strings as an escaped, phone-friendly table (no index column)."""
    numeric = numeric or [False] * len(headers)
    head = "".join(
        f"<th class='{'num' if n else 'text'}'>{_e(h)}</th>"
        for h, n in zip(headers, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='{'num' if n else 'text'}' data-label='{_e(h)}'>{_e(c)}</td>"
            for c, h, n in zip(row, headers, numeric, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    top = f"<p><b>{_e(caption)}</b></p>" if caption else ""
    return _html(
        f"{top}<table class='wb-case-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        "</table>"
    )


def _table(frame: pd.DataFrame | None, cols: list[_Col], *, empty: str, caption: str = ""):
    if frame is None or frame.empty:
        return _html(f"<p>{_e(empty)}</p>")
    rows = [[c.cell(r) for c in cols] for _, r in frame.iterrows()]
    return html_table(rows, [_(c.header) for c in cols], [c.numeric for c in cols], caption=caption)


def windows_table(case: Case):
    """The before/after table: each window's period, months, units, mean and change."""
    unit = N_("Due tasks") if case.metric == "delinquency_rate" else N_("Connected calls")
    ba = case.before_after
    months = case.monthly.groupby("window")["period"].agg(["min", "max"])

    def period(r: pd.Series) -> str:
        if r["window"] not in months.index:
            return "–"
        first, last = months.loc[r["window"], "min"], months.loc[r["window"], "max"]
        if first == last:
            return month_year(pd.Timestamp(first).date(), short=True)
        return _("{first} to {last}").format(
            first=month_year(pd.Timestamp(first).date(), short=True),
            last=month_year(pd.Timestamp(last).date(), short=True),
        )

    cols = [
        _Col(N_("Window"), lambda r: window_name(r["window"])),
        _Col(N_("Months"), period),
        _Col(unit, lambda r: number(r["n"]), True),
        _Col(
            N_("Mean"),
            lambda r: _with_ci(
                _value(case, r["mean"]), r["mean_low"], r["mean_high"], case.meta["scale"]
            ),
        ),
        _Col(
            N_("Change from before"),
            lambda r: _with_ci(
                _change(case, r["change"]), r["change_low"], r["change_high"], case.meta["scale"]
            ),
        ),
        _Col(N_("p-value"), lambda r: _p(r["p_value"]), True),
        _Col(N_("Smallest change this could detect"), lambda r: _change(case, r["mde"]), True),
    ]
    return _table(ba, cols, empty=_("No window has data."))


def monthly_table(case: Case):
    """The manager per month: window, units, value with its interval, team median, target."""
    cols = [
        _Col(N_("Month"), lambda r: _month(r["period"])),
        _Col(N_("Window"), lambda r: window_name(r["window"])),
        _Col(
            N_("Due tasks") if case.metric == "delinquency_rate" else N_("Connected calls"),
            lambda r: number(r["n"]),
            True,
        ),
        _Col(
            N_("Value"),
            lambda r: _with_ci(_value(case, r["value"]), r["low"], r["high"], case.meta["scale"]),
        ),
        _Col(N_("Team median"), lambda r: _value(case, r["team_median"]), True),
        _Col(N_("Target"), lambda r: _value(case, r["target"], 0), True),
    ]
    return _table(case.monthly, cols, empty=_("No month has data."))


def peers_table(case: Case):
    """The difference in differences against the untreated colleagues (one row)."""
    cols = [
        _Col(
            N_("Months before / after"),
            lambda r: f"{int(r['months_before'])} / {int(r['months_after'])}",
            True,
        ),
        _Col(N_("Change of the manager"), lambda r: _change(case, r["treated_change"]), True),
        _Col(N_("Change of the colleagues"), lambda r: _change(case, r["control_change"]), True),
        _Col(
            N_("Net change"),
            lambda r: _with_ci(
                _change(case, r["did"]), r["did_low"], r["did_high"], case.meta["scale"]
            ),
        ),
        _Col(N_("p-value"), lambda r: _p(r["p_value"]), True),
        _Col(
            N_("95% CI if every unit were independent"),
            lambda r: interval_words(
                r["unit_did_low"], r["unit_did_high"], scale=case.meta["scale"]
            ),
        ),
    ]
    return _table(case.peers, cols, empty=_peers_missing(case))


def _peers_missing(case: Case) -> str:
    if case.pooled:
        return _("No comparison: the target applies to the whole department.")
    return _("No comparison: fewer than 3 colleagues were without this KPI.")


def colleague_placebo_table(case: Case):
    """The manager among the untreated colleagues, each given the KPI date (anonymous)."""
    p = case.colleague_placebo
    table = p.table if p is not None else None

    def who(r: pd.Series) -> str:
        if r["kind"] == "real":
            return _name(case)
        return _("colleague {n}").format(n=str(r["manager"]).rsplit(" ", 1)[-1])

    def large(r: pd.Series) -> str:
        if r["kind"] == "real" or pd.isna(r["as_extreme"]):
            return "–"
        return _("yes") if bool(r["as_extreme"]) else _("no")

    cols = [
        _Col(N_("Given the KPI date"), who),
        _Col(N_("Own change"), lambda r: _change(case, r["treated_change"]), True),
        _Col(N_("Net change"), lambda r: _change(case, r["did"]), True),
        _Col(N_("At least as large as the manager's"), large),
    ]
    return _table(table, cols, empty=_peers_missing(case))


def pre_placebo_table(case: Case):
    """Placebo dates before the KPI (short windows; nothing changed at those dates)."""
    cols = [
        _Col(N_("Placebo date"), lambda r: _month(r["change_date"])),
        _Col(N_("Months on each side"), lambda r: number(r["months_before"]), True),
        _Col(N_("Change of the manager"), lambda r: _change(case, r["treated_change"]), True),
        _Col(N_("Net change"), lambda r: _change(case, r["did"]), True),
    ]
    return _table(
        case.pre_placebo, cols, empty=_("Too few months before the KPI for a placebo date.")
    )


def trend_table(case: Case):
    """The months before the KPI: slope, drift, and the effect against the trend and the
    level just before the KPI, beside the plain figure."""
    t = case.trend or {}
    if not _finite(t.get("slope")):
        return _html(
            "<p>" + _e(_("Too few months before the KPI (at least 3) to fit a trend.")) + "</p>"
        )
    s = case.meta["scale"]
    rows = [
        [
            _("Slope before the KPI, per month"),
            _with_ci(_change(case, t["slope"]), t["slope_low"], t["slope_high"], s),
        ],
        [_("Drift across the months before"), _change(case, t["drift"])],
        [_("Plain change (after minus before)"), _change(case, t["plain"])],
        [
            _("Change against the trend"),
            _with_ci(_change(case, t["vs_trend"]), t["vs_trend_low"], t["vs_trend_high"], s),
        ],
        [
            _("Change against the last month before ({month})").format(
                month=_month(t["last_before"])
            ),
            _with_ci(_change(case, t["vs_last"]), t["vs_last_low"], t["vs_last_high"], s),
        ],
    ]
    return html_table(rows, [_("Measure"), _("Value")])


def event_table(case: Case):
    """Each month's difference from the colleagues, relative to the last month before."""
    own = case.meta.get("n_controls", 0) < 3 or case.pooled
    cols = [
        _Col(N_("Month"), lambda r: _month(r["period"])),
        _Col(N_("Months from the KPI"), lambda r: number(r["relative_month"]), True),
        _Col(N_("Manager"), lambda r: _value(case, r["treated"]), True),
    ]
    if not own:
        cols += [
            _Col(N_("Colleagues"), lambda r: _value(case, r["control"]), True),
            _Col(N_("Difference"), lambda r: _change(case, r["difference"]), True),
        ]
    cols.append(
        _Col(
            N_("Against the last month before"),
            lambda r: _with_ci(
                _change(case, r["relative"]), r["low"], r["high"], case.meta["scale"]
            ),
        )
    )
    return _table(case.event_study, cols, empty=_("No month has data."))


def output_table(case: Case):
    """The output that should follow (completed tasks, leads) per whole month."""
    out = case.output
    if out is None or out.empty:
        return _html("<p>" + _e(_("No output to compare (the export has no such table).")) + "</p>")
    label = _(OUTPUT_NAMES.get(out.iloc[0]["measure"], out.iloc[0]["measure"]))
    cols = [
        _Col(N_("Window"), lambda r: _(r["window"])),
        _Col(
            N_("Per month before"),
            lambda r: _("{v} ({n} months)").format(
                v=scaled(r["before_per_period"], 1, 1), n=int(r["before_periods"])
            ),
            True,
        ),
        _Col(
            N_("Per month after"),
            lambda r: _("{v} ({n} months)").format(
                v=scaled(r["after_per_period"], 1, 1), n=int(r["after_periods"])
            ),
            True,
        ),
        _Col(
            N_("Ratio"),
            lambda r: _with_ci(
                "x" + scaled(r["ratio"], 1, 2), r["ratio_low"], r["ratio_high"], digits=2
            ),
        ),
        _Col(N_("Months left out (not whole)"), lambda r: number(r["partial_periods"]), True),
    ]
    return _table(out, cols, empty="", caption=label)


_COMPONENTS = {
    "leads": N_("Leads per month"),
    "close_rate": N_("Closed of the leads"),
    "lead_conversion": N_("Won of the leads"),
    "win_rate": N_("Won of the closed deals"),
    "volume_per_won": N_("Value per won deal"),
    "sales_volume": N_("Sales per month"),
}


def sales_table(case: Case):
    """Sales per month split into leads x close rate x win rate x value per won deal."""
    s = case.sales
    if s is None or s.empty:
        return _html("<p>" + _e(_("No deals in the export: sales are not compared.")) + "</p>")

    def figure(component: str, v: float) -> str:
        if not _finite(v):
            return "–"
        if component in ("close_rate", "win_rate", "lead_conversion"):
            return percent(float(v))
        return number(float(v), 1 if component == "leads" else 0)

    def change(r: pd.Series) -> str:
        if not _finite(r["pct_change"]):
            return "–"
        text = percent(float(r["pct_change"]))
        return text if r["pct_change"] < 0 else "+" + text

    cols = [
        _Col(N_("Measure"), lambda r: _(_COMPONENTS.get(r["component"], r["component"]))),
        _Col(N_("Before"), lambda r: figure(r["component"], r["before"]), True),
        _Col(N_("After"), lambda r: figure(r["component"], r["after"]), True),
        _Col(N_("Change"), change, True),
        _Col(
            N_("Share of the sales change (points)"),
            lambda r: scaled(r["contribution_pp"], 1, 1) if _finite(r["contribution_pp"]) else "–",
            True,
        ),
    ]
    return _table(s, cols, empty="")


def guardrails_table(case: Case):
    """Each guardrail before the KPI and while it was in force, with the change's interval."""
    g = case.guardrails

    def name(r: pd.Series) -> str:
        text = _(GUARDRAIL_NAMES.get(r["guardrail"], r["guardrail"]))
        if r["guardrail"] == "short_call_share" and _finite(case.meta.get("short_call_s")):
            text += " " + _short_call_words(case)
        return capitalized(text)

    cols = [
        _Col(N_("Guardrail"), name),
        _Col(N_("Before the KPI"), lambda r: _dash(lambda v: percent(v, 1))(r["before"]), True),
        _Col(
            N_("While the KPI was in force"),
            lambda r: _dash(lambda v: percent(v, 1))(r["after"]),
            True,
        ),
        _Col(
            N_("Change"),
            lambda r: _with_ci(
                scaled(r["change"], 100, 1) + " " + _("points"),
                r["change_low"],
                r["change_high"],
                100,
            ),
        ),
        _Col(N_("Rose?"), lambda r: _("yes") if bool(r["rose"]) else _("no")),
        _Col(
            N_("Rise that would have been seen"),
            lambda r: (
                scaled(r["mde_rise"], 100, 1) + " " + _("points") if _finite(r["mde_rise"]) else "–"
            ),
            True,
        ),
    ]
    return _table(g, cols, empty=_("No guardrail could be computed from this export."))


def _short_call_words(case: Case) -> str:
    minutes = number(case.meta["short_call_s"] / 60, 1)
    if case.meta.get("short_call_quantile") is not None:
        return _(
            "(under {m} min: the shortest tenth of the manager's calls before the KPI)"
        ).format(m=minutes)
    return _("(under {m} min)").format(m=minutes)


def ladder_table(case: Case):
    """The target ladder from the manager's level toward the colleagues' median."""
    lad = case.ladder
    if lad is None or lad.table.empty:
        return _html(
            "<p>" + _e(_("No ladder: there are no months before the KPI to start from.")) + "</p>"
        )
    rate = case.meta["unit"] == "%"

    def target(r: pd.Series) -> str:
        return percent(r["target"]) if rate else number(r["target"], 0) + " " + _("min")

    cols = [
        _Col(N_("Rung"), lambda r: _("start") if r["step"] == 0 else number(r["step"]), True),
        _Col(N_("Target"), target, True),
        _Col(N_("Step"), lambda r: _dash(lambda v: percent(v))(r["step_size"]), True),
        _Col(
            N_("Share before the KPI that would have missed it")
            if not rate
            else N_("Months before the KPI that would have missed it"),
            lambda r: _dash(lambda v: percent(v))(r["share_breaching"]),
            True,
        ),
    ]
    table = _table(lad.table, cols, empty="")
    if lad.note:
        table.data += f"<p>{_e(lad.note)}</p>"
    return table


def data_table(health: pd.DataFrame):
    """Rows read, loaded and set aside per table (:meth:`workbench.Dataset.health`)."""
    rows = []
    for table, part in health.groupby("table", sort=False):
        counts = part.set_index("measure")["rows"]
        if "read" not in counts.index:
            continue
        rows.append(
            [
                capitalized(_(TABLE_WORDS.get(table, table))),
                number(counts.get("read", 0)),
                number(counts.get("loaded", 0)),
                number(counts.get("set_aside", 0)),
            ]
        )
    return html_table(
        rows, [_("Table"), _("Rows read"), _("Loaded"), _("Set aside")], [False, True, True, True]
    )


# ---- prose -------------------------------------------------------------------------------------


def title_html(case: Case, *, data_files: list[str] | None = None):
    """The page's title and one line: who, which KPI, from when, the data's months."""
    dates = ", ".join(month_year(d.date()) for d in case.change_dates)
    head = _("Case study: the {what} after a KPI change").format(what=_what(case))
    first, last = case.meta.get("data_start"), case.meta.get("data_end")
    line = _("{who}; KPI from {dates}.").format(who=capitalized(_name(case)), dates=dates)
    if first is not None and last is not None:
        line += " " + _("Data from {first} to {last}.").format(
            first=month_year((pd.Timestamp(first) + pd.Timedelta(days=4)).date()),
            last=month_year((pd.Timestamp(last) - pd.Timedelta(days=4)).date()),
        )
    if case.pooled:
        line += " " + _(
            "A department-wide target: the case pools the whole team, and there is "
            "no untreated group to compare with."
        )
    return _html(f"<h1>{_e(head)}</h1><p>{_e(line)}</p>")


def conclusion_html(case: Case):
    """The conclusion, first on the page: verdict, effect, cost or gain, caveats, next step.

    The display also carries the case's summary as JSON (:data:`SUMMARY_MIME`), which the
    coaches' index of ``workbench cases`` reads from the executed notebook.
    """
    s = case_summary(case)

    def items(lines: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>" if lines else ""

    parts = [
        "<h2>" + _e(_("Conclusion")) + "</h2>",
        f"<p class='verdict'><b>{_e(s.headline)}</b></p>",
        "".join(f"<p>{_e(x)}</p>" for x in s.effect_sentences),
    ]
    if s.results:
        parts += ["<h3>" + _e(_("What it cost or gained")) + "</h3>", items(s.results)]
    if s.caveats:
        parts += ["<h3>" + _e(_("How sure we are")) + "</h3>", items(s.caveats)]
    if s.guardrails:
        parts += ["<h3>" + _e(_("Guardrails")) + "</h3>", items(s.guardrails)]
    parts += ["<h3>" + _e(_("Next step")) + "</h3>", items(s.next_steps)]
    page = _STYLE + "<div class='wb-case'>" + "".join(parts) + "</div>"
    from IPython.display import display

    return display(
        {"text/html": page, "text/plain": s.headline, SUMMARY_MIME: s.to_dict()}, raw=True
    )


_SECTIONS = {
    "figures": (
        N_("The figures behind it"),
        N_(
            "Each window's mean with its 95% interval, and the change from before. The "
            "intervals take months as the unit: a manager's months swing more than single "
            "tasks or calls suggest, so counting every unit as independent would give "
            "intervals that are too narrow. The last column is the smallest change these "
            "months could have shown with 80% power."
        ),
    ),
    "distribution": (
        N_("Call length before and under the KPI"),
        N_(
            "The manager's connected calls before the first KPI date and under the last "
            "step, each window on its own (the share of its calls per length band; log "
            "scale). A lower mean can come from a few very long calls disappearing or from "
            "every call getting shorter; the two shapes show which. The dashed line is the "
            "very-short-call threshold of the guardrail: the manager's own shortest tenth "
            "of calls before the KPI."
        ),
    ),
    "monthly": (
        N_("Month by month"),
        N_(
            "The manager's value per month with its 95% interval, the median of the other "
            "managers (anonymous, shown only when at least three have a value) and the KPI "
            "target."
        ),
    ),
    "colleagues": (
        N_("Against the colleagues"),
        N_(
            "A season, a new script or a CRM change moves everyone. The net change "
            "subtracts the change of the colleagues without this KPI (pooled; no colleague "
            "is named) over the same dates. Its interval treats each month's difference as "
            "one value; the last column shows the narrower interval that counting every "
            "unit as independent would give. Below, each colleague is given the KPI date as "
            "if they had got it: if the KPI did something, the manager's change should be "
            "larger than all of theirs."
        ),
    ),
    "trend": (
        N_("Was it already moving before the KPI?"),
        N_(
            "If the manager was already moving away from the colleagues before the KPI, the "
            "plain before/after figure takes that drift for the KPI's effect. The first "
            "table fits a line through the months before and measures the change against "
            "it and against the last month before. The second gives placebo dates before "
            "the KPI, where nothing changed: their changes show how much the months swing "
            "on their own. The third gives each month against the last month before the KPI."
        ),
    ),
    "results": (
        N_("What it cost or gained"),
        N_(
            "Fewer overdue tasks or shorter calls are worth little if the work behind them "
            "shrinks. The output per whole month, before vs while the KPI was in force (and "
            "under the last step), with the interval of the ratio; then sales per month "
            "split exactly into leads x closed of the leads x won of the closed x value per "
            "won deal: the last column says how many points of the sales change each part "
            "explains."
        ),
    ),
    "guardrails": (
        N_("Guardrails"),
        N_(
            "A KPI can be met by gaming it. Each guardrail is compared between the months "
            "before the KPI and the months it was in force; it counts as risen only when "
            "the interval of its change lies above zero. A guardrail that rose is a reason "
            "to look at the tasks or calls themselves, not a proof of gaming."
        ),
    ),
    "ladder": (
        N_("A target ladder"),
        N_(
            "The steps that could have been set instead of one jump: from the manager's "
            "level before the KPI toward the colleagues' median, each step at most a fixed "
            "share of the last, rounded toward the manager's level. A target far from habit "
            "is often ignored; small steps are within reach."
        ),
    ),
    "data": (
        N_("The data"),
        N_(
            "Rows read, loaded and set aside per table: a row that cannot be used is set "
            "aside and counted, never dropped silently."
        ),
    ),
}


def section_html(key: str, case: Case | None = None):
    """A section's heading and what it shows; None for a section this case does not have
    (the call-length histogram in a task case)."""
    if key == "distribution" and case is not None and case.metric != "talk_mean_min":
        return None
    title, text = _SECTIONS[key]
    return _html(f"<h2>{_e(_(title))}</h2><p>{_e(_(text))}</p>")


# ---- figures ----------------------------------------------------------------------------------


def readable_figure(fig: Figure, *, min_pt: float = MIN_FONT_PT) -> Figure:
    """Raise every text of ``fig`` (ticks, labels, legend, title) to at least ``min_pt``."""
    from matplotlib.text import Text

    for ax in fig.axes:
        ax.tick_params(labelsize=min_pt)
    for text in fig.findobj(Text):
        if text.get_fontsize() < min_pt:
            text.set_fontsize(min_pt)
    return fig


def _figure(height: float = 4.2):
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(FIGURE_WIDTH_IN, height), layout="constrained")


def _shown(fig: Figure) -> Figure:
    """``fig`` readable and detached from pyplot: the cell shows the returned figure once
    (pyplot's inline backend would show it a second time)."""
    import matplotlib.pyplot as plt

    readable_figure(fig)
    plt.close(fig)
    return fig


def before_after_figure(case: Case) -> Figure:
    """The case's before/after figure, readable on a phone."""
    fig, ax = _figure(5.4)
    case.plot(ax=ax)
    return _shown(fig)


def call_histogram(case: Case) -> Figure | None:
    """The manager's call lengths before vs under the KPI (None in a task case)."""
    if case.metric != "talk_mean_min":
        return None
    from workbench.plots.cases import call_length_before_after

    units = case.units.table
    mine = units.loc[units["manager"] == case.manager]
    fig, ax = _figure(5.0)
    threshold = case.meta.get("short_call_s")
    call_length_before_after(
        mine,
        change_dates=case.change_dates,
        threshold_min=threshold / 60 if _finite(threshold) else None,
        ax=ax,
    )
    return _shown(fig)
