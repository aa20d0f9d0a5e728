"""The HTML pages the runner writes besides the reports: the index, failure and data-health
pages.

Both are static, script-free and escape every CRM-supplied string (names, error text).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from workbench.formatting import figure_with_unit, metric_name

__all__ = ["INDEX_METRICS", "data_health_page", "failure_page", "index_page", "team_index_page"]

#: Headline figures of the index, in its columns' order (labels from the catalogue).
INDEX_METRICS = ("delinquency_rate", "talk_mean_min", "leads", "won", "sales_volume")

_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 8px; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; }}
td.num {{ text-align: right; }}
.failed {{ color: #b00020; font-weight: bold; }}
.met {{ color: #1b5e20; }} .missed {{ color: #b00020; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: 8px; overflow-x: auto; }}
.wrap {{ overflow-x: auto; }}
</style></head><body>
"""


def failure_page(manager: str, contact: tuple[str, str] | None = None) -> str:
    """The page a manager gets when their report could not be produced, and whom to ask.

    ``contact`` is (name, email) of the department head from the roster; without one the
    page names "the analyst who ran the reports". The technical error is never shown here:
    it goes to ``run_summary.json``, the kept notebook and ``run.log`` for the analyst.
    """
    name = escape(manager)
    if contact and contact[0]:
        who, email = escape(contact[0]), escape(contact[1] or "")
        mail = f' (<a href="mailto:{email}">{email}</a>)' if email else ""
        ask = f"{who}{mail}"
    else:
        ask = "the analyst who ran the reports"
    return (
        _HEAD.format(title=f"Report not available: {name}")
        + f"<h1>Report not available: {name}</h1>\n"
        + "<p>Your report for this period could not be produced. This is a problem on our "
        + "side, not in your work.</p>\n"
        + f"<p>Please ask {ask}; the cause has been recorded for them.</p>\n</body></html>\n"
    )


def _kpi(kpis: dict) -> str:
    parts = []
    for metric, k in sorted(kpis.items()):
        state = {True: ("met", "met"), False: ("missed", "missed"), None: ("", "n/a")}[k["met"]]
        sign = "≤" if k["direction"] == "at_most" else "≥"
        parts.append(
            f'<span class="{state[0]}">{escape(metric)} {sign} {k["target"]:g}: {state[1]}</span>'
        )
    return "<br>".join(parts) or "no KPI"


def _overview_link(overview: dict[str, Any] | None, team: str = "") -> str:
    """A link to the team overview page, or a notice that it failed (still linked)."""
    if overview is None:
        return ""
    href = escape(overview.get("html") or "team_overview.html")
    if overview.get("status") == "failed":
        err = escape(overview.get("error") or "unknown error")
        return f'<p class="failed"><a href="{href}">Team overview</a> failed: {err}</p>\n'
    if team:
        return (
            f'<p><a href="{href}"><b>Team overview</b></a>: the managers of team '
            f"{escape(team)} side by side, KPI attainment, outliers and trends (names shown: "
            "for the team's head only).</p>\n"
        )
    return (
        f'<p><a href="{href}"><b>Team overview</b></a>: all managers side by side, KPI '
        "attainment, outliers and trends (names shown: for the head of sales only).</p>\n"
    )


def data_health_page(text: str, *, title: str = "Data health") -> str:
    """The analyst's data-health page: ``text`` (what ``workbench check`` prints, see
    :class:`workbench.data.check.CheckReport`) as an escaped, preformatted static page."""
    return (
        _HEAD.format(title=escape(title))
        + f"<h1>{escape(title)}</h1>\n<p>For the analyst: what the export held, what was set "
        + "aside and why, who gets a report. Not for the managers (it names everyone).</p>\n"
        + f"<pre>{escape(text)}</pre>\n</body></html>\n"
    )


