"""The per-period send log, ``<out>/<period>/send_log.json``: what was sent to whom.

One entry per recipient (the roster's name)::

    {"period": "2026-10", "updated_at": "...",
     "recipients": {"Anna Petrova": {
         "address": "anna.petrova@example.com",
         "fingerprint": "<sha256 of the attachment>",
         "attachments": {"report.html": "<sha256>", ...},
         "message_id": "<...@example.com>", "time": "...", "status": "sent",
         "error": null, "history": [earlier final states]}}}

``status`` is ``sending`` (written, atomically, BEFORE the SMTP transaction starts), then
``sent`` or ``failed`` after it. An entry left at ``sending`` means the process stopped in
the middle: the server may or may not have the message, so it is reported as unknown and
never resent without being asked (``--resend NAME``). Every write replaces the whole file
through :func:`workbench.files.atomic_write`: a crash leaves the previous or the next
version, never half a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.delivery.errors import DeliveryError
from workbench.files import atomic_write
from workbench.reports.archive import SEND_LOG

__all__ = ["SEND_LOG", "SendLog", "now"]

_HISTORY = 20  # earlier final states kept per recipient


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class SendLog:
    """The send log of one period folder, read once, written after every change."""

    path: Path
    period: str
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, period_dir: Path) -> SendLog:
        """The folder's log, or an empty one; an unreadable log stops delivery (exit 2)."""
        path = period_dir / SEND_LOG
        if not path.exists():
            return cls(path, period_dir.name)
        try:
            data = json.loads(path.read_text("utf-8"))
            recipients = data["recipients"]
            if not isinstance(recipients, dict):
                raise TypeError("recipients is not a table")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DeliveryError(
                f"{path}: the send log cannot be read ({exc}); it says what was already "
                "sent, so nothing is sent until it is repaired or moved away"
            ) from exc
        return cls(path, data.get("period", period_dir.name), recipients)

    def get(self, name: str) -> dict[str, Any] | None:
        return self.recipients.get(name)

    def record(self, name: str, **values: Any) -> None:
        """Set ``name``'s entry (the previous final state goes to its history) and save."""
        old = self.recipients.get(name) or {}
        history = list(old.get("history", []))
        if old.get("status") in ("sent", "failed"):
            past = {k: old.get(k) for k in ("status", "time", "message_id", "fingerprint")}
            past.update(address=old.get("address"), error=old.get("error"))
            history = [*history, past][-_HISTORY:]
        entry = {"error": None, **values, "time": now(), "history": history}
        self.recipients[name] = entry
        self.save()

    def update(self, name: str, **values: Any) -> None:
        """Change fields of ``name``'s current entry (``sending`` -> ``sent``) and save."""
        self.recipients[name].update(values, time=now())
        self.save()

    def save(self) -> None:
        record = {"period": self.period, "updated_at": now(), "recipients": self.recipients}
        atomic_write(self.path, json.dumps(record, indent=1, ensure_ascii=False) + "\n")
