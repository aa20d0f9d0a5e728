"""Text for terminals and log lines: CRM strings with their control characters escaped.

A manager's name comes from the CRM and may hold anything, an escape sequence that
retitles or clears the terminal included; progress and log lines show such characters as
visible escapes (``\\x1b``) instead of sending them to the terminal.
"""

from __future__ import annotations

import unicodedata

__all__ = ["safe_text"]


def safe_text(value: object) -> str:
    """``value`` as text with every control or format character shown as an escape.

    Ordinary letters in any script stay as they are: ``"Анна\\x1b[2J"`` becomes
    ``"Анна\\\\x1b[2J"``; a newline becomes ``\\\\n``.
    """
    out = []
    for ch in str(value):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
