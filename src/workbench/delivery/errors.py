"""The delivery step's own error: a usage, data or configuration problem (exit status 2)."""

from __future__ import annotations

from workbench.errors import WorkbenchError

__all__ = ["DeliveryError"]


class DeliveryError(WorkbenchError):
    """Nothing can be sent: no batch, no roster, a bad SMTP configuration, no Chromium."""
