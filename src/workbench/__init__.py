"""Sales Workbench: analysis helpers for a sales department's tasks, calls, deals and KPIs."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
