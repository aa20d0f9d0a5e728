"""The e-mail of one delivery: subject with the period, a plain and an HTML body, attachments.

The HTML body is what mail clients show: inline styles only, no script, no remote image, and
every string that comes from the CRM (names, team, headline sentences) HTML-escaped. Header
values from the CRM have their control characters escaped (no header injection).

Every word is in the current language (:mod:`workbench.i18n`): :func:`workbench.delivery.send`
sets the batch's language, the one its pages were rendered in, so the e-mail and the
report it carries agree (the verdicts and next steps come from the report run already in
that language).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape

from workbench.delivery.plan import Delivery, Plan
from workbench.i18n import N_, _, language, month_year
from workbench.terminal import safe_text

__all__ = ["build_message", "period_words"]

_P = 'style="margin:0 0 12px 0;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222"'
_LI = 'style="margin:0 0 6px 0;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222"'
_SMALL = (
    'style="margin:16px 0 0 0;font-family:Arial,Helvetica,sans-serif;font-size:12px;color:#666"'
)
_KIND = {
    "report": N_("your report"),
    "index": N_("the department's index (every manager's headline figures)"),
    "overview": N_("the team overview (all managers side by side)"),
    "team_index": N_("your team's index (each of your team's managers' headline figures)"),
    "team_overview": N_("your team's overview (your team's managers side by side)"),
    "pdf": N_("your report as PDF, for printing"),
}


def period_words(plan: Plan) -> str:
    """``October 2026`` for a calendar month, else ``2026-10-01 to 2026-10-15``; in the
    current language."""
    start, end = date.fromisoformat(plan.period_start), date.fromisoformat(plan.period_end)
    if len(plan.period) == 7:
        return month_year(start)
    return _("{first} to {last}").format(first=start.isoformat(), last=end.isoformat())


def _address(name: str, address: str) -> Address:
    username, domain = address.rsplit("@", 1)
    return Address(display_name=safe_text(name), username=username, domain=domain)


def _subject(d: Delivery, words: str) -> str:
    has_report = any(a.kind == "report" for a in d.attachments)
    pages = _("the index and the team overview")
    if any(a.kind.startswith("team_") for a in d.attachments):
        pages = _("team {team}'s index and overview").format(team=safe_text(d.team))
    if d.is_head and has_report:
        return _("Sales reports for {period}: your report, {pages}").format(
            period=words, pages=pages
        )
    if d.is_head:
        return _("Sales reports for {period}: {pages}").format(period=words, pages=pages)
    return _("Your sales report for {period}").format(period=words)


def _bodies(d: Delivery, words: str) -> tuple[str, str]:
    files = [f"{a.filename}: {_(_KIND[a.kind])}" for a in d.attachments]
    hello = _("Hello {name},").format(name=d.name)
    attached = _("Attached for {period}:").format(period=words)
    text = [hello, "", attached]
    text += [f"  - {f}" for f in files]
    html = [
        f"<p {_P}>{escape(hello)}</p>",
        f"<p {_P}>{escape(attached)}</p>",
        "<ul>" + "".join(f"<li {_LI}>{escape(f)}</li>" for f in files) + "</ul>",
    ]
    sections = ((_("Your KPIs"), d.verdicts), (_("What to do next"), d.next_steps),
                (_("Your month in brief"), d.headlines))  # fmt: skip
    for title, lines in sections:
        if lines:
            text += ["", f"{title}:"] + [f"  - {s}" for s in lines]
            html.append(f"<p {_P}><b>{escape(title)}</b></p>")
            html.append("<ul>" + "".join(f"<li {_LI}>{escape(s)}</li>" for s in lines) + "</ul>")
    for note in d.notes:
        text += ["", note]
        html.append(f"<p {_P}>{escape(note)}</p>")
    footer = _(
        "Open the attachment in a web browser; it needs no network. "
        "This message was sent by the Sales Workbench."
    )
    text += ["", footer, ""]
    html.append(f"<p {_SMALL}>{escape(footer)}</p>")
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0;padding:16px;background:#ffffff">'
        + "\n".join(html)
        + "</body></html>"
    )
    return "\n".join(text), page


def build_message(d: Delivery, plan: Plan, *, sender: str, to: str | None = None) -> EmailMessage:
    """The message of ``d``; ``to`` replaces the recipient's address (``--test-to``)."""
    words = period_words(plan)
    msg = EmailMessage()
    subject = _subject(d, words)
    if to is not None:
        subject = f"[test for {safe_text(d.name)} <{d.address}>] {subject}"
    msg["Subject"] = subject
    msg["From"] = Address(display_name=_("Sales Workbench"), addr_spec=sender)
    msg["To"] = _address(d.name, to or d.address)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid("workbench", domain=sender.rsplit("@", 1)[1])
    msg["X-Workbench-Period"] = plan.period
    text, html = _bodies(d, words)
    msg.set_content(text)
    msg.add_alternative(html.replace("<html>", f'<html lang="{language()}">', 1), subtype="html")
    for a in d.attachments:
        data = a.path.read_bytes()
        if a.kind != "pdf" and hashlib.sha256(data).hexdigest() != a.sha256:
            raise ValueError(f"{a.path} changed while the messages were being sent")
        if a.kind == "pdf":
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=a.filename)
        else:
            msg.add_attachment(
                data,
                maintype="text",
                subtype="html",
                filename=a.filename,
                params={"charset": "utf-8"},  # the reports are UTF-8 (Cyrillic names)
            )
    return msg
