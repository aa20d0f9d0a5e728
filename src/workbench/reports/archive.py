"""The archive page ``<out>/index.html``: every period rendered so far and its delivery.

Written (atomically) after every rendering batch and after every delivery run, from what is
on disk: each period folder's ``run_summary.json`` (reports rendered, cached, failed) and
``send_log.json`` (the delivery log of :mod:`workbench.delivery`: messages sent, failed,
unknown). Static, script-free; every string from a file is HTML-escaped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from workbench.files import atomic_write, read_json

__all__ = ["ARCHIVE_NAME", "SEND_LOG", "archive_page", "period_folders", "write_archive"]

ARCHIVE_NAME = "index.html"
#: The delivery log's file name in a period folder (written by :mod:`workbench.delivery`).
SEND_LOG = "send_log.json"
_PERIOD = re.compile(r"^\d{4}-\d{2}(-\d{2}_\d{4}-\d{2}-\d{2})?$")

_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Manager reports: archive</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; }
.bad { color: #b00020; font-weight: bold; }
</style></head><body>
"""


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


def _reports_cell(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return '<span class="bad">run summary unreadable</span>'
    counts = summary.get("counts") or {}
    text = ", ".join(f"{int(n)} {escape(str(s))}" for s, n in counts.items() if n)
    bad = counts.get("failed", 0)
    return f'<span class="bad">{text}</span>' if bad else (text or "none")


def _send_cell(log: dict[str, Any] | None, exists: bool) -> str:
    if not exists:
        return "not sent yet"
    if log is None:
        return '<span class="bad">send log unreadable</span>'
    states: dict[str, int] = {}
    for entry in (log.get("recipients") or {}).values():
        status = str(entry.get("status", "?")) if isinstance(entry, dict) else "?"
        states[status] = states.get(status, 0) + 1
    names = {"sending": "unknown (check the mailbox)"}
    text = ", ".join(f"{n} {escape(names.get(s, s))}" for s, n in sorted(states.items()))
    when = escape(str(log.get("updated_at", "")))
    bad = any(s != "sent" for s in states)
    text = f'<span class="bad">{text}</span>' if bad else (text or "nothing sent")
    return f"{text}<br><small>{when}</small>" if when else text


def archive_page(out: str | Path) -> str:
    """The archive's HTML: one row per period folder under ``out``, newest first."""
    rows = []
    for folder in period_folders(out):
        name = escape(folder.name)
        index = f'<a href="{name}/index.html">index</a>' if (folder / "index.html").exists() else ""
        overview = (
            f'<a href="{name}/team_overview.html">team overview</a>'
            if (folder / "team_overview.html").exists()
            else "none"
        )
        summary = read_json(folder / "run_summary.json")
        log_file = folder / SEND_LOG
        send = _send_cell(read_json(log_file), log_file.exists())
        rows.append(
            f"<tr><td>{name}</td><td>{index}</td><td>{overview}</td>"
            f"<td>{_reports_cell(summary)}</td><td>{send}</td></tr>"
        )
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    body = "\n".join(rows) or '<tr><td colspan="5">no period rendered yet</td></tr>'
    return (
        _HEAD
        + "<h1>Manager reports: every period</h1>\n"
        + f"<p>Updated {escape(stamp)}.</p>\n<table>\n"
        + "<tr><th>period</th><th>index</th><th>team overview</th><th>reports</th>"
        + "<th>delivery</th></tr>\n"
        + body
        + "\n</table>\n</body></html>\n"
    )


def write_archive(out: str | Path) -> Path:
    """Write ``<out>/index.html`` (atomically) and return its path."""
    return atomic_write(Path(out) / ARCHIVE_NAME, archive_page(out))
