"""The archive page ``<out>/index.html``: every period rendered so far and its delivery.

Written (atomically) after every rendering batch and after every delivery run, in the
language of that batch, from what is on disk: each period folder's ``run_summary.json``
(reports rendered, cached, failed) and ``send_log.json`` (the delivery log of
:mod:`workbench.delivery`: messages sent, failed, unknown). Static, script-free, a card per
period on a phone; every string from a file is HTML-escaped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from workbench.files import atomic_write, read_json
from workbench.i18n import N_, _
from workbench.reports.index_page import page_head

__all__ = ["ARCHIVE_NAME", "SEND_LOG", "archive_page", "period_folders", "write_archive"]

ARCHIVE_NAME = "index.html"
#: The delivery log's file name in a period folder (written by :mod:`workbench.delivery`).
SEND_LOG = "send_log.json"
_PERIOD = re.compile(r"^\d{4}-\d{2}(-\d{2}_\d{4}-\d{2}-\d{2})?$")
#: Report and delivery states in words (translated where shown).
_STATES = {
    "rendered": N_("rendered"),
    "cached": N_("unchanged (from the cache)"),
    "failed": N_("failed"),
    "interrupted": N_("interrupted"),
    "sent": N_("sent"),
    "sending": N_("unknown (check the mailbox)"),
    "changed": N_("changed since sent"),
    "stopped": N_("stopped by a check"),
    "outbox": N_("written to the outbox"),
}


def period_folders(out: str | Path) -> list[Path]:
    """Period folders under ``out`` (``2026-10``, ``2026-10-01_2026-10-15``), newest first."""
    out = Path(out)
    if not out.is_dir():
        return []
    found = [
        p
        for p in out.iterdir()
        if p.is_dir() and _PERIOD.match(p.name) and (p / "run_summary.json").exists()
    ]
    return sorted(found, key=lambda p: p.name, reverse=True)


def _state(name: str) -> str:
    words = _STATES.get(name)
    return _(words) if words else name


def _reports_cell(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return '<span class="failed">' + escape(_("run summary unreadable")) + "</span>"
    counts = summary.get("counts") or {}
    text = ", ".join(f"{int(n)} {escape(_state(str(s)))}" for s, n in counts.items() if n)
    bad = counts.get("failed", 0)
    return f'<span class="failed">{text}</span>' if bad else (text or escape(_("none")))


def _send_cell(log: dict[str, Any] | None, exists: bool) -> str:
    if not exists:
        return escape(_("not sent yet"))
    if log is None:
        return '<span class="failed">' + escape(_("send log unreadable")) + "</span>"
    states: dict[str, int] = {}
    for entry in (log.get("recipients") or {}).values():
        status = str(entry.get("status", "?")) if isinstance(entry, dict) else "?"
        states[status] = states.get(status, 0) + 1
    text = ", ".join(f"{n} {escape(_state(s))}" for s, n in sorted(states.items()))
    when = escape(str(log.get("updated_at", "")))
    bad = any(s != "sent" for s in states)
    text = f'<span class="failed">{text}</span>' if bad else (text or escape(_("nothing sent")))
    return f"{text}<br><small>{when}</small>" if when else text


def archive_page(out: str | Path) -> str:
    """The archive's HTML: one row (a card on a phone) per period folder under ``out``,
    newest first, in the current language."""
    columns = [_("Period"), _("Index"), _("Team overview"), _("Reports"), _("Delivery")]
    label = [f' data-label="{escape(c, quote=True)}"' for c in columns]
    rows = []
    for folder in period_folders(out):
        name = escape(folder.name)
        index = ""
        if (folder / "index.html").exists():
            index = f'<a href="{name}/index.html">' + escape(_("every manager")) + "</a>"
        overview = escape(_("none"))
        if (folder / "team_overview.html").exists():
            overview = f'<a href="{name}/team_overview.html">' + escape(_("team overview")) + "</a>"
        summary = read_json(folder / "run_summary.json")
        log_file = folder / SEND_LOG
        send = _send_cell(read_json(log_file), log_file.exists())
        rows.append(
            f'<tr><td class="name">{name}</td><td{label[1]}>{index}</td>'
            f"<td{label[2]}>{overview}</td><td{label[3]}>{_reports_cell(summary)}</td>"
            f"<td{label[4]}>{send}</td></tr>"
        )
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    none = escape(_("no period rendered yet"))
    body = "\n".join(rows) or f'<tr><td colspan="5">{none}</td></tr>'
    title = _("Manager reports: every period")
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    updated = escape(_("Updated {time}.").format(time=stamp))
    return (
        page_head(title)
        + f"<h1>{escape(title)}</h1>\n<p>{updated}</p>\n<table class='cards'>\n"
        + f"<thead><tr>{head}</tr></thead><tbody>\n"
        + body
        + "\n</tbody></table>\n</body></html>\n"
    )


def write_archive(out: str | Path) -> Path:
    """Write ``<out>/index.html`` (atomically) and return its path."""
    return atomic_write(Path(out) / ARCHIVE_NAME, archive_page(out))
