"""Presentation of the team overview template: one call per notebook cell, in the batch's
language, readable at 390 px.

What the overview computes lives in :mod:`workbench.reports.team_overview`; this module sets
the batch's language in the kernel (:func:`prepare`), and turns the figures into escaped HTML
and figures:

* tables become one card per manager below 700 px (a CSS media query), so nothing scrolls
  sideways on a phone; their first row is the team median, said once what it means;
* every heading and paragraph comes from the message catalogue (the template has no
  narrative markdown: it would not follow the language);
* figures are :data:`FIGURE_WIDTH` inches wide with no text under :data:`MIN_FONT_PT` points,
  so that shown 390 px wide their smallest text is at least 11 CSS px
  (``pt x 390 / (width x 72)``); legends and notes sit outside the plot area.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from workbench.data.mappings import batch_language
from workbench.formatting import figure_with_unit
from workbench.i18n import N_, _, ngettext, number, set_language
from workbench.reports.health_page import column_words, reason_words
from workbench.reports.index_page import TABLE_WORDS
from workbench.reports.team_overview import (
    TEAM_METRICS,
    TeamOverview,
    bar_data,
    common_target,
    correlation_annotation,
    correlation_sentences,
    figures_view,
    heading_html,
    shown_definitions,
    team_findings,
    team_medians,
    trends_view,
)

__all__ = [
    "FIGURE_WIDTH",
    "MIN_FONT_PT",
    "SECTIONS",
    "bars",
    "cards_table",
    "correlation",
    "definitions",
    "figures",
    "findings",
    "heading",
    "health",
    "intro",
    "kpi_note",
    "prepare",
    "scatter",
    "section",
    "trends",
]

#: Width of the overview's figures, inches.
FIGURE_WIDTH = 5.0
#: The smallest text in a figure, points: shown 390 px wide, 13 CSS px (12 x 390 / 360);
#: still 11.7 px in the 350 px a phone's page leaves beside its margins.
MIN_FONT_PT = 12.0
_FONTS = {
    "font.size": MIN_FONT_PT / 0.833,  # "small" (legends, bar labels, notes) is 0.833 of it
    "axes.titlesize": 13.5,
    "axes.labelsize": 13.0,
    "xtick.labelsize": 12.5,
    "ytick.labelsize": 12.5,
    "legend.fontsize": MIN_FONT_PT,
    "figure.constrained_layout.use": True,
}

#: Each section's heading and what it says, in English (translated where shown).
SECTIONS: dict[str, tuple[str, str]] = {
    "findings": (N_("Findings"), ""),
    "figures": (
        N_("All managers side by side"),
        N_(
            "Figures over the whole period, rates from the period's pooled counts. A * marks "
            "an outlier: a figure far from the other managers' (more than 3.5 robust standard "
            "deviations from their median). The KPI columns count the months the KPI was met "
            "out of the months a target was in force."
        ),
    ),
    "trends": (
        N_("Who is trending which way"),
        N_(
            "The last half of the history months against the half before (the average of "
            "the monthly figures). For the overdue share, lower is better by definition. For "
            "call length, lower is a judgement: a long call is not a bad call in itself; read "
            "it against the team median (the bars below) and the call-length KPI. More leads, "
            "conversion and sales are better."
        ),
    ),
    "overdue": (N_("Overdue share against the KPI"), ""),
    "calls": (N_("Call length"), ""),
    "results": (N_("Leads handled and conversion"), ""),
    "scatter": (
        N_("Tasks completed and deals won"),
        N_(
            "One point per manager and month of the history. The interval resamples whole "
            "managers, because one manager's months are not independent of each other."
        ),
    ),
    "definitions": (N_("Definitions"), ""),
    "health": (
        N_("Data health"),
        N_("Rows that could not be used are set aside and counted, never dropped silently."),
    ),
}

_STYLE = """<style>
.jp-RenderedHTMLCommon table.wb-cards { table-layout: auto; margin: 0 0 1em 0; width: 100%;
  font-size: 13px; }