def _batch_facts(
    tables: dict[str, list[str]] | None, notes: list[str] | None, health: str | None
) -> str:
    """The tables that fed the batch (their files), the run's notices, the data-health link."""
    out = ""
    if tables is not None:
        items = []
        for table in ("tasks", "calls", "deals", "targets", "roster"):
            files = tables.get(table) or []
            names = ", ".join(escape(Path(f).name) for f in files)
            items.append(f"<li>{table}: {names or 'no file (not in the reports)'}</li>")
        out += "<p>Tables that fed this batch:</p><ul>" + "".join(items) + "</ul>\n"
    if notes:
        out += "<ul class='notes'>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>\n"
    if health:
        out += (
            f'<p><a href="{escape(health)}"><b>Data health</b></a>: rows set aside, coverage, '
            "who gets a report and who not (for the analyst).</p>\n"
        )
    return out


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
) -> str:
    """The head of sales' overview: one row per manager with headline figures and a link.

    ``entries`` hold ``manager``, ``slug``, ``status``, ``error`` and ``headline``
    (:func:`workbench.reports.manager_view.headline_data` of the manager's view, computed by
    the runner; None when the report failed). ``overview``
    (``html``, ``status``, ``error``) adds a link to the team overview page (``team`` words
    that link for one roster team's page; ``reports`` is the path from the page to the
    reports' folders, ``"../../"`` from ``teams/<slug>/``); ``tables``
    (table -> files read) lists the tables that fed the batch, ``notes`` the run's notices
    (the month chosen, coverage warnings) and ``health`` links the data-health page.
    """
    head = "".join(f"<th>{escape(metric_name(m))}</th>" for m in INDEX_METRICS)
    rows = []
    for e in entries:
        href = f"{reports}{e['slug']}/report.html"
        link = f'<a href="{escape(href)}">{escape(e["manager"])}</a>'
        h = e.get("headline")
        if e["status"] == "interrupted":
            link = escape(e["manager"])
            cells = (
                f'<td colspan="{len(INDEX_METRICS) + 2}" class="failed">not produced: the run '
                "was interrupted; run it again to finish</td>"
            )
        elif e["status"] == "failed" or h is None:
            err = escape(e.get("error") or "no headline data")
            cells = (
                f'<td colspan="{len(INDEX_METRICS) + 2}" class="failed">report failed: {err}</td>'
            )
        else:
            nums = "".join(
                f'<td class="num">{figure_with_unit(k, h.get(k))}</td>' for k in INDEX_METRICS
            )
            sentences = " ".join(escape(s) for s in h.get("headlines", []))
            cells = f"{nums}<td>{_kpi(h.get('kpis', {}))}</td><td>{sentences}</td>"
        rows.append(f"<tr><td>{link}</td><td>{escape(e['status'])}</td>{cells}</tr>")
    failed = sum(e["status"] == "failed" for e in entries)
    notice = f'<p class="failed">{failed} of {len(entries)} reports failed.</p>' if failed else ""
    stopped = sum(e["status"] == "interrupted" for e in entries)
    if stopped:
        notice += (
            f'<p class="failed">The run was interrupted: {stopped} of {len(entries)} reports '
            "were not produced.</p>"
        )
    return (
        _HEAD.format(title=escape(title))
        + f"<h1>{escape(title)}</h1>\n{_overview_link(overview, team)}{notice}\n"
        + _batch_facts(tables, notes, health)
        + "<div class='wrap'><table>\n"
        + f"<tr><th>manager</th><th>status</th>{head}<th>KPI</th><th>headlines</th></tr>\n"
        + "\n".join(rows)
        + "\n</table></div>\n</body></html>\n"
    )


def team_index_page(
    title: str, team: str, entries: list[dict[str, Any]], *, overview: dict[str, Any] | None
) -> str:
    """One roster team's index, for its head: :func:`index_page` of the team's managers only.

    It sits in ``teams/<slug>/``, so the reports are linked as ``../../<slug>/report.html``
    and ``overview`` (the team's own overview) as ``team_overview.html`` beside it. It
    lists neither the batch's tables, notices nor the data-health page (those name or count
    the whole department).
    """
    return index_page(title, entries, overview=overview, team=team, reports="../../")
