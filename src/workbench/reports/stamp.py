"""Who a rendered page is for, written into the page itself.

The runner stamps every ``report.html`` with ``<meta name="workbench-manager"
content="...">`` (the manager's exact name, HTML-escaped), so that whatever later handles
the file (the delivery step that e-mails it) can check the file is the recipient's own
without trusting folder names.
"""

from __future__ import annotations

import re
from html import escape, unescape

__all__ = ["MANAGER_META", "TEAM_META", "page_manager", "page_team", "stamp_manager", "stamp_team"]

MANAGER_META = "workbench-manager"
_META = re.compile(r'<meta\s+name="' + MANAGER_META + r'"\s+content="([^"]*)"\s*/?>', re.IGNORECASE)
#: The meta tag of a roster team's pages (``teams/<slug>/index.html`` and its overview).
TEAM_META = "workbench-team"
_TEAM = re.compile(r'<meta\s+name="' + TEAM_META + r'"\s+content="([^"]*)"\s*/?>', re.IGNORECASE)
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)


def stamp_manager(html: str, manager: str) -> str:
    """``html`` with the manager's meta tag at the start of its ``<head>`` (replacing one)."""
    tag = f'<meta name="{MANAGER_META}" content="{escape(manager, quote=True)}">'
    html = _META.sub("", html)
    head = _HEAD.search(html)
    if head is None:
        return tag + "\n" + html
    return html[: head.end()] + "\n" + tag + html[head.end() :]


def page_manager(html: str) -> list[str]:
    """The manager names a page is stamped with (normally one; none for other pages)."""
    return [unescape(m) for m in _META.findall(html)]


def stamp_team(html: str, team: str) -> str:
    """``html`` with the team's meta tag at the start of its ``<head>`` (replacing one): the
    page is that roster team's, for its head only."""
    tag = f'<meta name="{TEAM_META}" content="{escape(team, quote=True)}">'
    html = _TEAM.sub("", html)
    head = _HEAD.search(html)
    if head is None:
        return tag + "\n" + html
    return html[: head.end()] + "\n" + tag + html[head.end() :]


def page_team(html: str) -> list[str]:
    """The roster teams a page is stamped with (one for a team's page; none for others)."""
    return [unescape(m) for m in _TEAM.findall(html)]