.jp-RenderedHTMLCommon table.wb-cards td, .jp-RenderedHTMLCommon table.wb-cards th {
  text-align: left; vertical-align: top; padding: 4px 6px; overflow-wrap: anywhere;
  border-bottom: 1px solid #ddd; }
.jp-RenderedHTMLCommon table.wb-cards tr.median td { background: #f2f4f7; }
.wb-note { color: #333; }
details.wb-definitions dd { margin: 0 0 0.8em 1em; }
@media (max-width: 700px) {
  .jp-RenderedHTMLCommon table.wb-cards thead { display: none; }
  .jp-RenderedHTMLCommon table.wb-cards, .jp-RenderedHTMLCommon table.wb-cards tbody,
  .jp-RenderedHTMLCommon table.wb-cards tr, .jp-RenderedHTMLCommon table.wb-cards td {
    display: block; width: auto; }
  .jp-RenderedHTMLCommon table.wb-cards tr { border: 1px solid #ccc; border-radius: 6px;
    margin: 0 0 10px; padding: 4px 8px; }
  .jp-RenderedHTMLCommon table.wb-cards td { border: none; padding: 2px 0; }
  .jp-RenderedHTMLCommon table.wb-cards td.blank { display: none; }
  .jp-RenderedHTMLCommon table.wb-cards td[data-label]::before {
    content: attr(data-label) ": "; color: #555; }
  .jp-RenderedHTMLCommon table.wb-cards td.name { font-weight: 600; font-size: 1.05em; }
}
</style>"""


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def prepare(
    *,
    period_start: str,
    period_end: str,
    data: str,
    mapping: str,
    tz: str,
    as_of: str,
    history_months: int,
    team: str = "",
    batch: str = "",
    lang: str = "",
) -> TeamOverview:
    """Set the batch's language in this kernel, then compute the overview
    (:func:`workbench.reports.page.prepare_team_overview`: the runner's snapshot, or
    ``data`` when the template runs alone).

    ``lang`` is the template parameter: a language code, or ``""`` for the mapping's
    ``language:``, else English (:func:`workbench.data.mappings.batch_language`).
    """
    from workbench.plots import set_theme
    from workbench.reports.page import prepare_team_overview

    set_language(batch_language(lang, mapping or None))
    set_theme()
    return prepare_team_overview(
        period_start=period_start, period_end=period_end, data=data, mapping=mapping, tz=tz,
        as_of=as_of, history_months=history_months, team=team, batch=batch,
    )  # fmt: skip


def heading(ov: TeamOverview):
    """The heading (team, period, as-of time, who may read it) and the page's purpose."""
    return heading_html(ov)


def intro():
    """Who the page is for, in one paragraph."""
    text = _(
        "This overview is for the head of sales, or, when it covers one team, for that team's "
        "head: it names every manager it covers and must not be shared with the managers "
        "themselves (their own reports show colleagues only as anonymous team figures). "
        "Every figure is defined at the end."
    )
    return _html(f"<p class='wb-note'>{html.escape(text)}</p>")


def section(name: str):
    """A section's heading and its paragraph (:data:`SECTIONS`), in the current language."""
    title, text = SECTIONS[name]
    out = f"<h2 id='{name}'>{html.escape(_(title))}</h2>"
    if text:
        out += f"<p class='wb-note'>{html.escape(_(text))}</p>"
    return _html(out)


def cards_table(
    frame: pd.DataFrame, *, first: Sequence[str] | None = None, numeric: bool = False
) -> str:
    """``frame`` as an escaped HTML table that is one card per row on a phone.

    The first column names the row (a manager); each other cell carries its column's name
    for the card (``data-label``). ``first`` is an extra first row (the team median),
    marked ``median``. Right-aligned numbers are not used: a card reads left to right; a
    cell without a value ("–") is left off the card.
    """
    columns = [str(c) for c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)

    def row(values: Sequence[Any], cls: str = "") -> str:
        cells = []
        for i, value in enumerate(values):
            text = html.escape("" if value is None else str(value))
            if i == 0:
                cells.append(f"<td class='name'>{text}</td>")
            elif text:
                label = html.escape(columns[i], quote=True)
                blank = " class='blank'" if text == "–" else ""  # no line on a card
                cells.append(f'<td data-label="{label}"{blank}>{text}</td>')
            else:
                cells.append("<td></td>")
        attr = f" class='{cls}'" if cls else ""
        return f"<tr{attr}>" + "".join(cells) + "</tr>"

    body = [row(first, "median")] if first is not None else []
    body += [row(values) for values in frame.itertuples(index=False, name=None)]
    return (
        f"<table class='wb-cards'><thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def findings(ov: TeamOverview):
    """The findings in plain sentences (:func:`team_findings`), escaped."""
    items = team_findings(ov.team_table, correlation=ov.correlation)
    body = "".join(f"<li>{html.escape(s)}</li>" for s in items)
    return _html(f"<ul class='headlines'>{body}</ul>")


def figures(ov: TeamOverview):
    """Every manager side by side (:func:`figures_view`), the team median first, its
    meaning said once above the table."""
    view = figures_view(ov.table)
    medians = team_medians(ov.table)
    label = _("Team median")
    first = [label] + [figure_with_unit(m, medians[m]) for m in TEAM_METRICS]
    first += [""] * (len(view.columns) - len(first))
    n = len(ov.table)
    meaning = ngettext(
        "{label}: the figure of the {n} manager of the overview.",
        "{label}: the middle of the {n} managers' figures (as many managers are above it as "
        "below); one figure per column, the same for every manager.",
        n,
    ).format(label=label, n=n)
    note = f"<p class='wb-note'>{html.escape(meaning)}</p>"
    return _html(_STYLE + note + cards_table(view, first=first))


def trends(ov: TeamOverview):
    """Trend words per manager and metric (:func:`trends_view`)."""
    return _html(_STYLE + cards_table(trends_view(ov.table)))


def _shown(fig):
    """Display ``fig`` now, in a kernel, and close it: the figure is the cell's output
    whether or not pyplot is interactive there (papermill's kernels are not), and is never
    shown twice. Outside IPython the figure is only returned."""
    from IPython import get_ipython

    if get_ipython() is not None:
        from IPython.display import display

        display(fig)
        plt.close(fig)
    return fig


def _figure(height: float):
    """A new figure of the overview's width, with the overview's minimum font sizes."""
    with mpl.rc_context(_FONTS):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, height), dpi=100, layout="constrained")
    return fig, ax


def bars(ov: TeamOverview, metric: str):
    """One metric per manager as bars (:func:`workbench.plots.metric_by_manager`), with the
    KPI: a line when every manager shares the target, else a mark on each manager's bar."""
    from workbench.plots import metric_by_manager

    data = bar_data(ov.table, metric)
    fig, ax = _figure(2.2 + 0.42 * max(len(data), 1))
    with mpl.rc_context(_FONTS):
        metric_by_manager(data, metric=metric, target=common_target(ov.table, metric), ax=ax)
    return _shown(fig)


def scatter(ov: TeamOverview):
    """Tasks completed against deals won, one point per manager and month, the rank
    correlation written under the plot."""
    from workbench.plots import tasks_vs_results

    fig, ax = _figure(4.6)
    with mpl.rc_context(_FONTS):
        tasks_vs_results(ov.panel, annotation=correlation_annotation(ov.correlation), ax=ax)
    return _shown(fig)


def correlation(ov: TeamOverview):
    """What the rank correlation under the plot means, and whether it can be told apart
    from no relation, in plain words."""
    sentences = correlation_sentences(ov.correlation, explain=True)
    return _html("".join(f"<p class='wb-note'>{html.escape(s)}</p>" for s in sentences))


def definitions(ov: TeamOverview | None = None):
    """The definitions of every figure shown, in plain words, folded
    (:func:`workbench.reports.team_overview.shown_definitions`)."""
    table = shown_definitions()
    items = []
    for row in table.itertuples(index=False, name=None):
        name, *rest = row
        parts = [
            f"<b>{html.escape(str(col))}:</b> {html.escape(str(value))}"
            for col, value in zip(table.columns[1:], rest, strict=True)
            if value
        ]
        items.append(f"<dt>{html.escape(str(name))}</dt><dd>{'<br>'.join(parts)}</dd>")
    summary = html.escape(_("How each figure is counted"))
    return _html(
        f"<details class='wb-definitions'><summary>{summary}</summary>"
        f"<dl>{''.join(items)}</dl></details>"
    )


def health(ov: TeamOverview):
    """The department's rows read, loaded and set aside per table, and the reasons, in
    words (no code names)."""
    h = ov.health
    rows = []
    for table in TABLE_WORDS:
        part = h.loc[h["table"] == table]
        if part.empty:
            continue
        count = {m: int(part.loc[part["measure"] == m, "rows"].sum())
                 for m in ("read", "loaded", "set_aside")}  # fmt: skip
        rows.append([_(TABLE_WORDS[table]), number(count["read"]), number(count["loaded"]),
                     number(count["set_aside"])])  # fmt: skip
    frame = pd.DataFrame(rows, columns=[_("Table"), _("Rows read"), _("Loaded"), _("Set aside")])
    out = _STYLE + cards_table(frame)
    reasons = []
    for r in h.loc[h["measure"].isin(["reason", "blanked", "notice"])].to_dict("records"):
        code, reason = str(r.get("reason_code") or ""), str(r.get("reason") or "")
        if r["measure"] != "reason" and ": " in reason:
            column, reason = reason.split(": ", 1)
            words = f"{column_words(column)}: {reason_words(code, reason)}"
        else:
            words = reason_words(code, reason)
        reasons.append([_(TABLE_WORDS.get(r["table"], r["table"])), words, number(r["rows"])])
    if reasons:
        columns = [_("Table"), _("Reason"), _("Rows")]
        out += cards_table(pd.DataFrame(reasons, columns=columns))
    else:
        out += "<p>" + html.escape(_("No row was set aside.")) + "</p>"
    return _html(out)


def kpi_note(ov: TeamOverview, metric: str):
    """How the chart shows the KPI of ``metric``: one line everyone shares, a mark on each
    bar of a manager with a personal target, or no KPI at all."""
    data = bar_data(ov.table, metric)
    if common_target(ov.table, metric) is not None:
        text = _("The dashed line is the KPI target every manager shares.")
    elif "target" in data and data["target"].notna().any():
        names = data.loc[data["target"].notna(), "manager"].tolist()
        text = ngettext(
            "The red mark on a bar is that manager's own KPI target ({n} manager has one: "
            "{names}).",
            "The red mark on a bar is that manager's own KPI target ({n} managers have one: "
            "{names}).",
            len(names),
        ).format(n=len(names), names=", ".join(names))
    else:
        text = _("No KPI target was in force on this figure in the period.")
    return _html(f"<p class='wb-note'>{html.escape(text)}</p>")
