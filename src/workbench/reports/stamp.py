"""Who a rendered page is for, written into the page itself.

The runner stamps every ``report.html`` with ``<meta name="workbench-manager"
content="...">`` (the manager's exact name, HTML-escaped), so that whatever later handles
the file (the delivery step that e-mails it) can check the file is the recipient's own
without trusting folder names.
"""

from __future__ import annotations

import re
from html import escape, unescape

__all__ = ["MANAGER_META", "page_manager", "stamp_manager"]

MANAGER_META = "workbench-manager"
_META = re.compile(r'<meta\s+name="' + MANAGER_META + r'"\s+content="([^"]*)"\s*/?>', re.IGNORECASE)
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
