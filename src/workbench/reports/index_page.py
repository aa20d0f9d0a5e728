"""The HTML pages the runner writes for the head of sales and the team heads: the index of
every manager's report, a team's index, and the page a manager gets when a report failed.

The index speaks about the managers in the third person ("Anna Petrova: 7 of 59 tasks due
were late"), never "your": it is read by the head, not by the manager. Its team figure is
ONE median per metric, of every manager the page covers, with its meaning said once above
the table (a row's own figure is never left out of it, so it does not change row to row).
On a desktop it is a table; on a phone each manager is a card (a CSS media query), so no
element scrolls sideways at 390 px.

Every page is static, script-free, in the batch's language (:mod:`workbench.i18n`), and
escapes every CRM-supplied string (names, error text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from workbench.formatting import figure_with_unit, metric_name
from workbench.i18n import N_, _, language, ngettext

__all__ = [
    "INDEX_METRICS",
    "PAGE_CSS",
    "TABLE_WORDS",
    "failure_page",
    "index_page",
    "kpi_lines",
    "page_head",
    "team_index_page",
]

#: Headline figures of the index, in its columns' order (labels from the catalogue).
INDEX_METRICS = ("delinquency_rate", "talk_mean_min", "leads", "won", "sales_volume")

#: The contract tables in words (translated where shown).
TABLE_WORDS = {
    "tasks": N_("Tasks"),
    "calls": N_("Calls"),
    "deals": N_("Deals"),
    "targets": N_("Targets (KPIs)"),
    "roster": N_("Roster"),
}

#: The style of every page the runner writes itself: readable on a phone (tables marked
#: ``cards`` become one card per row below 700 px; long words wrap).
PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px;
  padding: 8px 12px; line-height: 1.4; overflow-wrap: break-word; }
h1 { font-size: 1.6em; line-height: 1.2; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 6px; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; }
.failed { color: #b00020; font-weight: bold; }
.met { color: #1b5e20; } .missed { color: #b00020; } .none { color: #555; }
tr.median td { background: #f2f4f7; }
.note { color: #333; }
details { margin: 1em 0; } summary { cursor: pointer; font-weight: 600; }
ul.kpi { list-style: none; margin: 0; padding: 0; }
@media (max-width: 700px) {
  table.cards thead { display: none; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: auto; }
  table.cards tr { border: 1px solid #ccc; border-radius: 6px; margin: 0 0 10px;
    padding: 6px 10px; }
  table.cards td { border: none; padding: 2px 0; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label) ": "; color: #555; }
  table.cards td.name { font-size: 1.1em; font-weight: 600; }
}
"""


def page_head(title: str, *, css: str = PAGE_CSS) -> str:
    """The start of a page (up to ``<body>``) in the current language; ``title`` is escaped."""
    return (
        f'<!DOCTYPE html>\n<html lang="{language()}"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style></head><body>\n"
    )


def failure_page(manager: str, contact: tuple[str, str] | None = None) -> str:
    """The page a manager gets when their report could not be produced, and whom to ask.

    ``contact`` is (name, email) of the department head from the roster; without one the
    page names "the analyst who ran the reports". The technical error is never shown here:
    it goes to ``run_summary.json``, the kept notebook and ``run.log`` for the analyst.
    """
    title = _("Report not available: {name}").format(name=manager)
    if contact and contact[0]:
        who, email = escape(contact[0]), escape(contact[1] or "")
        ask = f'{who} (<a href="mailto:{email}">{email}</a>)' if email else who
    else:
        ask = escape(_("the analyst who ran the reports"))
    please = escape(_("Please ask {who}; the cause has been recorded for them.")).format(who=ask)
    return (
        page_head(title)
        + f"<h1>{escape(title)}</h1>\n<p>"
        + escape(
            _(
                "Your report for this period could not be produced. This is a problem on our "
                "side, not in your work."
            )
        )
        + f"</p>\n<p>{please}</p>\n</body></html>\n"
    )


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def kpi_lines(headline: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The manager's KPI verdicts of the window's last month, in words, with a state:
    ``[("met", "Overdue share of tasks due 12%, target at most 20%: met"), ...]``.

    ``headline`` is :func:`workbench.reports.manager_view.headline_data` of the manager.
    """
    out = []
    for metric, k in sorted((headline.get("kpis") or {}).items()):
        target = figure_with_unit(metric, k.get("target"))
        words = _("at most {target}") if k.get("direction") == "at_most" else _("at least {target}")
        state = {True: "met", False: "missed"}.get(k.get("met"), "none")
        verdict = {"met": _("met"), "missed": _("missed"), "none": _("no value to judge")}[state]
        value = _number(headline.get(metric))
        if value is None:
            text = _("{metric}, target {target}: {verdict}")
        else:
            text = _("{metric} {value}, target {target}: {verdict}")
        out.append(
            (
                state,
                text.format(
                    metric=metric_name(metric),
                    value=figure_with_unit(metric, value) if value is not None else "",
                    target=words.format(target=target),
                    verdict=verdict,
                ),
            )
        )
    return out


def _brief(headline: Mapping[str, Any]) -> str:
    """One sentence about the manager, in the third person: the late tasks."""
    due = int(headline.get("tasks_due") or 0)
    if not due:
        return _("No task was due.")
    late = headline.get("tasks_overdue")
    if late is None:  # a cache from before the count was kept: from the rate
        late = round((_number(headline.get("delinquency_rate")) or 0.0) * due)
    return ngettext(
        "{late} of {due} task due was late.", "{late} of {due} tasks due were late.", due
    ).format(late=int(late), due=due)


def _kpi_cell(headline: Mapping[str, Any]) -> str:
    lines = kpi_lines(headline)
    if not lines:
        return '<span class="none">' + escape(_("no KPI")) + "</span>"
    items = "".join(f'<li class="{state}">{escape(text)}</li>' for state, text in lines)
    return f'<ul class="kpi">{items}</ul>'


def _overview_link(overview: dict[str, Any] | None, team: str = "") -> str:
    """A link to the team overview page, or a notice that it failed (still linked)."""
    if overview is None:
        return ""
    href = escape(overview.get("html") or "team_overview.html")
    name = escape(_("Team overview"))
    if overview.get("status") == "failed":
        err = escape(overview.get("error") or _("unknown error"))
        link = f'<a href="{href}">{name}</a>'
        text = escape(_("{page} failed: {error}")).format(page=link, error=err)
        return f'<p class="failed">{text}</p>\n'
    if team:
        what = _(
            "the managers of team {team} side by side, KPI attainment, outliers and trends "
            "(managers named: for the team's head only)."
        ).format(team=team)
    else:
        what = _(
            "all managers side by side, KPI attainment, outliers and trends (managers named: "
            "for the head of sales only)."
        )
    return f'<p><a href="{href}"><b>{name}</b></a>: {escape(what)}</p>\n'


def _batch_facts(
    tables: dict[str, list[str]] | None, notes: list[str] | None, health: str | None
) -> str:
    """The tables that fed the batch (file names only), the run's notices and the
    data-health link, folded: for the analyst more than for the head."""
    parts = []
    if tables is not None:
        items = []
        for table in TABLE_WORDS:
            files = tables.get(table) or []
            names = ", ".join(escape(Path(f).name) for f in files)
            none = escape(_("no file (not in the reports)"))
            items.append(f"<li>{escape(_(TABLE_WORDS[table]))}: {names or none}</li>")
        parts.append(
            "<p>" + escape(_("Files that fed this batch:")) + f"</p><ul>{''.join(items)}</ul>"
        )
    if notes:
        parts.append(
            "<ul class='notes'>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"
        )
    if health:
        what = escape(
            _("rows set aside, coverage, who gets a report and who does not (for the analyst).")
        )
        parts.append(
            f'<p><a href="{escape(health)}"><b>'
            + escape(_("Data health"))
            + f"</b></a>: {what}</p>"
        )
    if not parts:
        return ""
    return (
        "<details><summary>"
        + escape(_("About this batch"))
        + f"</summary>{''.join(parts)}</details>\n"
    )


def _median_row(medians: Mapping[str, float | None], scope: str, n: int) -> tuple[str, str]:
    """The one team figure per metric: a row above the managers, and its meaning in words."""
    label = _("Team median") if scope == "team" else _("Department median")
    cells = "".join(
        f'<td class="num" data-label="{escape(metric_name(m), quote=True)}">'
        f"{escape(figure_with_unit(m, medians.get(m)))}</td>"
        for m in INDEX_METRICS
    )
    row = (
        f'<tr class="median"><td class="name">{escape(label)}</td>{cells}'
        '<td class="empty"></td><td class="empty"></td></tr>'
    )
    meaning = ngettext(
        "{label}: the figure of the {n} manager on this page.",
        "{label}: the middle of the figures of the {n} managers on this page (as many "
        "managers are above it as below); one figure, the same for every row.",
        n,
    ).format(label=label, n=n)
    return row, f'<p class="note">{escape(meaning)}</p>\n'


def index_page(
    title: str,
    entries: list[dict[str, Any]],
    *,
    overview: dict[str, Any] | None = None,
    tables: dict[str, list[str]] | None = None,
    notes: list[str] | None = None,
    health: str | None = None,
    team: str = "",
    reports: str = "",
    medians: Mapping[str, float | None] | None = None,
    n_managers: int = 0,
) -> str:
    """The head of sales' overview: one row (a card on a phone) per manager with headline
    figures, KPI verdicts, one sentence and a link to the report.

    Parameters
    ----------
    title : str
        The page's heading.
    entries : list of dict
        ``manager``, ``slug``, ``status``, ``error`` and ``headline``
        (:func:`workbench.reports.manager_view.headline_data` of the manager's view with
        ``tasks_overdue``, computed by the runner; None when the report failed).
    overview : dict, optional
        ``html``, ``status``, ``error``: adds a link to the team overview page (``team``
        words it for one roster team's page).
    tables, notes, health
        Table -> files read, the run's notices and the data-health page's link, folded at
        the bottom (``reports`` is the path from the page to the reports' folders,
        ``"../../"`` from ``teams/<slug>/``).
    medians, n_managers
        The median of each :data:`INDEX_METRICS` figure over the ``n_managers`` managers the
        page covers: one row, the same for every manager (None: no such row).
    """
    columns = [_("Manager"), *[metric_name(m) for m in INDEX_METRICS], _("KPI"), _("In brief")]
    header = "".join(f"<th>{escape(c)}</th>" for c in columns)
    rows = []
    for e in entries:
        href = f"{reports}{e['slug']}/report.html"
        name = escape(e["manager"])
        h = e.get("headline")
        if e["status"] == "interrupted":
            cells = (
                f'<td colspan="{len(INDEX_METRICS) + 2}" class="failed">'
                + escape(_("not produced: the run was interrupted; run it again to finish"))
                + "</td>"
            )
            link = name
        elif e["status"] == "failed" or h is None:
            err = e.get("error") or _("no headline figures")
            cells = (
                f'<td colspan="{len(INDEX_METRICS) + 2}" class="failed">'
                + escape(_("report failed: {error}").format(error=err))
                + "</td>"
            )
            link = f'<a href="{escape(href)}">{name}</a>'
        else:
            nums = "".join(
                f'<td class="num" data-label="{escape(metric_name(k), quote=True)}">'
                f"{escape(figure_with_unit(k, h.get(k)))}</td>"
                for k in INDEX_METRICS
            )
            cells = (
                f'{nums}<td data-label="{escape(columns[-2], quote=True)}">{_kpi_cell(h)}</td>'
                f'<td data-label="{escape(columns[-1], quote=True)}">{escape(_brief(h))}</td>'
            )
            link = f'<a href="{escape(href)}">{name}</a>'
        rows.append(f'<tr><td class="name">{link}</td>{cells}</tr>')
    failed = sum(e["status"] == "failed" for e in entries)
    notice = ""
    if failed:
        text = ngettext(
            "{failed} of {n} report failed.", "{failed} of {n} reports failed.", len(entries)
        ).format(failed=failed, n=len(entries))
        notice += f'<p class="failed">{escape(text)}</p>'
    stopped = sum(e["status"] == "interrupted" for e in entries)
    if stopped:
        text = ngettext(
            "The run was interrupted: {stopped} of {n} report was not produced.",
            "The run was interrupted: {stopped} of {n} reports were not produced.",
            len(entries),
        ).format(stopped=stopped, n=len(entries))
        notice += f'<p class="failed">{escape(text)}</p>'
    meaning = ""
    if medians is not None and n_managers:
        row, meaning = _median_row(medians, "team" if team else "department", n_managers)
        rows.insert(0, row)
    return (
        page_head(title)
        + f"<h1>{escape(title)}</h1>\n{_overview_link(overview, team)}{notice}\n{meaning}"
        + "<table class='cards index'>\n"
        + f"<thead><tr>{header}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n"
        + _batch_facts(tables, notes, health)
        + "</body></html>\n"
    )


def team_index_page(
    title: str,
    team: str,
    entries: list[dict[str, Any]],
    *,
    overview: dict[str, Any] | None,
    medians: Mapping[str, float | None] | None = None,
    n_managers: int = 0,
) -> str:
    """One roster team's index, for its head: :func:`index_page` of the team's managers only.

    It sits in ``teams/<slug>/``, so the reports are linked as ``../../<slug>/report.html``
    and ``overview`` (the team's own overview) as ``team_overview.html`` beside it. It
    lists neither the batch's tables, notices nor the data-health page (those name or count
    the whole department); its medians are of the team's managers.
    """
    return index_page(
        title, entries, overview=overview, team=team, reports="../../", medians=medians,
        n_managers=n_managers,
    )  # fmt: skip
